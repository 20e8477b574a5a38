"""The verification report: the verdict and every difference found (`footprint schema verification`).

Tolerance: two results agree when |declared - recomputed| <= max(RELATIVE_TOLERANCE *
max(|declared|, |recomputed|), ABSOLUTE_TOLERANCE), with RELATIVE_TOLERANCE = 1e-9 and
ABSOLUTE_TOLERANCE = 1e-15 (in the category's unit). The calculation is deterministic:
identical inputs give bit-identical numbers; the tolerance only absorbs the last-digit noise
a different BLAS or sparse solver could introduce. It is far below any rounding on the pages.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .. import __version__

RELATIVE_TOLERANCE = 1e-9
ABSOLUTE_TOLERANCE = 1e-15
TOLERANCE_RULE = (
    "|declared - recomputed| <= max(1e-9 * max(|declared|, |recomputed|), 1e-15); "
    "identical inputs give identical numbers"
)

InputKind = Literal[
    "declaration edited",
    "bill of materials",
    "energy mix",
    "elementary flows",
    "operator and sites",
    "system boundary",
    "study file",
    "method",
    "background",
    "rules",
    "class table",
    "fingerprint scheme",
]
PART_KIND: dict[str, InputKind] = {
    "bill_of_materials": "bill of materials",
    "energy_mix": "energy mix",
    "elementary_flows": "elementary flows",
    "operator_and_sites": "operator and sites",
    "boundary": "system boundary",
}


class Tolerance(BaseModel):
    model_config = ConfigDict(extra="forbid")

    relative: float = RELATIVE_TOLERANCE
    absolute: float = ABSOLUTE_TOLERANCE
    rule: str = TOLERANCE_RULE


class ResultDifference(BaseModel):
    """A declared result that the recalculation does not reproduce."""

    model_config = ConfigDict(extra="forbid")

    category: str
    stage: str | None = Field(default=None, description="None for the category total")
    unit: str
    declared: float | None
    recomputed: float | None
    absolute: float | None = Field(default=None, description="recomputed - declared")
    relative: float | None = Field(default=None, description="(recomputed - declared) / |declared|")


class ClassDifference(BaseModel):
    model_config = ConfigDict(extra="forbid")

    declared: str | None
    recomputed: str | None
    detail: str


class InputChange(BaseModel):
    """An input of the calculation that is not the one the declaration names."""

    model_config = ConfigDict(extra="forbid")

    input: InputKind
    declared: str | None = None
    found: str | None = None
    detail: str


class FieldDifference(BaseModel):
    """Any other field of the declaration that the recalculation does not reproduce."""

    model_config = ConfigDict(extra="forbid")

    field: str
    declared: Any = None
    recomputed: Any = None


class VerificationReport(BaseModel):
    """The machine-readable answer of `footprint verify` for one declaration."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal["1"] = "1"
    declaration: str
    study: str
    declaration_id: str | None = None
    verified_on: dt.datetime
    footprint_version: str = __version__
    verdict: Literal["reproduced", "not reproduced"]
    reproduced: bool
    tolerance: Tolerance = Field(default_factory=Tolerance)
    content_hash_valid: bool
    declared_content_sha256: str | None = None
    computed_content_sha256: str | None = None
    changed_inputs: list[InputChange] = Field(default_factory=list)
    result_differences: list[ResultDifference] = Field(default_factory=list)
    class_difference: ClassDifference | None = None
    field_differences: list[FieldDifference] = Field(default_factory=list)
    checked_categories: list[str] = Field(default_factory=list)
    largest_relative_difference: float | None = Field(
        default=None, description="Largest |recomputed - declared| / |declared| over every checked total and stage value (0 when bit-identical)"
    )
    errors: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    cannot_rule_out: list[str] = Field(
        default_factory=list,
        description="What a recalculation cannot check: the verdict says so plainly (e.g. an unsigned declaration's issue date)",
    )

    def kinds(self) -> set[str]:
        """Kinds of difference found: input kinds plus 'result', 'class', 'field', 'error'."""
        kinds = {change.input for change in self.changed_inputs}
        if self.result_differences:
            kinds.add("result")
        if self.class_difference:
            kinds.add("class")
        if self.field_differences:
            kinds.add("field")
        if self.errors:
            kinds.add("error")
        return kinds


def agree(declared: float, recomputed: float) -> bool:
    if declared == recomputed:
        return True
    if not (math.isfinite(declared) and math.isfinite(recomputed)):
        return False
    scale = max(abs(declared), abs(recomputed))
    return abs(declared - recomputed) <= max(RELATIVE_TOLERANCE * scale, ABSOLUTE_TOLERANCE)


def difference(category: str, stage: str | None, unit: str, declared: float | None, recomputed: float | None) -> ResultDifference:
    absolute = relative = None
    if declared is not None and recomputed is not None:
        absolute = recomputed - declared
        relative = absolute / abs(declared) if declared else (math.inf if absolute else 0.0)
        if not math.isfinite(relative):
            relative = None
    return ResultDifference(category=category, stage=stage, unit=unit, declared=declared, recomputed=recomputed, absolute=absolute, relative=relative)
