"""Cobalt: cobalt sulfate heptahydrate (Cu-Co co-production in the DRC)."""

from __future__ import annotations

from footprint.rules import CarbonContent, MaterialInfo, MaterialRules, PublishedFootprint
from footprint.study import Stage

from ._base import MaterialPlugin, hotspot_basis

plugin = MaterialPlugin(
    materials=[
        MaterialInfo(
            id="cobalt-sulfate",
            name="Cobalt sulfate heptahydrate, battery grade",
            cn_code="2833 29 30",
            grade="battery grade CoSO4.7H2O (about 21 % Co)",
            routes=["primary", "secondary"],
            carbon_content=CarbonContent(
                fossil_kg_per_kg=0.0,
                biogenic_kg_per_kg=0.0,
                source="derived: the formula CoSO4.7H2O holds no carbon; carbon in impurities (not given by the grade) is taken as zero (assumption)",
                assumption=True,
            ),
        )
    ],
    rules={
        "cobalt-sulfate": MaterialRules(
            id="cobalt-sulfate",
            rules_version="2026.12-draft",
            routes=["primary", "secondary"],
            stages={"primary": [Stage.extraction, Stage.concentration, Stage.refining], "secondary": [Stage.recycling]},
            company_specific_categories={"primary": ["1(f)", "1(j)", "1(n)"], "secondary": ["2(d)", "2(g)", "2(k)"]},
            cutoff_limit=0.03,
            allocation="economic",  # cobalt hydroxide vs copper cathode at the DRC plant
            # Recycled sulfate (black mass, Annex V Part IV 2): cut-off unless a delegated act selects the CFF.
            secondary_model="cut-off",
            category_basis=hotspot_basis(
                "inventories/examples/cobalt-sulfate-drc-cn.toml",
                "land use, about 0.04 %",
            ),
            published_footprints=[
                PublishedFootprint(
                    route="DRC Cu-Co ore, hydroxide refined to sulfate in CN",
                    # The same authors' model on two ecoinvent versions: 12.78 with 3.9.1, 14.99 with 3.10.
                    low_kg_co2e=12.78,
                    high_kg_co2e=14.99,
                    source=(
                        "Istrate R. et al. 2024, Joule; repository robyistrate/decarbonization_LIB_raw_materials: "
                        "data/results/fig1_total_ghgs_06-02-2024.csv (12.78, ecoinvent 3.9.1) and "
                        "data/results/fig2_total_ghgs_30-07-2024.csv (14.99, ecoinvent 3.10), economic allocation"
                    ),
                    basis="1 kg cobalt sulfate at 0.38 kg Co per kg (anhydrous CoSO4, 0.3802 kg Co per kg)",
                    per_declared_unit=0.20966 / 0.38,
                    conversion=(
                        "derived: Istrate's refinery draws 1.0868 kg (3.9.1 run) or 1.1 kg (3.10 run) crude cobalt hydroxide "
                        "per kg product (analysis/01_ghg_breakdown_metals.ipynb), the Dai, Kelly & Elgowainy 2018 GREET "
                        "inventory as tabulated in github polca/premise lci-cobalt.xlsx, whose cobalt sulfate datasets are "
                        "Dai's per-kg-Co values x 0.38 kg Co per kg CoSO4 (stated in that sheet); at 35 % Co in the hydroxide "
                        "that is 0.38 kg Co per kg, i.e. anhydrous CoSO4 (the 3.9.1 run's 80.42 kg ore at 0.47 % Co, Dai's "
                        "grade, holds 0.378 kg Co: the same basis; notebook at commits 24c8895 and 359e93e). Per kg CoSO4.7H2O (58.933/281.094 = 0.20966 kg Co, "
                        "IUPAC atomic weights) the values scale by 0.20966/0.38 = 0.5517: 7.05 and 8.27. The basis is our "
                        "inference; the repository does not state the hydrate form"
                    ),
                )
            ],
        )
    },
    declared_categories={
        # Hotspot analyses of inventories/examples/cobalt-sulfate-drc-cn.toml and cobalt-sulfate-recycled-de.toml, united.
        "cobalt-sulfate": [
            "material resources: metals/minerals", "water use", "climate change", "energy resources: non-renewable",
            "acidification", "particulate matter formation",
        ],
    },
)
