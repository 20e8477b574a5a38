"""The background's own uncertainty, sampled by bw2calc's Monte Carlo (one factorisation per iteration)."""

from __future__ import annotations

import warnings

import numpy as np

from ..background.packages import BackgroundLike
from ..errors import CalculationError
from ..methods import MethodSet


def background_has_distributions(background: BackgroundLike) -> bool:
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
    background: BackgroundLike,
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


def bw2calc_draws(background: BackgroundLike, method_set: MethodSet, dataset_id: int, iterations: int, seed: int) -> np.ndarray:
    """bw2calc's own Monte Carlo (`LCA`, `use_distributions=True`): the first category's score
    of one unit of one dataset, per iteration (the reference `montecarlo` is tested against)."""
    from bw2calc import LCA

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data_objs = background.datapackages() + background.characterisation_datapackages(method_set)[:1]
        lca = LCA({dataset_id: 1.0}, data_objs=data_objs, use_distributions=True, seed_override=seed)
        lca.lci()
        lca.lcia()
        scores = [lca.score]
        for _ in range(iterations - 1):
            next(lca)
            scores.append(lca.score)
    return np.array(scores)
