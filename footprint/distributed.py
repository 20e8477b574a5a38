"""Batches, verifications and Monte Carlo runs on dask.distributed, for work that outgrows one machine.

`footprint declare|verify|uncertainty --scheduler local|ADDRESS`. The client prepares each
background once (the one expensive solve), sends it to every worker once
(`Client.scatter(..., broadcast=True)`), and then ships small tasks: chunks of studies or of
(declaration, study) pairs, or blocks of Monte Carlo iterations. Each worker runs the same
library functions a single process runs (`batch.assess_many`, `batch.verify_many`,
`engine.montecarlo.solve_block`) on an engine that adopted the prepared backgrounds, and the
results come back in input order, equal to a single-process run (tests/test_distributed.py).

A worker opens the background itself for linking (the starter's files, or the Brightway
project at the same path: workers share the data folder or a copy of it); what it does not
solve again is the background. Only this module imports dask: the single-process path never
loads it.
"""

from __future__ import annotations

import contextlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from .assessment import background_for, check_study
from .background import open_background
from .batch import BatchItem, assess_many, batch_progress, verify_many
from .declaration import load_declaration
from .engine.core import Engine, EngineConfig, make_engine
from .errors import FootprintError, FootprintInputError
from .methods import load_method_set
from .plugins import MaterialRegistry
from .signing import public_key_pem
from .study.load import load_study

LOCAL = "local"
CHUNKS_PER_WORKER = 2  # tasks per worker and batch: enough to balance, few enough to open each background rarely
_ADDRESS = re.compile(r"^(?:(?:tcp|tls)://)?[A-Za-z0-9_.\-\[\]:]+:\d{1,5}$")


@contextlib.contextmanager
def dask_client(scheduler: str, *, workers: int | None = None, processes: bool = True, timeout: float = 60.0) -> Iterator[Any]:
    """A Dask client: a LocalCluster on loopback for `local`, else the scheduler at ADDRESS."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise FootprintInputError("--scheduler needs dask.distributed: pip install 'footprint[cluster]'", field="--scheduler") from None

    if scheduler == LOCAL:
        with worker_memory_settings():
            cluster = LocalCluster(
                n_workers=workers or 2,
                threads_per_worker=1,
                processes=processes,
                protocol="tcp",
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
        try:
            with Client(cluster, timeout=timeout) as client:
                yield client
        finally:
            cluster.close()
        return
    if not _ADDRESS.match(scheduler):
        raise FootprintInputError(f"{scheduler!r} is neither 'local' nor a scheduler address like tcp://host:8786", field="--scheduler")
    try:
        client = Client(scheduler, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise FootprintInputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}", field="--scheduler") from None
    try:
        yield client
    finally:
        client.close()


# Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536, which also freezes glibc's mmap
# threshold at 128 KiB: every temporary numpy array of the Monte Carlo's blocks (MBs each) is
# then mapped and unmapped again, page faults and all (measured: blocks 1.5-2.5x slower on a
# worker than in one process). footprint's workers keep such arrays on the heap instead.
WORKER_ENVIRON = {"MALLOC_TRIM_THRESHOLD_": str(256 * 2**20), "MALLOC_MMAP_THRESHOLD_": str(64 * 2**20)}


@contextlib.contextmanager
def worker_memory_settings() -> Iterator[None]:
    """Worker processes a LocalCluster spawns get `WORKER_ENVIRON` (see docs/scaling.md for a cluster's)."""
    import dask

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
    environ.update(WORKER_ENVIRON)
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
        yield


class DaskRunner:
    """An `engine.montecarlo.Runner` on a Dask client: what every task shares is scattered to
    every worker once, then one task per block, results in task order."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def __call__(self, function: Callable[[Any, Any], Any], shared: Any, tasks: list) -> list:
        if not tasks:
            return []
        handle = self.client.scatter(shared, broadcast=True, hash=False)
        futures = self.client.map(function, [handle] * len(tasks), tasks, pure=False)
        return self.client.gather(futures)


def workers_of(client: Any) -> int:
    return max(1, len(client.scheduler_info().get("workers", {})))


def _chunks(items: list, parts: int) -> list[list]:
    size = max(1, -(-len(items) // max(parts, 1)))
    return [items[i : i + size] for i in range(0, len(items), size)]


@dataclass
class _Shared:
    """What every task of a batch gets once: the prepared backgrounds and how to run."""

    prepared: list[Any]
    config: EngineConfig
    method_set: Any
    options: dict[str, Any] = field(default_factory=dict)

    def engine(self) -> Engine:
        engine = make_engine(self.config)
        for prepared in self.prepared:
            engine.adopt(prepared)
        return engine


def _assess_chunk(shared: _Shared, chunk: list[tuple[int, str]]) -> list[tuple[int, BatchItem]]:
    items = assess_many([path for _, path in chunk], engine=shared.engine(), method_set=shared.method_set, **shared.options)
    return [(index, item) for (index, _), item in zip(chunk, items)]


def _verify_chunk(shared: _Shared, chunk: list[tuple[int, tuple[str, str]]]) -> list[tuple[int, BatchItem]]:
    items = verify_many([pair for _, pair in chunk], engine=shared.engine(), **shared.options)
    return [(index, item) for (index, _), item in zip(chunk, items)]


def _run_batch(client: Any, task: Callable, shared: _Shared, items: list, progress: Any, label: str) -> list[BatchItem]:
    from dask.distributed import as_completed

    handle = client.scatter(shared, broadcast=True, hash=False)
    chunks = _chunks(list(enumerate(items)), workers_of(client) * CHUNKS_PER_WORKER)
    futures = client.map(task, [handle] * len(chunks), chunks, pure=False)
    done: dict[int, BatchItem] = {}
    with batch_progress(progress, len(items), label) as tick:
        for future in as_completed(futures):
            for index, item in future.result():
                done[index] = item
                tick(len(done), item.path)
    return [done[i] for i in range(len(items))]


def _prepare(engine: Engine, method_set: Any, key: tuple, opened: Callable[[], Any], prepared: dict[tuple, Any]) -> None:
    """Prepare one background here, once; one that cannot be opened is left to the workers to report."""
    if key in prepared:
        return
    try:
        prepared[key] = engine.prepared_for(opened(), method_set)
    except FootprintError:
        prepared[key] = None


def assess_many_distributed(
    paths: Sequence[Path | str],
    *,
    client: Any,
    engine: Engine | None = None,
    progress: Any = False,
    say: Callable[[str], None] | None = None,
    background_override: str | None = None,
    project_override: str | None = None,
    brightway_dir: Path | None = None,
) -> list[BatchItem]:
    """`batch.assess_many` on a Dask cluster: each background prepared here once, sent once."""
    engine = engine or make_engine(progress=say)
    method_set = load_method_set()
    registry = MaterialRegistry()
    prepared: dict[tuple, Any] = {}
    for path in paths:
        try:
            checked = check_study(load_study(path), registry)
        except FootprintError:
            continue  # the worker reports it, as a single process would
        study = checked.loaded.study
        key = (background_override or study.background, project_override or study.background_project)
        _prepare(engine, method_set, key, lambda: background_for(checked, method_set, background_override, project_override, brightway_dir, say), prepared)
    options = {"background_override": background_override, "project_override": project_override, "brightway_dir": brightway_dir}
    shared = _Shared([p for p in prepared.values() if p is not None], engine.config, method_set, options)
    return _run_batch(client, _assess_chunk, shared, [str(p) for p in paths], progress, "declarations")


def verify_many_distributed(
    pairs: Sequence[tuple[Path | str, Path | str]],
    *,
    client: Any,
    engine: Engine | None = None,
    progress: Any = False,
    say: Callable[[str], None] | None = None,
    class_folder: Path | None = None,
    brightway_dir: Path | None = None,
    producer_key: Any | None = None,
) -> list[BatchItem]:
    """`batch.verify_many` on a Dask cluster: each background a fingerprint names prepared (and
    checked against its source) here once, sent to every worker once. `producer_key` (verify
    --producer-key) goes to the workers as PEM text."""
    engine = engine or make_engine(progress=say, verify_cache=True)
    method_set = load_method_set()
    prepared: dict[tuple, Any] = {}
    for declaration, _ in pairs:
        try:
            fingerprint = load_declaration(declaration)[0].fingerprint
        except (FootprintError, OSError, ValueError):
            continue
        key = (fingerprint.background, fingerprint.background_project)
        _prepare(engine, method_set, key, lambda: open_background(key[0], key[1], brightway_dir, method_set, say), prepared)
    options = {"class_folder": class_folder, "brightway_dir": brightway_dir,
               "producer_key": public_key_pem(producer_key) if producer_key is not None else None}
    shared = _Shared([p for p in prepared.values() if p is not None], engine.config, method_set, options)
    return _run_batch(client, _verify_chunk, shared, [(str(d), str(s)) for d, s in pairs], progress, "verifications")
