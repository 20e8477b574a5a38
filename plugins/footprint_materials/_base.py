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


def hotspot_basis(example: str, largest_new: str) -> str:
    """Why a material declares what it declares: the hotspot run its list comes from (Annex V Part V)."""
    return (
        f"Hotspot analysis (Annex V Part V, footprint.hotspots) of {example} on the footprint-starter background of "
        "December 2026, in which all 16 EF 3.1 categories carry data (issue 17: heavy metals and ozone-depleting "
        "substances from fuel combustion, Ra-226 in oil and gas produced water, mine land occupation and transformation, "
        "mine-water phosphate). The selection is the same as in the November 2026 analysis, whose data left five "
        "categories at zero: each newly backed category stays below 0.5 % of the weighted total "
        f"(largest: {largest_new}). Ionising radiation remains underestimated (the nuclear fuel chain is not modelled; "
        "see the example's not_modelled list), so a study with measured radionuclide releases must re-run the analysis."
    )
