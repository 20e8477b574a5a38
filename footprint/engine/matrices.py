"""The background's matrices as bw2calc builds them (bw2calc builds, footprint solves).

Also the foreground as a bw_processing datapackage and the characterisation factors of
every flow, for the reference solve and the prepared background.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..background.packages import BackgroundLike
from ..errors import CalculationError
from ..methods import MethodSet


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


def background_system(background: BackgroundLike, method_set: MethodSet) -> BackgroundSystem:
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


def flow_factors(background: Any, method_set: Any) -> tuple[np.ndarray, np.ndarray]:
    """Characterisation factors of every flow any category characterises, from the datapackages."""
    per_category: list[tuple[np.ndarray, np.ndarray]] = []
    for package in background.characterisation_datapackages(method_set):
        rows, values = [], []
        for resource in package.resources:
            if resource.get("matrix") == "characterization_matrix" and resource.get("kind") == "indices":
                base = resource["name"][: -len(".indices")]
                rows.append(np.asarray(package.get_resource(resource["name"])[0]["row"], dtype=np.int64))
                values.append(np.asarray(package.get_resource(base + ".data")[0], dtype=float))
        per_category.append(
            (np.concatenate(rows) if rows else np.zeros(0, np.int64), np.concatenate(values) if values else np.zeros(0))
        )
    flow_ids = np.unique(np.concatenate([r for r, _ in per_category])) if per_category else np.zeros(0, np.int64)
    factors = np.zeros((len(per_category), len(flow_ids)))
    for k, (rows, values) in enumerate(per_category):
        np.add.at(factors[k], np.searchsorted(flow_ids, rows), values)  # duplicates sum, as in bw2calc
    return flow_ids, factors


def foreground_datapackage(inventory: Any) -> Any:
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
