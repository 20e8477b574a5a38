"""The performance-class table (Annex V Part VIII): its file model, checks, file I/O and hash.

Boundary rule (the EU energy label's convention): a class's upper threshold belongs to that
class. A value exactly equal to the threshold between A and B is class A; any value above it
is class B or worse. Values are compared as declared, without rounding (`lookup.class_indices`
is the one implementation).
"""

from __future__ import annotations

import datetime as dt
import math
import string
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from ..errors import FootprintInputError, from_validation_error
from ..files import read_toml, sha256_of_model, write_atomically
from .market import DEFAULT_CATEGORY, normalise_category

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
    from ..methods import load_method_set

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


_HEADER = (
    "# Environmental footprint performance classes, Regulation (EU) 2024/1252 Annex V Part VIII.\n"
    "# Written by footprint {version}; do not edit by hand: recalibrate instead (see classes/README.md).\n"
)


def class_table_to_toml(table: ClassTable) -> str:
    """TOML text of a table (None fields omitted: TOML has no null)."""
    doc = table.model_dump(mode="python", exclude_none=True)
    return _HEADER.format(version=table.footprint_version) + tomli_w.dumps(doc)


def write_class_table(table: ClassTable, path: str | Path) -> Path:
    """Write a table's TOML atomically: never half a table."""
    write_atomically(path, class_table_to_toml(table))
    return Path(path)


def load_class_table(path: str | Path) -> ClassTable:
    """Read and validate a class table (bounded in size and depth); errors name the file and the field."""
    doc, _ = read_toml(path, what="class table")
    try:
        return ClassTable.model_validate(doc)
    except ValidationError as exc:
        raise from_validation_error(exc, file=path) from None


def class_table_sha256(table: Any) -> str:
    """sha256 of the canonical JSON of a table: how a declaration names the table it was classed with."""
    return sha256_of_model(table)
