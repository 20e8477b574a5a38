"""Annex V Part VIII: environmental footprint performance classes.

"A meaningful number of performance classes ... class A the best (lowest life-cycle impact).
Thresholds and class widths are based on the distribution of declared values of the material
placed on the EU market over the previous three years, expected technological improvements
and other technical factors; reviewed every three years."

Each test below reads as one requirement of that text, or of footprint's issue implementing it.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import tomllib
from pathlib import Path

import numpy as np
import pytest
import typer
from scipy.stats import lognorm, norm
from typer.testing import CliRunner

from footprint.cli import classes as cli_classes
from footprint.classes import (
    BOUNDARY_RULE,
    CalibrationError,
    CalibrationSettings,
    ClassTable,
    DisclosureError,
    NoTableInForce,
    SeveralTablesInForce,
    ThinDataError,
    assign_class,
    calibrate_classes,
    class_shares,
    data_window,
    load_class_table,
    recalibration_report,
    table_in_force,
    weighted_quantiles,
    write_class_table,
)
from footprint.errors import FootprintInputError
from footprint.classes import MarketData, MarketDataError, read_declarations_folder, read_market_csv, write_market_csv

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "classes"
PROVISIONAL_MATERIALS = sorted(p.name for p in SHIPPED.iterdir() if p.is_dir()) if SHIPPED.is_dir() else []

MU, SIGMA = np.log(6.0), 0.45  # a log-normal market: median 6 kg CO2-Eq per kg


def lognormal_market(
    n: int = 200_000,
    *,
    seed: int = 7,
    material: str = "test-material",
    years: tuple[int, int] = (2024, 2026),
    mu: float = MU,
    sigma: float = SIGMA,
    producers: int = 400,
    quantity: np.ndarray | float | None = None,
    uncertainty: float | None = 0.2,
) -> MarketData:
    """n declarations, values ~ LogNormal(mu, sigma), dated uniformly over `years`."""
    rng = np.random.default_rng(seed)
    values = rng.lognormal(mu, sigma, n)
    start = np.datetime64(f"{years[0]}-01-01")
    days = (np.datetime64(f"{years[1] + 1}-01-01") - start).astype(int)
    dates = start + rng.integers(0, days, n).astype("timedelta64[D]")
    q = np.full(n, 10.0) if quantity is None else quantity
    return MarketData.from_arrays(
        material=material, value=values, quantity_t=q, date=dates,
        producer=rng.integers(0, producers, n), uncertainty=uncertainty,
    )


def quantile(n: int) -> CalibrationSettings:
    return CalibrationSettings(method="quantile", n_classes=n)


# --- the distribution of the market (weighted quantiles, closed form) -------------------------


def test_quantile_bands_match_the_closed_form_log_normal_quantiles():
    """Quantile bands put an equal share of market volume in each class: thresholds are the k/n quantiles."""
    table = calibrate_classes(lognormal_market(), material="test-material", period="2027-2029", settings=quantile(5))
    expected = lognorm.ppf([0.2, 0.4, 0.6, 0.8], SIGMA, scale=np.exp(MU))
    np.testing.assert_allclose(table.thresholds, expected, rtol=0.01)
    assert table.labels == ["A", "B", "C", "D", "E"]
    np.testing.assert_allclose([b.market_share for b in table.bands], 0.2, atol=0.002)


def test_equal_width_bands_lie_between_robust_percentiles_with_open_end_classes():
    """Equal-width: n-2 equal bands between the 5th and 95th weighted percentiles; A and the last class are open."""
    s = CalibrationSettings(method="equal-width", n_classes=6)
    table = calibrate_classes(lognormal_market(), material="test-material", period="2027-2029", settings=s)
    lo, hi = lognorm.ppf([0.05, 0.95], SIGMA, scale=np.exp(MU))
    np.testing.assert_allclose(table.thresholds, np.linspace(lo, hi, 5), rtol=0.01)
    assert table.bands[0].lower is None and table.bands[-1].upper is None
    widths = np.diff(table.thresholds)
    np.testing.assert_allclose(widths, widths[0])


def test_volume_weighting_is_the_distribution_of_material_not_of_paperwork():
    """Weights proportional to the value size-bias a log-normal to LogNormal(mu + sigma^2, sigma): closed form."""
    rng = np.random.default_rng(3)
    values = rng.lognormal(MU, SIGMA, 300_000)
    q = np.array([0.1, 0.5, 0.9])
    got = weighted_quantiles(values, q, weights=values)
    np.testing.assert_allclose(got, lognorm.ppf(q, SIGMA, scale=np.exp(MU + SIGMA**2)), rtol=0.01)
    np.testing.assert_allclose(weighted_quantiles(values, q), lognorm.ppf(q, SIGMA, scale=np.exp(MU)), rtol=0.01)


def test_weighted_and_unweighted_calibrations_differ_when_big_producers_are_cleaner():
    """Big producers (most tonnes) are cleaner: the volume-weighted thresholds sit lower than the per-declaration ones."""
    rng = np.random.default_rng(11)
    n = 50_000
    values = rng.lognormal(MU, SIGMA, n)
    z = (np.log(values) - MU) / SIGMA
    tonnes = 100.0 * np.exp(-1.5 * z)  # the cleaner, the bigger
    market = lognormal_market(n, seed=11, quantity=tonnes)
    market = MarketData.from_arrays(material="test-material", value=values, quantity_t=tonnes, date=market.date, producer=market.producers, uncertainty=0.2)
    weighted = calibrate_classes(market, material="test-material", period="2027-2029", settings=quantile(5))
    unweighted = calibrate_classes(market, material="test-material", period="2027-2029", settings=CalibrationSettings(method="quantile", n_classes=5, weighted=False))
    assert all(w < u for w, u in zip(weighted.thresholds, unweighted.thresholds))
    # closed form: weights exp(-1.5 z) shift a log-normal's log-mean by -1.5 sigma
    np.testing.assert_allclose(weighted.thresholds, lognorm.ppf([0.2, 0.4, 0.6, 0.8], SIGMA, scale=np.exp(MU - 1.5 * SIGMA)), rtol=0.02)
    np.testing.assert_allclose(unweighted.thresholds, lognorm.ppf([0.2, 0.4, 0.6, 0.8], SIGMA, scale=np.exp(MU)), rtol=0.02)
    assert weighted.settings.weighted and not unweighted.settings.weighted


def test_only_the_three_years_before_the_period_count():
    """Part VIII: the previous three years. Declarations of 2023 or 2027 do not shape the 2027-2029 table."""
    inside = lognormal_market(30_000, years=(2024, 2026))
    outside = lognormal_market(30_000, seed=8, years=(2021, 2023), mu=MU + 1.0)
    both = MarketData.from_arrays(
        material="test-material", value=np.concatenate([inside.value, outside.value]),
        quantity_t=10.0, date=np.concatenate([inside.date, outside.date]),
        producer=np.concatenate([inside.producers, outside.producers]), uncertainty=0.2,
    )
    assert data_window("2027-2029") == (dt.date(2024, 1, 1), dt.date(2026, 12, 31))
    t_both = calibrate_classes(both, material="test-material", period="2027-2029", settings=quantile(4))
    t_inside = calibrate_classes(inside, material="test-material", period="2027-2029", settings=quantile(4))
    np.testing.assert_allclose(t_both.thresholds, t_inside.thresholds)
    assert t_both.input.declarations_used == 30_000 and t_both.input.records == 60_000


def test_expected_improvement_tightens_thresholds_to_the_middle_of_the_validity_period():
    """2 %/yr over the three years from mid-2025 (data) to mid-2028 (validity): factor 0.98^3."""
    market = lognormal_market(50_000)
    base = calibrate_classes(market, material="test-material", period="2027-2029", settings=quantile(5))
    better = calibrate_classes(market, material="test-material", period="2027-2029", settings=CalibrationSettings(method="quantile", n_classes=5, annual_improvement=0.02))
    factor = better.derived["improvement_factor"]
    assert factor == pytest.approx(0.98**3, rel=1e-3)
    np.testing.assert_allclose(better.thresholds, np.asarray(base.thresholds) * factor)


def test_auto_chooses_as_many_classes_as_the_uncertainty_allows():
    """'auto': each inner band wider than the typical declaration uncertainty, between min and max classes."""
    lo, hi = lognorm.ppf([0.05, 0.95], SIGMA, scale=np.exp(MU))
    for u in (1.0, 2.0, 3.0):
        table = calibrate_classes(lognormal_market(100_000, uncertainty=u), material="test-material", period="2027-2029")
        inner = np.diff(table.thresholds)
        assert np.all(inner > u)
        expected_n = min(7, int(np.floor((hi - lo) / u)) + 2)
        assert len(table.bands) == expected_n
    with pytest.raises(CalibrationError, match="distinguishable"):
        calibrate_classes(lognormal_market(20_000, uncertainty=20.0), material="test-material", period="2027-2029")
    with pytest.raises(CalibrationError, match="uncertainty"):
        calibrate_classes(lognormal_market(20_000, uncertainty=None), material="test-material", period="2027-2029")


# --- class A the best; the threshold rule ---------------------------------------------------------


def _small_table(tmp_path: Path | None = None, period: str = "2027-2029", **kw) -> ClassTable:
    years = (int(period[:4]) - 3, int(period[:4]) - 1)
    return calibrate_classes(lognormal_market(20_000, years=years, **kw), material="test-material", period=period, settings=quantile(4))


def test_class_a_is_the_lowest_impact_and_a_value_on_a_threshold_takes_the_better_class():
    table = _small_table()
    t = table.thresholds
    assert BOUNDARY_RULE in table.boundary_rule
    assert assign_class(table, 0.0) == "A"
    assert assign_class(table, t[0]) == "A"  # exactly on the A|B threshold: class A
    assert assign_class(table, float(np.nextafter(t[0], np.inf))) == "B"
    assert assign_class(table, t[1]) == "B"
    assert assign_class(table, t[-1]) == "C"
    assert assign_class(table, float(np.nextafter(t[-1], np.inf))) == "D"
    assert assign_class(table, 1e9) == "D"
    for bad in (float("nan"), float("inf")):
        with pytest.raises(CalibrationError):
            assign_class(table, bad)


# --- refusals: thin data and privacy ------------------------------------------------------------


def test_too_few_declarations_are_refused():
    with pytest.raises(ThinDataError, match="only 12 declarations"):
        calibrate_classes(lognormal_market(12), material="test-material", period="2027-2029", settings=quantile(3))


def test_too_few_producers_are_refused():
    with pytest.raises(ThinDataError, match="only 4 distinct producers"):
        calibrate_classes(lognormal_market(500, producers=4), material="test-material", period="2027-2029", settings=quantile(3))


def test_too_few_producers_in_a_class_are_refused():
    """Seven classes over nine producers leaves classes with fewer than three producers."""
    values = np.repeat(np.arange(1.0, 10.0), 10) + np.tile(np.linspace(0, 0.5, 10), 9)
    market = MarketData.from_arrays(material="m", value=values, quantity_t=1.0, date=dt.date(2025, 6, 1), producer=np.repeat(np.arange(9), 10))
    s = CalibrationSettings(method="equal-width", n_classes=7, min_producers_per_boundary=1, max_producer_share_at_boundary=1.0)
    with pytest.raises(ThinDataError, match="too few producers per class"):
        calibrate_classes(market, material="m", period="2027-2029", settings=s)


def _segregated_market(material: str = "m") -> MarketData:
    """Six producers, each alone in its own value range: a quantile boundary falls between two of them."""
    rng = np.random.default_rng(5)
    values = np.concatenate([k + rng.uniform(0, 1, 50) for k in range(6)])
    return MarketData.from_arrays(material=material, value=values, quantity_t=1.0, date=dt.date(2025, 6, 1), producer=np.repeat(np.arange(6), 50))


def test_a_threshold_resting_on_one_or_two_producers_is_refused():
    with pytest.raises(DisclosureError, match="would rest on 2 producer"):
        calibrate_classes(_segregated_market(), material="m", period="2027-2029", settings=CalibrationSettings(method="quantile", n_classes=3, min_producers_per_class=1))


def test_a_threshold_dominated_by_one_producer_is_refused():
    """One producer with 8 % of the volume right at mid-market: the median threshold would (nearly) be its value."""
    market = lognormal_market(5_000, producers=60)
    big = MarketData.from_arrays(
        material="test-material",
        value=np.concatenate([market.value, [6.0]]),
        quantity_t=np.concatenate([market.quantity_t, [market.quantity_t.sum() * 0.087]]),
        date=np.concatenate([market.date, [np.datetime64("2025-05-05")]]),
        producer=np.concatenate([market.producers, [999]]),
        uncertainty=0.2,
    )
    with pytest.raises(DisclosureError, match="one producer holds"):
        calibrate_classes(big, material="test-material", period="2027-2029", settings=quantile(2))


def test_the_privacy_rule_is_relaxed_only_explicitly_and_only_for_provisional_tables():
    market, s = _segregated_market(), CalibrationSettings(method="quantile", n_classes=3)
    with pytest.raises(CalibrationError, match="provisional"):
        calibrate_classes(market, material="m", period="2027-2029", settings=s, privacy_waiver="public literature")
    table = calibrate_classes(market, material="m", period="2027-2029", settings=s, provisional=True, privacy_waiver="route-level public literature")
    assert table.provisional and table.privacy_waiver == "route-level public literature"


# --- tables: files, validity by date, three-period recalibration --------------------------------


def test_a_class_table_round_trips_through_toml_and_is_written_atomically(tmp_path: Path):
    table = _small_table()
    path = write_class_table(table, tmp_path / "classes" / "test-material" / "2027-2029.toml")
    assert load_class_table(path) == table
    doc = tomllib.loads(path.read_text())
    assert doc["unit"] == "kg CO2-Eq per kg" and doc["footprint_version"]
    assert len(doc["input"]["sha256"]) == 64 and doc["input"]["size_bytes"] > 0
    assert [p.name for p in path.parent.iterdir()] == ["2027-2029.toml"]  # no temp file left behind
    assert "ClassBand" in json.dumps(ClassTable.model_json_schema())


def test_the_table_in_force_is_found_by_date(tmp_path: Path):
    folder = tmp_path / "classes"
    for period in ("2027-2029", "2030-2032"):
        write_class_table(_small_table(period=period), folder / "test-material" / f"{period}.toml")
    assert table_in_force("test-material", dt.date(2028, 6, 1), folder).period == "2027-2029"
    assert table_in_force("test-material", dt.date(2029, 12, 31), folder).period == "2027-2029"
    assert table_in_force("test-material", dt.date(2030, 1, 1), folder).period == "2030-2032"
    with pytest.raises(NoTableInForce, match="2026-06-01"):
        table_in_force("test-material", dt.date(2026, 6, 1), folder)


def test_a_definitive_table_replaces_the_provisional_one_for_the_same_period(tmp_path: Path):
    folder = tmp_path / "classes"
    prov = calibrate_classes(_segregated_market("test-material-2"), material="test-material-2", period="2027-2029", settings=quantile(3), provisional=True, privacy_waiver="literature")
    m = lognormal_market(20_000, material="test-material-2")
    final = calibrate_classes(m, material="test-material-2", period="2027-2029", settings=quantile(3))
    write_class_table(prov, folder / "test-material-2" / "2027-2029-provisional.toml")
    assert table_in_force("test-material-2", dt.date(2027, 3, 1), folder).provisional
    write_class_table(final, folder / "test-material-2" / "2027-2029.toml")
    assert not table_in_force("test-material-2", dt.date(2027, 3, 1), folder).provisional


def improving_market(rate: float = 0.05, per_year: int = 20_000) -> MarketData:
    """A market whose footprints fall by `rate` per year, 2024 to 2032."""
    parts = []
    for i, year in enumerate(range(2024, 2033)):
        parts.append(lognormal_market(per_year, seed=100 + i, years=(year, year), mu=MU + i * np.log(1 - rate)))
    return MarketData.from_arrays(
        material="test-material", value=np.concatenate([p.value for p in parts]), quantity_t=10.0,
        date=np.concatenate([p.date for p in parts]), producer=np.concatenate([p.producers for p in parts]), uncertainty=0.2,
    )


def test_recalibration_every_three_years_produces_three_tables_and_a_report_of_shifts(tmp_path: Path):
    market = improving_market()
    folder = tmp_path / "classes"
    tables = {}
    for period in ("2027-2029", "2030-2032", "2033-2035"):
        tables[period] = calibrate_classes(market, material="test-material", period=period, settings=quantile(5))
        write_class_table(tables[period], folder / "test-material" / f"{period}.toml")
    assert sorted(p.name for p in (folder / "test-material").iterdir()) == ["2027-2029.toml", "2030-2032.toml", "2033-2035.toml"]
    # three years at 5 %/yr: every threshold falls by a factor 0.95^3
    for old, new in (("2027-2029", "2030-2032"), ("2030-2032", "2033-2035")):
        rep = recalibration_report(tables[old], tables[new], market)
        assert all(s.shift < 0 for s in rep.shifts)
        np.testing.assert_allclose([1 + s.relative for s in rep.shifts], 0.95**3, rtol=0.02)
        np.testing.assert_allclose(list(rep.new_shares.values()), 0.2, atol=0.01)
        # the old class A now holds Phi(-0.8416 + 3*0.0513/0.45) ~ 32 % of the market: >= 30 %, due for review
        expected = norm.cdf(norm.ppf(0.2) - 3 * np.log(0.95) / SIGMA)
        assert rep.old_shares["A"] == pytest.approx(expected, abs=0.015)
        assert rep.old_due_for_review and not rep.new_due_for_review
        assert any("due for review" in m for m in rep.messages)


def test_a_slowly_improving_market_is_not_flagged():
    market = improving_market(rate=0.01, per_year=10_000)
    old = calibrate_classes(market, material="test-material", period="2027-2029", settings=quantile(5))
    new = calibrate_classes(market, material="test-material", period="2030-2032", settings=quantile(5))
    rep = recalibration_report(old, new, market)
    assert rep.old_shares["A"] < 0.3 and not rep.old_due_for_review


# --- market data input ----------------------------------------------------------------------------


def test_market_csv_round_trips_and_errors_name_file_line_and_field(tmp_path: Path):
    market = lognormal_market(200)
    path = tmp_path / "market.csv"
    write_market_csv(market, path)
    back = read_market_csv(path)
    np.testing.assert_allclose(back.value, market.value)
    assert len(back.sha256) == 64 and back.size_bytes == path.stat().st_size
    rows = path.read_text().splitlines()
    rows[5] = rows[5].replace(rows[5].split(",")[4], "-3", 1)  # quantity_t of line 6
    path.write_text("\n".join(rows))
    with pytest.raises(MarketDataError) as err:
        read_market_csv(path)
    assert "market.csv" in str(err.value) and "line 6" in str(err.value) and "quantity_t" in str(err.value)


def test_declarations_folder_with_a_quantities_file(tmp_path: Path):
    folder = tmp_path / "declarations"
    folder.mkdir()
    for i in range(3):
        (folder / f"d{i}.json").write_text(json.dumps({
            "declaration_id": f"D-{i}", "issue_date": f"2025-0{i + 1}-15",
            "material": {"id": "lithium-carbonate"}, "responsible_person": {"name": f"Producer {i} GmbH"},
            "footprint": {"declared_unit_kg": 1.0, "categories": [
                {"category": "climate change", "value": 3.0 + i, "unit": "kg CO2-Eq"},
                {"category": "acidification", "value": 0.01, "unit": "mol H+-Eq"}]},
        }))
    (tmp_path / "q.csv").write_text("declaration_id,quantity_t\nD-0,100\nD-1,200\nD-2,50\n")
    data = read_declarations_folder(folder, tmp_path / "q.csv")
    cc = data.select("lithium-carbonate")
    assert sorted(cc.value.tolist()) == [3.0, 4.0, 5.0]
    assert cc.units.present() == ["kg CO2-Eq per kg"] and cc.n_producers() == 3
    assert all(p.startswith("p-") and "GmbH" not in p for p in cc.producer_ids)  # pseudonymous
    (tmp_path / "q.csv").write_text("declaration_id,quantity_t\nD-0,100\nD-1,200\n")
    with pytest.raises(MarketDataError, match="no quantity_t"):
        read_declarations_folder(folder, tmp_path / "q.csv")


# --- a declared value is a life-cycle footprint: never negative, counted once --------------------


def _csv_lines(tmp_path: Path, n: int = 40, name: str = "market.csv") -> tuple[Path, list[str]]:
    """A small valid market CSV (header + n rows) and its lines, to edit into bad input."""
    path = tmp_path / name
    write_market_csv(lognormal_market(n, producers=12), path)
    return path, path.read_text().splitlines()


def _calibrate_cli(market: Path, out: Path, *extra: str):
    args = ["classes", "calibrate", "--material", "test-material", "--market", str(market), "--period", "2027-2029",
            "--out", str(out), "--method", "quantile", "--classes", "3", *extra]
    return CliRunner().invoke(_cli(), args)


def test_a_negative_declared_value_is_refused_in_market_data_naming_file_and_line(tmp_path: Path):
    """Under the cut-off approach a life-cycle footprint has no credits: a value below zero is no declaration."""
    path, lines = _csv_lines(tmp_path)
    cells = lines[4].split(",")
    cells[2] = "-5"  # value of line 5
    lines[4] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(MarketDataError) as err:
        read_market_csv(path)
    assert "market.csv" in str(err.value) and "line 5" in str(err.value) and "'value'" in str(err.value)
    assert "must not be negative" in str(err.value)
    out = tmp_path / "t.toml"
    result = _calibrate_cli(path, out)
    assert result.exit_code == 2 and "line 5" in result.output and "must not be negative" in result.output
    assert not out.exists()
    with pytest.raises(MarketDataError, match="must not be negative"):
        MarketData.from_arrays(material="m", value=[1.0, -0.1], quantity_t=1.0, date=dt.date(2025, 1, 1), producer=[1, 2])
    zero = MarketData.from_arrays(material="m", value=[0.0, 1.0], quantity_t=1.0, date=dt.date(2025, 1, 1), producer=[1, 2])
    assert zero.value.min() == 0.0  # zero is a footprint; only below zero is refused


def test_a_negative_value_in_a_declaration_file_is_refused(tmp_path: Path):
    folder = tmp_path / "declarations"
    folder.mkdir()
    (folder / "d0.json").write_text(json.dumps({
        "declaration_id": "D-0", "issue_date": "2025-01-15", "material": {"id": "lithium-carbonate"},
        "responsible_person": {"name": "Producer GmbH"}, "footprint": {"categories": [{"category": "climate change", "value": -2.0}]},
    }))
    (tmp_path / "q.csv").write_text("declaration_id,quantity_t\nD-0,100\n")
    with pytest.raises(MarketDataError) as err:
        read_declarations_folder(folder, tmp_path / "q.csv")
    assert "d0.json" in str(err.value) and "footprint.categories[1].value" in str(err.value) and "must not be negative" in str(err.value)


def test_a_negative_value_has_no_class():
    """assign refuses a value below zero instead of calling it class A; zero is class A."""
    table = _small_table()
    assert assign_class(table, 0.0) == "A"
    with pytest.raises(CalibrationError, match="must not be negative"):
        assign_class(table, -5.0)
    doc = table.model_dump()
    doc["thresholds"] = [-1.0, *table.thresholds[1:]]
    doc["bands"][0]["upper"] = doc["bands"][1]["lower"] = -1.0
    with pytest.raises(ValueError, match="thresholds must not be negative"):
        ClassTable.model_validate(doc)


def test_cli_assign_refuses_a_negative_value(tmp_path: Path):
    path = write_class_table(_small_table(), tmp_path / "t.toml")
    result = CliRunner().invoke(_cli(), ["classes", "assign", "--material", "test-material", "--table", str(path), "--", "-5"])
    assert result.exit_code == 2 and "cannot class -5" in result.output and "must not be negative" in result.output
    assert "class A" not in result.output


def test_a_declaration_listed_twice_is_refused_naming_file_and_lines(tmp_path: Path):
    """The same rows twice are not twice the market: they would pass min_declarations on paper only."""
    path, lines = _csv_lines(tmp_path, n=16)
    path.write_text("\n".join(lines + lines[1:]) + "\n")  # every row twice: 32 rows, 16 declarations
    with pytest.raises(MarketDataError) as err:
        read_market_csv(path)
    msg = str(err.value)
    assert "market.csv" in msg and "16 duplicate" in msg and "line 18 repeats line 2" in msg
    out = tmp_path / "t.toml"
    result = _calibrate_cli(path, out, "--min-declarations", "20")
    assert result.exit_code == 2 and "duplicate" in result.output and "only 16" not in result.output
    assert not out.exists()
    path.write_text("\n".join(lines) + "\n")  # the unique rows alone: too thin, and said so
    result = _calibrate_cli(path, out, "--min-declarations", "20")
    assert result.exit_code == 2 and "only 16 declarations" in result.output


def test_a_declaration_id_counts_once_per_category(tmp_path: Path):
    """With a declaration_id column, one declaration may give several categories, but each only once."""
    header = "material,category,value,unit,quantity_t,date,producer,declaration_id\n"
    ok = header + (
        "m,climate change,3.0,kg CO2-Eq per kg,10,2025-01-01,P1,D-1\n"
        "m,acidification,0.01,mol H+-Eq per kg,10,2025-01-01,P1,D-1\n"
        "m,climate change,3.0,kg CO2-Eq per kg,10,2025-01-01,P1,D-2\n"  # same numbers, another declaration
    )
    path = tmp_path / "ids.csv"
    path.write_text(ok)
    assert len(read_market_csv(path)) == 3
    path.write_text(ok + "m,climate change,3.5,kg CO2-Eq per kg,20,2025-02-01,P1,D-1\n")
    with pytest.raises(MarketDataError) as err:
        read_market_csv(path)
    msg = str(err.value)
    assert "ids.csv" in msg and "line 5" in msg and "'D-1'" in msg and "line 2" in msg and "declaration_id" in msg


def test_quantities_that_overflow_are_refused_naming_the_file(tmp_path: Path):
    """1e308 t twice is no market volume: the weights would overflow to infinity."""
    path, lines = _csv_lines(tmp_path)
    for i in (3, 4):
        cells = lines[i].split(",")
        cells[4] = "1e308"
        lines[i] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(MarketDataError) as err:
        read_market_csv(path)
    assert "market.csv" in str(err.value) and "'quantity_t'" in str(err.value) and "overflow" in str(err.value)
    out = tmp_path / "t.toml"
    result = _calibrate_cli(path, out)
    assert result.exit_code == 2 and "overflow" in result.output and "nan" not in result.output and not out.exists()


def test_calibration_errors_name_the_market_file(tmp_path: Path):
    """Thin data, mixed units, no spread: each refusal says which file it is about."""
    path, _ = _csv_lines(tmp_path, n=10, name="thin-market.csv")
    with pytest.raises(ThinDataError) as err:
        calibrate_classes(read_market_csv(path), material="test-material", period="2027-2029", settings=quantile(3))
    assert err.value.file == str(path) and "thin-market.csv" in str(err.value) and "min_declarations" in str(err.value)
    result = _calibrate_cli(path, tmp_path / "t.toml")
    assert result.exit_code == 2 and "thin-market.csv" in result.output and "only 10 declarations" in result.output
    flat = tmp_path / "flat.csv"
    write_market_csv(MarketData.from_arrays(material="m", value=np.full(40, 5.0), quantity_t=np.arange(1.0, 41.0), date=dt.date(2025, 1, 1), producer=np.arange(40) % 12), flat)
    with pytest.raises(CalibrationError) as err:
        calibrate_classes(read_market_csv(flat), material="m", period="2027-2029", settings=CalibrationSettings(method="equal-width", n_classes=4))
    assert "flat.csv" in str(err.value) and "coincide" in str(err.value)


# --- one table in force, for the category it says ----------------------------------------------------


def test_two_tables_in_force_on_one_date_are_an_error_naming_both_files(tmp_path: Path):
    """Which class a product gets must not depend on which of two files is read first."""
    folder = tmp_path / "classes"
    write_class_table(_small_table(), folder / "test-material" / "2027-2029.toml")
    write_class_table(_small_table(seed=9), folder / "test-material" / "2027-2029-v2.toml")
    with pytest.raises(SeveralTablesInForce) as err:
        table_in_force("test-material", dt.date(2028, 1, 1), folder)
    assert "2027-2029.toml" in str(err.value) and "2027-2029-v2.toml" in str(err.value)
    runner, app = CliRunner(), _cli()
    for command in (["assign", "7.6"], ["show"]):
        result = runner.invoke(app, ["classes", *command, "--material", "test-material", "--folder", str(folder), "--on", "2028-01-01"])
        assert result.exit_code == 2, result.output
        assert "2027-2029.toml" in result.output and "2027-2029-v2.toml" in result.output and result.output.startswith("error:")
    # on a date only one of them covers, there is no doubt
    write_class_table(_small_table(period="2030-2032"), folder / "test-material" / "2030-2032.toml")
    assert table_in_force("test-material", dt.date(2031, 1, 1), folder).period == "2030-2032"


def test_a_tables_unit_must_be_the_unit_of_its_category(tmp_path: Path):
    """A climate table relabelled 'water use' would class water values against CO2 thresholds."""
    path = write_class_table(_small_table(), tmp_path / "t.toml")
    path.write_text(path.read_text().replace('category = "climate change"', 'category = "water use"'))
    with pytest.raises(FootprintInputError) as err:
        load_class_table(path)
    assert "t.toml" in str(err.value) and err.value.field == "unit" and "water use" in str(err.value)
    path.write_text(path.read_text().replace('category = "water use"', 'category = "happiness"'))
    with pytest.raises(FootprintInputError) as err:
        load_class_table(path)
    assert err.value.field == "category" and "not an impact category" in str(err.value)
    result = CliRunner().invoke(_cli(), ["classes", "assign", "--material", "test-material", "--table", str(path), "7.6"])
    assert result.exit_code == 2 and "t.toml" in result.output


def test_calibration_refuses_values_whose_unit_is_not_the_categorys(tmp_path: Path):
    m = lognormal_market(2_000)
    wrong = MarketData.from_arrays(material="test-material", category="water use", unit="kg CO2-Eq per kg", value=m.value,
                                   quantity_t=m.quantity_t, date=m.date, producer=m.producers, source=str(tmp_path / "w.csv"))
    with pytest.raises(CalibrationError) as err:
        calibrate_classes(wrong, material="test-material", period="2027-2029", settings=quantile(3), category="water use")
    assert err.value.field == "unit" and "w.csv" in str(err.value) and "m3 world eq. deprived" in str(err.value)
    with pytest.raises(CalibrationError, match="not an impact category"):
        calibrate_classes(m, material="test-material", period="2027-2029", settings=quantile(3), category="happiness")


def test_assign_states_the_category_and_checks_it(tmp_path: Path):
    """A water-use table classes water-use values: assign says which category it classed and refuses another."""
    m = lognormal_market(20_000)
    water = MarketData.from_arrays(material="test-material", category="water use", unit="m3 world eq. deprived per kg", value=m.value,
                                   quantity_t=m.quantity_t, date=m.date, producer=m.producers, uncertainty=0.2)
    path = write_class_table(calibrate_classes(water, material="test-material", period="2027-2029", settings=quantile(4), category="water use"), tmp_path / "w.toml")
    runner, app = CliRunner(), _cli()
    base = ["classes", "assign", "--material", "test-material", "--table", str(path), "1.0"]
    result = runner.invoke(app, base)
    assert result.exit_code == 2 and "--category 'water use'" in result.output
    result = runner.invoke(app, [*base, "--category", "Water Use"])
    assert result.exit_code == 0, result.output
    assert "class A: water use 1 m3 world eq. deprived per kg" in result.output
    climate = write_class_table(_small_table(), tmp_path / "c.toml")
    result = runner.invoke(app, ["classes", "assign", "--material", "test-material", "--table", str(climate), "1.0"])
    assert result.exit_code == 0 and "climate change 1 kg CO2-Eq per kg" in result.output


# --- the shipped provisional tables -----------------------------------------------------------------


@pytest.mark.parametrize("material", PROVISIONAL_MATERIALS)
def test_shipped_provisional_tables_are_marked_provisional_and_rest_on_cited_data(material: str):
    table_path = SHIPPED / material / "2027-2029.toml"
    market_path = SHIPPED / material / "2027-2029-provisional-market.csv"
    table = load_class_table(table_path)
    assert table.provisional and table.privacy_waiver and table.sources
    assert table.material == material and table.valid_from == dt.date(2027, 1, 1)
    with market_path.open() as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(r["source"].strip() for r in rows)  # every number sourced
    # never invent thresholds: recalibrating from the shipped CSV gives the shipped thresholds
    market = read_market_csv(market_path)
    assert market.sha256 == table.input.sha256
    again = calibrate_classes(
        market, material=material, period=table.period, settings=table.settings, category=table.category,
        window=(table.input.window_start, table.input.window_end), provisional=True, privacy_waiver=table.privacy_waiver,
    )
    assert again.thresholds == table.thresholds
    assert table_in_force(material, dt.date(2028, 1, 1)).provisional


# --- command line -------------------------------------------------------------------------------------


def _cli() -> typer.Typer:
    root = typer.Typer()
    root.add_typer(cli_classes.app, name="classes")

    @root.callback()
    def _main() -> None:
        """footprint (test mount)."""

    return root


def test_cli_calibrate_assign_show_and_report(tmp_path: Path):
    runner, app = CliRunner(), _cli()
    market = improving_market(per_year=5_000)
    csv_path = tmp_path / "market.csv"
    write_market_csv(market, csv_path)
    folder = tmp_path / "classes"
    for period in ("2027-2029", "2030-2032"):
        out = folder / "test-material" / f"{period}.toml"
        args = ["classes", "calibrate", "--material", "test-material", "--market", str(csv_path), "--period", period,
                "--out", str(out), "--method", "quantile", "--classes", "5"]
        if period == "2030-2032":
            args += ["--previous", str(folder / "test-material" / "2027-2029.toml"), "--plot", str(tmp_path / "classes.png")]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert out.is_file()
    assert "due for review" in result.output and "Threshold shifts" in result.output
    assert (tmp_path / "classes.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    t = load_class_table(folder / "test-material" / "2030-2032.toml")
    on = ["--folder", str(folder), "--on", "2031-05-01"]
    result = runner.invoke(app, ["classes", "assign", "--material", "test-material", str(t.thresholds[0]), "--letter-only", *on])
    assert result.exit_code == 0 and result.output.strip() == "A"
    result = runner.invoke(app, ["classes", "show", "--material", "test-material", *on])
    assert result.exit_code == 0 and "2030-2032" in result.output
    result = runner.invoke(app, ["classes", "report", str(folder / "test-material" / "2027-2029.toml"), str(folder / "test-material" / "2030-2032.toml"), "--market", str(csv_path)])
    assert result.exit_code == 0 and "Share of market volume" in result.output


def test_cli_refuses_bad_input_with_one_line_and_writes_nothing(tmp_path: Path):
    runner, app = CliRunner(), _cli()
    csv_path = tmp_path / "thin.csv"
    write_market_csv(lognormal_market(10), csv_path)
    out = tmp_path / "t.toml"
    result = runner.invoke(app, ["classes", "calibrate", "--material", "test-material", "--market", str(csv_path), "--period", "2027-2029", "--out", str(out), "--method", "quantile", "--classes", "3", "--plot", str(tmp_path / "p.png")])
    assert result.exit_code != 0
    assert "only 10 declarations" in result.output and "Traceback" not in result.output
    assert not out.exists() and not (tmp_path / "p.png").exists()
    result = runner.invoke(app, ["classes", "calibrate", "--material", "x", "--market", str(tmp_path / "missing.csv"), "--period", "2027-29"])
    assert result.exit_code != 0 and "error:" in result.output
    result = runner.invoke(app, ["classes", "assign", "--material", "no-such-material", "3.0", "--folder", str(tmp_path)])
    assert result.exit_code != 0 and "no-such-material" in result.output


def test_cli_unweighted_and_svg_plot_and_declaration_folder_needs_quantities(tmp_path: Path):
    runner, app = CliRunner(), _cli()
    csv_path = tmp_path / "market.csv"
    write_market_csv(lognormal_market(5_000), csv_path)
    out, svg = tmp_path / "t.toml", tmp_path / "bands.svg"
    result = runner.invoke(app, ["classes", "calibrate", "--material", "test-material", "--market", str(csv_path), "--period", "2027-2029",
                                 "--out", str(out), "--unweighted", "--improvement", "0.01", "--plot", str(svg), "--plot-kind", "ecdf"])
    assert result.exit_code == 0, result.output
    table = load_class_table(out)
    assert not table.settings.weighted and table.settings.annual_improvement == 0.01 and table.method == "auto"
    assert svg.read_text().lstrip().startswith("<?xml") and "<svg" in svg.read_text()[:2000]
    result = runner.invoke(app, ["classes", "calibrate", "--material", "test-material", "--market", str(csv_path), "--period", "2027-2029", "--out", str(out)])
    assert result.exit_code != 0 and "--force" in result.output  # a published table is not silently overwritten
    (tmp_path / "decl").mkdir()
    result = runner.invoke(app, ["classes", "calibrate", "--material", "x", "--market", str(tmp_path / "decl"), "--period", "2027-2029"])
    assert result.exit_code != 0 and "--quantities" in result.output


def test_plugins_can_inject_a_materials_settings():
    cli_classes.set_settings_provider(lambda m: CalibrationSettings(method="quantile", n_classes=4) if m == "x" else None)
    try:
        assert cli_classes.material_settings("x").n_classes == 4
        assert cli_classes.material_settings("x", {"annual_improvement": 0.01}).annual_improvement == 0.01
        assert cli_classes.material_settings("y").method == "auto"
    finally:
        cli_classes.set_settings_provider(None)


def test_class_shares_weighted_by_volume():
    table = _small_table()
    market = lognormal_market(20_000, years=(2024, 2026))
    shares = class_shares(table, market)
    assert sum(shares) == pytest.approx(1.0) and len(shares) == 4


# --- every built-in material: a shipped table, or the missing route stated (issue 17) ----------------

README_CLASSES = (SHIPPED / "README.md").read_text(encoding="utf-8") if SHIPPED.is_dir() else ""


def _builtin_materials() -> list[str]:
    from footprint.plugins import MaterialRegistry

    return sorted(m.id for m in MaterialRegistry().materials())


WITHOUT_TABLE = [m for m in _builtin_materials() if not (SHIPPED / m / "2027-2029.toml").is_file()]


def test_every_builtin_material_ships_a_table_or_states_which_route_value_is_missing():
    # "Where a route value is missing, say which and what it would take" (issue 17).
    assert PROVISIONAL_MATERIALS, "no provisional tables shipped"
    for material in WITHOUT_TABLE:
        mentions = [i for i in range(len(README_CLASSES)) if README_CLASSES.startswith(material, i)]
        assert mentions, f"{material} has no table and classes/README.md does not say why"
        assert any("Missing" in README_CLASSES[i : i + 1500] for i in mentions), material


@pytest.mark.parametrize("material", PROVISIONAL_MATERIALS)
def test_cli_shows_each_shipped_table_and_classes_its_route_values(material: str):
    runner, app = CliRunner(), _cli()
    on = ["--on", "2028-01-01"]
    result = runner.invoke(app, ["classes", "show", "--material", material, *on])
    assert result.exit_code == 0, result.output
    assert "2027-2029" in result.output
    table = load_class_table(SHIPPED / material / "2027-2029.toml")
    for row in read_market_csv(SHIPPED / material / "2027-2029-provisional-market.csv").value:
        result = runner.invoke(app, ["classes", "assign", "--material", material, repr(float(row)), "--letter-only", *on])
        assert result.exit_code == 0, result.output
        assert result.output.strip() == assign_class(table, float(row))


@pytest.mark.parametrize("material", WITHOUT_TABLE)
def test_cli_says_in_one_line_that_a_material_has_no_table(material: str):
    runner, app = CliRunner(), _cli()
    result = runner.invoke(app, ["classes", "show", "--material", material, "--on", "2028-01-01"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and material in result.output and "no climate change class table" in result.output


@pytest.mark.parametrize("material", WITHOUT_TABLE)
def test_one_published_route_makes_no_table_even_a_provisional_one(material: str):
    # The plugin's published figures for these materials are one route each: footprint will not
    # spread classes over a single value (thresholds are never invented).
    from footprint.plugins import MaterialRegistry

    routes = MaterialRegistry().rules(material).published_footprints
    assert len(routes) <= 1, f"{material} now has {len(routes)} published routes: build its table"
    if not routes:
        return
    low, _ = routes[0].declared_unit_range
    one_route = MarketData.from_arrays(
        material=material, value=np.array([low]), quantity_t=np.array([1000.0]),
        date=np.array(["2023-07-01"], dtype="datetime64[D]"), producer=np.array([0]),
    )
    with pytest.raises(ThinDataError, match="needs two"):
        calibrate_classes(
            one_route, material=material, period="2027-2029", settings=CalibrationSettings(method="equal-width", n_classes=5),
            window=(dt.date(2023, 1, 1), dt.date(2023, 12, 31)), provisional=True, privacy_waiver="route-level literature values",
        )
