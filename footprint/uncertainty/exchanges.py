"""Which foreground amounts are uncertain, and how: the study's distributions, else pedigree defaults.

Distributions come from the study (`uncertainty` on an input or elementary flow). Exchanges
without one get a default lognormal from the data type of their process, by the pedigree
approach of the ecoinvent database (see `DEFAULTS_SOURCE`); `--no-defaults` keeps them fixed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ..errors import CalculationError, FootprintInputError

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
