"""The plugin manager: loads material plugins from the `footprint.materials` entry points."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

import pluggy

from . import hookspecs
from .magnets import hookspecs as magnet_hookspecs
from .errors import FootprintInputError
from .rules import MaterialInfo, MaterialRules

ENTRY_POINT_GROUP = "footprint.materials"


def make_plugin_manager(load_entry_points: bool = True) -> pluggy.PluginManager:
    """A plugin manager with the hook specifications, loaded from the entry-point group."""
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    manager.add_hookspecs(magnet_hookspecs)
    if load_entry_points:
        manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    manager.check_pending()
    return manager


@lru_cache(maxsize=1)
def plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager (tests may build their own with make_plugin_manager)."""
    return make_plugin_manager()


class MaterialRegistry:
    """Answers questions about materials through one plugin manager."""

    def __init__(self, manager: pluggy.PluginManager | None = None) -> None:
        self.manager = manager or plugin_manager()

    def materials(self) -> list[MaterialInfo]:
        """Every plugin's materials, each labelled with the plugin (entry-point name) it came from."""
        found: dict[str, MaterialInfo] = {}
        for impl in self.manager.hook.footprint_materials.get_hookimpls():
            plugin = self.manager.get_name(impl.plugin) or impl.plugin_name
            for info in impl.function() or []:
                found.setdefault(info.id, info.model_copy(update={"plugin": info.plugin or plugin}))
        return sorted(found.values(), key=lambda info: info.id)

    def rules(self, material_id: str) -> MaterialRules:
        rules = self.manager.hook.footprint_material_rules(material_id=material_id)
        if rules is None:
            known = ", ".join(info.id for info in self.materials()) or "none installed"
            raise FootprintInputError(
                f"no installed plugin provides material {material_id!r} (installed: {known})", field="material"
            )
        return rules

    def declared_categories(self, material_id: str) -> list[str]:
        categories = self.manager.hook.footprint_declared_categories(material_id=material_id)
        return list(categories or [])

    def class_table(self, material_id: str, on_date: dt.date) -> Any | None:
        return self.manager.hook.footprint_class_table(material_id=material_id, on_date=on_date)

    def calibration_settings(self, material_id: str) -> Any | None:
        return self.manager.hook.footprint_calibration_settings(material_id=material_id)
