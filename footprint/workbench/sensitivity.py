"""A study's sensitivity to every amount it writes: elasticities, exactly, from one adjoint solve.

`study_sensitivity` wraps the solved foreground (`footprint.engine.sensitivity`) with the
study's amounts (`amounts`). Where the rules apply the PEF Circular Footprint Formula,

    E = R1 A E_rec + ((1 - R1) + R1 (1 - A) Qsin/Qp) E_v,

the recycling study's amounts enter with the weight R1 A, the primary (virgin) study's with
the weight of E_v, and R1 and Qsin/Qp are amounts of their own (the result is linear in each).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Sequence

import numpy as np

from ..circularity import CircularFootprint
from ..engine.sensitivity import AmountEffect, ForegroundSystem, linked_scores
from ..indicators import Elasticity
from .amounts import StudyAmount, study_amounts


@dataclass
class Formula:
    """The Circular Footprint Formula's weights and the primary study's solved sensitivity."""

    weights: CircularFootprint
    virgin: "StudySensitivity"

    @property
    def a(self) -> float:
        return self.weights.a

    @property
    def recycled_content(self) -> float:
        return self.weights.recycled_content

    @property
    def quality_ratio(self) -> float:
        return self.weights.quality_ratio

    def combine(self, recycled: np.ndarray, virgin: np.ndarray, r1: float | None = None, q: float | None = None) -> np.ndarray:
        """E = R1 A E_rec + ((1 - R1) + R1 (1 - A) Qsin/Qp) E_v, with R1 or Qsin/Qp replaced when given."""
        f = self.weights
        if r1 is not None or q is not None:
            f = replace(f, recycled_content=f.recycled_content if r1 is None else r1, quality_ratio=f.quality_ratio if q is None else q)
        return f.recycling_weight * recycled + f.virgin_weight * virgin


@dataclass
class StudySensitivity:
    """A solved study with every amount it writes: derivatives and exact re-solves, by amount."""

    categories: tuple[str, ...]
    system: ForegroundSystem
    own: list[StudyAmount]
    formula: Formula | None = None
    amounts: list[StudyAmount] = field(default_factory=list)  # own, then formula parameters, then the virgin study's

    def __post_init__(self) -> None:
        self.amounts = list(self.own)
        if self.formula is not None:
            f = self.formula
            for name, value in (("recycled_content", f.recycled_content), ("quality_ratio", f.quality_ratio)):
                self.amounts.append(StudyAmount(None, f"circular_footprint.{name}", "circular footprint parameter", name.replace("_", " "), value, "1", None, AmountEffect()))
            self.amounts += [_as_virgin(a) for a in f.virgin.amounts]
        self._derivatives: np.ndarray | None = None

    @property
    def totals(self) -> np.ndarray:
        """The declared totals per category (after the formula where it applies)."""
        if self.formula is None:
            return self.system.totals
        return self.formula.combine(self.system.totals, self.formula.virgin.totals)

    def _where(self, index: int) -> tuple[str, int]:
        own = len(self.own)
        if index < own:
            return "own", index
        if self.formula is not None and index < own + 2:
            return ("r1", 0) if index == own else ("q", 0)
        return "virgin", index - own - 2

    def derivatives(self) -> np.ndarray:
        """(amounts x categories) derivative of every declared total by each amount as written."""
        if self._derivatives is None:
            gradients = self.system.entry_gradients()
            own = np.array([self.system.derivative(a.effect, gradients) for a in self.own]).reshape(len(self.own), -1)
            if self.formula is None:
                self._derivatives = own
            else:
                f = self.formula
                recycled, virgin = self.system.totals, f.virgin.totals
                r1 = f.a * recycled + (-1 + (1 - f.a) * f.quality_ratio) * virgin
                q = f.recycled_content * (1 - f.a) * virgin
                rows = [own * f.weights.recycling_weight, r1[None, :], q[None, :], f.virgin.derivatives() * f.weights.virgin_weight]
                self._derivatives = np.vstack(rows)
        return self._derivatives

    def is_linear(self, index: int) -> bool:
        where, i = self._where(index)
        if where == "own":
            return self.system.is_linear(self.own[i].effect)
        if where == "virgin":
            return self.formula.virgin.is_linear(i)
        return True

    def totals_with(self, index: int, value: float) -> np.ndarray:
        """Every declared total with amount `index` alone set to `value` (as written), exactly."""
        where, i = self._where(index)
        if self.formula is None:
            return self.system.totals_with(self.own[i].effect, value)
        f = self.formula
        if where == "own":
            return f.combine(self.system.totals_with(self.own[i].effect, value), f.virgin.totals)
        if where == "virgin":
            return f.combine(self.system.totals, f.virgin.totals_with(i, value))
        if where == "r1":
            return f.combine(self.system.totals, f.virgin.totals, r1=value)
        return f.combine(self.system.totals, f.virgin.totals, q=value)

    def elasticities(self, ranked_by: Sequence[str]) -> list[Elasticity]:
        """Every amount with its elasticity per category, ranked by the largest |elasticity| in `ranked_by`."""
        derivatives, totals = self.derivatives(), self.totals
        rows = []
        for index, amount in enumerate(self.amounts):
            by_category = {
                name: (float(amount.amount * derivatives[index, k] / totals[k]) if totals[k] != 0 else None)
                for k, name in enumerate(self.categories)
            }
            rows.append((amount, by_category, self.is_linear(index)))
        wanted = [c for c in ranked_by if c in self.categories] or list(self.categories)
        order = sorted(range(len(rows)), key=lambda i: -max(abs(rows[i][1][c] or 0.0) for c in wanted))
        rank = {index: position + 1 for position, index in enumerate(order)}
        return [
            Elasticity(
                rank=rank[index], study=amount.study, process=amount.process, field=amount.field, kind=amount.kind,  # type: ignore[arg-type]
                label=amount.label, amount=amount.amount, unit=amount.unit, data_type=amount.data_type,
                linear=linear, by_category=by_category,
            )
            for index, (amount, by_category, linear) in sorted(enumerate(rows), key=lambda item: rank[item[0]])
        ]

    def index_of(self, study: str, process: str | None, field: str) -> int:
        for index, amount in enumerate(self.amounts):
            if (amount.study, amount.process, amount.field) == (study, process, field):
                return index
        raise KeyError((study, process, field))


def _as_virgin(amount: StudyAmount) -> StudyAmount:
    return StudyAmount(amount.process, amount.field, amount.kind, amount.label, amount.amount, amount.unit, amount.data_type, amount.effect, study="virgin study" if amount.study == "study" else amount.study)


def study_sensitivity(
    study: Any,
    rules: Any,
    inventory: Any,
    background: Any,
    method_set: Any,
    *,
    engine: Any,
    formula: tuple[float, float, float, "StudySensitivity"] | None = None,
) -> StudySensitivity:
    """Solve a linked study's foreground for its sensitivity on the engine's background.

    `formula`: (A, R1, Qsin/Qp, the primary study's sensitivity) where the rules apply the
    Circular Footprint Formula.
    """
    system = ForegroundSystem(inventory, linked_scores(engine, inventory, background, method_set))
    return StudySensitivity(
        categories=system.scores.categories,
        system=system,
        own=study_amounts(study, inventory, rules),
        formula=Formula(CircularFootprint(*formula[:3]), formula[3]) if formula is not None else None,
    )
