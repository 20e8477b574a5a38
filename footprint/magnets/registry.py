"""Finding the magnet rules through footprint's one plugin manager."""

from __future__ import annotations

import datetime as dt

import pluggy

from footprint.errors import FootprintInputError

from .rules import MagnetRules


class MagnetRulesRegistry:
    """Answers which rules apply, through the plugin manager `footprint.plugins` builds."""

    def __init__(self, manager: pluggy.PluginManager | None = None) -> None:
        if manager is None:
            from footprint.plugins import plugin_manager

            manager = plugin_manager()
        self.manager = manager

    def rule_sets(self) -> list[MagnetRules]:
        found: dict[tuple[str, str], MagnetRules] = {}
        for batch in self.manager.hook.footprint_magnet_rule_sets():
            for rules in batch or []:
                found.setdefault((rules.id, rules.rules_version), rules)
        return sorted(found.values(), key=lambda r: (r.id, r.rules_version))

    def rules_for(self, product_group: str, on_date: dt.date) -> MagnetRules:
        rules = self.manager.hook.footprint_magnet_rules(product_group=product_group, on_date=on_date)
        if rules is None:
            installed = ", ".join(f"{r.id} {r.rules_version}" for r in self.rule_sets()) or "none installed"
            raise FootprintInputError(
                f"no installed plugin has rules for the Art. 29 share of product group {product_group!r} on {on_date} (installed: {installed})",
                field="product.group",
            )
        return rules

    def find(self, rules_id: str, version: str) -> MagnetRules | None:
        """The exact rule set a declaration names, or None when it is not installed."""
        return next((r for r in self.rule_sets() if (r.id, r.rules_version) == (rules_id, version)), None)
