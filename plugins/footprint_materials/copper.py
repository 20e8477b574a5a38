"""Copper: grade A copper cathode, primary (pyrometallurgical) and secondary (from scrap)."""

from __future__ import annotations

from footprint.rules import CarbonContent, MaterialInfo, MaterialRules, PublishedFootprint
from footprint.study import Stage

from ._base import MaterialPlugin, hotspot_basis

plugin = MaterialPlugin(
    materials=[
        MaterialInfo(
            id="copper-cathode",
            name="Copper cathode, grade A",
            cn_code="7403 11 00",
            grade="grade A cathode (Cu-CATH-1, 99.99 % Cu)",
            routes=["primary", "secondary"],
            carbon_content=CarbonContent(
                fossil_kg_per_kg=0.0,
                biogenic_kg_per_kg=0.0,
                source="derived: the formula Cu holds no carbon; grade A cathode is 99.99 % Cu; carbon in the 0.01 % impurities is taken as zero (assumption)",
                assumption=True,
            ),
        )
    ],
    rules={
        "copper-cathode": MaterialRules(
            id="copper-cathode",
            rules_version="2026.12-draft",
            routes=["primary", "secondary"],
            stages={"primary": [Stage.extraction, Stage.concentration, Stage.refining], "secondary": [Stage.recycling]},
            company_specific_categories={"primary": ["1(e)", "1(g)", "1(k)"], "secondary": ["2(e)", "2(g)", "2(h)"]},
            cutoff_limit=0.03,
            # Sulfuric acid from smelter off-gas is a co-product; by mass it would carry most
            # of the smelter's burden, which misrepresents why the smelter runs.
            allocation="economic",
            secondary_model="cut-off",
            category_basis=hotspot_basis(
                "inventories/examples/copper-cathode-pyro-cl.toml and inventories/examples/copper-cathode-secondary-de.toml (united)",
                "human toxicity, non-cancer, about 0.2 % in the secondary example",
            ),
            published_footprints=[
                PublishedFootprint(
                    route="primary cathode, global average",
                    low_kg_co2e=4.1,
                    high_kg_co2e=4.1,
                    source="International Copper Association global average, 4.1 t CO2/t cathode, as quoted by Reuters (E. Onstad, March 2022, via mining.com); "
                    "Fastmarkets quotes 4.6 t CO2/t for ICA/Copper Alliance data including transport and end of life",
                ),
                PublishedFootprint(
                    route="secondary cathode from scrap (AT)",
                    low_kg_co2e=0.739,
                    high_kg_co2e=0.739,
                    source="Montanwerke Brixlegg product carbon footprint, 0.739 t CO2/t cathode (scope 1-3), as quoted by Reuters (March 2022, via mining.com)",
                ),
            ],
        )
    },
    declared_categories={
        # Hotspot analyses of the primary and secondary examples, united (re-run December 2026: unchanged, see category_basis).
        "copper-cathode": [
            "material resources: metals/minerals", "acidification", "water use", "climate change",
            "energy resources: non-renewable",
        ],
    },
)
