"""Secondary (recycled) CRMs: how the recycled input is credited.

By default (`cut-off`) scrap enters the recycling stage free of burden at collection, and
the footprint is that of the recycling stage (Annex V Part IV 2). A material's rules may
select the PEF Circular Footprint Formula instead; its material part, with end of life
excluded as Annex V Part IV 3 requires, is

    E = (1 - R1) * E_v + R1 * (A * E_rec + (1 - A) * E_v * Qsin / Qp)

with A = 0.2 for metals (Commission Recommendation (EU) 2021/2279, Annex C), R1 the recycled
content and Qsin/Qp the quality ratio, both from the study, and E_v the footprint of the
primary material the recycled input replaces.
"""

from __future__ import annotations

from dataclasses import dataclass

from .results import CategoryResult

VIRGIN_SHARE = "primary material share (Circular Footprint Formula)"


@dataclass(frozen=True)
class CircularFootprint:
    a: float
    recycled_content: float
    quality_ratio: float

    @property
    def recycling_weight(self) -> float:
        """Weight of the recycling stage's own burden, R1 * A."""
        return self.recycled_content * self.a

    @property
    def virgin_weight(self) -> float:
        """Weight of the primary material's footprint, (1 - R1) + R1 (1 - A) Qsin/Qp."""
        return (1 - self.recycled_content) + self.recycled_content * (1 - self.a) * self.quality_ratio

    def apply(self, recycled: CategoryResult, virgin_value: float) -> CategoryResult:
        """Combine a recycling-stage result with the primary material's, keeping contributions additive."""
        by_process = {name: value * self.recycling_weight for name, value in recycled.by_process.items()}
        by_process[VIRGIN_SHARE] = virgin_value * self.virgin_weight
        by_stage = {name: value * self.recycling_weight for name, value in recycled.by_stage.items()}
        by_stage["recycling"] = by_stage.get("recycling", 0.0) + virgin_value * self.virgin_weight
        return CategoryResult(
            category=recycled.category,
            unit=recycled.unit,
            value=recycled.value * self.recycling_weight + virgin_value * self.virgin_weight,
            by_stage=by_stage,
            by_process=by_process,
        )
