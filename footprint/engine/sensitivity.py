"""Sensitivity of a study's result to every foreground amount, from one adjoint solve.

The foreground on a prepared background scores, per category k,

    g_k = H_k s,   A s = f,   H = S L + Q B_f   (per run of each process, as written)

with A the foreground matrix (production on the diagonal, foreground inputs off it), S the
prepared background scores of the datasets bought (L) and Q the factors of the direct flows
(B_f). One dense solve of the transposed system for all categories at once,

    A^T Lambda = H^T          (n x K: the adjoint, "what one more unit of process i costs")

gives every derivative without another solve:

    dg/d(background entry a, dataset d, process j) = S[:, d] s_j
    dg/d(flow entry)                                = Q[:, b] s_j
    dg/d(foreground input i -> j)                   = Lambda_i s_j
    dg/d(production of j)                           = -Lambda_j s_j

An amount of the study reaches these entries through a unit factor and, where the rules
allocate, through the process's allocation factor alpha = w_0 / sum(w) (mass, or mass x price).
`AmountEffect` describes that path; `derivative` applies the chain rule (alpha's own derivative
included), and `ForegroundSystem.totals_with` recomputes the result exactly for one amount
changed alone (a small dense solve, no background work), which the class margin needs where
the result is not linear in the amount: a reference output, an allocation key, or an input
that closes a loop of the foreground (Sherman-Morrison: the result is then a ratio, not a line).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import CalculationError
from .matrices import background_system, flow_factors
from .solvers import Factorisation

KINDS = ("foreground", "background", "flows")


@dataclass
class LinkedScores:
    """Characterised impact per unit of what each foreground entry links to (categories x entries)."""

    categories: tuple[str, ...]
    background: np.ndarray  # (K, background links): the linked dataset's cradle-to-gate score per unit
    flows: np.ndarray  # (K, flows): the flow's characterisation factor


def linked_scores(engine: Any, inventory: Any, background: Any, method_set: Any) -> LinkedScores:
    """Scores of the datasets and flows the foreground links to, on the engine's background.

    The prepared engine reads them from its prepared background (no solve); an engine that does
    not prepare (one-off, reference) solves the background once for the linked datasets only.
    """
    dataset_ids = [d for d, _, _ in inventory.background_links]
    flow_ids = [b for b, _, _ in inventory.flows]
    k = len(method_set.categories)
    if engine.config.kind == "prepared" or engine.prepared is not None:
        prepared = engine.prepared_for(background, method_set)
        per_link = prepared.dataset_scores(dataset_ids) if dataset_ids else np.zeros((k, 0))
        per_flow = prepared.flow_scores(flow_ids) if flow_ids else np.zeros((k, 0))
        return LinkedScores(tuple(prepared.categories), np.asarray(per_link, float), np.asarray(per_flow, float))
    return _cold_scores(dataset_ids, flow_ids, background, method_set, engine.config.solver)


def _cold_scores(dataset_ids: list[int], flow_ids: list[int], background: Any, method_set: Any, solver: str | None) -> LinkedScores:
    k = len(method_set.categories)
    per_link = np.zeros((k, len(dataset_ids)))
    if dataset_ids:
        system = background_system(background, method_set)
        column = {int(a): i for i, a in enumerate(system.activity_ids)}
        unique = sorted(set(dataset_ids))
        missing = [d for d in unique if d not in column]
        if missing:
            raise CalculationError(f"background dataset id(s) {missing[:5]} are not in the background")
        rhs = np.zeros((len(column), len(unique)))
        for j, d in enumerate(unique):
            rhs[column[d], j] = 1.0
        factorisation = Factorisation(system.technosphere, solver)
        try:
            x = factorisation.solve(rhs).reshape(len(column), -1)
        finally:
            factorisation.free()
        per_dataset = np.asarray(system.characterisation @ (system.biosphere @ x))
        where = {d: j for j, d in enumerate(unique)}
        per_link = per_dataset[:, [where[d] for d in dataset_ids]]
    per_flow = np.zeros((k, len(flow_ids)))
    if flow_ids:
        ids, factors = flow_factors(background, method_set)
        for e, flow in enumerate(flow_ids):
            pos = int(np.searchsorted(ids, flow))
            if pos < len(ids) and ids[pos] == flow:
                per_flow[:, e] = factors[:, pos]
    return LinkedScores(tuple(method_set.names), per_link, per_flow)


@dataclass(frozen=True)
class AmountEffect:
    """How one amount as written reaches the foreground arrays.

    `entries`: (kind, index, per unit) for each entry proportional to it (an input, a flow, a
    substituted co-product); `production`: the process whose reference output it is;
    `weights`: (process, part, per unit) for each allocation weight proportional to it.
    """

    entries: tuple[tuple[str, int, float], ...] = ()
    production: int | None = None
    weights: tuple[tuple[int, int, float], ...] = ()


@dataclass
class AllocationKey:
    """A process's allocation: its weights and the entries of its column the factor multiplies."""

    process: int
    weights: np.ndarray
    entries: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def factor(self) -> float:
        return float(self.weights[0] / self.weights.sum())


class ForegroundSystem:
    """The foreground of one study with the scores it links to: solved, differentiated, re-solved."""

    def __init__(self, inventory: Any, scores: LinkedScores) -> None:
        self.inventory = inventory
        self.scores = scores
        n = len(inventory.process_ids)
        self.production = np.asarray(inventory.production, float).copy()
        self.amounts = {
            "foreground": np.array([a for _, _, a in inventory.foreground_links], float),
            "background": np.array([a for _, _, a in inventory.background_links], float),
            "flows": np.array([a for _, _, a in inventory.flows], float),
        }
        self.suppliers = np.array([s for s, _, _ in inventory.foreground_links], dtype=np.int64)
        self.consumers = {
            "foreground": np.array([c for _, c, _ in inventory.foreground_links], dtype=np.int64),
            "background": np.array([c for _, c, _ in inventory.background_links], dtype=np.int64),
            "flows": np.array([c for _, c, _ in inventory.flows], dtype=np.int64),
        }
        self.demand = np.zeros(n)
        self.demand[inventory.product_index] = inventory.demand_amount
        self.keys = self._allocation_keys()
        self.matrix = self._matrix(self.production, self.amounts["foreground"])
        self.per_run = self._per_run(self.amounts)
        self.supply = np.linalg.solve(self.matrix, self.demand)
        # The adjoint: one solve of A^T for every category at once.
        self.adjoint = np.linalg.solve(self.matrix.T, self.per_run.T) if self.per_run.size else np.zeros((n, 0))
        self.totals = self.per_run @ self.supply
        self._inverse: np.ndarray | None = None

    # -- the arrays ----------------------------------------------------------------------------

    def _allocation_keys(self) -> dict[int, AllocationKey]:
        index = {pid: i for i, pid in enumerate(self.inventory.process_ids)}
        keys = {}
        origins = {
            "foreground": self.inventory.foreground_link_origins,
            "background": self.inventory.background_link_origins,
            "flows": self.inventory.flow_origins,
        }
        for applied in self.inventory.allocation:
            if not applied.parts:
                continue
            j = index[applied.process]
            entries = {kind: np.array([e for e, o in enumerate(origins[kind]) if o.process == j and o.allocated], dtype=np.int64) for kind in KINDS}
            keys[j] = AllocationKey(j, np.array([p.weight for p in applied.parts], float), entries)
        return keys

    def _matrix(self, production: np.ndarray, foreground: np.ndarray) -> np.ndarray:
        matrix = np.diag(production).astype(float)
        np.add.at(matrix, (self.suppliers, self.consumers["foreground"]), -foreground)
        return matrix

    def _per_run(self, amounts: dict[str, np.ndarray]) -> np.ndarray:
        k, n = len(self.scores.categories), len(self.production)
        per_run = np.zeros((k, n))
        for kind, scores in (("background", self.scores.background), ("flows", self.scores.flows)):
            if amounts[kind].size:
                np.add.at(per_run.T, self.consumers[kind], (scores * amounts[kind][None, :]).T)
        return per_run

    # -- derivatives ---------------------------------------------------------------------------

    def entry_gradients(self) -> dict[str, np.ndarray]:
        """(K x entries) derivative of every category's total by each entry, and by each production."""
        s = self.supply
        return {
            "foreground": self.adjoint[self.suppliers, :].T * s[self.consumers["foreground"]][None, :],
            "background": self.scores.background * s[self.consumers["background"]][None, :],
            "flows": self.scores.flows * s[self.consumers["flows"]][None, :],
            "production": -(self.adjoint.T * s[None, :]),
        }

    def allocation_gradient(self, key: AllocationKey, gradients: dict[str, np.ndarray]) -> np.ndarray:
        """d g / d ln(alpha) of one process: every entry its allocation factor multiplies."""
        total = np.zeros(len(self.scores.categories))
        for kind in KINDS:
            picked = key.entries[kind]
            if picked.size:
                total += gradients[kind][:, picked] @ self.amounts[kind][picked]
        return total

    def derivative(self, effect: AmountEffect, gradients: dict[str, np.ndarray] | None = None) -> np.ndarray:
        """d g / d x of every category, x the amount as written (chain rule through units and allocation)."""
        gradients = gradients or self.entry_gradients()
        d = np.zeros(len(self.scores.categories))
        for kind, e, per_unit in effect.entries:
            d += gradients[kind][:, e] * per_unit
        if effect.production is not None:
            d += gradients["production"][:, effect.production]
        for j, part, per_unit in effect.weights:
            key = self.keys[j]
            dlog_alpha = ((1.0 / key.weights[0]) if part == 0 else 0.0) - 1.0 / key.weights.sum()
            d += self.allocation_gradient(key, gradients) * dlog_alpha * per_unit
        return d

    def inverse(self) -> np.ndarray:
        if self._inverse is None:
            self._inverse = np.linalg.inv(self.matrix)
        return self._inverse

    def is_linear(self, effect: AmountEffect) -> bool:
        """Exactly linear in this amount alone: no reference output, no allocation weight, and no
        foreground input that closes a loop ((A^-1)[consumer, supplier] = 0: the consumer's output
        never reaches its supplier)."""
        if effect.production is not None or effect.weights:
            return False
        inverse = self.inverse()
        for kind, e, _ in effect.entries:
            if kind == "foreground":
                consumer, supplier = self.consumers["foreground"][e], self.suppliers[e]
                if abs(inverse[consumer, supplier]) > 1e-12 * np.abs(inverse).max():
                    return False
        return True

    # -- exact re-solve ------------------------------------------------------------------------

    def totals_with(self, effect: AmountEffect, value: float) -> np.ndarray:
        """Every category's total with this one amount set to `value` (as written), exactly."""
        amounts = {kind: array.copy() for kind, array in self.amounts.items()}
        production = self.production.copy()
        for kind, e, per_unit in effect.entries:
            amounts[kind][e] = value * per_unit
        if effect.production is not None:
            production[effect.production] = value
        for j, part, per_unit in effect.weights:
            key = self.keys[j]
            weights = key.weights.copy()
            weights[part] = value * per_unit
            if not weights.sum() > 0:
                return np.full(len(self.scores.categories), np.nan)
            ratio = (weights[0] / weights.sum()) / key.factor
            for kind in KINDS:
                amounts[kind][key.entries[kind]] *= ratio
        matrix = self._matrix(production, amounts["foreground"])
        try:
            supply = np.linalg.solve(matrix, self.demand)
        except np.linalg.LinAlgError:
            return np.full(len(self.scores.categories), np.nan)
        if not np.all(np.isfinite(supply)) or np.any(supply < -1e-12 * max(np.abs(supply).max(), 1e-300)):
            return np.full(len(self.scores.categories), np.nan)
        return self._per_run(amounts) @ supply
