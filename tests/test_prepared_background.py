"""The prepared-background route equals the plain bw2calc route; caching, solvers, batches."""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest

# footprint keeps its Brightway project in FOOTPRINT_DATA_DIR; building the starter project
# takes about a minute, so the tests share one folder (keyed by content hash inside).
os.environ.setdefault("FOOTPRINT_DATA_DIR", str(Path(tempfile.gettempdir()) / "footprint-tests"))
os.environ.setdefault("TQDM_DISABLE", "1")
warnings.filterwarnings("ignore", message=r"[\s\S]*pypardiso")

from footprint import batch  # noqa: E402
from footprint import engine as prep  # noqa: E402
from footprint.background import ArrayBackground  # noqa: E402
from footprint.engine import cache as engine_cache  # noqa: E402
from footprint.engine import solvers  # noqa: E402
from footprint.engine.core import Engine, OneOffEngine  # noqa: E402
from footprint.engine.reference import reference_solve as compute_lca  # noqa: E402
from footprint.errors import FootprintInputError  # noqa: E402
from footprint.inventory import ForegroundInventory  # noqa: E402
from footprint.methods import load_method_set  # noqa: E402

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny_study.toml"
REL = 1e-9


def assert_close(a: float, b: float, rel: float = REL, floor: float = 1e-300) -> None:
    assert abs(a - b) <= rel * max(abs(a), abs(b), floor), (a, b)


def assert_outcomes_equal(reference, fast, method_set) -> None:
    for category in method_set.names:
        assert_close(reference.totals[category], fast.totals[category])
        scale = max(np.abs(reference.by_process[category]).max(initial=0.0), 1e-300)
        assert np.all(np.abs(reference.by_process[category] - fast.by_process[category]) <= REL * scale), category
    assert np.allclose(reference.supply, fast.supply, rtol=REL, atol=0)


# ---------------------------------------------------------------------------------------------
# A random background, and random foregrounds on it
# ---------------------------------------------------------------------------------------------


def random_background(method_set, n: int = 300, flows: int = 80, seed: int = 3, distributions: bool = False):
    """Random sparse technosphere with cycles (every activity buys 1-8 inputs from anywhere)."""
    rng = np.random.default_rng(seed)
    ids = np.arange(n, dtype=np.int64) * 7 + 50_000  # not contiguous, not starting at 0
    counts = rng.integers(1, 9, n)
    consumers = np.repeat(np.arange(n), counts)
    suppliers = rng.integers(0, n, len(consumers))
    keep = suppliers != consumers
    suppliers, consumers = suppliers[keep], consumers[keep]
    raw = rng.uniform(0.1, 1.0, len(consumers))
    column = np.bincount(consumers, weights=raw, minlength=n)
    amounts = raw / column[consumers] * rng.uniform(0.3, 0.9, n)[consumers]
    production = rng.uniform(0.5, 2.0, n)  # not all 1: exercises scaling per unit of output
    amounts = amounts * production[consumers]
    flow_ids = np.arange(flows, dtype=np.int64) * 3 + 11
    bio_cols = np.repeat(np.arange(n), 5)
    bio_rows = rng.integers(0, flows - 10, len(bio_cols))  # the last 10 flows only in the foreground
    values = rng.lognormal(-2, 1, len(bio_cols))
    factors = {}
    for k, category in enumerate(method_set.categories):
        if k == 1:
            continue  # a category with no factors at all
        chosen = rng.choice(flows, size=30, replace=False)
        factors[category.category] = (flow_ids[chosen], rng.lognormal(0, 1, 30) * rng.choice([-1, 1], 30))
    extra = {}
    if distributions:
        from stats_arrays import UncertaintyBase

        params = UncertaintyBase.from_dicts(*[{"loc": 0.0, "uncertainty_type": 2}] * len(amounts))
        params["loc"], params["scale"] = np.log(amounts), np.log(1.2)
        extra["input_distributions"] = params
    return ArrayBackground(
        activity_ids=ids,
        production=production,
        inputs=(ids[suppliers], ids[consumers], amounts),
        biosphere=(flow_ids[bio_rows], ids[bio_cols], values),
        factors=factors,
        database="random",
        **extra,
    )


def random_inventory(background, seed: int, processes: int = 5) -> ForegroundInventory:
    rng = np.random.default_rng(seed)
    ids = background.activity_ids
    flow_ids = np.unique(np.concatenate([f for f, _ in background.factors.values()]))
    fg_links, bg_links, flows = [], [], []
    for column in range(processes):
        if column + 1 < processes:
            fg_links.append((column + 1, column, float(rng.uniform(0.5, 2.0))))
        if column == processes - 1 and processes > 2:
            fg_links.append((1, column, 0.02))  # a foreground loop (gain well below 1: it must be solvable)
        for dataset in rng.choice(ids, size=3, replace=False):
            bg_links.append((int(dataset), column, float(rng.lognormal(0, 1))))
        bg_links.append((int(ids[0]), column, -0.1))  # an avoided product, linked twice overall
        flows.append((int(rng.choice(flow_ids)), column, float(rng.lognormal(-1, 1))))
        flows.append((int(background.biosphere[0][0]), column, 0.5))
    return ForegroundInventory(
        process_ids=[f"p{i}" for i in range(processes)],
        stages=["refining"] * processes,
        product_index=0,
        product_unit="kg",
        demand_amount=2.5,
        production=rng.uniform(0.8, 1.5, processes),
        foreground_links=fg_links,
        background_links=bg_links,
        flows=flows,
    )


@pytest.fixture(scope="module")
def method_set():
    return load_method_set()


@pytest.fixture(scope="module")
def random_bg(method_set):
    return random_background(method_set)


# ---------------------------------------------------------------------------------------------
# Equality with bw2calc
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_prepared_equals_bw2calc_on_a_random_background(method_set, random_bg, tmp_path, seed):
    ready = prep.prepare_background(random_bg, method_set, cache_dir=tmp_path)
    inventory = random_inventory(random_bg, seed)
    assert_outcomes_equal(compute_lca(inventory, random_bg, method_set), prep.compute_prepared(inventory, ready), method_set)


def test_every_prepared_score_equals_a_bw2calc_solve(method_set, random_bg, tmp_path):
    """Column j of the prepared scores is bw2calc's score of one unit of dataset j."""
    from bw2calc import MultiLCA

    ready = prep.prepare_background(random_bg, method_set, cache_dir=tmp_path)
    chosen = ready.activity_ids[::37]
    keys = [tuple(c.method) for c in method_set.categories]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lca = MultiLCA(
            demands={str(d): {int(d): 1.0} for d in chosen},
            method_config={"impact_categories": keys},
            data_objs=random_bg.datapackages() + random_bg.characterisation_datapackages(method_set),
        )
        lca.lci()
        lca.lcia()
    scores = lca.scores
    fast = ready.dataset_scores(chosen)
    for k, key in enumerate(keys):
        for j, d in enumerate(chosen):
            assert_close(scores[(key, str(d))], fast[k, j], floor=1e-12)


@pytest.mark.parametrize("seed", [5, 6])
def test_one_off_solve_equals_bw2calc_on_a_random_background(method_set, random_bg, seed):
    inventory = random_inventory(random_bg, seed)
    assert_outcomes_equal(compute_lca(inventory, random_bg, method_set), prep.compute_cold(inventory, random_bg, method_set), method_set)


def test_one_off_route_equals_assess_on_the_example(method_set):
    from footprint.assessment import assess

    plain = assess(TINY, method_set=method_set).values()
    one_off = assess(TINY, method_set=method_set, engine=OneOffEngine()).values()
    for category, value in plain.items():
        assert_close(value, one_off[category], floor=1e-30)


def test_prepared_equals_bw2calc_on_the_example(method_set):
    from footprint.assessment import background_for, check_study, link_study

    checked = check_study(TINY)
    background = background_for(checked, method_set)
    inventory = link_study(checked, background)
    ready = prep.prepare_background(background, method_set)
    assert_outcomes_equal(compute_lca(inventory, background, method_set), prep.compute_prepared(inventory, ready), method_set)


def test_the_prepared_engine_gives_the_reference_results(method_set):
    from footprint.assessment import assess
    from footprint.engine.core import ReferenceEngine

    plain = assess(TINY, method_set=method_set, engine=ReferenceEngine())
    fast = assess(TINY, method_set=method_set, engine=Engine())
    assert fast.fingerprint == plain.fingerprint
    for a, b in zip(plain.categories, fast.categories):
        assert a.category == b.category
        assert_close(a.value, b.value, floor=1e-30)
        for stage in a.by_stage:
            assert_close(a.by_stage[stage], b.by_stage[stage], floor=1e-30)


# ---------------------------------------------------------------------------------------------
# The cache
# ---------------------------------------------------------------------------------------------


def test_cache_is_written_once_and_read_back(method_set, random_bg, tmp_path):
    prep.clear_memory_cache()
    first = prep.prepare_background(random_bg, method_set, cache_dir=tmp_path)
    assert not first.from_cache and first.path is not None and first.path.exists()
    assert first.path.parent == tmp_path
    prep.clear_memory_cache()
    second = prep.prepare_background(random_bg, method_set, cache_dir=tmp_path)
    assert second.from_cache
    assert np.array_equal(first.scores, second.scores)
    assert np.array_equal(first.activity_ids, second.activity_ids)
    assert np.array_equal(first.flow_factors, second.flow_factors)
    assert second.key == first.key
    # In memory, the same object comes back without touching the disk.
    assert prep.prepare_background(random_bg, method_set, cache_dir=tmp_path) is second


def test_cache_key_follows_the_content(method_set, random_bg):
    other = random_background(method_set, seed=99)
    assert prep.prepared_key(other, method_set) != prep.prepared_key(random_bg, method_set)
    assert prep.prepared_key(random_background(method_set), method_set) == prep.prepared_key(random_bg, method_set)


def test_a_corrupt_or_foreign_cache_file_is_ignored(method_set, random_bg, tmp_path):
    prep.clear_memory_cache()
    ready = prep.prepare_background(random_bg, method_set, cache_dir=tmp_path)
    ready.path.write_bytes(b"not an npz")
    prep.clear_memory_cache()
    again = prep.prepare_background(random_bg, method_set, cache_dir=tmp_path)
    assert not again.from_cache
    assert prep.load_prepared(again.path, key="0" * 64) is None


def test_a_prepared_background_for_another_background_is_refused(method_set, random_bg, tmp_path):
    ready = prep.prepare_background(random_bg, method_set, cache_dir=tmp_path)
    from footprint.assessment import assess

    with pytest.raises(FootprintInputError):
        assess(TINY, method_set=method_set, engine=Engine(prepared=ready))


def test_unknown_dataset_ids_raise(method_set, random_bg, tmp_path):
    from footprint.errors import CalculationError

    ready = prep.prepare_background(random_bg, method_set, cache_dir=tmp_path)
    with pytest.raises(CalculationError):
        ready.dataset_scores([1, 2, 3])
    assert np.all(ready.flow_scores([123456789]) == 0)


# ---------------------------------------------------------------------------------------------
# Solvers
# ---------------------------------------------------------------------------------------------


def test_factorisation_solves_both_ways_with_every_solver():
    from scipy import sparse

    rng = np.random.default_rng(0)
    dense = np.eye(40) * 2 - rng.uniform(0, 0.04, (40, 40)) * (rng.random((40, 40)) < 0.2)
    matrix = sparse.csr_matrix(dense)
    b = rng.normal(size=(40, 3))
    for solver in prep.available_solvers():
        factorisation = prep.Factorisation(matrix, solver)
        assert np.allclose(factorisation.solve(b), np.linalg.solve(dense, b), rtol=1e-12, atol=1e-14)
        assert np.allclose(factorisation.solve_transposed(b), np.linalg.solve(dense.T, b), rtol=1e-12, atol=1e-14)
        assert np.allclose(factorisation.solve(b[:, 0]), np.linalg.solve(dense, b[:, 0]), rtol=1e-12, atol=1e-14)
        factorisation.free()


def test_all_installed_solvers_prepare_the_same_scores(method_set, random_bg):
    results = [prep.compute_prepared_scores(random_bg, method_set, solver) for solver in prep.available_solvers()]
    for other in results[1:]:
        assert np.allclose(other.scores, results[0].scores, rtol=1e-10, atol=1e-14)


def test_falling_back_to_superlu_is_loud(monkeypatch):
    monkeypatch.setattr(solvers, "available_solvers", lambda: ["superlu"])
    monkeypatch.setattr(solvers, "_SOLVER_NOTE", {})
    monkeypatch.delenv(prep.SOLVER_ENV, raising=False)
    with pytest.warns(prep.SlowSolverWarning, match="SuperLU"):
        assert prep.choose_solver() == "superlu"
    assert "pypardiso" in prep.solver_note() or "umfpack" in prep.solver_note()


def test_asking_for_superlu_is_not_a_fallback(monkeypatch):
    monkeypatch.setattr(solvers, "_SOLVER_NOTE", {})
    monkeypatch.setenv(prep.SOLVER_ENV, "superlu")
    with warnings.catch_warnings():
        warnings.simplefilter("error", prep.SlowSolverWarning)
        assert prep.choose_solver() == "superlu"
    assert prep.solver_note() is None
    monkeypatch.setenv(prep.SOLVER_ENV, "nonsense")
    with pytest.raises(FootprintInputError):
        prep.choose_solver()


# ---------------------------------------------------------------------------------------------
# Batches
# ---------------------------------------------------------------------------------------------


def test_assess_many_shares_one_prepared_background(method_set, tmp_path, monkeypatch):
    from footprint.assessment import assess

    calls = []
    real = engine_cache.compute_prepared_scores
    monkeypatch.setattr(engine_cache, "compute_prepared_scores", lambda *a, **k: calls.append(1) or real(*a, **k))
    prep.clear_memory_cache()
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "x"\n', encoding="utf-8")
    seen = []
    items = batch.assess_many(
        [TINY, bad, TINY, TINY], method_set=method_set, engine=Engine(prep.EngineConfig(cache=False)),
        progress=lambda done, total, path: seen.append((done, total)),
    )
    assert len(calls) == 1  # solved once for the whole batch
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert [item.ok for item in items] == [True, False, True, True]
    assert isinstance(items[1].error, FootprintInputError)
    reference = assess(TINY, method_set=method_set).values()
    for item in (items[0], items[2], items[3]):
        for category, value in item.results.values().items():
            assert_close(reference[category], value, floor=1e-30)
    with pytest.raises(FootprintInputError):
        batch.assess_many([bad], method_set=method_set, stop_on_error=True)


def test_assess_many_with_a_progress_bar_runs(method_set, capsys):
    items = batch.assess_many([TINY, TINY], method_set=method_set, progress=True)
    assert all(item.ok for item in items)


def test_verify_many_shares_one_prepared_background(method_set, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from footprint.cli import app

    out = tmp_path / "declared"
    result = CliRunner().invoke(app, ["declare", str(TINY), "--out", str(out)])
    assert result.exit_code == 0, result.output
    honest = out / "declaration.json"
    assert honest.exists()
    raw = json.loads(honest.read_text())
    tampered = tmp_path / "tampered" / "declaration.json"
    tampered.parent.mkdir()
    text = json.dumps(raw).replace(raw["title"] if "title" in raw else raw["declaration_id"], "changed after issue", 1)
    tampered.write_text(text)

    calls = []
    real = engine_cache.compute_prepared_scores
    monkeypatch.setattr(engine_cache, "compute_prepared_scores", lambda *a, **k: calls.append(1) or real(*a, **k))
    prep.clear_memory_cache()
    seen = []
    items = batch.verify_many(
        [(honest, TINY), (tampered, TINY), (honest, TINY), (tmp_path / "missing.json", TINY)],
        engine=Engine(prep.EngineConfig(cache=False)),
        progress=lambda done, total, path: seen.append(done),
    )
    assert len(calls) == 1
    assert seen == [1, 2, 3, 4]
    assert items[0].ok and items[0].results.reproduced
    assert items[2].ok and items[2].results.reproduced
    assert items[1].ok and not items[1].results.reproduced
    assert not items[1].results.content_hash_valid
    assert not items[3].ok or not items[3].results.reproduced


def test_cli_functions_run(tmp_path):
    """The typer command functions, through their own app (the main CLI registers them)."""
    from typer.testing import CliRunner

    from footprint.cli import app

    runner = CliRunner()
    out = tmp_path / "out"
    same_name = runner.invoke(app, ["declare", str(TINY), str(TINY), "--out", str(out), "--no-progress"])
    assert same_name.exit_code == 2 and "same output folder" in same_name.output and not out.exists()
    other = tmp_path / "tiny_again.toml"
    other.write_bytes(TINY.read_bytes())
    result = runner.invoke(app, ["declare", str(TINY), str(other), "--out", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert (out / "tiny_again" / "declaration.json").exists()
    assert (out / "tiny_study" / "results.json").exists()
    declaration = out / "tiny_study" / "declaration.json"
    assert declaration.exists()
    result = runner.invoke(app, ["verify", str(declaration), str(declaration), "--study", str(TINY), "--report", str(tmp_path / "r.json")])
    assert result.exit_code == 0, result.output
    assert "2 of 2 declaration(s) reproduced" in result.output
    assert len(json.loads((tmp_path / "r.json").read_text())) == 2
    result = runner.invoke(app, ["prepare"])
    assert result.exit_code == 0, result.output
    assert "prepared background" in result.output
