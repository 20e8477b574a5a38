"""Reading a study file: bounded in size and depth, validated by the `Study` model, hashed.

A validation problem becomes one `FootprintInputError` that names the file, the process and
the field, so a producer can find the line to fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import from_validation_error
from ..files import read_toml, sha256_hex
from .model import Study


class LoadedStudy(BaseModel):
    """A study with the file it came from and the hash of its bytes (for fingerprints)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    study: Study
    path: Path
    sha256: str


def parse_study(raw: dict[str, Any], path: Path | str = "<memory>") -> Study:
    """Validate raw study data; the first problem becomes a located FootprintInputError."""
    try:
        return Study.model_validate(raw)
    except ValidationError as exc:
        raise from_validation_error(exc, file=path, raw=raw, items="processes", empty_field="(study)") from None


def load_study(path: Path | str) -> LoadedStudy:
    """Read and validate a study file (size and nesting bounded before parsing)."""
    raw, data = read_toml(path, what="study")
    return LoadedStudy(study=parse_study(raw, path), path=Path(path), sha256=sha256_hex(data))
