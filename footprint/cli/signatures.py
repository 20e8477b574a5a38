"""Signing keys and signatures on the command line.

    footprint keys new --out DIR                Ed25519 key pair (private-key.pem 0600, public-key.pem)
    footprint verify-signature FILE --key PUB   a declaration or magnet record (with <name>.sig), or a signed statement

`footprint declare --sign KEY`, `footprint magnets declare --sign KEY` and `footprint verify
--sign KEY --verifier NAME [--producer-key PUB]` load their keys with `load_key` and write
statements with `write_verification_statements` from here; the work is `footprint.signing` and
`footprint.verification.statement`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from .common import console, fail, output_path

keys_app = typer.Typer(help="Signing keys (Ed25519) for declarations, magnet records and verification statements.", no_args_is_help=True)


def load_key(path: Path, *, private: bool) -> Any:
    """The private key of --sign (or the public key of --producer-key), or exit 2 naming the file."""
    from ..errors import FootprintError
    from ..signing import load_private_key, load_public_key

    try:
        return load_private_key(path) if private else load_public_key(path)
    except FootprintError as exc:
        fail(exc)


def write_verification_statements(reports: list[Any], key: Any, verifier: str, target: Path | None, inputs: set[Path]) -> list[Path]:
    """One signed verification statement per report: beside its declaration, or in/at `target`."""
    from ..errors import FootprintError, FootprintInputError
    from ..files import write_json
    from ..verification.statement import STATEMENT_FILE, statement_from_report

    written = []
    for report in reports:
        if target is None:
            path = Path(report.declaration).parent / STATEMENT_FILE
        elif len(reports) == 1 and not target.is_dir() and target.suffix.lower() == ".json":
            path = target
        else:
            path = target / (STATEMENT_FILE if len(reports) == 1 else f"{report.declaration_id}.statement.json")
        if path.resolve() in inputs:
            fail(FootprintInputError("the statement would overwrite a declaration or study being verified", file=path, field="--statement"))
        try:
            write_json(path, statement_from_report(report, verifier, key))
        except FootprintError as exc:
            fail(exc)
        written.append(path)
    return written


def statement_summary(path: Path) -> str:
    """One line about a signed statement just written, for the verification report's signature slot."""
    from ..verification.statement import SignedVerificationStatement

    signed = SignedVerificationStatement.model_validate_json(path.read_text(encoding="utf-8"))
    s = signed.statement
    return (f"Signed by {s.verifier.name} with the Ed25519 key {s.verifier.key_id[:16]}… on {s.verified_on:%Y-%m-%d %H:%M} UTC: "
            f"verdict {s.verdict}. The signed statement is {path.name}; check it with footprint verify-signature {path.name} --key <verifier's public key>.")


@keys_app.command("new")
def keys_new_command(out: Annotated[Path, typer.Option("--out", "-o", parser=output_path, help="Folder for private-key.pem and public-key.pem")]) -> None:
    """Make an Ed25519 key pair. Keep private-key.pem to yourself; give public-key.pem to the registry."""
    from ..errors import FootprintError
    from ..signing import PASSPHRASE_ENV, generate_keys

    try:
        private, public, kid = generate_keys(out)
    except FootprintError as exc:
        fail(exc)
    console.print(f"wrote {private} (keep it secret{'; encrypted with ' + PASSPHRASE_ENV if os.environ.get(PASSPHRASE_ENV) else ''})")
    console.print(f"wrote {public}")
    console.print(f"key id {kid}")


def verify_signature_command(
    file: Annotated[Path, typer.Argument(help="declaration.json (or its folder), recycled-content.json, data-record.json, or a signed verification statement")],
    key: Annotated[Path, typer.Option("--key", "-k", help="The signer's public key (PEM)")],
    signature: Annotated[Optional[Path], typer.Option("--signature", help="The record's signature [<name>.sig beside it]")] = None,
) -> None:
    """Check that a record or a verification statement is signed by the holder of KEY (exit 0), or say why not (exit 1)."""
    from ..errors import FootprintError
    from ..verification.statement import verify_signature_file

    try:
        result = verify_signature_file(file, key, signature)
    except FootprintError as exc:
        fail(exc)
    colour = "green" if result.valid else "red"
    console.print(f"[bold {colour}]{'VALID' if result.valid else 'NOT VALID'}[/]: {result.kind} {result.subject_id}, key {result.key_id[:16]}...: {result.detail}", highlight=False, soft_wrap=True)
    raise typer.Exit(0 if result.valid else 1)
