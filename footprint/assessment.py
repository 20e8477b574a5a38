"""One study through the whole flow: rules -> boundary -> inventory -> engine -> results.

The engine is an argument: one engine serves every study of a command.

This is the library function behind `footprint declare` and `footprint check`; verifiers and
regulators call it from Python too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .background.brightway import Background, ProgressCallback, open_background
from .boundary import SystemBoundary, category_title, check_boundary, check_company_specific
from .engine.core import Engine, make_engine
from .engine.solve import LcaOutcome
from .errors import CalculationError, FootprintInputError
from .files import sha256_of
from .inventory.build import ForegroundInventory, build_inventory
from .methods import MethodSet, load_method_set
from .plugins import MaterialRegistry
from .results import FINGERPRINT_SCHEME, CategoryResult, Fingerprint, ProcessSummary, Results
from .rules import MaterialRules
from .study.load import LoadedStudy, load_study
from .workbench.annotate import annotate


@dataclass
class CheckedStudy:
    """A study that passed validation and the Annex V boundary rules."""

    loaded: LoadedStudy
    rules: MaterialRules
    boundary: SystemBoundary
    declared_categories: tuple[str, ...] = ()


def rules_sha256(rules: MaterialRules, declared_categories: Sequence[str] = ()) -> str:
    """Hash of everything the material's plugin fixes, including the categories it declares
    (a separate hook), so a verifier sees a changed category list as changed rules.

    Canonical JSON since fingerprint scheme 2 (scheme 1 hashed pydantic's JSON text).
    """
    return sha256_of({"rules": rules.model_dump(mode="json"), "declared_categories": list(declared_categories)})


def check_study(path_or_loaded: "Path | str | LoadedStudy | CheckedStudy", registry: MaterialRegistry | None = None) -> CheckedStudy:
    """Validate a study and apply the material's Annex V Part IV and Part VI rules."""
    if isinstance(path_or_loaded, CheckedStudy):
        return path_or_loaded
    loaded = path_or_loaded if isinstance(path_or_loaded, LoadedStudy) else load_study(path_or_loaded)
    registry = registry or MaterialRegistry()
    try:
        rules = registry.rules(loaded.study.material)
    except FootprintInputError as exc:
        raise exc.located(file=loaded.path) from None
    if abs(loaded.study.declared_unit_kg - rules.declared_unit_kg) > 1e-12:
        raise FootprintInputError(
            f"the {rules.id} rules set a declared unit of {rules.declared_unit_kg:g} kg (Annex V Part III); "
            f"the study declares {loaded.study.declared_unit_kg:g} kg",
            file=loaded.path,
            field="declared_unit_kg",
        )
    boundary = check_boundary(loaded.study, rules, file=loaded.path)
    check_company_specific(loaded.study, rules, file=loaded.path)
    declared = tuple(registry.declared_categories(rules.id))
    return CheckedStudy(loaded=loaded, rules=rules, boundary=boundary, declared_categories=declared)


def background_for(
    checked: CheckedStudy,
    method_set: MethodSet,
    background_override: str | None = None,
    project_override: str | None = None,
    brightway_dir: Path | None = None,
    progress: ProgressCallback | None = None,
) -> Background:
    study = checked.loaded.study
    database = background_override or study.background
    project = project_override or study.background_project
    try:
        return open_background(database, project, brightway_dir, method_set, progress)
    except FootprintInputError as exc:
        raise exc.located(file=checked.loaded.path) from None


def link_study(checked: CheckedStudy, background: Background) -> ForegroundInventory:
    return build_inventory(checked.loaded.study, checked.rules, background, file=checked.loaded.path)


def assess(
    study: "Path | str | LoadedStudy | CheckedStudy",
    registry: MaterialRegistry | None = None,
    method_set: MethodSet | None = None,
    background: Background | None = None,
    progress: ProgressCallback | None = None,
    background_override: str | None = None,
    project_override: str | None = None,
    brightway_dir: Path | None = None,
    *,
    engine: Engine | None = None,
) -> Results:
    """Compute a study's characterised footprint per declared unit, with contributions.

    `engine` solves it (one engine serves a whole command; without one, the default prepared
    engine). A `CheckedStudy` is not checked again.
    """
    method_set = method_set or load_method_set()
    engine = engine or make_engine(progress=progress)
    checked = check_study(study, registry)
    background = background or background_for(
        checked, method_set, background_override, project_override, brightway_dir, progress
    )
    inventory = link_study(checked, background)
    outcome = engine.compute(inventory, background, method_set)
    results = results_from(checked, inventory, background, method_set, outcome)
    virgin = formula = None
    if checked.loaded.study.route.value == "secondary" and checked.rules.secondary_model == "circular-footprint-formula":
        results, virgin, formula = _apply_circular_footprint(checked, results, registry, method_set, background, engine)
    results = annotate(results, checked, inventory, background, method_set, engine=engine, virgin=virgin, formula=formula)
    _check_declarable(results, checked)
    return results


# Plausibility ceiling of a declared climate result, kg CO2-Eq per kg: footprint's assumption.
# The highest cradle-to-gate CRM footprint it knows is about 45,000 (6E platinum-group metals,
# Southern Africa; Buchspies et al. 2017, Minerals 7(11):225, as cited by the pgm plugin); a value
# 20 times that is a unit or amount slip, not a material.
CLIMATE_CEILING = 1e6


def _check_declarable(results: Results, checked: CheckedStudy) -> None:
    """Refuse results no declaration can carry: non-finite numbers, or a negative declared footprint.

    Burdens are never negative here (solve_foreground refuses negative supply), so a negative
    declared result means system-expansion credits outweigh the whole production chain: a
    modelling error, and a value no performance class can hold.
    """
    path = checked.loaded.path
    for category in results.categories:
        broken = [pid for pid, v in category.by_process.items() if not math.isfinite(v)]
        if broken or not math.isfinite(category.value):
            raise CalculationError(
                f"the {category.category} result is not a finite number", file=path, process=broken[0] if broken else None, field="inputs"
            )
    climate = results.category("climate change")
    if climate.value > CLIMATE_CEILING * results.declared_unit_kg:
        worst = max(climate.by_process, key=climate.by_process.get)
        raise CalculationError(
            f"the climate result, {climate.value:.4g} {climate.unit} per declared unit, is over {CLIMATE_CEILING:g} per kg: "
            "no critical raw material comes near it; check the amounts and units of the process that carries most of it",
            file=checked.loaded.path,
            process=worst,
            field="inputs",
        )
    for name in dict.fromkeys(["climate change", *checked.declared_categories]):
        category = results.category(name)
        if category.value < 0:
            worst = min(category.by_process, key=category.by_process.get)
            credited = any(p.id == worst and p.coproducts for p in checked.loaded.study.processes)
            raise CalculationError(
                f"the declared {name} result is negative ({category.value:.4g} {category.unit}): the credits of process "
                f"{worst!r} ({category.by_process[worst]:.4g}) outweigh the whole production chain",
                file=path,
                process=worst,
                field="coproducts" if credited else "inputs",
            )


def _apply_circular_footprint(
    checked: CheckedStudy,
    results: Results,
    registry: MaterialRegistry | None,
    method_set: MethodSet,
    background: Background,
    engine: Engine,
) -> tuple[Results, Results, tuple[float, float, float]]:
    """Credit recycled input with the PEF Circular Footprint Formula, as the rules select.

    Also returns the primary study's results and the formula's (A, R1, Qsin/Qp), for the sensitivity."""
    from .circularity import CircularFootprint

    study, path = checked.loaded.study, checked.loaded.path
    inputs = study.circular_footprint
    if inputs is None:
        raise FootprintInputError(
            f"the {checked.rules.id} rules apply the Circular Footprint Formula to secondary material; "
            "the study must give recycled_content, quality_ratio and virgin_study",
            file=path,
            field="circular_footprint",
        )
    virgin_path = (path.parent / inputs.virgin_study).resolve()
    virgin = assess(virgin_path, registry, method_set, background, engine=engine)
    if virgin.material != study.material or virgin.route != "primary":
        raise FootprintInputError(
            f"virgin_study must be a primary-route study of {study.material}, not {virgin.material} ({virgin.route})",
            file=path,
            field="circular_footprint.virgin_study",
        )
    formula = CircularFootprint(
        a=checked.rules.cff_a, recycled_content=inputs.recycled_content, quality_ratio=inputs.quality_ratio
    )
    categories = [formula.apply(result, virgin.category(result.category).value) for result in results.categories]
    fingerprint = results.fingerprint.model_copy(update={"virgin_study_sha256": virgin.fingerprint.study_sha256})
    combined = results.model_copy(
        update={
            "categories": categories,
            "secondary_model": (
                f"circular-footprint-formula (A={formula.a}, R1={formula.recycled_content}, "
                f"Qsin/Qp={formula.quality_ratio}, primary material: {inputs.virgin_study})"
            ),
            "fingerprint": fingerprint,
        }
    )
    return combined, virgin, (formula.a, formula.recycled_content, formula.quality_ratio)


def results_from(
    checked: CheckedStudy,
    inventory: ForegroundInventory,
    background: Background,
    method_set: MethodSet,
    outcome: LcaOutcome,
) -> Results:
    """Assemble Results (totals, contributions by stage and process, fingerprint) from one solve."""
    study = checked.loaded.study
    stages = [stage.value for stage in checked.boundary.stages]
    categories = []
    for category in method_set.categories:
        contributions = outcome.by_process[category.category]
        by_process = {pid: float(v) for pid, v in zip(inventory.process_ids, contributions)}
        by_stage = {stage: 0.0 for stage in stages}
        for stage, value in zip(inventory.stages, contributions):
            by_stage[stage] += float(value)
        categories.append(
            CategoryResult(
                category=category.category,
                unit=category.unit,
                value=outcome.totals[category.category],
                by_stage=by_stage,
                by_process=by_process,
            )
        )
    processes = [
        ProcessSummary(
            id=p.id,
            name=p.name,
            stage=p.stage.value,
            category=p.category,
            category_title=category_title(p.category),
            data_type=p.data_type.value,
            location=p.location,
        )
        for p in study.processes
    ]
    return Results(
        title=study.title,
        material=study.material,
        route=study.route.value,
        declared_unit_kg=study.declared_unit_kg,
        categories=categories,
        processes=processes,
        stages=stages,
        allocation=[{"process": a.process, "method": a.method, "factor": a.factor, "detail": a.detail} for a in inventory.allocation],
        electricity=[{"process": e.process, "dataset": e.dataset, "rule": e.rule, "detail": e.detail} for e in inventory.electricity],
        excluded=[{"name": n, "stage": s, "estimated_share": f, "reason": r} for n, s, f, r in checked.boundary.excluded],
        excluded_share=checked.boundary.excluded_share,
        cutoff_limit=checked.boundary.cutoff_limit,
        secondary_model=(
            "cut-off (scrap enters burden-free at collection)"
            if study.route.value == "secondary" and checked.rules.secondary_model == "cut-off"
            else None
        ),
        fingerprint=Fingerprint(
            scheme=FINGERPRINT_SCHEME,
            study_sha256=checked.loaded.sha256,
            background=background.database,
            background_project=background.project if background.kind != "starter" else None,
            background_sha256=background.sha256,
            method_set=method_set.id,
            method_version=method_set.version,
            method_sha256=method_set.sha256,
            material=checked.rules.id,
            rules_version=checked.rules.rules_version,
            rules_sha256=rules_sha256(checked.rules, checked.declared_categories),
            footprint_version=__version__,
            background_gaps=list(background.gaps),
        ),
    )
