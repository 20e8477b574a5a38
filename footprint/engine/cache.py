"""The prepared background's disk and memory cache, in footprint's data folder.

A cache file carries a keyed checksum of its arrays (HMAC with the data folder's own key,
`paths.cache_key`), written with it: a truncated, zero-byte, bit-flipped or rewritten file is
detected on reading, discarded and rebuilt. What even a keyed checksum cannot rule out — a
file forged by someone who can read the key — `check_against_source` rules out by testing the
cached scores against the background's own matrices (one sparse product, no
factorisation); the engine does that whenever a verdict rests on the cache.
"""

from __future__ import annotations

import io
import json
import logging
import os
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..errors import CalculationError, FootprintInputError
from ..files import discard_file, keyed_sha256, write_bytes_atomically
from ..paths import cache_key, data_subdir, exclusive
from .matrices import background_system, flow_factors
from .prepared import FORMAT_VERSION, RESIDUAL_TOLERANCE, PreparedBackground, compute_prepared_scores, prepared_key

logger = logging.getLogger(__name__)

ARRAYS = ("activity_ids", "scores", "flow_ids", "flow_factors")


def prepared_dir() -> Path:
    return data_subdir("prepared")


def _checksum(prepared: PreparedBackground) -> str:
    """Keyed checksum (this data folder's key) of the arrays and the key they are filed under."""
    parts = [prepared.key.encode(), *(np.ascontiguousarray(getattr(prepared, name)).tobytes() for name in ARRAYS)]
    return keyed_sha256(cache_key(), parts)


def save_prepared(prepared: PreparedBackground, path: Path) -> Path:
    """Write the cache file atomically, with the checksum of its arrays in its metadata."""
    meta = {
        "format": FORMAT_VERSION,
        "key": prepared.key,
        "background_sha256": prepared.background_sha256,
        "method_sha256": prepared.method_sha256,
        "categories": list(prepared.categories),
        "solver": prepared.solver,
        "seconds": prepared.seconds,
        "residual": prepared.residual,
        "checksum": _checksum(prepared),
    }
    buffer = io.BytesIO()
    np.savez(buffer, meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8), **{name: getattr(prepared, name) for name in ARRAYS})
    write_bytes_atomically(path, buffer.getvalue())
    prepared.path = path
    return path


def load_prepared(path: Path, key: str | None = None) -> PreparedBackground | None:
    """Read a cached prepared background; None if absent, for another key, or damaged.

    A damaged file (unreadable, truncated, checksum mismatch) is removed so it is rebuilt.
    """
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode())
            if meta.get("format") != FORMAT_VERSION or (key is not None and meta.get("key") != key):
                return None
            prepared = PreparedBackground(
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
            damaged = meta.get("checksum") != _checksum(prepared)
    except Exception as exc:  # any unreadable file: zip, JSON, dtype or shape errors alike
        logger.warning("discarding the unreadable prepared-background cache %s (%s)", path, exc)
        damaged, prepared = True, None
    if damaged:
        logger.warning("discarding the damaged prepared-background cache %s; it is rebuilt", path)
        discard_file(path)
        return None
    return prepared


def check_against_source(prepared: PreparedBackground, background: Any, method_set: Any) -> None:
    """Refuse a prepared background whose numbers do not solve the background's own system.

    The residual of A^T X = (C B)^T on freshly built matrices, and the flow factors against
    the method set: a poisoned or stale cache fails here whatever its checksum says.
    """
    system = background_system(background, method_set)
    order = np.argsort(system.activity_ids)
    if not np.array_equal(system.activity_ids[order], prepared.activity_ids):
        raise CalculationError("the prepared background does not index the background's datasets", field="prepared")
    x = np.empty_like(prepared.scores.T)
    x[order] = prepared.scores.T
    g = np.asarray((system.biosphere.T @ system.characterisation.T))
    residual = float(np.linalg.norm(system.technosphere.T @ x - g) / max(np.linalg.norm(g), 1e-300)) if g.size else 0.0
    flow_ids, factors = flow_factors(background, method_set)
    same_factors = np.array_equal(flow_ids, prepared.flow_ids) and np.allclose(factors, prepared.flow_factors, rtol=1e-12, atol=0)
    if not np.isfinite(residual) or residual > RESIDUAL_TOLERANCE or not same_factors:
        raise CalculationError(
            f"the prepared background does not match its source (relative residual {residual:.2e}, "
            f"factors {'equal' if same_factors else 'differ'})",
            field="prepared",
        )


_MEMORY: dict[str, PreparedBackground] = {}


def prepare_background(
    background: Any,
    method_set: Any | None = None,
    *,
    cache: bool = True,
    cache_dir: Path | None = None,
    solver: str | None = None,
    progress: Callable[[str], None] | None = None,
    trust_cache: bool = True,
) -> PreparedBackground:
    """The prepared background for `background` and `method_set`: from memory, disk, or solved now.

    The cache file sits in `<FOOTPRINT_DATA_DIR>/prepared/` (or `cache_dir`) and is named by
    the key, which hashes the background content, the method set and the id layout: a changed
    background or method set never reads a stale cache. With `trust_cache=False`, a file read
    from disk is checked against the background's own matrices first (and rebuilt if it fails).
    Two processes preparing the same background at once take turns (a file lock).
    """
    from ..methods import load_method_set

    method_set = method_set or load_method_set()
    key = prepared_key(background, method_set)
    remembered = _MEMORY.get(key) if cache else None
    if remembered is not None and (trust_cache or remembered.source_checked):
        return remembered
    folder = usable_cache_dir(cache_dir) if cache else None
    if folder is None:
        return _solve(background, method_set, solver, progress)
    path = folder / f"{key[:40]}.npz"
    with exclusive(path):
        found = remembered or load_prepared(path, key)
        if found is not None and not (trust_cache or found.source_checked):
            try:
                check_against_source(found, background, method_set)
                found.source_checked = True
            except CalculationError as exc:
                logger.warning("discarding the prepared-background cache %s: %s", path, exc)
                discard_file(path)
                found = None
        if found is None:
            found = _solve(background, method_set, solver, progress)
            try:
                save_prepared(found, path)
            except FootprintInputError as exc:
                logger.warning("the prepared background is not cached: %s", exc)
    _MEMORY[key] = found
    return found


def usable_cache_dir(cache_dir: Path | None = None) -> Path | None:
    """The cache folder, or None (work without caching) when it cannot be written."""
    try:
        folder = cache_dir or prepared_dir()
    except FootprintInputError as exc:
        logger.warning("working without the prepared-background cache: %s", exc)
        return None
    if not os.access(folder, os.W_OK | os.X_OK):
        logger.warning("working without the prepared-background cache: %s is not writable", folder)
        return None
    return folder


def _solve(background: Any, method_set: Any, solver: str | None, progress: Callable[[str], None] | None) -> PreparedBackground:
    say = progress or (lambda message: None)
    say(f"preparing the background {getattr(background, 'database', '')} for {method_set.name} (solved once, then cached)")
    return compute_prepared_scores(background, method_set, solver)


def refresh_prepared(
    background: Any, method_set: Any, *, solver: str | None = None, progress: Callable[[str], None] | None = None
) -> PreparedBackground:
    """Solve the background again and replace its cache file (`footprint prepare --force`)."""
    key = prepared_key(background, method_set)
    _MEMORY.pop(key, None)
    prepared = _solve(background, method_set, solver, progress)
    folder = usable_cache_dir()
    if folder is not None:
        path = folder / f"{key[:40]}.npz"
        with exclusive(path):
            save_prepared(prepared, path)
    _MEMORY[key] = prepared
    return prepared


def clear_memory_cache() -> None:
    _MEMORY.clear()
