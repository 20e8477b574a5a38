"""Fixtures of the registry tests: signed example declarations, databases, the app, a live server.

Test data are the declarations `footprint declare inventories/examples/*.toml --sign KEY`
writes, each then signed by its own operator's key (the registry holds one key per account).
For the market data (calibrate, the per-material plot, the class filter) there are also
`VARIANTS` declarations of lithium carbonate by eight fictitious test producers: the lithium
example study with another operator name and the drying step's natural gas scaled, declared
under a test class table; they exist only to give the market a distribution.

Databases: every registry test runs on SQLite and on PostgreSQL. The PostgreSQL cluster is a
throwaway one (initdb and pg_ctl from /usr/lib/postgresql/15/bin, loopback port, temporary
folder, as the postgres user when the tests run as root; another installed version is used if
15 is absent), started by `.ci/run` (FOOTPRINT_TEST_PG_PORT) or else by the session fixture; its
tests skip, saying why, only when those binaries are missing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from footprint.files import sha256_hex

from .conftest import EXAMPLES, edit_study

def _postgres_bin() -> Path:
    """Debian's PostgreSQL server binaries: /usr/lib/postgresql/15/bin on bookworm, the newest installed otherwise."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _postgres_bin()
VERIFIER = "Example Verification GmbH (fictitious)"
REGULATOR = "Example Market Surveillance Authority (fictitious)"
ADMIN = "Registry operator (fictitious)"
VARIANT_PRODUCERS = 8
VARIANTS_PER_PRODUCER = 4
LITHIUM = EXAMPLES / "lithium-carbonate-brine-cl.toml"
VARIANT_THRESHOLDS = [4.5, 5.5, 6.5]  # classes A-D of the test table; the variants span about 3.9 to 7.3


def variant_quantity(k: int) -> float:
    """Tonnes each variant reports: similar, so that no producer dominates a boundary."""
    return 1000.0 + 10.0 * k


@dataclass
class Signed:
    """One declaration folder (declaration.json, declaration.sig, study.html) and its operator's key."""

    folder: Path
    operator: str
    private_key: Path
    public_key: Path

    @property
    def raw(self) -> dict[str, Any]:
        return json.loads((self.folder / "declaration.json").read_text(encoding="utf-8"))

    @property
    def declaration_id(self) -> str:
        return self.raw["declaration_id"]


@dataclass
class Corpus:
    batch: Path  # what `footprint declare --sign` wrote, signed with batch_key
    batch_key: Path
    examples: dict[str, Signed]  # by study file stem
    variants: list[Signed]
    verifier_private: Path
    verifier_public: Path
    statement: Path  # signed statement of the lithium example (`footprint verify --sign`)
    class_period: str


def _keys(folder: Path) -> tuple[Path, Path]:
    from footprint.signing import generate_keys

    private, public, _ = generate_keys(folder)
    return private, public


def _resigned(source: Path, target: Path, operator: str, keys: Path) -> Signed:
    """A copy of a declaration folder signed with its operator's key (one key per operator: several
    examples share one, as the recycler's lithium, nickel and cobalt salts do)."""
    from footprint.signing import load_private_key, sign_declaration_file

    shutil.copytree(source, target)
    if (keys / "private-key.pem").exists():
        private, public = keys / "private-key.pem", keys / "public-key.pem"
    else:
        private, public = _keys(keys)
    sign_declaration_file(target / "declaration.json", load_private_key(private))
    return Signed(target, operator, private, public)


def build_corpus(base: Path) -> Corpus:
    """Declare every example with the CLI (signed), re-sign per operator, make the variants, verify one."""
    from typer.testing import CliRunner

    from footprint.cli import app

    from ._declaration_helpers import class_table

    runner = CliRunner()
    batch_private, _ = _keys(base / "keys" / "batch")
    studies = sorted(EXAMPLES.glob("*.toml"))
    result = runner.invoke(app, ["declare", *map(str, studies), "--out", str(base / "batch"), "--sign", str(batch_private), "--no-progress"])
    assert result.exit_code == 0, result.output
    examples = {}
    for study in studies:
        folder = base / "batch" / study.stem
        operator = json.loads((folder / "declaration.json").read_text(encoding="utf-8"))["responsible_person"]["name"]
        examples[study.stem] = _resigned(folder, base / "signed" / study.stem, operator, base / "keys" / "operators" / sha256_hex(operator.encode())[:16])

    # The market: lithium carbonate from eight test producers, values spread and interleaved.
    from footprint.classes import CalibrationSettings
    from footprint.batch import assess_many
    from footprint.declaration import write_declaration_outputs
    from footprint.signing import load_private_key, sign_declaration_file

    today = dt.datetime.now(dt.timezone.utc).date()
    period = f"{today.year}-{today.year + 2}"
    table = class_table("lithium-carbonate", VARIANT_THRESHOLDS, period=period)
    # As a table calibrated on this market would be: equal-width bands between the 20th and 80th percentiles.
    table = table.model_copy(update={"settings": CalibrationSettings(method="equal-width", n_classes=4, lower_percentile=20, upper_percentile=80)})
    (base / "studies").mkdir(exist_ok=True)
    paths, owners = [], []
    for j in range(VARIANTS_PER_PRODUCER):
        for i in range(VARIANT_PRODUCERS):
            k = j * VARIANT_PRODUCERS + i
            paths.append(edit_study(base / "studies", LITHIUM, [
                ('name = "Example Lithium SpA (fictitious)"', f'name = "Registry Test Lithium Producer {i + 1} (fictitious)"'),
                ("amount = 3.33333333\n", f"amount = {3.33333333 * (0.05 + 0.5 * k):.6f}\n"),
            ], name=f"variant-{k:02d}.toml"))
            owners.append(i)
    items = assess_many(paths, progress=False)
    producer_keys = [_keys(base / "keys" / f"producer-{i + 1}") for i in range(VARIANT_PRODUCERS)]
    variants = []
    for item, owner in zip(items, owners):
        assert item.ok, item.error
        folder = base / "variants" / item.path.stem
        write_declaration_outputs(item.results, item.loaded, folder, class_table=table, issue_date=today)
        private, public = producer_keys[owner]
        sign_declaration_file(folder / "declaration.json", load_private_key(private))
        variants.append(Signed(folder, f"Registry Test Lithium Producer {owner + 1} (fictitious)", private, public))

    verifier_private, verifier_public = _keys(base / "keys" / "verifier")
    lithium = examples["lithium-carbonate-brine-cl"]
    result = runner.invoke(app, [
        "verify", str(lithium.folder), "--study", str(LITHIUM), "--sign", str(verifier_private), "--verifier", VERIFIER,
        "--statement", str(base / "statement.json"), "--no-progress",
    ])
    assert result.exit_code == 0, result.output
    return Corpus(base / "batch", batch_private, examples, variants, verifier_private, verifier_public, base / "statement.json", period)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return build_corpus(tmp_path_factory.mktemp("registry-corpus"))


# --- databases -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Postgres:
    port: int
    base: Path
    run_as: list[str]
    count: int = 0

    def new_database(self) -> str:
        import psycopg

        self.count += 1
        # Unique across fixture instances: every test module that imports the fixture gets its own
        # instance, and all of them share .ci/run's one server.
        name = f"registry_{os.getpid()}_{self.count}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A throwaway PostgreSQL 15 cluster on a loopback port, stopped and removed at the end.

    `.ci/run` starts one itself (and stops it by its PID) and names its port in
    FOOTPRINT_TEST_PG_PORT; without that, the tests start their own.
    """
    started_for_us = os.environ.get("FOOTPRINT_TEST_PG_PORT")
    if started_for_us:
        if not started_for_us.isdigit():
            pytest.fail(f"FOOTPRINT_TEST_PG_PORT must be a port number, not {started_for_us!r}")
        yield Postgres(int(started_for_us), Path(tempfile.gettempdir()), [])
        return
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        pytest.skip(f"PostgreSQL server binaries are missing ({PG_BIN}): apt-get install -y postgresql")
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to run initdb as (Debian's postgresql package makes one)")
        base = Path(tempfile.mkdtemp(prefix="footprint-pg-"))
        os.chown(base, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    else:
        base = Path(tempfile.mkdtemp(prefix="footprint-pg-"))
    port = free_port()
    data = base / "data"
    subprocess.run([*run_as, str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"],
                   check=True, capture_output=True, timeout=120)
    options = f"-h 127.0.0.1 -p {port} -k {base} -c fsync=off -c max_connections=200"
    subprocess.run([*run_as, str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(base / "server.log"), "-w", "-t", "60", "-o", options, "start"],
                   check=True, capture_output=True, timeout=120)
    try:
        yield Postgres(port, base, run_as)
    finally:
        subprocess.run([*run_as, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty registry database on each engine."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'registry.sqlite3'}"
    return request.getfixturevalue("postgres").new_database()


# --- the registry in the test process ---------------------------------------------------------------


@dataclass
class Registry:
    """An app over a fresh database, with an account for every operator of the corpus."""

    client: Any
    engine: Any
    corpus: Corpus
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, operator: str) -> str:
        return self.tokens[operator]

    def auth(self, operator: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.tokens[operator]}"}

    def body(self, signed: Signed, quantity_t: float = 1000.0, supersedes: str | None = None) -> dict[str, Any]:
        return {
            "declaration": signed.raw,
            "signature": json.loads((signed.folder / "declaration.sig").read_text(encoding="utf-8")),
            "study_html": (signed.folder / "study.html").read_text(encoding="utf-8"),
            "quantity_t": quantity_t,
            "supersedes": supersedes,
        }

    def publish(self, signed: Signed, quantity_t: float = 1000.0, supersedes: str | None = None, operator: str | None = None) -> Any:
        return self.client.post("/api/v1/declarations", json=self.body(signed, quantity_t, supersedes), headers=self.auth(operator or signed.operator))

    def counts(self) -> dict[str, int]:
        from sqlalchemy import text

        with self.engine.connect() as connection:
            return {t: connection.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()
                    for t in ("accounts", "declarations", "declaration_origins", "declared_values", "attestations", "events",
                              "pact_footprints", "pact_identifiers", "magnet_records")}


def make_accounts(engine: Any, corpus: Corpus) -> dict[str, str]:
    from footprint.registry.accounts import add_account
    from footprint.registry.db import write_session

    tokens: dict[str, str] = {}
    keys = {s.operator: s.public_key for s in [*corpus.examples.values(), *corpus.variants]}
    with write_session(engine) as session:
        for operator, public in keys.items():
            tokens[operator] = add_account(session, role="producer", operator=operator, public_key=public.read_text())[1]
        tokens[VERIFIER] = add_account(session, role="verifier", operator=VERIFIER, public_key=corpus.verifier_public.read_text())[1]
        tokens[REGULATOR] = add_account(session, role="regulator", operator=REGULATOR)[1]
        tokens[ADMIN] = add_account(session, role="admin", operator=ADMIN)[1]
    return tokens


@pytest.fixture
def registry(db_url: str, corpus: Corpus) -> Iterator[Registry]:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from footprint.registry.app import create_app

    app = create_app(db_url)
    engine = app.state.registry.engine
    with TestClient(app) as client:
        yield Registry(client, engine, corpus, make_accounts(engine, corpus))
    engine.dispose()


# --- a live server (uvicorn, as `footprint serve` runs it) -----------------------------------------


@dataclass
class Server:
    url: str
    process: subprocess.Popen

    def kill(self) -> None:
        """SIGKILL the serving process (one worker: the process itself)."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)


@contextlib.contextmanager
def live_server(db_url: str, *, workers: int = 1, env: dict[str, str] | None = None, timeout: float = 90) -> Iterator[Server]:
    """`footprint serve` on a free loopback port; stopped (its whole process group) at the end."""
    import httpx

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", "from footprint.cli import main; main()", "serve", "--db", db_url, "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    server = Server(f"http://127.0.0.1:{port}", process)
    deadline = time.monotonic() + timeout
    try:
        while True:
            if process.poll() is not None:
                raise AssertionError(f"footprint serve exited with {process.returncode}: {process.stderr.read().decode()[-2000:]}")
            try:
                if httpx.get(server.url + "/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("footprint serve did not answer in time")
            time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=20)
        process.stderr.close()
