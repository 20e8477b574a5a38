"""Monte Carlo uncertainty of a declaration: foreground sampled, background fixed (or sampled).

Every uncertain foreground amount (an input or an elementary flow) is drawn for all iterations
at once with stats_arrays (seeded, so a run is reproducible); the foreground matrices of all
iterations are solved as one stacked numpy solve; impacts are matrix products with the
prepared background's per-dataset scores (`footprint.engine`). With the background held
fixed no sparse solve happens per iteration. When the background carries distributions and
sampling is asked for, its values are drawn too and each drawn system solved iteratively
without a fresh factorisation (`engine.montecarlo`, checked against direct solves).

Distributions come from the study (`uncertainty` on an input or elementary flow). Exchanges
without one get a default lognormal from the data type of their process, by the pedigree
approach of the ecoinvent database (see `DEFAULTS_SOURCE`); `--no-defaults` keeps them fixed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from ..assessment import background_for, check_study, link_study, results_from
from ..classes.lookup import class_indices, class_probabilities, class_table_for
from ..classes.market import DEFAULT_CATEGORY, normalise_category
from ..classes.table import LETTERS
from ..engine.core import Engine, make_engine
from ..engine.solve import compute_prepared
from ..errors import FootprintInputError
from ..methods import load_method_set
from ..plugins import MaterialRegistry
from .exchanges import DEFAULTS_SOURCE, exchange_specs
from .report import CategoryStatistics, ClassProbabilities, ExchangeUncertainty, UncertaintyReport
from .simulate import check_memory, foreground_purchases, monte_carlo_system, sample_amounts, simulate

def run_uncertainty(
    path_or_loaded: Any,
    iterations: int = 1000,
    seed: int = 42,
    *,
    defaults: bool = True,
    sample_background: bool = False,
    class_table: Any | None = None,
    thresholds: Sequence[float] | None = None,
    class_category: str | None = None,
    on_date: dt.date | None = None,
    registry: Any | None = None,
    method_set: Any | None = None,
    engine: Engine | None = None,
    background: Any | None = None,
    background_override: str | None = None,
    project_override: str | None = None,
    brightway_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
    keep_samples: bool = False,
    runner: Callable | None = None,
    background_settings: Any | None = None,
) -> tuple[UncertaintyReport, np.ndarray | None]:
    """Monte Carlo of one study; returns the report and, if asked, the (iterations, categories) samples.

    `runner` (`engine.montecarlo.run_in_process` by default; `footprint.distributed` gives a
    Dask one) runs the blocks of iterations; the result does not depend on it.
    `background_settings`: `engine.montecarlo.MonteCarloSettings` of a drawn background.
    """
    if iterations < 1:
        raise FootprintInputError("iterations must be at least 1", field="iterations")
    method_set = method_set or load_method_set()
    registry = registry or MaterialRegistry()
    checked = check_study(path_or_loaded, registry)
    study = checked.loaded.study
    if study.route.value == "secondary" and getattr(checked.rules, "secondary_model", None) == "circular-footprint-formula":
        raise FootprintInputError(
            "Monte Carlo does not yet cover results adjusted by the circular footprint formula "
            f"(the {checked.rules.id} rules apply it to the secondary route)",
            file=checked.loaded.path,
            field="route",
        )
    background = background or background_for(checked, method_set, background_override, project_override, brightway_dir, progress)
    engine = engine or make_engine(progress=progress)
    prepared = engine.prepared_for(background, method_set)
    inventory = link_study(checked, background)
    outcome = compute_prepared(inventory, prepared)
    deterministic = outcome.totals
    results = results_from(checked, inventory, background, method_set, outcome)

    specs = exchange_specs(study, inventory, background, defaults=defaults, file=checked.loaded.path)
    system = monte_carlo_system(inventory, prepared, specs)
    check_memory(system, iterations, sample_background=sample_background, keep_samples=keep_samples)
    amounts = sample_amounts(system, iterations, seed)

    notes: list[str] = []
    mode = "fixed"
    samples = None
    if sample_background:
        from ..engine.sampling import background_has_distributions

        if background_has_distributions(background):
            from ..engine.draws import background_sampler
            from ..engine.montecarlo import sampled_demand_scores

            if progress:
                progress(f"sampling the background ({iterations} iterations, drawn systems solved iteratively)")
            bought, direct = foreground_purchases(system, amounts)
            sampler = background_sampler(background, method_set)
            drawn, stats = sampled_demand_scores(
                sampler, system.dataset_ids, bought, seed, settings=background_settings, runner=runner
            )
            samples = drawn + direct
            mode = "sampled"
            notes.append(f"background sampled: {stats.describe()}")
        else:
            notes.append("the background carries no distributions: it was held fixed")
    if samples is None:
        samples = _simulate_in_blocks(system, amounts, runner)
    declared = registry.declared_categories(study.material) or list(method_set.names)
    wanted = {normalise_category(c) for c in declared}
    statistics = []
    for k, category in enumerate(method_set.categories):
        if normalise_category(category.category) not in wanted:
            continue
        values = samples[:, k]
        p2_5, median, p97_5 = np.percentile(values, [2.5, 50.0, 97.5])
        statistics.append(
            CategoryStatistics(
                category=category.category,
                unit=category.unit,
                deterministic=deterministic[category.category],
                mean=float(values.mean()),
                median=float(median),
                p2_5=float(p2_5),
                p97_5=float(p97_5),
                sd=float(values.std(ddof=1)) if len(values) > 1 else 0.0,
            )
        )

    # Performance classes: the table in force (or one given), else bare thresholds.
    target = normalise_category(class_category or DEFAULT_CATEGORY)
    classes = None
    classes_note = None
    when = on_date or dt.date.today()
    table, origin, missing = (None, "", None)
    if thresholds is None:
        choice = class_table_for(study.material, when, registry=registry, given=class_table, category=class_category or DEFAULT_CATEGORY)
        table, origin, missing = choice.table, choice.origin, choice.missing
        if table is not None:
            target = normalise_category(table.category)
    names = {normalise_category(n): i for i, n in enumerate(method_set.names)}
    if target not in names:
        classes_note = f"no category {target!r} in method set {method_set.id}"
    elif thresholds is not None or table is not None:
        bounds = list(thresholds) if thresholds is not None else list(table.thresholds)
        labels = table.labels if table is not None else list(LETTERS[: len(bounds) + 1])
        k = names[target]
        value = deterministic[method_set.names[k]]
        probabilities = class_probabilities(samples[:, k], bounds, labels)
        deterministic_class = labels[int(class_indices(bounds, value))]
        description = (
            f"{table.material} {table.period}{' (provisional)' if table.provisional else ''}, {origin}"
            if table is not None
            else "thresholds given on the command line"
        )
        classes = ClassProbabilities(
            category=method_set.names[k],
            table=description,
            thresholds=[float(t) for t in bounds],
            probabilities=probabilities,
            deterministic_class=deterministic_class,
            most_likely_class=max(probabilities, key=probabilities.get),
        )
    else:
        classes_note = f"no class table in force on {when}: {missing}"

    report = UncertaintyReport(
        title=study.title,
        material=study.material,
        declared_unit_kg=study.declared_unit_kg,
        iterations=iterations,
        seed=seed,
        background=mode,
        defaults=defaults,
        defaults_source=DEFAULTS_SOURCE,
        categories=statistics,
        classes=classes,
        classes_note=classes_note,
        exchanges=[
            ExchangeUncertainty(
                process=s.process, field=s.field, distribution=s.distribution, origin=s.origin,
                gsd=s.gsd, sd=s.sd, minimum=s.minimum, maximum=s.maximum, note=s.note,
            )
            for s in specs
        ],
        fingerprint=results.fingerprint.model_dump(mode="json"),
        notes=notes,
    )
    return report, (samples if keep_samples else None)


FOREGROUND_BLOCK = 50_000  # iterations per task when a runner spreads a fixed-background run


def _simulate_in_blocks(system: Any, amounts: np.ndarray, runner: Callable | None) -> np.ndarray:
    """`simulate` over blocks of iterations, on the runner given (each iteration is independent)."""
    if runner is None or len(amounts) <= FOREGROUND_BLOCK:
        return simulate(system, amounts)
    blocks = [amounts[i : i + FOREGROUND_BLOCK] for i in range(0, len(amounts), FOREGROUND_BLOCK)]
    return np.concatenate(runner(simulate, system, blocks))

