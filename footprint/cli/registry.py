"""The public registry on the command line (the work is `footprint.registry`).

    footprint serve [--db URL] [--host] [--port] [--workers N] [--public-url URL]
    footprint registry add-account --role R --operator NAME [--public-key PUB] [--db URL]
    footprint registry publish DECL_DIR --url URL --token T --quantity-t Q [--supersedes ID] [--study STUDY [--cpc CODE]]
    footprint registry publish-magnets RECORDS_DIR --url URL --token T
    footprint registry attest STATEMENT --url URL --token T
    footprint registry withdraw ID --reason TEXT --url URL --token T
    footprint registry market --url URL --token T [--material M] --out FILE

`footprint/cli/__init__.py` mounts `registry_app` and `serve_command`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from .common import console, err_console, fail, output_path, quiet_brightway

registry_app = typer.Typer(help="The public declaration registry (Art. 31(10)): accounts, publish, attest, withdraw, market data.", no_args_is_help=True)

_Url = Annotated[str, typer.Option("--url", envvar="FOOTPRINT_REGISTRY_URL", help="The registry, e.g. http://127.0.0.1:8000")]
_Token = Annotated[str, typer.Option("--token", envvar="FOOTPRINT_REGISTRY_TOKEN", help="Your API token (or set FOOTPRINT_REGISTRY_TOKEN)")]
_Db = Annotated[Optional[str], typer.Option("--db", envvar="FOOTPRINT_REGISTRY_DB", help="Database URL [SQLite file in footprint's data folder]")]


# --- the registry ----------------------------------------------------------------------------------


def serve_command(
    db: _Db = None,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes (uvicorn)")] = 1,
    max_body: Annotated[int, typer.Option(min=1024, help="Largest request body in bytes")] = 4 * 1024 * 1024,
    access_log: Annotated[bool, typer.Option("--access-log/--no-access-log", help="Log every request")] = False,
    public_url: Annotated[Optional[str], typer.Option("--public-url", envvar="FOOTPRINT_REGISTRY_PUBLIC_URL", help="The registry's public base address (declarations' public addresses must start with it) [the address each request came to]")] = None,
) -> None:
    """Run the public registry (website, JSON API, PACT API) on uvicorn; migrates the database first."""
    from sqlalchemy.engine import make_url

    from ..errors import FootprintError
    from ..links import registry_base
    from ..registry.app import DB_ENV, MAX_BODY_ENV, MIGRATE_ENV, PUBLIC_URL_ENV
    from ..registry.db import default_db_url, make_engine, migrate

    url = db or default_db_url()
    try:
        if public_url is not None:
            os.environ[PUBLIC_URL_ENV] = registry_base(public_url, field="--public-url")
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
    role: Annotated[str, typer.Option("--role", help="producer, verifier, regulator, admin or buyer (reads PACT footprints)")],
    operator: Annotated[str, typer.Option("--operator", help="The organisation, as its declarations (or statements) name it")],
    public_key: Annotated[Optional[Path], typer.Option("--public-key", help="Its public key (PEM): producers and verifiers")] = None,
    db: _Db = None,
) -> None:
    """Make an account on the registry's database; prints its API token once (on stdout)."""
    from ..errors import FootprintError
    from ..files import decode_text, read_bytes_bounded
    from ..registry.accounts import add_account
    from ..registry.db import make_engine, migrate, write_session

    try:
        pem = decode_text(read_bytes_bounded(public_key, what="public key", max_bytes=16_384), path=public_key, what="public key") if public_key else None
        engine = make_engine(db)
        migrate(engine)
        with write_session(engine) as session:
            account, token = add_account(session, role=role, operator=operator, public_key=pem)
    except FootprintError as exc:
        fail(exc)
    err_console.print(f"account {account.id}: {account.role} for {account.operator!r}" + (f", key {account.key_id[:16]}..." if account.key_id else "")
                      + f"; PACT client id {account.token_id} (the secret is the token). Its token follows; it is shown only this once.", highlight=False)
    typer.echo(token)


def _client(url: str, token: str | None) -> Any:
    from ..errors import FootprintError
    from ..registry.client import RegistryClient

    try:
        return RegistryClient(url, token)
    except FootprintError as exc:
        fail(exc)


def _call(function: Any, *args: Any, **kwargs: Any) -> Any:
    from ..errors import FootprintError

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
    study: Annotated[Optional[Path], typer.Option("--study", "-s", help="The study (TOML) behind the declaration: also publish its PACT footprints (3.0; and 2.3 with a CPC code)")] = None,
    cpc: Annotated[Optional[str], typer.Option("--cpc", help="UN CPC code of the product, for the PACT 2.3 footprint (with --study)")] = None,
    company_id: Annotated[Optional[list[str]], typer.Option("--company-id", help="Your identifier as a URN for the PACT footprints (repeatable; with --study)")] = None,
) -> None:
    """Publish a signed declaration with its public study, the quantity placed on the market and, with
    --study, its PACT product footprints (computed here, from the study, which is never uploaded)."""
    client = _client(url, token)
    pact = None
    if study is not None:
        from ..export.build import pact_documents

        with quiet_brightway():
            pact = _call(pact_documents, folder, study=study, cpc_code=cpc, company_id=company_id)
        if "pact_v2" not in pact:
            err_console.print("PACT 2.3 footprint not published: it needs a UN CPC code (--cpc CODE); PACT 3.0 is", highlight=False)
    elif cpc is not None or company_id:
        fail(_input_error("--cpc and --company-id describe the PACT footprints, which need --study", "--study"))
    answer = _call(client.publish, folder, quantity_t, supersedes, pact)
    console.print(f"published {answer['declaration_id']}: {url.rstrip('/')}{answer['url']}", highlight=False)
    for version in ("pact_v2", "pact_v3"):
        if version in answer.get("links", {}):
            console.print(f"  {version.replace('_v', ' ')} footprint: {url.rstrip('/')}{answer['links'][version]}", highlight=False)


def _input_error(message: str, field: str) -> Exception:
    from ..errors import FootprintInputError

    return FootprintInputError(message, field=field)


@registry_app.command("publish-magnets")
def publish_magnets_command(
    folder: Annotated[Path, typer.Argument(help="Folder `footprint magnets declare` wrote (data-record.json, recycled-content.json, their .sig files if signed)")],
    url: _Url,
    token: _Token,
) -> None:
    """Publish a product's permanent-magnet records (Art. 28 data record, Art. 29 declaration), each on its own permanent page."""
    answer = _call(_client(url, token).publish_magnets, folder)
    base = url.rstrip("/")
    console.print(f"published data record {answer['record_id']}: {base}{answer['url']}" + ("" if answer["signed"] else " (unsigned)"), highlight=False)
    if answer.get("declaration_id"):
        console.print(f"published recycled-content declaration {answer['declaration_id']}: {base}{answer['declaration_url']}", highlight=False)


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
    out: Annotated[Path, typer.Option("--out", "-o", parser=output_path, help="CSV to write (the format of classes calibrate --market)")],
    material: Annotated[Optional[str], typer.Option("--material", "-m", help="Only this material")] = None,
) -> None:
    """Download the market data (declared values with quantities; regulators only)."""
    from ..files import write_atomically

    text = _call(_client(url, token).market_csv, material)
    _call(write_atomically, out, text)
    console.print(f"wrote {out} ({max(text.count(chr(10)) - 1, 0)} rows)")
