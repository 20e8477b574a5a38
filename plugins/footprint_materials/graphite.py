"""Natural graphite, battery grade (spherical, purified, carbon-coated anode material)."""

from __future__ import annotations

from footprint.rules import CarbonContent, MaterialInfo, MaterialRules, PublishedFootprint
from footprint.study import Stage

from ._base import MaterialPlugin, hotspot_basis

plugin = MaterialPlugin(
    materials=[
        MaterialInfo(
            id="graphite-natural",
            name="Natural graphite, spherical, purified and carbon-coated, battery grade",
            cn_code="2504 10 00",
            grade="battery grade spherical graphite (>= 99.95 % C)",
            routes=["primary"],
            carbon_content=CarbonContent(
                fossil_kg_per_kg=0.9995,
                biogenic_kg_per_kg=0.0,
                source="grade minimum: battery grade spherical graphite >= 99.95 % C, taken at the minimum; the natural graphite core is mineral carbon and the coating comes from coal-tar pitch, so all of it is non-biogenic, reported as fossil (assumption: PACT knows only fossil and biogenic carbon)",
                assumption=True,
            ),
        )
    ],
    rules={
        "graphite-natural": MaterialRules(
            id="graphite-natural",
            rules_version="2026.12-draft",
            routes=["primary"],
            stages={"primary": [Stage.extraction, Stage.concentration, Stage.refining]},
            company_specific_categories={"primary": ["1(e)", "1(j)"]},
            cutoff_limit=0.03,
            allocation="economic",  # spherical product vs fines from spheronisation
            category_basis=hotspot_basis(
                "inventories/examples/graphite-natural-spherical-mz-cn.toml",
                "human toxicity, non-cancer, about 0.2 %",
            ),
            published_footprints=[
                PublishedFootprint(
                    route="natural battery graphite, spherical, purified and carbon-coated in CN (coating included)",
                    low_kg_co2e=10.6,
                    high_kg_co2e=10.6,
                    source="Istrate R. et al. 2024, Joule; repository robyistrate/decarbonization_LIB_raw_materials",
                )
            ],
        )
    },
    declared_categories={
        # Hotspot analysis (re-run December 2026 with all 16 categories backed: unchanged, see category_basis) of inventories/examples/graphite-natural-spherical-mz-cn.toml.
        "graphite-natural": [
            "climate change", "particulate matter formation", "acidification", "energy resources: non-renewable", "water use",
        ],
    },
)
