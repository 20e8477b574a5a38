"""Many sparse systems with one sparsity pattern, solved together by preconditioned BiCGSTAB.

A background Monte Carlo solves, per iteration, a technosphere matrix whose values are drawn
anew but whose pattern never changes. SciPy's Krylov solvers take one system and one right-hand
side at a time, so footprint runs BiCGSTAB (van der Vorst 1992, with right preconditioning as
in `scipy.sparse.linalg.bicgstab`) over a whole block of systems at once: the matrix-vector
products are one product with the block-diagonal matrix of the block, the inner products are
per system and per column, and every system stops on its own relative residual. The
preconditioner divides by each sampled matrix's diagonal (the production amounts, Jacobi), as
bw2calc's `IterativeLCA` does; applying the unperturbed LU instead costs two triangular solves
per step, which on the benchmark backgrounds is 50-100 times a matrix-vector product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse


@dataclass
class BlockPattern:
    """The CSR pattern of one n x n matrix, repeated for a block of `m` systems."""

    n: int
    indptr: np.ndarray
    indices: np.ndarray
    diagonal: np.ndarray  # position in the data array of each diagonal entry, -1 when absent

    @classmethod
    def of(cls, matrix: sparse.csr_matrix) -> "BlockPattern":
        n = matrix.shape[0]
        rows = np.repeat(np.arange(n), np.diff(matrix.indptr))
        on_diagonal = np.flatnonzero(rows == matrix.indices)
        diagonal = np.full(n, -1, dtype=np.int64)
        diagonal[rows[on_diagonal]] = on_diagonal
        return cls(n, matrix.indptr.astype(np.int64), matrix.indices.astype(np.int64), diagonal)

    @property
    def nnz(self) -> int:
        return int(self.indptr[-1])

    def block_matrix(self, data: np.ndarray) -> sparse.csr_matrix:
        """The block-diagonal matrix of m systems whose values are the rows of `data` (m x nnz)."""
        m = data.shape[0]
        # 32-bit indices when they fit: the products are memory-bound, and indices are half the bytes.
        index = np.int32 if m * max(self.nnz, self.n) < 2**31 - 1 else np.int64
        offsets = np.arange(m, dtype=index)
        indptr = (self.indptr[None, :-1].astype(index) + offsets[:, None] * index(self.nnz)).ravel()
        indptr = np.append(indptr, index(m * self.nnz))
        indices = (self.indices[None, :].astype(index) + offsets[:, None] * index(self.n)).ravel()
        matrix = sparse.csr_matrix((m * self.n, m * self.n))
        matrix.data, matrix.indices, matrix.indptr = np.ascontiguousarray(data, dtype=float).ravel(), indices, indptr
        return matrix

    def jacobi(self, data: np.ndarray) -> np.ndarray:
        """1 / diagonal of each system (m x n); 1 where a diagonal entry is zero or absent."""
        present = self.diagonal >= 0
        diagonal = np.ones((data.shape[0], self.n))
        diagonal[:, present] = data[:, self.diagonal[present]]
        diagonal[~np.isfinite(diagonal) | (diagonal == 0)] = 1.0
        return 1.0 / diagonal


@dataclass
class BlockSolve:
    """Solutions (m, n, r) of a block, and which columns converged in how many steps."""

    x: np.ndarray
    converged: np.ndarray  # (m, r) bool
    steps: np.ndarray  # (m, r) BiCGSTAB steps each column took
    residual: np.ndarray  # (m, r) relative residual ||b - A x|| / ||b||


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Inner products per system and column of two (m, n, r) arrays (no BLAS: bit-reproducible)."""
    return np.einsum("mnr,mnr->mr", a, b)


def _safe(denominator: np.ndarray) -> np.ndarray:
    return np.where(denominator == 0, 1.0, denominator)


def block_bicgstab(
    pattern: BlockPattern,
    data: np.ndarray,
    b: np.ndarray,
    x0: np.ndarray | None = None,
    *,
    rtol: float = 1e-10,
    maxiter: int = 300,
) -> BlockSolve:
    """Solve A_i x_i = b_i for the m systems of a block (A_i: the pattern with values data[i]).

    `b` and `x0` are (m, n, r): r right-hand sides per system. A column stops when its relative
    residual ||b - A x|| / ||b|| is at most `rtol` (the true residual, recomputed at the end);
    one that has not by `maxiter` steps, breaks down or goes non-finite is reported as not
    converged for the caller to solve directly.
    """
    m, n, r = b.shape
    matrix = pattern.block_matrix(data)
    inverse_diagonal = pattern.jacobi(data)[:, :, None]

    def apply(v: np.ndarray) -> np.ndarray:
        return (matrix @ v.reshape(m * n, r)).reshape(m, n, r)

    x = np.zeros_like(b) if x0 is None else x0.astype(float, copy=True)
    b_norm = np.sqrt(_dot(b, b))
    b_norm = np.where(b_norm == 0, 1.0, b_norm)
    residual = b - apply(x)
    # A dense, fixed shadow vector: r0 itself breaks down for a unit right-hand side from x0 = 0
    # (its support is one row, and <r0, r_j> can be exactly zero after a step or two).
    shadow = np.broadcast_to(np.random.default_rng(0).uniform(0.5, 1.5, n)[None, :, None], b.shape)
    p = np.zeros_like(b)
    v = np.zeros_like(b)
    rho_old = alpha = omega = np.ones((m, r))
    steps = np.zeros((m, r), dtype=np.int64)
    active = np.sqrt(_dot(residual, residual)) / b_norm > rtol
    broken = np.zeros((m, r), dtype=bool)
    for _ in range(maxiter):
        if not active.any():
            break
        # Columns that stopped get alpha = omega = beta = 0: their x and residual stay as they
        # are, and nothing in them can overflow (cheaper than masking every update).
        rho = _dot(shadow, residual)
        broken |= active & (rho == 0)
        beta = np.where(active, (rho / _safe(rho_old)) * (alpha / _safe(omega)), 0.0)
        p = residual + beta[:, None, :] * (p - omega[:, None, :] * v)
        p_hat = inverse_diagonal * p
        v = apply(p_hat)
        alpha = np.where(active, rho / _safe(_dot(shadow, v)), 0.0)
        s = residual - alpha[:, None, :] * v
        s_hat = inverse_diagonal * s
        t = apply(s_hat)
        tt = _dot(t, t)
        omega = np.where(active, _dot(t, s) / _safe(tt), 0.0)
        broken |= active & ((tt == 0) | (omega == 0)) & (np.sqrt(_dot(s, s)) / b_norm > rtol)
        x += alpha[:, None, :] * p_hat + omega[:, None, :] * s_hat
        residual = s - omega[:, None, :] * t
        rho_old = np.where(active, rho, rho_old)
        steps += active
        relative = np.sqrt(_dot(residual, residual)) / b_norm
        active &= (relative > rtol) & ~broken & np.isfinite(relative)
    final = b - apply(x)
    relative = np.sqrt(_dot(final, final)) / b_norm
    converged = np.isfinite(relative) & (relative <= rtol * 10) & np.all(np.isfinite(x), axis=1)
    return BlockSolve(x=x, converged=converged, steps=steps, residual=relative)
