"""Per material: the distribution of declared values and the class table in force, as a plot.

Shown only under the privacy rule of `footprint classes calibrate`, and by the same code: the
registry's market data for the material (the data window of the next period, which ends this
year, with the
quantities producers reported) goes through `footprint.classes.calibrate_classes`, and the
plot appears only if that calibration would be allowed to publish thresholds. Its thin-data
and disclosure rules (enough declarations and producers overall, in every class and around
every boundary, no producer dominating a boundary) then hold for what the plot shows.

The check uses the settings of the table in force (or the material's settings); where those
say 'auto' without a typical uncertainty, which declarations do not carry, it uses equal-width
bands with the fewest classes the settings allow: how many classes there are is not a privacy
question, the producer rules are unchanged.

The plot itself counts declarations per bin of declared value (public numbers); the
confidential quantities only enter the check, never the picture.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from footprint.classes import (
    DEFAULT_CATEGORY,
    CalibrationError,
    CalibrationSettings,
    DisclosureError,
    MarketData,
    ThinDataError,
    calibrate_classes,
    data_window,
    find_class_table,
)
from footprint.classes.colours import class_colours
from footprint.declaration import format_value

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 316, 48, 16, 34, 42


@dataclass
class Distribution:
    """What the material page shows: the plot, or why there is none."""

    material: str
    shown: bool
    reason: str
    window: tuple[dt.date, dt.date]
    declarations: int = 0
    producers: int = 0
    unit: str = ""
    bins: list[dict[str, Any]] = field(default_factory=list)
    bands: list[dict[str, Any]] = field(default_factory=list)
    ticks: list[dict[str, Any]] = field(default_factory=list)
    most: int = 0
    table: Any | None = None
    geometry: dict[str, int] = field(default_factory=lambda: {"width": WIDTH, "height": HEIGHT, "left": LEFT, "top": TOP, "bottom": HEIGHT - BOTTOM, "right": WIDTH - RIGHT})


def _gate_settings(material: str, table: Any | None, registry: Any) -> CalibrationSettings:
    """The settings of the table in force, else the material's plugin's (as `classes calibrate` takes them), else the defaults."""
    if table is not None:
        settings = table.settings
    else:
        found = registry.calibration_settings(material)
        settings = found if isinstance(found, CalibrationSettings) else CalibrationSettings.model_validate(found or {})
    if settings.method == "auto" and settings.typical_uncertainty is None and settings.typical_relative_uncertainty is None:
        settings = settings.model_copy(update={"method": "equal-width", "n_classes": settings.min_classes})
        settings = CalibrationSettings.model_validate(settings.model_dump())
    return settings


def privacy_reason(settings: CalibrationSettings) -> str:
    return (
        "Not shown: too few producers have declared this material for no single one to be identifiable. The plot "
        f"appears once there are at least {settings.min_declarations} declarations from {settings.min_producers} producers, "
        f"with {settings.min_producers_per_class} producers in every class and {settings.min_producers_per_boundary} around "
        "every boundary (the privacy rule of footprint classes calibrate)."
    )


def distribution(market: MarketData, material: str, registry: Any, today: dt.date) -> Distribution:
    """The distribution of `material`'s climate values in `market`, if the privacy rule allows it."""
    table = find_class_table(registry, material, today)
    settings = _gate_settings(material, table, registry)
    period = f"{today.year + 1}-{today.year + 3}"  # the next period: its data window ends this year
    window = data_window(period, settings.window_years)
    view = Distribution(material=material, shown=False, reason="", window=window, table=table)
    data = market.select(material, DEFAULT_CATEGORY).between(*window)
    view.declarations, view.producers = len(data), data.n_producers()
    if not len(data):
        view.reason = "No declarations of this material in the last three years."
        return view
    try:
        calibrate_classes(market, material=material, period=period, settings=settings, category=DEFAULT_CATEGORY)
    except (ThinDataError, DisclosureError):
        view.reason = privacy_reason(settings)
        return view
    except CalibrationError:
        view.reason = "Not shown: the declared values cannot be put on one scale yet (they do not share one unit, or show no spread)."
        return view
    view.shown, view.unit = True, str(data.units.present()[0])
    _geometry(view, data.value, list(table.thresholds) if table is not None else [])
    return view


def _geometry(view: Distribution, values: np.ndarray, thresholds: list[float]) -> None:
    """Bars (declarations per bin), class bands of the table in force, and axis ticks, in SVG units."""
    low = float(min(values.min(), *(thresholds or [values.min()])))
    high = float(max(values.max(), *(thresholds or [values.max()])))
    pad = (high - low) * 0.05 or max(abs(high) * 0.05, 1.0)
    low, high = max(low - pad, 0.0), high + pad
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    x = lambda v: LEFT + plot_w * (v - low) / (high - low)  # noqa: E731
    n_bins = int(min(20, max(6, len(values) // 3)))
    counts, edges = np.histogram(values, bins=n_bins, range=(low, high))
    top = max(int(counts.max()), 1)
    view.most = top
    for count, a, b in zip(counts.tolist(), edges[:-1].tolist(), edges[1:].tolist()):
        h = plot_h * count / top
        view.bins.append({"count": count, "low": a, "high": b, "x": x(a) + 0.5, "w": max(x(b) - x(a) - 1, 0.5), "y": TOP + plot_h - h, "h": h})
    edges_at = [low, *thresholds, high]
    labels = view.table.labels if view.table is not None else []
    colours = class_colours(len(labels))
    for i, label in enumerate(labels):
        a, b = edges_at[i], edges_at[i + 1]
        colour = colours[i]
        view.bands.append({"label": label, "x": x(a), "w": x(b) - x(a), "colour": colour, "upper": thresholds[i] if i < len(thresholds) else None})
    for v in np.linspace(low, high, 5).tolist():
        view.ticks.append({"x": x(v), "text": format_value(v)})
