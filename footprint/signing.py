"""Signatures: Ed25519 keys and detached signatures over the canonical JSON of a document.

A sealed record's content hash (`content_sha256`) tells an edited file from an intact one, but
anyone can re-seal an edited file. A signature tells who issued it: the issuer signs with a
private key only they hold, and anyone checks it with their public key.

* `footprint keys new --out DIR` writes `private-key.pem` (PKCS#8, mode 0600; encrypted with
  the passphrase in FOOTPRINT_KEY_PASSPHRASE when that is set) and `public-key.pem`
  (SubjectPublicKeyInfo). A key is named by its key id: the sha256 of its raw 32 bytes.
* A detached signature (model `Signature`, file `<name>.sig` beside `<name>.json`) is over the
  canonical JSON (`footprint.files.canonical_json`) of the record as parsed, content hash
  included. Formatting (indentation, key order) is not content; any changed value, key or
  character of text is. The signed bytes are plain canonical JSON, so standard tools can check
  them too (`openssl pkeyutl -verify -rawin`).
* What is signed: a footprint declaration (declaration.json), the two permanent-magnet records
  (recycled-content.json, data-record.json: the kind is their `record_type`), and a verifier's
  statement (`footprint.verification.statement`).

The cryptography library does the cryptography; nothing here implements any of it. This module
sits low (it knows files and errors only), so the output sets that write records can sign them.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .errors import FootprintInputError
from .files import canonical_json, decode_text, parse_json_text, read_bytes_bounded, sha256_hex, write_bytes_atomically, write_json

PRIVATE_KEY_FILE = "private-key.pem"
PUBLIC_KEY_FILE = "public-key.pem"
SIGNATURE_FILE = "declaration.sig"
PASSPHRASE_ENV = "FOOTPRINT_KEY_PASSPHRASE"
MAX_KEY_BYTES = 16 * 1024
KEY_ID_PATTERN = r"^[0-9a-f]{64}$"

# A footprint declaration, a verifier's statement, and the magnet records by their record_type.
SignedKind = Literal["declaration", "verification statement", "art29-recycled-content", "art28-data-record"]
RECORD_KINDS = ("declaration", "art29-recycled-content", "art28-data-record")


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


def record_subject(document: Any) -> tuple[str, str] | None:
    """(kind, id) of a sealed record as parsed: a declaration, or a magnet record by its record_type."""
    if not isinstance(document, dict):
        return None
    kind = document.get("record_type", "declaration")
    if kind not in RECORD_KINDS:
        return None
    subject = document.get("record_id" if kind == "art28-data-record" else "declaration_id")
    return (kind, subject) if isinstance(subject, str) and subject else None


def signature_path(record_path: Path | str) -> Path:
    """Where a record's detached signature lives: `<name>.sig` beside `<name>.json`."""
    return Path(record_path).with_suffix(".sig")


def sign_record_file(record_path: Path | str, private_key: Any, out: Path | str | None = None) -> Path:
    """Sign a sealed record file (declaration.json, recycled-content.json, data-record.json); write
    `<name>.sig` beside it (or at `out`) and return its path."""
    record_path = Path(record_path)
    document = read_signed_json(record_path, what="record")
    subject = record_subject(document)
    if subject is None:
        raise FootprintInputError("not a declaration or magnet record (no declaration_id or record_id)", file=record_path)
    signature = sign_document(document, private_key, signed=subject[0], subject_id=subject[1])  # type: ignore[arg-type]
    target = Path(out) if out is not None else signature_path(record_path)
    write_json(target, signature)
    return target


sign_declaration_file = sign_record_file  # declaration.json -> declaration.sig


def check_record_signature(document: Any, signature: Signature, public_key: Any) -> None:
    """Raise SignatureError unless `signature` is `public_key`'s signature over this sealed record."""
    subject = record_subject(document)
    if subject is None:
        raise SignatureError("not a declaration or magnet record (no declaration_id or record_id)")
    check_signature(document, signature, public_key, signed=subject[0], subject_id=subject[1])  # type: ignore[arg-type]
