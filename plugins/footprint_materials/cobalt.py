"""Cobalt: cobalt sulfate heptahydrate (Cu-Co co-production in the DRC)."""

from __future__ import annotations

from footprint.rules import MaterialInfo, MaterialRules, PublishedFootprint
from footprint.study import Stage

from ._base import MaterialPlugin

plugin = MaterialPlugin(
    materials=[
        MaterialInfo(
            id="cobalt-sulfate",
            name="Cobalt sulfate heptahydrate, battery grade",
            cn_code="2833 29 30",
            grade="battery grade CoSO4.7H2O (about 21 % Co)",
            routes=["primary", "secondary"],
        )
    ],
    rules={
        "cobalt-sulfate": MaterialRules(
            id="cobalt-sulfate",
            rules_version="2026.11-draft",
            routes=["primary", "secondary"],
            stages={"primary": [Stage.extraction, Stage.concentration, Stage.refining], "secondary": [Stage.recycling]},
            company_specific_categories={"primary": ["1(f)", "1(j)", "1(n)"], "secondary": ["2(d)", "2(g)", "2(k)"]},
            cutoff_limit=0.03,
            allocation="economic",  # cobalt hydroxide vs copper cathode at the DRC plant
            published_footprints=[
                PublishedFootprint(
                    route="DRC Cu-Co ore, hydroxide refined to sulfate in CN",
                    low_kg_co2e=14.99,
                    high_kg_co2e=14.99,
                    source="Istrate R. et al. 2024, Joule; repository robyistrate/decarbonization_LIB_raw_materials, fig2_total_ghgs_30-07-2024.csv",
                )
            ],
        )
    },
    declared_categories={
        # Hotspot analysis of inventories/examples/cobalt-sulfate-drc-cn.toml.
        "cobalt-sulfate": ["material resources: metals/minerals", "water use", "climate change"],
    },
)
