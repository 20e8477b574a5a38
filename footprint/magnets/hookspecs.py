"""Hook specifications for the rules of the Art. 29 share (same plugin manager as the materials).

They live beside the magnet code, not in `footprint/hookspecs.py`, because a magnet rule set
is not a material: `footprint.plugins.make_plugin_manager` adds both specification modules
to the one pluggy manager, so a plugin registered in the `footprint.materials` entry-point
group may implement material hooks, magnet hooks or both (as `footprint_materials.magnets`
does for the built-in draft). The markers are footprint's own (`footprint.hookspecs`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from footprint.hookspecs import hookspec

if TYPE_CHECKING:
    from .rules import MagnetRules


@hookspec
def footprint_magnet_rule_sets() -> "list[MagnetRules]":
    """Every magnet rule set this plugin ships, each version (verify finds a declaration's rules by id and version)."""


@hookspec(firstresult=True)
def footprint_magnet_rules(product_group: str, on_date: dt.date) -> "MagnetRules | None":
    """The rules in force for a product group of Art. 28(1) on a date, or None if the plugin has none."""
