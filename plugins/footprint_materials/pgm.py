"""Platinum-group metals: refined platinum from a PGM concentrate route, co-products allocated by value."""

from __future__ import annotations

from footprint.rules import CarbonContent, MaterialInfo, MaterialRules, Price, PublishedFootprint
from footprint.study import Stage

from ._base import MaterialPlugin

ARGUS_2021 = (
    "Argus Media, 'Rhodium prices recoup recent losses' (argusmedia.com, latest market news 2198242, March 2021, stored copy), "
    "quoting Johnson Matthey base prices: platinum (min 99.95 %) 1,218 USD per troy oz, palladium (min 99.95 %) 2,708 USD per "
    "troy oz at the end of the week; rhodium back in line with its early-March record high of 29,200 USD per troy oz"
)
TROY_OZ = "Johnson Matthey, 'FAQs' (matthey.com, PGM management): 32.1507 troy oz = 1 kg"
USD_PER_EUR = "1.0813 USD per EUR (ECB 2023 annual average, as used in the project's cobalt and nickel examples; the rate cancels in the allocation, which uses only price ratios)"
BUCHSPIES_2017 = (
    "Buchspies B., Thormann L., Mbohwa C., Kaltschmitt M. 2017, 'PGE Production in Southern Africa, Part II: Environmental "
    "Aspects', Minerals 7(11):225, doi:10.3390/min7110225, abstract: 45 t CO2-eq. and 502 kg SO2 per kg 6E PGE in 2015; "
    "more than 90 % of the GHG from electricity provision; CEDfossil 0.60 TJ per kg 6E; water withdrawal 0.272 million litres per kg 6E"
)

PRICES = [
    Price(product="platinum sponge", eur_per_kg=36215.3, source=f"derived: 1,218 USD per troy oz ({ARGUS_2021}) x 32.1507 troy oz per kg ({TROY_OZ}) / {USD_PER_EUR}"),
    Price(product="palladium sponge", eur_per_kg=80518.0, source=f"derived: 2,708 USD per troy oz ({ARGUS_2021}) x 32.1507 troy oz per kg / {USD_PER_EUR}"),
    Price(product="rhodium sponge", eur_per_kg=868214.6, source=f"derived: 29,200 USD per troy oz ({ARGUS_2021}) x 32.1507 troy oz per kg / {USD_PER_EUR}"),
    Price(
        product="nickel cathode",
        eur_per_kg=19.883,
        source=(
            "derived: about 21,500 USD per t nickel (LME cash, 2023 annual average, rounded; World Bank Commodity Price Data, as "
            f"used in the project's nickel example) / {USD_PER_EUR}; another year than the PGM prices (no 2021 nickel price was "
            "read): nickel is about 2 % of the value, so the mismatch moves platinum's share by well under 1 %"
        ),
    ),
]

plugin = MaterialPlugin(
    materials=[
        MaterialInfo(
            id="platinum",
            name="Platinum, unwrought or in powder form (sponge), from primary PGM production",
            cn_code="7110 11 00",
            grade="platinum sponge, min 99.95 % Pt",
            routes=["primary"],
            carbon_content=CarbonContent(
                fossil_kg_per_kg=0.0,
                biogenic_kg_per_kg=0.0,
                source="derived: the element Pt holds no carbon; the grade is >= 99.95 % Pt, so carbon in the impurities is taken as zero (assumption)",
                assumption=True,
            ),
        )
    ],
    rules={
        "platinum": MaterialRules(
            id="platinum",
            rules_version="2026.12-draft",
            routes=["primary"],
            # Mining (extraction), concentrating to a flotation concentrate (concentration), smelting and
            # converting to matte, base- and precious-metal refining (refining).
            stages={"primary": [Stage.extraction, Stage.concentration, Stage.refining]},
            # Concentrator, smelter and refineries carry most of the electricity; a PGM producer runs all three
            # (Annex V Part VI). A refiner buying matte would still report 1(g) and 1(j) from its own sites.
            company_specific_categories={"primary": ["1(e)", "1(g)", "1(j)"]},
            cutoff_limit=0.03,
            # PGM mines make up to eight valuable metals at once, in ratios no operator can steer: the rules
            # allocate by value (as the IPA's PGM LCA does), with these prices unless the study gives its own.
            allocation="economic",
            prices=PRICES,
            category_basis=(
                "Hotspot analysis (Annex V Part V, footprint.hotspots) of inventories/examples/platinum-bushveld-za.toml on the "
                "footprint-starter background of December 2026, all 16 EF 3.1 categories ranked after EF 3.1 normalisation "
                "and weighting; declared are the categories within the cumulative 80 % of the weighted total, plus climate "
                "change. Mineral resource use ranks high because EF 3.1 characterises platinum and palladium in ground; "
                "rhodium, ruthenium and iridium carry no factor. Ionising radiation is underestimated (see the example's "
                "not_modelled list)."
            ),
            published_footprints=[
                PublishedFootprint(
                    route="Southern Africa, primary 6E PGM 2015 (consistency check: same study as the example's energy)",
                    low_kg_co2e=45000.0,
                    high_kg_co2e=45000.0,
                    source=BUCHSPIES_2017,
                    basis="1 kg 6E PGE (Pt + Pd + Rh + Ru + Ir + Au), no allocation among the metals",
                    per_declared_unit=0.3582,
                    conversion=(
                        "derived: per kg 6E the example refines 0.5013 kg Pt, 0.2942 kg Pd, 0.0655 kg Rh and 119.9 kg Ni; at the "
                        "rules' prices platinum holds 17.96 % of their value, so 1 kg platinum carries 0.1796 / 0.5013 = 0.3582 "
                        "times the burden of 1 kg 6E: 45 t x 0.3582 = 16.1 t CO2e per kg platinum under economic allocation"
                    ),
                ),
            ],
            sources=[
                BUCHSPIES_2017,
                "Thormann L., Buchspies B., Mbohwa C., Kaltschmitt M. 2017, 'PGE Production in Southern Africa, Part I: Production "
                "and Market Trends', Minerals 7(11):224 (average head grade 3.58 g 6E per t, 2010-2015)",
                "Bossi T., Gediga J. 2017, 'The Environmental Profile of Platinum Group Metals', Johnson Matthey Technol. Rev. "
                "61(2):111-121 (IPA LCA: power for mining and ore beneficiation is 72 % of the impact)",
                "Anglo American plc Fact Book 2012/13, p.90 (refined Pt, Pd, Rh and Ni of Anglo American Platinum, 2012)",
                ARGUS_2021,
            ],
        )
    },
    declared_categories={
        # Hotspot analysis (Annex V Part V) of inventories/examples/platinum-bushveld-za.toml (footprint hotspots).
        "platinum": ["material resources: metals/minerals", "climate change", "acidification", "particulate matter formation"],
    },
)
