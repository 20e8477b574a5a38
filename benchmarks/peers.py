"""The best-practice peers footprint is measured against: bw2calc used the way a competent
Brightway user would use it for the same job, on the same matrices, in the same run.

- a batch of declarations: one `LCA` whose factorisation is reused (`lci(factorize=True)`, then
  `redo_lci` per demand, scores from precomputed characterised biosphere rows), and bw2calc
  3.1's `FastScoresOnlyMultiLCA` (adjoint direction: one factorisation, one solve per category);
- a Monte Carlo with the background fixed: `PartitionedMonteCarloLCA` (background solved once
  per interface product, only the foreground resampled);
- a Monte Carlo with the background drawn too: `MultiLCA(use_distributions=True)` (one
  factorisation per iteration) and `IterativeLCA` (BiCGSTAB + Jacobi, warm start, checked with
  the reference factorisation).
"""

from __future__ import annotations

import time
import warnings

import numpy as np


def _keys(method_set):
    return [tuple(c.method) for c in method_set.categories]


def redo_lci_batch(background, method_set, package, products) -> tuple[np.ndarray, float]:
    """(declarations, categories) scores and seconds: one factorisation, `redo_lci` per demand."""
    from bw2calc import LCA, MultiLCA

    data_objs = background.datapackages() + [package] + background.characterisation_datapackages(method_set)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first_category = background.characterisation_datapackages(method_set)[:1]
        lca = LCA({products[0]: 1.0}, data_objs=background.datapackages() + [package] + first_category)
        lca.lci(factorize=True)
        # The characterised biosphere rows of all 16 categories, once (as FastScoresOnlyMultiLCA does).
        rows = MultiLCA(demands={"any": {products[0]: 1.0}}, method_config={"impact_categories": _keys(method_set)}, data_objs=data_objs)
        rows.load_lci_data()
        rows.load_lcia_data()
        g = np.vstack([np.asarray((rows.characterization_matrices[k] @ rows.biosphere_matrix).sum(axis=0)).ravel() for k in _keys(method_set)])
        out = np.empty((len(products), len(method_set.categories)))
        for i, product in enumerate(products):
            lca.redo_lci({product: 1.0})
            out[i] = g @ lca.supply_array
    return out, time.perf_counter() - started


def fast_scores_batch(background, method_set, package, products) -> tuple[np.ndarray | None, float, str]:
    """bw2calc 3.1's FastScoresOnlyMultiLCA on every demand at once (needs PARDISO or UMFPACK)."""
    import bw2calc
    from bw2calc import FastScoresOnlyMultiLCA

    if not (bw2calc.PYPARDISO or bw2calc.UMFPACK):
        return None, float("nan"), "not measured: FastScoresOnlyMultiLCA needs pypardiso or scikit-umfpack (pip install -e '.[bench]')"
    data_objs = background.datapackages() + [package] + background.characterisation_datapackages(method_set)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fast = FastScoresOnlyMultiLCA(
            demands={f"d{i}": {p: 1.0} for i, p in enumerate(products)},
            method_config={"impact_categories": _keys(method_set)},
            data_objs=data_objs,
            direction="adjoint",
        )
        next(fast)
        scores = np.asarray(fast.scores.values).T  # (declarations, categories)
    solver = "PARDISO" if bw2calc.PYPARDISO else "UMFPACK"
    return scores, time.perf_counter() - started, f"adjoint direction, {solver}"


def naive_loop(background, method_set, inventories) -> float:
    """Median seconds of one fresh MultiLCA per declaration (context only)."""
    from bw2calc import MultiLCA

    from footprint.engine.matrices import foreground_datapackage

    times = []
    for inventory in inventories:
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lca = MultiLCA(
                demands={"declared": {inventory.node_ids[inventory.product_index]: inventory.demand_amount}},
                method_config={"impact_categories": _keys(method_set)},
                data_objs=background.datapackages() + [foreground_datapackage(inventory)] + background.characterisation_datapackages(method_set),
            )
            lca.lci()
            lca.lcia()
            lca.scores
        times.append(time.perf_counter() - started)
    return float(np.median(times))


def partitioned_monte_carlo(background, method_set, package, product, iterations: int, seed: int) -> tuple[np.ndarray, float, float]:
    """PartitionedMonteCarloLCA (1 category): scores, set-up seconds, seconds per iteration."""
    from bw2calc import PartitionedMonteCarloLCA

    from synthetic import named_background_packages

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        started = time.perf_counter()
        mc = PartitionedMonteCarloLCA(
            {product: 1.0},
            static_databases=["synthetic"],
            data_objs=named_background_packages(background) + [package] + background.characterisation_datapackages(method_set)[:1],
            seed_override=seed,
        )
        mc.lci()
        mc.lcia()
        setup = time.perf_counter() - started
        scores = [mc.score]
        started = time.perf_counter()
        for _ in range(iterations - 1):
            next(mc)
            scores.append(mc.score)
        each = (time.perf_counter() - started) / max(iterations - 1, 1)
    return np.array(scores), setup, each


def bw2calc_background_monte_carlo(background, method_set, package, product, iterations: int, seed: int, kind: str = "multi") -> float:
    """Seconds per iteration of bw2calc's Monte Carlo with the background drawn too.

    kind "multi": MultiLCA, all categories, one factorisation per iteration; "iterative":
    IterativeLCA (BiCGSTAB + Jacobi, warm start, reference-factorisation check), 1 category.
    """
    from bw2calc import IterativeLCA, MultiLCA

    data_objs = background.datapackages() + [package] + background.characterisation_datapackages(method_set)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "multi":
            lca = MultiLCA(demands={"d": {product: 1.0}}, method_config={"impact_categories": _keys(method_set)}, data_objs=data_objs, use_distributions=True, seed_override=seed)
        else:
            one = background.datapackages() + [package] + background.characterisation_datapackages(method_set)[:1]
            lca = IterativeLCA({product: 1.0}, data_objs=one, use_distributions=True, seed_override=seed, use_guess=True)
        lca.lci()
        lca.lcia()
        next(lca)  # the first drawn iteration (IterativeLCA: its first iterative solve)
        started = time.perf_counter()
        for _ in range(iterations):
            next(lca)
            lca.scores if kind == "multi" else lca.score
    return (time.perf_counter() - started) / iterations
