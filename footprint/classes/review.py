"""The recalibration report: what changes when a new class table replaces the old one."""

from __future__ import annotations

from pydantic import BaseModel, Field

from .lookup import class_shares
from .market import MarketData
from .table import LETTERS, CalibrationError, ClassTable


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
