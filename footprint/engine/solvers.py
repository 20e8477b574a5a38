"""Sparse solvers for the background's technosphere matrix: PARDISO, UMFPACK, else SuperLU.

The fallback to SuperLU is never silent (`SlowSolverWarning`, `solver_note()`). One
`Factorisation` solves with A and with A^T, so one LU serves forward and adjoint solves.
"""

from __future__ import annotations

import glob
import logging
import os
import platform
import site
import sys
import warnings
from typing import Any

import numpy as np

from ..errors import FootprintInputError

logger = logging.getLogger(__name__)

SOLVER_ENV = "FOOTPRINT_SOLVER"
SOLVERS = ("pardiso", "umfpack", "superlu")


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
