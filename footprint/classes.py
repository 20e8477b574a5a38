"""Environmental footprint performance classes (Regulation (EU) 2024/1252, Annex V Part VIII).

Part VIII: per material, "a meaningful number" of classes, class A the best (lowest impact);
thresholds and widths "based on the distribution of declared values of that material placed
on the EU market over the previous three years", expected technological improvement and other
technical factors; number and thresholds reviewed every three years.

How footprint reads that:

* the distribution is of *material*, not of paperwork: each declared value is weighted by the
  tonnes placed on the market (unweighted is an option);
* three banding methods: `quantile` (equal share of market volume per class), `equal-width`
  (equal bands between robust bounds, e.g. the 5th and 95th weighted percentiles, with
  open-ended end classes) and `auto` (equal-width, with as many classes as the spread allows
  while each band stays wider than the typical declaration uncertainty);
* an expected annual improvement rate tightens the thresholds from the middle of the data
  window to the middle of the validity period;
* thin data is refused, and so is a threshold that could reveal one producer's value (each
  boundary must rest on several producers; no one producer may dominate it).

Boundary rule (the EU energy label's convention): a class's upper threshold belongs to that
class. A value exactly equal to the threshold between A and B is class A; any value above it
is class B or worse. Values are compared as declared, without rounding.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import string
import tomllib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import numpy as np
import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

import footprint
from footprint.errors import FootprintInputError
from footprint.market import DEFAULT_CATEGORY, NEGATIVE_VALUE, MarketData, normalise_category

BOUNDARY_RULE = (
    "A class includes its upper threshold: a value exactly equal to the threshold between two "
    "classes belongs to the better (lower-impact) class; values are compared as declared, "
    "without rounding."
)
LETTERS = string.ascii_uppercase
ENERGY_LABEL_RESCALE_SHARE = 0.30
Method = Literal["quantile", "equal-width", "auto"]


class CalibrationError(FootprintInputError, ValueError):
    """The market data cannot support a class table (the message says why and what to change)."""


class ThinDataError(CalibrationError):
    """Too few declarations or producers to calibrate, overall or in a class."""


class DisclosureError(CalibrationError):
    """A threshold would rest on too few producers: it could reveal one producer's value."""


class NoTableInForce(FootprintInputError, LookupError):
    """No class table covers the material on the date asked."""


class SeveralTablesInForce(FootprintInputError, LookupError):
    """Two tables of the same standing cover the material on one date: which one applies is not ours to guess."""


def check_category_unit(category: str, unit: str | None = None) -> None:
    """ValueError unless `category` is an impact category of the method set and `unit` its unit per declared unit.

    A declared value is in the category's unit per declared unit ('kg CO2-Eq per kg' for climate
    change): a table whose category and unit disagree would class one impact against another's
    thresholds.
    """
    from footprint.methods import load_method_set

    methods = load_method_set()
    try:
        expected = methods.category(category).unit
    except KeyError:
        raise ValueError(f"{category!r} is not an impact category of {methods.name} ({', '.join(methods.names)})") from None
    if unit is not None and unit.casefold() != expected.casefold() and not unit.casefold().startswith(f"{expected} per ".casefold()):
        raise ValueError(
            f"unit {unit!r} is not a unit of {category}: its values are {expected!r} per declared unit, e.g. '{expected} per kg'"
        )


class CalibrationSettings(BaseModel):
    """How a material's classes are calibrated; a material's rules embed one of these.

    Self-contained on purpose (no imports from the rest of footprint) so a material plugin can
    declare its settings in its rules and a regulator can override them on the command line.
    """

    model_config = ConfigDict(extra="forbid")

    method: Method = Field(default="auto", description="quantile | equal-width | auto.")
    n_classes: int | None = Field(default=None, ge=2, le=10, description="Fixed number of classes (quantile, equal-width).")
    min_classes: int = Field(default=3, ge=2, le=10, description="Fewest classes 'auto' may choose.")
    max_classes: int = Field(default=7, ge=2, le=10, description="Most classes 'auto' may choose.")
    lower_percentile: float = Field(default=5.0, gt=0, lt=50, description="Robust lower bound (weighted percentile).")
    upper_percentile: float = Field(default=95.0, gt=50, lt=100, description="Robust upper bound (weighted percentile).")
    annual_improvement: float = Field(default=0.0, ge=0, lt=0.5, description="Expected technological improvement per year (0.02 = 2 %/yr).")
    weighted: bool = Field(default=True, description="Weight values by tonnes placed on the market.")
    window_years: int = Field(default=3, ge=1, le=10, description="Years of market data before the period (Part VIII: three).")
    min_declarations: int = Field(default=20, ge=1, description="Fewest declarations to calibrate at all.")
    min_producers: int = Field(default=5, ge=1, description="Fewest distinct producers to calibrate at all.")
    min_producers_per_class: int = Field(default=3, ge=1, description="Fewest distinct producers with values in each class.")
    min_producers_per_boundary: int = Field(default=3, ge=1, description="Fewest distinct producers around each data-derived boundary.")
    boundary_window: float = Field(default=0.05, gt=0, le=0.5, description="Half-width, in share of market volume, of the neighbourhood that must hold those producers.")
    max_producer_share_at_boundary: float = Field(default=0.5, gt=0, le=1, description="Largest share of a boundary's neighbourhood volume one producer may hold.")
    typical_uncertainty: float | None = Field(default=None, gt=0, description="Typical declaration uncertainty (absolute) when the data gives none.")
    typical_relative_uncertainty: float | None = Field(default=None, gt=0, lt=1, description="Same, as a share of the weighted median value.")
    min_band_width_factor: float = Field(default=1.0, gt=0, description="'auto': each inner band must be wider than this times the typical uncertainty.")
    best_class_alert_share: float = Field(default=ENERGY_LABEL_RESCALE_SHARE, gt=0, le=1, description="Flag a table for review when class A holds this share of the market.")

    @model_validator(mode="after")
    def _consistent(self) -> CalibrationSettings:
        if self.min_classes > self.max_classes:
            raise ValueError(f"min_classes ({self.min_classes}) exceeds max_classes ({self.max_classes})")
        if self.method == "equal-width" and self.n_classes is not None and self.n_classes < 3:
            raise ValueError("equal-width needs at least 3 classes (two open-ended end classes and one band)")
        if self.method in ("quantile", "equal-width") and self.n_classes is None:
            raise ValueError(f"method {self.method!r} needs n_classes")
        if self.method == "auto" and self.min_classes < 3:
            raise ValueError("'auto' uses equal-width bands and needs min_classes >= 3")
        return self


def check_thresholds(t: Sequence[float]) -> None:
    """Class boundaries any table (or bare --thresholds) must have: finite, non-negative, increasing."""
    t = list(t)
    if any(not math.isfinite(x) for x in t):
        raise ValueError("thresholds must be finite numbers")
    if any(x < 0 for x in t):
        raise ValueError(f"thresholds must not be negative, got {t}: declared values (cut-off approach) are zero or more")
    if any(b <= a for a, b in zip(t, t[1:])):
        raise ValueError(f"thresholds must be strictly increasing, got {t}")


class ClassBand(BaseModel):
    """One class: its letter and its bounds (lower exclusive, upper inclusive; None = open)."""

    model_config = ConfigDict(extra="forbid")

    label: str = Field(pattern=r"^[A-Z]$")
    lower: float | None = Field(default=None, description="Exclusive lower bound; absent for class A.")
    upper: float | None = Field(default=None, description="Inclusive upper bound; absent for the last class.")
    market_share: float | None = Field(default=None, ge=0, le=1, description="Share of calibration market volume in this class.")
    declarations: int | None = Field(default=None, ge=0, description="Calibration declarations in this class.")
    producers: int | None = Field(default=None, ge=0, description="Distinct producers in this class.")


class InputData(BaseModel):
    """What the thresholds rest on, so anyone holding the data can check them."""

    model_config = ConfigDict(extra="forbid")

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="sha256 of the market data file(s) read.")
    size_bytes: int = Field(ge=0)
    records: int = Field(ge=0, description="Rows in the input (all materials, categories, dates).")
    declarations_used: int = Field(ge=0, description="Rows of this material and category inside the data window.")
    producers_used: int = Field(ge=0)
    volume_t: float = Field(ge=0, description="Tonnes placed on the market behind the rows used.")
    window_start: dt.date
    window_end: dt.date
    source: str = Field(default="", description="File or folder name as given.")


class ClassTable(BaseModel):
    """A material's performance classes for one validity period."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = 1
    material: str = Field(min_length=1)
    category: str = Field(default=DEFAULT_CATEGORY)
    unit: str = Field(min_length=1, description="Unit of the declared value, e.g. 'kg CO2-Eq per kg'.")
    period: str = Field(pattern=r"^\d{4}-\d{4}$")
    valid_from: dt.date
    valid_until: dt.date
    method: Method
    settings: CalibrationSettings
    derived: dict[str, float] = Field(default_factory=dict, description="Quantities the method derived: bounds, typical uncertainty, improvement factor.")
    thresholds: list[float] = Field(description="n-1 increasing thresholds between classes A|B, B|C, ...")
    bands: list[ClassBand]
    boundary_rule: str = BOUNDARY_RULE
    provisional: bool = False
    provenance: str = Field(default="", description="How the table was made, in words.")
    sources: list[str] = Field(default_factory=list)
    privacy_waiver: str | None = Field(default=None, description="Why the per-boundary producer rule was relaxed (provisional, public-literature tables only).")
    input: InputData
    footprint_version: str
    calibrated_on: dt.date
    notes: list[str] = Field(default_factory=list)

    @field_validator("category")
    @classmethod
    def _cat(cls, v: str) -> str:
        v = normalise_category(v)
        check_category_unit(v)
        return v

    @field_validator("unit")
    @classmethod
    def _unit_of_category(cls, v: str, info: ValidationInfo) -> str:
        if "category" in info.data:  # absent when the category itself was refused
            check_category_unit(info.data["category"], v)
        return v

    @model_validator(mode="after")
    def _consistent(self) -> ClassTable:
        t = self.thresholds
        check_thresholds(t)
        if len(self.bands) != len(t) + 1:
            raise ValueError(f"{len(t)} thresholds need {len(t) + 1} bands, got {len(self.bands)}")
        for i, band in enumerate(self.bands):
            if band.label != LETTERS[i]:
                raise ValueError(f"band {i} must be labelled {LETTERS[i]!r}, got {band.label!r}")
            lower = t[i - 1] if i > 0 else None
            upper = t[i] if i < len(t) else None
            if band.lower != lower or band.upper != upper:
                raise ValueError(f"band {band.label} bounds ({band.lower}, {band.upper}] disagree with the thresholds")
        if self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        if self.privacy_waiver and not self.provisional:
            raise ValueError("the producer-privacy rule may only be waived for a provisional table")
        return self

    @property
    def labels(self) -> list[str]:
        return [b.label for b in self.bands]

    def in_force(self, on: dt.date) -> bool:
        return self.valid_from <= on <= self.valid_until


# --- weighted distribution ----------------------------------------------------------------


class WeightedDistribution:
    """Values sorted once, with Hazen plotting positions of their cumulative weights.

    Position p_i = (C_i - w_i/2) / W: for equal weights this is the classic (i - 0.5)/n, and a
    quantile is the linear interpolation between neighbouring positions. Everything after the
    one sort is vectorised (np.interp, np.searchsorted).
    """

    def __init__(self, values: np.ndarray, weights: np.ndarray, producers: np.ndarray | None = None) -> None:
        order = np.argsort(values)
        self.values = values[order]
        self.weights = weights[order]
        self.producers = producers[order] if producers is not None else None
        cum = np.cumsum(self.weights)
        self.total = float(cum[-1])
        self.cum = cum
        self.positions = (cum - 0.5 * self.weights) / self.total

    def quantile(self, q: np.ndarray | Sequence[float] | float) -> np.ndarray:
        return np.interp(np.asarray(q, dtype=np.float64), self.positions, self.values)

    def class_index(self, thresholds: Sequence[float]) -> np.ndarray:
        """Class of each sorted value under the boundary rule (threshold belongs to the lower class)."""
        return np.searchsorted(np.asarray(thresholds, dtype=np.float64), self.values, side="left")

    def shares(self, thresholds: Sequence[float]) -> np.ndarray:
        """Share of total weight in each class."""
        edges = np.searchsorted(self.values, np.asarray(thresholds, dtype=np.float64), side="right")
        cum = np.concatenate(([0.0], self.cum))
        bounds = np.concatenate(([0], edges, [self.values.shape[0]]))
        return np.diff(cum[bounds]) / self.total


def weighted_quantiles(values: Sequence[float] | np.ndarray, q: Sequence[float] | float, weights: Sequence[float] | np.ndarray | None = None) -> np.ndarray:
    """Weighted quantiles (Hazen positions, linear interpolation); q in [0, 1]."""
    v = np.asarray(values, dtype=np.float64)
    w = np.ones_like(v) if weights is None else np.asarray(weights, dtype=np.float64)
    return WeightedDistribution(v, w).quantile(q)


# --- calibration ----------------------------------------------------------------------------


def parse_period(period: str) -> tuple[dt.date, dt.date]:
    """'2027-2029' -> (2027-01-01, 2029-12-31)."""
    m = re.fullmatch(r"(\d{4})-(\d{4})", period.strip())
    if not m:
        raise CalibrationError(f"period {period!r} must be written YYYY-YYYY, e.g. 2027-2029", field="period")
    a, b = int(m.group(1)), int(m.group(2))
    if b < a:
        raise CalibrationError(f"period {period!r} ends before it starts", field="period")
    return dt.date(a, 1, 1), dt.date(b, 12, 31)


def data_window(period: str, years: int = 3) -> tuple[dt.date, dt.date]:
    """The `years` calendar years before the period (Part VIII: the previous three years)."""
    start, _ = parse_period(period)
    return dt.date(start.year - years, 1, 1), dt.date(start.year - 1, 12, 31)


def _midpoint(a: dt.date, b: dt.date) -> dt.date:
    return a + (b - a) / 2


def improvement_factor(rate: float, window: tuple[dt.date, dt.date], validity: tuple[dt.date, dt.date]) -> tuple[float, float]:
    """(factor, years): thresholds scale by (1 - rate)^years from mid-window to mid-validity."""
    years = (_midpoint(*validity) - _midpoint(*window)).days / 365.25
    return (1.0 - rate) ** max(years, 0.0), years


def _typical_uncertainty(data: MarketData, dist: WeightedDistribution, s: CalibrationSettings) -> tuple[float, str]:
    """Weighted median of declared uncertainties; else the settings' figure. Says where it came from."""
    unc = data.uncertainty
    given = ~np.isnan(unc)
    if given.sum() >= max(1, len(data) // 2):
        w = data.quantity_t[given] if s.weighted else np.ones(int(given.sum()))
        return float(weighted_quantiles(unc[given], 0.5, w)[()]), "weighted median of declared uncertainties"
    if s.typical_uncertainty is not None:
        return s.typical_uncertainty, "settings.typical_uncertainty"
    if s.typical_relative_uncertainty is not None:
        return s.typical_relative_uncertainty * abs(float(dist.quantile(0.5)[()])), "settings.typical_relative_uncertainty x weighted median value"
    raise CalibrationError(
        "method 'auto' needs the typical declaration uncertainty: give an 'uncertainty' column for at "
        "least half of the declarations, or set typical_uncertainty / typical_relative_uncertainty",
        field="uncertainty",
    )


def _equal_width(lo: float, hi: float, n: int) -> list[float]:
    """n classes: A = up to lo, n-2 equal bands between lo and hi, the last above hi."""
    return [float(x) for x in np.linspace(lo, hi, n - 1)]


def _auto_classes(lo: float, hi: float, u: float, s: CalibrationSettings) -> int:
    """As many classes as keep each inner band strictly wider than factor x uncertainty."""
    span, minimum = hi - lo, s.min_band_width_factor * u
    inner = math.floor(span / minimum) if minimum > 0 else s.max_classes
    if inner * minimum >= span:
        inner -= 1
    n = inner + 2
    if n < s.min_classes:
        raise CalibrationError(
            f"the market's spread ({lo:.4g} to {hi:.4g}) allows only {max(n, 0)} classes wider than "
            f"{s.min_band_width_factor:g} x the typical uncertainty ({u:.4g}); at least {s.min_classes} are "
            "required. Neighbouring classes would not be distinguishable: use fewer classes (--classes with "
            "--method equal-width) or more precise declarations.",
            field="min_classes",
        )
    return min(n, s.max_classes)


def _raw_thresholds(data: MarketData, dist: WeightedDistribution, s: CalibrationSettings) -> tuple[Method, list[float], list[float], dict[str, float]]:
    """Thresholds from the data (before improvement), the quantile positions they rest on, derived numbers."""
    derived: dict[str, float] = {}
    if s.method == "quantile":
        n = int(s.n_classes or 0)
        anchors = [k / n for k in range(1, n)]
        return "quantile", [float(x) for x in dist.quantile(anchors)], anchors, derived
    anchors = [s.lower_percentile / 100, s.upper_percentile / 100]
    lo, hi = (float(x) for x in dist.quantile(anchors))
    derived.update(lower_bound=lo, upper_bound=hi)
    if not hi > lo:
        raise CalibrationError(f"the robust bounds coincide ({lo:.6g}): the market shows no spread to class", field="values")
    if s.method == "equal-width":
        n = int(s.n_classes or 0)
    else:
        u, _ = _typical_uncertainty(data, dist, s)
        derived["typical_uncertainty"] = u
        n = _auto_classes(lo, hi, u, s)
    derived["n_classes"] = float(n)
    return s.method, _equal_width(lo, hi, n), anchors, derived


def _tighten(threshold: float, factor: float) -> float:
    """Move a threshold towards lower impact (thresholds are never negative: declared values are not)."""
    return float(threshold * factor)


def _check_thin(data: MarketData, s: CalibrationSettings, where: str) -> None:
    n, p = len(data), data.n_producers()
    if n < s.min_declarations:
        raise ThinDataError(f"only {n} declarations {where}; at least {s.min_declarations} are needed to calibrate classes", field="min_declarations")
    if p < s.min_producers:
        raise ThinDataError(f"only {p} distinct producers {where}; at least {s.min_producers} are needed to calibrate classes", field="min_producers")


def _class_counts(dist: WeightedDistribution, thresholds: Sequence[float], n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Declarations and distinct producers per class (vectorised: one unique over class*P + producer)."""
    idx = dist.class_index(thresholds)
    decl = np.bincount(idx, minlength=n_classes)
    assert dist.producers is not None
    p = int(dist.producers.max()) + 1
    pairs = idx.astype(np.int64) * p + dist.producers
    if n_classes * p <= 50_000_000:  # a dense class x producer table: O(n), no sort
        prod = np.count_nonzero(np.bincount(pairs, minlength=n_classes * p).reshape(n_classes, p), axis=1)
    else:
        prod = np.bincount(np.unique(pairs) // p, minlength=n_classes)
    return decl, prod


def _check_classes(prod: np.ndarray, s: CalibrationSettings) -> None:
    thin = [(LETTERS[i], int(c)) for i, c in enumerate(prod) if c < s.min_producers_per_class]
    if thin:
        names = ", ".join(f"{k} ({c})" for k, c in thin)
        raise ThinDataError(
            f"too few producers per class: {names}; each class needs at least {s.min_producers_per_class} "
            "distinct producers. Use fewer classes or wait for more declarations.",
            field="min_producers_per_class",
        )


def _check_disclosure(dist: WeightedDistribution, anchors: Sequence[float], labels: Sequence[str], s: CalibrationSettings) -> None:
    """Each data-derived boundary must rest on several producers, none dominating its neighbourhood.

    The neighbourhood of a boundary at cumulative share q is the market volume between q -
    boundary_window and q + boundary_window: every declaration whose tonnes fall (partly) in it,
    each counted for the part inside. If fewer than
    min_producers_per_boundary producers are there, or one holds more than
    max_producer_share_at_boundary of its volume, the published number is (nearly) that
    producer's value.
    """
    assert dist.producers is not None
    upper = dist.cum / dist.total
    lower = (dist.cum - dist.weights) / dist.total
    prods = dist.producers
    for q, name in zip(anchors, labels):
        a, b = q - s.boundary_window, q + s.boundary_window
        lo = int(np.searchsorted(upper, a, side="left"))
        hi = int(np.searchsorted(lower, b, side="right"))
        overlap = np.clip(np.minimum(upper[lo:hi], b) - np.maximum(lower[lo:hi], a), 0.0, None)
        volume = np.bincount(prods[lo:hi], weights=overlap)  # per producer code: O(window + producers)
        count = int(np.count_nonzero(np.bincount(prods[lo:hi])))
        top = float(volume.max() / volume.sum()) if volume.sum() > 0 else 1.0
        if count < s.min_producers_per_boundary:
            raise DisclosureError(
                f"the {name} would rest on {count} producer(s); at least "
                f"{s.min_producers_per_boundary} are required so no producer's value can be read off a published threshold",
                field="min_producers_per_boundary",
            )
        if top > s.max_producer_share_at_boundary:
            raise DisclosureError(
                f"one producer holds {top:.0%} of the market volume around the {name} (limit "
                f"{s.max_producer_share_at_boundary:.0%}): the threshold would reveal that producer's value",
                field="max_producer_share_at_boundary",
            )


def _anchor_names(method: str, anchors: Sequence[float]) -> list[str]:
    if method == "quantile":
        return [f"threshold {LETTERS[i]}|{LETTERS[i + 1]} (quantile {q:.3g})" for i, q in enumerate(anchors)]
    return [f"robust {'lower' if i == 0 else 'upper'} bound (percentile {100 * q:g})" for i, q in enumerate(anchors)]


def _units(data: MarketData, category: str) -> str:
    """The one unit of the values, which must be the category's (a climate table in m3 would class nothing)."""
    units = data.units.present()
    if len(units) != 1 or not units[0]:
        shown = ", ".join(repr(u) for u in units) or "none"
        raise CalibrationError(
            f"declared values must share one unit to be classed, found {shown}; convert them first", field="unit"
        )
    try:
        check_category_unit(category, units[0])
    except ValueError as exc:
        raise CalibrationError(f"the declared values' {exc}", field="unit") from None
    return units[0]


@contextmanager
def _citing(market: MarketData) -> Iterator[None]:
    """Calibration errors name the market file they come from (data built in memory has none)."""
    try:
        yield
    except CalibrationError as exc:
        if exc.file or market.source == "<memory>":
            raise
        raise exc.located(file=market.source) from None


def calibrate_classes(
    market: MarketData,
    *,
    material: str,
    period: str,
    settings: CalibrationSettings | None = None,
    category: str = DEFAULT_CATEGORY,
    window: tuple[dt.date, dt.date] | None = None,
    provisional: bool = False,
    provenance: str = "",
    sources: Sequence[str] = (),
    privacy_waiver: str | None = None,
    calibrated_on: dt.date | None = None,
) -> ClassTable:
    """Calibrate a material's class table for `period` (e.g. '2027-2029') from market data.

    Uses the `settings.window_years` years before the period unless `window` is given (only for
    provisional tables built from literature, whose data is not dated by declaration).
    `privacy_waiver` relaxes the thin-data and per-boundary producer rules; it is accepted only
    for provisional tables built from published, route-level figures, and is written into the
    table.
    """
    s = settings or CalibrationSettings()
    if privacy_waiver is not None and not provisional:
        raise CalibrationError("the producer-privacy rule may only be waived for a provisional table", field="privacy_waiver")
    if window is not None and not provisional:
        raise CalibrationError("an explicit data window is only allowed for provisional tables; Part VIII uses the three years before the period", field="window")
    validity = parse_period(period)
    win = window or data_window(period, s.window_years)
    category = normalise_category(category)
    try:
        check_category_unit(category)
    except ValueError as exc:
        raise CalibrationError(str(exc), field="category") from None
    with _citing(market):
        records = len(market)
        data = market.select(material, category).between(*win)
        where = f"for {material!r} ({category}) between {win[0]} and {win[1]}"
        if privacy_waiver is None:
            _check_thin(data, s, where)
        elif len(data) < 2:
            raise ThinDataError(f"only {len(data)} data rows {where}; even a provisional table needs two", field="min_declarations")
        unit = _units(data, category)
        weights = data.quantity_t if s.weighted else np.ones(len(data))
        dist = WeightedDistribution(data.value, weights, data.producers)
        method, raw, anchors, derived = _raw_thresholds(data, dist, s)
        if any(b <= a for a, b in zip(raw, raw[1:])):
            raise CalibrationError(
                f"the thresholds {[round(x, 6) for x in raw]} are not distinct: too many declarations share the "
                "same value for this many classes; use fewer classes",
                field="n_classes",
            )
        n_classes = len(raw) + 1
        decl, prod = _class_counts(dist, raw, n_classes)
        if privacy_waiver is None:
            _check_classes(prod, s)
            _check_disclosure(dist, anchors, _anchor_names(method, anchors), s)
        shares = dist.shares(raw)
        factor, years = improvement_factor(s.annual_improvement, win, validity)
        derived.update(improvement_factor=factor, improvement_years=round(years, 4))
        thresholds = [_tighten(t, factor) for t in raw]
        notes = _notes(data, s, method, derived)
        bands = [
            ClassBand(
                label=LETTERS[i],
                lower=thresholds[i - 1] if i > 0 else None,
                upper=thresholds[i] if i < len(thresholds) else None,
                market_share=round(float(shares[i]), 6),
                declarations=int(decl[i]),
                producers=int(prod[i]),
            )
            for i in range(n_classes)
        ]
        return ClassTable(
            material=material,
            category=category,
            unit=unit,
            period=period,
            valid_from=validity[0],
            valid_until=validity[1],
            method=method,
            settings=s,
            derived=derived,
            thresholds=thresholds,
            bands=bands,
            provisional=provisional,
            provenance=provenance or _default_provenance(s, win, provisional),
            sources=list(sources),
            privacy_waiver=privacy_waiver,
            input=InputData(
                sha256=market.sha256,
                size_bytes=market.size_bytes,
                records=records,
                declarations_used=len(data),
                producers_used=data.n_producers(),
                volume_t=float(data.quantity_t.sum()),
                window_start=win[0],
                window_end=win[1],
                source=Path(market.source).name if market.source != "<memory>" else market.source,
            ),
            footprint_version=footprint.__version__,
            calibrated_on=calibrated_on or dt.date.today(),
            notes=notes,
        )


def _default_provenance(s: CalibrationSettings, win: tuple[dt.date, dt.date], provisional: bool) -> str:
    what = "published route-level footprints weighted by production share" if provisional else "declared values placed on the EU market"
    weighting = "weighted by tonnes placed on the market" if s.weighted else "unweighted (one declaration, one vote)"
    return f"Calibrated by footprint from {what} dated {win[0]} to {win[1]}, {weighting}."


def _notes(data: MarketData, s: CalibrationSettings, method: str, derived: dict[str, float]) -> list[str]:
    """Warnings a reader of the table should see (e.g. bands not wider than the uncertainty)."""
    notes: list[str] = []
    unc = data.uncertainty[~np.isnan(data.uncertainty)]
    if method == "equal-width" and unc.size and derived.get("n_classes", 0) > 2:
        width = (derived["upper_bound"] - derived["lower_bound"]) / (derived["n_classes"] - 2)
        median_u = float(np.median(unc))
        if width <= median_u:
            notes.append(f"inner bands ({width:.4g}) are not wider than the median declared uncertainty ({median_u:.4g})")
    if s.annual_improvement:
        notes.append(f"thresholds tightened by {s.annual_improvement:.2%}/yr over {derived['improvement_years']:.2f} years")
    return notes


# --- assignment -------------------------------------------------------------------------------


def assign_class(table: ClassTable, value: float) -> str:
    """Class letter of a declared value under `BOUNDARY_RULE` (threshold -> the better class)."""
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        raise CalibrationError(f"cannot class {value!r}: a declared value must be a finite number", field="value")
    if value < 0:
        raise CalibrationError(f"cannot class {value:g}: a declared value {NEGATIVE_VALUE}, so no class applies", field="value")
    i = int(np.searchsorted(np.asarray(table.thresholds, dtype=np.float64), float(value), side="left"))
    return LETTERS[i]


def classify(
    material: str,
    value: float,
    on: dt.date | None = None,
    folder: Path | Sequence[Path] | None = None,
    *,
    category: str = DEFAULT_CATEGORY,
) -> tuple[str, ClassTable]:
    """Class of a declared value under the table in force on `on` (today): for `declare`."""
    table = table_in_force(material, on or dt.date.today(), folder, category=category)
    return assign_class(table, value), table


def class_shares(table: ClassTable, market: MarketData, *, weighted: bool = True) -> list[float]:
    """Share of the market (volume, or count if unweighted) falling in each class of `table`."""
    if not len(market):
        return [0.0] * len(table.bands)
    w = market.quantity_t if weighted else np.ones(len(market))
    idx = np.searchsorted(np.asarray(table.thresholds), market.value, side="left")
    vol = np.bincount(idx, weights=w, minlength=len(table.bands))
    return [float(x) for x in vol / vol.sum()]


# --- files --------------------------------------------------------------------------------------

_HEADER = (
    "# Environmental footprint performance classes, Regulation (EU) 2024/1252 Annex V Part VIII.\n"
    "# Written by footprint {version}; do not edit by hand: recalibrate instead (see classes/README.md).\n"
)


def class_table_to_toml(table: ClassTable) -> str:
    """TOML text of a table (None fields omitted: TOML has no null)."""
    doc = table.model_dump(mode="python", exclude_none=True)
    return _HEADER.format(version=table.footprint_version) + tomli_w.dumps(doc)


def write_class_table(table: ClassTable, path: str | Path) -> Path:
    """Write atomically (temp file in the same folder, then os.replace): never half a table."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = class_table_to_toml(table)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def load_class_table(path: str | Path) -> ClassTable:
    """Read and validate a class table; errors name the file and the field."""
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FootprintInputError("class table not found", file=path) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise FootprintInputError(f"not a readable TOML class table ({exc})", file=path) from None
    try:
        return ClassTable.model_validate(doc)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"]) or None
        raise FootprintInputError(err["msg"], file=path, field=loc) from None


def default_folder() -> Path:
    from footprint.paths import shipped

    return shipped("classes")


def list_tables(material: str, folders: Path | Sequence[Path] | None = None) -> list[tuple[Path, ClassTable]]:
    """Every table of a material in the given folders (default: the shipped `classes/`)."""
    if folders is None:
        folders = [default_folder()]
    elif isinstance(folders, (str, Path)):
        folders = [Path(folders)]
    out = []
    for folder in folders:
        for p in sorted((Path(folder) / material).glob("*.toml")):
            table = load_class_table(p)
            if table.material != material:
                raise FootprintInputError(f"table is for {table.material!r} but sits in the folder of {material!r}", file=p, field="material")
            out.append((p, table))
    return out


def find_class_table(registry: Any, material: str, on_date: dt.date) -> ClassTable | None:
    """The class table in force on a date: the material plugin's, else the shipped `classes/`
    folder; None when neither has one. What `declare` classes with, so `verify` uses it too."""
    table = registry.class_table(material, on_date)
    if table is not None:
        return table
    try:
        return table_in_force(material, on_date)
    except NoTableInForce:
        return None


def table_in_force(material: str, on_date: dt.date, folder: Path | Sequence[Path] | None = None, *, category: str = DEFAULT_CATEGORY) -> ClassTable:
    """The table in force for a material on a date: valid on that date, definitive before provisional.

    A definitive table (calibrated on declarations) replaces a provisional one for the same
    dates. Two tables of the same standing in force on one date are an error naming both
    files: a class must not depend on which file the folder listing happens to give first.
    """
    cat = normalise_category(category)
    tables = [(p, t) for p, t in list_tables(material, folder) if t.category == cat]
    valid = [(p, t) for p, t in tables if t.in_force(on_date)]
    if not valid:
        known = ", ".join(f"{t.period}{' (provisional)' if t.provisional else ''}" for _, t in tables) or "none"
        raise NoTableInForce(f"no {cat} class table for {material!r} is in force on {on_date} (tables: {known})", field="material")
    chosen = [(p, t) for p, t in valid if not t.provisional] or valid
    if len(chosen) > 1:
        standing = "provisional" if chosen[0][1].provisional else "definitive"
        others = ", ".join(str(p) for p, _ in chosen[1:])
        raise SeveralTablesInForce(
            f"another {standing} {cat} class table for {material!r} is in force on {on_date} too: {others}. "
            "Only one table may apply on a date: withdraw the others (remove them or end their validity)",
            file=chosen[0][0], field="valid_from",
        )
    return chosen[0][1]


# --- recalibration report ------------------------------------------------------------------------


class ThresholdShift(BaseModel):
    boundary: str
    old: float | None
    new: float | None
    shift: float | None
    relative: float | None


class RecalibrationReport(BaseModel):
    """What changes when a new table replaces the old one, measured on the new market data."""

    material: str
    category: str
    unit: str
    old_period: str
    new_period: str
    old_method: str
    new_method: str
    shifts: list[ThresholdShift]
    old_shares: dict[str, float] = Field(description="Share of market volume per class under the old table.")
    new_shares: dict[str, float] = Field(description="Share of market volume per class under the new table.")
    old_best_share: float
    alert_share: float
    old_due_for_review: bool = Field(description="The old table's class A already holds >= alert_share of the market.")
    new_due_for_review: bool
    messages: list[str]


def recalibration_report(old: ClassTable, new: ClassTable, market: MarketData, *, alert_share: float | None = None) -> RecalibrationReport:
    """Shift of each threshold and market share per class before and after, with the review flag.

    Shares are measured on `market` restricted to the new table's data window, i.e. on the
    market the new table was calibrated from. The flag follows the EU energy label's rule of
    thumb: rescale when 30 % of the market reaches class A.
    """
    if (old.material, old.category) != (new.material, new.category):
        raise CalibrationError(f"cannot compare {old.material}/{old.category} with {new.material}/{new.category}", field="material")
    if old.unit != new.unit:
        raise CalibrationError(f"units differ: {old.unit!r} vs {new.unit!r}", field="unit")
    alert = alert_share if alert_share is not None else new.settings.best_class_alert_share
    data = market.select(new.material, new.category).between(new.input.window_start, new.input.window_end)
    weighted = new.settings.weighted
    old_sh, new_sh = class_shares(old, data, weighted=weighted), class_shares(new, data, weighted=weighted)
    shifts = []
    for i in range(max(len(old.thresholds), len(new.thresholds))):
        o = old.thresholds[i] if i < len(old.thresholds) else None
        n = new.thresholds[i] if i < len(new.thresholds) else None
        d = n - o if o is not None and n is not None else None
        shifts.append(ThresholdShift(boundary=f"{LETTERS[i]}|{LETTERS[i + 1]}", old=o, new=n, shift=d, relative=(d / o if d is not None and o else None)))
    msgs = []
    if len(old.thresholds) != len(new.thresholds):
        msgs.append(f"number of classes changes from {len(old.bands)} to {len(new.bands)}; shifts pair boundaries by position")
    old_due, new_due = old_sh[0] >= alert, new_sh[0] >= alert
    if old_due:
        msgs.append(f"class A of the {old.period} table holds {old_sh[0]:.0%} of the market volume (>= {alert:.0%}): the table is due for review")
    if new_due:
        msgs.append(f"class A of the new {new.period} table holds {new_sh[0]:.0%} of the market volume (>= {alert:.0%})")
    return RecalibrationReport(
        material=new.material, category=new.category, unit=new.unit,
        old_period=old.period, new_period=new.period, old_method=old.method, new_method=new.method,
        shifts=shifts,
        old_shares={b.label: s for b, s in zip(old.bands, old_sh)},
        new_shares={b.label: s for b, s in zip(new.bands, new_sh)},
        old_best_share=old_sh[0], alert_share=alert,
        old_due_for_review=old_due, new_due_for_review=new_due, messages=msgs,
    )
