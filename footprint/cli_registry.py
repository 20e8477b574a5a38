"""Commands for signatures and the public registry.

    footprint keys new --out DIR                       Ed25519 key pair (private-key.pem 0600, public-key.pem)
    footprint verify-signature FILE --key PUB          a declaration (with declaration.sig) or a signed statement
    footprint serve [--db URL] [--host] [--port] [--workers N]
    footprint registry add-account --role R --operator NAME [--public-key PUB] [--db URL]
    footprint registry publish DECL_DIR --url URL --token T --quantity-t Q [--supersedes ID]
    footprint registry attest STATEMENT --url URL --token T
    footprint registry withdraw ID --reason TEXT --url URL --token T
    footprint registry market --url URL --token T [--material M] --out FILE

`mount(app)` registers them on the main CLI. `footprint declare --sign KEY` and `footprint
verify --sign KEY --verifier NAME` call `load_signing_key`, `sign_declaration_file` and
`write_verification_statements` from here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from .cli_common import console, err_console, fail

keys_app = typer.Typer(help="Signing keys (Ed25519) for declarations and verification statements.", no_args_is_help=True)
registry_app = typer.Typer(help="The public declaration registry (Art. 31(10)): accounts, publish, attest, withdraw, market data.", no_args_is_help=True)

_Url = Annotated[str, typer.Option("--url", envvar="FOOTPRINT_REGISTRY_URL", help="The registry, e.g. http://127.0.0.1:8000")]
_Token = Annotated[str, typer.Option("--token", envvar="FOOTPRINT_REGISTRY_TOKEN", help="Your API token (or set FOOTPRINT_REGISTRY_TOKEN)")]
_Db = Annotated[Optional[str], typer.Option("--db", envvar="FOOTPRINT_REGISTRY_DB", help="Database URL [SQLite file in footprint's data folder]")]


def mount(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
    app.add_typer(registry_app, name="registry")
    app.command("verify-signature")(verify_signature_command)
    app.command("serve")(serve_command)


# --- used by declare and verify -------------------------------------------------------------------


def load_signing_key(path: Path) -> Any:
    """The private key for --sign, or exit 2 naming the file."""
    from .errors import FootprintError
    from .signing import load_private_key

    try:
        return load_private_key(path)
    except FootprintError as exc:
        fail(exc)


def sign_declaration_file(declaration_json: Path, key: Any) -> Path:
    from .signing import sign_declaration_file as sign

    return sign(declaration_json, key)


def write_verification_statements(reports: list[Any], key: Any, verifier: str, target: Path | None, inputs: set[Path]) -> list[Path]:
    """One signed verification statement per report: beside its declaration, or in/at `target`."""
    from .errors import FootprintError, FootprintInputError
    from .files import write_json
    from .signing import STATEMENT_FILE, statement_from_report

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


# --- keys and signatures --------------------------------------------------------------------------


@keys_app.command("new")
def keys_new_command(out: Annotated[Path, typer.Option("--out", "-o", help="Folder for private-key.pem and public-key.pem")]) -> None:
    """Make an Ed25519 key pair. Keep private-key.pem to yourself; give public-key.pem to the registry."""
    from .errors import FootprintError
    from .signing import PASSPHRASE_ENV, generate_keys

    try:
        private, public, kid = generate_keys(out)
    except FootprintError as exc:
        fail(exc)
    console.print(f"wrote {private} (keep it secret{'; encrypted with ' + PASSPHRASE_ENV if os.environ.get(PASSPHRASE_ENV) else ''})")
    console.print(f"wrote {public}")
    console.print(f"key id {kid}")


def verify_signature_command(
    file: Annotated[Path, typer.Argument(help="declaration.json (or its folder), or a signed verification statement")],
    key: Annotated[Path, typer.Option("--key", "-k", help="The signer's public key (PEM)")],
    signature: Annotated[Optional[Path], typer.Option("--signature", help="The declaration's signature [declaration.sig beside it]")] = None,
) -> None:
    """Check that a declaration or a verification statement is signed by the holder of KEY (exit 0), or say why not (exit 1)."""
    from .errors import FootprintError
    from .signing import verify_signature_file

    try:
        result = verify_signature_file(file, key, signature)
    except FootprintError as exc:
        fail(exc)
    colour = "green" if result.valid else "red"
    console.print(f"[bold {colour}]{'VALID' if result.valid else 'NOT VALID'}[/]: {result.kind} {result.subject_id}, key {result.key_id[:16]}...: {result.detail}", highlight=False, soft_wrap=True)
    raise typer.Exit(0 if result.valid else 1)


# --- the registry ----------------------------------------------------------------------------------


def serve_command(
    db: _Db = None,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes (uvicorn)")] = 1,
    max_body: Annotated[int, typer.Option(min=1024, help="Largest request body in bytes")] = 4 * 1024 * 1024,
    access_log: Annotated[bool, typer.Option("--access-log/--no-access-log", help="Log every request")] = False,
) -> None:
    """Run the public registry (website and JSON API) on uvicorn; migrates the database first."""
    from sqlalchemy.engine import make_url

    from .errors import FootprintError
    from .registry.app import DB_ENV, MAX_BODY_ENV, MIGRATE_ENV
    from .registry.db import default_db_url, make_engine, migrate

    url = db or default_db_url()
    try:
        engine = make_engine(url)
        migrate(engine)
        engine.dispose()
    except FootprintError as exc:
        fail(exc)
    except Exception as exc:  # the database cannot be reached or opened
        fail(FootprintError(f"cannot open the registry database {make_url(url).render_as_string(hide_password=True)}: {exc}"))
    os.environ.update({DB_ENV: url, MIGRATE_ENV: "0", MAX_BODY_ENV: str(max_body)})
    import uvicorn

    err_console.print(f"footprint registry on http://{host}:{port}/ ({workers} worker{'s' if workers > 1 else ''}; database {make_url(url).render_as_string(hide_password=True)})", highlight=False, soft_wrap=True)
    uvicorn.run("footprint.registry.app:app_from_environment", factory=True, host=host, port=port, workers=workers, access_log=access_log, log_level="info" if access_log else "warning")


@registry_app.command("add-account")
def add_account_command(
    role: Annotated[str, typer.Option("--role", help="producer, verifier, regulator or admin")],
    operator: Annotated[str, typer.Option("--operator", help="The organisation, as its declarations (or statements) name it")],
    public_key: Annotated[Optional[Path], typer.Option("--public-key", help="Its public key (PEM): producers and verifiers")] = None,
    db: _Db = None,
) -> None:
    """Make an account on the registry's database; prints its API token once (on stdout)."""
    from .errors import FootprintError
    from .files import decode_text, read_bytes_bounded
    from .registry.accounts import add_account
    from .registry.db import make_engine, migrate, write_session

    try:
        pem = decode_text(read_bytes_bounded(public_key, what="public key", max_bytes=16_384), path=public_key, what="public key") if public_key else None
        engine = make_engine(db)
        migrate(engine)
        with write_session(engine) as session:
            account, token = add_account(session, role=role, operator=operator, public_key=pem)
    except FootprintError as exc:
        fail(exc)
    err_console.print(f"account {account.id}: {account.role} for {account.operator!r}" + (f", key {account.key_id[:16]}..." if account.key_id else "")
                      + ". Its token follows; it is shown only this once.", highlight=False)
    typer.echo(token)


def _client(url: str, token: str | None) -> Any:
    from .errors import FootprintError
    from .registry.client import RegistryClient

    try:
        return RegistryClient(url, token)
    except FootprintError as exc:
        fail(exc)


def _call(function: Any, *args: Any, **kwargs: Any) -> Any:
    from .errors import FootprintError

    try:
        return function(*args, **kwargs)
    except FootprintError as exc:
        fail(exc)


@registry_app.command("publish")
def publish_command(
    folder: Annotated[Path, typer.Argument(help="Folder `footprint declare --sign` wrote (declaration.json, declaration.sig, study.html)")],
    quantity_t: Annotated[float, typer.Option("--quantity-t", help="Tonnes placed on the EU market under this declaration (confidential)")],
    url: _Url,
    token: _Token,
    supersedes: Annotated[Optional[str], typer.Option("--supersedes", help="Id of your current declaration this one replaces")] = None,
) -> None:
    """Publish a signed declaration with its public study and the quantity placed on the market."""
    answer = _call(_client(url, token).publish, folder, quantity_t, supersedes)
    console.print(f"published {answer['declaration_id']}: {url.rstrip('/')}{answer['url']}", highlight=False)


@registry_app.command("attest")
def attest_command(
    statement: Annotated[Path, typer.Argument(help="verification-statement.json from `footprint verify --sign`")],
    url: _Url,
    token: _Token,
) -> None:
    """Attach your signed verification statement to the declaration it is about."""
    answer = _call(_client(url, token).attest, statement)
    console.print(f"attached statement {answer['number']} ({answer['verdict']}): {url.rstrip('/')}{answer['statement_url']}", highlight=False)


@registry_app.command("withdraw")
def withdraw_command(
    declaration_id: Annotated[str, typer.Argument(help="The declaration to withdraw")],
    reason: Annotated[str, typer.Option("--reason", help="Why (shown on the declaration's page)")],
    url: _Url,
    token: _Token,
) -> None:
    """Withdraw one of your declarations; it stays readable, marked withdrawn, with the reason."""
    answer = _call(_client(url, token).withdraw, declaration_id, reason)
    console.print(f"withdrawn {answer['declaration_id']}: {url.rstrip('/')}{answer['url']}", highlight=False)


@registry_app.command("market")
def market_command(
    url: _Url,
    token: _Token,
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV to write (the format of classes calibrate --market)")],
    material: Annotated[Optional[str], typer.Option("--material", "-m", help="Only this material")] = None,
) -> None:
    """Download the market data (declared values with quantities; regulators only)."""
    from .files import write_atomically

    text = _call(_client(url, token).market_csv, material)
    _call(write_atomically, out, text)
    console.print(f"wrote {out} ({max(text.count(chr(10)) - 1, 0)} rows)")
