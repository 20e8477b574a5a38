"""Class margin: how far a declared value is from its class thresholds, and what one amount,
changed alone, would take to move it into another class.

The class comes from the one lookup (`footprint.classes.lookup.class_indices`: a value on a
threshold belongs to the better class), so reaching the lower threshold exactly already gives
the better class, while the worse class needs a value above the upper threshold.

Where the result is linear in the amount (an input not in a loop, an elementary flow, a
substituted co-product, a formula parameter) the change is the gap over the slope, exactly.
Where it is not (a reference output, an allocation weight or price, an input closing a loop)
the change is solved exactly on the re-solved foreground (Brent's method), and the linear
estimate would be an extrapolation.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..classes.lookup import class_indices
from ..indicators import AmountMargin, ClassChange, ClassMargin, Elasticity
from .sensitivity import StudySensitivity

UP = (1.01, 1.1, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0, 100.0, 1e3, 1e4, 1e6)
DOWN = (0.99, 0.9, 0.75, 0.5, 0.25, 0.1, 1e-2, 1e-3, 1e-6, 0.0)


def class_margin(results: Any, table: Any, *, top: int = 20, sensitivity: StudySensitivity | None = None) -> ClassMargin:
    """The margin of `results` under `table`, with the `top` amounts of the classed category."""
    category = table.category
    result = results.category(category)
    value = result.value
    thresholds = list(table.thresholds)
    labels = list(table.labels)
    index = int(class_indices(thresholds, value))
    lower = thresholds[index - 1] if index > 0 else None
    upper = thresholds[index] if index < len(thresholds) else None
    to_better = value - lower if lower is not None else None
    to_worse = upper - value if upper is not None else None
    gaps = [(g, d) for g, d in ((to_better, "better"), (to_worse, "worse")) if g is not None]
    margin = ClassMargin(
        category=category,
        unit=result.unit,
        value=value,
        class_label=labels[index],
        table=f"{table.material} {table.period}{' (provisional)' if table.provisional else ''}",
        lower_threshold=lower,
        upper_threshold=upper,
        to_better=to_better,
        to_better_percent=_percent(to_better, value),
        to_worse=to_worse,
        to_worse_percent=_percent(to_worse, value),
        nearest=min(gaps)[1] if gaps else None,  # type: ignore[arg-type]
    )
    sensitivity = sensitivity if sensitivity is not None else getattr(results, "_sensitivity", None)
    if sensitivity is None or category not in sensitivity.categories:
        return margin
    k = sensitivity.categories.index(category)
    derivatives = sensitivity.derivatives()[:, k]
    ranked = sorted(
        (e for e in results.elasticities if e.by_category.get(category) is not None),
        key=lambda e: -abs(e.by_category[category] or 0.0),
    )[:top]
    for position, elasticity in enumerate(ranked, start=1):
        i = sensitivity.index_of(elasticity.study, elasticity.process, elasticity.field)
        slope = float(derivatives[i])
        changes = {}
        for direction, target, goal in (("better", lower, index - 1), ("worse", upper, index + 1)):
            if target is None:
                continue
            changes[direction] = _change(sensitivity, i, k, elasticity, slope, value, target, direction, labels[goal])
        margin.amounts.append(
            AmountMargin(
                rank=position, study=elasticity.study, process=elasticity.process, field=elasticity.field, label=elasticity.label,
                amount=elasticity.amount, unit=elasticity.unit, elasticity=elasticity.by_category.get(category),
                to_better=changes.get("better"), to_worse=changes.get("worse"),
            )
        )
    return margin


def _percent(gap: float | None, value: float) -> float | None:
    return 100 * gap / abs(value) if gap is not None and value else None


def _change(
    sensitivity: StudySensitivity, i: int, k: int, elasticity: Elasticity, slope: float, value: float, target: float, direction: str, label: str
) -> ClassChange:
    amount = elasticity.amount
    unreachable = ClassChange(direction=direction, target_class=label, reachable=False, method="not reachable")  # type: ignore[arg-type]
    if slope == 0:
        return unreachable.model_copy(update={"note": "the result does not depend on this amount"})
    linear_new = amount + (target - value) / slope
    if elasticity.linear:
        if linear_new < 0:
            return unreachable.model_copy(update={"note": f"it would take a negative amount ({linear_new:.6g} {elasticity.unit})"})
        return _found(direction, label, amount, linear_new, "linear, exact", "")
    solved = _solve(lambda x: float(sensitivity.totals_with(i, x)[k]) - target, amount, linear_new)
    if solved is None:
        return unreachable.model_copy(update={"note": f"no amount of 0 to 1e6 times the declared one reaches {target:.6g}; "
                                              f"a linear extrapolation would say {linear_new:.6g} {elasticity.unit}"})
    note = f"a linear extrapolation would say {linear_new:.6g} {elasticity.unit}"
    return _found(direction, label, amount, solved, "solved exactly (not linear in this amount)", note)


def _found(direction: str, label: str, amount: float, new: float, method: str, note: str) -> ClassChange:
    return ClassChange(
        direction=direction, target_class=label, reachable=True, new_amount=new, change=new - amount,  # type: ignore[arg-type]
        change_percent=100 * (new - amount) / amount if amount else None, method=method, note=note,  # type: ignore[arg-type]
    )


def _solve(gap: Any, amount: float, estimate: float) -> float | None:
    """The amount (>= 0) where `gap` changes sign, searched from the declared one outwards."""
    from scipy.optimize import brentq

    start = gap(amount)
    if start == 0:
        return amount
    base = amount if amount > 0 else abs(estimate) or 1.0
    factors = UP if estimate > amount or (amount == 0) else DOWN
    previous = amount
    for factor in factors:
        x = base * factor
        here = gap(x)
        if not math.isfinite(here):
            continue
        if here == 0:
            return x
        if np.sign(here) != np.sign(start):
            lo, hi = sorted((previous, x))
            return float(brentq(gap, lo, hi, xtol=1e-14 * max(hi, 1e-300), rtol=4 * np.finfo(float).eps, maxiter=200))
        previous = x
    return None
