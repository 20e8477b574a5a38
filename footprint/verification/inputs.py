"""What the verifier checks before recalculating: the file, the study, the method, the rules.

Each finding is an `InputChange` naming the input that is not the declared one, or an error
when an input cannot be had at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .. import __version__
from ..assessment import rules_sha256
from ..classes.lookup import find_class_table, list_tables
from ..classes.table import class_table_sha256
from ..declaration.build import content_hash, read_declaration_json
from ..declaration.model import Declaration
from ..errors import FootprintError, from_validation_error
from ..methods import MethodSet, load_method_set
from ..results import FINGERPRINT_SCHEME, Fingerprint
from ..study.diff import PART_TITLES, changed_parts, study_digest
from ..study.load import LoadedStudy
from .report import PART_KIND, InputChange


def read_declaration(path: Path | str) -> tuple[Path, dict[str, Any], Declaration | None, str | None]:
    """The file, its raw JSON, the model (None when it does not validate) and the schema problem."""
    path, raw = read_declaration_json(path)
    try:
        return path, raw, Declaration.model_validate(raw), None
    except ValidationError as exc:
        return path, raw, None, f"the declaration does not match the schema: {from_validation_error(exc)}"


def seal_check(raw: dict[str, Any]) -> tuple[str | None, str, list[InputChange]]:
    """(declared hash, computed hash, the change found when they differ)."""
    declared = raw.get("content_sha256") if isinstance(raw.get("content_sha256"), str) else None
    computed = content_hash(raw)
    changes = []
    if declared != computed:
        changes.append(
            InputChange(
                input="declaration edited",
                declared=declared,
                found=computed,
                detail="the declaration's content hash does not match its content: it was changed after it was issued",
            )
        )
    return declared, computed, changes


def study_changes(declaration: Declaration, loaded: LoadedStudy) -> list[InputChange]:
    """Which part of the study changed since the declaration (by keyed part digests)."""
    fp = declaration.fingerprint
    if loaded.sha256 == fp.study_sha256:
        return []
    found_digest = study_digest(loaded.study)
    parts = changed_parts(declaration.study_digest, found_digest)
    changes = [
        InputChange(
            input=PART_KIND[part],
            declared=getattr(declaration.study_digest, part)[:16],
            found=getattr(found_digest, part)[:16],
            detail=f"the study's {PART_TITLES[part]}: changed since the declaration",
        )
        for part in parts
    ]
    if not parts:
        changes.append(
            InputChange(
                input="study file",
                declared=fp.study_sha256,
                found=loaded.sha256,
                detail="the study file differs from the declared one only in documentation (sources, descriptions, comments or formatting)",
            )
        )
    return changes


def scheme_changes(fp: Fingerprint) -> list[InputChange]:
    """A declaration fingerprinted under another scheme: its hashes are not comparable as such."""
    if fp.scheme == FINGERPRINT_SCHEME:
        return []
    declared = fp.scheme or "1"
    return [
        InputChange(
            input="fingerprint scheme",
            declared=declared,
            found=FINGERPRINT_SCHEME,
            detail=(
                f"the declaration was fingerprinted under scheme {declared} (footprint before 0.2 hashed the rules over "
                f"non-canonical JSON); footprint {__version__} uses scheme {FINGERPRINT_SCHEME}, so its rules hash cannot be "
                "compared: re-declare the study to verify it"
            ),
        )
    ]


def method_changes(fp: Fingerprint) -> tuple[MethodSet | None, list[InputChange], list[str]]:
    """The installed method set the fingerprint names, and what differs about it."""
    try:
        method_set = load_method_set(fp.method_set, from_source=True)  # a verdict rests on the source, not a cache
    except FootprintError as exc:
        return None, [], [f"the method set {fp.method_set!r} the declaration names is not installed: {exc}"]
    if (method_set.version, method_set.sha256) == (fp.method_version, fp.method_sha256):
        return method_set, [], []
    return method_set, [
        InputChange(
            input="method",
            declared=f"{fp.method_set} {fp.method_version} (sha256 {fp.method_sha256[:12]})",
            found=f"{method_set.id} {method_set.version} (sha256 {method_set.sha256[:12]})",
            detail="the installed impact-assessment method set is not the version the declaration was calculated with",
        )
    ], []


def rules_changes(declaration: Declaration, registry: Any) -> tuple[Any | None, list[InputChange], list[str]]:
    """The installed rules of the declared material, and whether they are the declared ones."""
    fp = declaration.fingerprint
    try:
        rules = registry.rules(declaration.material.id)
    except FootprintError as exc:
        return None, [], [str(exc)]
    installed = rules_sha256(rules, registry.declared_categories(rules.id))
    if (rules.rules_version, installed) == (fp.rules_version, fp.rules_sha256) or fp.scheme != FINGERPRINT_SCHEME:
        return rules, [], []
    return rules, [
        InputChange(
            input="rules",
            declared=f"{fp.material} {fp.rules_version} (sha256 {fp.rules_sha256[:12]})",
            found=f"{rules.id} {rules.rules_version} (sha256 {installed[:12]})",
            detail="the installed calculation rules of the material are not the ones declared",
        )
    ], []


def background_changes(fp: Fingerprint, recomputed: Fingerprint) -> list[InputChange]:
    if recomputed.background_sha256 == fp.background_sha256:
        return []
    return [
        InputChange(
            input="background",
            declared=f"{fp.background} (sha256 {fp.background_sha256[:12]})",
            found=f"{recomputed.background} (sha256 {recomputed.background_sha256[:12]})",
            detail="the background database is not the one the declaration was calculated with",
        )
    ]


def declared_class_table(declaration: Declaration, registry: Any, class_folder: Path | None) -> tuple[Any | None, str | None]:
    """The class table the declaration names (by hash), or (None, why not).

    A declaration that names no table is recalculated with the table that was in force on its
    issue date, if that table had already been calibrated then: dropping the class from a
    declaration must not make it pass. A table published later is never held against it.
    """
    ref = declaration.performance_class.table
    if ref is None:
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
        candidates.extend(t for _, t in list_tables(declaration.material.id, class_folder))
    except FootprintError:
        pass
    for table in candidates:
        if class_table_sha256(table) == ref.sha256:
            return table, None
    return None, f"the class table {ref.period} for {ref.material} (sha256 {ref.sha256[:12]}) is not installed"
