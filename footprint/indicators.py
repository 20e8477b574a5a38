"""What a verifier judges beside the result: sensitivity, class margin, data quality, primary data.

These are the result models of the verifier's workbench (`results.json` keys `elasticities`,
`class_margin`, `dqr`, `primary_data_share`) and the one definition of each figure:

* **elasticity** of a category to an amount: the relative change of the category's result for
  a relative change of the amount, d ln g / d ln a (0.3: +1 % of the amount gives +0.3 % of
  the result; exact derivative, `footprint.engine.sensitivity`);
* **class margin**: how far the declared value is from the class thresholds, and what change of
  one amount alone would move it into another class;
* **data quality rating** (PEF method, Commission Recommendation (EU) 2021/2279, Annex I,
  section 4.6.5): DQR = (TeR + GeR + TiR + P) / 4, each criterion scored 1 (best) to 5, and
  the rating bands below;
* **primary data share**: the percentage of the climate change result that company-specific
  processes contribute (their summed contributions over the total), the figure PACT exchanges as
  `primaryDataShare`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from .errors import FootprintError
from .methods import CLIMATE_CHANGE
from .study.quality import DataQualityScores

if TYPE_CHECKING:
    from .results import Results

# PEF method (Commission Recommendation (EU) 2021/2279, Annex I, section 4.6.5, table of the
# overall data quality level by DQR): excellent <= 1.5, very good 1.5-2.0, good 2.0-3.0,
# fair 3.0-4.0, poor > 4.0 (each band includes its upper bound).
RATING_BANDS: tuple[tuple[float, str], ...] = ((1.5, "excellent"), (2.0, "very good"), (3.0, "good"), (4.0, "fair"), (math.inf, "poor"))
DQR_SOURCE = "PEF method, Commission Recommendation (EU) 2021/2279, Annex I, section 4.6.5: DQR = (TeR + GeR + TiR + P) / 4 and its rating bands"

# Scores for data nobody scored: footprint's assumption (assumption = true), never a claim of quality.
DEFAULT_SCORES: dict[str, DataQualityScores] = {
    "company-specific": DataQualityScores(
        ter=2, ger=2, tir=2, p=3,
        source=(
            "footprint default (assumption): company-specific data are measured at the operator's own facilities "
            "in the reporting period (Annex V Part I), so representativeness is likely high but was not assessed (2, "
            "one step below the best, not claimed); precision 3 because an unscored study gives no evidence that "
            "the amounts are measured and verified"
        ),
    ),
    "secondary": DataQualityScores(
        ter=3, ger=3, tir=3, p=3,
        source="footprint default (assumption): secondary data of unassessed fit to the process: the middle of every scale",
    ),
    "background": DataQualityScores(
        ter=3, ger=3, tir=3, p=3,
        source="footprint default (assumption): a background dataset without scores: the middle of every scale",
    ),
}


def rating_of(dqr: float) -> str:
    """The PEF overall data quality level of a DQR (a DQR on a band's upper bound is in that band)."""
    for upper, name in RATING_BANDS:
        if dqr <= upper + 1e-12:
            return name
    return "poor"


class QualityRating(BaseModel):
    """Four criteria (1 best, 5 worst), their mean and its band."""

    model_config = ConfigDict(extra="forbid")

    ter: float
    ger: float
    tir: float
    p: float
    dqr: float
    rating: str

    @classmethod
    def of(cls, ter: float, ger: float, tir: float, p: float) -> "QualityRating":
        dqr = (ter + ger + tir + p) / 4
        return cls(ter=ter, ger=ger, tir=tir, p=p, dqr=dqr, rating=rating_of(dqr))


class ProcessQuality(BaseModel):
    model_config = ConfigDict(extra="forbid")

    process: str
    data_type: str
    scores: QualityRating
    default: bool = Field(description="True when the study gives no scores and footprint's default for the data type is used")
    basis: str = Field(description="The scores' source, or the default's reasoning")


class DatasetQuality(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dataset: str
    name: str
    scores: QualityRating
    default: bool
    basis: str


class CategoryQuality(BaseModel):
    """A category's DQR: each criterion weighted by the share of the result its data carry."""

    model_config = ConfigDict(extra="forbid")

    category: str
    scores: QualityRating | None = Field(description="None when the category's result is 0 (nothing to weight by)")
    default_share: float = Field(description="Share of the weight resting on default (unscored) data, 0-1")


class DataQuality(BaseModel):
    """The data quality rating of a study's result (`results.json` key `dqr`)."""

    model_config = ConfigDict(extra="forbid")

    method: str = DQR_SOURCE
    aggregation: str = (
        "each contribution to a category (a process's direct emissions; its purchase of a background dataset) "
        "counts in proportion to its absolute share of the result; a purchase takes TeR, GeR and TiR from the dataset and P from "
        "the buying process's activity data, direct emissions all four from the process"
    )
    processes: list[ProcessQuality]
    datasets: list[DatasetQuality]
    categories: list[CategoryQuality]

    def category(self, name: str) -> CategoryQuality:
        for entry in self.categories:
            if entry.category == name:
                return entry
        raise KeyError(name)


AmountKind = Literal["input", "elementary flow", "co-product amount", "price", "reference output", "circular footprint parameter"]


class Elasticity(BaseModel):
    """One foreground amount and the relative change of every category for a relative change of it."""

    model_config = ConfigDict(extra="forbid")

    rank: int = Field(description="1 = the amount the declared categories depend on most (largest |elasticity|)")
    study: Literal["study", "virgin study", "rules"] = Field(
        default="study", description="Where the amount is written: the study, the primary study of the Circular Footprint Formula, or the material rules"
    )
    process: str | None = Field(description="Process id (None for rules prices and formula parameters)")
    field: str = Field(description="Where the amount is written, e.g. inputs[2].amount, coproducts[1].price")
    kind: AmountKind
    label: str = Field(description="What the amount is of (dataset, supplier process, flow, product)")
    amount: float = Field(description="The amount as written")
    unit: str
    data_type: str | None = None
    linear: bool = Field(description="Every result is exactly linear in this amount alone (not a reference output, allocation key or loop)")
    by_category: dict[str, float | None] = Field(description="d ln(result) / d ln(amount) per category (None where the result is 0)")


class ClassChange(BaseModel):
    """The change of one amount, alone, that moves the declaration into the next class."""

    model_config = ConfigDict(extra="forbid")

    direction: Literal["better", "worse"]
    target_class: str
    reachable: bool
    new_amount: float | None = None
    change: float | None = Field(default=None, description="In the amount's own unit")
    change_percent: float | None = Field(default=None, description="Relative to the amount (None when it is 0)")
    method: Literal["linear, exact", "solved exactly (not linear in this amount)", "not reachable"]
    note: str = ""


class AmountMargin(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rank: int
    study: str
    process: str | None
    field: str
    label: str
    amount: float
    unit: str
    elasticity: float | None
    to_better: ClassChange | None = None
    to_worse: ClassChange | None = None


class ClassMargin(BaseModel):
    """How far the declared value sits from its class's thresholds (`results.json` key `class_margin`)."""

    model_config = ConfigDict(extra="forbid")

    category: str
    unit: str
    value: float
    class_label: str
    table: str = Field(description="The class table's material, period and sha256")
    lower_threshold: float | None = Field(description="Reaching it (or below) gives the better class; None in class A")
    upper_threshold: float | None = Field(description="Going above it gives the worse class; None in the last class")
    to_better: float | None = Field(description="Decrease that reaches the lower threshold, in the category's unit")
    to_better_percent: float | None
    to_worse: float | None = Field(description="Increase to the upper threshold (anything beyond it changes the class)")
    to_worse_percent: float | None
    nearest: Literal["better", "worse"] | None
    amounts: list[AmountMargin] = Field(default_factory=list)


def primary_data_share(results: "Results") -> float:
    """Percent of the climate change result contributed by company-specific processes (0-100).

    Raises when credits (system expansion) push the share outside 0-100 %: no share can be stated.
    """
    climate = results.category(CLIMATE_CHANGE)
    company = {p.id for p in results.processes if p.data_type == "company-specific"}
    if climate.value == 0:
        return 0.0
    share = 100 * math.fsum(v for pid, v in climate.by_process.items() if pid in company) / climate.value
    if not -1e-9 <= share <= 100 + 1e-9:
        raise FootprintError(
            f"the company-specific share of the climate result is {share:.6g} %: credits make it leave 0-100 %, "
            "so no primary data share can be stated"
        )
    return min(max(share, 0.0), 100.0)
