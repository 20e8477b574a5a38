"""What `assess` adds to every result: elasticities, data quality rating, primary data share.

Cheap by construction: the linked foreground is already solved; the sensitivity costs one
small dense adjoint solve and a few matrix products (no background work on the prepared
engine), the data quality rating a weighted mean. The solved foreground stays attached to the
results (not serialised) so that the class margin can re-solve it when a class table is known.
"""

from __future__ import annotations

from typing import Any

from ..errors import CalculationError, FootprintError
from ..indicators import primary_data_share
from ..methods import CLIMATE_CHANGE
from .quality import data_quality
from .sensitivity import StudySensitivity, study_sensitivity

# The sensitivity re-derives the result from the same arrays; anything beyond rounding is a fault.
REPRODUCTION_TOLERANCE = 1e-9


def annotate(
    results: Any,
    checked: Any,
    inventory: Any,
    background: Any,
    method_set: Any,
    *,
    engine: Any,
    virgin: Any | None = None,
    formula: tuple[float, float, float] | None = None,
) -> Any:
    """`results` with `elasticities`, `dqr` and `primary_data_share` (and the solved foreground attached).

    `virgin` and `formula` (A, R1, Qsin/Qp): the primary study's results and the Circular
    Footprint Formula's parameters, where the rules apply it.
    """
    study, rules = checked.loaded.study, checked.rules
    declared = list(dict.fromkeys([CLIMATE_CHANGE, *checked.declared_categories]))
    virgin_sensitivity = getattr(virgin, "_sensitivity", None) if virgin is not None else None
    cff = (*formula, virgin_sensitivity) if formula is not None and virgin_sensitivity is not None else None
    sensitivity = study_sensitivity(study, rules, inventory, background, method_set, engine=engine, formula=cff)
    _check_reproduces(sensitivity, results, checked)
    quality = data_quality(study, inventory, background, sensitivity, declared, virgin=getattr(virgin, "dqr", None))
    try:
        share = primary_data_share(results)
    except FootprintError:
        share = None
    annotated = results.model_copy(update={"elasticities": sensitivity.elasticities(declared), "dqr": quality, "primary_data_share": share})
    annotated._sensitivity = sensitivity
    return annotated


def _check_reproduces(sensitivity: StudySensitivity, results: Any, checked: Any) -> None:
    for k, name in enumerate(sensitivity.categories):
        result = results.category(name)
        expected, got = result.value, float(sensitivity.totals[k])
        scale = max(abs(expected), sum(abs(v) for v in result.by_process.values()))
        if not abs(got - expected) <= REPRODUCTION_TOLERANCE * scale:
            raise CalculationError(
                f"the sensitivity's foreground gives {got!r} for {name}, the result is {expected!r}: "
                "the elasticities would not describe the declared result",
                file=checked.loaded.path,
            )
