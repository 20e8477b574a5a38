"""Signatures: Ed25519 keys, detached declaration signatures, signed verification statements.

A declaration's content hash (`content_sha256`) tells an edited file from an intact one, but
anyone can re-seal an edited file. A signature tells who issued it: the producer signs the
declaration with a private key only they hold, and anyone checks it with their public key.

* `footprint keys new --out DIR` writes `private-key.pem` (PKCS#8, mode 0600; encrypted with
  the passphrase in FOOTPRINT_KEY_PASSPHRASE when that is set) and `public-key.pem`
  (SubjectPublicKeyInfo). A key is named by its key id: the sha256 of its raw 32 bytes.
* `declaration.sig` (model `Signature`) is a detached signature over the canonical JSON
  (`footprint.files.canonical_json`) of declaration.json as parsed, content hash included.
  Formatting (indentation, key order) is not content; any changed value, key or character of
  text is. The signed bytes are plain canonical JSON, so standard tools can check them too
  (`openssl pkeyutl -verify -rawin`).
* A verification statement (`VerificationStatement`) is what a verifier signs: the verdict,
  the declaration's id and content hash, the tolerance, each check and its outcome, and the
  verifier's identity. `SignedVerificationStatement` carries it with its signature in one file.

The cryptography library does the cryptography; nothing here implements any of it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import __version__
from .declaration import content_hash
from .errors import FootprintInputError
from .files import canonical_json, decode_text, parse_json_text, read_bytes_bounded, sha256_file, sha256_hex, write_bytes_atomically, write_json
from .verification import Tolerance, VerificationReport

PRIVATE_KEY_FILE = "private-key.pem"
PUBLIC_KEY_FILE = "public-key.pem"
SIGNATURE_FILE = "declaration.sig"
STATEMENT_FILE = "verification-statement.json"
PASSPHRASE_ENV = "FOOTPRINT_KEY_PASSPHRASE"
MAX_KEY_BYTES = 16 * 1024
KEY_ID_PATTERN = r"^[0-9a-f]{64}$"

SignedKind = Literal["declaration", "verification statement"]


class SignatureError(FootprintInputError):
    """A signature that is missing, malformed, made with another key, or that does not verify."""


class Signature(BaseModel):
    """A detached Ed25519 signature over the canonical JSON of one document."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal["1"] = "1"
    algorithm: Literal["Ed25519"] = "Ed25519"
    signed: SignedKind = Field(description="What was signed")
    subject_id: str = Field(min_length=1, max_length=200, description="The declaration id the signed document is about")
    key_id: str = Field(pattern=KEY_ID_PATTERN, description="sha256 of the signer's raw 32-byte Ed25519 public key")
    signed_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="sha256 of the signed bytes (the document's canonical JSON)")
    signature: str = Field(min_length=1, max_length=200, description="The 64-byte Ed25519 signature, base64")


class VerifierIdentity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=300, description="The verifier (organisation) as it signs")
    key_id: str = Field(pattern=KEY_ID_PATTERN, description="Key id of the verifier's signing key")


class StatementCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")

    check: str
    passed: bool


class VerificationStatement(BaseModel):
    """What a verifier states about one declaration, to be signed (no activity data, no local paths)."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal["1"] = "1"
    declaration_id: str = Field(min_length=1, max_length=200)
    declaration_content_sha256: str = Field(description="content_sha256 of the declaration verified: the statement is about exactly that content")
    content_hash_valid: bool
    verdict: Literal["reproduced", "not reproduced"]
    reproduced: bool
    tolerance: Tolerance
    checks: list[StatementCheck] = Field(description="What was checked, and whether it passed")
    checked_categories: list[str]
    largest_relative_difference: float | None = None
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


# --- keys ------------------------------------------------------------------------------------


def key_id(public_key: Any) -> str:
    """The key id: sha256 of the raw 32-byte Ed25519 public key."""
    from cryptography.hazmat.primitives import serialization

    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return sha256_hex(raw)


def public_key_pem(public_key: Any) -> str:
    from cryptography.hazmat.primitives import serialization

    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def generate_keys(out_dir: Path | str) -> tuple[Path, Path, str]:
    """Write a new Ed25519 key pair into out_dir; refuse to replace an existing key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    out_dir = Path(out_dir)
    private_path, public_path = out_dir / PRIVATE_KEY_FILE, out_dir / PUBLIC_KEY_FILE
    for path in (private_path, public_path):
        if path.exists():
            raise FootprintInputError("a key is already there; a key is never replaced (choose another folder)", file=path, field="--out")
    private_key = Ed25519PrivateKey.generate()
    passphrase = os.environ.get(PASSPHRASE_ENV)
    encryption = serialization.BestAvailableEncryption(passphrase.encode("utf-8")) if passphrase else serialization.NoEncryption()
    pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    write_bytes_atomically(private_path, pem, private=True)
    try:
        write_bytes_atomically(public_path, public_key_pem(private_key.public_key()).encode("ascii"))
    except BaseException:
        private_path.unlink(missing_ok=True)
        raise
    return private_path, public_path, key_id(private_key.public_key())


def load_private_key(path: Path | str) -> Any:
    """An Ed25519 private key from a PEM file (passphrase from FOOTPRINT_KEY_PASSPHRASE if encrypted)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    data = read_bytes_bounded(path, what="private key", max_bytes=MAX_KEY_BYTES)
    passphrase = os.environ.get(PASSPHRASE_ENV)
    try:
        key = serialization.load_pem_private_key(data, password=passphrase.encode("utf-8") if passphrase else None)
    except TypeError as exc:  # encrypted without a passphrase, or a passphrase for a plain key
        raise SignatureError(f"cannot open the private key: {exc} (set {PASSPHRASE_ENV})", file=path, field="--sign") from None
    except ValueError:
        raise SignatureError("not a readable PEM private key (or a wrong passphrase)", file=path, field="--sign") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SignatureError("the private key is not an Ed25519 key (make one with `footprint keys new`)", file=path, field="--sign")
    return key


def public_key_from_pem(pem: str | bytes, *, file: Path | str | None = None, field: str = "--key") -> Any:
    """An Ed25519 public key from PEM text (SubjectPublicKeyInfo)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    data = pem.encode("ascii", "replace") if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        raise SignatureError("not a readable PEM public key", file=file, field=field) from None
    if not isinstance(key, Ed25519PublicKey):
        raise SignatureError("the public key is not an Ed25519 key", file=file, field=field)
    return key


def load_public_key(path: Path | str) -> Any:
    return public_key_from_pem(read_bytes_bounded(path, what="public key", max_bytes=MAX_KEY_BYTES), file=path)


# --- signing and checking --------------------------------------------------------------------


def sign_document(document: Any, private_key: Any, *, signed: SignedKind, subject_id: str) -> Signature:
    """A detached signature over the canonical JSON of `document` (a parsed JSON value)."""
    message = canonical_json(document)
    return Signature(
        signed=signed,
        subject_id=subject_id,
        key_id=key_id(private_key.public_key()),
        signed_sha256=sha256_hex(message),
        signature=base64.b64encode(private_key.sign(message)).decode("ascii"),
    )


def check_signature(document: Any, signature: Signature, public_key: Any, *, signed: SignedKind, subject_id: str | None = None) -> None:
    """Raise SignatureError unless `signature` is `public_key`'s signature over `document`."""
    from cryptography.exceptions import InvalidSignature

    if signature.signed != signed:
        raise SignatureError(f"the signature is over a {signature.signed}, not a {signed}", field="signature.signed")
    if subject_id is not None and signature.subject_id != subject_id:
        raise SignatureError(f"the signature is for {signature.subject_id!r}, not {subject_id!r}", field="signature.subject_id")
    expected = key_id(public_key)
    if signature.key_id != expected:
        raise SignatureError(
            f"signed with key {signature.key_id[:16]}..., not with the key {expected[:16]}... given", field="signature.key_id"
        )
    try:
        raw = base64.b64decode(signature.signature, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("the signature is not base64", field="signature.signature") from None
    message = canonical_json(document)
    if sha256_hex(message) != signature.signed_sha256:
        raise SignatureError("the document is not the one that was signed: its content changed", field="signature.signed_sha256")
    try:
        public_key.verify(raw, message)
    except InvalidSignature:
        raise SignatureError("the signature does not verify with this key", field="signature.signature") from None


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise ValueError(f"the key {repeated[0]!r} appears twice in one object")
    return dict(pairs)


def read_signed_json(path: Path | str, *, what: str) -> Any:
    """A JSON file to sign or check: bounded, and refused if an object repeats a key.

    Two JSON readers may keep different copies of a repeated key, so a signed file must not
    have any: what was signed would not be what another program shows.
    """
    text = decode_text(read_bytes_bounded(path, what=what), path=path, what=what)
    parse_json_text(text, path=path, what=what)
    try:
        return json.loads(text, object_pairs_hook=_refuse_duplicate_keys)
    except ValueError as exc:
        raise FootprintInputError(f"the {what} cannot be signed or checked: {exc}", file=path) from None


def sign_declaration_file(declaration_path: Path | str, private_key: Any, out: Path | str | None = None) -> Path:
    """Write declaration.sig (beside the declaration unless `out`) and return its path."""
    declaration_path = Path(declaration_path)
    document = read_signed_json(declaration_path, what="declaration")
    if not isinstance(document, dict) or not isinstance(document.get("declaration_id"), str):
        raise FootprintInputError("not a declaration (no declaration_id)", file=declaration_path)
    signature = sign_document(document, private_key, signed="declaration", subject_id=document["declaration_id"])
    target = Path(out) if out is not None else declaration_path.parent / SIGNATURE_FILE
    write_json(target, signature)
    return target


def _parse_model(model: type[BaseModel], data: Any, *, file: Path | str | None, what: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or None
        raise FootprintInputError(f"not a valid {what}: {first['msg']}", file=file, field=where) from None


def statement_checks(report: VerificationReport) -> list[StatementCheck]:
    """The verifier's checks, in the order `footprint verify` makes them, with their outcome."""
    kinds = report.kinds()
    inputs = {"bill of materials", "energy mix", "elementary flows", "operator and sites", "system boundary", "study file"}
    return [
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
    signed = _parse_model(SignedVerificationStatement, document, file=file, what="signed verification statement")
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


def verify_signature_file(path: Path | str, public_key_file: Path | str, signature_file: Path | str | None = None) -> SignatureCheck:
    """Check a declaration (with its declaration.sig) or a signed verification statement.

    Raises FootprintInputError when a file cannot be read; a signature that fails is a
    SignatureCheck with valid=False and the reason.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "declaration.json"
    public_key = load_public_key(public_key_file)
    document = read_signed_json(path, what="signed file")
    if isinstance(document, dict) and set(document) == {"statement", "signature"}:
        signed = _parse_model(SignedVerificationStatement, document, file=path, what="signed verification statement")
        try:
            check_statement(document, public_key)
        except SignatureError as exc:
            return SignatureCheck(valid=False, kind="verification statement", subject_id=signed.statement.declaration_id, key_id=signed.signature.key_id, detail=str(exc))
        return SignatureCheck(
            valid=True, kind="verification statement", subject_id=signed.statement.declaration_id, key_id=signed.signature.key_id,
            detail=f"signed by {signed.statement.verifier.name}: verdict {signed.statement.verdict}",
        )
    if not isinstance(document, dict) or not isinstance(document.get("declaration_id"), str):
        raise FootprintInputError("neither a declaration nor a signed verification statement", file=path)
    sig_path = Path(signature_file) if signature_file is not None else path.parent / SIGNATURE_FILE
    if not sig_path.is_file():
        raise SignatureError("the declaration has no signature beside it (declaration.sig); give --signature", file=sig_path)
    signature = _parse_model(Signature, read_signed_json(sig_path, what="signature"), file=sig_path, what="signature")
    try:
        check_signature(document, signature, public_key, signed="declaration", subject_id=document["declaration_id"])
    except SignatureError as exc:
        return SignatureCheck(valid=False, kind="declaration", subject_id=document["declaration_id"], key_id=signature.key_id, detail=str(exc))
    sealed = document.get("content_sha256") == content_hash(document)
    detail = "signature valid" + ("" if sealed else "; but the content hash inside does not match: the issuer signed an unsealed file")
    return SignatureCheck(valid=sealed, kind="declaration", subject_id=document["declaration_id"], key_id=signature.key_id, detail=detail)
