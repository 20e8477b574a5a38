"""Batches: many studies (or declarations) on one engine, with a progress bar.

One bad file does not stop a verifier's batch: each item keeps its outcome or its error.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from .assessment import assess, background_for, check_study
from .engine.core import Engine, make_engine
from .errors import FootprintError
from .methods import load_method_set
from .plugins import MaterialRegistry
from .signing import public_key_from_pem
from .study.load import load_study
from .verification import check_producer_signature, verify_declaration, with_signature_failure


@dataclass
class BatchItem:
    """One study (or declaration) of a batch: its outcome, or the error that stopped it."""

    path: Path
    results: Any | None = None
    error: Exception | None = None
    study: Path | None = None
    loaded: Any | None = None  # the LoadedStudy the results came from (declarations are built from it)

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
    engine: Engine | None = None,
    progress: bool | Callable[[int, int, Path], None] | None = False,
    say: Callable[[str], None] | None = None,
    stop_on_error: bool = False,
    **assess_kwargs: Any,
) -> list[BatchItem]:
    """Assess many studies with `assessment.assess` on one engine (each background prepared once).

    Errors a user can act on (FootprintError) are kept per study, so one bad file does not stop
    a verifier's batch; `stop_on_error=True` raises the first instead. `progress=True` shows a
    rich progress bar on stderr; a callable gets (done, total, path). `assess_kwargs` go to
    `assess` (registry, method_set, background, background_override, project_override,
    brightway_dir).
    """
    engine = engine or make_engine(progress=say)
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
    with batch_progress(progress, len(paths)) as tick:
        for done, path in enumerate(paths, start=1):
            item = BatchItem(path=Path(path))
            try:
                checked = check_study(load_study(path), registry)
                item.loaded = checked.loaded
                kwargs = dict(assess_kwargs)
                if kwargs.get("background") is None:
                    study = checked.loaded.study
                    key = (overrides[0] or study.background, overrides[1] or study.background_project, overrides[2])
                    if key not in opened:
                        opened[key] = background_for(checked, method_set, *overrides, say)
                    kwargs["background"] = opened[key]
                item.results = assess(checked, progress=say, engine=engine, **kwargs)
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
    engine: Engine | None = None,
    progress: bool | Callable[[int, int, Path], None] | None = False,
    say: Callable[[str], None] | None = None,
    registry: MaterialRegistry | None = None,
    class_folder: Path | None = None,
    brightway_dir: Path | None = None,
    producer_key: Any | None = None,
) -> list[BatchItem]:
    """`verification.verify_declaration` for many (declaration, study) pairs on one engine.

    Each item's `results` is the VerificationReport; `error` is set when the declaration or
    study could not be read at all. With `producer_key` (an Ed25519 public key, or its PEM text),
    each declaration's declaration.sig is checked first: a valid one lets the report drop the
    re-dating warning, one that does not verify makes the verdict "not reproduced".
    """
    engine = engine or make_engine(progress=say, verify_cache=True)
    registry = registry or MaterialRegistry()
    if isinstance(producer_key, (str, bytes)):  # as it travels to a cluster's workers (key objects do not pickle)
        producer_key = public_key_from_pem(producer_key, field="--producer-key")
    items: list[BatchItem] = []
    with batch_progress(progress, len(pairs), "verifications") as tick:
        for done, (declaration, study) in enumerate(pairs, start=1):
            item = BatchItem(path=Path(declaration), study=Path(study))
            try:
                signature = check_producer_signature(declaration, producer_key) if producer_key is not None else None
                item.results = verify_declaration(
                    declaration, study, registry=registry, class_folder=class_folder, brightway_dir=brightway_dir, engine=engine,
                    signature_checked=signature is not None and signature.valid,
                )
                if signature is not None and not signature.valid:
                    item.results = with_signature_failure(item.results, signature)
            except (FootprintError, OSError, ValueError) as exc:
                item.error = exc
            items.append(item)
            tick(done, declaration)
    return items
