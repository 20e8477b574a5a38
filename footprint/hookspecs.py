"""Hook specifications a plugin implements (entry-point group `footprint.materials`).

Material rules (Art. 31) and magnet rules (Art. 29(2)) are hooks of the one plugin manager: a
plugin may implement either or both (the built-in `footprint_materials.magnets` implements the
magnet hooks).

Built-in materials in `plugins/footprint_materials` implement them through the same entry
points a third-party package would use. Every hook that takes a material id returns None for
materials the plugin does not provide, so several plugins can live side by side.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from .magnets.rules import MagnetRules
    from .rules import MaterialInfo, MaterialRules

PROJECT = "footprint"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def footprint_materials() -> list["MaterialInfo"]:
    """The materials this plugin provides (id, name, CN code, grade, routes)."""


@hookspec(firstresult=True)
def footprint_material_rules(material_id: str) -> "MaterialRules | None":
    """Calculation rules for a material: declared unit, stages, company-specific data, cut-off, allocation."""


@hookspec(firstresult=True)
def footprint_declared_categories(material_id: str) -> "list[str] | None":
    """The EF 3.1 categories the material declares (chosen by hotspot analysis, Annex V Part V)."""


@hookspec(firstresult=True)
def footprint_class_table(material_id: str, on_date: dt.date) -> "Any | None":
    """The performance-class table (footprint.classes.ClassTable) in force on a date, or None."""


@hookspec(firstresult=True)
def footprint_calibration_settings(material_id: str) -> "Any | None":
    """How the material's classes are calibrated (footprint.classes.CalibrationSettings), or None."""


# --- permanent magnets (Art. 29(2) rules), answered by the same plugins ------------------------


@hookspec
def footprint_magnet_rule_sets() -> "list[MagnetRules]":
    """Every magnet rule set this plugin ships, each version (verify finds a declaration's rules by id and version)."""


@hookspec(firstresult=True)
def footprint_magnet_rules(product_group: str, on_date: dt.date) -> "MagnetRules | None":
    """The rules in force for a product group of Art. 28(1) on a date, or None if the plugin has none."""
