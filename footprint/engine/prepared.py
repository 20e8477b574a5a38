"""Prepared backgrounds: the background solved once, every study after that only its foreground.

For a background and a method set, the cumulative characterised impact of one unit of every
background dataset is computed once, with one sparse factorisation and one adjoint solve per
impact category (A^T X = (C B)^T: k solves, whatever the number of datasets). A study then
costs a small dense solve of its foreground plus a matrix product:

    supply s = A_f^-1 f                     (foreground, dense, numpy)
    impacts = (S L + Q B_f) s               (S: categories x background datasets)

which is exactly the full solve of foreground + background, because the foreground only buys
from the background, never sells to it (the system is block-triangular). Tests check this
equals bw2calc's own solve (`reference.py`) to 1e-9 relative.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from ..errors import CalculationError, FootprintInputError
from ..files import sha256_parts
from ..background.packages import layout_digest
from .matrices import background_system, flow_factors
from .solvers import Factorisation

FORMAT_VERSION = 1
RESIDUAL_TOLERANCE = 1e-9


@dataclass
class PreparedBackground:
    """Cumulative characterised impacts per unit of every background dataset, for one method set.

    `scores[k, j]` is the score in category `categories[k]` of one unit (the dataset's own
    unit) of dataset `activity_ids[j]`, cradle to gate, as bw2calc would compute it.
    `flow_factors[k, i]` is the characterisation factor of elementary flow `flow_ids[i]`, for
    the foreground's direct emissions. Both id arrays are sorted.
    """

    key: str
    background_sha256: str
    method_sha256: str
    categories: tuple[str, ...]
    activity_ids: np.ndarray
    scores: np.ndarray
    flow_ids: np.ndarray
    flow_factors: np.ndarray
    solver: str
    seconds: float
    residual: float
    path: Path | None = None
    from_cache: bool = False
    source_checked: bool = False  # solved here, or checked against the background's matrices
    timings: dict[str, float] = field(default_factory=dict)

    def _positions(self, wanted: Sequence[int], ids: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
        wanted_arr = np.asarray(list(wanted), dtype=np.int64)
        pos = np.searchsorted(ids, wanted_arr)
        pos_clipped = np.minimum(pos, max(len(ids) - 1, 0))
        found = (pos < len(ids)) & (ids[pos_clipped] == wanted_arr) if len(ids) else np.zeros(len(wanted_arr), bool)
        return pos_clipped, found

    def dataset_scores(self, dataset_ids: Sequence[int]) -> np.ndarray:
        """(categories x datasets) scores per unit of each dataset; unknown ids raise."""
        pos, found = self._positions(dataset_ids, self.activity_ids, "dataset")
        if not np.all(found):
            missing = [int(d) for d, ok in zip(dataset_ids, found) if not ok]
            raise CalculationError(
                f"background dataset id(s) {missing[:5]} are not in the prepared background "
                f"{self.background_sha256[:12]} (was it prepared for another database?)"
            )
        return self.scores[:, pos]

    def flow_scores(self, flow_ids: Sequence[int]) -> np.ndarray:
        """(categories x flows) characterisation factors; flows without a factor get zero."""
        pos, found = self._positions(flow_ids, self.flow_ids, "flow")
        out = self.flow_factors[:, pos] if len(self.flow_ids) else np.zeros((len(self.categories), len(pos)))
        return np.where(found[None, :], out, 0.0)

    def nbytes(self) -> int:
        return int(self.scores.nbytes + self.flow_factors.nbytes + self.activity_ids.nbytes + self.flow_ids.nbytes)


def prepared_key(background: Any, method_set: Any, data_objs: Iterable[Any] | None = None) -> str:
    """Cache key: background content hash + method-set hash + id layout + cache format.

    The layout comes from the background when it knows it (the starter's index), else from its
    datapackages.
    """
    layout = getattr(background, "layout_sha256", "") or layout_digest(data_objs if data_objs is not None else background.datapackages())
    parts = (f"v{FORMAT_VERSION}", background.sha256, method_set.sha256, layout, *method_set.names)
    return sha256_parts(str(part).encode() + b"\0" for part in parts)


def compute_prepared_scores(background: Any, method_set: Any, solver: str | None = None) -> PreparedBackground:
    """Solve the background once: one factorisation, one adjoint solve per category."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    data_objs = background.datapackages()
    key = prepared_key(background, method_set, data_objs)
    timings["hash"] = time.perf_counter() - started

    mark = time.perf_counter()
    system = background_system(background, method_set)
    timings["matrices"] = time.perf_counter() - mark

    mark = time.perf_counter()
    # Row k of G: the characterised biosphere of one unit of each activity's own process.
    g = np.asarray((system.biosphere.T @ system.characterisation.T)).T  # (k, n)
    factorisation = Factorisation(system.technosphere, solver)
    timings["factorise"] = time.perf_counter() - mark
    mark = time.perf_counter()
    x = factorisation.solve_transposed(g.T.copy()) if g.shape[0] else np.zeros((system.technosphere.shape[0], 0))
    x = x.reshape(system.technosphere.shape[0], -1)
    timings["solve"] = time.perf_counter() - mark
    residual_num = np.linalg.norm(system.technosphere.T @ x - g.T)
    residual = float(residual_num / max(np.linalg.norm(g), 1e-300)) if g.size else 0.0
    factorisation.free()
    if not np.all(np.isfinite(x)) or residual > RESIDUAL_TOLERANCE:
        raise CalculationError(
            f"the background's technosphere matrix could not be solved accurately (relative residual {residual:.2e}; "
            "is it singular?)"
        )
    order = np.argsort(system.activity_ids)
    mark = time.perf_counter()
    flow_ids, factors = flow_factors(background, method_set)
    timings["factors"] = time.perf_counter() - mark
    return PreparedBackground(
        key=key,
        background_sha256=background.sha256,
        method_sha256=method_set.sha256,
        categories=tuple(method_set.names),
        activity_ids=system.activity_ids[order],
        scores=np.ascontiguousarray(x.T[:, order]),
        flow_ids=flow_ids,
        flow_factors=factors,
        solver=factorisation.solver,
        seconds=time.perf_counter() - started,
        residual=residual,
        timings=timings,
        source_checked=True,
    )


def check_prepared_matches(prepared: PreparedBackground, background: Any, method_set: Any) -> None:
    if prepared.background_sha256 != background.sha256 or prepared.method_sha256 != method_set.sha256:
        raise FootprintInputError(
            f"the prepared background ({prepared.background_sha256[:12]}, methods {prepared.method_sha256[:8]}) "
            f"is not the study's ({background.sha256[:12]}, methods {method_set.sha256[:8]})",
            field="background",
        )
