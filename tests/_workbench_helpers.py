"""Helpers of the workbench tests: studies edited one amount at a time, and re-declared."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from footprint.assessment import assess

# Central differences with a relative step of 1e-4: the result is a ratio of polynomials in any one
# amount, so the truncation error is about (1e-4)^2 = 1e-8 of the elasticity, and rounding adds about
# 1e-16 / 1e-4 = 1e-12: both far inside the 1e-6 the tests ask.
STEP = 1e-4
RELATIVE = 1e-6
ABSOLUTE = 1e-10  # elasticities are dimensionless; below this a difference is rounding of a negligible contribution

_PART = re.compile(r"^(\w+)(?:\[(\d+)\])?$")


def raw_study(path: Path) -> dict[str, Any]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    virgin = raw.get("circular_footprint", {}).get("virgin_study")
    if virgin:
        raw["circular_footprint"]["virgin_study"] = str((path.parent / virgin).resolve())
    return raw


def set_amount(raw: dict[str, Any], process: str | None, field: str, value: float) -> None:
    """Set `field` ("inputs[2].amount", "circular_footprint.recycled_content", ...) of `process` in a raw study."""
    if process is None:
        node: Any = raw
    else:
        node = next(p for p in raw["processes"] if p["id"] == process)
    parts = field.split(".")
    for part in parts[:-1]:
        name, index = _PART.match(part).groups()
        node = node[name] if index is None else node[name][int(index) - 1]
    node[parts[-1]] = value


def write(raw: dict[str, Any], path: Path) -> Path:
    path.write_text(tomli_w.dumps(raw), encoding="utf-8")
    return path


def assess_with(path: Path, tmp: Path, process: str | None, field: str, value: float, *, virgin: bool = False, **kwargs: Any):
    """Re-declare the study with one amount (of it, or of its virgin study) set to `value`."""
    raw = raw_study(path)
    if virgin:
        virgin_raw = raw_study(Path(raw["circular_footprint"]["virgin_study"]))
        set_amount(virgin_raw, process, field, value)
        raw["circular_footprint"]["virgin_study"] = str(write(virgin_raw, tmp / "virgin.toml"))
    else:
        set_amount(raw, process, field, value)
    return assess(write(raw, tmp / "edited.toml"), **kwargs)


def finite_difference(path: Path, tmp: Path, elasticity: Any, base: dict[str, float], **kwargs: Any) -> dict[str, float | None]:
    """Each category's elasticity to one amount by central differences through full re-declarations.

    At a bound of its range (a share of 1, an amount of 0) the difference is one-sided; those
    amounts are linear (the tests check the flag), so one side is exact.
    """
    a, virgin = elasticity.amount, elasticity.study == "virgin study"
    if a == 0:  # d ln g / d ln a is exactly 0 at a = 0
        return {name: (None if value == 0 else 0.0) for name, value in base.items()}
    up, down = a * (1 + STEP), a * (1 - STEP)
    if elasticity.kind == "circular footprint parameter" and up > 1:
        up = a
    high = assess_with(path, tmp, elasticity.process, elasticity.field, up, virgin=virgin, **kwargs).values()
    low = assess_with(path, tmp, elasticity.process, elasticity.field, down, virgin=virgin, **kwargs).values()
    return {name: None if value == 0 else (high[name] - low[name]) / ((up - down) / a) / value for name, value in base.items()}


def agree(exact: float | None, estimate: float | None) -> bool:
    if exact is None or estimate is None:
        return exact is None and estimate is None
    return abs(exact - estimate) <= RELATIVE * max(abs(exact), abs(estimate)) + ABSOLUTE
