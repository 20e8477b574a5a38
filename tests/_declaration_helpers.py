"""Helpers shared by the declaration, verification, confidentiality and Chromium tests."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, Callable

import pytest

from footprint.declaration import content_hash
from footprint.study import DataType, Study

from .conftest import EXAMPLES

ISSUE_DATE = dt.date(2026, 11, 20)


def example_params() -> list[Any]:
    """Every example study; those the installed plugins cannot calculate are skipped, with why."""
    from footprint.assessment import check_study
    from footprint.errors import FootprintInputError

    params = []
    for path in sorted(EXAMPLES.glob("*.toml")):
        marks = []
        try:
            check_study(path)
        except FootprintInputError as exc:
            marks.append(pytest.mark.skip(reason=f"example {path.name} cannot be calculated with the installed plugins: {exc}"))
        params.append(pytest.param(path, id=path.stem, marks=marks))
    return params


def declare(study: Path, out_dir: Path, class_table: Any | None = None, issue_date: dt.date = ISSUE_DATE):
    """Assess a study and write declaration.json, declaration.html and study.html into out_dir."""
    from footprint.assessment import assess
    from footprint.declaration import write_declaration_outputs
    from footprint.study import load_study

    loaded = load_study(study)
    results = assess(loaded)
    extra = {} if class_table is None else {"class_table": class_table}
    paths = write_declaration_outputs(results, loaded, out_dir, issue_date=issue_date, **extra)
    return results, loaded, paths


def reseal(source: Path, target: Path, mutate: Callable[[dict], None], *, keep_hash: bool = False) -> Path:
    """Copy a declaration with an edit; recompute its content hash unless keep_hash (a hand edit)."""
    data = json.loads(source.read_text(encoding="utf-8"))
    mutate(data)
    if not keep_hash:
        data["content_sha256"] = content_hash(data)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    return target


def class_table(material: str, thresholds: list[float], period: str = "2026-2028", unit: str = "kg CO2-Eq per kg"):
    """A provisional class table with given thresholds (A best)."""
    from footprint.classes import BOUNDARY_RULE, LETTERS, CalibrationSettings, ClassTable

    start, end = period.split("-")
    bands = []
    for i in range(len(thresholds) + 1):
        bands.append({"label": LETTERS[i], "lower": thresholds[i - 1] if i else None, "upper": thresholds[i] if i < len(thresholds) else None})
    return ClassTable.model_validate(
        {
            "material": material,
            "unit": unit,
            "period": period,
            "valid_from": dt.date(int(start), 1, 1),
            "valid_until": dt.date(int(end), 12, 31),
            "method": "equal-width",
            "settings": CalibrationSettings(method="equal-width", n_classes=len(thresholds) + 1).model_dump(),
            "thresholds": thresholds,
            "bands": bands,
            "boundary_rule": BOUNDARY_RULE,
            "provisional": True,
            "privacy_waiver": "test table built by hand",
            "input": {
                "sha256": "0" * 64, "size_bytes": 0, "records": 0, "declarations_used": 0, "producers_used": 0,
                "volume_t": 0.0, "window_start": dt.date(2023, 1, 1), "window_end": dt.date(2025, 12, 31),
            },
            "footprint_version": "0.1.0",
            "calibrated_on": dt.date(2026, 1, 1),
        }
    )


# --- confidentiality ------------------------------------------------------------------------------


def company_specific_amounts(study: Study) -> list[float]:
    """Every amount and price written in a company-specific process (reference basis 1 aside)."""
    out = []
    for process in study.processes:
        if process.data_type is not DataType.company_specific:
            continue
        ref = process.reference_output
        if ref.amount != 1:
            out.append(ref.amount)
        out += [x for x in (ref.price,) if x is not None]
        out += [e.amount for e in process.inputs] + [f.amount for f in process.elementary_flows]
        for co in process.coproducts:
            out += [co.amount] + ([co.price] if co.price is not None else [])
    return [a for a in out if a != 0]


def spellings(amount: float) -> set[str]:
    """The ways an amount could be printed: as written in TOML, %g, repr, fixed 1-6 decimals."""
    found = {repr(amount), f"{amount:g}", f"{amount:.6g}", f"{amount:.4g}"}
    if float(amount).is_integer():
        found.add(str(int(amount)))
        if abs(amount) >= 1000:
            found.add(f"{int(amount):,}")
    return {s for s in found if s not in ("0", "1", "1.0")}


def occurrences(text: str, amount: float) -> list[str]:
    """Places where `amount` appears in text as a whole number token (not inside another number or word, not a share)."""
    hits = []
    for spelling in spellings(amount):
        # A number followed by % is a share footprint computed, never an activity amount.
        pattern = re.compile(r"(?<![\w.])" + re.escape(spelling) + r"(?![\w]|\.\d|\s*%)")
        for match in pattern.finditer(text):
            hits.append(text[max(0, match.start() - 60): match.end() + 60])
    return hits


def perturbed_copy(study_path: Path, target: Path, factor: float = 1.0137) -> Path:
    """The study with every company-specific amount (and price) multiplied by `factor`.

    A number that appears in the public outputs of both the study and this copy does not come
    from an amount (it is a date, a fixed text, an SVG coordinate or a rounded share that did
    not move); a number that appears only for the original is a leak.
    """
    import tomli_w

    from footprint.study import load_study

    study = load_study(study_path).study.model_copy(deep=True)
    for process in study.processes:
        if process.data_type is not DataType.company_specific:
            continue
        ref = process.reference_output
        if ref.amount != 1:
            ref.amount *= factor
        if ref.price is not None:
            ref.price *= factor
        for exchange in [*process.inputs, *process.elementary_flows, *process.coproducts]:
            exchange.amount *= factor
        for co in process.coproducts:
            if co.price is not None:
                co.price *= factor
    data = study.model_dump(mode="json", exclude_none=True)
    data["reporting_period"] = study.reporting_period.model_dump()  # TOML dates, not strings
    target.write_text(tomli_w.dumps(data), encoding="utf-8")
    return target


def count_occurrences(text: str, amount: float) -> int:
    return len(occurrences(text, amount))
