"""Aluminium (Annex I: bauxite, alumina and aluminium): unwrought aluminium ingot, primary and from scrap."""

from __future__ import annotations

from footprint.rules import CarbonContent, MaterialInfo, MaterialRules, PublishedFootprint
from footprint.study import Stage

from ._base import MaterialPlugin

EUROPEAN_ALUMINIUM_2018 = (
    "European Aluminium, Environmental Profile Report 2018 (2015 data), key findings as published on "
    "european-aluminium.eu/resource-hub/environmental-profile-report-2018 (stored copy)"
)

plugin = MaterialPlugin(
    materials=[
        MaterialInfo(
            id="aluminium",
            name="Aluminium, unwrought, not alloyed (ingot)",
            cn_code="7601 10 00",
            grade="unalloyed ingot, >= 99.7 % Al (P1020-type)",
            routes=["primary", "secondary"],
            carbon_content=CarbonContent(
                fossil_kg_per_kg=0.0,
                biogenic_kg_per_kg=0.0,
                source="derived: the element Al holds no carbon; the grade is >= 99.7 % Al; carbon in the <= 0.3 % impurities (Fe, Si) is taken as zero (assumption)",
                assumption=True,
            ),
        )
    ],
    rules={
        "aluminium": MaterialRules(
            id="aluminium",
            rules_version="2026.12-draft",
            routes=["primary", "secondary"],
            # Primary: bauxite mining (extraction), Bayer refining to alumina (concentration),
            # anode production, Hall-Heroult electrolysis and casting (refining).
            stages={"primary": [Stage.extraction, Stage.concentration, Stage.refining], "secondary": [Stage.recycling]},
            # The alumina refinery and the smelter carry almost the whole footprint and are run by
            # the operator (Annex V Part VI); for remelters, the melting furnace.
            company_specific_categories={"primary": ["1(f)", "1(g)"], "secondary": ["2(e)"]},
            cutoff_limit=0.03,
            # The example chains make one product per process; the rules fix mass allocation for
            # any co-product (dross, anode butts sold outside) so results do not move with prices.
            allocation="mass",
            secondary_model="cut-off",
            # Re-run after the issue-17 coverage work on the aluminium examples (bauxite-mine land and water
            # phosphate, remelter land): the selection did not change.
            category_basis=(
                "Hotspot analysis (Annex V Part V, footprint.hotspots) of inventories/examples/aluminium-primary-au-cn.toml, "
                "aluminium-primary-br-no.toml and aluminium-secondary-de.toml, united, on the footprint-starter background of "
                "December 2026, in which all 16 EF 3.1 categories carry data and the bauxite mine's land occupation and "
                "transformation (IAI world average; Hydro Paragominas), its mine-water phosphate (USLCI 'Bauxite, at mine') and "
                "the remelter's land (Novelis Nachterstedt proxy) are included. The selection is the same as in the analysis of "
                "issue 20, in which land use and freshwater eutrophication read zero: each newly backed category stays below "
                "0.1 % of the weighted total (largest: land use, about 0.04 %). Ionising radiation remains underestimated (the "
                "nuclear fuel chain is not modelled; see the examples' not_modelled lists), so a study with measured "
                "radionuclide releases, bauxite-residue areas or PAH emissions must re-run the analysis."
            ),
            published_footprints=[
                PublishedFootprint(
                    route="primary, China (coal-based grid)",
                    low_kg_co2e=20.0,
                    high_kg_co2e=20.0,
                    source=EUROPEAN_ALUMINIUM_2018 + ": 'a Chinese average of 20 kg CO2e per kg' of primary aluminium",
                ),
                PublishedFootprint(
                    route="primary, Norway (hydropower), Hydro REDUXA",
                    low_kg_co2e=4.0,
                    high_kg_co2e=4.0,
                    source=(
                        "Norsk Hydro, 'Green claims explained' (hydro.com/en/global/sustainability/our-approach/green-claims-explained, "
                        "stored copy): Hydro's low-carbon primary aluminium (REDUXA) below 4 kg CO2e per kg, cradle to gate "
                        "(scope 1, 2 and scope 3 categories 1, 3 and 4, measured at the smelter casthouse)"
                    ),
                ),
                PublishedFootprint(
                    # An upper bound ("at most 5 % of primary"): a remelter below half of it is not off the mark.
                    route="secondary, remelted scrap (cut-off), upper bound",
                    low_kg_co2e=15.1,
                    high_kg_co2e=15.1,
                    source=(
                        "IAI global average GHG intensity of primary aluminium 2022, 15.1 t CO2e per t (IAI data release, as reported by "
                        "aluminiumtoday.com and aluminium.org.au, Feb 2024); IAI, 'Global improvement' "
                        "(greenbuilding.world-aluminium.org/facts/global-improvement.html): recycling needs only 5 % of the energy of "
                        "primary production and avoids over 95 % of its emissions"
                    ),
                    basis="1 kg primary aluminium, global average 2022",
                    per_declared_unit=0.05,
                    conversion=(
                        "derived: recycled aluminium emits at most 5 % of primary aluminium (IAI: recycling avoids over 95 % of the "
                        "emissions), so 0.05 x 15.1 = 0.755 kg CO2e per kg is an upper bound for remelted ingot; no per-kg published "
                        "value for remelted ingot alone could be read"
                    ),
                ),
            ],
            sources=[
                "International Aluminium Institute 2017, Life Cycle Inventory Data and Environmental Metrics for the Primary "
                "Aluminium Industry, 2015 data",
                EUROPEAN_ALUMINIUM_2018,
            ],
        )
    },
    declared_categories={
        # Hotspot analyses (Annex V Part V) of the three aluminium examples, united (re-run December 2026 with the
        # mine land and phosphate backed: unchanged, see category_basis).
        "aluminium": [
            "climate change", "particulate matter formation", "acidification", "water use", "energy resources: non-renewable",
        ],
    },
)
