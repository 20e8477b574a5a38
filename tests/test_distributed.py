"""Batches on dask.distributed (Art. 31 declarations and their verification at market scale, and
the background Monte Carlo): the same answers as one process, the background sent once."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys

import numpy as np
import pytest

from footprint.batch import assess_many, verify_many
from footprint.engine import EngineConfig, clear_memory_cache, make_engine
from footprint.engine.draws import background_sampler
from footprint.engine.montecarlo import BLOCK, MonteCarloSettings, sampled_demand_scores
from footprint.errors import FootprintInputError
from footprint.methods import load_method_set

from .conftest import TINY_STUDY as TINY
from .test_background_monte_carlo import uncertain_background

distributed = pytest.importorskip("dask.distributed")

from footprint.distributed import (  # noqa: E402
    DaskRunner,
    assess_many_distributed,
    dask_client,
    verify_many_distributed,
)


@pytest.fixture(scope="module")
def cluster():
    """Two workers (threads of this process, on loopback TCP so that the CLI can reach them)."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=None
    ) as local:
        yield local


@pytest.fixture(scope="module")
def client(cluster):
    with distributed.Client(cluster, timeout=60) as connected:
        yield connected


@pytest.fixture()
def studies(tmp_path):
    """Five studies (copies of the example under other names) and one bad file among them."""
    paths = []
    for i in range(5):
        path = tmp_path / f"study_{i}.toml"
        path.write_text(TINY.read_text(encoding="utf-8"), encoding="utf-8")
        paths.append(path)
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "x"\n', encoding="utf-8")
    return paths[:2] + [bad] + paths[2:]


def _same_items(single, spread):
    assert [item.ok for item in single] == [item.ok for item in spread]
    for one, other in zip(single, spread):
        assert one.path == other.path
        if one.ok:
            yield one, other
        else:
            assert type(one.error) is type(other.error) and str(one.error) == str(other.error)


def test_a_batch_of_declarations_on_dask_equals_the_single_process_batch(client, studies):
    clear_memory_cache()
    single = assess_many(studies, engine=make_engine(EngineConfig(cache=False)))
    clear_memory_cache()
    engine = make_engine(EngineConfig(cache=False))
    seen = []
    spread = assess_many_distributed(studies, client=client, engine=engine, progress=lambda done, total, path: seen.append(done))
    for one, other in _same_items(single, spread):
        assert one.results.model_dump(mode="json") == other.results.model_dump(mode="json")
    assert sorted(seen) == list(range(1, len(studies) + 1))
    assert len(engine.backgrounds) == 1  # prepared once, on the client


def test_verification_on_dask_equals_the_single_process_verification(client, tmp_path):
    from typer.testing import CliRunner

    from footprint.cli import app

    out = tmp_path / "declared"
    result = CliRunner().invoke(app, ["declare", str(TINY), "--out", str(out)])
    assert result.exit_code == 0, result.output
    honest = out / "declaration.json"
    tampered = tmp_path / "tampered.json"
    raw = json.loads(honest.read_text())
    raw["title"] = "changed after issue"
    tampered.write_text(json.dumps(raw))
    pairs = [(honest, TINY), (tampered, TINY), (tmp_path / "missing.json", TINY), (honest, TINY)]
    single = verify_many(pairs, engine=make_engine(verify_cache=True))
    spread = verify_many_distributed(pairs, client=client)
    for one, other in _same_items(single, spread):
        mine, theirs = (r.results.model_dump(mode="json") for r in (one, other))
        mine.pop("verified_on"), theirs.pop("verified_on")
        assert mine == theirs
    assert [item.ok and item.results.reproduced for item in spread] == [True, False, False, True]


def test_the_background_monte_carlo_on_dask_equals_the_single_process_run(client):
    method_set = load_method_set()
    background = uncertain_background(method_set)
    sampler = background_sampler(background, method_set)
    datasets = [int(d) for d in background.activity_ids[[1, 9]]]
    demands = np.random.default_rng(5).lognormal(0, 1, (3 * BLOCK + 3, 2))
    settings = MonteCarloSettings(checks=4)
    single, stats = sampled_demand_scores(sampler, datasets, demands, seed=21, settings=settings)
    spread, spread_stats = sampled_demand_scores(sampler, datasets, demands, seed=21, settings=settings, runner=DaskRunner(client))
    assert np.array_equal(single, spread)
    assert spread_stats.checked == stats.checked == 4 and spread_stats.worst_error == stats.worst_error


def test_a_fixed_background_monte_carlo_on_dask_equals_the_single_process_run(client, monkeypatch):
    import footprint.uncertainty.run as run

    monkeypatch.setattr(run, "FOREGROUND_BLOCK", 128)  # so that 500 iterations make four tasks
    report, single = run.run_uncertainty(TINY, iterations=500, seed=3, keep_samples=True)
    spread_report, spread = run.run_uncertainty(TINY, iterations=500, seed=3, keep_samples=True, runner=DaskRunner(client))
    assert np.array_equal(single, spread)
    assert report.model_dump() == spread_report.model_dump()


def test_the_cli_runs_a_batch_on_a_scheduler_address(cluster, studies, tmp_path):
    from typer.testing import CliRunner

    from footprint.cli import app

    good = [str(p) for p in studies if p.name != "bad.toml"][:2]
    result = CliRunner().invoke(app, ["declare", *good, "--scheduler", cluster.scheduler_address, "--no-progress", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "study_0" / "declaration.json").exists()
    verified = CliRunner().invoke(
        app, ["verify", str(tmp_path / "out" / "study_0"), "--study", good[0], "--scheduler", cluster.scheduler_address, "--json"]
    )
    assert verified.exit_code == 0, verified.output
    assert json.loads(verified.stdout)["reproduced"] is True


def test_a_scheduler_that_is_no_address_is_a_clear_error(tmp_path):
    from typer.testing import CliRunner

    from footprint.cli import app

    result = CliRunner().invoke(app, ["declare", str(TINY), "--scheduler", "my cluster please"])
    assert result.exit_code == 2
    assert "--scheduler" in result.output and "Traceback" not in result.output


def test_a_local_cluster_starts_and_stops():
    with dask_client("local", workers=2, processes=False) as connected:
        assert len(connected.scheduler_info()["workers"]) == 2


def test_errors_come_back_from_workers_whole():
    error = FootprintInputError("the amount is negative", file="s.toml", process="mine", field="inputs[1].amount")
    again = pickle.loads(pickle.dumps(error))
    assert (again.file, again.process, again.field, str(again)) == (error.file, error.process, error.field, str(error))


def test_the_single_process_path_never_imports_dask_distributed():
    """(pint itself imports dask's core when dask is installed: that is pint's, not footprint's.)"""
    code = (
        "import sys; import footprint.cli, footprint.batch, footprint.uncertainty, footprint.engine.montecarlo; "
        "from footprint.cli import app; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'distributed' or m == 'footprint.distributed'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_producers_signature_is_checked_on_the_workers_too(client, tmp_path):
    """verify --producer-key on a cluster: the key travels as PEM text; a valid signature rules out
    re-dating, another producer's key fails the verification, as in one process."""
    from footprint.declaration import write_declaration_set
    from footprint.signing import generate_keys, load_private_key, load_public_key
    from footprint.verification import UNSIGNED

    private, public, _ = generate_keys(tmp_path / "keys")
    _, other, _ = generate_keys(tmp_path / "other")
    (item,) = assess_many([TINY])
    write_declaration_set(item.results, item.loaded, tmp_path / "signed", signing_key=load_private_key(private))
    pairs = [(tmp_path / "signed", TINY)]
    for key, reproduced in ((load_public_key(public), True), (load_public_key(other), False)):
        single = verify_many(pairs, engine=make_engine(verify_cache=True), producer_key=key)[0].results
        spread = verify_many_distributed(pairs, client=client, producer_key=key)[0].results
        assert spread.reproduced is single.reproduced is reproduced
        assert spread.cannot_rule_out == single.cannot_rule_out == ([] if reproduced else [UNSIGNED])
        assert spread.errors == single.errors and (reproduced or "producer's signature" in spread.errors[-1])
