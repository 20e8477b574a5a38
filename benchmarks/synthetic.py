"""Synthetic backgrounds and foregrounds for the benchmarks (seeded, shaped like a supply network).

Nothing here is data about the world: these are test systems of ecoinvent's size and
structure, so that solvers can be timed against each other on the same matrices.
"""

from __future__ import annotations

import numpy as np

def synthetic_background(
    activities: int = 20_000,
    flows: int = 4_000,
    inputs_per_activity: float = 10.0,
    flows_per_activity: float = 22.0,
    hubs: int = 300,
    zipf: float = 1.3,
    hub_share: float = 0.5,
    cycle_share: float = 0.03,
    sector: int = 100,
    seed: int = 7,
    distributions: bool = False,
    method_set=None,
):
    """An ArrayBackground like a real database: popular suppliers, sectors, some cycles.

    Each activity buys ~Poisson(inputs_per_activity) inputs: half from a few hundred hub
    suppliers (electricity, heat, transport...) drawn with Zipf weights (power law), the rest
    from its own or the upstream sector, and `cycle_share` from anywhere in its sector (which
    closes loops). Columns sum to 0.2-0.8 of output so the system is productive. Ids are then
    shuffled, so no solver gets a pre-ordered matrix. Biosphere: ~Poisson(flows_per_activity)
    flows each, drawn with power-law popularity (a few flows such as CO2 everywhere).
    """
    from footprint.methods import load_method_set
    from footprint.background import ArrayBackground

    rng = np.random.default_rng(seed)
    n = activities
    counts = rng.poisson(inputs_per_activity, n).clip(1, 80)
    consumers = np.repeat(np.arange(n), counts)
    total = len(consumers)
    kind = rng.random(total)
    weights = 1.0 / np.arange(1, hubs + 1) ** zipf
    suppliers = rng.choice(hubs, size=total, p=weights / weights.sum())
    start = (consumers // sector) * sector
    local = kind >= hub_share
    low = np.maximum(start - sector, 0)
    span = np.maximum(consumers - low, 1)
    suppliers[local] = low[local] + (rng.random(local.sum()) * span[local]).astype(np.int64)
    loops = kind > 1 - cycle_share
    suppliers[loops] = np.minimum(start[loops] + rng.integers(0, sector, loops.sum()), n - 1)
    keep = suppliers != consumers
    pair = np.unique(suppliers[keep] * n + consumers[keep])
    suppliers, consumers = pair // n, pair % n
    raw = rng.lognormal(0.0, 1.0, len(suppliers))
    column_sum = np.bincount(consumers, weights=raw, minlength=n)
    amounts = raw / column_sum[consumers] * rng.uniform(0.2, 0.8, n)[consumers]
    shuffle = rng.permutation(n)
    activity_ids = np.arange(n, dtype=np.int64) + 1_000_000

    flow_counts = rng.poisson(flows_per_activity, n).clip(1, 200)
    bio_cols = np.repeat(np.arange(n), flow_counts)
    flow_weights = 1.0 / np.arange(1, flows + 1) ** 0.9
    bio_rows = rng.choice(flows, size=len(bio_cols), p=flow_weights / flow_weights.sum())
    bio_pair = np.unique(bio_rows.astype(np.int64) * n + bio_cols)
    bio_rows, bio_cols = bio_pair // n, bio_pair % n
    bio_values = rng.lognormal(-3.0, 2.0, len(bio_rows))
    flow_ids = np.arange(flows, dtype=np.int64) + 1

    method_set = method_set or load_method_set()
    factors = {}
    for category in method_set.categories:
        chosen = rng.choice(flows, size=int(rng.integers(100, 600)), replace=False)
        factors[category.category] = (flow_ids[chosen], rng.lognormal(0.0, 2.0, len(chosen)))

    input_distributions = biosphere_distributions = None
    if distributions:
        from stats_arrays import UncertaintyBase

        def lognormal(values, gsd):
            params = UncertaintyBase.from_dicts(*[{"loc": 0.0, "uncertainty_type": 2}] * len(values))
            params["loc"] = np.log(np.abs(values))
            params["scale"] = np.log(gsd)
            params["negative"] = values < 0
            return params

        input_distributions = lognormal(amounts, 1.1)
        biosphere_distributions = lognormal(bio_values, 1.2)

    background = ArrayBackground(
        activity_ids=activity_ids,
        production=np.ones(n),
        inputs=(activity_ids[shuffle[suppliers]], activity_ids[shuffle[consumers]], amounts),
        biosphere=(flow_ids[bio_rows], activity_ids[shuffle[bio_cols]], bio_values),
        factors=factors,
        input_distributions=input_distributions,
        biosphere_distributions=biosphere_distributions,
        database="synthetic",
    )
    return background


def synthetic_inventory(background, rng: np.random.Generator, processes: int = 6):
    """A declaration's foreground: a chain of processes, each buying from a few background
    datasets (more often the popular ones) and emitting a few flows."""
    from footprint.inventory import ForegroundInventory

    ids = background.activity_ids
    flows = np.unique(background.biosphere[0])
    links, fg_links, emissions = [], [], []
    for column in range(processes):
        if column + 1 < processes:
            fg_links.append((column + 1, column, float(rng.uniform(0.8, 3.0))))
        for dataset in rng.choice(ids, size=int(rng.integers(2, 6)), replace=False):
            links.append((int(dataset), column, float(rng.lognormal(0, 1))))
        for flow in rng.choice(flows, size=int(rng.integers(1, 4)), replace=False):
            emissions.append((int(flow), column, float(rng.lognormal(-2, 1))))
    return ForegroundInventory(
        process_ids=[f"p{i}" for i in range(processes)],
        stages=["refining"] * processes,
        product_index=0,
        product_unit="kg",
        demand_amount=1.0,
        production=np.ones(processes),
        foreground_links=fg_links,
        background_links=links,
        flows=emissions,
    )


def foreground_datapackage_with_distributions(inventory, gsd: float):
    """The engine's foreground datapackage, with a lognormal on every input and flow."""
    import bw_processing as bwp
    from stats_arrays import UncertaintyBase

    from footprint.engine.matrices import foreground_datapackage

    plain = foreground_datapackage(inventory)
    package = bwp.create_datapackage(sum_intra_duplicates=True, sum_inter_duplicates=False)
    for matrix, name in (("technosphere_matrix", "foreground-technosphere"), ("biosphere_matrix", "foreground-biosphere")):
        indices = plain.get_resource(f"{name}.indices")[0]
        data = plain.get_resource(f"{name}.data")[0]
        flip = plain.get_resource(f"{name}.flip")[0] if matrix == "technosphere_matrix" else None
        params = UncertaintyBase.from_dicts(*[{"loc": 0.0, "uncertainty_type": 2}] * len(data))
        params["loc"] = np.log(np.abs(np.where(data == 0, 1.0, data)))
        params["scale"] = np.log(gsd)
        params["negative"] = data < 0
        if flip is not None:  # production amounts stay fixed
            params["uncertainty_type"][~flip] = 0
            params["loc"][~flip] = data[~flip]
        extra = {"flip_array": flip} if flip is not None else {}
        package.add_persistent_vector(
            matrix=matrix, name=name, indices_array=indices, data_array=data, distributions_array=params, **extra
        )
    return package


FOREGROUND_BASE = 2_000_000_000  # node ids of the combined foreground database (above every background id)


def combined_foregrounds(inventories, distributions_gsd: float | None = None):
    """All declarations' foregrounds as ONE bw_processing datapackage (a Brightway user's
    foreground database), each inventory's processes under their own node ids.

    Returns the package and, per inventory, the node id of its product.
    """
    import bw_processing as bwp
    from stats_arrays import UncertaintyBase

    rows, cols, values, flips, bio_rows, bio_cols, bio_values, products = [], [], [], [], [], [], [], []
    for k, inventory in enumerate(inventories):
        ids = [FOREGROUND_BASE + 100 * k + i for i in range(len(inventory.process_ids))]
        products.append(ids[inventory.product_index])
        for i, amount in enumerate(inventory.production):
            rows.append(ids[i]), cols.append(ids[i]), values.append(float(amount)), flips.append(False)
        for supplier, consumer, amount in inventory.foreground_links:
            rows.append(ids[supplier]), cols.append(ids[consumer]), values.append(amount), flips.append(True)
        for dataset, consumer, amount in inventory.background_links:
            rows.append(dataset), cols.append(ids[consumer]), values.append(amount), flips.append(True)
        for flow, consumer, amount in inventory.flows:
            bio_rows.append(flow), bio_cols.append(ids[consumer]), bio_values.append(amount)
    package = bwp.create_datapackage(name="foreground", sum_intra_duplicates=True, sum_inter_duplicates=False)
    package.metadata["database_dependencies"] = ["synthetic"]

    def params(data, fixed):
        if distributions_gsd is None:
            return {}
        p = UncertaintyBase.from_dicts(*[{"loc": 0.0, "uncertainty_type": 2}] * len(data))
        p["loc"] = np.log(np.abs(np.where(data == 0, 1.0, data)))
        p["scale"] = np.log(distributions_gsd)
        p["negative"] = data < 0
        p["uncertainty_type"][fixed] = 0
        p["loc"][fixed] = data[fixed]
        return {"distributions_array": p}

    indices = np.zeros(len(rows), dtype=bwp.INDICES_DTYPE)
    indices["row"], indices["col"] = rows, cols
    data = np.array(values, dtype=float)
    flip = np.array(flips, dtype=bool)
    package.add_persistent_vector(
        matrix="technosphere_matrix", name="foreground-technosphere", indices_array=indices, data_array=data,
        flip_array=flip, **params(data, ~flip),
    )
    bio = np.zeros(len(bio_rows), dtype=bwp.INDICES_DTYPE)
    bio["row"], bio["col"] = bio_rows, bio_cols
    bio_data = np.array(bio_values, dtype=float)
    package.add_persistent_vector(
        matrix="biosphere_matrix", name="foreground-biosphere", indices_array=bio, data_array=bio_data,
        **params(bio_data, np.zeros(len(bio_data), bool)),
    )
    return package, products


def named_background_packages(background):
    """The background's datapackages, named as bw2data names a database (PartitionedMonteCarloLCA
    tells static from stochastic packages by these names)."""
    packages = background.datapackages()
    for package in packages:
        package.metadata["name"] = "synthetic"
        package.metadata["database_dependencies"] = []
    return packages
