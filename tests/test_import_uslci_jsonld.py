"""Bring your own database: the USLCI (openLCA JSON-LD, third-party data) imported into
Brightway, checked against an independent numpy calculation, and a study that links to it
declares (Art. 31(7)) with the import's gaps listed."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from footprint.cli import app

from ._uslci_numpy import climate_scores
from .conftest import DATA

runner = CliRunner()
USLCI = DATA / "uslci" / "uslci_subset_olca1_5_0_json_ld.zip"
STUDY = DATA / "uslci" / "us_lithium_carbonate_uslci.toml"
DATABASE = "uslci-test"
PROJECT = "footprint-imports"
DATASETS = [
    "Natural soda ash (Sodium carbonate), at plant",
    "Electricity, at Grid, US, 2010",
    "Diesel, combusted in industrial equipment",
    "Transport, combination truck, diesel powered",
    "Transport, train, diesel powered",
]


def _projects():
    from footprint.background import bw2data_in

    bd = bw2data_in(None)
    return sorted(p.name for p in bd.projects)


@pytest.fixture(scope="module")
def imported():
    result = runner.invoke(
        app,
        ["background", "import", str(USLCI), "--format", "jsonld", "--name", DATABASE, "--allow-unlinked"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_unlinked_items_refuse_the_database_and_nothing_is_written():
    before = _projects()
    result = runner.invoke(app, ["background", "import", str(USLCI), "--format", "jsonld", "--name", "refused"], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "link nowhere" in result.output and "--allow-unlinked" in result.output
    assert "Link report" in result.output and "CUTOFF" in result.output
    assert _projects() == before


def test_the_link_report_counts_what_linked_and_what_did_not(imported):
    from footprint.background import bw2data_in

    bd = bw2data_in(None)
    bd.projects.set_current(PROJECT, writable=False, update=False)
    report = bd.databases[DATABASE]["footprint_import"]["report"]
    assert report["datasets"] == 62
    tech, elem = report["technosphere_exchanges"], report["elementary_exchanges"]
    assert tech["linked"] > 0 and tech["unlinked"] > 0 and elem["linked"] > elem["unlinked"]
    assert report["most_frequent_unlinked"][0]["exchanges"] >= report["most_frequent_unlinked"][-1]["exchanges"]
    for line in ("technosphere exchanges", "elementary exchanges", "Most frequent unlinked items"):
        assert line in imported
    assert len(bd.Database(DATABASE)) == 62


def test_footprint_agrees_with_an_independent_numpy_calculation_from_the_json_files(imported):
    """Cradle-to-gate GWP100 of five USLCI datasets, per unit of their reference flow."""
    from footprint.background import open_background
    from footprint.methods import load_method_set
    from footprint.engine import prepare_background

    method_set = load_method_set()
    background = open_background(DATABASE, PROJECT, method_set=method_set)
    prepared = prepare_background(background, method_set, cache=False)
    expected = climate_scores(str(USLCI), DATASETS)
    for name in DATASETS:
        dataset = background.by_name(name, None, expected[name][1])
        score = prepared.dataset_scores([dataset.id])[prepared.categories.index("climate change")][0]
        assert dataset.unit == expected[name][1]
        assert score == pytest.approx(expected[name][0], rel=1e-6), name


def test_a_study_linked_to_uslci_declares_and_lists_the_gap(imported, tmp_path):
    result = runner.invoke(app, ["declare", str(STUDY), "--out", str(tmp_path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    declaration = json.loads((tmp_path / "declaration.json").read_text())
    assert declaration["fingerprint"]["background"] == DATABASE
    gaps = declaration["fingerprint"]["background_gaps"]
    assert gaps and gaps[0].startswith(f"{DATABASE}: ") and "left unlinked at import" in gaps[0]
    assert "left unlinked at import" in (tmp_path / "declaration.html").read_text()
    climate = declaration["footprint"]["categories"][0]
    assert climate["category"] == "climate change" and climate["value"] > 0
    verify = runner.invoke(app, ["verify", str(tmp_path / "declaration.json"), "--study", str(STUDY)], env={"COLUMNS": "200"})
    assert verify.exit_code == 0, verify.output
