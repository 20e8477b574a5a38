"""The background's own uncertainty (Annex V Part VII, uncertainty of the results): drawn background
systems solved iteratively equal direct solves, and follow bw2calc's Monte Carlo distribution."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from footprint.engine import background_system, prepare_background
from footprint.engine.draws import background_sampler
from footprint.engine.montecarlo import (
    BLOCK,
    MonteCarloSettings,
    run_in_process,
    sampled_dataset_scores,
    sampled_demand_scores,
)
from footprint.engine.sampling import bw2calc_draws
from footprint.errors import CalculationError
from footprint.methods import load_method_set
from footprint.uncertainty import monte_carlo_system, sample_amounts, simulate
from footprint.uncertainty.simulate import foreground_purchases

from .test_prepared_background import random_background, random_inventory

# The tolerance the engine promises (MonteCarloSettings.tolerance) and what the tests ask of it.
TOLERANCE = 1e-6


@pytest.fixture(scope="module")
def method_set():
    return load_method_set()


def uncertain_background(method_set, n: int = 60, seed: int = 8):
    """A random background whose inputs (GSD 1.2) and biosphere flows (GSD 1.3) carry lognormals."""
    from stats_arrays import UncertaintyBase

    plain = random_background(method_set, n=n, flows=30, seed=seed, distributions=True)
    values = np.asarray(plain.biosphere[2])
    params = UncertaintyBase.from_dicts(*[{"loc": 0.0, "uncertainty_type": 2}] * len(values))
    params["loc"], params["scale"] = np.log(values), np.log(1.3)
    return dataclasses.replace(plain, biosphere_distributions=params, sha256="")


@pytest.fixture(scope="module")
def background(method_set):
    return uncertain_background(method_set)


@pytest.fixture(scope="module")
def sampler(background, method_set):
    return background_sampler(background, method_set)


def test_the_undrawn_sampler_is_bw2calcs_matrix(background, method_set, sampler):
    """Layout and signs: the sampler's fixed values build bw2calc's own technosphere matrix."""
    system = background_system(background, method_set)
    assert np.array_equal(system.activity_ids, sampler.product_ids)
    undrawn = sampler.matrix(sampler.technosphere(sampler.tech.fixed[None, :])[0])
    assert abs(undrawn - system.technosphere).max() == 0.0


def test_drawn_systems_solved_iteratively_equal_direct_solves(background, method_set, sampler):
    """Every iteration checked against a fresh factorisation of its drawn matrix."""
    datasets = [int(d) for d in background.activity_ids[[0, 5, 17]]]
    demands = np.random.default_rng(2).lognormal(0.0, 1.0, (40, 3))
    settings = MonteCarloSettings(checks=40)
    scores, stats = sampled_demand_scores(sampler, datasets, demands, seed=11, settings=settings)
    assert scores.shape == (40, len(method_set.categories))
    assert stats.checked == 40 and stats.worst_error <= TOLERANCE
    assert stats.fallbacks == 0 and stats.steps_max < settings.maxiter
    # All categories per unit of each dataset (adjoint): also equal to direct solves.
    per_dataset, adjoint = sampled_dataset_scores(sampler, datasets, 20, seed=11, settings=MonteCarloSettings(checks=20))
    assert per_dataset.shape == (20, len(method_set.categories), 3)
    assert adjoint.checked == 20 and adjoint.worst_error <= TOLERANCE
    # Same seed, same draws: the forward total equals the adjoint scores times the demands.
    assert np.allclose(scores[:20], np.einsum("id,ikd->ik", demands[:20], per_dataset), rtol=1e-7, atol=0)


def test_the_drawn_scores_are_seeded_and_do_not_depend_on_the_runner(background, sampler):
    datasets = [int(d) for d in background.activity_ids[:2]]
    demands = np.ones((3 * BLOCK + 5, 2))
    first, _ = sampled_demand_scores(sampler, datasets, demands, seed=4)
    again, _ = sampled_demand_scores(sampler, datasets, demands, seed=4)

    def backwards(function, shared, tasks):
        return run_in_process(function, shared, tasks[::-1])[::-1]

    spread, _ = sampled_demand_scores(sampler, datasets, demands, seed=4, runner=backwards)
    other, _ = sampled_demand_scores(sampler, datasets, demands, seed=5)
    assert np.array_equal(first, again) and np.array_equal(first, spread)
    assert not np.allclose(first, other)
    assert not np.allclose(first[0], first[1])


def test_the_distribution_matches_bw2calcs_monte_carlo(background, method_set, sampler):
    """Two-sample Kolmogorov-Smirnov test on 1,000 draws of each (same distributions, other
    random numbers): the climate-change score of one unit of a dataset."""
    from scipy.stats import ks_2samp

    dataset = int(background.activity_ids[5])
    ours, _ = sampled_dataset_scores(sampler, [dataset], 1000, seed=3)
    theirs = bw2calc_draws(background, method_set, dataset, 1000, seed=3)
    result = ks_2samp(ours[:, 0, 0], theirs)
    assert result.pvalue > 0.01, result
    # The draws really spread the scores (a degenerate sample would pass KS only by luck).
    assert np.std(ours[:, 0, 0]) > 0.02 * abs(np.mean(ours[:, 0, 0]))
    # And a wrong distribution is caught: bw2calc's draws against ours with sigmas half as wide again.
    wider = background_sampler(widened(background, 1.5), method_set)
    assert ks_2samp(sampled_dataset_scores(wider, [dataset], 1000, seed=3)[0][:, 0, 0], theirs).pvalue < 0.01


def widened(background, factor: float):
    """The same background with every lognormal's sigma multiplied by `factor`."""
    inputs, flows = background.input_distributions.copy(), background.biosphere_distributions.copy()
    inputs["scale"] *= factor
    flows["scale"] *= factor
    return dataclasses.replace(background, input_distributions=inputs, biosphere_distributions=flows, sha256="")


def test_foreground_and_background_drawn_together(background, method_set, sampler):
    """The study's Monte Carlo with the background drawn: purchases from the drawn foreground,
    solved on drawn backgrounds, equal the per-dataset route of `simulate`."""
    plain = random_background(method_set, n=60, flows=30, seed=8)
    ready = prepare_background(plain, method_set, cache=False)
    inventory = random_inventory(plain, 3)
    system = monte_carlo_system(inventory, ready, specs=[])
    amounts = sample_amounts(system, 24, seed=1)
    bought, direct = foreground_purchases(system, amounts)
    drawn, _ = sampled_demand_scores(sampler, system.dataset_ids, bought, seed=9)
    per_dataset, _ = sampled_dataset_scores(sampler, system.dataset_ids, 24, seed=9)
    assert np.allclose(drawn + direct, simulate(system, amounts, per_dataset), rtol=1e-7, atol=1e-12)


def test_a_check_above_the_tolerance_fails_the_run(background, sampler):
    """The error control is real: with a residual target far too loose, the checked iterations
    differ from the direct solves by more than the tolerance and the run refuses to answer."""
    datasets = [int(background.activity_ids[0])]
    loose = MonteCarloSettings(rtol=1e-2, checks=4, tolerance=1e-9)
    with pytest.raises(CalculationError, match="differs from a direct solve"):
        sampled_demand_scores(sampler, datasets, np.ones((8, 1)), seed=1, settings=loose)


def test_a_column_that_does_not_converge_is_solved_directly(background, sampler):
    datasets = [int(background.activity_ids[0])]
    capped = MonteCarloSettings(maxiter=1, checks=2)
    scores, stats = sampled_demand_scores(sampler, datasets, np.ones((8, 1)), seed=1, settings=capped)
    assert stats.fallbacks == 8 and stats.worst_error <= 1e-12


class DrawnStarter:
    """The starter background with a lognormal (GSD 1.1) on every input and biosphere value:
    the same datasets, ids and amounts, now carrying distributions as an ecoinvent project does."""

    def __init__(self, inner, gsd: float = 1.1) -> None:
        self._inner, self._gsd = inner, gsd

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def datapackages(self):
        import bw_processing as bwp
        from stats_arrays import UncertaintyBase

        out = []
        for package in self._inner.datapackages():
            copy = bwp.create_datapackage(sum_intra_duplicates=True, sum_inter_duplicates=False)
            names = {r["name"] for r in package.resources}
            for resource in package.resources:
                if resource.get("kind") != "indices" or resource.get("matrix") not in ("technosphere_matrix", "biosphere_matrix"):
                    continue
                base = resource["name"][: -len(".indices")]
                data = np.asarray(package.get_resource(base + ".data")[0], float)
                flip = np.asarray(package.get_resource(base + ".flip")[0], bool) if base + ".flip" in names else None
                params = UncertaintyBase.from_dicts(*[{"loc": 0.0, "uncertainty_type": 2}] * len(data))
                params["loc"] = np.log(np.abs(np.where(data == 0, 1.0, data)))
                params["scale"] = np.log(self._gsd)
                params["negative"] = data < 0
                fixed = (data == 0) if flip is None else (~flip | (data == 0))  # production amounts stay fixed
                params["uncertainty_type"][fixed], params["loc"][fixed] = 0, data[fixed]
                extra = {"flip_array": flip} if flip is not None else {}
                copy.add_persistent_vector(
                    matrix=resource["matrix"], name=base, indices_array=package.get_resource(resource["name"])[0],
                    data_array=data, distributions_array=params, **extra,
                )
            out.append(copy)
        return out


def test_a_study_with_its_background_drawn_end_to_end(method_set):
    """`run_uncertainty(..., sample_background=True)`: the study linked to the real starter
    background, foreground and background drawn, the error control reported."""
    from footprint.assessment import background_for, check_study
    from footprint.uncertainty import run_uncertainty

    from .conftest import TINY_STUDY

    starter = background_for(check_study(TINY_STUDY), method_set)
    drawn = DrawnStarter(starter)
    fixed, fixed_samples = run_uncertainty(TINY_STUDY, iterations=300, seed=2, background=starter, sample_background=True, keep_samples=True)
    report, samples = run_uncertainty(TINY_STUDY, iterations=300, seed=2, background=drawn, sample_background=True, keep_samples=True)
    assert fixed.background == "fixed" and "held fixed" in " ".join(fixed.notes)
    assert report.background == "sampled"
    note = next(n for n in report.notes if n.startswith("background sampled"))
    assert "3 iteration(s) checked" in note and "0 direct fallback(s)" in note
    assert report.categories[0].deterministic == pytest.approx(fixed.categories[0].deterministic, rel=1e-9)
    # The background's spread adds to the foreground's: wider, around the same centre.
    assert samples[:, 0].std() > fixed_samples[:, 0].std()
    assert abs(np.median(samples[:, 0]) / report.categories[0].deterministic - 1) < 0.05
