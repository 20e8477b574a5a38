"""What a study's data can see: results that read exactly zero, and the omissions stated for them.

Annex V Part V picks the declared categories by hotspot analysis over every impact category, so
a category the data cannot see must never read zero silently. Studies and starter background
datasets carry `not_modelled` lists (what they leave out and why); this module gathers the ones
that apply to a study (its own and those of every starter dataset it links to, directly or through
other datasets) and finds the zero results no stated omission explains.
"""

from __future__ import annotations

from dataclasses import dataclass

from .background.starter import StarterData, load_starter
from .results import Results
from .study.model import Study


@dataclass(frozen=True)
class StatedOmission:
    """One `not_modelled` entry, with where it was stated: 'study' or a background dataset code."""

    where: str
    item: str
    categories: tuple[str, ...]
    reason: str


def zero_categories(results: Results) -> list[str]:
    """Categories whose characterised result is exactly zero."""
    return [category.category for category in results.categories if category.value == 0.0]


def linked_datasets(study: Study, starter: StarterData) -> list[str]:
    """Codes of the starter datasets a study links to, directly or through other datasets, in link order."""
    pending = [i.dataset for p in study.processes for i in p.inputs if i.dataset and i.database in (None, "footprint-starter")]
    seen: dict[str, None] = {}
    while pending:
        code = pending.pop(0)
        if code in seen or code not in starter.datasets:
            continue
        seen[code] = None
        dataset, _ = starter.datasets[code]
        pending.extend(i.dataset for i in dataset.inputs if i.dataset)
    return list(seen)


def study_omissions(study: Study) -> list[StatedOmission]:
    """The omissions the study file itself states."""
    return [StatedOmission("study", n.item, tuple(n.categories), n.reason) for n in study.not_modelled]


def stated_omissions(study: Study, starter: StarterData | None = None) -> list[StatedOmission]:
    """The study's own omissions, then those of each linked starter dataset.

    A study linked to a user's Brightway database (not the starter) gets only its own list.
    """
    omissions = study_omissions(study)
    if study.background != "footprint-starter":
        return omissions
    starter = starter or load_starter()
    for code in linked_datasets(study, starter):
        dataset, _ = starter.datasets[code]
        omissions.extend(StatedOmission(code, n.item, tuple(n.categories), n.reason) for n in dataset.not_modelled)
    return omissions


def unexplained_zeros(results: Results, study: Study, starter: StarterData | None = None) -> list[str]:
    """Zero-result categories that no stated omission of the study or its linked data names."""
    named = {c for omission in stated_omissions(study, starter) for c in omission.categories}
    return [category for category in zero_categories(results) if category not in named]
