"""What every built-in material plugin does the same way: answer the hooks from its data.

A module creates one `MaterialPlugin` with its materials and rules; the entry point names
that object. A third-party package may use this class too, or implement the hooks itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from footprint.hookspecs import hookimpl
from footprint.rules import MaterialInfo, MaterialRules


class MaterialPlugin:
    def __init__(
        self,
        materials: list[MaterialInfo],
        rules: dict[str, MaterialRules],
        declared_categories: dict[str, list[str]],
        calibration: dict[str, Any] | None = None,
    ) -> None:
        self.materials = {info.id: info for info in materials}
        self.rules = rules
        self.declared = declared_categories
        self.calibration = calibration or {}

    @hookimpl
    def footprint_materials(self) -> list[MaterialInfo]:
        return list(self.materials.values())

    @hookimpl
    def footprint_material_rules(self, material_id: str) -> MaterialRules | None:
        return self.rules.get(material_id)

    @hookimpl
    def footprint_declared_categories(self, material_id: str) -> list[str] | None:
        return self.declared.get(material_id)

    @hookimpl
    def footprint_class_table(self, material_id: str, on_date: dt.date) -> Any | None:
        """The shipped class table in force (provisional until calibrated on declarations)."""
        if material_id not in self.materials:
            return None
        from footprint.classes import NoTableInForce, table_in_force

        try:
            return table_in_force(material_id, on_date)
        except NoTableInForce:
            return None

    @hookimpl
    def footprint_calibration_settings(self, material_id: str) -> Any | None:
        return self.calibration.get(material_id)
