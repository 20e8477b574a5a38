"""Annex V Part IV, the system boundary: the one place that knows its rules.

Primary CRMs cover extraction, concentration and refining, with the process categories of
Part IV 1 (a)-(n); secondary CRMs cover the recycling stage with Part IV 2 (a)-(k). The use
phase and end of life are excluded (Part IV 3); other processes may be left out only when
negligible, which the material rules bound by a cut-off limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import BoundaryError
from .rules import MaterialRules
from .study import DataType, Route, Stage, Study

PRIMARY_CATEGORIES: dict[str, str] = {
    "1(a)": "upstream processes (ore mining, chemicals, auxiliaries, fuels, electricity, transport in vehicles not owned by the organisation)",
    "1(b)": "transport of ore, concentrates and raw materials in own vehicles",
    "1(c)": "storage of ore, concentrates and raw materials",
    "1(d)": "ore crushing and cleaning",
    "1(e)": "production of concentrate",
    "1(f)": "metal extraction by chemical, physical or biological means",
    "1(g)": "smelting",
    "1(h)": "metal conversion",
    "1(i)": "slag cleaning",
    "1(j)": "metal refining",
    "1(k)": "electroplating (electrowinning, electrorefining)",
    "1(l)": "casting or packaging of metal",
    "1(m)": "treatment of spent material and slag",
    "1(n)": "attached auxiliary processes (on-site wastewater treatment, gas cleaning, boilers, internal logistics)",
}

SECONDARY_CATEGORIES: dict[str, str] = {
    "2(a)": "upstream processes (generation of raw feed such as scrap concentrates, chemicals, auxiliaries, fuels, electricity, transport in vehicles not owned by the organisation)",
    "2(b)": "transport of concentrates and scrap in own vehicles",
    "2(c)": "storage of scrap, concentrates and raw materials",
    "2(d)": "pre-treatment of secondary raw material",
    "2(e)": "smelting",
    "2(f)": "metal conversion",
    "2(g)": "metal refining",
    "2(h)": "electroplating",
    "2(i)": "casting or packaging of metal",
    "2(j)": "treatment of spent material",
    "2(k)": "attached auxiliary processes (as in 1(n))",
}

STAGES_BY_ROUTE: dict[Route, tuple[Stage, ...]] = {
    Route.primary: (Stage.extraction, Stage.concentration, Stage.refining),
    Route.secondary: (Stage.recycling,),
}

CATEGORIES_BY_ROUTE: dict[Route, dict[str, str]] = {
    Route.primary: PRIMARY_CATEGORIES,
    Route.secondary: SECONDARY_CATEGORIES,
}

EXCLUDED_STAGES: dict[Stage, str] = {
    Stage.use: "Annex V Part IV 3 excludes the use phase from the system boundary",
    Stage.end_of_life: "Annex V Part IV 3 excludes end of life from the system boundary",
}


def category_title(code: str) -> str:
    """Human-readable title of an Annex V Part IV category code."""
    return PRIMARY_CATEGORIES.get(code) or SECONDARY_CATEGORIES.get(code) or code


@dataclass(frozen=True)
class SystemBoundary:
    """What a study's boundary holds once checked: processes by stage, what was left out."""

    route: Route
    stages: tuple[Stage, ...]
    processes_by_stage: dict[str, list[str]]
    categories: dict[str, str]
    excluded: list[tuple[str, str, float, str]] = field(default_factory=list)
    excluded_share: float = 0.0
    cutoff_limit: float = 0.0


def _check_sites(study: Study, by_stage: dict[str, list[str]], file: Path | str | None) -> None:
    """Art. 31(7)(c) origin: sites only for stages the study models, and each process where its stage's sites are.

    A process's location also picks its grid (footprint.electricity), so a location that no site
    of its stage has would let a study buy another country's electricity.
    """
    import pycountry

    countries: dict[str, set[str]] = {}
    for position, site in enumerate(study.sites, start=1):
        if not by_stage.get(site.stage.value):
            raise BoundaryError(
                f"a site is given for the {site.stage.value} stage, but no process of the study belongs to it; "
                "the declaration's origin would name it",
                file=file,
                field=f"sites[{position}].stage",
            )
        if pycountry.countries.get(alpha_2=site.country) is None:
            raise BoundaryError(
                f"{site.country!r} is not an ISO 3166-1 alpha-2 country code", file=file, field=f"sites[{position}].country"
            )
        countries.setdefault(site.stage.value, set()).add(site.country)
    for process in study.processes:
        stage_countries = countries.get(process.stage.value, set())
        # Two-letter locations are countries; longer codes (GLO, RER) describe transport or markets.
        if len(process.location) == 2 and process.location not in stage_countries:
            raise BoundaryError(
                f"the process is located in {process.location}, but the {process.stage.value} stage's sites are in "
                f"{', '.join(sorted(stage_countries))}; add the site or correct the location",
                file=file,
                process=process.id,
                field="location",
            )
    located: dict[str, set[str]] = {}
    for process in study.processes:
        if len(process.location) == 2:
            located.setdefault(process.stage.value, set()).add(process.location)
    for position, site in enumerate(study.sites, start=1):
        if site.stage.value in located and site.country not in located[site.stage.value]:
            raise BoundaryError(
                f"the {site.stage.value} site is in {site.country}, but no {site.stage.value} process is located there "
                f"({', '.join(sorted(located[site.stage.value]))}); the declaration's origin would be wrong",
                file=file,
                field=f"sites[{position}].country",
            )


def check_boundary(study: Study, rules: MaterialRules, file: Path | str | None = None) -> SystemBoundary:
    """Apply every Annex V Part IV rule to a study; raise BoundaryError at the first breach."""
    route = study.route
    if route.value not in rules.routes:
        raise BoundaryError(
            f"material {rules.id!r} has no {route.value} route in its rules (routes: {', '.join(rules.routes)})",
            file=file,
            field="route",
        )
    allowed_stages = STAGES_BY_ROUTE[route]
    allowed_categories = CATEGORIES_BY_ROUTE[route]
    by_stage: dict[str, list[str]] = {stage.value: [] for stage in allowed_stages}
    categories: dict[str, str] = {}

    for process in study.processes:
        if process.stage in EXCLUDED_STAGES:
            raise BoundaryError(EXCLUDED_STAGES[process.stage], file=file, process=process.id, field="stage")
        if process.stage not in allowed_stages:
            raise BoundaryError(
                f"stage {process.stage.value!r} is outside the {route.value} boundary "
                f"(Annex V Part IV {'1' if route is Route.primary else '2'}: {', '.join(s.value for s in allowed_stages)})",
                file=file,
                process=process.id,
                field="stage",
            )
        if process.category not in allowed_categories:
            other = CATEGORIES_BY_ROUTE[Route.secondary if route is Route.primary else Route.primary]
            hint = (
                f"{process.category!r} is a {('secondary' if route is Route.primary else 'primary')}-route category"
                if process.category in other
                else f"{process.category!r} is not an Annex V Part IV category"
            )
            raise BoundaryError(
                f"{hint}; a {route.value} CRM uses {min(allowed_categories)} to {max(allowed_categories)}",
                file=file,
                process=process.id,
                field="category",
            )
        by_stage[process.stage.value].append(process.id)
        categories[process.id] = process.category

    for stage in rules.required_stages(route):
        if not by_stage.get(stage.value):
            raise BoundaryError(
                f"the {rules.id} rules require the {stage.value} stage for the {route.value} route, "
                "and no process of the study belongs to it",
                file=file,
                field="processes",
            )

    sited = {site.stage for site in study.sites}
    for stage_name, ids in by_stage.items():
        if ids and Stage(stage_name) not in sited:
            raise BoundaryError(
                f"no site (country and region) is given for the {stage_name} stage, which Art. 31(7)(c) requires",
                file=file,
                field="sites",
            )
    _check_sites(study, by_stage, file)

    excluded: list[tuple[str, str, float, str]] = []
    share = 0.0
    for position, item in enumerate(study.excluded, start=1):
        if item.stage in EXCLUDED_STAGES:
            # Use phase and end of life are outside the boundary by law, not by cut-off.
            continue
        if item.stage not in allowed_stages:
            raise BoundaryError(
                f"excluded process {item.name!r} is in the {item.stage.value} stage, outside the {route.value} boundary; "
                "it cannot count towards the cut-off",
                file=file,
                field=f"excluded[{position}].stage",
            )
        if item.category is not None and item.category not in allowed_categories:
            raise BoundaryError(
                f"excluded process {item.name!r} names category {item.category!r}, not valid for the {route.value} route",
                file=file,
                field="excluded.category",
            )
        excluded.append((item.name, item.stage.value, item.estimated_share, item.reason))
        share += item.estimated_share
    if share > rules.cutoff_limit + 1e-12:
        listed = "; ".join(f"{name} ({stage}, {s:.1%})" for name, stage, s, _ in excluded)
        raise BoundaryError(
            f"processes excluded as negligible add up to {share:.1%} of the climate result, above the "
            f"{rules.id} cut-off limit of {rules.cutoff_limit:.1%}: {listed}",
            file=file,
            field="excluded",
        )

    return SystemBoundary(
        route=route,
        stages=allowed_stages,
        processes_by_stage=by_stage,
        categories=categories,
        excluded=excluded,
        excluded_share=share,
        cutoff_limit=rules.cutoff_limit,
    )


def check_company_specific(
    study: Study, rules: MaterialRules, most_relevant: set[str] | None = None, file: Path | str | None = None
) -> None:
    """Annex V Part VI: processes the rules reserve for company-specific data must have it.

    The rules name the categories under the operator's direct influence; when the hotspot
    analysis is known, only those processes among the most relevant are held to it.
    """
    for process in study.processes:
        if process.sampling is None:
            continue
        if process.data_type is not DataType.company_specific:
            raise BoundaryError(
                "sampling describes how company-specific data were measured; this process uses secondary data",
                file=file, process=process.id, field="sampling",
            )
        if not rules.sampling_allowed:
            raise BoundaryError(
                f"the {rules.id} rules do not allow sampling (Annex V Part VI): company-specific data must come "
                f"from every site ({process.sampling.sites_measured} of {process.sampling.sites_total} measured)",
                file=file, process=process.id, field="sampling",
            )
    required = set(rules.company_specific_categories.get(study.route.value, []))
    for process in study.processes:
        if process.category not in required:
            continue
        if most_relevant is not None and process.id not in most_relevant:
            continue
        if process.data_type is not DataType.company_specific:
            raise BoundaryError(
                f"the {rules.id} rules require company-specific data for category {process.category} "
                f"({category_title(process.category)}), and this process is fed secondary data (Annex V Part VI)",
                file=file,
                process=process.id,
                field="data_type",
            )
