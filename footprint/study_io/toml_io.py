"""Studies as TOML text: what `footprint study import` writes (placeholders included)."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from pathlib import Path
from typing import Any

from ..files import write_atomically
from ..study import Study


def plain(value: Any) -> Any:
    """Enums to their values, tuples to lists, None dropped: what TOML can hold."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def study_raw(study: Study) -> dict[str, Any]:
    """A study as the dict a TOML file of it parses to (defaults left out)."""
    return plain(study.model_dump(mode="python", exclude_none=True, exclude_defaults=True))


def study_toml(raw: dict[str, Any], header: str | None = None) -> str:
    import tomli_w

    text = tomli_w.dumps(plain(raw))
    if header:
        text = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines()) + text
    return text


def write_study_toml(raw: dict[str, Any], path: Path | str, header: str | None = None) -> None:
    write_atomically(path, study_toml(raw, header))
