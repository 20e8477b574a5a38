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

import datetime as dt
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..errors import FootprintInputError
from ..files import sha256_hex, sha256_parts

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
    digest = sha256_hex(" ".join(name.strip().casefold().split()).encode("utf-8"))
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
            labels = [lab.codes.tobytes() + "\x1f".join(lab.names).encode("utf-8") + b"\x1e" for lab in (self.materials, self.categories, self.units)]
            arrays = [np.ascontiguousarray(a).tobytes() for a in (self.value, self.quantity_t, self.date.astype("int64"), self.uncertainty, self.producers)]
            self._hash_cache["arrays"] = sha256_parts([*labels, *arrays, "\x1f".join(self.producer_ids).encode("utf-8")])
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
