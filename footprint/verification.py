"""`footprint verify`: re-run a declaration's calculation and say whether it is reproduced.

Steps, in order:

1. **Content hash.** The declaration's `content_sha256` must equal the sha256 of its canonical
   JSON without that field (`footprint.declaration.content_hash`). A declaration edited by
   hand always fails here, whatever else happens.
2. **Inputs.** The study's file hash and keyed part digests are compared with the
   declaration's fingerprint, so a changed bill of materials, energy mix, elementary flows,
   operator/sites or boundary is named (`footprint.study_diff`). The installed method set,
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
what makes a re-sealed declaration with false content fail.

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
import json
import math
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import __version__
from .declaration import Declaration, build_declaration, class_table_sha256, content_hash
from .export.carrier import base_of
from .declaration import declaration_id as derive_declaration_id
from .errors import FootprintError
from .study_diff import PART_TITLES, changed_parts, study_digest

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
]
_PART_KIND: dict[str, InputKind] = {
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


def _difference(category: str, stage: str | None, unit: str, declared: float | None, recomputed: float | None) -> ResultDifference:
    absolute = relative = None
    if declared is not None and recomputed is not None:
        absolute = recomputed - declared
        relative = absolute / abs(declared) if declared else (math.inf if absolute else 0.0)
        if not math.isfinite(relative):
            relative = None
    return ResultDifference(category=category, stage=stage, unit=unit, declared=declared, recomputed=recomputed, absolute=absolute, relative=relative)


def _read_declaration(path: Path) -> tuple[dict[str, Any], Declaration | None, str | None]:
    """Raw JSON, the model (None when it does not validate) and a validation problem."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError("a declaration is a JSON object")
    try:
        return raw, Declaration.model_validate(raw), None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return raw, None, f"the declaration does not match the schema: {where}: {first['msg']}"


def _find_class_table(declaration: Declaration, registry: Any, class_folder: Path | None) -> tuple[Any | None, str | None]:
    """The class table the declaration names (by hash), or (None, why not).

    A declaration that names no table is recalculated with the table that was in force on its
    issue date, if that table had already been calibrated then: dropping the class from a
    declaration must not make it pass. A table published later is never held against it.
    """
    ref = declaration.performance_class.table
    if ref is None:
        from .classes import find_class_table

        try:
            in_force = find_class_table(registry, declaration.material.id, declaration.issue_date) if registry else None
        except FootprintError as exc:
            return None, f"the class table in force on {declaration.issue_date} cannot be told: {exc}"
        if in_force is not None and in_force.calibrated_on <= declaration.issue_date:
            return in_force, None
        return None, None
    candidates = []
    table = registry.class_table(declaration.material.id, declaration.issue_date) if registry else None
    if table is not None:
        candidates.append(table)
    try:
        from .classes import list_tables

        candidates.extend(t for _, t in list_tables(declaration.material.id, class_folder))
    except (ImportError, FootprintError):
        pass
    for table in candidates:
        if class_table_sha256(table) == ref.sha256:
            return table, None
    return None, f"the class table {ref.period} for {ref.material} (sha256 {ref.sha256[:12]}) is not installed"


def _compare_fields(declared: Any, recomputed: Any, path: str, out: list[FieldDifference]) -> None:
    if isinstance(declared, dict) and isinstance(recomputed, dict):
        for key in sorted(set(declared) | set(recomputed)):
            _compare_fields(declared.get(key), recomputed.get(key), f"{path}.{key}" if path else key, out)
    elif isinstance(declared, list) and isinstance(recomputed, list) and len(declared) == len(recomputed):
        for i, (a, b) in enumerate(zip(declared, recomputed)):
            _compare_fields(a, b, f"{path}[{i}]", out)
    elif declared != recomputed:
        out.append(FieldDifference(field=path, declared=declared, recomputed=recomputed))


# Compared on their own (with tolerance, or as inputs); the id is derived from the fingerprint.
_SEPARATE = {"footprint", "performance_class", "fingerprint", "study_digest", "versions", "declaration_id", "content_sha256"}

# An issue date may be at most this far after today's UTC date (an issuer east of UTC).
ISSUE_DATE_GRACE = dt.timedelta(days=1)


def _issuer_fields(declaration: Declaration, loaded: Any, today: dt.date) -> list[FieldDifference]:
    """The id and issue date: not recalculable, but they must be consistent."""
    out: list[FieldDifference] = []
    expected_id = derive_declaration_id(declaration.fingerprint, declaration.study_digest, declaration.issue_date)
    if declaration.declaration_id != expected_id:
        out.append(FieldDifference(field="declaration_id", declared=declaration.declaration_id, recomputed=expected_id))
    end = loaded.study.reporting_period.end
    if declaration.issue_date < end:
        out.append(
            FieldDifference(
                field="issue_date",
                declared=declaration.issue_date.isoformat(),
                recomputed=f"not before {end.isoformat()} (end of the study's reporting period)",
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


def verify_declaration(
    declaration_path: Path | str,
    study_path: Path | str,
    *,
    registry: Any | None = None,
    class_folder: Path | None = None,
    brightway_dir: Path | None = None,
) -> VerificationReport:
    """Re-run a declaration's calculation from the study and report what is not reproduced.

    Raises FootprintError (or OSError/ValueError) only when the declaration or the study cannot
    be read at all; every other problem is a difference in the report. `brightway_dir` is the
    Brightway directory holding the background project the fingerprint names, when that is a
    user's own project (as `footprint declare --brightway-dir`).
    """
    from .assessment import assess
    from .methods import load_method_set
    from .plugins import MaterialRegistry
    from .study import load_study

    declaration_path, study_path = Path(declaration_path), Path(study_path)
    if declaration_path.is_dir():
        declaration_path = declaration_path / "declaration.json"
    raw, declaration, problem = _read_declaration(declaration_path)
    loaded = load_study(study_path)
    registry = registry or MaterialRegistry()

    declared_hash = raw.get("content_sha256") if isinstance(raw.get("content_sha256"), str) else None
    computed_hash = content_hash(raw)
    report: dict[str, Any] = {
        "declaration": str(declaration_path),
        "study": str(study_path),
        "declaration_id": raw.get("declaration_id") if isinstance(raw.get("declaration_id"), str) else None,
        "verified_on": dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
        "content_hash_valid": declared_hash == computed_hash,
        "declared_content_sha256": declared_hash,
        "computed_content_sha256": computed_hash,
    }
    changes: list[InputChange] = []
    errors: list[str] = []
    notes: list[str] = []
    if declared_hash != computed_hash:
        changes.append(
            InputChange(
                input="declaration edited",
                declared=declared_hash,
                found=computed_hash,
                detail="the declaration's content hash does not match its content: it was changed after it was issued",
            )
        )
    if declaration is None:
        errors.append(problem or "the declaration cannot be read")
        return VerificationReport(**report, verdict="not reproduced", reproduced=False, changed_inputs=changes, errors=errors)

    fp = declaration.fingerprint
    # -- inputs: study ------------------------------------------------------------------------------
    if loaded.sha256 != fp.study_sha256:
        found_digest = study_digest(loaded.study)
        parts = changed_parts(declaration.study_digest, found_digest)
        for part in parts:
            changes.append(
                InputChange(
                    input=_PART_KIND[part],
                    declared=getattr(declaration.study_digest, part)[:16],
                    found=getattr(found_digest, part)[:16],
                    detail=f"the study's {PART_TITLES[part]}: changed since the declaration",
                )
            )
        if not parts:
            changes.append(
                InputChange(
                    input="study file",
                    declared=fp.study_sha256,
                    found=loaded.sha256,
                    detail="the study file differs from the declared one only in documentation (sources, descriptions, comments or formatting)",
                )
            )
    # -- inputs: method, rules ------------------------------------------------------------------------
    method_set = None
    try:
        method_set = load_method_set(fp.method_set)
    except FootprintError as exc:
        errors.append(f"the method set {fp.method_set!r} the declaration names is not installed: {exc}")
    if method_set is not None and (method_set.version, method_set.sha256) != (fp.method_version, fp.method_sha256):
        changes.append(
            InputChange(
                input="method",
                declared=f"{fp.method_set} {fp.method_version} (sha256 {fp.method_sha256[:12]})",
                found=f"{method_set.id} {method_set.version} (sha256 {method_set.sha256[:12]})",
                detail="the installed impact-assessment method set is not the version the declaration was calculated with",
            )
        )
    try:
        from .assessment import rules_sha256

        rules = registry.rules(declaration.material.id)
        installed = rules_sha256(rules, registry.declared_categories(rules.id))
        if (rules.rules_version, installed) != (fp.rules_version, fp.rules_sha256):
            changes.append(
                InputChange(
                    input="rules",
                    declared=f"{fp.material} {fp.rules_version} (sha256 {fp.rules_sha256[:12]})",
                    found=f"{rules.id} {rules.rules_version} (sha256 {installed[:12]})",
                    detail="the installed calculation rules of the material are not the ones declared",
                )
            )
    except FootprintError as exc:
        rules = None
        errors.append(str(exc))
    if fp.footprint_version != __version__:
        notes.append(f"declared with footprint {fp.footprint_version}, verified with {__version__}")

    # -- recalculation ---------------------------------------------------------------------------------
    recomputed: Declaration | None = None
    if method_set is not None and rules is not None:
        try:
            results = assess(
                loaded,
                registry=registry,
                method_set=method_set,
                background_override=fp.background,
                project_override=fp.background_project,
                brightway_dir=brightway_dir,
            )
            if results.fingerprint.background_sha256 != fp.background_sha256:
                changes.append(
                    InputChange(
                        input="background",
                        declared=f"{fp.background} (sha256 {fp.background_sha256[:12]})",
                        found=f"{results.fingerprint.background} (sha256 {results.fingerprint.background_sha256[:12]})",
                        detail="the background database is not the one the declaration was calculated with",
                    )
                )
            table, missing = _find_class_table(declaration, registry, class_folder)
            if missing:
                errors.append(missing)
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
        except FootprintError as exc:
            errors.append(f"the study cannot be calculated: {exc}")
        except ValueError as exc:  # build_declaration's own refusals (material mismatch, non-finite result, ...)
            errors.append(f"the declaration cannot be rebuilt from the study: {exc}")

    result_diffs: list[ResultDifference] = []
    class_diff: ClassDifference | None = None
    field_diffs: list[FieldDifference] = []
    checked: list[str] = []
    largest: float | None = None

    def track(a: float | None, b: float | None) -> None:
        nonlocal largest
        if a is None or b is None:
            return
        rel = 0.0 if a == b else (abs(b - a) / abs(a) if a else math.inf)
        largest = rel if largest is None else max(largest, rel)

    field_diffs.extend(_issuer_fields(declaration, loaded, report["verified_on"].date()))
    # versions.footprint is the version that issued the declaration, which the fingerprint names.
    if declaration.versions.footprint != fp.footprint_version:
        field_diffs.append(FieldDifference(field="versions.footprint", declared=declaration.versions.footprint, recomputed=fp.footprint_version))

    if recomputed is not None:
        fresh = {c.category: c for c in recomputed.footprint.categories}
        for category in declaration.footprint.categories:
            checked.append(category.category)
            again = fresh.get(category.category)
            if again is None:
                result_diffs.append(_difference(category.category, None, category.unit, category.value, None))
                continue
            track(category.value, again.value)
            if not agree(category.value, again.value):
                result_diffs.append(_difference(category.category, None, category.unit, category.value, again.value))
            for stage in sorted(set(category.by_stage) | set(again.by_stage)):
                a, b = category.by_stage.get(stage), again.by_stage.get(stage)
                track(a, b)
                if a is None or b is None or not agree(a, b):
                    result_diffs.append(_difference(category.category, stage, category.unit, a, b))
            if category.unit != again.unit:
                field_diffs.append(FieldDifference(field=f"footprint.categories[{category.category}].unit", declared=category.unit, recomputed=again.unit))
        # The categories the rules declare, each once, climate change first, in the rules' order.
        declared_names = [c.category for c in declaration.footprint.categories]
        recomputed_names = [c.category for c in recomputed.footprint.categories]
        if declared_names != recomputed_names:
            field_diffs.append(FieldDifference(field="footprint.categories", declared=declared_names, recomputed=recomputed_names))
            for again in recomputed.footprint.categories:
                if again.category not in declared_names:
                    result_diffs.append(_difference(again.category, None, again.unit, None, again.value))
        dpc, rpc = declaration.performance_class, recomputed.performance_class
        if dpc.label != rpc.label or dpc.assigned != rpc.assigned:
            class_diff = ClassDifference(
                declared=dpc.label,
                recomputed=rpc.label,
                detail=f"declared {dpc.statement!r}; the recalculation gives {rpc.statement!r}",
            )
        # The rest of the block: statement, category, value (with tolerance), scale, table.
        if not (dpc.value == rpc.value or (dpc.value is not None and rpc.value is not None and agree(dpc.value, rpc.value))):
            field_diffs.append(FieldDifference(field="performance_class.value", declared=dpc.value, recomputed=rpc.value))
        dumped_pc_d = json.loads(dpc.model_dump_json(exclude={"label", "assigned", "value"}))
        dumped_pc_r = json.loads(rpc.model_dump_json(exclude={"label", "assigned", "value"}))
        _compare_fields(dumped_pc_d, dumped_pc_r, "performance_class", field_diffs)
        dumped_d = json.loads(declaration.model_dump_json())
        dumped_r = json.loads(recomputed.model_dump_json())
        for key in sorted(set(dumped_d) | set(dumped_r)):
            if key not in _SEPARATE:
                _compare_fields(dumped_d.get(key), dumped_r.get(key), key, field_diffs)
        for key in sorted(set(dumped_d["footprint"]) | set(dumped_r["footprint"])):
            if key != "categories":  # compared above, by category, with tolerance
                _compare_fields(dumped_d["footprint"].get(key), dumped_r["footprint"].get(key), f"footprint.{key}", field_diffs)
        # versions.footprint is checked against the fingerprint above (an older footprint may have issued it).
        for key in sorted(set(dumped_d["versions"]) | set(dumped_r["versions"])):
            if key != "footprint":
                _compare_fields(dumped_d["versions"].get(key), dumped_r["versions"].get(key), f"versions.{key}", field_diffs)
        for category in declaration.footprint.categories:
            if category.category in fresh:
                again = fresh[category.category]
                for attr in ("short", "meaning"):
                    if getattr(category, attr) != getattr(again, attr):
                        field_diffs.append(
                            FieldDifference(field=f"footprint.categories[{category.category}].{attr}", declared=getattr(category, attr), recomputed=getattr(again, attr))
                        )
        # Inputs the content hash protects but the recalculation cannot see (e.g. an edited
        # fingerprint in a resealed declaration) still show here.
        for key in ("fingerprint", "study_digest"):
            d_part, r_part = dumped_d[key], dumped_r[key]
            if key == "fingerprint":
                d_part = {k: v for k, v in d_part.items() if k != "footprint_version"}
                r_part = {k: v for k, v in r_part.items() if k != "footprint_version"}
            if d_part != r_part and not changes:
                _compare_fields(d_part, r_part, key, field_diffs)

    reproduced = not (changes or result_diffs or class_diff or field_diffs or errors)
    return VerificationReport(
        **report,
        verdict="reproduced" if reproduced else "not reproduced",
        reproduced=reproduced,
        changed_inputs=changes,
        result_differences=result_diffs,
        class_difference=class_diff,
        field_differences=field_diffs,
        checked_categories=checked,
        largest_relative_difference=largest if largest is None or math.isfinite(largest) else None,
        errors=errors,
        notes=notes,
    )
