"""Annex V Part V: the hotspot analysis that picks the impact categories a material declares.

Results are normalised (per person) and weighted with the EF 3.1 factors — here and only
here; declared results stay characterised (Part VII). Categories are ranked by their share of
the weighted total; the most relevant are those reaching 80 % cumulatively, always with
climate change and never fewer than three (Art. 31(1)). For each relevant category the most
relevant life-cycle stages and processes are those reaching 80 % of it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from .methods import CLIMATE_CHANGE, MethodSet
from .results import Results

RELEVANCE_SHARE = 0.80
MINIMUM_CATEGORIES = 3


class RankedCategory(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str
    weighted: float
    share: float
    cumulative: float
    relevant: bool
    reason: str


class RankedContributor(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    share: float


class CategoryHotspots(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str
    stages: list[RankedContributor]
    processes: list[RankedContributor]


class HotspotAnalysis(BaseModel):
    model_config = ConfigDict(extra="forbid")

    material: str
    method: str
    categories: list[RankedCategory]
    relevant_categories: list[str]
    hotspots: list[CategoryHotspots]

    @property
    def most_relevant_processes(self) -> set[str]:
        return {p.name for h in self.hotspots for p in h.processes}


def rank_contributors(values: dict[str, float]) -> list[RankedContributor]:
    """Contributors (stages or processes) by share of the positive total, largest first.

    The one ranking rule: a credit (negative contribution) ranks as zero, as it does for
    categories. The public study shows the top of this list; the hotspot analysis cuts it at 80 %.
    """
    positive = {k: v for k, v in values.items() if v > 0}
    total = sum(positive.values())
    if total <= 0:
        return []
    return [RankedContributor(name=name, share=value / total) for name, value in sorted(positive.items(), key=lambda kv: kv[1], reverse=True)]


def _most_relevant(values: dict[str, float], share: float = RELEVANCE_SHARE) -> list[RankedContributor]:
    """Largest contributors that together reach `share` of the positive total."""
    chosen: list[RankedContributor] = []
    cumulative = 0.0
    for contributor in rank_contributors(values):
        chosen.append(contributor)
        cumulative += contributor.share
        if cumulative >= share - 1e-12:
            break
    return chosen


def analyse_hotspots(results: Results, method_set: MethodSet) -> HotspotAnalysis:
    """Rank categories by weighted contribution and select the most relevant ones."""
    weighted: dict[str, float] = {}
    for category in method_set.categories:
        if not (category.normalisation_per_person and category.weighting_percent is not None):
            raise ValueError(f"method set {method_set.id} lacks normalisation/weighting for {category.category!r}")
        value = results.category(category.category).value
        # A net credit cannot make a category relevant; it ranks as zero.
        weighted[category.category] = max(value, 0.0) / category.normalisation_per_person * category.weighting_percent / 100
    total = sum(weighted.values())
    ranked = sorted(weighted.items(), key=lambda kv: kv[1], reverse=True)

    relevant: list[str] = []
    reasons: dict[str, str] = {}
    cumulative = 0.0
    for name, value in ranked:
        if cumulative >= RELEVANCE_SHARE - 1e-12:
            break
        relevant.append(name)
        reasons[name] = "within the first 80 % of the weighted total"
        cumulative += value / total if total > 0 else 0.0
    for name, _ in ranked:
        if len(relevant) >= MINIMUM_CATEGORIES:
            break
        if name not in relevant:
            relevant.append(name)
            reasons[name] = "added to reach three categories (Art. 31(1))"
    if CLIMATE_CHANGE not in relevant:
        relevant.append(CLIMATE_CHANGE)
        reasons[CLIMATE_CHANGE] = "always declared (Art. 31(1))"

    categories = []
    running = 0.0
    for name, value in ranked:
        share = value / total if total > 0 else 0.0
        running += share
        categories.append(
            RankedCategory(
                category=name, weighted=value, share=share, cumulative=running,
                relevant=name in relevant, reason=reasons.get(name, ""),
            )
        )
    order = {name: i for i, (name, _) in enumerate(ranked)}
    relevant.sort(key=lambda name: order[name])
    hotspots = [
        CategoryHotspots(
            category=name,
            stages=_most_relevant(results.category(name).by_stage),
            processes=_most_relevant(results.category(name).by_process),
        )
        for name in relevant
    ]
    return HotspotAnalysis(
        material=results.material,
        method=f"{method_set.name} (normalisation and weighting used only for this ranking)",
        categories=categories,
        relevant_categories=relevant,
        hotspots=hotspots,
    )
