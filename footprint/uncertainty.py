"""Monte Carlo uncertainty of a declaration: foreground sampled, background fixed (or sampled).

Every uncertain foreground amount (an input or an elementary flow) is drawn for all iterations
at once with stats_arrays (seeded, so a run is reproducible); the foreground matrices of all
iterations are solved as one stacked numpy solve; impacts are matrix products with the
prepared background's per-dataset scores (`footprint.prepared`). With the background held
fixed no sparse solve happens per iteration. When the background carries distributions and
sampling is asked for, its per-dataset scores are drawn with bw2calc's own Monte Carlo
(`engine.sample_background_scores`), one factorisation per iteration.

Distributions come from the study (`uncertainty` on an input or elementary flow). Exchanges
without one get a default lognormal from the data type of their process, by the pedigree
approach of the ecoinvent database (see `DEFAULTS_SOURCE`); `--no-defaults` keeps them fixed.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from .errors import CalculationError, FootprintInputError

# ---------------------------------------------------------------------------------------------
# Default uncertainty by data type
# ---------------------------------------------------------------------------------------------

DEFAULTS_SOURCE = (
    "Pedigree approach of the ecoinvent database: uncertainty factors U (contributing to the "
    "square of the geometric standard deviation) of Frischknecht et al. 2007, 'Overview and "
    "methodology', ecoinvent report No. 1, section 7.4, which Weidema et al. 2013, 'Overview and "
    "methodology. Data quality guideline for the ecoinvent database version 3', ecoinvent "
    "report 1(v3), chapter 10, states as variances of the underlying normal distribution, "
    "sigma^2 = (ln U)^2 / 4 (pedigree factors, and basic uncertainties in its Table 10.3). The "
    "pedigree scores footprint gives each data type are footprint's assumption (see "
    "DEFAULT_PEDIGREE)."
)

# Pedigree indicators, scores 1..5 (uncertainty factors U).
PEDIGREE_FACTORS: dict[str, tuple[float, ...]] = {
    "reliability": (1.00, 1.05, 1.10, 1.20, 1.50),
    "completeness": (1.00, 1.02, 1.05, 1.10, 1.20),
    "temporal correlation": (1.00, 1.03, 1.10, 1.20, 1.50),
    "geographical correlation": (1.00, 1.01, 1.02, 1.05, 1.10),
    "further technological correlation": (1.00, 1.05, 1.20, 1.50, 2.00),
}

# ASSUMPTION (footprint's, not the guideline's): pedigree scores by Annex V data type.
# company-specific: measured at the operator's own facilities for the reporting period
#   (reliability 2: measured, not yet verified; completeness 2; time, place and technology 1).
# secondary: literature or database values (reliability 4: qualified estimate; 3 for the rest).
DEFAULT_PEDIGREE: dict[str, tuple[int, int, int, int, int]] = {
    "company-specific": (2, 2, 1, 1, 1),
    "secondary": (4, 3, 3, 3, 3),
}

# Basic uncertainty factors U by kind of exchange (same sources). First match wins.
BASIC_INPUT_DEFAULT = ("demand of energy, materials, services", 1.05)
BASIC_TRANSPORT = ("demand of transport services", 2.00)
_FLOW_RULES: tuple[tuple[tuple[str, ...], tuple[str, ...], str, float], ...] = (
    # (compartment prefixes, name fragments (lower case), label, U); empty tuple = any
    (("natural resource",), ("occupation",), "land occupation", 1.50),
    (("natural resource",), ("transformation",), "land transformation", 2.00),
    (("natural resource",), (), "resources (energy carriers, metals, water)", 1.05),
    (("air",), ("carbon dioxide",), "CO2 to air", 1.05),
    (("air",), ("sulfur dioxide",), "SO2 to air", 1.05),
    (("air",), ("carbon monoxide",), "CO to air", 5.00),
    (("air",), ("particulate matter, < 2.5", "particulates, < 2.5"), "PM2.5 to air", 3.00),
    (("air",), ("particulate matter, > 2.5", "particulates, > 2.5"), "PM10 to air", 2.00),
    (("air",), ("particulate", "particulates"), "particulates > 10 um to air", 1.50),
    (("air",), ("methane", "dinitrogen monoxide", "nitrogen oxides", "ammonia", "nmvoc"), "combustion emissions to air", 1.50),
    (("air",), ("water",), "water vapour to air", 1.05),
    (("air",), (), "other emissions to air", 1.50),
    (("water",), (), "emissions to water", 1.50),
    (("soil",), (), "emissions to soil", 1.50),
    ((), (), "other elementary flows", 1.50),
)


def _sigma2(factors: Sequence[float]) -> float:
    return float(sum(math.log(u) ** 2 for u in factors) / 4.0)


def pedigree_sigma2(data_type: str) -> float:
    scores = DEFAULT_PEDIGREE[data_type]
    return _sigma2([table[score - 1] for table, score in zip(PEDIGREE_FACTORS.values(), scores)])


def basic_for_flow(name: str, compartment: str) -> tuple[str, float]:
    name_l, compartment_l = name.lower(), compartment.lower().strip()
    for prefixes, fragments, label, factor in _FLOW_RULES:
        if prefixes and not any(compartment_l.startswith(p) for p in prefixes):
            continue
        if fragments and not any(f in name_l for f in fragments):
            continue
        return label, factor
    return "other elementary flows", 1.50


def default_gsd(data_type: str, basic_factor: float) -> float:
    """Geometric standard deviation of the default lognormal: exp(sqrt(basic + pedigree variance))."""
    return float(math.exp(math.sqrt(_sigma2([basic_factor]) + pedigree_sigma2(data_type))))


# ---------------------------------------------------------------------------------------------
# Exchange specifications
# ---------------------------------------------------------------------------------------------

LOGNORMAL, NORMAL, UNIFORM, TRIANGULAR, FIXED = "lognormal", "normal", "uniform", "triangular", "fixed"
# Relative tolerance for an amount just outside its own uniform/triangular range (rounded bounds).
ROUNDING_SLACK = 1e-6


@dataclass
class ExchangeSpec:
    """The distribution of one inventory amount, in the inventory's units (after allocation)."""

    kind: str  # "foreground", "background" or "flow": which inventory list it belongs to
    index: int  # position in that list
    process: str
    field: str
    amount: float  # inventory amount (the distribution's median or mode)
    distribution: str
    origin: str  # "study", "default" or "fixed"
    gsd: float | None = None
    sd: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    note: str = ""


def _from_study(kind: str, index: int, process: Any, field_name: str, item: Any, scale: float, amount: float, file: Any) -> ExchangeSpec:
    u = item.uncertainty
    if item.amount == 0 or amount == 0:
        # Distributions are scaled to the inventory's unit by amount ratios; a zero amount has none.
        return ExchangeSpec(kind, index, process.id, field_name, amount, FIXED, "fixed", note=f"{u.distribution} around a zero amount: held at zero")
    spec = ExchangeSpec(kind, index, process.id, field_name, amount, u.distribution, "study")

    # The study model guarantees each distribution's parameters (study.Uncertainty).
    if u.distribution == LOGNORMAL:
        spec.gsd = float(u.gsd)
    elif u.distribution == NORMAL:
        spec.sd = float(u.sd) * scale
    else:
        low_study, high_study = float(u.minimum), float(u.maximum)
        slack = ROUNDING_SLACK * max(abs(low_study), abs(high_study), abs(item.amount))
        if not low_study - slack <= item.amount <= high_study + slack:
            raise FootprintInputError(
                f"the amount {item.amount:g} lies outside its {u.distribution} range [{u.minimum:g}, {u.maximum:g}]",
                file=file,
                process=process.id,
                field=f"{field_name}.uncertainty",
            )
        # Checked in the study's unit. A bound rounded in the source (e.g. a minimum given to 5
        # digits that is a hair above the amount) or by unit conversion is moved to the amount.
        spec.minimum, spec.maximum = min(low_study * scale, amount), max(high_study * scale, amount)
        if not low_study <= item.amount <= high_study:
            spec.note = "range widened to include the amount (bound rounded in the source)"
    return spec


def _default(kind: str, index: int, process: Any, field_name: str, amount: float, basic: tuple[str, float], defaults: bool) -> ExchangeSpec:
    if not defaults or amount == 0:
        return ExchangeSpec(kind, index, process.id, field_name, amount, FIXED, "fixed")
    label, factor = basic
    data_type = process.data_type.value
    return ExchangeSpec(
        kind,
        index,
        process.id,
        field_name,
        amount,
        LOGNORMAL,
        "default",
        gsd=default_gsd(data_type, factor),
        note=f"{data_type} pedigree {DEFAULT_PEDIGREE[data_type]}, basic U={factor:g} ({label})",
    )


def exchange_specs(study: Any, inventory: Any, background: Any, defaults: bool = True, file: Any = None) -> list[ExchangeSpec]:
    """One spec per foreground link, background link and flow of `inventory`, in its order.

    Walks the study in the order `inventory.build_inventory` does, and checks each amount
    against the inventory's, so a change there cannot silently misalign the two.
    """
    specs: list[ExchangeSpec] = []
    counters = {"foreground": 0, "background": 0, "flow": 0}
    lists = {"foreground": inventory.foreground_links, "background": inventory.background_links, "flow": inventory.flows}

    def take(kind: str, item_amount: float) -> tuple[int, float, float]:
        index = counters[kind]
        counters[kind] += 1
        if index >= len(lists[kind]):
            raise CalculationError(f"uncertainty: the study has more {kind} exchanges than its inventory")
        amount = float(lists[kind][index][2])
        scale = amount / item_amount if item_amount else 0.0
        return index, amount, scale

    for process in study.processes:
        for position, item in enumerate(process.inputs, start=1):
            field_name = f"inputs[{position}]"
            kind = "foreground" if item.process is not None else "background"
            index, amount, scale = take(kind, item.amount)
            if kind == "background":
                dataset = inventory.linked_background.get(lists[kind][index][0])
                basic = BASIC_TRANSPORT if dataset is not None and dataset.unit.replace(" ", "").lower() in {"t*km", "tkm", "ton*km", "tonne*km", "metric_ton*km"} else BASIC_INPUT_DEFAULT
            else:
                basic = BASIC_INPUT_DEFAULT
            if item.uncertainty is not None:
                specs.append(_from_study(kind, index, process, field_name, item, scale, amount, file))
            else:
                specs.append(_default(kind, index, process, field_name, amount, basic, defaults))
        for position, flow in enumerate(process.elementary_flows, start=1):
            field_name = f"elementary_flows[{position}]"
            index, amount, scale = take("flow", flow.amount)
            if flow.uncertainty is not None:
                specs.append(_from_study("flow", index, process, field_name, flow, scale, amount, file))
            else:
                basic = basic_for_flow(flow.flow or "", flow.compartment or "")
                specs.append(_default("flow", index, process, field_name, amount, basic, defaults))
        # System-expansion credits follow the inputs and flows of the process in the inventory.
        if any(a.process == process.id and a.method == "system-expansion" for a in inventory.allocation):
            for position, coproduct in enumerate(process.coproducts, start=1):
                index, amount, _ = take("background", coproduct.amount)
                specs.append(
                    ExchangeSpec("background", index, process.id, f"coproducts[{position}]", amount, FIXED, "fixed", note="co-product credit held fixed")
                )
    for kind, count in counters.items():
        if count != len(lists[kind]):
            raise CalculationError(f"uncertainty: {len(lists[kind])} {kind} exchanges in the inventory, {count} in the study")
    return specs


def params_array(specs: Sequence[ExchangeSpec]) -> np.ndarray:
    """The specs as a stats_arrays parameter array (one row each, inventory units)."""
    from stats_arrays import (
        LognormalUncertainty,
        NormalUncertainty,
        TriangularUncertainty,
        UncertaintyBase,
        UndefinedUncertainty,
        UniformUncertainty,
    )

    params = UncertaintyBase.from_dicts(*[{"loc": 0.0, "uncertainty_type": 0}] * len(specs)) if specs else np.zeros(0)
    for row, spec in enumerate(specs):
        p = params[row]
        p["negative"] = spec.amount < 0
        if spec.distribution == LOGNORMAL:
            p["uncertainty_type"] = LognormalUncertainty.id
            p["loc"] = math.log(abs(spec.amount))
            p["scale"] = math.log(spec.gsd)
        elif spec.distribution == NORMAL:
            p["uncertainty_type"] = NormalUncertainty.id
            p["loc"], p["scale"] = spec.amount, spec.sd
        elif spec.distribution == UNIFORM:
            p["uncertainty_type"] = UniformUncertainty.id
            p["loc"], p["minimum"], p["maximum"] = spec.amount, spec.minimum, spec.maximum
        elif spec.distribution == TRIANGULAR:
            p["uncertainty_type"] = TriangularUncertainty.id
            p["loc"], p["minimum"], p["maximum"] = spec.amount, spec.minimum, spec.maximum
        else:
            p["uncertainty_type"] = UndefinedUncertainty.id
            p["loc"] = spec.amount
        params[row] = p
    return params


# ---------------------------------------------------------------------------------------------
# The vectorised Monte Carlo
# ---------------------------------------------------------------------------------------------


@dataclass
class MonteCarloSystem:
    """A foreground reduced to index arrays, with the background scores it needs."""

    production: np.ndarray  # (n,)
    product_index: int
    demand_amount: float
    fg_supplier: np.ndarray  # (mf,)
    fg_consumer: np.ndarray
    bg_consumer: np.ndarray  # (mb,)
    bg_dataset: np.ndarray  # (mb,) column in `dataset_ids`
    flow_consumer: np.ndarray  # (mq,)
    flow_column: np.ndarray  # (mq,) column in `flow_factors`
    dataset_ids: list[int]
    dataset_scores: np.ndarray  # (k, d)
    flow_factors: np.ndarray  # (k, q)
    amounts: np.ndarray  # (mf + mb + mq,) deterministic amounts, in this order
    params: np.ndarray  # stats_arrays params, same order
    categories: tuple[str, ...]

    @property
    def sizes(self) -> tuple[int, int, int]:
        return len(self.fg_supplier), len(self.bg_consumer), len(self.flow_consumer)


def monte_carlo_system(inventory: Any, prepared: Any, specs: Sequence[ExchangeSpec] | None = None) -> MonteCarloSystem:
    """Index arrays of the foreground, the prepared scores it needs, and parameters in one order."""
    fg = inventory.foreground_links
    bg = inventory.background_links
    flows = inventory.flows
    dataset_ids = sorted({d for d, _, _ in bg})
    column = {d: j for j, d in enumerate(dataset_ids)}
    flow_ids = sorted({f for f, _, _ in flows})
    flow_col = {f: j for j, f in enumerate(flow_ids)}
    order = {("foreground", i): i for i in range(len(fg))}
    order.update({("background", i): len(fg) + i for i in range(len(bg))})
    order.update({("flow", i): len(fg) + len(bg) + i for i in range(len(flows))})
    amounts = np.array([a for _, _, a in fg] + [a for _, _, a in bg] + [a for _, _, a in flows], dtype=float)
    ordered: list[ExchangeSpec | None] = [None] * len(amounts)
    for spec in specs or []:
        ordered[order[(spec.kind, spec.index)]] = spec
    filled = [
        s if s is not None else ExchangeSpec("?", i, "", "", float(amounts[i]), FIXED, "fixed") for i, s in enumerate(ordered)
    ]
    return MonteCarloSystem(
        production=np.asarray(inventory.production, dtype=float),
        product_index=inventory.product_index,
        demand_amount=float(inventory.demand_amount),
        fg_supplier=np.array([s for s, _, _ in fg], dtype=np.int64),
        fg_consumer=np.array([c for _, c, _ in fg], dtype=np.int64),
        bg_consumer=np.array([c for _, c, _ in bg], dtype=np.int64),
        bg_dataset=np.array([column[d] for d, _, _ in bg], dtype=np.int64),
        flow_consumer=np.array([c for _, c, _ in flows], dtype=np.int64),
        flow_column=np.array([flow_col[f] for f, _, _ in flows], dtype=np.int64),
        dataset_ids=dataset_ids,
        dataset_scores=prepared.dataset_scores(dataset_ids) if dataset_ids else np.zeros((len(prepared.categories), 0)),
        flow_factors=prepared.flow_scores(flow_ids) if flow_ids else np.zeros((len(prepared.categories), 0)),
        amounts=amounts,
        params=params_array(filled),
        categories=tuple(prepared.categories),
    )


def sample_amounts(system: MonteCarloSystem, iterations: int, seed: int) -> np.ndarray:
    """(iterations, exchanges) sampled amounts; fixed exchanges repeat their amount."""
    from stats_arrays import MCRandomNumberGenerator

    out = np.broadcast_to(system.amounts, (iterations, len(system.amounts))).copy()
    uncertain = np.flatnonzero(system.params["uncertainty_type"] > 1) if len(system.params) else np.zeros(0, np.int64)
    if len(uncertain) and iterations:
        generator = MCRandomNumberGenerator(system.params[uncertain], seed=seed)
        drawn = generator.generate(samples=max(iterations, 2))[:, :iterations]
        out[:, uncertain] = drawn.T
    return out


def simulate(
    system: MonteCarloSystem,
    amounts: np.ndarray,
    background_scores: np.ndarray | None = None,
    chunk_elements: int = 4_000_000,
) -> np.ndarray:
    """Scores (iterations, categories) for each row of sampled `amounts`.

    `background_scores` (iterations, categories, datasets) replaces the fixed per-dataset
    scores when the background is sampled too.
    """
    iterations = amounts.shape[0]
    n = len(system.production)
    mf, mb, mq = system.sizes
    k = len(system.categories)
    d = len(system.dataset_ids)
    q = system.flow_factors.shape[1]
    out = np.empty((iterations, k))
    demand = np.zeros(n)
    demand[system.product_index] = system.demand_amount
    to_dataset = np.zeros((mb, d))
    to_dataset[np.arange(mb), system.bg_dataset] = 1.0
    to_flow = np.zeros((mq, q))
    to_flow[np.arange(mq), system.flow_column] = 1.0
    step = max(1, chunk_elements // max(n * n, 1))
    negative = 0
    for start in range(0, iterations, step):
        stop = min(iterations, start + step)
        c = stop - start
        block = amounts[start:stop]
        matrix = np.zeros((c, n, n))
        matrix[:, np.arange(n), np.arange(n)] = system.production
        if mf:
            np.subtract.at(matrix, (slice(None), system.fg_supplier, system.fg_consumer), block[:, :mf])
        if n == 1:
            supply = (demand[None, :] / matrix[:, 0, :])
        else:
            supply = np.linalg.solve(matrix, np.broadcast_to(demand[:, None], (c, n, 1)))[..., 0]
        negative += int(np.count_nonzero(np.any(supply < 0, axis=1)))
        bought = (block[:, mf : mf + mb] * supply[:, system.bg_consumer]) @ to_dataset  # (c, d)
        emitted = (block[:, mf + mb :] * supply[:, system.flow_consumer]) @ to_flow  # (c, q)
        if background_scores is None:
            scores = bought @ system.dataset_scores.T
        else:
            scores = np.einsum("cd,ckd->ck", bought, background_scores[start:stop])
        out[start:stop] = scores + emitted @ system.flow_factors.T
    if negative:
        raise CalculationError(
            f"{negative} of {iterations} sampled iterations push a foreground loop past what it makes (a process "
            "would run at a negative rate); narrow the distributions of the loop's inputs",
            field="uncertainty",
        )
    if not np.all(np.isfinite(out)):
        raise CalculationError("a sampled foreground was singular: some iterations have no finite result", field="uncertainty")
    return out


# ---------------------------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------------------------


class CategoryStatistics(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str
    unit: str
    deterministic: float
    mean: float
    median: float
    p2_5: float = Field(description="2.5th percentile")
    p97_5: float = Field(description="97.5th percentile")
    sd: float


class ClassProbabilities(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str
    table: str = Field(description="Which class table: material, period, and where it came from")
    thresholds: list[float]
    probabilities: dict[str, float]
    deterministic_class: str
    most_likely_class: str


class ExchangeUncertainty(BaseModel):
    model_config = ConfigDict(extra="forbid")

    process: str
    field: str
    distribution: str
    origin: str
    gsd: float | None = None
    sd: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    note: str = ""


class UncertaintyReport(BaseModel):
    """What `footprint uncertainty` prints and writes."""

    model_config = ConfigDict(extra="forbid")

    title: str
    material: str
    declared_unit_kg: float
    iterations: int
    seed: int
    background: str = Field(description="'fixed' or 'sampled'")
    defaults: bool
    defaults_source: str
    categories: list[CategoryStatistics]
    classes: ClassProbabilities | None = None
    classes_note: str | None = None
    exchanges: list[ExchangeUncertainty]
    fingerprint: dict[str, Any]
    notes: list[str] = Field(default_factory=list)


def class_probabilities(values: np.ndarray, thresholds: Sequence[float], labels: Sequence[str] | None = None) -> dict[str, float]:
    """Share of iterations in each class; a value equal to a threshold is in the better class
    (footprint.classes.BOUNDARY_RULE, as `assign_class`)."""
    import string

    thresholds = np.asarray(list(thresholds), dtype=float)
    labels = list(labels) if labels is not None else list(string.ascii_uppercase[: len(thresholds) + 1])
    index = np.searchsorted(thresholds, values, side="left")
    counts = np.bincount(index, minlength=len(thresholds) + 1)
    return {label: float(c) / max(len(values), 1) for label, c in zip(labels, counts)}


def _class_table(material: str, on_date: dt.date, registry: Any, class_table: Any) -> tuple[Any | None, str, str | None]:
    """(table, where it came from, why there is none)."""
    from .classes import ClassTable, load_class_table, table_in_force

    if class_table is not None:
        if isinstance(class_table, ClassTable):
            return class_table, "given", None
        return load_class_table(class_table), str(class_table), None
    if registry is not None:
        try:
            table = registry.class_table(material, on_date)
        except Exception:  # a plugin hook failing must not stop the uncertainty analysis
            table = None
        if table is not None:
            return table, "material plugin", None
    try:
        return table_in_force(material, on_date), "shipped classes/", None
    except FootprintInputError as exc:
        return None, "", str(exc)


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
    prepared: Any | None = None,
    background: Any | None = None,
    background_override: str | None = None,
    project_override: str | None = None,
    brightway_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
    keep_samples: bool = False,
) -> tuple[UncertaintyReport, np.ndarray | None]:
    """Monte Carlo of one study; returns the report and, if asked, the (iterations, categories) samples."""
    from .assessment import background_for, check_study, link_study, results_from
    from .classes import LETTERS
    from .market import DEFAULT_CATEGORY, normalise_category
    from .methods import load_method_set
    from .plugins import MaterialRegistry
    from .prepared import compute_prepared, prepare_background

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
    prepared = prepared or prepare_background(background, method_set, progress=progress)
    inventory = link_study(checked, background)
    outcome = compute_prepared(inventory, prepared)
    deterministic = outcome.totals
    results = results_from(checked, inventory, background, method_set, outcome)

    specs = exchange_specs(study, inventory, background, defaults=defaults, file=checked.loaded.path)
    system = monte_carlo_system(inventory, prepared, specs)
    amounts = sample_amounts(system, iterations, seed)

    notes: list[str] = []
    background_scores = None
    mode = "fixed"
    if sample_background:
        from .engine import background_has_distributions, sample_background_scores

        if background_has_distributions(background):
            if progress:
                progress(f"sampling the background with bw2calc ({iterations} iterations, one factorisation each)")
            background_scores = sample_background_scores(background, method_set, system.dataset_ids, iterations, seed)
            mode = "sampled"
        else:
            notes.append("the background carries no distributions: it was held fixed")
    samples = simulate(system, amounts, background_scores)

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
        table, origin, missing = _class_table(study.material, when, registry, class_table)
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
        deterministic_class = labels[int(np.searchsorted(np.asarray(bounds, float), value, side="left"))]
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
