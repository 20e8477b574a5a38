"""Data quality scores a study gives a process (and the starter background a dataset).

Annex V Part VI asks for company-specific and consistent secondary data; how good they are is
scored with the PEF method's data quality rating (Commission Recommendation (EU) 2021/2279,
Annex I, section 4.6.5): four criteria, each scored 1 (best) to 5 (worst), whose mean is the
DQR. The scores are a file model here (`dqr = { ter = 2, ger = 1, tir = 2, p = 2, source = ...}`);
what they add up to (`footprint.indicators`) is computed from the results.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from pydantic import Strict as NoCoercion

Score = Annotated[int, NoCoercion(), Field(ge=1, le=5)]


class DataQualityScores(BaseModel):
    """The PEF data quality criteria of one dataset (1 = best, 5 = worst)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    ter: Score = Field(description="TeR, technological representativeness: how well the data reflect the technology actually used")
    ger: Score = Field(description="GeR, geographical representativeness: how well the data reflect the place")
    tir: Score = Field(description="TiR, time representativeness: how well the data reflect the period")
    p: Score = Field(description="P, precision: measured and verified (1) down to estimated (5)")
    source: str = Field(min_length=5, description="Who scored, when and on what evidence (audit, metering records, dataset metadata)")

    @property
    def dqr(self) -> float:
        """DQR = (TeR + GeR + TiR + P) / 4."""
        return (self.ter + self.ger + self.tir + self.p) / 4
