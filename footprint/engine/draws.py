"""The background's distributions, read once from its datapackages and drawn block by block.

The same values bw2calc's Monte Carlo draws: every technosphere and biosphere entry whose
`distributions` row has an uncertainty type above 1, with the flip sign applied after the
draw and `loc` kept for undefined or fixed entries (as matrix_utils does). Only biosphere
entries of characterised flows are kept: the others cannot change a score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
from scipy import sparse

from ..errors import CalculationError
from .krylov import BlockPattern
from .matrices import flow_factors


def _vector_resources(background: Any, matrix: str):
    """(row ids, col ids, data, flip, distributions or None) of each vector resource of `matrix`."""
    for package in background.datapackages():
        names = {r["name"] for r in package.resources}
        for resource in package.resources:
            if resource.get("matrix") != matrix or resource.get("kind") != "indices":
                continue
            base = resource["name"][: -len(".indices")]
            indices = package.get_resource(resource["name"])[0]
            data = np.asarray(package.get_resource(base + ".data")[0], dtype=float)
            if data.ndim != 1:
                raise CalculationError(f"the background's {matrix} resource {base} is an array of values, not a vector: it cannot be sampled")
            flip = np.asarray(package.get_resource(base + ".flip")[0], bool) if base + ".flip" in names else np.zeros(len(data), bool)
            params = package.get_resource(base + ".distributions")[0] if base + ".distributions" in names else None
            yield np.asarray(indices["row"], np.int64), np.asarray(indices["col"], np.int64), data, flip, params


@dataclass
class _Values:
    """Matrix entries, their fixed values (sign applied) and the parameters of the uncertain ones."""

    fixed: np.ndarray
    sign: np.ndarray
    uncertain: np.ndarray  # positions of the entries drawn
    params: Any  # stats_arrays parameters of those entries

    @classmethod
    def of(cls, data: list[np.ndarray], flips: list[np.ndarray], params: list[Any]) -> "_Values":
        fixed, sign, uncertain, chosen = [], [], [], []
        offset = 0
        for values, flip, p in zip(data, flips, params):
            s = np.where(flip, -1.0, 1.0)
            v = values.copy()
            if p is not None:
                drawn = np.asarray(p["uncertainty_type"]) > 1
                v[~drawn] = np.asarray(p["loc"], float)[~drawn]
                uncertain.append(offset + np.flatnonzero(drawn))
                chosen.append(p[drawn])
            fixed.append(v * s)
            sign.append(s)
            offset += len(values)
        return cls(
            fixed=np.concatenate(fixed) if fixed else np.zeros(0),
            sign=np.concatenate(sign) if sign else np.zeros(0),
            uncertain=np.concatenate(uncertain) if uncertain else np.zeros(0, np.int64),
            params=np.concatenate(chosen) if chosen else None,
        )

    def __post_init__(self) -> None:
        """Split the uncertain entries once: unbounded lognormal, unbounded normal, the rest."""
        self._fast: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]] = []
        self._other = np.zeros(0, np.int64)
        if not len(self.uncertain):
            return
        kind = np.asarray(self.params["uncertainty_type"])
        unbounded = np.isnan(self.params["minimum"]) & np.isnan(self.params["maximum"])
        loc, scale = np.asarray(self.params["loc"], float), np.asarray(self.params["scale"], float)
        sign = self.sign[self.uncertain]
        log = np.flatnonzero((kind == 2) & unbounded)
        normal = np.flatnonzero((kind == 3) & unbounded)
        if len(log):
            self._fast.append((self.uncertain[log], loc[log], scale[log], sign[log] * np.where(self.params["negative"][log], -1.0, 1.0)))
        if len(normal):
            self._fast.append((self.uncertain[normal], loc[normal] * sign[normal], scale[normal] * sign[normal], None))
        other = np.ones(len(self.uncertain), bool)
        other[log], other[normal] = False, False
        self._other = np.flatnonzero(other)

    def permuted(self, order: np.ndarray) -> "_Values":
        """The same entries in the order `order` (entry order[i] becomes entry i)."""
        inverse = np.empty(len(order), np.int64)
        inverse[order] = np.arange(len(order))
        return _Values(self.fixed[order], self.sign[order], inverse[self.uncertain], self.params)

    def draw(self, m: int, seed: int) -> np.ndarray:
        """(m, entries): the fixed values, with the uncertain ones drawn from their distributions.

        Unbounded lognormal and normal entries (nearly all of a database like ecoinvent) are
        drawn with numpy's PCG64 generator by stats_arrays' own formulas (exp(N(loc, scale)),
        sign from `negative`; N(loc, scale)), several times faster than its legacy
        RandomState; every other entry goes through stats_arrays' MCRandomNumberGenerator.
        """
        out = np.empty((m, len(self.fixed)))
        out[:] = self.fixed
        if not len(self.uncertain):
            return out
        fast_seed, other_seed = np.random.SeedSequence(seed).generate_state(2)
        generator = np.random.Generator(np.random.PCG64(int(fast_seed)))
        for positions, loc, scale, sign in self._fast:
            values = generator.standard_normal((m, len(positions)))
            values *= scale
            values += loc
            if sign is not None:  # lognormal
                np.exp(values, out=values)
                values *= sign
            out[:, positions] = values
        if len(self._other):
            from stats_arrays import MCRandomNumberGenerator

            chosen = self.uncertain[self._other]
            rng = MCRandomNumberGenerator(self.params[self._other], seed=int(other_seed))
            out[:, chosen] = rng.generate(samples=max(m, 2))[:, :m].T * self.sign[chosen]
        return out


@dataclass
class BackgroundSampler:
    """A background's matrix pattern and distributions, ready to be drawn block by block.

    Plain arrays only, so it pickles: a Dask run sends it to each worker once.
    """

    product_ids: np.ndarray  # sorted: row and column order of A
    pattern: BlockPattern  # CSR pattern of A
    transposed: BlockPattern  # CSR pattern of A^T
    to_transposed: np.ndarray  # A^T data = A data[to_transposed]
    tech_to_csr: Any  # sparse (nnz, entries) summing duplicate entries into A's data; None: entries in CSR order
    tech: _Values
    bio_column: np.ndarray  # (E,) column of A of each characterised biosphere entry
    bio_factors: Any  # sparse (categories, E): characterisation factor of each entry's flow
    bio: _Values
    categories: tuple[str, ...]
    background_sha256: str

    def technosphere(self, values: np.ndarray) -> np.ndarray:
        """(m, nnz) CSR data of A for (m, entries) drawn values (duplicate entries summed)."""
        if self.tech_to_csr is None:  # no duplicates: the entries are stored in A's CSR order
            return values
        return np.asarray((self.tech_to_csr @ values.T).T)

    def matrix(self, data: np.ndarray) -> sparse.csr_matrix:
        return sparse.csr_matrix((data, self.pattern.indices, self.pattern.indptr), shape=(self.pattern.n, self.pattern.n))

    def positions(self, dataset_ids: Sequence[int]) -> np.ndarray:
        ids = np.asarray(list(dataset_ids), np.int64)
        pos = np.searchsorted(self.product_ids, ids)
        if len(ids) and (np.any(pos >= len(self.product_ids)) or np.any(self.product_ids[np.minimum(pos, len(self.product_ids) - 1)] != ids)):
            raise CalculationError("a dataset the study buys is not in the sampled background")
        return pos


def background_sampler(background: Any, method_set: Any) -> BackgroundSampler:
    """Read the background's datapackages once into a `BackgroundSampler`."""
    tech = list(_vector_resources(background, "technosphere_matrix"))
    if not tech:
        raise CalculationError("the background has no technosphere exchanges")
    rows = np.concatenate([t[0] for t in tech])
    cols = np.concatenate([t[1] for t in tech])
    product_ids = np.unique(np.concatenate([rows, cols]))
    if not np.array_equal(product_ids, np.unique(cols)):
        raise CalculationError("the background's technosphere matrix is not square (products without an activity)")
    n = len(product_ids)
    r, c = np.searchsorted(product_ids, rows), np.searchsorted(product_ids, cols)
    entries = len(rows)
    summing = sparse.csr_matrix((np.ones(entries), (r, c)), shape=(n, n))  # its pattern is A's (duplicates merged)
    summing.sum_duplicates()
    summing.sort_indices()
    pattern = BlockPattern.of(summing)
    # Entry e goes to the CSR position of (r[e], c[e]).
    key = r * n + c
    csr_rows = np.repeat(np.arange(n), np.diff(summing.indptr))
    csr_key = csr_rows * n + summing.indices
    csr_position = np.searchsorted(csr_key, key)
    to_csr = sparse.csr_matrix((np.ones(entries), (csr_position, np.arange(entries))), shape=(pattern.nnz, entries))
    duplicates_free = pattern.nnz == entries
    tech_values = _Values.of([t[2] for t in tech], [t[3] for t in tech], [t[4] for t in tech])
    numbered = sparse.csr_matrix((np.arange(1, pattern.nnz + 1, dtype=float), summing.indices, summing.indptr), shape=(n, n))
    transposed_matrix = numbered.T.tocsr()
    transposed_matrix.sort_indices()
    to_transposed = transposed_matrix.data.astype(np.int64) - 1

    flow_ids, factors = flow_factors(background, method_set)
    bio = list(_vector_resources(background, "biosphere_matrix"))
    bio_rows = np.concatenate([b[0] for b in bio]) if bio else np.zeros(0, np.int64)
    bio_cols = np.concatenate([b[1] for b in bio]) if bio else np.zeros(0, np.int64)
    pos = np.searchsorted(flow_ids, bio_rows)
    known = (pos < len(flow_ids)) & (flow_ids[np.minimum(pos, max(len(flow_ids) - 1, 0))] == bio_rows) if len(flow_ids) else np.zeros(len(bio_rows), bool)
    characterised = np.zeros(len(bio_rows), bool)
    characterised[known] = np.any(factors[:, pos[known]] != 0, axis=0)
    values = _Values.of([b[2] for b in bio], [b[3] for b in bio], [b[4] for b in bio]) if bio else _Values(np.zeros(0), np.zeros(0), np.zeros(0, np.int64), None)
    keep = np.flatnonzero(characterised)
    # Keep only characterised entries, renumbering the uncertain positions among them.
    where = np.full(len(bio_rows), -1, np.int64)
    where[keep] = np.arange(len(keep))
    drawn = values.uncertain[characterised[values.uncertain]] if len(values.uncertain) else values.uncertain
    params = values.params[characterised[values.uncertain]] if len(values.uncertain) else None
    bio_values = _Values(values.fixed[keep], values.sign[keep], where[drawn], params)
    columns = np.searchsorted(product_ids, bio_cols[keep])
    if len(keep) and np.any(product_ids[np.minimum(columns, n - 1)] != bio_cols[keep]):
        raise CalculationError("a biosphere exchange of the background belongs to no activity of its technosphere")
    return BackgroundSampler(
        product_ids=product_ids,
        pattern=pattern,
        transposed=BlockPattern.of(transposed_matrix),
        to_transposed=to_transposed,
        tech_to_csr=None if duplicates_free else to_csr,
        tech=tech_values.permuted(np.argsort(csr_position)) if duplicates_free else tech_values,
        bio_column=columns,
        bio_factors=sparse.csr_matrix(factors[:, pos[keep]]) if len(keep) else sparse.csr_matrix((len(factors), 0)),
        bio=bio_values,
        categories=tuple(method_set.names),
        background_sha256=background.sha256,
    )
