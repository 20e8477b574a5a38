"""The one class lookup: which table is in force, and which class a value falls in.

`class_indices` is the boundary rule in code (a value on a threshold goes to the better
class); every assignment, share and probability in footprint goes through it.
`find_class_table` is the one answer to "which table classes this material on this date"
(the material plugin's, else the shipped `classes/` folder): `declare`, `verify`,
`uncertainty` and the CLI all ask it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import FootprintInputError
from ..paths import shipped
from .market import DEFAULT_CATEGORY, NEGATIVE_VALUE, MarketData, normalise_category
from .table import LETTERS, CalibrationError, ClassTable, NoTableInForce, SeveralTablesInForce, load_class_table


def class_indices(thresholds: Sequence[float], values: Any) -> np.ndarray:
    """Class index (0 = A) of each value: a value equal to a threshold belongs to the better class."""
    return np.searchsorted(np.asarray(thresholds, dtype=np.float64), np.asarray(values, dtype=np.float64), side="left")


def assign_class(table: ClassTable, value: float) -> str:
    """Class letter of a declared value under `BOUNDARY_RULE` (threshold -> the better class)."""
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        raise CalibrationError(f"cannot class {value!r}: a declared value must be a finite number", field="value")
    if value < 0:
        raise CalibrationError(f"cannot class {value:g}: a declared value {NEGATIVE_VALUE}, so no class applies", field="value")
    return LETTERS[int(class_indices(table.thresholds, float(value)))]


def class_shares(table: ClassTable, market: MarketData, *, weighted: bool = True) -> list[float]:
    """Share of the market (volume, or count if unweighted) falling in each class of `table`."""
    if not len(market):
        return [0.0] * len(table.bands)
    w = market.quantity_t if weighted else np.ones(len(market))
    vol = np.bincount(class_indices(table.thresholds, market.value), weights=w, minlength=len(table.bands))
    return [float(x) for x in vol / vol.sum()]


def default_folder() -> Path:
    return shipped("classes")


def list_tables(material: str, folders: Path | Sequence[Path] | None = None) -> list[tuple[Path, ClassTable]]:
    """Every table of a material in the given folders (default: the shipped `classes/`)."""
    if folders is None:
        folders = [default_folder()]
    elif isinstance(folders, (str, Path)):
        folders = [Path(folders)]
    out = []
    for folder in folders:
        for p in sorted((Path(folder) / material).glob("*.toml")):
            table = load_class_table(p)
            if table.material != material:
                raise FootprintInputError(f"table is for {table.material!r} but sits in the folder of {material!r}", file=p, field="material")
            out.append((p, table))
    return out


def class_probabilities(values: Any, thresholds: Sequence[float], labels: Sequence[str] | None = None) -> dict[str, float]:
    """Share of `values` in each class (e.g. Monte Carlo iterations), under the boundary rule."""
    values = np.asarray(values, dtype=np.float64)
    labels = list(labels) if labels is not None else list(LETTERS[: len(thresholds) + 1])
    counts = np.bincount(class_indices(thresholds, values), minlength=len(thresholds) + 1)
    return {label: float(c) / max(len(values), 1) for label, c in zip(labels, counts)}


@dataclass(frozen=True)
class TableChoice:
    """The table that classes a material on a date, where it came from, or why there is none."""

    table: ClassTable | None
    origin: str
    missing: str | None = None


def class_table_for(
    material: str,
    on_date: dt.date,
    *,
    registry: Any | None = None,
    folders: Path | Sequence[Path] | None = None,
    category: str = DEFAULT_CATEGORY,
    given: ClassTable | Path | str | None = None,
) -> TableChoice:
    """The one lookup: a given table (object or file), else the material plugin's (when no
    folders are named), else the table in force in the folders (default: the shipped
    `classes/`). What `declare` classes with, so `verify`, `uncertainty` and the CLI use it too.
    """
    cat = normalise_category(category)
    if given is not None:
        table = given if isinstance(given, ClassTable) else load_class_table(given)
        origin = "given" if isinstance(given, ClassTable) else str(given)
        if table.material != material:
            raise FootprintInputError(f"the class table is for {table.material!r}, not {material!r}", file=origin, field="material")
    else:
        table = registry.class_table(material, on_date) if registry is not None and folders is None else None
        origin = "material plugin"
        if table is not None and table.category != cat:
            table = None
        if table is None:
            try:
                table = table_in_force(material, on_date, folders, category=cat)
            except NoTableInForce as exc:
                return TableChoice(None, "", exc.message)
            origin = "shipped classes/" if folders is None else "class folder"
    if table.category != cat:
        raise FootprintInputError(
            f"{origin} classes {table.category}, not {cat}: give --category {table.category!r} for a value of that category",
            field="category",
        )
    return TableChoice(table, origin)


def find_class_table(registry: Any | None, material: str, on_date: dt.date, folders: Path | Sequence[Path] | None = None) -> ClassTable | None:
    """The climate-change table `class_table_for` finds, or None."""
    return class_table_for(material, on_date, registry=registry, folders=folders).table


def table_in_force(material: str, on_date: dt.date, folder: Path | Sequence[Path] | None = None, *, category: str = DEFAULT_CATEGORY) -> ClassTable:
    """The table in force for a material on a date: valid on that date, definitive before provisional.

    A definitive table (calibrated on declarations) replaces a provisional one for the same
    dates. Two tables of the same standing in force on one date are an error naming both
    files: a class must not depend on which file the folder listing happens to give first.
    """
    cat = normalise_category(category)
    tables = [(p, t) for p, t in list_tables(material, folder) if t.category == cat]
    valid = [(p, t) for p, t in tables if t.in_force(on_date)]
    if not valid:
        known = ", ".join(f"{t.period}{' (provisional)' if t.provisional else ''}" for _, t in tables) or "none"
        raise NoTableInForce(f"no {cat} class table for {material!r} is in force on {on_date} (tables: {known})", field="material")
    chosen = [(p, t) for p, t in valid if not t.provisional] or valid
    if len(chosen) > 1:
        standing = "provisional" if chosen[0][1].provisional else "definitive"
        others = ", ".join(str(p) for p, _ in chosen[1:])
        raise SeveralTablesInForce(
            f"another {standing} {cat} class table for {material!r} is in force on {on_date} too: {others}. "
            "Only one table may apply on a date: withdraw the others (remove them or end their validity)",
            file=chosen[0][0], field="valid_from",
        )
    return chosen[0][1]
