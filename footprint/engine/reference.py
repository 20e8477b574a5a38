"""The reference solve: bw2calc's MultiLCA on foreground + background, as a Brightway user runs it.

Tests compare footprint's engine against it; it attributes background burdens to the
foreground process that buys them by solving for one unit of every linked dataset too.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..background.packages import BackgroundLike
from ..errors import CalculationError
from ..inventory import solve_foreground
from ..methods import MethodSet
from .matrices import foreground_datapackage
from .solve import LcaOutcome

DECLARED = "declared"


def reference_solve(inventory: Any, background: BackgroundLike, method_set: MethodSet) -> LcaOutcome:
    """Solve the study with bw2calc's MultiLCA on the foreground plus its background."""
    from .solvers import _point_pardiso_at_mkl

    _point_pardiso_at_mkl()  # spares pypardiso its ~1 s search for MKL in every solver it creates
    from bw2calc import MultiLCA

    solve_foreground(inventory)
    ids = inventory.node_ids
    demand_node = ids[inventory.product_index]
    linked = sorted({dataset_id for dataset_id, _, _ in inventory.background_links})
    demands = {DECLARED: {demand_node: inventory.demand_amount}}
    demands.update({f"bg-{dataset_id}": {dataset_id: 1.0} for dataset_id in linked})
    config = {"impact_categories": [tuple(c.method) for c in method_set.categories]}
    data_objs = (
        background.datapackages()
        + [foreground_datapackage(inventory)]
        + background.characterisation_datapackages(method_set)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lca = MultiLCA(demands=demands, method_config=config, data_objs=data_objs)
        lca.lci()
        lca.lcia()
    supply_all = lca.supply_arrays[DECLARED]
    if not np.all(np.isfinite(supply_all)):
        raise CalculationError("the linked system is singular: bw2calc returned non-finite supply")
    columns = [lca.dicts.activity[node] for node in ids]
    supply = supply_all[columns]

    dataset_rows = {dataset_id: k for k, dataset_id in enumerate(linked)}
    link_matrix = np.zeros((len(linked), len(ids)))
    for dataset_id, consumer, amount in inventory.background_links:
        link_matrix[dataset_rows[dataset_id], consumer] += amount

    totals: dict[str, float] = {}
    by_process: dict[str, np.ndarray] = {}
    biosphere_fg = lca.biosphere_matrix[:, columns]
    scores = lca.scores  # a property that re-sums every inventory on each access: read it once
    for category in method_set.categories:
        key = tuple(category.method)
        characterisation = lca.characterization_matrices[key]
        direct = np.asarray((characterisation @ biosphere_fg).sum(axis=0)).ravel()
        per_dataset = np.array([scores[(key, f"bg-{d}")] for d in linked]) if linked else np.zeros(0)
        upstream = per_dataset @ link_matrix if linked else np.zeros(len(ids))
        contribution = supply * (direct + upstream)
        totals[category.category] = float(scores[(key, DECLARED)])
        by_process[category.category] = contribution
    return LcaOutcome(totals=totals, by_process=by_process, supply=supply)
