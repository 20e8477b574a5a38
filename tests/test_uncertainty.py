"""Monte Carlo on the foreground: zero uncertainty is deterministic, seeds reproduce, each
iteration equals a deterministic solve of its sampled amounts, class probabilities."""

from __future__ import annotations

import datetime as dt
import math
import os
import tempfile
import tomllib
import warnings
from pathlib import Path

import numpy as np
import pytest
import tomli_w

os.environ.setdefault("FOOTPRINT_DATA_DIR", str(Path(tempfile.gettempdir()) / "footprint-tests"))
os.environ.setdefault("TQDM_DISABLE", "1")
warnings.filterwarnings("ignore", message=r"[\s\S]*pypardiso")

from footprint import engine as prep  # noqa: E402
from footprint import uncertainty as unc  # noqa: E402
from footprint.engine.reference import reference_solve as compute_lca  # noqa: E402
from footprint.errors import FootprintInputError  # noqa: E402
from footprint.inventory import ForegroundInventory  # noqa: E402
from footprint.methods import load_method_set  # noqa: E402

from .test_prepared_background import random_background, random_inventory  # noqa: E402

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny_study.toml"


@pytest.fixture(scope="module")
def method_set():
    return load_method_set()


@pytest.fixture(scope="module")
def linked(method_set):
    from footprint.assessment import background_for, check_study, link_study

    checked = check_study(TINY)
    background = background_for(checked, method_set)
    inventory = link_study(checked, background)
    return checked, background, inventory, prep.prepare_background(background, method_set)


def with_uncertainty(tmp_path: Path, edits: dict[tuple[int, str, int], dict]) -> Path:
    """A copy of the tiny study with `uncertainty` tables on chosen exchanges."""
    raw = tomllib.loads(TINY.read_text(encoding="utf-8"))
    for (process, kind, position), uncertainty in edits.items():
        raw["processes"][process][kind][position]["uncertainty"] = uncertainty
    path = tmp_path / "uncertain_study.toml"
    path.write_text(tomli_w.dumps(raw), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# Deterministic limits
# ---------------------------------------------------------------------------------------------


def test_zero_uncertainty_gives_the_deterministic_result(method_set, linked):
    _, background, inventory, _ = linked
    reference = compute_lca(inventory, background, method_set)  # the plain bw2calc path
    report, samples = unc.run_uncertainty(TINY, iterations=200, seed=3, defaults=False, keep_samples=True)
    assert samples.shape == (200, len(method_set.categories))
    for k, category in enumerate(method_set.names):
        expected = reference.totals[category]
        assert np.all(np.abs(samples[:, k] - expected) <= 1e-9 * max(abs(expected), 1e-300)), category
    for statistics in report.categories:
        expected = reference.totals[statistics.category]
        for value in (statistics.mean, statistics.median, statistics.p2_5, statistics.p97_5, statistics.deterministic):
            assert math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-300)
    assert all(e.origin == "fixed" for e in report.exchanges)


def test_zero_uncertainty_on_a_random_background(method_set):
    background = random_background(method_set, seed=5)
    ready = prep.prepare_background(background, method_set, cache=False)
    inventory = random_inventory(background, 7)
    system = unc.monte_carlo_system(inventory, ready, specs=[])
    samples = unc.simulate(system, unc.sample_amounts(system, 50, seed=1))
    reference = compute_lca(inventory, background, method_set)
    for k, category in enumerate(method_set.names):
        assert np.allclose(samples[:, k], reference.totals[category], rtol=1e-9, atol=1e-300)


def test_each_iteration_equals_a_deterministic_solve_of_its_amounts(method_set):
    """The vectorised Monte Carlo is exact: iteration i = compute_lca on iteration i's amounts."""
    background = random_background(method_set, seed=6)
    ready = prep.prepare_background(background, method_set, cache=False)
    inventory = random_inventory(background, 11)
    specs = []
    for kind, items in (("foreground", inventory.foreground_links), ("background", inventory.background_links), ("flow", inventory.flows)):
        for i, (_, _, amount) in enumerate(items):
            specs.append(unc.ExchangeSpec(kind, i, "p", "f", amount, unc.exchanges.LOGNORMAL, "test", gsd=1.3))
    specs[0] = unc.ExchangeSpec("foreground", 0, "p", "f", inventory.foreground_links[0][2], unc.exchanges.NORMAL, "test", sd=0.05)
    system = unc.monte_carlo_system(inventory, ready, specs)
    amounts = unc.sample_amounts(system, 6, seed=9)
    samples = unc.simulate(system, amounts, chunk_elements=50)  # several chunks
    mf, mb, _ = system.sizes
    for i in range(3):
        row = amounts[i]
        sampled = ForegroundInventory(
            process_ids=inventory.process_ids,
            stages=inventory.stages,
            product_index=inventory.product_index,
            product_unit=inventory.product_unit,
            demand_amount=inventory.demand_amount,
            production=inventory.production,
            foreground_links=[(s, c, float(a)) for (s, c, _), a in zip(inventory.foreground_links, row[:mf])],
            background_links=[(d, c, float(a)) for (d, c, _), a in zip(inventory.background_links, row[mf : mf + mb])],
            flows=[(f, c, float(a)) for (f, c, _), a in zip(inventory.flows, row[mf + mb :])],
        )
        reference = compute_lca(sampled, background, method_set) if i == 0 else prep.compute_prepared(sampled, ready)
        for k, category in enumerate(method_set.names):
            assert math.isclose(samples[i, k], reference.totals[category], rel_tol=1e-9, abs_tol=1e-300), (i, category)


# ---------------------------------------------------------------------------------------------
# Reproducibility and distributions
# ---------------------------------------------------------------------------------------------


def test_same_seed_same_samples_other_seed_other_samples():
    first = unc.run_uncertainty(TINY, iterations=300, seed=123, keep_samples=True)[1]
    again = unc.run_uncertainty(TINY, iterations=300, seed=123, keep_samples=True)[1]
    other = unc.run_uncertainty(TINY, iterations=300, seed=124, keep_samples=True)[1]
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_defaults_follow_the_data_type():
    company = unc.default_gsd("company-specific", 1.05)
    secondary = unc.default_gsd("secondary", 1.05)
    # basic U=1.05, reliability 2 (U=1.05), completeness 2 (U=1.02); the other indicators score 1
    expected = math.exp(math.sqrt((2 * math.log(1.05) ** 2 + math.log(1.02) ** 2) / 4))
    assert math.isclose(company, expected)
    assert secondary > company > 1.0
    assert unc.default_gsd("company-specific", 2.0) > company  # transport's larger basic uncertainty
    assert unc.basic_for_flow("Carbon dioxide, fossil", "air")[1] == 1.05
    assert unc.basic_for_flow("Carbon monoxide, fossil", "air/urban air close to ground")[1] == 5.0
    assert unc.basic_for_flow("Water", "natural resource/in water")[1] == 1.05


def test_defaults_are_applied_and_reported(method_set):
    report, samples = unc.run_uncertainty(TINY, iterations=4000, seed=1, keep_samples=True)
    assert {e.origin for e in report.exchanges} == {"default"}
    assert all(e.gsd and e.gsd > 1 for e in report.exchanges)
    climate = report.categories[0]
    assert climate.p2_5 < climate.median < climate.p97_5
    assert climate.p2_5 < climate.deterministic < climate.p97_5
    assert "Weidema" in report.defaults_source


def test_distributions_given_in_the_study(tmp_path, method_set, linked):
    _, _, inventory, ready = linked
    study = with_uncertainty(
        tmp_path,
        {
            (0, "inputs", 0): {"distribution": "uniform", "minimum": 4.0, "maximum": 6.0},  # 5 kWh
            (1, "inputs", 0): {"distribution": "normal", "sd": 0.5},  # 10 t
            (1, "elementary_flows", 0): {"distribution": "triangular", "minimum": 8.0, "maximum": 9.5},  # 9 m3
            (2, "inputs", 1): {"distribution": "lognormal", "gsd": 1.5},  # 2 t soda ash
        },
    )
    report, _ = unc.run_uncertainty(study, iterations=50, seed=2, defaults=False)
    origins = {(e.process, e.field): (e.origin, e.distribution) for e in report.exchanges}
    assert origins[("pumping", "inputs[1]")] == ("study", "uniform")
    assert origins[("ponds", "inputs[1]")] == ("study", "normal")
    assert origins[("ponds", "elementary_flows[1]")] == ("study", "triangular")
    assert origins[("refining", "inputs[2]")] == ("study", "lognormal")
    assert origins[("refining", "inputs[1]")] == ("fixed", "fixed")

    from footprint.assessment import check_study, link_study

    checked = check_study(study)
    study_inventory = link_study(checked, linked[1])
    specs = unc.exchange_specs(checked.loaded.study, study_inventory, linked[1])
    system = unc.monte_carlo_system(study_inventory, ready, specs)
    amounts = unc.sample_amounts(system, 20000, seed=5)
    mf, mb, _ = system.sizes
    # Uniform 4..6 kWh on the pumping electricity, converted to the dataset's unit with it.
    index = next(i for i, s in enumerate(specs) if s.process == "pumping")
    column = mf + specs[index].index
    scale = study_inventory.background_links[specs[index].index][2] / 5.0
    assert amounts[:, column].min() >= 4.0 * scale and amounts[:, column].max() <= 6.0 * scale
    assert abs(amounts[:, column].mean() - 5.0 * scale) < 0.02 * scale
    # Lognormal: the amount is the median.
    index = next(i for i, s in enumerate(specs) if s.process == "refining" and s.field == "inputs[2]")
    column = mf + specs[index].index
    assert abs(np.median(amounts[:, column]) / study_inventory.background_links[specs[index].index][2] - 1) < 0.02


def test_a_distribution_without_its_parameter_is_refused(tmp_path):
    study = with_uncertainty(tmp_path, {(0, "inputs", 0): {"distribution": "normal"}})
    with pytest.raises(FootprintInputError, match="sd"):
        unc.run_uncertainty(study, iterations=10)
    study = with_uncertainty(tmp_path, {(0, "inputs", 0): {"distribution": "uniform", "minimum": 6.0, "maximum": 7.0}})
    with pytest.raises(FootprintInputError, match="outside"):
        unc.run_uncertainty(study, iterations=10)


def test_a_bound_rounded_in_the_source_is_tolerated(tmp_path):
    # 5 kWh with a minimum rounded up by 4e-8 relative, as in sources that give 5 digits.
    study = with_uncertainty(tmp_path, {(0, "inputs", 0): {"distribution": "triangular", "minimum": 5.0000002, "maximum": 6.0}})
    report, _ = unc.run_uncertainty(study, iterations=20, seed=1, defaults=False)
    spec = next(e for e in report.exchanges if e.process == "pumping")
    assert spec.distribution == "triangular" and "widened" in spec.note


# ---------------------------------------------------------------------------------------------
# Performance classes
# ---------------------------------------------------------------------------------------------


def test_class_probabilities_follow_the_boundary_rule():
    values = np.array([1.0, 2.0, 2.0000001, 3.0, 5.0])
    p = unc.class_probabilities(values, [2.0, 3.0])
    assert p == {"A": 0.4, "B": 0.4, "C": 0.2}  # 2.0 is class A, 3.0 is class B
    assert math.isclose(sum(p.values()), 1.0)


def test_class_probabilities_with_thresholds(method_set):
    report, samples = unc.run_uncertainty(TINY, iterations=2000, seed=4, thresholds=[4.0, 4.2, 4.4], keep_samples=True)
    classes = report.classes
    assert classes is not None and classes.category == "climate change"
    assert list(classes.probabilities) == ["A", "B", "C", "D"]
    assert math.isclose(sum(classes.probabilities.values()), 1.0)
    climate = samples[:, method_set.names.index("climate change")]
    assert math.isclose(classes.probabilities["A"], float(np.mean(climate <= 4.0)))
    assert classes.deterministic_class == "C"  # 4.215 kg CO2-eq lies in (4.2, 4.4]


def _table(thresholds: list[float]):
    from footprint.classes import CalibrationSettings, ClassBand, ClassTable, InputData

    bands = []
    for i in range(len(thresholds) + 1):
        bands.append(ClassBand(label="ABCDEFG"[i], lower=thresholds[i - 1] if i else None, upper=thresholds[i] if i < len(thresholds) else None))
    return ClassTable(
        material="lithium-carbonate",
        category="climate change",
        unit="kg CO2-Eq per kg",
        period="2026-2028",
        valid_from=dt.date(2026, 1, 1),
        valid_until=dt.date(2028, 12, 31),
        method="equal-width",
        settings=CalibrationSettings(method="equal-width", n_classes=len(thresholds) + 1),
        thresholds=thresholds,
        bands=bands,
        provisional=True,
        input=InputData(
            sha256="0" * 64, size_bytes=0, records=0, declarations_used=0, producers_used=0, volume_t=0.0,
            window_start=dt.date(2023, 1, 1), window_end=dt.date(2025, 12, 31),
        ),
        footprint_version="test",
        calibrated_on=dt.date(2025, 12, 31),
    )


def test_class_probabilities_under_a_class_table_file(tmp_path):
    from footprint.classes import write_class_table

    path = write_class_table(_table([4.1, 4.3]), tmp_path / "lithium-carbonate" / "2026-2028.toml")
    report, _ = unc.run_uncertainty(TINY, iterations=1000, seed=4, class_table=path)
    assert report.classes is not None
    assert list(report.classes.probabilities) == ["A", "B", "C"]
    assert report.classes.deterministic_class == "B"
    assert "2026-2028" in report.classes.table


def test_no_class_table_in_force_is_reported_not_fatal(monkeypatch):
    import footprint.classes as classes

    def none_in_force(material, on_date, folder=None, **kwargs):
        raise classes.NoTableInForce("no table", field="material")

    monkeypatch.setattr(classes, "table_in_force", none_in_force)
    report, _ = unc.run_uncertainty(TINY, iterations=20, seed=1, on_date=dt.date(1990, 1, 1))
    assert report.classes is None
    assert report.classes_note and "1990-01-01" in report.classes_note


# ---------------------------------------------------------------------------------------------
# A background with distributions
# ---------------------------------------------------------------------------------------------


def test_sampled_background_scores_are_seeded(method_set):
    from footprint.engine.sampling import background_has_distributions, sample_background_scores

    plain = random_background(method_set, n=60, flows=30, seed=8)
    uncertain = random_background(method_set, n=60, flows=30, seed=8, distributions=True)
    assert not background_has_distributions(plain)
    assert background_has_distributions(uncertain)
    datasets = [int(d) for d in uncertain.activity_ids[:3]]
    first = sample_background_scores(uncertain, method_set, datasets, iterations=4, seed=5)
    again = sample_background_scores(uncertain, method_set, datasets, iterations=4, seed=5)
    assert first.shape == (4, len(method_set.categories), 3)
    assert np.array_equal(first, again)
    assert not np.allclose(first[0], first[1])
    # Fed to the vectorised Monte Carlo in place of the fixed scores.
    ready = prep.prepare_background(plain, method_set, cache=False)
    inventory = random_inventory(plain, 3)
    inventory.background_links = [(datasets[i % 3], c, a) for i, (_, c, a) in enumerate(inventory.background_links)]
    system = unc.monte_carlo_system(inventory, ready, specs=[])
    background_scores = sample_background_scores(uncertain, method_set, system.dataset_ids, iterations=4, seed=5)
    sampled = unc.simulate(system, unc.sample_amounts(system, 4, seed=1), background_scores)
    fixed = unc.simulate(system, unc.sample_amounts(system, 4, seed=1))
    assert sampled.shape == fixed.shape and not np.allclose(sampled, fixed)


def test_uncertainty_command_writes_a_report(tmp_path):
    import json

    from typer.testing import CliRunner

    from footprint.cli import app

    result = CliRunner().invoke(app, ["uncertainty", str(TINY), "-n", "500", "--seed", "7", "--thresholds", "4,4.2,4.4", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "uncertainty.json").read_text())
    assert data["iterations"] == 500 and data["seed"] == 7
    assert data["classes"]["probabilities"]
    assert "Performance class" in result.output


@pytest.mark.parametrize("bounds", ["5,3,8", "5,3,nan", "-1,2"])
def test_bare_thresholds_follow_the_class_table_rules(bounds):
    """The same boundaries a class table must have: finite, non-negative, strictly increasing."""
    from typer.testing import CliRunner

    from footprint.cli import app

    result = CliRunner().invoke(app, ["uncertainty", str(TINY), "-n", "10", "--thresholds", bounds])
    assert result.exit_code == 2
    assert "--thresholds" in result.output
