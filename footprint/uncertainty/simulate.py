"""The Monte Carlo itself: amounts sampled for all iterations at once, foregrounds solved stacked.

Every uncertain foreground amount is drawn for all iterations with stats_arrays (seeded, so a
run is reproducible); the foreground matrices of all iterations are solved as stacked numpy
solves, in blocks; impacts are matrix products with the prepared background's per-dataset
scores. The memory a run needs is checked before anything is allocated.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ..errors import CalculationError, FootprintInputError
from .exchanges import FIXED, ExchangeSpec, params_array

@dataclass
class MonteCarloSystem:
    """A foreground reduced to index arrays, with the background scores it needs."""

    production: np.ndarray  # (n,)
    product_index: int
    demand_amount: float
    fg_supplier: np.ndarray  # (mf,)
    fg_consumer: np.ndarray
    bg_consumer: np.ndarray  # (mb,)
    bg_dataset: np.ndarray  # (mb,) column in `dataset_ids`
    flow_consumer: np.ndarray  # (mq,)
    flow_column: np.ndarray  # (mq,) column in `flow_factors`
    dataset_ids: list[int]
    dataset_scores: np.ndarray  # (k, d)
    flow_factors: np.ndarray  # (k, q)
    amounts: np.ndarray  # (mf + mb + mq,) deterministic amounts, in this order
    params: np.ndarray  # stats_arrays params, same order
    categories: tuple[str, ...]

    @property
    def sizes(self) -> tuple[int, int, int]:
        return len(self.fg_supplier), len(self.bg_consumer), len(self.flow_consumer)


def monte_carlo_system(inventory: Any, prepared: Any, specs: Sequence[ExchangeSpec] | None = None) -> MonteCarloSystem:
    """Index arrays of the foreground, the prepared scores it needs, and parameters in one order."""
    fg = inventory.foreground_links
    bg = inventory.background_links
    flows = inventory.flows
    dataset_ids = sorted({d for d, _, _ in bg})
    column = {d: j for j, d in enumerate(dataset_ids)}
    flow_ids = sorted({f for f, _, _ in flows})
    flow_col = {f: j for j, f in enumerate(flow_ids)}
    order = {("foreground", i): i for i in range(len(fg))}
    order.update({("background", i): len(fg) + i for i in range(len(bg))})
    order.update({("flow", i): len(fg) + len(bg) + i for i in range(len(flows))})
    amounts = np.array([a for _, _, a in fg] + [a for _, _, a in bg] + [a for _, _, a in flows], dtype=float)
    ordered: list[ExchangeSpec | None] = [None] * len(amounts)
    for spec in specs or []:
        ordered[order[(spec.kind, spec.index)]] = spec
    filled = [
        s if s is not None else ExchangeSpec("?", i, "", "", float(amounts[i]), FIXED, "fixed") for i, s in enumerate(ordered)
    ]
    return MonteCarloSystem(
        production=np.asarray(inventory.production, dtype=float),
        product_index=inventory.product_index,
        demand_amount=float(inventory.demand_amount),
        fg_supplier=np.array([s for s, _, _ in fg], dtype=np.int64),
        fg_consumer=np.array([c for _, c, _ in fg], dtype=np.int64),
        bg_consumer=np.array([c for _, c, _ in bg], dtype=np.int64),
        bg_dataset=np.array([column[d] for d, _, _ in bg], dtype=np.int64),
        flow_consumer=np.array([c for _, c, _ in flows], dtype=np.int64),
        flow_column=np.array([flow_col[f] for f, _, _ in flows], dtype=np.int64),
        dataset_ids=dataset_ids,
        dataset_scores=prepared.dataset_scores(dataset_ids) if dataset_ids else np.zeros((len(prepared.categories), 0)),
        flow_factors=prepared.flow_scores(flow_ids) if flow_ids else np.zeros((len(prepared.categories), 0)),
        amounts=amounts,
        params=params_array(filled),
        categories=tuple(prepared.categories),
    )


def sample_amounts(system: MonteCarloSystem, iterations: int, seed: int) -> np.ndarray:
    """(iterations, exchanges) sampled amounts; fixed exchanges repeat their amount."""
    from stats_arrays import MCRandomNumberGenerator

    out = np.broadcast_to(system.amounts, (iterations, len(system.amounts))).copy()
    uncertain = np.flatnonzero(system.params["uncertainty_type"] > 1) if len(system.params) else np.zeros(0, np.int64)
    if len(uncertain) and iterations:
        generator = MCRandomNumberGenerator(system.params[uncertain], seed=seed)
        drawn = generator.generate(samples=max(iterations, 2))[:, :iterations]
        out[:, uncertain] = drawn.T
    return out


def _foreground_blocks(system: MonteCarloSystem, amounts: np.ndarray, chunk_elements: int):
    """Per block of iterations: (start, stop, bought (c, d), emitted scores (c, k)).

    The foreground matrices of a block are solved as one stacked numpy solve; `bought` is what
    each iteration buys of each background dataset, `emitted` the direct emissions' scores.
    """
    iterations = amounts.shape[0]
    n = len(system.production)
    mf, mb, mq = system.sizes
    d = len(system.dataset_ids)
    q = system.flow_factors.shape[1]
    demand = np.zeros(n)
    demand[system.product_index] = system.demand_amount
    to_dataset = np.zeros((mb, d))
    to_dataset[np.arange(mb), system.bg_dataset] = 1.0
    to_flow = np.zeros((mq, q))
    to_flow[np.arange(mq), system.flow_column] = 1.0
    step = max(1, chunk_elements // max(n * n, 1))
    negative = 0
    for start in range(0, iterations, step):
        stop = min(iterations, start + step)
        c = stop - start
        block = amounts[start:stop]
        matrix = np.zeros((c, n, n))
        matrix[:, np.arange(n), np.arange(n)] = system.production
        if mf:
            np.subtract.at(matrix, (slice(None), system.fg_supplier, system.fg_consumer), block[:, :mf])
        if n == 1:
            supply = (demand[None, :] / matrix[:, 0, :])
        else:
            supply = np.linalg.solve(matrix, np.broadcast_to(demand[:, None], (c, n, 1)))[..., 0]
        negative += int(np.count_nonzero(np.any(supply < 0, axis=1)))
        bought = (block[:, mf : mf + mb] * supply[:, system.bg_consumer]) @ to_dataset  # (c, d)
        emitted = (block[:, mf + mb :] * supply[:, system.flow_consumer]) @ to_flow  # (c, q)
        yield start, stop, bought, emitted @ system.flow_factors.T
    if negative:
        raise CalculationError(
            f"{negative} of {iterations} sampled iterations push a foreground loop past what it makes (a process "
            "would run at a negative rate); narrow the distributions of the loop's inputs",
            field="uncertainty",
        )


def simulate(
    system: MonteCarloSystem,
    amounts: np.ndarray,
    background_scores: np.ndarray | None = None,
    chunk_elements: int = 4_000_000,
) -> np.ndarray:
    """Scores (iterations, categories) for each row of sampled `amounts`.

    `background_scores` (iterations, categories, datasets) replaces the fixed per-dataset
    scores when the background is sampled too.
    """
    out = np.empty((amounts.shape[0], len(system.categories)))
    for start, stop, bought, direct in _foreground_blocks(system, amounts, chunk_elements):
        if background_scores is None:
            scores = bought @ system.dataset_scores.T
        else:
            scores = np.einsum("cd,ckd->ck", bought, background_scores[start:stop])
        out[start:stop] = scores + direct
    if not np.all(np.isfinite(out)):
        raise CalculationError("a sampled foreground was singular: some iterations have no finite result", field="uncertainty")
    return out


def foreground_purchases(system: MonteCarloSystem, amounts: np.ndarray, chunk_elements: int = 4_000_000) -> tuple[np.ndarray, np.ndarray]:
    """(iterations, datasets) what each iteration buys from the background, and (iterations,
    categories) the scores of its direct emissions: the foreground half of a run whose
    background is drawn too (`engine.montecarlo.sampled_demand_scores` does the other half)."""
    iterations = amounts.shape[0]
    bought = np.empty((iterations, len(system.dataset_ids)))
    direct = np.empty((iterations, len(system.categories)))
    for start, stop, block_bought, block_direct in _foreground_blocks(system, amounts, chunk_elements):
        bought[start:stop], direct[start:stop] = block_bought, block_direct
    if not (np.all(np.isfinite(bought)) and np.all(np.isfinite(direct))):
        raise CalculationError("a sampled foreground was singular: some iterations have no finite result", field="uncertainty")
    return bought, direct


# No run may plan to hold more than this share of the memory available when it starts.
MEMORY_SHARE = 0.5


def available_memory() -> int:
    """Bytes of memory available now (physical memory free or reclaimable), as the OS reports it."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return 8 * 1024**3


def planned_bytes(system: "MonteCarloSystem", iterations: int, *, sample_background: bool = False, keep_samples: bool = False) -> int:
    """What a run holds at its peak: sampled amounts (and stats_arrays' copy), results, background draws."""
    exchanges = len(system.amounts)
    k = len(system.categories)
    per_iteration = 8 * (2 * exchanges + 2 * k)
    if sample_background:
        per_iteration += 8 * k * len(system.dataset_ids)
    if keep_samples:
        per_iteration += 8 * k
    return iterations * per_iteration


def check_memory(system: "MonteCarloSystem", iterations: int, *, sample_background: bool = False, keep_samples: bool = False) -> None:
    """Refuse, before allocating anything, a run that would not fit in memory."""
    need = planned_bytes(system, iterations, sample_background=sample_background, keep_samples=keep_samples)
    limit = int(available_memory() * MEMORY_SHARE)
    if need > limit:
        most = max(1, iterations * limit // max(need, 1))
        raise FootprintInputError(
            f"{iterations:,} iterations would need about {need / 1024**3:.1f} GiB of memory; "
            f"{limit / 1024**3:.1f} GiB may be used here: run at most {most:,} iterations",
            field="iterations",
        )
