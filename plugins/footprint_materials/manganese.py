"""Manganese (battery grade): high-purity manganese sulfate monohydrate (HPMSM)."""

from __future__ import annotations

from footprint.rules import CarbonContent, MaterialInfo, MaterialRules, PublishedFootprint
from footprint.study import Stage

from ._base import MaterialPlugin

# Element 25 Ltd (ASX: E25), announcement of the independent LCA of its HPMSM process (Super Smart Energy,
# ISO 14040/44, EF 3.0), as reported by MarketScreener (stored copy): E25's HPMSM 1.7 kg CO2e per kg,
# 'about 67 % lower than competitors in China'. The Chinese figure is therefore 1.7 / (1 - 0.67).
ELEMENT_25 = (
    "Element 25 Ltd, 'Results of an independent Life Cycle Assessment for its battery-grade HPMSM' (ASX announcement, "
    "as reported by in.marketscreener.com, news 43039733, stored copy): E25 HPMSM 1.7 kg CO2e per kg, about 67 % lower "
    "than competitors in China"
)

plugin = MaterialPlugin(
    materials=[
        MaterialInfo(
            id="manganese-sulfate",
            name="High-purity manganese sulfate monohydrate (HPMSM), battery grade",
            cn_code="2833 29 80",
            grade="battery grade MnSO4.H2O (>= 32 % Mn, low Se, Fe, heavy metals)",
            routes=["primary"],
            carbon_content=CarbonContent(
                fossil_kg_per_kg=0.0,
                biogenic_kg_per_kg=0.0,
                source="derived: the formula MnSO4.H2O holds no carbon; carbon in the trace impurities of battery-grade salt is taken as zero (assumption)",
                assumption=True,
            ),
        )
    ],
    rules={
        "manganese-sulfate": MaterialRules(
            id="manganese-sulfate",
            rules_version="2026.12-draft",
            routes=["primary"],
            # Ore mining (extraction), leaching and purification of the liquor (concentration), and the
            # refinery: electrowinning of EMM where that route is taken, dissolution and crystallisation (refining).
            stages={"primary": [Stage.extraction, Stage.concentration, Stage.refining]},
            # Leaching (1(f)), the EMM cell house (1(k)) and the sulfate refinery (1(j)) carry the footprint and
            # are run by the producer (Annex V Part VI: company-specific data where its influence is direct).
            company_specific_categories={"primary": ["1(f)", "1(j)", "1(k)"]},
            cutoff_limit=0.03,
            # The chain makes one product per process (residue and selenium-bearing sludge are wastes); any
            # co-product (e.g. ammonium sulfate recovered from residue) is allocated by mass, so that results do
            # not move with fertiliser prices.
            allocation="mass",
            category_basis=(
                "Hotspot analysis (Annex V Part V, footprint.hotspots) of inventories/examples/manganese-sulfate-emm-cn.toml "
                "on the footprint-starter background of December 2026, all 16 EF 3.1 categories ranked after EF 3.1 "
                "normalisation and weighting; the declared categories are those above the cumulative 80 % of the weighted "
                "total plus climate change. Ionising radiation is underestimated (nuclear fuel chain not modelled) and "
                "the electrolytic residue is not modelled (see the example's not_modelled list), so a producer with "
                "residue-pond seepage data must re-run the analysis."
            ),
            published_footprints=[
                PublishedFootprint(
                    route="China, HPMSM (competitors' average per Element 25)",
                    low_kg_co2e=1.7,
                    high_kg_co2e=1.7,
                    source=ELEMENT_25,
                    basis="1 kg HPMSM made by E25 (Western Australian ore, Louisiana refinery), 67 % below the Chinese value",
                    per_declared_unit=1.0 / 0.33,
                    conversion=(
                        "derived: 'about 67 % lower than competitors in China' -> Chinese HPMSM = 1.7 / (1 - 0.67) = 5.15 kg CO2e "
                        "per kg; the Chinese study behind E25's comparison and its route (EMM or direct ore leaching) were not read"
                    ),
                ),
            ],
            sources=[
                ELEMENT_25,
                "Wensheng L., Zuohua L., Changyuan T., Xuming W., Miller J.D., 'Electrolytic Metal Manganese Industry in Chongqing "
                "City of China' (abstract; 2013 industry figures)",
            ],
        )
    },
    declared_categories={
        # Hotspot analysis (Annex V Part V) of inventories/examples/manganese-sulfate-emm-cn.toml (footprint hotspots).
        "manganese-sulfate": ["climate change", "particulate matter formation", "acidification", "water use"],
    },
)
