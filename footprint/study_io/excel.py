"""The study as a spreadsheet (openpyxl): the template a producer fills, export and import.

One sheet per part of the study; columns are the study model's field names (a nested model
is spread over dotted columns, e.g. `reference_output.amount`, `uncertainty.gsd`), so every
field a study can hold has a cell and a round trip loses nothing. Exchanges name their
process in `process_id`. Allowed values (stages, data types, Annex V categories, routes,
distributions...) are drop-down lists fed from the `lists` sheet.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import typing
from enum import Enum
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..errors import FootprintInputError
from ..files import read_bytes_bounded, write_bytes_atomically
from ..study import (
    PLACEHOLDER,
    Coproduct,
    ElectricitySupply,
    ElementaryFlow,
    ExcludedProcess,
    NotModelled,
    Process,
    Site,
    Study,
    TechnosphereInput,
    parse_study,
)
from .toml_io import plain, study_raw

OWNER = "process_id"
# sheet -> (model, key in the process (None: top level of the study))
ROW_SHEETS: dict[str, tuple[type[BaseModel], str | None]] = {
    "sites": (Site, None),
    "processes": (Process, None),
    "inputs": (TechnosphereInput, "inputs"),
    "elementary_flows": (ElementaryFlow, "elementary_flows"),
    "coproducts": (Coproduct, "coproducts"),
    "electricity_supply": (ElectricitySupply, "electricity_supply"),
    "excluded": (ExcludedProcess, None),
    "not_modelled": (NotModelled, None),
}
TOP_LEVEL_SHEETS = ("sites", "excluded", "not_modelled")
# A list of plain values (e.g. the categories a not-modelled item leaves out) in one cell.
LIST_SEPARATOR = "; "
UNITS = ("kg", "t", "g", "kWh", "MWh", "MJ", "GJ", "m3", "Nm3", "L", "t*km", "unit")


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model an annotation holds (also inside Optional), else None."""
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _is_list(annotation: Any) -> bool:
    return typing.get_origin(annotation) is list


def columns(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Field names of a model, nested models spread over dotted names; lists of models are sheets."""
    out = []
    for name, info in model.model_fields.items():
        if _is_list(info.annotation) and _model_of(typing.get_args(info.annotation)[0]):
            continue
        nested = _model_of(info.annotation)
        if nested is not None:
            out.extend(columns(nested, f"{prefix}{name}."))
        else:
            out.append(prefix + name)
    return out


def _field_type(model: type[BaseModel], dotted: str) -> Any:
    annotation: Any = model
    for part in dotted.split("."):
        annotation = _model_of(annotation).model_fields[part].annotation  # type: ignore[union-attr]
    return annotation


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        elif not isinstance(value, list):
            out[prefix + key] = value
        elif all(isinstance(item, str) for item in value):  # lists of models are sheets of their own
            out[prefix + key] = LIST_SEPARATOR.join(value)
    return out


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in flat.items():
        target = out
        *parents, last = key.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value
    return out


# --- writing ------------------------------------------------------------------------------------


def _allowed_lists() -> dict[str, list[str]]:
    from ..boundary import PRIMARY_CATEGORIES, SECONDARY_CATEGORIES
    from ..study import Allocation, DataType, Route, Stage

    return {
        "stage": [s.value for s in Stage if s.value not in ("use", "end-of-life")],
        "data_type": [d.value for d in DataType],
        "category": list(PRIMARY_CATEGORIES) + [c for c in SECONDARY_CATEGORIES if c not in PRIMARY_CATEGORIES],
        "route": [r.value for r in Route],
        "allocation": [a.value for a in Allocation],
        "uncertainty.distribution": ["lognormal", "normal", "uniform", "triangular"],
        "kind": ["direct-line", "power-purchase-agreement"],
        "unit": list(UNITS),
        "boolean": ["TRUE", "FALSE"],
    }


def _list_for(sheet: str, column: str) -> str | None:
    if column in ("stage", "data_type", "category", "allocation", "uncertainty.distribution", "route"):
        return column
    if sheet == "electricity_supply" and column == "kind":
        return "kind"
    if column == "unit" or column.endswith(".unit"):
        return "unit"
    if column in ("assumption", "unique_claim", "matched_consumption") or column.endswith(".assumption"):
        return "boolean"
    return None


def workbook_bytes(raw: dict[str, Any], *, title: str) -> bytes:
    """A workbook holding a raw study (values may be placeholders), with drop-downs."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    readme = book.active
    readme.title = "README"
    for row in (
        [title],
        ["Fill one row per item; the column names are the study's fields (footprint schema study)."],
        [f"Cells marked {PLACEHOLDER} must be filled: `footprint check` names every one still open."],
        ["Exchanges (inputs, elementary_flows, coproducts, electricity_supply) name their process in process_id."],
        ["An input links by exactly one of: process (an id of this study), dataset (a code), or name + location."],
        ["Give every amount a source (publication, table, year, or the measurement); set assumption TRUE for assumed numbers."],
        ["Read it back with: footprint study import study.xlsx --format excel --out study.toml"],
    ):
        readme.append(row)
    readme["A1"].font = Font(bold=True)

    lists = book.create_sheet("lists")
    allowed = _allowed_lists()
    ranges = {}
    for col, (name, values) in enumerate(allowed.items(), start=1):
        letter = get_column_letter(col)
        lists.cell(row=1, column=col, value=name).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            lists.cell(row=row, column=col, value=value)
        ranges[name] = f"lists!${letter}$2:${letter}${len(values) + 1}"

    top = {k: v for k, v in raw.items() if k not in ("processes", *TOP_LEVEL_SHEETS)}
    study_sheet = book.create_sheet("study", 1)
    study_sheet.append(["field", "value"])
    flat_top = _flatten(top)
    for key in columns(Study):
        study_sheet.append([key, _cell(flat_top.get(key))])
    for key, value in flat_top.items():
        if key not in columns(Study):
            study_sheet.append([key, _cell(value)])

    rows: dict[str, list[dict[str, Any]]] = {sheet: [] for sheet in ROW_SHEETS}
    for sheet in TOP_LEVEL_SHEETS:
        rows[sheet] = [_flatten(item) for item in raw.get(sheet, [])]
    for process in raw.get("processes", []):
        rows["processes"].append(_flatten(process))
        for sheet, (_, key) in ROW_SHEETS.items():
            if key:
                rows[sheet].extend({OWNER: process.get("id"), **_flatten(item)} for item in process.get(key, []))
    for sheet, (model, key) in ROW_SHEETS.items():
        ws = book.create_sheet(sheet)
        header = ([OWNER] if key else []) + columns(model)
        extra = [c for r in rows[sheet] for c in r if c not in header]
        header += list(dict.fromkeys(extra))
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows[sheet]:
            ws.append([_cell(row.get(column)) for column in header])
        last = max(len(rows[sheet]) + 200, 200)
        for index, column in enumerate(header, start=1):
            wanted = _list_for(sheet, column)
            if wanted:
                letter = get_column_letter(index)
                check = DataValidation(type="list", formula1=ranges[wanted], allow_blank=True)
                check.error = f"choose a value from the list ({wanted})"
                check.showErrorMessage = wanted != "unit"  # other units are allowed
                ws.add_data_validation(check)
                check.add(f"{letter}2:{letter}{last}")
            ws.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(column) + 4))
    stream = io.BytesIO()
    with _full_precision_numbers():
        book.save(stream)
    return stream.getvalue()


@contextlib.contextmanager
def _full_precision_numbers() -> Iterator[None]:
    """openpyxl 3.1 writes floats with '%.16g', which loses the 17th digit some doubles need
    (Excel itself stores and re-saves the full double): write repr(float) while saving."""
    from openpyxl.cell import _writer

    original = _writer.safe_string
    _writer.safe_string = lambda value: repr(value) if isinstance(value, float) else original(value)
    try:
        yield
    finally:
        _writer.safe_string = original


def _cell(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    return value


def export_excel(study: Study, path: Path | str) -> None:
    write_bytes_atomically(path, workbook_bytes(study_raw(study), title=f"footprint study: {study.title}"))


def template(material: str, path: Path | str) -> None:
    """An empty study for `material`: placeholders where a value is needed, one row per part."""
    raw = {
        "title": PLACEHOLDER,
        "material": material,
        "route": PLACEHOLDER,
        "reporting_period": {"start": PLACEHOLDER, "end": PLACEHOLDER},
        "product_process": PLACEHOLDER,
        "operator": {"name": PLACEHOLDER, "trade_name": PLACEHOLDER, "postal_address": PLACEHOLDER, "email": PLACEHOLDER},
        "sites": [{"stage": PLACEHOLDER, "country": PLACEHOLDER, "region": PLACEHOLDER}],
        "processes": [
            {
                "id": PLACEHOLDER, "name": PLACEHOLDER, "stage": PLACEHOLDER, "category": PLACEHOLDER,
                "data_type": PLACEHOLDER, "location": PLACEHOLDER,
                "reference_output": {"product": PLACEHOLDER, "amount": PLACEHOLDER, "unit": PLACEHOLDER, "source": PLACEHOLDER},
            }
        ],
    }
    write_bytes_atomically(path, workbook_bytes(raw, title=f"footprint study template for {material}"))


# --- reading ------------------------------------------------------------------------------------


def _value(model: type[BaseModel], column: str, value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            return None
        annotation = _field_type(model, column)
        if _is_list(annotation):
            return [part.strip() for part in value.split(LIST_SEPARATOR.strip()) if part.strip()]
        if bool in (annotation, *typing.get_args(annotation)) and value.lower() in ("true", "false", "yes", "no"):
            return value.lower() in ("true", "yes")
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _rows(book: Any, sheet: str, path: Path | str) -> list[tuple[int, dict[str, Any]]]:
    if sheet not in book.sheetnames:
        return []
    model, key = ROW_SHEETS[sheet]
    ws = book[sheet]
    iterator = ws.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(iterator, [])]
    known = set(columns(model)) | ({OWNER} if key else set())
    for name in header:
        if name and name not in known:
            raise FootprintInputError(f"unknown column {name!r} in sheet {sheet!r} (see footprint schema study)", file=path, field=sheet)
    out = []
    for number, row in enumerate(iterator, start=2):
        values = {}
        for name, cell in zip(header, row):
            if name and cell is not None:
                value = cell if name == OWNER else _value(model, name, cell)
                if value is not None:
                    values[name] = value
        if values:
            out.append((number, values))
    return out


def read_excel_study(path: Path | str) -> dict[str, Any]:
    """The raw study a workbook holds (placeholders kept: `parse_study` names each)."""
    from openpyxl import load_workbook

    data = read_bytes_bounded(path, what="spreadsheet")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors on a broken file
        raise FootprintInputError(f"not a readable .xlsx workbook: {exc}", file=path) from None
    if "study" not in book.sheetnames or "processes" not in book.sheetnames:
        raise FootprintInputError("not a footprint study workbook: it needs the sheets 'study' and 'processes'", file=path)
    top: dict[str, Any] = {}
    for row in book["study"].iter_rows(min_row=2, values_only=True):
        if not row or row[0] is None:
            continue
        key = str(row[0]).strip()
        if key not in columns(Study):
            raise FootprintInputError(f"unknown field {key!r} in sheet 'study'", file=path, field="study")
        value = _value(Study, key, row[1] if len(row) > 1 else None)
        if value is not None:
            top[key] = value
    raw = _nest(top)
    for sheet in TOP_LEVEL_SHEETS:
        raw[sheet] = [_nest(values) for _, values in _rows(book, sheet, path)]
    processes = [_nest(values) for _, values in _rows(book, "processes", path)]
    by_id = {str(p.get("id")): p for p in processes}
    for sheet, (_, key) in ROW_SHEETS.items():
        if not key:
            continue
        for number, values in _rows(book, sheet, path):
            owner = str(values.pop(OWNER, "")).strip()
            if owner not in by_id:
                raise FootprintInputError(
                    f"row {number} names process_id {owner!r}, which is not a process of the sheet 'processes'", file=path, field=sheet
                )
            by_id[owner].setdefault(key, []).append(_nest(values))
    raw["processes"] = processes
    for sheet in ("excluded", "not_modelled"):
        if not raw[sheet]:
            raw.pop(sheet)
    return plain(raw)


def import_excel(path: Path | str) -> Study:
    return parse_study(read_excel_study(path), path)

