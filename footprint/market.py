"""Market data for performance classes (Annex V Part VIII): declared values on the EU market.

Part VIII sets the classes from "the distribution of declared values of that material placed
on the EU market over the previous three years". Each row here is one declaration: the
material, the impact category, the declared value per declared unit, the quantity placed on
the market in tonnes (so the distribution is one of material, not of paperwork), the date,
a pseudonymous producer id and, optionally, the value's uncertainty.

A declared value is a life-cycle footprint under the cut-off approach (no credits), so it is
never below zero: a negative value is refused, not classed. A declaration counts once: a CSV
that lists the same declaration twice (same declaration_id and category, or an identical row)
is refused, since the copy would weigh twice in the distribution and in the thin-data rules.

Two readers:

* `read_market_csv` reads a CSV a regulator assembles (columns below);
* `read_declarations_folder` reads a folder of Art. 31(7) declaration JSON files plus a CSV
  of quantities, since the declaration itself does not carry the quantity.

Data is held columnar (`MarketData`, numpy arrays) so a million declarations calibrate in a
fraction of a second; `MarketEntry` is the validated single row.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import json
import math
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from footprint.errors import FootprintInputError

DEFAULT_CATEGORY = "climate change"
DEFAULT_UNITS = {"climate change": "kg CO2-Eq per kg"}

CSV_REQUIRED = ("material", "value", "quantity_t", "date", "producer")
NEGATIVE_VALUE = "must not be negative (a life-cycle footprint under the cut-off approach, without credits, is zero or more)"
CSV_OPTIONAL = ("category", "unit", "uncertainty", "declaration_id")


class MarketDataError(FootprintInputError, ValueError):
    """Market data that cannot be used: names the file, the line (or declaration) and the field."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        process: str | None = None,
        field: str | None = None,
        line: int | None = None,
    ) -> None:
        self.line = line
        super().__init__(message, file=file, process=process, field=field)

    def _where(self) -> list[str]:
        # Market data has lines and declarations where studies have processes.
        where = [f"file {self.file}"] if self.file else []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.process:
            where.append(f"declaration {self.process!r}")
        if self.field:
            where.append(f"field {self.field!r}")
        return where


class MarketEntry(BaseModel):
    """One declared value on the market, with the tonnage it stands for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    material: str = Field(min_length=1, description="Material id, e.g. 'lithium-carbonate'.")
    category: str = Field(default=DEFAULT_CATEGORY, min_length=1, description="Impact category.")
    value: float = Field(ge=0, description="Declared impact per declared unit; a life-cycle footprint (cut-off) is never negative.")
    unit: str = Field(default="", description="Unit of the value, e.g. 'kg CO2-Eq per kg'.")
    quantity_t: float = Field(gt=0, description="Tonnes placed on the EU market in the period.")
    date: dt.date = Field(description="Date of the declaration (or of placing on the market).")
    producer: str = Field(min_length=1, description="Pseudonymous producer id.")
    uncertainty: float | None = Field(default=None, ge=0, description="Standard uncertainty, same unit as value.")
    declaration_id: str | None = None

    @field_validator("value", "quantity_t")
    @classmethod
    def _finite(cls, v: float) -> float:
        if not math.isfinite(v):
            raise ValueError("must be a finite number")
        return v

    @field_validator("category")
    @classmethod
    def _category(cls, v: str) -> str:
        return normalise_category(v)


def normalise_category(name: str) -> str:
    """Category names compare case- and space-insensitively ('Climate Change' = 'climate change')."""
    return " ".join(name.strip().lower().split())


def default_unit(category: str) -> str:
    """The unit assumed when a row leaves it blank (only known for climate change)."""
    return DEFAULT_UNITS.get(normalise_category(category), "")


def pseudonymise(name: str) -> str:
    """Stable pseudonymous producer id: the regulator needs to count producers, not name them."""
    digest = hashlib.sha256(" ".join(name.strip().casefold().split()).encode("utf-8")).hexdigest()
    return f"p-{digest[:16]}"


@dataclass(frozen=True)
class Labels:
    """A categorical column: integer codes into a tuple of names (fast to filter and hash)."""

    codes: np.ndarray  # int32
    names: tuple[str, ...]

    @classmethod
    def of(cls, values: Sequence[str] | np.ndarray | str, n: int, field_name: str) -> Labels:
        if isinstance(values, str):
            return cls(np.zeros(n, dtype=np.int32), (values,))
        arr = np.asarray(values, dtype=object)
        if arr.shape[0] != n:
            raise MarketDataError(f"has {arr.shape[0]} entries but there are {n} values", field=field_name)
        index: dict[str, int] = {}
        codes = np.fromiter((index.setdefault(str(v), len(index)) for v in arr.tolist()), dtype=np.int32, count=n)
        return cls(codes, tuple(index))

    def take(self, mask: np.ndarray) -> Labels:
        return Labels(self.codes[mask], self.names)

    def equals(self, name: str) -> np.ndarray:
        if name not in self.names:
            return np.zeros(self.codes.shape[0], dtype=bool)
        return self.codes == self.names.index(name)

    def present(self) -> list[str]:
        counts = np.bincount(self.codes, minlength=len(self.names)) if self.codes.shape[0] else np.zeros(0, int)
        return sorted(self.names[i] for i in np.flatnonzero(counts).tolist())

    def decoded(self) -> np.ndarray:
        return np.asarray(self.names, dtype=object)[self.codes] if self.names else np.empty(0, dtype=object)


@dataclass(frozen=True)
class MarketData:
    """Columnar market data (one row per declaration).

    Material, category, unit and producer are categorical columns (codes into names); the
    uncertainty is NaN where not given. `source_sha256`/`source_bytes` describe the file(s)
    read, so a class table cites its input by hash; for data built in memory they are
    computed from the arrays. A subset keeps citing the data it was cut from.
    """

    materials: Labels
    categories: Labels
    units: Labels
    value: np.ndarray  # float64
    quantity_t: np.ndarray  # float64
    date: np.ndarray  # datetime64[D]
    producers: np.ndarray  # int64 codes into producer_ids
    producer_ids: tuple[str, ...]
    uncertainty: np.ndarray  # float64, NaN = not given
    source: str = "<memory>"
    source_sha256: str | None = None
    source_bytes: int | None = None
    _root: MarketData | None = field(default=None, compare=False, repr=False)
    _hash_cache: dict[str, str] = field(default_factory=dict, compare=False, repr=False, init=False)

    def __len__(self) -> int:
        return int(self.value.shape[0])

    @property
    def material(self) -> np.ndarray:
        return self.materials.decoded()

    @property
    def category(self) -> np.ndarray:
        return self.categories.decoded()

    @property
    def unit(self) -> np.ndarray:
        return self.units.decoded()

    @property
    def sha256(self) -> str:
        """Hash of the input file(s), or of the canonical arrays for in-memory data."""
        if self.source_sha256:
            return self.source_sha256
        if self._root is not None:
            return self._root.sha256
        if "arrays" not in self._hash_cache:
            h = hashlib.sha256()
            for lab in (self.materials, self.categories, self.units):
                h.update(lab.codes.tobytes() + "\x1f".join(lab.names).encode("utf-8") + b"\x1e")
            for arr in (self.value, self.quantity_t, self.date.astype("int64"), self.uncertainty, self.producers):
                h.update(np.ascontiguousarray(arr).tobytes())
            h.update("\x1f".join(self.producer_ids).encode("utf-8"))
            self._hash_cache["arrays"] = h.hexdigest()
        return self._hash_cache["arrays"]

    @property
    def size_bytes(self) -> int:
        """Size of the input file(s), or of the numeric arrays for in-memory data."""
        if self.source_bytes is not None:
            return self.source_bytes
        if self._root is not None:
            return self._root.size_bytes
        return int(sum(a.nbytes for a in (self.value, self.quantity_t, self.date, self.producers, self.uncertainty)))

    def subset(self, mask: np.ndarray) -> MarketData:
        """Rows where mask is true; still cites the data it was cut from."""
        if bool(mask.all()):
            return self
        return MarketData(
            materials=self.materials.take(mask),
            categories=self.categories.take(mask),
            units=self.units.take(mask),
            value=self.value[mask],
            quantity_t=self.quantity_t[mask],
            date=self.date[mask],
            producers=self.producers[mask],
            producer_ids=self.producer_ids,
            uncertainty=self.uncertainty[mask],
            source=self.source,
            source_sha256=self.source_sha256,
            source_bytes=self.source_bytes,
            _root=self._root or self,
        )

    def select(self, material: str, category: str = DEFAULT_CATEGORY) -> MarketData:
        """The rows of one material and impact category."""
        return self.subset(self.materials.equals(material) & self.categories.equals(normalise_category(category)))

    def between(self, start: dt.date, end: dt.date) -> MarketData:
        """Rows dated start..end, both inclusive."""
        lo, hi = np.datetime64(start, "D"), np.datetime64(end, "D")
        return self.subset((self.date >= lo) & (self.date <= hi))

    def n_producers(self) -> int:
        """Distinct producers (a bincount over the codes: O(n), no sort)."""
        return int(np.count_nonzero(np.bincount(self.producers))) if len(self) else 0

    def entries(self) -> Iterator[MarketEntry]:
        """Rows as validated models (slow for millions of rows; for inspection and tests)."""
        mats, cats, units = self.material, self.category, self.unit
        for i in range(len(self)):
            u = float(self.uncertainty[i])
            yield MarketEntry(
                material=str(mats[i]),
                category=str(cats[i]),
                unit=str(units[i]),
                value=float(self.value[i]),
                quantity_t=float(self.quantity_t[i]),
                date=self.date[i].astype(dt.date),
                producer=self.producer_ids[int(self.producers[i])],
                uncertainty=None if math.isnan(u) else u,
            )

    @classmethod
    def from_arrays(
        cls,
        *,
        material: str | Sequence[str],
        value: Sequence[float] | np.ndarray,
        quantity_t: Sequence[float] | np.ndarray | float,
        date: Sequence[dt.date] | np.ndarray | dt.date,
        producer: Sequence[str] | Sequence[int] | np.ndarray,
        category: str | Sequence[str] = DEFAULT_CATEGORY,
        unit: str | Sequence[str] | None = None,
        uncertainty: Sequence[float] | np.ndarray | float | None = None,
        source: str = "<memory>",
    ) -> MarketData:
        """Build market data from arrays (simulations, benchmarks); validates like the readers.

        Producers are pseudonymous ids (strings) or integers (named 'p<integer>').
        """
        values = np.asarray(value, dtype=np.float64)
        n = values.shape[0]
        quantities = _broadcast(np.asarray(quantity_t, dtype=np.float64), n, "quantity_t")
        dates = _broadcast(np.asarray(date, dtype="datetime64[D]"), n, "date")
        if isinstance(category, str):
            cats = Labels.of(normalise_category(category), n, "category")
        else:
            cats = Labels.of([normalise_category(c) for c in category], n, "category")
        if unit is None:
            names = tuple(default_unit(c) for c in cats.names)
            units = Labels(cats.codes.copy(), names)
        else:
            units = Labels.of(unit, n, "unit")
        unc = np.full(n, np.nan) if uncertainty is None else _broadcast(np.asarray(uncertainty, dtype=np.float64), n, "uncertainty")
        prod_arr = np.asarray(producer)
        if prod_arr.shape[0] != n:
            raise MarketDataError(f"has {prod_arr.shape[0]} entries but there are {n} values", field="producer")
        ids_arr, inverse = np.unique(prod_arr if prod_arr.dtype.kind in "iu" else prod_arr.astype(str), return_inverse=True)
        prefix = "p" if prod_arr.dtype.kind in "iu" else ""
        ids, codes = tuple(f"{prefix}{x}" for x in ids_arr.tolist()), inverse.astype(np.int64).reshape(-1)
        data = cls(
            materials=Labels.of(material, n, "material"),
            categories=cats,
            units=units,
            value=values,
            quantity_t=quantities,
            date=dates,
            producers=codes,
            producer_ids=ids,
            uncertainty=unc,
            source=source,
        )
        _check_arrays(data)
        return data

    @classmethod
    def from_entries(cls, entries: Iterable[MarketEntry], *, source: str = "<memory>") -> MarketData:
        rows = list(entries)
        return cls.from_arrays(
            material=[e.material for e in rows],
            category=[e.category for e in rows],
            unit=[e.unit or default_unit(e.category) for e in rows],
            value=[e.value for e in rows],
            quantity_t=[e.quantity_t for e in rows],
            date=np.asarray([e.date for e in rows], dtype="datetime64[D]"),
            producer=np.asarray([e.producer for e in rows], dtype=str),
            uncertainty=[np.nan if e.uncertainty is None else e.uncertainty for e in rows],
            source=source,
        )


def _broadcast(arr: np.ndarray, n: int, name: str) -> np.ndarray:
    if arr.ndim == 0:
        return np.full(n, arr[()], dtype=arr.dtype)
    if arr.shape[0] != n:
        raise MarketDataError(f"has {arr.shape[0]} entries but there are {n} values", field=name)
    return arr


def _check_arrays(data: MarketData) -> None:
    """Array-wide validation, naming the first offending row."""
    checks = (
        ("value", ~np.isfinite(data.value), "must be a finite number"),
        ("value", data.value < 0, NEGATIVE_VALUE),
        ("quantity_t", ~(np.isfinite(data.quantity_t) & (data.quantity_t > 0)), "must be a positive number of tonnes"),
        ("uncertainty", (data.uncertainty < 0), "must not be negative"),
        ("date", np.isnat(data.date), "must be an ISO date"),
    )
    for name, bad, message in checks:
        idx = np.flatnonzero(bad)
        if idx.size:
            raise MarketDataError(f"{message} (row {int(idx[0])}, {idx.size} rows affected)", file=data.source, field=name)
    _check_total(data)


def _check_total(data: MarketData) -> None:
    """The tonnes must add up to a finite number: they are the weights of the distribution."""
    with np.errstate(over="ignore"):
        total = float(data.quantity_t.sum())
    if len(data) and not math.isfinite(total):
        raise MarketDataError(
            f"the quantities add up to more than the largest number a float holds, so the volume weights "
            f"overflow (largest: {float(data.quantity_t.max()):g} t); give the tonnes placed on the market",
            file=data.source, field="quantity_t",
        )


# --- CSV ---------------------------------------------------------------------------------


def _file_digest(paths: Sequence[Path]) -> tuple[str, int]:
    """sha256 over the files' bytes (names included when several), and their total size."""
    h = hashlib.sha256()
    size = 0
    for p in paths:
        blob = p.read_bytes()
        size += len(blob)
        if len(paths) > 1:
            h.update(p.name.encode("utf-8") + b"\0")
        h.update(blob)
    return h.hexdigest(), size


def _parse_float(text: str, *, file: Path, line: int, field_name: str, required: bool = True) -> float:
    text = text.strip()
    if not text:
        if required:
            raise MarketDataError("is empty", file=file, line=line, field=field_name)
        return math.nan
    try:
        x = float(text)
    except ValueError:
        raise MarketDataError(f"{text!r} is not a number", file=file, line=line, field=field_name) from None
    if not math.isfinite(x):
        raise MarketDataError(f"{text!r} is not a finite number", file=file, line=line, field=field_name)
    return x


def _parse_date(text: str, *, file: Path, line: int, field_name: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise MarketDataError(f"{text!r} is not an ISO date (YYYY-MM-DD)", file=file, line=line, field=field_name) from None


def read_market_csv(path: str | Path) -> MarketData:
    """Read declared values from a CSV.

    Columns (header names, any order): material, value, quantity_t, date, producer (required);
    category (default 'climate change'), unit (default 'kg CO2-Eq per kg' for climate change),
    uncertainty (standard uncertainty, same unit as value), declaration_id (optional). Values are
    zero or more, and each declaration (id and category, else the whole row) appears once.
    """
    path = Path(path)
    if not path.is_file():
        raise MarketDataError("market data file not found", file=path)
    digest, size = _file_digest([path])
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        try:
            header = [h.strip().lower() for h in next(reader)]
        except StopIteration:
            raise MarketDataError("the file is empty (no header row)", file=path, line=1) from None
        missing = [c for c in CSV_REQUIRED if c not in header]
        if missing:
            raise MarketDataError(f"missing column(s) {', '.join(missing)}", file=path, line=1, field=missing[0])
        col = {name: header.index(name) for name in (*CSV_REQUIRED, *CSV_OPTIONAL) if name in header}
        cols: dict[str, list] = {k: [] for k in ("material", "category", "unit", "value", "quantity_t", "date", "producer", "uncertainty")}
        seen: dict[tuple, int] = {}
        repeats: list[tuple[int, int, tuple]] = []
        for line, row in enumerate(reader, start=2):
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) < len(header):
                row = row + [""] * (len(header) - len(row))
            _read_csv_row(row, col, cols, file=path, line=line)
            key = _declaration_key(row, col, cols)
            first = seen.setdefault(key, line)
            if first != line:
                repeats.append((line, first, key))
    if not cols["value"]:
        raise MarketDataError("no data rows", file=path, line=2)
    _refuse_repeats(repeats, path)
    data = MarketData.from_arrays(
        material=np.asarray(cols["material"], dtype=object),
        category=cols["category"],
        unit=np.asarray(cols["unit"], dtype=object),
        value=cols["value"],
        quantity_t=cols["quantity_t"],
        date=np.asarray(cols["date"], dtype="datetime64[D]"),
        producer=np.asarray(cols["producer"], dtype=str),
        uncertainty=cols["uncertainty"],
        source=str(path),
    )
    return _with_source(data, digest, size)


def _read_csv_row(row: list[str], col: dict[str, int], out: dict[str, list], *, file: Path, line: int) -> None:
    """Validate one CSV row into the column lists; errors name file, line and field."""
    material = row[col["material"]].strip()
    if not material:
        raise MarketDataError("is empty", file=file, line=line, field="material")
    producer = row[col["producer"]].strip()
    if not producer:
        raise MarketDataError("is empty", file=file, line=line, field="producer")
    category = normalise_category(row[col["category"]]) if "category" in col and row[col["category"]].strip() else DEFAULT_CATEGORY
    unit = row[col["unit"]].strip() if "unit" in col else ""
    value = _parse_float(row[col["value"]], file=file, line=line, field_name="value")
    if value < 0:
        raise MarketDataError(f"{NEGATIVE_VALUE}, got {value:g}", file=file, line=line, field="value")
    quantity = _parse_float(row[col["quantity_t"]], file=file, line=line, field_name="quantity_t")
    if quantity <= 0:
        raise MarketDataError(f"must be a positive number of tonnes, got {quantity}", file=file, line=line, field="quantity_t")
    unc = math.nan
    if "uncertainty" in col:
        unc = _parse_float(row[col["uncertainty"]], file=file, line=line, field_name="uncertainty", required=False)
        if unc < 0:
            raise MarketDataError(f"must not be negative, got {unc}", file=file, line=line, field="uncertainty")
    out["material"].append(material)
    out["category"].append(category)
    out["unit"].append(unit or default_unit(category))
    out["value"].append(value)
    out["quantity_t"].append(quantity)
    out["date"].append(_parse_date(row[col["date"]], file=file, line=line))
    out["producer"].append(producer)
    out["uncertainty"].append(unc)


def _declaration_key(row: list[str], col: dict[str, int], out: dict[str, list]) -> tuple:
    """What makes two CSV rows one declaration: its id and category when given, else every value.

    Keyed on the parsed values (the row just appended to `out`), so '2.0' and '2.00' match.
    """
    did = row[col["declaration_id"]].strip() if "declaration_id" in col else ""
    if did:
        return ("declaration_id", did, out["category"][-1])
    unc = out["uncertainty"][-1]
    values = tuple(out[k][-1] for k in ("material", "category", "unit", "value", "quantity_t", "date", "producer"))
    return ("row", *values, None if math.isnan(unc) else unc)


def _refuse_repeats(repeats: list[tuple[int, int, tuple]], file: Path) -> None:
    """A declaration counts once: a repeated one would weigh twice and pad the thin-data counts."""
    if not repeats:
        return
    line, _, key = repeats[0]
    shown = "; ".join(_repeat(a, b, k) for a, b, k in repeats[:5])
    more = f" (and {len(repeats) - 5} more)" if len(repeats) > 5 else ""
    raise MarketDataError(
        f"{len(repeats)} duplicate declaration row(s): {shown}{more}. Each declaration counts once; remove the repeats",
        file=file, line=line, field="declaration_id" if key[0] == "declaration_id" else None,
    )


def _repeat(line: int, first: int, key: tuple) -> str:
    if key[0] == "declaration_id":
        return f"line {line} repeats declaration {key[1]!r} ({key[2]}) of line {first}"
    return f"line {line} repeats line {first}"


def _with_source(data: MarketData, digest: str, size: int) -> MarketData:
    """The same rows, citing the file(s) they were read from."""
    return dataclasses.replace(data, source_sha256=digest, source_bytes=size)


def write_market_csv(data: MarketData, path: str | Path) -> None:
    """Write market data in the CSV layout `read_market_csv` reads (simulations, exports)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["material", "category", "value", "unit", "quantity_t", "date", "producer", "uncertainty"])
        mats, cats, units = data.material, data.category, data.unit
        for i in range(len(data)):
            u = float(data.uncertainty[i])
            w.writerow([
                mats[i], cats[i], repr(float(data.value[i])), units[i],
                repr(float(data.quantity_t[i])), str(data.date[i]), data.producer_ids[int(data.producers[i])],
                "" if math.isnan(u) else repr(u),
            ])
    os.replace(tmp, path)


# --- declaration files ---------------------------------------------------------------------


def _read_quantities(path: Path) -> dict[str, float]:
    """declaration_id -> tonnes placed on the market, from a two-column CSV."""
    if not path.is_file():
        raise MarketDataError("quantities file not found", file=path)
    out: dict[str, float] = {}
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = [h.strip().lower() for h in next(reader, [])]
        for name in ("declaration_id", "quantity_t"):
            if name not in header:
                raise MarketDataError(f"missing column {name}", file=path, line=1, field=name)
        i_id, i_q = header.index("declaration_id"), header.index("quantity_t")
        for line, row in enumerate(reader, start=2):
            if not row or all(not c.strip() for c in row):
                continue
            row = row + [""] * (len(header) - len(row))
            did = row[i_id].strip()
            if not did:
                raise MarketDataError("is empty", file=path, line=line, field="declaration_id")
            if did in out:
                raise MarketDataError(f"declaration {did!r} is listed twice", file=path, line=line, field="declaration_id")
            q = _parse_float(row[i_q], file=path, line=line, field_name="quantity_t")
            if q <= 0:
                raise MarketDataError(f"must be a positive number of tonnes, got {q}", file=path, line=line, field="quantity_t")
            out[did] = q
    return out


def _get(doc: dict, dotted: str, *, file: Path) -> object:
    cur: object = doc
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            raise MarketDataError("is missing", file=file, field=dotted)
        cur = cur[part]
    return cur


def read_declarations_folder(folder: str | Path, quantities_csv: str | Path) -> MarketData:
    """Read every *.json declaration in a folder; quantities come from a separate CSV.

    Each declaration contributes one row per impact category it declares. The producer id is a
    pseudonym of the operator (its "id" if given, else its name). A declaration without a
    quantity, or a quantity without a declaration, is an error: the weights must be complete.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise MarketDataError("declarations folder not found", file=folder)
    files = sorted(folder.glob("*.json"))
    if not files:
        raise MarketDataError("no *.json declaration files in the folder", file=folder)
    qpath = Path(quantities_csv)
    quantities = _read_quantities(qpath)
    digest, size = _file_digest([*files, qpath])
    rows: list[MarketEntry] = []
    seen: set[str] = set()
    for f in files:
        rows.extend(_declaration_rows(f, quantities, seen))
    unused = sorted(set(quantities) - seen)
    if unused:
        raise MarketDataError(f"quantity given for declaration(s) not in the folder: {', '.join(unused[:5])}", file=qpath, field="declaration_id")
    data = MarketData.from_entries(rows, source=str(folder))
    return _with_source(data, digest, size)


def _declaration_rows(f: Path, quantities: dict[str, float], seen: set[str]) -> list[MarketEntry]:
    try:
        doc = json.loads(f.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MarketDataError(f"not a readable JSON declaration ({exc})", file=f) from None
    if not isinstance(doc, dict):
        raise MarketDataError("not a JSON object", file=f)
    did = str(_get(doc, "declaration_id", file=f))
    if did in seen:
        raise MarketDataError(f"declaration id {did!r} appears in two files", file=f, field="declaration_id")
    seen.add(did)
    if did not in quantities:
        raise MarketDataError("no quantity_t for this declaration in the quantities CSV", file=f, process=did, field="declaration_id")
    issue = _get(doc, "issue_date", file=f)
    try:
        date = dt.date.fromisoformat(str(issue)[:10])
    except ValueError:
        raise MarketDataError(f"{issue!r} is not an ISO date", file=f, process=did, field="issue_date") from None
    material = str(_get(doc, "material.id", file=f))
    operator = _get(doc, "operator", file=f)
    if not isinstance(operator, dict) or not (operator.get("id") or operator.get("name")):
        raise MarketDataError("needs a name (or id)", file=f, process=did, field="operator.name")
    producer = pseudonymise(str(operator.get("id") or operator.get("name")))
    results = _get(doc, "footprint", file=f)
    if not isinstance(results, list) or not results:
        raise MarketDataError("must be a non-empty list of results", file=f, process=did, field="footprint")
    declared_unit = _declared_unit(doc)
    rows = []
    for i, item in enumerate(results):
        where = f"footprint[{i}]"
        if not isinstance(item, dict):
            raise MarketDataError("must be an object", file=f, process=did, field=where)
        try:
            value = float(item["value"])
            category = str(item["category"])
        except (KeyError, TypeError, ValueError):
            raise MarketDataError("needs a category and a numeric value", file=f, process=did, field=where) from None
        if value < 0:
            raise MarketDataError(f"{NEGATIVE_VALUE}, got {value:g}", file=f, process=did, field=f"{where}.value")
        unit = str(item.get("unit") or default_unit(category))
        if unit and " per " not in unit:
            unit = f"{unit} per {declared_unit}"
        unc = item.get("uncertainty")
        try:
            rows.append(MarketEntry(
                material=material, category=category, value=value, unit=unit,
                quantity_t=quantities[did], date=date, producer=producer,
                uncertainty=None if unc is None else float(unc), declaration_id=did,
            ))
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(x) for x in (where, *err["loc"]))
            raise MarketDataError(err["msg"], file=f, process=did, field=loc) from None
        except (ValueError, TypeError) as exc:
            raise MarketDataError(str(exc).splitlines()[0], file=f, process=did, field=where) from None
    return rows


def _declared_unit(doc: dict) -> str:
    """'kg' unless the declaration states another declared unit (Annex V Part III allows it)."""
    du = doc.get("declared_unit") or (doc.get("material") or {}).get("declared_unit")
    if isinstance(du, dict):
        amount, unit = du.get("amount", 1), du.get("unit", "kg")
        return unit if float(amount) == 1 else f"{amount:g} {unit}"
    return str(du) if du else "kg"


def read_sources_column(path: str | Path) -> list[str]:
    """Distinct entries of an optional `source` column (provisional, literature-based markets cite these)."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or "source" not in [f.strip().lower() for f in reader.fieldnames]:
            return []
        key = next(f for f in reader.fieldnames if f.strip().lower() == "source")
        out: list[str] = []
        for row in reader:
            for part in (row.get(key) or "").split(";"):
                part = part.strip()
                if part and part not in out:
                    out.append(part)
    return out
