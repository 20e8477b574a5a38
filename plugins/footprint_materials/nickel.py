"""Nickel (battery grade): nickel sulfate hexahydrate."""

from __future__ import annotations

from footprint.rules import CarbonContent, MaterialInfo, MaterialRules, PublishedFootprint
from footprint.study import Stage

from ._base import MaterialPlugin, hotspot_basis

plugin = MaterialPlugin(
    materials=[
        MaterialInfo(
            id="nickel-sulfate",
            name="Nickel sulfate hexahydrate, battery grade",
            cn_code="2833 24 00",
            grade="battery grade NiSO4.6H2O (about 22 % Ni)",
            routes=["primary", "secondary"],
            carbon_content=CarbonContent(
                fossil_kg_per_kg=0.0,
                biogenic_kg_per_kg=0.0,
                source="derived: the formula NiSO4.6H2O holds no carbon; carbon in impurities (not given by the grade) is taken as zero (assumption)",
                assumption=True,
            ),
        )
    ],
    rules={
        "nickel-sulfate": MaterialRules(
            id="nickel-sulfate",
            rules_version="2026.12-draft",
            routes=["primary", "secondary"],
            stages={"primary": [Stage.extraction, Stage.concentration, Stage.refining], "secondary": [Stage.recycling]},
            # Leaching/precipitation, the sulfate refinery and on-site acid plant and power
            # dominate the example's hotspots and are run by the operator.
            company_specific_categories={"primary": ["1(f)", "1(j)", "1(n)"], "secondary": ["2(d)", "2(g)", "2(k)"]},
            cutoff_limit=0.03,
            allocation="economic",  # Ni/Co co-products, as the Nickel and Cobalt Institutes' LCAs do
            # Recycled sulfate (black mass, Annex V Part IV 2): cut-off unless a delegated act selects the CFF.
            secondary_model="cut-off",
            category_basis=hotspot_basis(
                "inventories/examples/nickel-sulfate-hpal-id.toml",
                "human toxicity, non-cancer, about 0.2 %; land use about 0.2 %",
            ),
            published_footprints=[
                PublishedFootprint(
                    route="nickel sulfate, global average (mostly sulfide ore)",
                    low_kg_co2e=5.48,
                    high_kg_co2e=5.48,
                    source="Istrate R. et al. 2024, Joule; repository robyistrate/decarbonization_LIB_raw_materials, fig2_total_ghgs_30-07-2024.csv",
                ),
                PublishedFootprint(
                    route="HPAL (ID), per kg NiSO4.6H2O equivalent (20 t CO2e/t Ni x 0.2233)",
                    low_kg_co2e=4.47,
                    high_kg_co2e=4.47,
                    source="DNV 2024, 'Decarbonizing the nickel industry in Indonesia', executive summary (20 t CO2e/t Ni HPAL)",
                ),
            ],
        )
    },
    declared_categories={
        # Hotspot analyses of inventories/examples/nickel-sulfate-hpal-id.toml and nickel-sulfate-recycled-de.toml
        # (both select the same four).
        "nickel-sulfate": ["climate change", "particulate matter formation", "acidification", "energy resources: non-renewable"],
    },
)
