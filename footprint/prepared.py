"""Prepared backgrounds: the background solved once, every study after that only its foreground.

For a background and a method set, the cumulative characterised impact of one unit of every
background dataset is computed once, with one sparse factorisation and one adjoint solve per
impact category (A^T X = (C B)^T: k solves, whatever the number of datasets), and cached on
disk keyed by the content hashes of the background and the method set. A study then costs a
small dense solve of its foreground plus a matrix product:

    supply s = A_f^-1 f                     (foreground, dense, numpy)
    impacts = (S L + Q B_f) s               (S: categories x background datasets, from the cache)

which is exactly the full bw2calc solve of foreground + background, because the foreground
only buys from the background, never sells to it (the system is block-triangular). Tests check
the two paths agree to 1e-9 relative.

Also here: the fast sparse solver choice (PARDISO, UMFPACK, else SuperLU with a loud warning),
batch assessment and verification of many studies sharing one prepared background.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import logging
import os
import platform
import site
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from .errors import CalculationError, FootprintError, FootprintInputError

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
SOLVER_ENV = "FOOTPRINT_SOLVER"
SOLVERS = ("pardiso", "umfpack", "superlu")
RESIDUAL_TOLERANCE = 1e-9


# ---------------------------------------------------------------------------------------------
# Sparse solvers
# ---------------------------------------------------------------------------------------------


class SlowSolverWarning(UserWarning):
    """No fast sparse solver is installed: footprint falls back to SciPy's SuperLU."""


_SOLVER_NOTE: dict[str, str] = {}


def _pardiso_importable() -> bool:
    if platform.machine().lower() not in {"x86_64", "amd64", "i386", "i686"}:
        return False
    try:
        _point_pardiso_at_mkl()
        import pypardiso  # noqa: F401
    except Exception:  # ImportError, or MKL missing
        return False
    return True


def _point_pardiso_at_mkl() -> None:
    """Tell pypardiso where MKL's runtime is, so that each solver skips its recursive search.

    pypardiso globs `sys.prefix/lib*/**` for `mkl_rt` in every `PyPardisoSolver()` when
    `ctypes.util.find_library` misses it (~1 s each on this kind of machine).
    """
    if os.environ.get("PYPARDISO_MKL_RT"):
        return
    for base in (sys.prefix, site.USER_BASE or ""):
        if not base:
            continue
        hits = sorted(glob.glob(os.path.join(base, "lib", "libmkl_rt.so*")) + glob.glob(os.path.join(base, "Library", "bin", "mkl_rt*.dll")), key=len)
        if hits:
            os.environ["PYPARDISO_MKL_RT"] = hits[0]
            return


def _umfpack_importable() -> bool:
    try:
        import scikits.umfpack  # noqa: F401
    except Exception:
        return False
    return True


def available_solvers() -> list[str]:
    """Sparse solvers footprint can use here, fastest first by design (not by measurement)."""
    found = []
    if _pardiso_importable():
        found.append("pardiso")
    if _umfpack_importable():
        found.append("umfpack")
    found.append("superlu")
    return found


def choose_solver(preferred: str | None = None) -> str:
    """The solver to use: `preferred`, else $FOOTPRINT_SOLVER, else the first fast one installed.

    Falling back to SuperLU is never silent: a `SlowSolverWarning` is raised (once per process)
    and `solver_note()` returns the message for the CLI to print.
    """
    wanted = (preferred or os.environ.get(SOLVER_ENV) or "auto").lower()
    if wanted not in SOLVERS + ("auto",):
        raise FootprintInputError(f"unknown sparse solver {wanted!r} (choose from {', '.join(SOLVERS)} or auto)", field=SOLVER_ENV)
    available = available_solvers()
    if wanted != "auto":
        if wanted not in available:
            raise FootprintInputError(
                f"sparse solver {wanted!r} is not installed here (available: {', '.join(available)})", field=SOLVER_ENV
            )
        return wanted
    chosen = available[0]
    if chosen == "superlu" and "superlu" not in _SOLVER_NOTE:
        hint = "pip install pypardiso" if platform.machine().lower() in {"x86_64", "amd64"} else "pip install scikit-umfpack"
        message = (
            "no fast sparse solver (PARDISO or UMFPACK) is installed: footprint falls back to SciPy's "
            f"SuperLU, which is correct but slower on large backgrounds ({hint}; set {SOLVER_ENV}=superlu to silence)"
        )
        _SOLVER_NOTE["superlu"] = message
        warnings.warn(message, SlowSolverWarning, stacklevel=2)
        logger.warning(message)
    return chosen


def solver_note() -> str | None:
    """The fallback message, if footprint fell back to SuperLU in this process."""
    return _SOLVER_NOTE.get("superlu")


class Factorisation:
    """One LU factorisation of a technosphere matrix A, for solves with A and with A^T.

    Like bw2calc (`bw2calc.utils.lu_solver`), SuperLU and UMFPACK factorise A^T: technosphere
    matrices have far less fill-in that way. PARDISO factorises A^T too and solves with A by
    its transposed solve (iparm 12, which pypardiso sets when given the same arrays as CSC).
    """

    def __init__(self, technosphere: Any, solver: str | None = None) -> None:
        from scipy import sparse

        self.solver = choose_solver(solver)
        matrix = sparse.csr_matrix(technosphere, dtype=np.float64)
        matrix.sum_duplicates()
        matrix.sort_indices()
        self.shape = matrix.shape
        transposed_csc = matrix.T  # CSC view on the CSR arrays of A: this is A^T in CSC form
        if self.solver == "superlu":
            from scipy.sparse.linalg import splu

            self._lu = splu(transposed_csc.tocsc(copy=True))
        elif self.solver == "umfpack":
            import scikits.umfpack as umfpack

            self._lu = umfpack.splu(transposed_csc.tocsc(copy=True))
        else:
            _point_pardiso_at_mkl()
            from pypardiso import PyPardisoSolver

            self._pardiso = PyPardisoSolver()
            self._pardiso.set_statistical_info_off()
            self._transposed = transposed_csc.tocsr()
            self._transposed.sort_indices()
            # The same arrays read as CSC are A itself: pypardiso then solves with the stored
            # factorisation transposed (it sets iparm 12 by format and compares the arrays).
            self._forward = sparse.csc_matrix(
                (self._transposed.data, self._transposed.indices, self._transposed.indptr), shape=self.shape
            )
            self._pardiso.factorize(self._transposed)

    def _rhs(self, b: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(b, dtype=np.float64)

    def solve_transposed(self, b: np.ndarray) -> np.ndarray:
        """x with A^T x = b (b: vector or n x m)."""
        b = self._rhs(b)
        if self.solver == "superlu":
            return self._lu.solve(b)
        if self.solver == "umfpack":
            return self._lu.solve(b, "N") if b.ndim == 1 else np.column_stack([self._lu.solve(c, "N") for c in b.T])
        return self._pardiso.solve(self._transposed, b)

    def solve(self, b: np.ndarray) -> np.ndarray:
        """x with A x = b (b: vector or n x m)."""
        b = self._rhs(b)
        if self.solver == "superlu":
            return self._lu.solve(b, trans="T")
        if self.solver == "umfpack":
            return self._lu.solve(b, "T") if b.ndim == 1 else np.column_stack([self._lu.solve(c, "T") for c in b.T])
        return self._pardiso.solve(self._forward, b)

    def free(self) -> None:
        if self.solver == "pardiso":
            self._pardiso.free_memory(everything=True)


# ---------------------------------------------------------------------------------------------
# The prepared background
# ---------------------------------------------------------------------------------------------


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


def prepared_dir() -> Path:
    from .paths import user_data_dir

    path = user_data_dir() / "prepared"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _layout_digest(data_objs: Iterable[Any]) -> str:
    """Hash of the row and column ids of every matrix resource: ids are what the cache indexes."""
    digest = hashlib.sha256()
    for package in data_objs:
        for resource in sorted(package.resources, key=lambda r: r["name"]):
            if resource.get("kind") != "indices":
                continue
            digest.update(resource["name"].encode())
            digest.update(np.ascontiguousarray(package.get_resource(resource["name"])[0]).tobytes())
    return digest.hexdigest()


def prepared_key(background: Any, method_set: Any, data_objs: Iterable[Any] | None = None) -> str:
    """Cache key: background content hash + method-set hash + id layout + cache format."""
    if data_objs is None:
        data_objs = background.datapackages()
    digest = hashlib.sha256()
    for part in (f"v{FORMAT_VERSION}", background.sha256, method_set.sha256, _layout_digest(data_objs), *method_set.names):
        digest.update(str(part).encode() + b"\0")
    return digest.hexdigest()


def _flow_factors(background: Any, method_set: Any) -> tuple[np.ndarray, np.ndarray]:
    """Characterisation factors of every flow any category characterises, from the datapackages."""
    per_category: list[tuple[np.ndarray, np.ndarray]] = []
    for package in background.characterisation_datapackages(method_set):
        rows, values = [], []
        for resource in package.resources:
            if resource.get("matrix") == "characterization_matrix" and resource.get("kind") == "indices":
                base = resource["name"][: -len(".indices")]
                rows.append(np.asarray(package.get_resource(resource["name"])[0]["row"], dtype=np.int64))
                values.append(np.asarray(package.get_resource(base + ".data")[0], dtype=float))
        per_category.append(
            (np.concatenate(rows) if rows else np.zeros(0, np.int64), np.concatenate(values) if values else np.zeros(0))
        )
    flow_ids = np.unique(np.concatenate([r for r, _ in per_category])) if per_category else np.zeros(0, np.int64)
    factors = np.zeros((len(per_category), len(flow_ids)))
    for k, (rows, values) in enumerate(per_category):
        np.add.at(factors[k], np.searchsorted(flow_ids, rows), values)  # duplicates sum, as in bw2calc
    return flow_ids, factors


def compute_prepared_scores(background: Any, method_set: Any, solver: str | None = None) -> PreparedBackground:
    """Solve the background once: one factorisation, one adjoint solve per category."""
    from .engine import background_system

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
    flow_ids, flow_factors = _flow_factors(background, method_set)
    timings["factors"] = time.perf_counter() - mark
    return PreparedBackground(
        key=key,
        background_sha256=background.sha256,
        method_sha256=method_set.sha256,
        categories=tuple(method_set.names),
        activity_ids=system.activity_ids[order],
        scores=np.ascontiguousarray(x.T[:, order]),
        flow_ids=flow_ids,
        flow_factors=flow_factors,
        solver=factorisation.solver,
        seconds=time.perf_counter() - started,
        residual=residual,
        timings=timings,
    )


def save_prepared(prepared: PreparedBackground, path: Path) -> Path:
    """Write atomically (temporary file, then rename) so a crash never leaves half a cache."""
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "format": FORMAT_VERSION,
        "key": prepared.key,
        "background_sha256": prepared.background_sha256,
        "method_sha256": prepared.method_sha256,
        "categories": list(prepared.categories),
        "solver": prepared.solver,
        "seconds": prepared.seconds,
        "residual": prepared.residual,
    }
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as stream:
            np.savez(
                stream,
                meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
                activity_ids=prepared.activity_ids,
                scores=prepared.scores,
                flow_ids=prepared.flow_ids,
                flow_factors=prepared.flow_factors,
            )
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()
    prepared.path = path
    return path


def load_prepared(path: Path, key: str | None = None) -> PreparedBackground | None:
    """Read a cached prepared background; None if absent, unreadable or for another key."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode())
            if meta.get("format") != FORMAT_VERSION or (key is not None and meta.get("key") != key):
                return None
            return PreparedBackground(
                key=meta["key"],
                background_sha256=meta["background_sha256"],
                method_sha256=meta["method_sha256"],
                categories=tuple(meta["categories"]),
                activity_ids=data["activity_ids"],
                scores=data["scores"],
                flow_ids=data["flow_ids"],
                flow_factors=data["flow_factors"],
                solver=meta["solver"],
                seconds=float(meta["seconds"]),
                residual=float(meta["residual"]),
                path=path,
                from_cache=True,
            )
    except (OSError, ValueError, KeyError, json.JSONDecodeError):
        return None


_MEMORY: dict[str, PreparedBackground] = {}


def prepare_background(
    background: Any,
    method_set: Any | None = None,
    *,
    cache: bool = True,
    cache_dir: Path | None = None,
    solver: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> PreparedBackground:
    """The prepared background for `background` and `method_set`: from memory, disk, or solved now.

    The cache file sits in `<FOOTPRINT_DATA_DIR>/prepared/` (or `cache_dir`) and is named by
    the key, which hashes the background content, the method set and the id layout: a changed
    background or method set never reads a stale cache.
    """
    from .methods import load_method_set

    method_set = method_set or load_method_set()
    data_objs = background.datapackages()
    key = prepared_key(background, method_set, data_objs)
    if cache and key in _MEMORY:
        return _MEMORY[key]
    path = (cache_dir or prepared_dir()) / f"{key[:40]}.npz"
    if cache:
        found = load_prepared(path, key)
        if found is not None:
            _MEMORY[key] = found
            return found
    say = progress or (lambda message: None)
    say(f"preparing the background {getattr(background, 'database', '')} for {method_set.name} (solved once, then cached)")
    prepared = compute_prepared_scores(background, method_set, solver)
    if cache:
        save_prepared(prepared, path)
        _MEMORY[key] = prepared
    return prepared


def clear_memory_cache() -> None:
    _MEMORY.clear()


# ---------------------------------------------------------------------------------------------
# A study on a prepared background
# ---------------------------------------------------------------------------------------------


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


def compute_prepared(inventory: Any, prepared: PreparedBackground) -> Any:
    """The study's LcaOutcome from its foreground and a prepared background (no sparse solve)."""
    from .engine import LcaOutcome
    from .inventory import solve_foreground

    supply = solve_foreground(inventory)
    upstream, direct = foreground_arrays(inventory, prepared)
    contributions = (upstream + direct) * supply[None, :]
    totals = {name: float(contributions[k].sum()) for k, name in enumerate(prepared.categories)}
    by_process = {name: contributions[k] for k, name in enumerate(prepared.categories)}
    return LcaOutcome(totals=totals, by_process=by_process, supply=supply)


def compute_cold(inventory: Any, background: Any, method_set: Any, solver: str | None = None) -> Any:
    """One study with no prepared background: one factorisation, solved only for what it needs.

    One forward solve per foreground process that buys from the background (its background
    demand per unit of output), instead of one per background dataset or category: the least
    work one declaration can cost, close to a single factorise + solve. Same LcaOutcome as
    `compute_lca` and `compute_prepared`.
    """
    from .engine import LcaOutcome, background_system
    from .inventory import solve_foreground

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
        flow_ids, factors = _flow_factors(background, method_set)
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


def _check_prepared_matches(prepared: PreparedBackground, background: Any, method_set: Any) -> None:
    if prepared.background_sha256 != background.sha256 or prepared.method_sha256 != method_set.sha256:
        raise FootprintInputError(
            f"the prepared background ({prepared.background_sha256[:12]}, methods {prepared.method_sha256[:8]}) "
            f"is not the study's ({background.sha256[:12]}, methods {method_set.sha256[:8]})",
            field="background",
        )


class PreparedRoute:
    """Answers `engine.compute_lca` from prepared backgrounds while `prepared_route` is active.

    With a `prepared` background, every study must link to that background. Without one, the
    background each study links to is prepared the first time it is met (or read from the
    disk cache) and shared by every later study of the block.
    """

    def __init__(
        self,
        prepared: PreparedBackground | None = None,
        *,
        cache: bool = True,
        solver: str | None = None,
        progress: Callable[[str], None] | None = None,
        one_off: bool = False,
    ) -> None:
        self.one_off = one_off
        self.prepared = prepared
        self.cache = cache
        self.solver = solver
        self.progress = progress
        self._met: dict[tuple[str, str], PreparedBackground] = {}
        self.studies = 0

    def ready_for(self, background: Any, method_set: Any) -> PreparedBackground:
        if self.prepared is not None:
            _check_prepared_matches(self.prepared, background, method_set)
            return self.prepared
        key = (background.sha256, method_set.sha256)
        if key not in self._met:
            self._met[key] = prepare_background(
                background, method_set, cache=self.cache, solver=self.solver, progress=self.progress
            )
        return self._met[key]

    @property
    def backgrounds(self) -> list[PreparedBackground]:
        return [self.prepared] if self.prepared is not None else list(self._met.values())

    def __call__(self, inventory: Any, background: Any, method_set: Any) -> Any:
        self.studies += 1
        if self.one_off and self.prepared is None:
            return compute_cold(inventory, background, method_set, self.solver)
        return compute_prepared(inventory, self.ready_for(background, method_set))


@contextlib.contextmanager
def prepared_route(
    prepared: PreparedBackground | None = None,
    *,
    cache: bool = True,
    solver: str | None = None,
    progress: Callable[[str], None] | None = None,
    one_off: bool = False,
):
    """Within this block every `engine.compute_lca` (so `assess`, `verify_declaration`, the
    circular footprint formula's virgin run, hotspots...) solves only its foreground.
    `one_off=True` (and no `prepared`): each study is solved alone by `compute_cold` instead.

        with prepared_route():
            for path in studies:
                results = assess(path)      # one background solve for all of them
    """
    from .engine import FOREGROUND_ROUTE

    route = PreparedRoute(prepared, cache=cache, solver=solver, progress=progress, one_off=one_off)
    token = FOREGROUND_ROUTE.set(route)
    try:
        yield route
    finally:
        FOREGROUND_ROUTE.reset(token)


def assess_prepared(
    path_or_loaded: Any,
    prepared: PreparedBackground | None = None,
    *,
    cache: bool = True,
    **assess_kwargs: Any,
) -> Any:
    """`assessment.assess` on the prepared-background route: same Results, foreground-only solve.

    Without `prepared`: the cached prepared background (made and cached now if missing); with
    `cache=False`, a one-off solve for this study only (`compute_cold`), nothing written.
    """
    from .assessment import assess

    with prepared_route(prepared, cache=cache, progress=assess_kwargs.get("progress"), one_off=not cache):
        return assess(path_or_loaded, **assess_kwargs)


# ---------------------------------------------------------------------------------------------
# Batches
# ---------------------------------------------------------------------------------------------


@dataclass
class BatchItem:
    """One study (or declaration) of a batch: its outcome, or the error that stopped it."""

    path: Path
    results: Any | None = None
    error: Exception | None = None
    study: Path | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def batch_progress(show: bool | Callable[[int, int, Path], None] | None, total: int, label: str = "declarations"):
    """Context manager yielding tick(done, path): a rich progress bar on stderr (show=True),
    a callback (done, total, path), or nothing."""
    if callable(show):

        @contextlib.contextmanager
        def callback():
            yield lambda done, path: show(done, total, Path(path))

        return callback()
    if not show:
        return contextlib.nullcontext(lambda done, path: None)

    @contextlib.contextmanager
    def bar():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[current]}"),
            console=Console(stderr=True),
        ) as progress:
            task = progress.add_task(label, total=total, current="")
            yield lambda done, path: progress.update(task, completed=done, current=Path(path).name)

    return bar()


def assess_many(
    paths: Sequence[Path | str],
    *,
    prepared: PreparedBackground | None = None,
    progress: bool | Callable[[int, int, Path], None] | None = False,
    say: Callable[[str], None] | None = None,
    cache: bool = True,
    stop_on_error: bool = False,
    **assess_kwargs: Any,
) -> list[BatchItem]:
    """Assess many studies with `assessment.assess`, sharing one prepared background per
    background they link to (`prepared` forces one).

    Errors a user can act on (FootprintError) are kept per study, so one bad file does not stop
    a verifier's batch; `stop_on_error=True` raises the first instead. `progress=True` shows a
    rich progress bar on stderr; a callable gets (done, total, path). `assess_kwargs` go to
    `assess` (registry, method_set, background, background_override, project_override,
    brightway_dir).
    """
    from .assessment import assess, background_for, check_study
    from .methods import load_method_set
    from .plugins import MaterialRegistry
    from .study import load_study

    method_set = assess_kwargs.setdefault("method_set", load_method_set())
    registry = assess_kwargs.setdefault("registry", MaterialRegistry())
    overrides = (
        assess_kwargs.get("background_override"),
        assess_kwargs.get("project_override"),
        assess_kwargs.get("brightway_dir"),
    )
    # Opening a background is not free (the starter's files are parsed and hashed each time):
    # open each one once per batch and hand it to assess.
    opened: dict[tuple, Any] = {}
    items: list[BatchItem] = []
    with prepared_route(prepared, cache=cache, progress=say), batch_progress(progress, len(paths)) as tick:
        for done, path in enumerate(paths, start=1):
            item = BatchItem(path=Path(path))
            try:
                loaded = load_study(path)
                kwargs = dict(assess_kwargs)
                if kwargs.get("background") is None:
                    study = loaded.study
                    key = (overrides[0] or study.background, overrides[1] or study.background_project, overrides[2])
                    if key not in opened:
                        opened[key] = background_for(check_study(loaded, registry), method_set, *overrides, say)
                    kwargs["background"] = opened[key]
                item.results = assess(loaded, progress=say, **kwargs)
            except FootprintError as exc:
                if stop_on_error:
                    raise
                item.error = exc
            items.append(item)
            tick(done, path)
    return items


def verify_many(
    pairs: Sequence[tuple[Path | str, Path | str]],
    *,
    prepared: PreparedBackground | None = None,
    progress: bool | Callable[[int, int, Path], None] | None = False,
    say: Callable[[str], None] | None = None,
    cache: bool = True,
    registry: Any | None = None,
    class_folder: Path | None = None,
    brightway_dir: Path | None = None,
) -> list[BatchItem]:
    """`verification.verify_declaration` for many (declaration, study) pairs on shared prepared
    backgrounds. Each item's `results` is the VerificationReport; `error` is set when the
    declaration or study could not be read at all."""
    from .plugins import MaterialRegistry
    from .verification import verify_declaration

    registry = registry or MaterialRegistry()
    items: list[BatchItem] = []
    with prepared_route(prepared, cache=cache, progress=say), batch_progress(progress, len(pairs), "verifications") as tick:
        for done, (declaration, study) in enumerate(pairs, start=1):
            item = BatchItem(path=Path(declaration), study=Path(study))
            try:
                item.results = verify_declaration(
                    declaration, study, registry=registry, class_folder=class_folder, brightway_dir=brightway_dir
                )
            except (FootprintError, OSError, ValueError) as exc:
                item.error = exc
            items.append(item)
            tick(done, declaration)
    return items


# ---------------------------------------------------------------------------------------------
# A background from plain arrays (tests, benchmarks, synthetic or exported databases)
# ---------------------------------------------------------------------------------------------


@dataclass
class ArrayBackground:
    """A background given as arrays instead of a Brightway database: the same duck type as
    `background.Background` for the engine, `prepare_background` and Monte Carlo.

    Technosphere: production amounts on the diagonal (`activity_ids`, `production`) and inputs
    (`inputs`: supplier id, consumer id, positive amount), stored with `flip=True` as in
    bw2data. Biosphere: (flow id, activity id, amount). Characterisation factors per category
    name: (flow ids, factors). Optional stats_arrays parameter arrays for the inputs and the
    biosphere make a background that carries distributions.
    """

    activity_ids: np.ndarray
    production: np.ndarray
    inputs: tuple[np.ndarray, np.ndarray, np.ndarray]
    biosphere: tuple[np.ndarray, np.ndarray, np.ndarray]
    factors: dict[str, tuple[np.ndarray, np.ndarray]]
    input_distributions: np.ndarray | None = None
    biosphere_distributions: np.ndarray | None = None
    database: str = "arrays"
    project: str = ""
    kind: str = "arrays"
    sha256: str = ""

    def __post_init__(self) -> None:
        if not self.sha256:
            digest = hashlib.sha256()
            for array in (self.activity_ids, self.production, *self.inputs, *self.biosphere):
                digest.update(np.ascontiguousarray(array).tobytes())
            for extra in (self.input_distributions, self.biosphere_distributions):
                if extra is not None:
                    digest.update(np.ascontiguousarray(extra).tobytes())
            self.sha256 = digest.hexdigest()
        self._packages: list[Any] | None = None

    def datapackages(self) -> list[Any]:
        if self._packages is None:
            import bw_processing as bwp

            package = bwp.create_datapackage(sum_intra_duplicates=True, sum_inter_duplicates=False)
            suppliers, consumers, amounts = self.inputs
            rows = np.concatenate([self.activity_ids, suppliers]).astype(np.int64)
            cols = np.concatenate([self.activity_ids, consumers]).astype(np.int64)
            indices = np.zeros(len(rows), dtype=bwp.INDICES_DTYPE)
            indices["row"], indices["col"] = rows, cols
            flips = np.concatenate([np.zeros(len(self.activity_ids), bool), np.ones(len(suppliers), bool)])
            data = np.concatenate([self.production, amounts]).astype(float)
            extra = {}
            if self.input_distributions is not None:
                from stats_arrays import UncertaintyBase

                fixed = UncertaintyBase.from_dicts(*[{"loc": float(v), "uncertainty_type": 0} for v in self.production]) if len(self.production) else None
                extra["distributions_array"] = np.concatenate([fixed, self.input_distributions]) if fixed is not None else self.input_distributions
            package.add_persistent_vector(
                matrix="technosphere_matrix", name="arrays-technosphere", indices_array=indices, data_array=data, flip_array=flips, **extra
            )
            flows, activities, values = self.biosphere
            bio = np.zeros(len(flows), dtype=bwp.INDICES_DTYPE)
            bio["row"], bio["col"] = flows, activities
            extra = {"distributions_array": self.biosphere_distributions} if self.biosphere_distributions is not None else {}
            package.add_persistent_vector(
                matrix="biosphere_matrix", name="arrays-biosphere", indices_array=bio, data_array=np.asarray(values, float), **extra
            )
            self._packages = [package]
        return list(self._packages)

    def characterisation_datapackages(self, method_set: Any) -> list[Any]:
        from .background import characterisation_package

        empty = (np.zeros(0, np.int64), np.zeros(0))
        return [
            characterisation_package(c.category, c.method, *self.factors.get(c.category, empty))
            for c in method_set.categories
        ]
