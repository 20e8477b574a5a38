"""The background's own uncertainty at speed: sampled systems solved without a fresh factorisation.

bw2calc's Monte Carlo (`sampling.py`) draws every uncertain technosphere and biosphere value of
the background and factorises the drawn matrix again, every iteration. Here the same values
are drawn (stats_arrays, from the same `distributions` arrays of the same datapackages, with
the same flip signs; undefined or fixed entries keep their `loc`, as matrix_utils does), but:

- the drawn systems of a block of `BLOCK` iterations are solved together by Jacobi-
  preconditioned BiCGSTAB (`krylov.block_bicgstab`), warm-started from the unperturbed
  solution, to a relative residual of `rtol`;
- **forward** (`sampled_demand_scores`): per iteration one system A_i x_i = f_i, with f_i
  what the (sampled) foreground buys in that iteration, and every category at once as
  C B_i x_i; **adjoint** (`sampled_dataset_scores`): A_i^T Y_i = (C B_i)^T, every category's
  score of one unit of each dataset (what `sampling.sample_background_scores` returns);
- only biosphere entries of characterised flows are drawn (the others cannot change a score);
  characterisation factors carry no distributions in footprint and are held fixed.

Error control: a column whose solve does not reach `rtol` within `maxiter` steps (or breaks
down) is solved directly with a fresh factorisation of its drawn matrix (counted in
`fallbacks`); on `checks` iterations spread over the run, every result is also solved directly
and the worst relative difference is reported (`worst_error`); one above `tolerance` fails the
run. Block b draws from a seed derived from (seed, b) only, so results do not depend on how
blocks are spread over processes (`runner`, e.g. Dask workers).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from ..errors import CalculationError
from .draws import BackgroundSampler
from .krylov import block_bicgstab
from .solvers import Factorisation

BLOCK = 16  # iterations solved together; fixed, so that the draws never depend on the runner


@dataclass(frozen=True)
class MonteCarloSettings:
    """How drawn systems are solved and checked."""

    rtol: float = 1e-10  # relative residual each iterative solve must reach
    maxiter: int = 300  # BiCGSTAB steps before a column is solved directly
    checks: int = 3  # iterations also solved directly, spread over the run
    tolerance: float = 1e-6  # largest relative difference a checked iteration may show
    solver: str | None = None  # the sparse direct solver of fallbacks and checks


@dataclass
class MonteCarloStats:
    """What a run did, for the report and the benchmark."""

    method: str
    iterations: int = 0
    blocks: int = 0
    columns: int = 0
    steps_mean: float = 0.0
    steps_max: int = 0
    fallbacks: int = 0
    checked: int = 0
    worst_error: float = 0.0
    seconds: float = 0.0
    check_seconds: float = 0.0  # of `seconds`, the direct solves of the checked iterations

    def describe(self) -> str:
        return (
            f"{self.method}: {self.iterations} iterations in {self.blocks} blocks, BiCGSTAB steps mean "
            f"{self.steps_mean:.1f} (max {self.steps_max}), {self.fallbacks} direct fallback(s), {self.checked} "
            f"iteration(s) checked against a direct solve (worst relative difference {self.worst_error:.1e}; "
            f"{self.check_seconds:.1f} s of the {self.seconds:.1f} s)"
        )


def block_seeds(seed: int, block: int) -> tuple[int, int]:
    """Seeds of block `block`'s technosphere and biosphere draws: from (seed, block) only."""
    state = np.random.SeedSequence([int(seed), int(block)]).generate_state(2)
    return int(state[0]), int(state[1])


@dataclass
class SampledProblem:
    """What every block of one run shares (sent to each worker once)."""

    sampler: BackgroundSampler
    direction: str  # "forward" or "adjoint"
    positions: np.ndarray  # rows of A of the datasets the study buys
    start: np.ndarray  # unperturbed solutions: X0 (n, d) forward, Y0 (n, k) adjoint
    settings: MonteCarloSettings


@dataclass
class BlockTask:
    block: int
    seed: int
    size: int
    demands: np.ndarray | None  # (size, d) forward: what each iteration buys of each dataset
    check: np.ndarray  # iterations of the block (0-based within it) to solve directly too


@dataclass
class BlockResult:
    scores: np.ndarray  # (size, k) forward, (size, k, d) adjoint
    steps: np.ndarray
    fallbacks: int
    errors: list[float] = field(default_factory=list)
    check_seconds: float = 0.0


def _unperturbed(sampler: BackgroundSampler, direction: str, positions: np.ndarray, settings: MonteCarloSettings) -> np.ndarray:
    """X0 = A^-1 [e_d] (forward) or Y0 = A^-T (C B)^T (adjoint) of the undrawn background, iteratively."""
    tech = sampler.technosphere(sampler.tech.fixed[None, :])
    n = sampler.pattern.n
    if direction == "forward":
        rhs = np.zeros((1, n, len(positions)))
        rhs[0, positions, np.arange(len(positions))] = 1.0
        pattern, data = sampler.pattern, tech
    else:
        rhs = _adjoint_rhs(sampler, sampler.bio.fixed[None, :])
        pattern, data = sampler.transposed, tech[:, sampler.to_transposed]
    solved = block_bicgstab(pattern, data, rhs, rtol=settings.rtol, maxiter=settings.maxiter * 4)
    if not solved.converged.all():
        factorisation = Factorisation(sampler.matrix(tech[0]), settings.solver)
        x = factorisation.solve(rhs[0]) if direction == "forward" else factorisation.solve_transposed(rhs[0])
        factorisation.free()
        return np.asarray(x).reshape(n, -1)
    return solved.x[0]


def _adjoint_rhs(sampler: BackgroundSampler, bio: np.ndarray) -> np.ndarray:
    """(m, n, k): (C B_i)^T for drawn biosphere values (m, E)."""
    m, n, k = bio.shape[0], sampler.pattern.n, len(sampler.categories)
    out = np.zeros((m, n, k))
    weights = sampler.bio_factors.T.tocsr()  # (E, k)
    for i in range(m):
        np.add.at(out[i], sampler.bio_column, np.asarray(weights.multiply(bio[i][:, None]).todense()))
    return out


def solve_block(problem: SampledProblem, task: BlockTask) -> BlockResult:
    """Draw one block's systems and solve them (the unit of work a runner spreads)."""
    sampler, settings = problem.sampler, problem.settings
    tech_seed, bio_seed = block_seeds(task.seed, task.block)
    tech = sampler.technosphere(sampler.tech.draw(task.size, tech_seed))
    bio = sampler.bio.draw(task.size, bio_seed)
    n, m = sampler.pattern.n, task.size
    if problem.direction == "forward":
        rhs = np.zeros((m, n, 1))
        np.add.at(rhs[:, :, 0].T, problem.positions, task.demands.T)
        x0 = (task.demands @ problem.start.T)[:, :, None]
        pattern, data = sampler.pattern, tech
    else:
        rhs = _adjoint_rhs(sampler, bio)
        x0 = np.broadcast_to(problem.start, (m, *problem.start.shape))
        pattern, data = sampler.transposed, tech[:, sampler.to_transposed]
    solved = block_bicgstab(pattern, data, rhs, x0, rtol=settings.rtol, maxiter=settings.maxiter)
    x = solved.x
    fallbacks = 0

    def direct(i: int) -> np.ndarray:
        factorisation = Factorisation(sampler.matrix(tech[i]), settings.solver)
        try:
            return np.asarray(factorisation.solve(rhs[i]) if problem.direction == "forward" else factorisation.solve_transposed(rhs[i])).reshape(n, -1)
        finally:
            factorisation.free()

    for i in np.flatnonzero(~solved.converged.all(axis=1)):
        x[i] = direct(int(i))
        fallbacks += 1
    scores = _scores(problem, bio, x)
    errors = []
    checking = time.perf_counter()
    for i in task.check:
        exact = _scores(problem, bio[i : i + 1], direct(int(i))[None])[0]
        scale = np.maximum(np.abs(exact), 1e-300)
        errors.append(float(np.max(np.abs(scores[i] - exact) / scale)) if exact.size else 0.0)
    if not np.all(np.isfinite(scores)):
        raise CalculationError("a drawn background was singular: some iterations have no finite result", field="uncertainty")
    return BlockResult(scores=scores, steps=solved.steps, fallbacks=fallbacks, errors=errors, check_seconds=time.perf_counter() - checking)


def _scores(problem: SampledProblem, bio: np.ndarray, x: np.ndarray) -> np.ndarray:
    sampler = problem.sampler
    if problem.direction == "forward":
        weighted = np.take(np.ascontiguousarray(x[:, :, 0]), sampler.bio_column, axis=1)  # (m, E)
        weighted *= bio
        return np.stack([sampler.bio_factors @ row for row in weighted]) if len(weighted) else np.zeros((0, len(sampler.categories)))
    return np.ascontiguousarray(np.transpose(x[:, problem.positions, :], (0, 2, 1)))  # (m, k, d)


Runner = Callable[[Callable[[Any, Any], Any], Any, list], list]


def run_in_process(function: Callable[[Any, Any], Any], shared: Any, tasks: list) -> list:
    """The default runner: every block here, one after the other."""
    return [function(shared, task) for task in tasks]


def checked_iterations(iterations: int, checks: int) -> np.ndarray:
    return np.unique(np.linspace(0, iterations - 1, checks).round().astype(np.int64)) if checks and iterations else np.zeros(0, np.int64)


def _run(
    problem: SampledProblem, iterations: int, seed: int, demands: np.ndarray | None, runner: Runner | None
) -> tuple[list[BlockResult], MonteCarloStats]:
    started = time.perf_counter()
    checks = checked_iterations(iterations, problem.settings.checks)
    tasks = []
    for block, first in enumerate(range(0, iterations, BLOCK)):
        size = min(BLOCK, iterations - first)
        here = checks[(checks >= first) & (checks < first + size)] - first
        tasks.append(BlockTask(block, seed, size, None if demands is None else demands[first : first + size], here))
    results = (runner or run_in_process)(solve_block, problem, tasks)
    steps = np.concatenate([r.steps.ravel() for r in results]) if results else np.zeros(0)
    errors = [e for r in results for e in r.errors]
    stats = MonteCarloStats(
        method=f"{problem.direction} BiCGSTAB (Jacobi-preconditioned, warm-started, rtol {problem.settings.rtol:g}) on drawn systems",
        iterations=iterations,
        blocks=len(tasks),
        columns=int(steps.size),
        steps_mean=float(steps.mean()) if steps.size else 0.0,
        steps_max=int(steps.max()) if steps.size else 0,
        fallbacks=sum(r.fallbacks for r in results),
        checked=len(errors),
        worst_error=max(errors, default=0.0),
        seconds=time.perf_counter() - started,
        check_seconds=sum(r.check_seconds for r in results),
    )
    if stats.worst_error > problem.settings.tolerance:
        raise CalculationError(
            f"the iterative background Monte Carlo differs from a direct solve by {stats.worst_error:.1e} (relative) on a "
            f"checked iteration, above the tolerance {problem.settings.tolerance:g}",
            field="uncertainty",
        )
    return results, stats


def prepare_problem(sampler: BackgroundSampler, dataset_ids: Sequence[int], direction: str, settings: MonteCarloSettings | None = None) -> SampledProblem:
    settings = settings or MonteCarloSettings()
    positions = sampler.positions(dataset_ids)
    return SampledProblem(sampler, direction, positions, _unperturbed(sampler, direction, positions, settings), settings)


def sampled_demand_scores(
    sampler: BackgroundSampler,
    dataset_ids: Sequence[int],
    demands: np.ndarray,
    seed: int,
    *,
    settings: MonteCarloSettings | None = None,
    runner: Runner | None = None,
) -> tuple[np.ndarray, MonteCarloStats]:
    """(iterations, categories) background scores of what each iteration buys (`demands`: iterations x datasets)."""
    problem = prepare_problem(sampler, dataset_ids, "forward", settings)
    results, stats = _run(problem, demands.shape[0], seed, np.asarray(demands, float), runner)
    scores = np.concatenate([r.scores for r in results]) if results else np.zeros((0, len(sampler.categories)))
    return scores, stats


def sampled_dataset_scores(
    sampler: BackgroundSampler,
    dataset_ids: Sequence[int],
    iterations: int,
    seed: int,
    *,
    settings: MonteCarloSettings | None = None,
    runner: Runner | None = None,
) -> tuple[np.ndarray, MonteCarloStats]:
    """(iterations, categories, datasets) scores of one unit of each dataset, the background drawn."""
    problem = prepare_problem(sampler, dataset_ids, "adjoint", settings)
    results, stats = _run(problem, iterations, seed, None, runner)
    scores = np.concatenate([r.scores for r in results]) if results else np.zeros((0, len(sampler.categories), len(dataset_ids)))
    return scores, stats
