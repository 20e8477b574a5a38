"""What `footprint uncertainty` reports (percentiles, class probabilities, the exchanges sampled)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

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
