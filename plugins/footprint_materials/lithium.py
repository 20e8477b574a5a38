"""Lithium (battery grade): lithium carbonate and lithium hydroxide monohydrate."""

from __future__ import annotations

from footprint.rules import MaterialInfo, MaterialRules, PublishedFootprint
from footprint.study import Stage

from ._base import MaterialPlugin, hotspot_basis

RULES_VERSION = "2026.12-draft"
ISTRATE = (
    "Istrate R. et al. 2024, Joule, 'Decarbonizing lithium-ion battery primary raw materials supply chain' "
    "(data: github.com/robyistrate/decarbonization_LIB_raw_materials)"
)


def _rules(material_id: str, footprints: list[PublishedFootprint], basis: str) -> MaterialRules:
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
        category_basis=basis,
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
        ),
        MaterialInfo(
            id="lithium-hydroxide",
            name="Lithium hydroxide monohydrate, battery grade",
            cn_code="2825 20 00",
            grade="battery grade (LiOH.H2O >= 56.5 % LiOH)",
            routes=["primary"],
        ),
    ],
    rules={
        "lithium-carbonate": _rules(
            "lithium-carbonate",
            [
                PublishedFootprint(route="brine, Salar de Atacama (CL)", low_kg_co2e=3.6, high_kg_co2e=3.6, source=ISTRATE),
                PublishedFootprint(route="spodumene (AU) refined in CN", low_kg_co2e=24.0, high_kg_co2e=24.0, source=ISTRATE),
            ],
            hotspot_basis("inventories/examples/lithium-carbonate-brine-cl.toml", "human toxicity, non-cancer, about 0.07 %"),
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
            hotspot_basis("inventories/examples/lithium-hydroxide-spodumene-au-cn.toml", "human toxicity, non-cancer, about 0.3 %"),
        ),
    },
    declared_categories={
        # Hotspot analysis (Annex V Part V; re-run December 2026: unchanged, see category_basis) of inventories/examples/lithium-carbonate-brine-cl.toml.
        "lithium-carbonate": ["climate change", "energy resources: non-renewable", "water use"],
        # Hotspot analysis (re-run December 2026 with all 16 categories backed: unchanged, see category_basis) of inventories/examples/lithium-hydroxide-spodumene-au-cn.toml.
        "lithium-hydroxide": [
            "particulate matter formation", "climate change", "acidification", "energy resources: non-renewable",
        ],
    },
)
