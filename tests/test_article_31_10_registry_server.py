"""The registry as a user runs it: `footprint serve` (uvicorn, several workers) and the CLI around it.

Producers publish with `footprint registry publish`, a verifier attests, a producer withdraws,
a regulator downloads the market data and calibrates classes straight from the registry
(`footprint classes calibrate --registry URL --token T`). And the fault Art. 31(10) cannot
afford: a server killed with SIGKILL in the middle of a publish restarts with the publish
wholly out (killed before the commit) or wholly in (killed after it). On SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from footprint.cli import app

from ._export_helpers import CPC_INPUT
from ._registry_helpers import LITHIUM, REGULATOR, VERIFIER, corpus, db_url, live_server, postgres, variant_quantity  # noqa: F401

runner = CliRunner()


def cli(*args) -> str:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.stdout


def add_account(db: str, role: str, operator: str, public_key: Path | None = None) -> str:
    args = ["registry", "add-account", "--db", db, "--role", role, "--operator", operator]
    if public_key is not None:
        args += ["--public-key", public_key]
    return cli(*args).strip().splitlines()[-1]


def test_default_database_is_in_the_data_folder():
    from footprint.paths import user_data_dir
    from footprint.registry.db import default_db_url

    assert default_db_url() == f"sqlite:///{user_data_dir() / 'registry.sqlite3'}"


def test_cli_publish_attest_withdraw_market_and_calibrate_from_the_registry(db_url, corpus, tmp_path):
    from footprint.classes import load_class_table
    from footprint.classes import read_market_csv

    lithium = corpus.examples["lithium-carbonate-brine-cl"]
    tokens = {lithium.operator: add_account(db_url, "producer", lithium.operator, lithium.public_key)}
    for signed in corpus.variants:
        if signed.operator not in tokens:
            tokens[signed.operator] = add_account(db_url, "producer", signed.operator, signed.public_key)
    verifier = add_account(db_url, "verifier", VERIFIER, corpus.verifier_public)
    regulator = add_account(db_url, "regulator", REGULATOR)
    assert all(token.startswith("fpr_") for token in [*tokens.values(), verifier, regulator])
    bad = runner.invoke(app, ["registry", "add-account", "--db", db_url, "--role", "producer", "--operator", "No Key Ltd"])
    assert bad.exit_code == 2 and "public key" in bad.output

    with live_server(db_url, workers=2) as server:
        out = cli("registry", "publish", lithium.folder, "--quantity-t", "2500", "--url", server.url, "--token", tokens[lithium.operator],
                  "--study", LITHIUM, "--cpc", CPC_INPUT)
        assert f"/declarations/{lithium.declaration_id}" in out and "pact 3 footprint" in out
        # A buyer's tool takes it through the PACT API: client credentials for a token, then the footprints.
        buyer = add_account(db_url, "buyer", "Example Battery Cells GmbH (fictitious buyer)")
        client_id = buyer.split("_")[1]
        token = httpx.post(f"{server.url}/auth/token", data={"grant_type": "client_credentials"}, auth=(client_id, buyer)).json()["access_token"]
        for spec in ("2", "3"):
            found = httpx.get(f"{server.url}/{spec}/footprints", headers={"authorization": f"Bearer {token}"}).json()["data"]
            assert [d["companyName"] for d in found] == [lithium.operator]
        for k, signed in enumerate(corpus.variants):
            cli("registry", "publish", signed.folder, "--quantity-t", variant_quantity(k), "--url", server.url, "--token", tokens[signed.operator])
        refused = runner.invoke(app, ["registry", "publish", str(lithium.folder), "--quantity-t", "1", "--url", server.url, "--token", tokens[lithium.operator]])
        assert refused.exit_code == 2 and "refused (409)" in refused.output
        refused = runner.invoke(app, ["registry", "publish", str(lithium.folder), "--quantity-t", "1", "--url", server.url, "--token", "fpr_nonsense"])
        assert refused.exit_code == 2 and "refused (401)" in refused.output

        out = cli("registry", "attest", corpus.statement, "--url", server.url, "--token", verifier)
        assert "statement 1 (reproduced)" in out
        withdrawn = corpus.variants[0]
        cli("registry", "withdraw", withdrawn.declaration_id, "--reason", "Reported quantity was wrong; re-declared.", "--url", server.url, "--token", tokens[withdrawn.operator])
        # Every worker serves the change at once (the page cache is keyed by the declaration's revision).
        for _ in range(12):
            page = httpx.get(f"{server.url}/declarations/{withdrawn.declaration_id}", headers={"accept": "text/html"}).text
            assert 'data-status="withdrawn"' in page and "Reported quantity was wrong" in page
        record = httpx.get(f"{server.url}/api/v1/declarations/{lithium.declaration_id}").json()
        assert [a["verdict"] for a in record["attestations"]] == ["reproduced"]

        market = tmp_path / "market.csv"
        cli("registry", "market", "--url", server.url, "--token", regulator, "--material", "lithium-carbonate", "--out", market)
        data = read_market_csv(market)
        assert len(data.select("lithium-carbonate")) == len(corpus.variants)  # 32 + the example - the withdrawn one
        denied = runner.invoke(app, ["registry", "market", "--url", server.url, "--token", tokens[lithium.operator], "--out", str(tmp_path / "x.csv")])
        assert denied.exit_code == 2 and "refused (403)" in denied.output

        start = int(corpus.class_period[:4]) + 1
        period = f"{start}-{start + 2}"
        target = tmp_path / "classes" / f"{period}.toml"
        out = cli("classes", "calibrate", "--material", "lithium-carbonate", "--registry", server.url, "--token", regulator,
                  "--period", period, "--method", "equal-width", "--classes", "4", "--lower-percentile", "20", "--upper-percentile", "80", "--out", target)
        table = load_class_table(target)
        assert table.input.declarations_used == len(corpus.variants) and table.input.producers_used == 9
        assert table.input.source.startswith("registry-127.0.0.1-") and any(server.url in s for s in table.sources)
        assert len(table.thresholds) == 3
        from footprint.classes import calibrate_classes, CalibrationSettings

        again = calibrate_classes(data, material="lithium-carbonate", period=period, calibrated_on=table.calibrated_on,
                                  settings=CalibrationSettings(method="equal-width", n_classes=4, lower_percentile=20, upper_percentile=80))
        assert again.thresholds == table.thresholds and again.input.sha256 == table.input.sha256
        denied = runner.invoke(app, ["classes", "calibrate", "--material", "lithium-carbonate", "--registry", server.url, "--token", verifier, "--period", period, "--out", str(tmp_path / "t.toml")])
        assert denied.exit_code == 2 and "403" in denied.output
        both = runner.invoke(app, ["classes", "calibrate", "--material", "lithium-carbonate", "--registry", server.url, "--market", str(market), "--period", period])
        assert both.exit_code == 2 and "one of them" in both.output


def consistency(db: str) -> dict[str, int]:
    """Row counts, and rows that point at no declaration (there must be none)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db)
    with engine.connect() as connection:
        counts = {t: connection.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in ("declarations", "declaration_origins", "declared_values", "events")}
        for table in ("declaration_origins", "declared_values", "events", "attestations"):
            orphans = connection.execute(text(f"SELECT COUNT(*) FROM {table} WHERE declaration_id NOT IN (SELECT declaration_id FROM declarations)")).scalar_one()
            assert orphans == 0, table
        if engine.dialect.name == "sqlite":
            assert connection.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
        counts["revision"] = connection.execute(text("SELECT revision FROM registry_state")).scalar_one()
    engine.dispose()
    return counts


def publish_until_killed(server, body: dict, token: str, marker: Path) -> None:
    """Send a publish, wait until the server stops inside it (the fault point), SIGKILL the server."""
    errors: list[BaseException] = []

    def send() -> None:
        try:
            httpx.post(f"{server.url}/api/v1/declarations", json=body, headers={"authorization": f"Bearer {token}"}, timeout=60)
        except httpx.HTTPError as exc:
            errors.append(exc)

    thread = threading.Thread(target=send)
    thread.start()
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert time.monotonic() < deadline, "the server never reached the fault point"
        time.sleep(0.05)
    server.kill()
    thread.join(timeout=60)
    assert errors, "the killed server answered the publish"


def test_sigkill_in_the_middle_of_a_publish_leaves_it_wholly_out_or_wholly_in(db_url, corpus, tmp_path):
    signed = corpus.examples["graphite-natural-spherical-mz-cn"]
    other = corpus.examples["cobalt-sulfate-drc-cn"]
    token = add_account(db_url, "producer", signed.operator, signed.public_key)
    other_token = add_account(db_url, "producer", other.operator, other.public_key)
    body = {
        "declaration": signed.raw, "signature": json.loads((signed.folder / "declaration.sig").read_text()),
        "study_html": (signed.folder / "study.html").read_text(), "quantity_t": 800.0, "supersedes": None,
    }
    with live_server(db_url) as server:  # something already there, which must survive
        cli("registry", "publish", other.folder, "--quantity-t", "100", "--url", server.url, "--token", other_token)
    before = consistency(db_url)

    marker = tmp_path / "inside-the-transaction"
    with live_server(db_url, env={"FOOTPRINT_REGISTRY_FAULT": f"publish-before-commit:{marker}"}) as server:
        publish_until_killed(server, body, token, marker)
    assert consistency(db_url) == before  # wholly out

    marker = tmp_path / "after-the-commit"
    with live_server(db_url, env={"FOOTPRINT_REGISTRY_FAULT": f"publish-after-commit:{marker}"}) as server:
        assert httpx.get(f"{server.url}/api/v1/declarations/{signed.declaration_id}").status_code == 404
        publish_until_killed(server, body, token, marker)
    after = consistency(db_url)
    assert after["declarations"] == before["declarations"] + 1  # wholly in
    assert after["declaration_origins"] == before["declaration_origins"] + len(signed.raw["origin"])
    assert after["declared_values"] == before["declared_values"] + len(signed.raw["footprint"]["categories"])
    assert after["events"] == before["events"] + 1 and after["revision"] == before["revision"] + 1

    with live_server(db_url) as server:
        record = httpx.get(f"{server.url}/api/v1/declarations/{signed.declaration_id}").json()
        assert record["declaration"] == signed.raw and record["status"] == "current"
        assert httpx.get(f"{server.url}/api/v1/declarations/{other.declaration_id}").status_code == 200
        again = httpx.post(f"{server.url}/api/v1/declarations", json=body, headers={"authorization": f"Bearer {token}"})
        assert again.status_code == 409
