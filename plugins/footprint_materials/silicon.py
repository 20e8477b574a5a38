"""Silicon metal (Annex I strategic raw material): metallurgical-grade silicon from quartz."""

from __future__ import annotations

from footprint.rules import CarbonContent, MaterialInfo, MaterialRules, PublishedFootprint
from footprint.study import Stage

from ._base import MaterialPlugin

TEKNISK_UKEBLAD_2021 = (
    "Teknisk Ukeblad, 'Ved a resirkulere avgassene kan CO2-fangst pa silisiumproduksjon bli billigere' (tu.no, June 2021, "
    "stored copy): silicon production emits around five tonnes of CO2 per tonne of silicon"
)

plugin = MaterialPlugin(
    materials=[
        MaterialInfo(
            id="silicon-metal",
            name="Silicon metal, metallurgical grade",
            cn_code="2804 69 00",
            grade="metallurgical grade, about 98.5-99.5 % Si (less than 99.99 %)",
            routes=["primary"],
            carbon_content=CarbonContent(
                fossil_kg_per_kg=0.0,
                biogenic_kg_per_kg=0.0,
                source="derived: the element Si holds no carbon; the carbon impurity of metallurgical silicon (a fraction of the 0.5-1.5 % impurities) is not given by the grade and is taken as zero (assumption)",
                assumption=True,
            ),
        )
    ],
    rules={
        "silicon-metal": MaterialRules(
            id="silicon-metal",
            rules_version="2026.12-draft",
            routes=["primary"],
            # Quartz quarrying (extraction); reduction in the submerged-arc furnace, ladle refining and casting
            # (refining). There is no concentration stage: washed quartz lump goes straight to the furnace.
            stages={"primary": [Stage.extraction, Stage.refining]},
            # The furnace (smelting, 1(g)) carries almost the whole footprint through its electricity and
            # reductant carbon, and the refining and casting (1(j)) are run by the same operator (Annex V Part VI).
            company_specific_categories={"primary": ["1(g)", "1(j)"]},
            cutoff_limit=0.03,
            # Silica fume (microsilica) is sold as a co-product; the rules fix economic allocation so that a
            # smelter that sells it does not shift burden to it by mass (about 0.2-0.4 t per t silicon).
            allocation="economic",
            category_basis=(
                "Hotspot analysis (Annex V Part V, footprint.hotspots) of inventories/examples/silicon-metal-no.toml on the "
                "footprint-starter background of December 2026, all 16 EF 3.1 categories ranked after EF 3.1 normalisation "
                "and weighting: water use (76 % of the weighted total) and climate change reach 80 %, acidification is added "
                "to reach three categories. Water use is the gross reservoir evaporation of Norwegian hydropower "
                "(Mekonnen & Hoekstra 2012, in the starter's hydro dataset), not the smelter's own water; a study with "
                "net-evaporation data for its power supply must re-run the analysis. Mineral resource use reads 0 "
                "(EF 3.1 has no factor for silicon in quartz)."
            ),
            published_footprints=[
                PublishedFootprint(
                    route="Norway, submerged-arc furnace (process CO2 only)",
                    low_kg_co2e=5.0,
                    high_kg_co2e=5.0,
                    source=TEKNISK_UKEBLAD_2021,
                    basis="1 kg silicon, direct CO2 of the furnace (not cradle to gate; fossil and biogenic share not stated)",
                ),
            ],
            sources=[
                "Globe Specialty Metals 2010, investor presentation (charge per t silicon), as reported by guntherportfolio.com",
                "Elkem, 'Hydropower' (11-13 MWh per t silicon)",
                TEKNISK_UKEBLAD_2021,
            ],
        )
    },
    declared_categories={
        # Hotspot analysis (Annex V Part V) of inventories/examples/silicon-metal-no.toml (footprint hotspots).
        "silicon-metal": ["water use", "climate change", "acidification"],
    },
)
