"""`footprint magnets verify`: rebuild a magnet record from the product file and say whether it is reproduced.

The JSON is the record; a page is only a view of it. Steps, in order:

1. **Content hash.** `content_sha256` must be the sha256 of the canonical JSON without it: an
   edited share, mass or name fails here whatever else happens.
2. **Inputs.** The product file's hash and part digests, and the rules' id, version and hash,
   are compared with the fingerprint; a changed part is named.
3. **Rebuild.** The product is checked and calculated again with the rules the record names
   (found by id and version among the installed rule sets) and the record's issue date; a
   product that no longer passes (a changed mass that breaks the balance) is an error in the
   report, not a crash.
4. **Comparison.** Every field of the rebuilt record is compared with the file; numbers agree
   within footprint's verification tolerance (`footprint.verification.agree`), everything
   else exactly. The id must be the one the fingerprint and issue date give (it is part of
   the rebuild), and the issue date must not be in the future.
5. **Page.** When the HTML page sits beside the JSON, it must be the rendering of the JSON; an
   edited page is reported (the JSON is the source of truth).

Exit status of the command: 0 reproduced, 1 not reproduced, 2 when the record or the product
file cannot be read at all.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from footprint import __version__
from footprint.declaration import content_hash
from footprint.errors import FootprintError, FootprintInputError, from_validation_error
from footprint.files import read_json
from footprint.verification import TOLERANCE_RULE, FieldDifference
from footprint.verification.compare import compare_fields

from .declare import assess_product, build
from .product import load_product, today_utc
from .records import DECLARATION_TYPE, RECORD_TYPE, MagnetDataRecord, RecycledContentDeclaration, fingerprint
from .registry import MagnetRulesRegistry
from .render import render_declaration_html, render_record_html

MODELS = {DECLARATION_TYPE: RecycledContentDeclaration, RECORD_TYPE: MagnetDataRecord}


class MagnetVerificationReport(BaseModel):
    """The machine-readable answer of `footprint magnets verify` for one record."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal["1"] = "1"
    record: str
    product: str
    record_type: str | None = None
    record_id: str | None = None
    verified_on: dt.datetime
    footprint_version: str = __version__
    verdict: Literal["reproduced", "not reproduced"]
    reproduced: bool
    tolerance: str = TOLERANCE_RULE
    content_hash_valid: bool
    changed_inputs: list[str] = Field(default_factory=list, description="Inputs that are not the ones the record names")
    differences: list[FieldDifference] = Field(default_factory=list)
    page: Literal["matches", "differs", "absent"] = "absent"
    checked_shares: list[str] = Field(default_factory=list, description="Elements whose share was recomputed and agrees")
    errors: list[str] = Field(default_factory=list)


def compare(declared: dict[str, Any], recomputed: dict[str, Any], out: list[FieldDifference]) -> None:
    """Every field of the record but its seal, recursively; numbers within tolerance, the rest exactly."""
    strip = lambda record: {k: v for k, v in record.items() if k != "content_sha256"}  # noqa: E731
    compare_fields(strip(declared), strip(recomputed), "", out, numbers_within_tolerance=True, first_index=1)


def _page_state(json_path: Path, model: Any) -> Literal["matches", "differs", "absent"]:
    page = json_path.with_suffix(".html")
    if not page.is_file():
        return "absent"
    render = render_declaration_html if isinstance(model, RecycledContentDeclaration) else render_record_html
    return "matches" if page.read_text(encoding="utf-8") == render(model) else "differs"


def verify_record(record_path: Path | str, product_path: Path | str, *, registry: MagnetRulesRegistry | None = None) -> MagnetVerificationReport:
    """Rebuild a record from the product file and report every difference.

    Raises FootprintInputError only when the record or the product file cannot be read or
    parsed at all; every other problem is in the report.
    """
    record_path, product_path = Path(record_path), Path(product_path)
    raw, _ = read_json(record_path, what="magnet record")
    if not isinstance(raw, dict):
        raise FootprintInputError("a magnet record is a JSON object", file=record_path)
    loaded = load_product(product_path)
    registry = registry or MagnetRulesRegistry()
    kind = raw.get("record_type")
    report: dict[str, Any] = {
        "record": str(record_path), "product": str(product_path), "record_type": kind if isinstance(kind, str) else None,
        "record_id": next((raw[k] for k in ("declaration_id", "record_id") if isinstance(raw.get(k), str)), None),
        "verified_on": dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
        "content_hash_valid": raw.get("content_sha256") == content_hash(raw),
    }
    changed: list[str] = []
    errors: list[str] = []
    if not report["content_hash_valid"]:
        changed.append("record edited: its content hash does not match its content")
    model_type = MODELS.get(kind) if isinstance(kind, str) else None
    if model_type is None:
        errors.append(f"record_type must be {DECLARATION_TYPE!r} or {RECORD_TYPE!r}")
        return MagnetVerificationReport(**report, verdict="not reproduced", reproduced=False, changed_inputs=changed, errors=errors)
    try:
        declared = model_type.model_validate(raw)
    except ValidationError as exc:
        errors.append(f"the record does not match its schema: {from_validation_error(exc)}")
        return MagnetVerificationReport(**report, verdict="not reproduced", reproduced=False, changed_inputs=changed, errors=errors)

    fp = declared.fingerprint
    rules = registry.find(fp.rules_id, fp.rules_version)
    if rules is None:
        errors.append(f"the rules {fp.rules_id} {fp.rules_version} the record names are not installed")
    elif rules.sha256 != fp.rules_sha256:
        changed.append(f"rules: the installed {rules.id} {rules.rules_version} is not the rule set the record was made with (sha256 differs)")
    if loaded.sha256 != fp.product_sha256:
        found = fingerprint(loaded, rules) if rules else None
        parts = [name for name, digest in fp.parts.items() if found is None or found.parts.get(name) != digest]
        changed.append("product file: " + (f"changed parts: {', '.join(parts)}" if parts else "differs only in comments or formatting"))
    if declared.issue_date > today_utc() + dt.timedelta(days=1):
        errors.append(f"the issue date {declared.issue_date} is in the future")

    differences: list[FieldDifference] = []
    checked: list[str] = []
    if rules is not None:
        try:
            assessment = assess_product(loaded, rules=rules, on_date=declared.issue_date)
            declaration, record = build(assessment, declared.issue_date)
            rebuilt = declaration if model_type is RecycledContentDeclaration else record
            if rebuilt is None:
                errors.append(f"the product no longer needs an Art. 29 declaration: {assessment.scope.article_29_statement}")
            else:
                compare(raw, rebuilt.model_dump(mode="json"), differences)
                if isinstance(rebuilt, RecycledContentDeclaration):
                    wrong = {d.field.split("]")[0] for d in differences if d.field.startswith("shares[")}
                    checked = [s.element for i, s in enumerate(rebuilt.shares, start=1) if f"shares[{i}" not in wrong]
        except FootprintError as exc:
            errors.append(f"the product file no longer passes the checks: {exc}")
    page = _page_state(record_path, declared)
    if page == "differs":
        errors.append(f"the page {record_path.with_suffix('.html').name} is not the rendering of its JSON: it was edited (the JSON is the record)")
    reproduced = not (changed or differences or errors)
    return MagnetVerificationReport(
        **report, verdict="reproduced" if reproduced else "not reproduced", reproduced=reproduced,
        changed_inputs=changed, differences=differences, page=page, checked_shares=checked, errors=errors,
    )
