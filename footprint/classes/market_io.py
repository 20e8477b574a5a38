"""Reading and writing market data: the regulator's CSV and folders of declarations.

* `read_market_csv` reads a CSV a regulator assembles (or the registry exports);
* `read_declarations_folder` reads a folder of Art. 31(7) declaration JSON files plus a CSV
  of quantities, since the declaration itself does not carry the quantity.

Every file is read within footprint's size bound and must be UTF-8; a CSV row with more
fields than the header, or a field the csv module refuses, is an error naming the line.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import math
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
from pydantic import ValidationError

from ..errors import FootprintInputError, from_validation_error
from ..files import decode_text, parse_json_text, read_bytes_bounded, sha256_parts, write_atomically
from .market import (
    CSV_OPTIONAL,
    CSV_REQUIRED,
    DEFAULT_CATEGORY,
    NEGATIVE_VALUE,
    MarketData,
    MarketDataError,
    MarketEntry,
    default_unit,
    normalise_category,
    pseudonymise,
)

# The longest field a market CSV may hold (a declaration id, a producer name, a source list).
MAX_CSV_FIELD = 10_000


def _read(path: Path, what: str) -> bytes:
    try:
        return read_bytes_bounded(path, what=what)
    except FootprintInputError as exc:
        raise MarketDataError(exc.message, file=path) from None


def _text(data: bytes, path: Path, what: str) -> str:
    try:
        return decode_text(data, path=path, what=what).removeprefix("\ufeff")
    except FootprintInputError as exc:
        raise MarketDataError(exc.message, file=path) from None


def csv_rows(path: Path, text: str) -> Iterator[tuple[int, list[str]]]:
    """(line, fields) of each CSV row, the header first; csv's own refusals become located errors."""
    previous = csv.field_size_limit()
    csv.field_size_limit(MAX_CSV_FIELD)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise MarketDataError(f"not readable as CSV ({exc}; fields are limited to {MAX_CSV_FIELD:,} characters)", file=path, line=reader.line_num) from None
            yield reader.line_num, row
    finally:
        csv.field_size_limit(previous)


def _fit(row: list[str], header: list[str], *, file: Path, line: int) -> list[str]:
    """Pad a short row; refuse a row with more fields than the header (a shifted or stray column)."""
    if len(row) > len(header) and any(c.strip() for c in row[len(header):]):
        raise MarketDataError(f"the row has {len(row)} fields but the header has {len(header)}", file=file, line=line)
    return (row + [""] * (len(header) - len(row)))[: len(header)]


def _file_digest(blobs: Sequence[tuple[Path, bytes]]) -> tuple[str, int]:
    """sha256 over the files' bytes (names included when several), and their total size."""
    several = len(blobs) > 1
    parts = [part for p, blob in blobs for part in ((p.name.encode("utf-8") + b"\0") if several else b"", blob)]
    return sha256_parts(parts), sum(len(blob) for _, blob in blobs)


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
    data = _read(path, "market data file")
    digest, size = _file_digest([(path, data)])
    rows = csv_rows(path, _text(data, path, "market data file"))
    try:
        _, first = next(rows)
    except StopIteration:
        raise MarketDataError("the file is empty (no header row)", file=path, line=1) from None
    header = [h.strip().lower() for h in first]
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        raise MarketDataError(f"missing column(s) {', '.join(missing)}", file=path, line=1, field=missing[0])
    col = {name: header.index(name) for name in (*CSV_REQUIRED, *CSV_OPTIONAL) if name in header}
    cols: dict[str, list] = {k: [] for k in ("material", "category", "unit", "value", "quantity_t", "date", "producer", "uncertainty")}
    seen: dict[tuple, int] = {}
    repeats: list[tuple[int, int, tuple]] = []
    for line, row in rows:
        if not row or all(not c.strip() for c in row):
            continue
        row = _fit(row, header, file=path, line=line)
        _read_csv_row(row, col, cols, file=path, line=line)
        key = _declaration_key(row, col, cols)
        first_line = seen.setdefault(key, line)
        if first_line != line:
            repeats.append((line, first_line, key))
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
    write_atomically(path, market_csv_text(data))


def market_csv_text(data: MarketData, declaration_ids: Sequence[str] | None = None) -> str:
    """The CSV text `write_market_csv` writes. The registry serves it too, with `declaration_ids`
    (one per row), written as the optional declaration_id column the reader uses to refuse repeats."""
    if declaration_ids is not None and len(declaration_ids) != len(data):
        raise ValueError(f"{len(declaration_ids)} declaration ids for {len(data)} rows")
    buffer = io.StringIO(newline="")
    w = csv.writer(buffer, lineterminator="\n")
    w.writerow(["material", "category", "value", "unit", "quantity_t", "date", "producer", "uncertainty", *(["declaration_id"] if declaration_ids is not None else [])])
    mats, cats, units = data.material, data.category, data.unit
    for i in range(len(data)):
        u = float(data.uncertainty[i])
        w.writerow([
            mats[i], cats[i], repr(float(data.value[i])), units[i],
            repr(float(data.quantity_t[i])), str(data.date[i]), data.producer_ids[int(data.producers[i])],
            "" if math.isnan(u) else repr(u), *([declaration_ids[i]] if declaration_ids is not None else []),
        ])
    return buffer.getvalue()


# --- declaration files ---------------------------------------------------------------------


def _read_quantities(path: Path) -> tuple[dict[str, float], bytes]:
    """declaration_id -> tonnes placed on the market, from a two-column CSV (and the file's bytes)."""
    data = _read(path, "quantities file")
    out: dict[str, float] = {}
    rows = csv_rows(path, _text(data, path, "quantities file"))
    header = [h.strip().lower() for h in next(rows, (1, []))[1]]
    for name in ("declaration_id", "quantity_t"):
        if name not in header:
            raise MarketDataError(f"missing column {name}", file=path, line=1, field=name)
    i_id, i_q = header.index("declaration_id"), header.index("quantity_t")
    for line, row in rows:
        if not row or all(not c.strip() for c in row):
            continue
        row = _fit(row, header, file=path, line=line)
        did = row[i_id].strip()
        if not did:
            raise MarketDataError("is empty", file=path, line=line, field="declaration_id")
        if did in out:
            raise MarketDataError(f"declaration {did!r} is listed twice", file=path, line=line, field="declaration_id")
        q = _parse_float(row[i_q], file=path, line=line, field_name="quantity_t")
        if q <= 0:
            raise MarketDataError(f"must be a positive number of tonnes, got {q}", file=path, line=line, field="quantity_t")
        out[did] = q
    return out, data


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
    quantities, qdata = _read_quantities(qpath)
    blobs = [(f, _read(f, "declaration")) for f in files]
    digest, size = _file_digest([*blobs, (qpath, qdata)])
    rows: list[MarketEntry] = []
    seen: set[str] = set()
    for f, blob in blobs:
        rows.extend(_declaration_rows(f, blob, quantities, seen))
    unused = sorted(set(quantities) - seen)
    if unused:
        raise MarketDataError(f"quantity given for declaration(s) not in the folder: {', '.join(unused[:5])}", file=qpath, field="declaration_id")
    data = MarketData.from_entries(rows, source=str(folder))
    return _with_source(data, digest, size)


def _declaration_rows(f: Path, blob: bytes, quantities: dict[str, float], seen: set[str]) -> list[MarketEntry]:
    """One row per declared category of an Art. 31(7) declaration (footprint's declaration.json)."""
    try:
        doc = parse_json_text(_text(blob, f, "declaration"), path=f, what="declaration")
    except FootprintInputError as exc:
        raise MarketDataError(exc.message, file=f) from None
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
    name = _get(doc, "responsible_person.name", file=f)
    if not isinstance(name, str) or not name.strip():
        raise MarketDataError("needs the responsible person's name", file=f, process=did, field="responsible_person.name")
    producer = pseudonymise(name)
    results = _get(doc, "footprint.categories", file=f)
    if not isinstance(results, list) or not results:
        raise MarketDataError("must be a non-empty list of results", file=f, process=did, field="footprint.categories")
    declared_unit = _declared_unit(doc)
    rows = []
    for i, item in enumerate(results):
        where = f"footprint.categories[{i + 1}]"
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
            raise from_validation_error(exc, file=f, process=did, prefix=(where,), error=MarketDataError) from None
        except (ValueError, TypeError) as exc:
            raise MarketDataError(str(exc).splitlines()[0], file=f, process=did, field=where) from None
    return rows


def _declared_unit(doc: dict) -> str:
    """'kg' unless the declaration states another declared unit (Annex V Part III allows it)."""
    kg = (doc.get("footprint") or {}).get("declared_unit_kg", 1)
    try:
        kg = float(kg)
    except (TypeError, ValueError):
        kg = 1.0
    return "kg" if kg == 1 else f"{kg:g} kg"


def read_sources_column(path: str | Path) -> list[str]:
    """Distinct entries of an optional `source` column (provisional, literature-based markets cite these)."""
    path = Path(path)
    rows = csv_rows(path, _text(_read(path, "market data file"), path, "market data file"))
    header = [h.strip().lower() for h in next(rows, (1, []))[1]]
    if "source" not in header:
        return []
    key = header.index("source")
    out: list[str] = []
    for _, row in rows:
        for part in (row[key] if key < len(row) else "").split(";"):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out
