"""Comparing a recalculated declaration with the declared one, field by field.

Results are compared with the tolerance of `report.agree`; every other field exactly. The id
and issue date cannot be recalculated and are checked for consistency instead.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from typing import Any

from ..declaration.build import declaration_id as derive_declaration_id
from ..declaration.model import Declaration
from .report import ClassDifference, FieldDifference, ResultDifference, agree, difference

# Compared on their own (with tolerance, or as inputs); the id is derived from the fingerprint.
_SEPARATE = {"footprint", "performance_class", "fingerprint", "study_digest", "versions", "declaration_id", "content_sha256"}

# An issue date may be at most this far after today's UTC date (an issuer east of UTC).
ISSUE_DATE_GRACE = dt.timedelta(days=1)


@dataclass
class Comparison:
    """Everything the comparison found, and the largest relative difference of any value."""

    results: list[ResultDifference] = field(default_factory=list)
    fields: list[FieldDifference] = field(default_factory=list)
    performance_class: ClassDifference | None = None
    checked: list[str] = field(default_factory=list)
    largest: float | None = None

    def track(self, a: float | None, b: float | None) -> None:
        if a is None or b is None:
            return
        rel = 0.0 if a == b else (abs(b - a) / abs(a) if a else math.inf)
        self.largest = rel if self.largest is None else max(self.largest, rel)


def compare_fields(
    declared: Any, recomputed: Any, path: str, out: list[FieldDifference], *, numbers_within_tolerance: bool = False, first_index: int = 0
) -> None:
    """Every leaf that differs between two JSON values, by its dotted path.

    With `numbers_within_tolerance`, two numbers that `agree` are the same (a record whose every
    field is a recomputed figure); otherwise every leaf is compared exactly.
    """
    if isinstance(declared, dict) and isinstance(recomputed, dict):
        for key in sorted(set(declared) | set(recomputed)):
            compare_fields(
                declared.get(key), recomputed.get(key), f"{path}.{key}" if path else key, out,
                numbers_within_tolerance=numbers_within_tolerance, first_index=first_index,
            )
    elif isinstance(declared, list) and isinstance(recomputed, list) and len(declared) == len(recomputed):
        for i, (a, b) in enumerate(zip(declared, recomputed)):
            compare_fields(a, b, f"{path}[{i + first_index}]", out, numbers_within_tolerance=numbers_within_tolerance, first_index=first_index)
    elif numbers_within_tolerance and _number(declared) and _number(recomputed):
        if not agree(float(declared), float(recomputed)):
            out.append(FieldDifference(field=path, declared=declared, recomputed=recomputed))
    elif declared != recomputed:
        out.append(FieldDifference(field=path, declared=declared, recomputed=recomputed))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def issuer_fields(declaration: Declaration, reporting_end: dt.date, today: dt.date) -> list[FieldDifference]:
    """The id and issue date: not recalculable, but they must be consistent."""
    out: list[FieldDifference] = []
    expected_id = derive_declaration_id(declaration.fingerprint, declaration.study_digest, declaration.issue_date)
    if declaration.declaration_id != expected_id:
        out.append(FieldDifference(field="declaration_id", declared=declaration.declaration_id, recomputed=expected_id))
    if declaration.issue_date < reporting_end:
        out.append(
            FieldDifference(
                field="issue_date",
                declared=declaration.issue_date.isoformat(),
                recomputed=f"not before {reporting_end.isoformat()} (end of the study's reporting period)",
            )
        )
    if declaration.issue_date > today + ISSUE_DATE_GRACE:
        out.append(
            FieldDifference(
                field="issue_date",
                declared=declaration.issue_date.isoformat(),
                recomputed=f"not after {(today + ISSUE_DATE_GRACE).isoformat()} (today, UTC, plus a day for time zones): the declaration is dated in the future",
            )
        )
    return out


def _compare_results(declaration: Declaration, recomputed: Declaration, found: Comparison) -> None:
    """Each declared category's total and stage values (with tolerance), and the category list."""
    fresh = {c.category: c for c in recomputed.footprint.categories}
    for category in declaration.footprint.categories:
        found.checked.append(category.category)
        again = fresh.get(category.category)
        if again is None:
            found.results.append(difference(category.category, None, category.unit, category.value, None))
            continue
        found.track(category.value, again.value)
        if not agree(category.value, again.value):
            found.results.append(difference(category.category, None, category.unit, category.value, again.value))
        for stage in sorted(set(category.by_stage) | set(again.by_stage)):
            a, b = category.by_stage.get(stage), again.by_stage.get(stage)
            found.track(a, b)
            if a is None or b is None or not agree(a, b):
                found.results.append(difference(category.category, stage, category.unit, a, b))
        for attr in ("unit", "short", "meaning"):
            if getattr(category, attr) != getattr(again, attr):
                found.fields.append(
                    FieldDifference(field=f"footprint.categories[{category.category}].{attr}", declared=getattr(category, attr), recomputed=getattr(again, attr))
                )
    # The categories the rules declare, each once, climate change first, in the rules' order.
    declared_names = [c.category for c in declaration.footprint.categories]
    recomputed_names = [c.category for c in recomputed.footprint.categories]
    if declared_names != recomputed_names:
        found.fields.append(FieldDifference(field="footprint.categories", declared=declared_names, recomputed=recomputed_names))
        for again in recomputed.footprint.categories:
            if again.category not in declared_names:
                found.results.append(difference(again.category, None, again.unit, None, again.value))


def _compare_class(declaration: Declaration, recomputed: Declaration, found: Comparison) -> None:
    """The class letter, and the rest of the block: statement, category, value (with tolerance), scale, table."""
    dpc, rpc = declaration.performance_class, recomputed.performance_class
    if dpc.label != rpc.label or dpc.assigned != rpc.assigned:
        found.performance_class = ClassDifference(
            declared=dpc.label, recomputed=rpc.label, detail=f"declared {dpc.statement!r}; the recalculation gives {rpc.statement!r}"
        )
    if not (dpc.value == rpc.value or (dpc.value is not None and rpc.value is not None and agree(dpc.value, rpc.value))):
        found.fields.append(FieldDifference(field="performance_class.value", declared=dpc.value, recomputed=rpc.value))
    rest = {"label", "assigned", "value"}
    compare_fields(dpc.model_dump(mode="json", exclude=rest), rpc.model_dump(mode="json", exclude=rest), "performance_class", found.fields)


def compare_declarations(declaration: Declaration, recomputed: Declaration, *, inputs_changed: bool) -> Comparison:
    """Everything in which the recalculated declaration differs from the declared one."""
    found = Comparison()
    _compare_results(declaration, recomputed, found)
    _compare_class(declaration, recomputed, found)
    dumped_d = json.loads(declaration.model_dump_json())
    dumped_r = json.loads(recomputed.model_dump_json())
    for key in sorted(set(dumped_d) | set(dumped_r)):
        if key not in _SEPARATE:
            compare_fields(dumped_d.get(key), dumped_r.get(key), key, found.fields)
    for key in sorted(set(dumped_d["footprint"]) | set(dumped_r["footprint"])):
        if key != "categories":  # compared above, by category, with tolerance
            compare_fields(dumped_d["footprint"].get(key), dumped_r["footprint"].get(key), f"footprint.{key}", found.fields)
    # versions.footprint is checked against the fingerprint (an older footprint may have issued it).
    for key in sorted(set(dumped_d["versions"]) | set(dumped_r["versions"])):
        if key != "footprint":
            compare_fields(dumped_d["versions"].get(key), dumped_r["versions"].get(key), f"versions.{key}", found.fields)
    # Inputs the content hash protects but the recalculation cannot see (e.g. an edited
    # fingerprint in a resealed declaration) still show here.
    for key in ("fingerprint", "study_digest"):
        d_part, r_part = dumped_d[key], dumped_r[key]
        if key == "fingerprint":
            d_part = {k: v for k, v in d_part.items() if k != "footprint_version"}
            r_part = {k: v for k, v in r_part.items() if k != "footprint_version"}
        if d_part != r_part and not inputs_changed:
            compare_fields(d_part, r_part, key, found.fields)
    return found
