"""Lithium (battery grade): lithium carbonate and lithium hydroxide monohydrate."""

from __future__ import annotations

from footprint.rules import CarbonContent, MaterialInfo, MaterialRules, PublishedFootprint
from footprint.study import Stage

from ._base import MaterialPlugin, hotspot_basis

RULES_VERSION = "2026.12-draft"
# Ali A.-R., Bartie N., Husmann J., Cerdas F., Schroeder D., Herrmann C. 2023, 'Simulation-based life cycle
# assessment of secondary materials from recycling of lithium-ion batteries', SSRN 4516667 (abstract):
# with mass allocation, recycled cobalt sulfate, lithium carbonate and nickel sulfate are 87.4 %, 61.0 %
# and 36.2 % below their primary production. The one readable like-for-like figure for recycled
# battery salts is this ratio, so the secondary examples are checked against it (tests), not against
# an absolute value.
ALI_2023 = (
    "Ali A.-R. et al. 2023, 'Simulation-based life cycle assessment of secondary materials from recycling of "
    "lithium-ion batteries', SSRN 4516667, abstract (mass allocation: recycled lithium carbonate 61.0 % below primary)"
)
ISTRATE = (
    "Istrate R. et al. 2024, Joule, 'Decarbonizing lithium-ion battery primary raw materials supply chain' "
    "(data: github.com/robyistrate/decarbonization_LIB_raw_materials)"
)


def _rules(
    material_id: str, footprints: list[PublishedFootprint], basis: str, routes: list[str] | None = None
) -> MaterialRules:
    routes = routes or ["primary"]
    return MaterialRules(
        id=material_id,
        rules_version=RULES_VERSION,
        routes=routes,
        stages={"primary": [Stage.extraction, Stage.concentration, Stage.refining], "secondary": [Stage.recycling]},
        # Evaporation ponds or ore concentration and the refinery are run by the operator:
        # Annex V Part VI asks company-specific data where its influence is direct. A recycler
        # runs the pre-treatment to black mass (2(d)) and the hydrometallurgical refinery (2(g)).
        company_specific_categories={"primary": ["1(e)", "1(j)"], "secondary": ["2(d)", "2(g)"]},
        # Annex V Part IV 2 leaves the credit for recycled input to the rules: cut-off by default
        # (the recycling stage only); a delegated act may select the Circular Footprint Formula.
        secondary_model="cut-off",
        cutoff_limit=0.03,
        allocation="economic",
        published_footprints=footprints,
        category_basis=basis,
        sources=[ISTRATE, ALI_2023] if "secondary" in routes else [ISTRATE],
    )


plugin = MaterialPlugin(
    materials=[
        MaterialInfo(
            id="lithium-carbonate",
            name="Lithium carbonate, battery grade",
            cn_code="2836 91 00",
            grade="battery grade (Li2CO3 >= 99.5 %)",
            routes=["primary", "secondary"],
            carbon_content=CarbonContent(
                fossil_kg_per_kg=0.16255684,
                biogenic_kg_per_kg=0.0,
                source="derived: 12.011 / 73.888 kg C per kg Li2CO3 (IUPAC/CIAAW standard atomic weights 2021 (abridged: C 12.011, O 15.999, Li 6.94, H 1.008)); the carbonate carbon comes from soda ash (mineral), reported as fossil; the pure compound is assumed (grade >= 99.5 % Li2CO3, impurities carbon-free)",
                assumption=True,
            ),
        ),
        MaterialInfo(
            id="lithium-hydroxide",
            name="Lithium hydroxide monohydrate, battery grade",
            cn_code="2825 20 00",
            grade="battery grade (LiOH.H2O >= 56.5 % LiOH)",
            routes=["primary"],
            carbon_content=CarbonContent(
                fossil_kg_per_kg=0.0,
                biogenic_kg_per_kg=0.0,
                source="derived: the formula LiOH.H2O holds no carbon; carbonate impurities (not given by the grade) are taken as zero (assumption)",
                assumption=True,
            ),
        ),
    ],
    rules={
        "lithium-carbonate": _rules(
            "lithium-carbonate",
            [
                PublishedFootprint(route="brine, Salar de Atacama (CL)", low_kg_co2e=3.6, high_kg_co2e=3.6, source=ISTRATE),
                PublishedFootprint(route="spodumene (AU) refined in CN", low_kg_co2e=24.0, high_kg_co2e=24.0, source=ISTRATE),
            ],
            hotspot_basis("inventories/examples/lithium-carbonate-brine-cl.toml", "human toxicity, non-cancer, about 0.07 %"),
            routes=["primary", "secondary"],
        ),
        "lithium-hydroxide": _rules(
            "lithium-hydroxide",
            [
                PublishedFootprint(
                    route="spodumene (AU) refined in CN",
                    low_kg_co2e=17.24,
                    high_kg_co2e=17.24,
                    source=ISTRATE + ", fig2_total_ghgs_30-07-2024.csv (lithium hydroxide, battery grade)",
                ),
            ],
            hotspot_basis("inventories/examples/lithium-hydroxide-spodumene-au-cn.toml", "human toxicity, non-cancer, about 0.3 %"),
        ),
    },
    declared_categories={
        # Hotspot analyses (Annex V Part V) of inventories/examples/lithium-carbonate-brine-cl.toml and
        # lithium-carbonate-recycled-de.toml, united. Re-run when the recycled example took EverBatt 2023's
        # pre-treatment energy: in the recycled salt mineral resource use (9.8 %, 92 % of it in the soda-ash
        # precipitation step) now ranks just above acidification (9.7 %), so it enters the 80 % selection
        # and acidification leaves it.
        "lithium-carbonate": [
            "climate change", "energy resources: non-renewable", "water use", "particulate matter formation",
            "material resources: metals/minerals",
        ],
        # Hotspot analysis (re-run December 2026: unchanged, see category_basis) of
        # inventories/examples/lithium-hydroxide-spodumene-au-cn.toml.
        "lithium-hydroxide": [
            "particulate matter formation", "climate change", "acidification", "energy resources: non-renewable",
        ],
    },
)
