"""A study's foreground solved on a background: the outcome every engine returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import CalculationError
from ..inventory import solve_foreground
from .matrices import background_system, flow_factors
from .prepared import PreparedBackground
from .solvers import Factorisation


@dataclass
class LcaOutcome:
    """Scores per category for the declared unit, and each foreground process's share."""

    totals: dict[str, float]
    by_process: dict[str, np.ndarray]  # category -> contribution per foreground process
    supply: np.ndarray  # scaling of each foreground process


def foreground_arrays(inventory: Any, prepared: PreparedBackground) -> tuple[np.ndarray, np.ndarray]:
    """Per unit of each foreground process's reference output: (categories x processes) impacts
    of what it buys from the background and of what it emits directly, before scaling."""
    size = len(inventory.process_ids)
    k = len(prepared.categories)

    def by_process(triples: list, scores) -> np.ndarray:
        """Sum (categories x exchanges) impacts into their consuming processes' columns."""
        summed = np.zeros((k, size))
        if triples:
            ids = [i for i, _, _ in triples]
            consumers = np.array([c for _, c, _ in triples], dtype=np.int64)
            amounts = np.array([a for _, _, a in triples], dtype=float)
            np.add.at(summed.T, consumers, (scores(ids) * amounts[None, :]).T)
        return summed

    upstream = by_process(inventory.background_links, prepared.dataset_scores)
    direct = by_process(inventory.flows, prepared.flow_scores)
    return upstream, direct


def compute_prepared(inventory: Any, prepared: PreparedBackground) -> LcaOutcome:
    """The study's LcaOutcome from its foreground and a prepared background (no sparse solve)."""
    supply = solve_foreground(inventory)
    upstream, direct = foreground_arrays(inventory, prepared)
    contributions = (upstream + direct) * supply[None, :]
    totals = {name: float(contributions[k].sum()) for k, name in enumerate(prepared.categories)}
    by_process = {name: contributions[k] for k, name in enumerate(prepared.categories)}
    return LcaOutcome(totals=totals, by_process=by_process, supply=supply)


def compute_cold(inventory: Any, background: Any, method_set: Any, solver: str | None = None) -> LcaOutcome:
    """One study with no prepared background: one factorisation, solved only for what it needs.

    One forward solve per foreground process that buys from the background (its background
    demand per unit of output), instead of one per background dataset or category: the least
    work one declaration can cost, close to a single factorise + solve. Same LcaOutcome as
    `compute_lca` and `compute_prepared`.
    """
    supply = solve_foreground(inventory)
    system = background_system(background, method_set)
    order = np.argsort(system.activity_ids)
    sorted_ids = system.activity_ids[order]
    buyers = sorted({c for _, c, _ in inventory.background_links})
    rhs = np.zeros((len(sorted_ids), len(buyers)))
    where = {c: j for j, c in enumerate(buyers)}
    for dataset, consumer, amount in inventory.background_links:
        pos = int(np.searchsorted(sorted_ids, dataset))
        if pos >= len(sorted_ids) or sorted_ids[pos] != dataset:
            raise CalculationError(f"background dataset id {dataset} is not in the background")
        rhs[order[pos], where[consumer]] += amount
    k = len(method_set.categories)
    upstream = np.zeros((k, len(inventory.process_ids)))
    if buyers:
        factorisation = Factorisation(system.technosphere, solver)
        x = factorisation.solve(rhs).reshape(len(sorted_ids), -1)
        factorisation.free()
        per_buyer = system.characterisation @ (system.biosphere @ x)  # (k, buyers)
        upstream[:, buyers] = per_buyer
    direct = np.zeros_like(upstream)
    if inventory.flows:
        flow_ids, factors = flow_factors(background, method_set)
        for flow, consumer, amount in inventory.flows:
            pos = int(np.searchsorted(flow_ids, flow))
            if pos < len(flow_ids) and flow_ids[pos] == flow:
                direct[:, consumer] += factors[:, pos] * amount
    contributions = (upstream + direct) * supply[None, :]
    if not np.all(np.isfinite(contributions)):
        raise CalculationError("the linked system is singular: the solve returned non-finite values")
    names = list(method_set.names)
    return LcaOutcome(
        totals={name: float(contributions[i].sum()) for i, name in enumerate(names)},
        by_process={name: contributions[i] for i, name in enumerate(names)},
        supply=supply,
    )


def aggregated_flows(inventory: Any, background: Any, method_set: Any, solver: str | None = None) -> dict[int, float]:
    """Elementary flows (by biosphere node id) per declared unit of a study: its aggregated
    inventory g = B x + B_f s, with s the foreground supply and x the background activity that
    the foreground's purchases L s call for (one factorisation, one forward solve)."""
    supply = solve_foreground(inventory)
    system = background_system(background, method_set)
    column = {int(a): i for i, a in enumerate(system.activity_ids)}
    demand = np.zeros(len(column))
    for dataset_id, consumer, amount in inventory.background_links:
        demand[column[dataset_id]] += supply[consumer] * amount
    flows: dict[int, float] = {}
    if np.any(demand):
        factorisation = Factorisation(system.technosphere, solver)
        try:
            activity = factorisation.solve(demand)
        finally:
            factorisation.free()
        if not np.all(np.isfinite(activity)):
            raise CalculationError("the background cannot be solved for the study's demand (non-finite supply)")
        for row, amount in zip(system.flow_ids, system.biosphere @ activity):
            if amount:
                flows[int(row)] = float(amount)
    for flow_id, consumer, amount in inventory.flows:
        flows[flow_id] = flows.get(flow_id, 0.0) + float(supply[consumer] * amount)
    return flows
