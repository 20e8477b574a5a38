"""Rare earths for permanent magnets: NdPr oxide (separation co-products allocated)."""

from __future__ import annotations

from footprint.rules import CarbonContent, MaterialInfo, MaterialRules, PublishedFootprint
from footprint.study import Stage

from ._base import MaterialPlugin, hotspot_basis

plugin = MaterialPlugin(
    materials=[
        MaterialInfo(
            id="ndpr-oxide",
            name="Neodymium-praseodymium oxide (NdPr oxide)",
            cn_code="2846 90",
            grade="NdPr oxide, >= 99 % TREO, Nd2O3/Pr6O11 about 75/25",
            routes=["primary"],
            carbon_content=CarbonContent(
                fossil_kg_per_kg=0.0,
                biogenic_kg_per_kg=0.0,
                source="derived: the formula Nd2O3/Pr6O11 holds no carbon; carbon in impurities (at most 1 % non-REO per the grade) is taken as zero (assumption)",
                assumption=True,
            ),
        )
    ],
    rules={
        "ndpr-oxide": MaterialRules(
            id="ndpr-oxide",
            rules_version="2026.12-draft",
            routes=["primary"],
            stages={"primary": [Stage.extraction, Stage.concentration, Stage.refining]},
            # A separator buying concentrate controls roasting/leaching and separation.
            company_specific_categories={"primary": ["1(f)", "1(j)"]},
            cutoff_limit=0.03,
            # Koltun & Tharumarajah 2014 (ISRN Metallurgy 2014:907536) allocate Bayan Obo
            # co-products by economic value.
            allocation="economic",
            sources=["Koltun P., Tharumarajah A. 2014, ISRN Metallurgy 2014:907536"],
            # No Bayan Obo NdPr oxide value could be read (Koltun & Tharumarajah 2014, Lee & Wen 2017 and
            # Bailey et al. 2020 give per-oxide tables that were out of reach); the nearest verified figure
            # is for mixed oxides from the other Chinese route, so it checks magnitude, not the route.
            category_basis=hotspot_basis(
                "inventories/examples/ndpr-oxide-bayan-obo-cn.toml",
                "land use (the Baotou tailings pond), about 0.5 %",
            ),
            published_footprints=[
                PublishedFootprint(
                    route="China, mixed rare-earth oxides from ion-adsorption clays (nearest verified figure)",
                    low_kg_co2e=17.8,
                    high_kg_co2e=24.3,
                    source=(
                        "LCA-Based Carbon Footprint Accounting of Mixed Rare Earth Oxides Production from Ionic Rare "
                        "Earths, Processes 2022, 10(7):1354, doi:10.3390/pr10071354, abstract (17.8-24.3 kg CO2 eq per kg, "
                        "uncertainty 15.54 %)"
                    ),
                    basis="1 kg mixed rare-earth oxides (not separated NdPr oxide; no allocation stated)",
                )
            ],
        )
    },
    declared_categories={
        # Hotspot analysis (re-run December 2026 with all 16 categories backed: unchanged, see category_basis) of inventories/examples/ndpr-oxide-bayan-obo-cn.toml.
        "ndpr-oxide": [
            "climate change", "particulate matter formation", "acidification", "water use", "energy resources: non-renewable",
        ],
    },
)
