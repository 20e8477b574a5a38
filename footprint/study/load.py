"""Reading a study file: bounded in size and depth, validated by the `Study` model, hashed.

A validation problem becomes one `FootprintInputError` that names the file, the process and
the field, so a producer can find the line to fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import FootprintInputError, format_location, from_validation_error
from ..files import read_toml, sha256_hex
from .model import Study


class LoadedStudy(BaseModel):
    """A study with the file it came from and the hash of its bytes (for fingerprints)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    study: Study
    path: Path
    sha256: str


# What `footprint study import` and `footprint study template` write where the source cannot
# know a value (a stage, an Annex V category, a data type, the operator...): a study holding
# one is refused, and the error names every one still to fill.
PLACEHOLDER = "TO-FILL"


def placeholders_in(raw: Any, where: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Locations (as validation-error paths) of every value that starts with PLACEHOLDER."""
    if isinstance(raw, str):
        return [where] if raw.startswith(PLACEHOLDER) else []
    if isinstance(raw, dict):
        return [hit for key, value in raw.items() for hit in placeholders_in(value, (*where, key))]
    if isinstance(raw, list):
        return [hit for i, value in enumerate(raw) for hit in placeholders_in(value, (*where, i))]
    return []


def _where(raw: dict[str, Any], loc: tuple[Any, ...]) -> str:
    """'process X inputs[2].unit' for a location inside a process, else the field path."""
    inside = len(loc) >= 2 and loc[0] == "processes" and isinstance(loc[1], int)
    if not inside:
        return format_location(loc) or "(study)"
    try:
        name = str(raw["processes"][loc[1]].get("id") or f"#{loc[1] + 1}")
    except (KeyError, IndexError, AttributeError, TypeError):
        name = f"#{loc[1] + 1}"
    return f"process {name!r} {format_location(loc[2:])}"


def parse_study(raw: dict[str, Any], path: Path | str = "<memory>") -> Study:
    """Validate raw study data; the first problem becomes a located FootprintInputError.

    A study that still holds import or template placeholders is refused, naming each one.
    """
    holes = placeholders_in(raw)
    if holes:
        listed = "; ".join(_where(raw, loc) for loc in holes)
        raise FootprintInputError(f"{len(holes)} value(s) still to fill (marked {PLACEHOLDER}): {listed}", file=path)
    try:
        return Study.model_validate(raw)
    except ValidationError as exc:
        raise from_validation_error(exc, file=path, raw=raw, items="processes", empty_field="(study)") from None


def load_study(path: Path | str) -> LoadedStudy:
    """Read and validate a study file (size and nesting bounded before parsing)."""
    raw, data = read_toml(path, what="study")
    return LoadedStudy(study=parse_study(raw, path), path=Path(path), sha256=sha256_hex(data))
