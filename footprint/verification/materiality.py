"""Materiality (Annex V Part IX): is a discrepancy the verifier found on site big enough to matter?

`footprint verify DECL --study S --evidence E` recomputes the declaration from E, the study as the
verifier found it at the facilities (corrected meter readings, invoices, weighbridge records),
on the same engine, background and method, and compares it with what was declared:

* per declared category: (found - declared) / |declared|; material when its size exceeds the
  material's threshold (`MaterialRules.materiality_threshold`, a draft 5 % by default);
* per process: how much each process's contribution moved, as a share of the declared total
  (which process the misstatement sits in);
* whether the performance class changes under the declaration's own class table.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..assessment import assess
from ..classes.lookup import assign_class
from ..declaration.model import Declaration
from ..files import sha256_file
from .inputs import declared_class_table

MATERIALITY_BASIS = (
    "the material's rules (MaterialRules.materiality_threshold); draft default 5 %: the EU ETS materiality level for "
    "most installations (Commission Regulation (EU) No 600/2012, Art. 23(1)) and common practice for reasonable "
    "assurance under ISO 14064-3:2019 (clause 5.1.7)"
)


class CategoryDiscrepancy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str
    unit: str
    declared: float
    found: float
    absolute: float = Field(description="found - declared")
    relative: float | None = Field(description="(found - declared) / |declared|; None when the declared value is 0")
    material: bool


class ProcessDiscrepancy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    process: str
    category: str
    declared: float = Field(description="The process's contribution recomputed from the declared study")
    found: float = Field(description="Its contribution in the evidence")
    share_of_total: float | None = Field(description="(found - declared) / |declared category total|")


class MaterialityAssessment(BaseModel):
    """The verifier's materiality judgement of one declaration against the evidence found on site."""

    model_config = ConfigDict(extra="forbid")

    threshold: float
    threshold_basis: str = MATERIALITY_BASIS
    evidence: str
    evidence_sha256: str
    material: bool
    categories: list[CategoryDiscrepancy]
    processes: list[ProcessDiscrepancy] = Field(description="Processes whose contribution moved, largest first")
    class_table: str | None = None
    declared_class: str | None = None
    found_class: str | None = None
    class_changes: bool = False
    verdict: str


def assess_materiality(
    declaration: Declaration,
    study_path: Path | str,
    evidence_path: Path | str,
    *,
    registry: Any,
    engine: Any,
    class_folder: Path | None = None,
    brightway_dir: Path | None = None,
    declared_results: Any | None = None,
) -> MaterialityAssessment:
    """Recompute from the evidence and judge each declared category against the rules' threshold.

    `declared_results`: the declared study's results when the caller has them already (for the
    contributions by process); else it is recomputed."""
    fp = declaration.fingerprint
    options = {"registry": registry, "background_override": fp.background, "project_override": fp.background_project, "brightway_dir": brightway_dir, "engine": engine}
    declared_study = declared_results if declared_results is not None else assess(study_path, **options)
    found = assess(evidence_path, **options)
    threshold = registry.rules(declaration.material.id).materiality_threshold
    categories = []
    processes = []
    for declared in declaration.footprint.categories:
        now = found.category(declared.category)
        absolute = now.value - declared.value
        relative = absolute / abs(declared.value) if declared.value else None
        material = abs(relative) > threshold if relative is not None else absolute != 0
        categories.append(CategoryDiscrepancy(
            category=declared.category, unit=declared.unit, declared=declared.value, found=now.value,
            absolute=absolute, relative=relative, material=material,
        ))
        before = declared_study.category(declared.category).by_process
        for process in dict.fromkeys([*before, *now.by_process]):
            was, is_ = before.get(process, 0.0), now.by_process.get(process, 0.0)
            if was != is_:
                share = (is_ - was) / abs(declared.value) if declared.value else None
                processes.append(ProcessDiscrepancy(process=process, category=declared.category, declared=was, found=is_, share_of_total=share))
    processes.sort(key=lambda p: -abs(p.share_of_total or 0.0))

    table, _ = declared_class_table(declaration, registry, class_folder)
    declared_class = declaration.performance_class.label if declaration.performance_class.assigned else None
    found_class = None
    if table is not None:
        value = found.category(table.category).value
        found_class = assign_class(table, value) if math.isfinite(value) and value >= 0 else None
    class_changes = table is not None and found_class != declared_class
    material = any(c.material for c in categories) or class_changes
    return MaterialityAssessment(
        threshold=threshold,
        evidence=str(evidence_path),
        evidence_sha256=sha256_file(Path(evidence_path)),
        material=material,
        categories=categories,
        processes=processes,
        class_table=f"{table.material} {table.period}" if table is not None else None,
        declared_class=declared_class,
        found_class=found_class,
        class_changes=class_changes,
        verdict=_verdict(categories, threshold, class_changes, declared_class, found_class),
    )


def _verdict(categories: list[CategoryDiscrepancy], threshold: float, class_changes: bool, declared: str | None, found: str | None) -> str:
    worst = max(categories, key=lambda c: abs(c.relative or 0.0), default=None)
    parts = []
    material = [c for c in categories if c.material]
    if material:
        parts.append("material: " + "; ".join(f"{c.category} differs by {100 * (c.relative or 0):+.2f} %" for c in material) + f" (threshold {100 * threshold:g} %)")
    elif worst is not None and worst.relative:
        parts.append(f"not material: the largest discrepancy is {worst.category}, {100 * worst.relative:+.2f} % (threshold {100 * threshold:g} %)")
    else:
        parts.append("not material: the evidence reproduces every declared category")
    if class_changes:
        parts.append(f"the performance class changes from {declared or 'none'} to {found or 'none'}")
    return "; ".join(parts)
