"""Lithium (battery grade): lithium carbonate and lithium hydroxide monohydrate."""

from __future__ import annotations

from footprint.hookspecs import hookimpl
from footprint.rules import MaterialInfo, MaterialRules, PublishedFootprint
from footprint.study import Stage

RULES_VERSION = "2026.11-draft"
PRIMARY = [Stage.extraction, Stage.concentration, Stage.refining]

MATERIALS = {
    "lithium-carbonate": MaterialInfo(
        id="lithium-carbonate",
        name="Lithium carbonate, battery grade",
        cn_code="2836 91 00",
        grade="battery grade (Li2CO3 >= 99.5 %)",
        routes=["primary"],
    ),
    "lithium-hydroxide": MaterialInfo(
        id="lithium-hydroxide",
        name="Lithium hydroxide monohydrate, battery grade",
        cn_code="2825 20 00",
        grade="battery grade (LiOH.H2O >= 56.5 % LiOH)",
        routes=["primary"],
    ),
}


def _rules(material_id: str) -> MaterialRules:
    return MaterialRules(
        id=material_id,
        rules_version=RULES_VERSION,
        declared_unit_kg=1.0,
        routes=["primary"],
        stages={"primary": PRIMARY},
        # Brine pumping, evaporation ponds / ore concentration and the refinery are run by the
        # operator: Annex V Part VI asks company-specific data where its influence is direct.
        company_specific_categories={"primary": ["1(e)", "1(f)", "1(j)"]},
        cutoff_limit=0.03,
        allocation="mass",
        published_footprints=[
            PublishedFootprint(
                route="brine (Salar de Atacama, CL)",
                low_kg_co2e=2.0,
                high_kg_co2e=5.0,
                source="Istrate et al. 2024, Joule (3.6 kg CO2e/kg Li2CO3, Atacama brine); range = published value "
                "-45 %/+40 % (assumption: spread of brine-route results to be replaced by cited ranges)",
            ),
            PublishedFootprint(
                route="spodumene (AU) refined in CN",
                low_kg_co2e=12.0,
                high_kg_co2e=30.0,
                source="Istrate et al. 2024, Joule (24 kg CO2e/kg Li2CO3 from Australian spodumene refined in China); "
                "range = published value -50 %/+25 % (assumption, to be replaced by cited ranges)",
            ),
        ],
    )


@hookimpl
def footprint_materials() -> list[MaterialInfo]:
    return list(MATERIALS.values())


@hookimpl
def footprint_material_rules(material_id: str) -> MaterialRules | None:
    return _rules(material_id) if material_id in MATERIALS else None
