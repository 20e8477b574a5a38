"""Calibrating a material's class table from the market (Annex V Part VIII).

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
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .. import __version__
from .lookup import class_indices
from .market import DEFAULT_CATEGORY, MarketData, normalise_category
from .table import (
    LETTERS,
    CalibrationError,
    CalibrationSettings,
    ClassBand,
    ClassTable,
    DisclosureError,
    InputData,
    Method,
    ThinDataError,
    check_category_unit,
)


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
        """Class of each sorted value under the boundary rule."""
        return class_indices(thresholds, self.values)

    def shares(self, thresholds: Sequence[float]) -> np.ndarray:
        """Share of total weight in each class."""
        return np.bincount(self.class_index(thresholds), weights=self.weights, minlength=len(thresholds) + 1) / self.total


def weighted_quantiles(values: Sequence[float] | np.ndarray, q: Sequence[float] | float, weights: Sequence[float] | np.ndarray | None = None) -> np.ndarray:
    """Weighted quantiles (Hazen positions, linear interpolation); q in [0, 1]."""
    v = np.asarray(values, dtype=np.float64)
    w = np.ones_like(v) if weights is None else np.asarray(weights, dtype=np.float64)
    return WeightedDistribution(v, w).quantile(q)


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
            footprint_version=__version__,
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
