"""Rare earths for permanent magnets: NdPr oxide (separation co-products allocated)."""

from __future__ import annotations

from footprint.rules import MaterialInfo, MaterialRules
from footprint.study import Stage

from ._base import MaterialPlugin

plugin = MaterialPlugin(
    materials=[
        MaterialInfo(
            id="ndpr-oxide",
            name="Neodymium-praseodymium oxide (NdPr oxide)",
            cn_code="2846 90",
            grade="NdPr oxide, >= 99 % TREO, Nd2O3/Pr6O11 about 75/25",
            routes=["primary"],
        )
    ],
    rules={
        "ndpr-oxide": MaterialRules(
            id="ndpr-oxide",
            rules_version="2026.11-draft",
            routes=["primary"],
            stages={"primary": [Stage.extraction, Stage.concentration, Stage.refining]},
            # A separator buying concentrate controls roasting/leaching and separation.
            company_specific_categories={"primary": ["1(f)", "1(j)"]},
            cutoff_limit=0.03,
            # Koltun & Tharumarajah 2014 (ISRN Metallurgy 2014:907536) allocate Bayan Obo
            # co-products by economic value.
            allocation="economic",
            sources=["Koltun P., Tharumarajah A. 2014, ISRN Metallurgy 2014:907536"],
        )
    },
    declared_categories={
        # Hotspot analysis of inventories/examples/ndpr-oxide-bayan-obo-cn.toml.
        "ndpr-oxide": [
            "climate change", "particulate matter formation", "acidification", "water use", "energy resources: non-renewable",
        ],
    },
)
