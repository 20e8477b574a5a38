"""Results: characterised footprint per declared unit, with contributions and provenance.

Annex V Part VII: results are characterised, never normalised or weighted. The fingerprint
records everything that produced them so a verifier can tell what changed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class CategoryResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str
    unit: str
    value: float = Field(description="Characterised result per declared unit")
    by_stage: dict[str, float]
    by_process: dict[str, float]


class Fingerprint(BaseModel):
    """Hashes of every input of a calculation."""

    model_config = ConfigDict(extra="forbid")

    study_sha256: str
    background: str
    background_project: str | None = None
    background_sha256: str
    method_set: str
    method_version: str
    method_sha256: str
    material: str
    rules_version: str
    rules_sha256: str
    footprint_version: str
    virgin_study_sha256: str | None = Field(default=None, description="Primary study used by the Circular Footprint Formula")


class ProcessSummary(BaseModel):
    """What a public study may say about a process: no activity amounts (Art. 46)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    stage: str
    category: str
    category_title: str
    data_type: str
    location: str


class Results(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str
    material: str
    route: str
    declared_unit_kg: float
    categories: list[CategoryResult]
    processes: list[ProcessSummary]
    stages: list[str]
    allocation: list[dict[str, str | float]] = Field(default_factory=list)
    electricity: list[dict[str, str]] = Field(default_factory=list)
    excluded: list[dict[str, str | float]] = Field(default_factory=list)
    excluded_share: float = 0.0
    cutoff_limit: float = 0.0
    secondary_model: str | None = None
    fingerprint: Fingerprint

    def category(self, name: str) -> CategoryResult:
        for result in self.categories:
            if result.category == name:
                return result
        raise KeyError(name)

    def values(self) -> dict[str, float]:
        return {result.category: result.value for result in self.categories}


def write_atomically(path: Path, text: str) -> None:
    """Write a file so that a failure never leaves half of it behind."""
    from .errors import FootprintInputError

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise FootprintInputError(f"cannot write here: {exc.strerror or exc}", file=path) from None
    try:
        # mkstemp creates 0600; declarations are public files, so use the usual umask mode.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise FootprintInputError(f"cannot write here: {exc.strerror or exc}", file=path) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# Everything `footprint declare` writes for one study: replaced together, never mixed with an
# earlier run's files.
DECLARATION_FILES = ("results.json", "declaration.json", "declaration.html", "study.html", "study.pdf")


@contextlib.contextmanager
def output_set(target: Path, *, force: bool = False, names: tuple[str, ...] = DECLARATION_FILES) -> Iterator[Path]:
    """Stage one study's output files in a temporary folder, then move them into `target` together.

    A failure while writing leaves `target` as it was. Files of the set that this run did not
    write (an old study.pdf) are removed, so a folder never mixes two runs. An existing
    declaration is only replaced with `force`.
    """
    from .errors import FootprintInputError

    if target.exists() and not target.is_dir():
        raise FootprintInputError("the output folder is a file", file=target, field="--out")
    for name in names:
        if (target / name).is_dir():
            raise FootprintInputError(f"the output {name} is a folder", file=target / name, field="--out")
    existing = [name for name in names if (target / name).exists()]
    if existing and not force:
        raise FootprintInputError(
            f"the folder already holds {', '.join(existing)} of a declaration; pass --force to replace them",
            file=target / existing[0],
            field="--out",
        )
    try:
        target.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target, prefix=".footprint-staging-"))
    except OSError as exc:
        raise FootprintInputError(f"cannot write here: {exc.strerror or exc}", file=target, field="--out") from None
    try:
        yield staging
        _swap_in(staging, target, names)
    except OSError as exc:
        raise FootprintInputError(f"cannot write here: {exc.strerror or exc}; the folder is as it was", file=target, field="--out") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap_in(staging: Path, target: Path, names: tuple[str, ...]) -> None:
    """Move the staged set into `target`, the old set aside first; on any failure, put the old set back."""
    previous = staging / ".previous"
    previous.mkdir()
    moved_out: list[str] = []
    moved_in: list[str] = []
    try:
        for name in names:
            if (target / name).exists():
                os.replace(target / name, previous / name)
                moved_out.append(name)
        for name in names:
            if (staging / name).exists():
                os.replace(staging / name, target / name)
                moved_in.append(name)
    except OSError:
        for name in moved_in:
            (target / name).unlink(missing_ok=True)
        for name in moved_out:
            os.replace(previous / name, target / name)
        raise


def write_json(path: Path, model: BaseModel) -> None:
    write_atomically(path, json.dumps(model.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n")
