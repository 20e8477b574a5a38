"""`footprint verify`: re-run a declaration's calculation and say whether it is reproduced.

Steps, in order:

1. **Content hash.** The declaration's `content_sha256` must equal the sha256 of its canonical
   JSON without that field (`footprint.declaration.content_hash`). A declaration edited by
   hand always fails here, whatever else happens.
2. **Inputs.** The study's file hash and keyed part digests are compared with the
   declaration's fingerprint, so a changed bill of materials, energy mix, elementary flows,
   operator/sites or boundary is named (`footprint.study.diff`). The installed method set,
   background and material rules are compared with the versions and hashes the fingerprint
   names.
3. **Recalculation.** The study is assessed again with the method set, background database
   and project the fingerprint names, the performance class is assigned again with the class
   table the declaration names (found by its hash), and a fresh declaration is built with the
   same issue date and the categories the material's rules declare (never the ones the file
   lists).
4. **Comparison.** Each declared category's total and stage results, the set and order of the
   declared categories, the class and the whole performance-class block, the versions, the
   category selection and every other field of the declaration (operator, origin, link, ...)
   are compared.
5. **Issuer's fields.** The id and the issue date cannot be recalculated, but must be
   consistent: the id must be the one `footprint.declaration.declaration_id` derives from the
   declared fingerprint, study digest and issue date, and the issue date must not be before the
   end of the study's reporting period nor after today (UTC, one day of grace for time zones).

The content hash is not a signature (anyone can re-seal an edited file), so steps 3-5 are
what makes a re-sealed declaration with false content fail. What they cannot rule out — an
issue date moved back within the allowed range and the file re-sealed — the report says in
`cannot_rule_out` for every declaration whose signature was not checked.

The recalculation runs on the engine given (one serves a whole batch); a prepared background
read from disk is checked against the background's own matrices first, so a verdict never
rests on derived data that was not checked against its source.

Tolerance: two results agree when |declared - recomputed| <= max(RELATIVE_TOLERANCE *
max(|declared|, |recomputed|), ABSOLUTE_TOLERANCE), with RELATIVE_TOLERANCE = 1e-9 and
ABSOLUTE_TOLERANCE = 1e-15 (in the category's unit). The calculation is deterministic:
identical inputs give bit-identical numbers; the tolerance only absorbs the last-digit noise
a different BLAS or sparse solver could introduce. It is far below any rounding on the pages.

Verdict: "reproduced" only when the content hash matches, no input changed, every value agrees
within tolerance and the class and all other fields are equal. Exit status of the command: 0
reproduced, 1 not reproduced, 2 when the declaration or study cannot be read at all.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

from .. import __version__
from ..assessment import assess
from ..declaration.build import build_declaration
from ..links import base_of
from ..declaration.model import Declaration
from ..engine.core import Engine, make_engine
from ..errors import FootprintError
from ..plugins import MaterialRegistry
from ..study.load import LoadedStudy, load_study
from .compare import compare_declarations, issuer_fields
from .inputs import (
    background_changes,
    declared_class_table,
    method_changes,
    read_declaration,
    rules_changes,
    scheme_changes,
    seal_check,
    study_changes,
)
from .report import FieldDifference, InputChange, VerificationReport

UNSIGNED = (
    "the issue date and the issuer: an unsigned declaration can be re-dated within the allowed range "
    "(after the reporting period, not in the future) and re-sealed; only a signature over it rules that out"
)


def _recalculate(
    declaration: Declaration,
    loaded: LoadedStudy,
    *,
    registry: MaterialRegistry,
    method_set: Any,
    rules: Any,
    class_folder: Path | None,
    brightway_dir: Path | None,
    engine: Engine,
) -> tuple[Declaration | None, list[InputChange], list[str]]:
    """A fresh declaration from the study, with the declared issue date and the rules' categories."""
    fp = declaration.fingerprint
    try:
        results = assess(
            loaded,
            registry=registry,
            method_set=method_set,
            background_override=fp.background,
            project_override=fp.background_project,
            brightway_dir=brightway_dir,
            engine=engine,
        )
        changes = background_changes(fp, results.fingerprint)
        table, missing = declared_class_table(declaration, registry, class_folder)
        material_info = next((m for m in registry.materials() if m.id == declaration.material.id), None)
        # The categories come from the material's rules, as `footprint declare` takes them:
        # the list in the file is what is checked, not an input.
        recomputed = build_declaration(
            results,
            loaded,
            rules,
            table,
            declared_categories=registry.declared_categories(declaration.material.id),
            material_info=material_info,
            method_set=method_set,
            issue_date=declaration.issue_date,
            # The address is not recalculable (declare --registry-url may set it); rebuilt from
            # its own base it must come out the same, i.e. end in /declarations/<id>.
            registry_url=base_of(declaration.public_address, declaration.declaration_id),
        )
        return recomputed, changes, [missing] if missing else []
    except FootprintError as exc:
        return None, [], [f"the study cannot be calculated: {exc}"]
    except ValueError as exc:  # build_declaration's own refusals (material mismatch, non-finite result, ...)
        return None, [], [f"the declaration cannot be rebuilt from the study: {exc}"]


def verify_declaration(
    declaration_path: Path | str,
    study_path: Path | str,
    *,
    registry: MaterialRegistry | None = None,
    class_folder: Path | None = None,
    brightway_dir: Path | None = None,
    engine: Engine | None = None,
    signature_checked: bool = False,
) -> VerificationReport:
    """Re-run a declaration's calculation from the study and report what is not reproduced.

    Raises FootprintError only when the declaration or the study cannot be read at all; every
    other problem is a difference in the report. `brightway_dir` is the Brightway directory
    holding the background project the fingerprint names, when that is a user's own project
    (as `footprint declare --brightway-dir`). `signature_checked`: the caller checked the
    issuer's signature over this file, so the report need not warn about re-dating.
    """
    declaration_path, raw, declaration, problem = read_declaration(declaration_path)
    loaded = load_study(study_path)
    registry = registry or MaterialRegistry()
    engine = engine or make_engine(verify_cache=True)

    declared_hash, computed_hash, changes = seal_check(raw)
    report: dict[str, Any] = {
        "declaration": str(declaration_path),
        "study": str(study_path),
        "declaration_id": raw.get("declaration_id") if isinstance(raw.get("declaration_id"), str) else None,
        "verified_on": dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
        "content_hash_valid": declared_hash == computed_hash,
        "declared_content_sha256": declared_hash,
        "computed_content_sha256": computed_hash,
        "cannot_rule_out": [] if signature_checked else [UNSIGNED],
    }
    if declaration is None:
        errors = [problem or "the declaration cannot be read"]
        return VerificationReport(**report, verdict="not reproduced", reproduced=False, changed_inputs=changes, errors=errors)

    fp = declaration.fingerprint
    errors: list[str] = []
    notes: list[str] = []
    changes += scheme_changes(fp)
    changes += study_changes(declaration, loaded)
    method_set, found, problems = method_changes(fp)
    changes, errors = changes + found, errors + problems
    rules, found, problems = rules_changes(declaration, registry)
    changes, errors = changes + found, errors + problems
    if fp.footprint_version != __version__:
        notes.append(f"declared with footprint {fp.footprint_version}, verified with {__version__}")

    recomputed = None
    if method_set is not None and rules is not None:
        recomputed, found, problems = _recalculate(
            declaration, loaded, registry=registry, method_set=method_set, rules=rules,
            class_folder=class_folder, brightway_dir=brightway_dir, engine=engine,
        )
        changes, errors = changes + found, errors + problems

    field_diffs = issuer_fields(declaration, loaded.study.reporting_period.end, report["verified_on"].date())
    # versions.footprint is the version that issued the declaration, which the fingerprint names.
    if declaration.versions.footprint != fp.footprint_version:
        field_diffs.append(FieldDifference(field="versions.footprint", declared=declaration.versions.footprint, recomputed=fp.footprint_version))
    comparison = compare_declarations(declaration, recomputed, inputs_changed=bool(changes)) if recomputed is not None else None
    result_diffs = comparison.results if comparison else []
    class_diff = comparison.performance_class if comparison else None
    field_diffs += comparison.fields if comparison else []
    largest = comparison.largest if comparison else None

    reproduced = not (changes or result_diffs or class_diff or field_diffs or errors)
    return VerificationReport(
        **report,
        verdict="reproduced" if reproduced else "not reproduced",
        reproduced=reproduced,
        changed_inputs=changes,
        result_differences=result_diffs,
        class_difference=class_diff,
        field_differences=field_diffs,
        checked_categories=comparison.checked if comparison else [],
        largest_relative_difference=largest if largest is None or math.isfinite(largest) else None,
        errors=errors,
        notes=notes,
    )
