"""Lithium (battery grade): lithium carbonate and lithium hydroxide monohydrate."""

from __future__ import annotations

from footprint.rules import CarbonContent, MaterialInfo, MaterialRules, PublishedFootprint
from footprint.study import Stage

from ._base import MaterialPlugin

RULES_VERSION = "2026.11-draft"
ISTRATE = (
    "Istrate R. et al. 2024, Joule, 'Decarbonizing lithium-ion battery primary raw materials supply chain' "
    "(data: github.com/robyistrate/decarbonization_LIB_raw_materials)"
)


def _rules(material_id: str, footprints: list[PublishedFootprint]) -> MaterialRules:
    return MaterialRules(
        id=material_id,
        rules_version=RULES_VERSION,
        routes=["primary"],
        stages={"primary": [Stage.extraction, Stage.concentration, Stage.refining]},
        # Evaporation ponds or ore concentration and the refinery are run by the operator:
        # Annex V Part VI asks company-specific data where its influence is direct.
        company_specific_categories={"primary": ["1(e)", "1(j)"]},
        cutoff_limit=0.03,
        allocation="economic",
        published_footprints=footprints,
        sources=[ISTRATE],
    )


plugin = MaterialPlugin(
    materials=[
        MaterialInfo(
            id="lithium-carbonate",
            name="Lithium carbonate, battery grade",
            cn_code="2836 91 00",
            grade="battery grade (Li2CO3 >= 99.5 %)",
            routes=["primary"],
            carbon_content=CarbonContent(
                fossil_kg_per_kg=0.16255684,
                biogenic_kg_per_kg=0.0,
                source="derived: 12.011 / 73.888 kg C per kg Li2CO3 (IUPAC/CIAAW standard atomic weights 2021 (abridged: C 12.011, O 15.999, Li 6.94, H 1.008)); the carbonate carbon comes from soda ash (mineral), reported as fossil; the pure compound is assumed (grade >= 99.5 % Li2CO3, impurities carbon-free)",
                assumption=True,
            ),
        ),
        MaterialInfo(
            id="lithium-hydroxide",
            name="Lithium hydroxide monohydrate, battery grade",
            cn_code="2825 20 00",
            grade="battery grade (LiOH.H2O >= 56.5 % LiOH)",
            routes=["primary"],
            carbon_content=CarbonContent(
                fossil_kg_per_kg=0.0,
                biogenic_kg_per_kg=0.0,
                source="derived: the formula LiOH.H2O holds no carbon; carbonate impurities (not given by the grade) are taken as zero (assumption)",
                assumption=True,
            ),
        ),
    ],
    rules={
        "lithium-carbonate": _rules(
            "lithium-carbonate",
            [
                PublishedFootprint(route="brine, Salar de Atacama (CL)", low_kg_co2e=3.6, high_kg_co2e=3.6, source=ISTRATE),
                PublishedFootprint(route="spodumene (AU) refined in CN", low_kg_co2e=24.0, high_kg_co2e=24.0, source=ISTRATE),
            ],
        ),
        "lithium-hydroxide": _rules(
            "lithium-hydroxide",
            [
                PublishedFootprint(
                    route="spodumene (AU) refined in CN",
                    low_kg_co2e=17.24,
                    high_kg_co2e=17.24,
                    source=ISTRATE + ", fig2_total_ghgs_30-07-2024.csv (lithium hydroxide, battery grade)",
                ),
            ],
        ),
    },
    declared_categories={
        # Hotspot analysis (Annex V Part V) of inventories/examples/lithium-carbonate-brine-cl.toml.
        "lithium-carbonate": ["climate change", "energy resources: non-renewable", "water use"],
        # Hotspot analysis of inventories/examples/lithium-hydroxide-spodumene-au-cn.toml.
        "lithium-hydroxide": [
            "particulate matter formation", "climate change", "acidification", "energy resources: non-renewable",
        ],
    },
)
