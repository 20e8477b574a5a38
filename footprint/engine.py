"""The engine: the only module that talks to bw2calc.

The foreground becomes an in-memory bw_processing datapackage beside the background's own
datapackages; bw2calc's MultiLCA builds the matrices, factorises once, and solves for the
declared unit and for one unit of every background dataset the foreground uses. Those
per-dataset scores are what attributes background burdens to the foreground process that
buys them, so contributions by process and stage add up exactly to the total.
"""

from __future__ import annotations

import contextvars
import warnings
from dataclasses import dataclass

import numpy as np

from .background import Background
from .errors import CalculationError
from .inventory import ForegroundInventory
from .methods import MethodSet

DECLARED = "declared"


@dataclass
class LcaOutcome:
    """Scores per category for the declared unit, and each foreground process's share."""

    totals: dict[str, float]
    by_process: dict[str, np.ndarray]  # category -> contribution per foreground process
    supply: np.ndarray  # scaling of each foreground process


def foreground_datapackage(inventory: ForegroundInventory):
    """The study's foreground as a bw_processing datapackage (technosphere and biosphere)."""
    import bw_processing as bwp

    ids = inventory.node_ids
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    flips: list[bool] = []
    for i, amount in enumerate(inventory.production):
        rows.append(ids[i]), cols.append(ids[i]), values.append(float(amount)), flips.append(False)
    for supplier, consumer, amount in inventory.foreground_links:
        rows.append(ids[supplier]), cols.append(ids[consumer]), values.append(amount), flips.append(True)
    for dataset_id, consumer, amount in inventory.background_links:
        rows.append(dataset_id), cols.append(ids[consumer]), values.append(amount), flips.append(True)

    package = bwp.create_datapackage(sum_intra_duplicates=True, sum_inter_duplicates=False)
    indices = np.zeros(len(rows), dtype=bwp.INDICES_DTYPE)
    indices["row"], indices["col"] = rows, cols
    package.add_persistent_vector(
        matrix="technosphere_matrix",
        name="foreground-technosphere",
        indices_array=indices,
        data_array=np.array(values, dtype=float),
        flip_array=np.array(flips, dtype=bool),
    )
    bio = np.zeros(len(inventory.flows), dtype=bwp.INDICES_DTYPE)
    bio["row"] = [flow for flow, _, _ in inventory.flows]
    bio["col"] = [ids[column] for _, column, _ in inventory.flows]
    package.add_persistent_vector(
        matrix="biosphere_matrix",
        name="foreground-biosphere",
        indices_array=bio,
        data_array=np.array([amount for _, _, amount in inventory.flows], dtype=float),
    )
    return package


# A foreground route (footprint.prepared.prepared_route) that answers instead of the full solve
# while it is set: every caller of compute_lca (assess, verification, hotspots...) then solves
# only its foreground on a prepared background, without knowing it.
FOREGROUND_ROUTE: contextvars.ContextVar = contextvars.ContextVar("footprint_foreground_route", default=None)


def compute_lca(inventory: ForegroundInventory, background: Background, method_set: MethodSet) -> LcaOutcome:
    """Solve the study with bw2calc on the foreground plus its background.

    Inside `footprint.prepared.prepared_route(...)`, the study is solved on a prepared
    background instead (same numbers to within 1e-9 relative, tested).
    """
    route = FOREGROUND_ROUTE.get()
    if route is not None:
        outcome = route(inventory, background, method_set)
        if outcome is not None:
            return outcome
    from .prepared import _point_pardiso_at_mkl

    _point_pardiso_at_mkl()  # spares pypardiso its ~1 s search for MKL in every solver it creates
    from bw2calc import MultiLCA

    from .inventory import solve_foreground

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


# ---------------------------------------------------------------------------------------------
# Background matrices for prepared backgrounds and Monte Carlo (footprint.prepared, .uncertainty)
# ---------------------------------------------------------------------------------------------


@dataclass
class BackgroundSystem:
    """The background's matrices as bw2calc builds them, with their row and column ids.

    `technosphere` (activities x activities, CSR) and `biosphere` (flows x activities, CSR) are
    bw2calc's own `technosphere_matrix` and `biosphere_matrix`; `characterisation` holds, per
    category of the method set (in its order), the diagonal of bw2calc's characterisation
    matrix over `flow_ids`.
    """

    technosphere: object
    biosphere: object
    activity_ids: np.ndarray  # column -> activity (and product) id
    flow_ids: np.ndarray  # row of the biosphere matrix -> flow id
    characterisation: np.ndarray  # (categories, flows)


def _first_activity_id(data_objs) -> int:
    """Any activity id of the background, to give bw2calc a demand while it builds matrices."""
    for package in data_objs:
        for resource in package.resources:
            if resource.get("matrix") == "technosphere_matrix" and resource.get("kind") == "indices":
                indices = package.get_resource(resource["name"])[0]
                if len(indices):
                    return int(indices["col"][0])
    raise CalculationError("the background has no technosphere exchanges")


def background_system(background: Background, method_set: MethodSet) -> BackgroundSystem:
    """Build the background's matrices with bw2calc, without solving anything."""
    from bw2calc import MultiLCA

    data_objs = background.datapackages() + background.characterisation_datapackages(method_set)
    keys = [tuple(c.method) for c in method_set.categories]
    demand = _first_activity_id(data_objs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lca = MultiLCA(demands={"any": {demand: 1.0}}, method_config={"impact_categories": keys}, data_objs=data_objs)
        lca.load_lci_data()
        lca.load_lcia_data()
    activity = lca.dicts.activity
    activity_ids = np.empty(len(activity), dtype=np.int64)
    for node, column in activity.items():
        activity_ids[column] = node
    biosphere = lca.dicts.biosphere
    flow_ids = np.empty(len(biosphere), dtype=np.int64)
    for node, row in biosphere.items():
        flow_ids[row] = node
    characterisation = np.vstack([lca.characterization_matrices[key].diagonal() for key in keys]) if keys else np.zeros((0, len(flow_ids)))
    return BackgroundSystem(
        technosphere=lca.technosphere_matrix.tocsr(),
        biosphere=lca.biosphere_matrix.tocsr(),
        activity_ids=activity_ids,
        flow_ids=flow_ids,
        characterisation=characterisation,
    )


def background_has_distributions(background: Background) -> bool:
    """True when any technosphere or biosphere value of the background carries a distribution."""
    for package in background.datapackages():
        for resource in package.resources:
            if resource.get("kind") != "distributions":
                continue
            if resource.get("matrix") not in ("technosphere_matrix", "biosphere_matrix"):
                continue
            array = package.get_resource(resource["name"])[0]
            if len(array) and np.any(np.asarray(array["uncertainty_type"]) > 1):
                return True
    return False


def sample_background_scores(
    background: Background,
    method_set: MethodSet,
    dataset_ids: list[int],
    iterations: int,
    seed: int,
    progress=None,
) -> np.ndarray:
    """Cumulative scores of one unit of each dataset, sampled from the background's distributions.

    bw2calc's own Monte Carlo (`use_distributions=True`, `seed_override`): one factorisation
    per iteration, so this costs what bw2calc's Monte Carlo costs. Returns an array
    (iterations, categories, datasets).
    """
    from bw2calc import MultiLCA

    keys = [tuple(c.method) for c in method_set.categories]
    demands = {f"bg-{d}": {d: 1.0} for d in dataset_ids}
    data_objs = background.datapackages() + background.characterisation_datapackages(method_set)
    out = np.empty((iterations, len(keys), len(dataset_ids)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lca = MultiLCA(
            demands=demands,
            method_config={"impact_categories": keys},
            data_objs=data_objs,
            use_distributions=True,
            seed_override=seed,
        )
        lca.lci()
        lca.lcia()
        for iteration in range(iterations):
            if iteration:
                next(lca)
            scores = lca.scores
            for j, d in enumerate(dataset_ids):
                for k, key in enumerate(keys):
                    out[iteration, k, j] = scores[(key, f"bg-{d}")]
            if progress is not None:
                progress(iteration + 1)
    if not np.all(np.isfinite(out)):
        raise CalculationError("a sampled background was singular: bw2calc returned non-finite scores")
    return out
