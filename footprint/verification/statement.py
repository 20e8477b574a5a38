"""What a verifier signs, and checking a signed file.

A verification statement (`VerificationStatement`) is the part of a verification report a
verifier vouches for in public: the verdict, the declaration's id and content hash, the
tolerance, each check and its outcome, what the recalculation could not rule out, and the
verifier's identity. `SignedVerificationStatement` carries it with its Ed25519 signature
(`footprint.signing`) in one file, `verification-statement.json`. It names no local path and no
activity amount: only hashes of the study and of the full report the verifier keeps.

`verify_signature_file` answers `footprint verify-signature`: a sealed record (a declaration
or a magnet record, with `<name>.sig` beside it) or a signed statement, checked with a public
key. `check_producer_signature` is what `footprint verify --producer-key` runs first, so that a
verification whose issuer's signature was checked need not warn about re-dating.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .. import __version__
from ..declaration.build import content_hash
from ..errors import FootprintInputError, from_validation_error
from ..files import canonical_json, sha256_file, sha256_hex
from ..signing import (
    KEY_ID_PATTERN,
    Signature,
    SignatureError,
    SignedKind,
    check_record_signature,
    check_signature,
    key_id,
    load_public_key,
    read_signed_json,
    record_subject,
    sign_document,
    signature_path,
)
from .report import Tolerance, VerificationReport

STATEMENT_FILE = "verification-statement.json"


class VerifierIdentity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=300, description="The verifier (organisation) as it signs")
    key_id: str = Field(pattern=KEY_ID_PATTERN, description="Key id of the verifier's signing key")


class StatementCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")

    check: str = Field(max_length=500)
    passed: bool


class VerificationStatement(BaseModel):
    """What a verifier states about one declaration, to be signed (no activity data, no local paths)."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal["1"] = "1"
    declaration_id: str = Field(min_length=1, max_length=200)
    declaration_content_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="content_sha256 of the declaration verified: the statement is about exactly that content")
    content_hash_valid: bool
    verdict: Literal["reproduced", "not reproduced"]
    reproduced: bool
    tolerance: Tolerance
    checks: list[StatementCheck] = Field(max_length=50, description="What was checked, and whether it passed")
    checked_categories: list[str] = Field(max_length=100)
    largest_relative_difference: float | None = None
    cannot_rule_out: list[str] = Field(
        default_factory=list, max_length=20,
        description="What the recalculation could not check (empty when the producer's signature over the declaration was checked)",
    )
    study_sha256: str | None = Field(default=None, description="sha256 of the study file the declaration was re-run from")
    report_sha256: str = Field(description="sha256 of the canonical JSON of the full verification report the verifier keeps")
    verified_on: dt.datetime
    verifier: VerifierIdentity
    footprint_version: str = __version__


class SignedVerificationStatement(BaseModel):
    """A verification statement with its signature, in one file."""

    model_config = ConfigDict(extra="forbid")

    statement: VerificationStatement
    signature: Signature


def _parse(model: type[BaseModel], data: Any, *, file: Path | str | None, what: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = from_validation_error(exc, file=file)
        raise FootprintInputError(f"not a valid {what}: {error.message}", file=file, field=error.field) from None


def statement_checks(report: VerificationReport) -> list[StatementCheck]:
    """The verifier's checks, in the order `footprint verify` makes them, with their outcome."""
    kinds = report.kinds()
    inputs = {"bill of materials", "energy mix", "elementary flows", "operator and sites", "system boundary", "study file"}
    checks = [
        StatementCheck(check="content hash of the declaration", passed=report.content_hash_valid),
        StatementCheck(check="study inputs (bill of materials, energy mix, elementary flows, operator and sites, boundary)", passed=not (kinds & inputs)),
        StatementCheck(check="impact-assessment method set", passed="method" not in kinds),
        StatementCheck(check="material calculation rules", passed="rules" not in kinds),
        StatementCheck(check="background database", passed="background" not in kinds),
        StatementCheck(check="recalculated results of every declared category and stage, within the tolerance", passed=bool(report.checked_categories) and "result" not in kinds),
        StatementCheck(check="performance class", passed="class" not in kinds),
        StatementCheck(check="every other field, the declaration id and the issue date", passed="field" not in kinds),
        StatementCheck(check="the calculation could be run", passed="error" not in kinds),
    ]
    if not report.cannot_rule_out:
        checks.insert(1, StatementCheck(check="the producer's signature over the declaration", passed=True))
    return checks


def statement_from_report(report: VerificationReport, verifier: str, private_key: Any) -> SignedVerificationStatement:
    """Sign what a verification report states about its declaration."""
    if not report.declaration_id or not report.declared_content_sha256:
        raise FootprintInputError("the declaration names no id or content hash, so no statement can be made about it", file=report.declaration)
    study = Path(report.study)
    statement = VerificationStatement(
        declaration_id=report.declaration_id,
        declaration_content_sha256=report.declared_content_sha256,
        content_hash_valid=report.content_hash_valid,
        verdict=report.verdict,
        reproduced=report.reproduced,
        tolerance=report.tolerance,
        checks=statement_checks(report),
        checked_categories=report.checked_categories,
        largest_relative_difference=report.largest_relative_difference,
        cannot_rule_out=report.cannot_rule_out,
        study_sha256=sha256_file(study) if study.is_file() else None,
        report_sha256=sha256_hex(canonical_json(report.model_dump(mode="json"))),
        verified_on=report.verified_on,
        verifier=VerifierIdentity(name=verifier, key_id=key_id(private_key.public_key())),
    )
    document = statement.model_dump(mode="json")
    signature = sign_document(document, private_key, signed="verification statement", subject_id=statement.declaration_id)
    return SignedVerificationStatement(statement=statement, signature=signature)


def check_statement(document: Any, public_key: Any, *, file: Path | str | None = None) -> SignedVerificationStatement:
    """The signed statement in `document` (parsed JSON), if `public_key` signed it; else SignatureError.

    The signature is checked over the statement exactly as it arrived (not as re-serialised), so
    a statement written by another program checks the same.
    """
    signed = _parse(SignedVerificationStatement, document, file=file, what="signed verification statement")
    if signed.statement.verifier.key_id != signed.signature.key_id:
        raise SignatureError("the statement names another key than the one that signed it", file=file, field="statement.verifier.key_id")
    try:
        check_signature(document["statement"], signed.signature, public_key, signed="verification statement", subject_id=signed.statement.declaration_id)
    except SignatureError as exc:
        raise exc.located(file=file) if file is not None else exc
    return signed


class SignatureCheck(BaseModel):
    """The answer of `footprint verify-signature`."""

    valid: bool
    kind: SignedKind
    subject_id: str
    key_id: str
    detail: str


def check_record_file(path: Path | str, public_key: Any, signature_file: Path | str | None = None) -> SignatureCheck:
    """A sealed record (declaration or magnet record) and its detached signature, checked with `public_key`.

    Raises FootprintInputError when a file cannot be read or the signature is missing; a
    signature that does not verify is a SignatureCheck with valid=False and the reason.
    """
    path = Path(path)
    document = read_signed_json(path, what="signed file")
    subject = record_subject(document)
    if subject is None:
        raise FootprintInputError("neither a declaration, a magnet record nor a signed verification statement", file=path)
    kind, subject_id = subject
    sig_path = Path(signature_file) if signature_file is not None else signature_path(path)
    if not sig_path.is_file():
        raise SignatureError(f"the {kind} has no signature beside it ({sig_path.name}); give --signature", file=sig_path)
    signature = _parse(Signature, read_signed_json(sig_path, what="signature"), file=sig_path, what="signature")
    try:
        check_record_signature(document, signature, public_key)
    except SignatureError as exc:
        return SignatureCheck(valid=False, kind=kind, subject_id=subject_id, key_id=signature.key_id, detail=str(exc))  # type: ignore[arg-type]
    sealed = document.get("content_sha256") == content_hash(document)
    detail = "signature valid" + ("" if sealed else "; but the content hash inside does not match: the issuer signed an unsealed file")
    return SignatureCheck(valid=sealed, kind=kind, subject_id=subject_id, key_id=signature.key_id, detail=detail)  # type: ignore[arg-type]


def verify_signature_file(path: Path | str, public_key_file: Path | str, signature_file: Path | str | None = None) -> SignatureCheck:
    """Check a sealed record (with `<name>.sig` beside it; a folder means its declaration.json) or a
    signed verification statement against the public key in `public_key_file`."""
    path = Path(path)
    if path.is_dir():
        path = path / "declaration.json"
    public_key = load_public_key(public_key_file)
    document = read_signed_json(path, what="signed file")
    if isinstance(document, dict) and set(document) == {"statement", "signature"}:
        signed = _parse(SignedVerificationStatement, document, file=path, what="signed verification statement")
        try:
            check_statement(document, public_key)
        except SignatureError as exc:
            return SignatureCheck(valid=False, kind="verification statement", subject_id=signed.statement.declaration_id, key_id=signed.signature.key_id, detail=str(exc))
        return SignatureCheck(
            valid=True, kind="verification statement", subject_id=signed.statement.declaration_id, key_id=signed.signature.key_id,
            detail=f"signed by {signed.statement.verifier.name}: verdict {signed.statement.verdict}",
        )
    return check_record_file(path, public_key, signature_file)


def check_producer_signature(declaration: Path | str, public_key: Any) -> SignatureCheck:
    """The declaration's declaration.sig checked with its producer's key (what `verify --producer-key` does first)."""
    path = Path(declaration)
    if path.is_dir():
        path = path / "declaration.json"
    return check_record_file(path, public_key)


def with_signature_failure(report: VerificationReport, check: SignatureCheck) -> VerificationReport:
    """The report of a declaration whose producer's signature did not verify: not reproduced, saying why."""
    error = f"the producer's signature over the declaration does not verify: {check.detail}"
    return report.model_copy(update={"verdict": "not reproduced", "reproduced": False, "errors": [*report.errors, error]})
