"""The data quality rating of a study's result (Annex V Part VI; the PEF method's DQR).

Each process carries the scores its study gives it, else footprint's default for its data type
(`footprint.indicators.DEFAULT_SCORES`, flagged); each linked background dataset the scores of
its starter file, else the background default. A declared category's DQR weights every
contribution to it by its absolute share of the result:

* a process's direct emissions: the process's four criteria;
* a process's purchase of a background dataset: TeR, GeR and TiR of the dataset (how well the
  secondary data represent what was bought) and P of the buying process (how precisely the
  operator knows the amount bought);
* under the Circular Footprint Formula, the primary material's share carries the primary
  study's own category DQR.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..indicators import DEFAULT_SCORES, CategoryQuality, DataQuality, DatasetQuality, ProcessQuality, QualityRating
from ..study.quality import DataQualityScores
from .sensitivity import StudySensitivity

CRITERIA = ("ter", "ger", "tir", "p")


def _rating(scores: DataQualityScores) -> QualityRating:
    return QualityRating.of(scores.ter, scores.ger, scores.tir, scores.p)


def data_quality(
    study: Any,
    inventory: Any,
    background: Any,
    sensitivity: StudySensitivity,
    categories: Sequence[str],
    virgin: DataQuality | None = None,
) -> DataQuality:
    """Each process's and linked dataset's DQR, and the contribution-weighted DQR of `categories`."""
    process_scores: list[tuple[DataQualityScores, bool]] = []
    processes = []
    for process in study.processes:
        given = process.dqr
        scores = given or DEFAULT_SCORES[process.data_type.value]
        process_scores.append((scores, given is None))
        processes.append(ProcessQuality(process=process.id, data_type=process.data_type.value, scores=_rating(scores), default=given is None, basis=scores.source))
    scored = getattr(background, "dqr_of", {}) or {}
    dataset_scores: dict[int, tuple[DataQualityScores, bool]] = {}
    datasets = []
    for dataset_id, linked in sorted(inventory.linked_background.items(), key=lambda item: item[1].code):
        given = scored.get(linked.code)
        scores = given or DEFAULT_SCORES["background"]
        dataset_scores[dataset_id] = (scores, given is None)
        datasets.append(DatasetQuality(dataset=linked.code, name=linked.name, scores=_rating(scores), default=given is None, basis=scores.source))

    system = sensitivity.system
    supply = system.supply
    pieces_criteria: list[np.ndarray] = []
    pieces_default: list[bool] = []
    pieces_value: list[np.ndarray] = []
    for e, (dataset_id, consumer, _) in enumerate(inventory.background_links):
        own, own_default = process_scores[consumer]
        bought, bought_default = dataset_scores[dataset_id]
        pieces_criteria.append(np.array([bought.ter, bought.ger, bought.tir, own.p], float))
        pieces_default.append(own_default or bought_default)
        pieces_value.append(system.scores.background[:, e] * system.amounts["background"][e] * supply[consumer])
    for e, (_, consumer, _) in enumerate(inventory.flows):
        own, own_default = process_scores[consumer]
        pieces_criteria.append(np.array([own.ter, own.ger, own.tir, own.p], float))
        pieces_default.append(own_default)
        pieces_value.append(system.scores.flows[:, e] * system.amounts["flows"][e] * supply[consumer])
    k = len(system.scores.categories)
    values = np.abs(np.array(pieces_value).reshape(len(pieces_value), k))
    criteria = np.array(pieces_criteria).reshape(len(pieces_criteria), 4)
    defaults = np.array(pieces_default, bool)
    formula = sensitivity.formula
    if formula is not None:
        values = values * formula.weights.recycling_weight

    out = []
    for name in categories:
        c = system.scores.categories.index(name)
        weights, rows = values[:, c], criteria
        on_defaults = float(weights[defaults].sum())
        if formula is not None and virgin is not None:
            primary = virgin.category(name)
            if primary.scores is not None:
                share = abs(formula.weights.virgin_weight * formula.virgin.totals[c])
                extra = np.array([[primary.scores.ter, primary.scores.ger, primary.scores.tir, primary.scores.p]])
                weights = np.append(weights, share)
                rows = np.vstack([rows, extra])
                on_defaults += share * primary.default_share
        total = float(weights.sum())
        if not total > 0:
            out.append(CategoryQuality(category=name, scores=None, default_share=0.0))
            continue
        mean = (weights[:, None] * rows).sum(axis=0) / total
        out.append(CategoryQuality(category=name, scores=QualityRating.of(*(float(x) for x in mean)), default_share=on_defaults / total))
    return DataQuality(processes=processes, datasets=datasets, categories=out)
