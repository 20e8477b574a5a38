"""Bring your own database in every format footprint reads: ecoSpold2, SimaPro CSV and
Brightway Excel on bw2io's own test data (BSD), ILCD on a package with EF 3.1 flow names."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from footprint.cli import app
from footprint.importers import import_database, read_source

from ._packages import ilcd_package
from .conftest import DATA

runner = CliRunner()
BW2IO = DATA / "bw2io"
PROJECT = "footprint-format-tests"


def _score(database: str, name: str, unit: str) -> float:
    from footprint.background import open_background
    from footprint.methods import load_method_set
    from footprint.engine import prepare_background

    method_set = load_method_set()
    background = open_background(database, PROJECT, method_set=method_set)
    prepared = prepare_background(background, method_set, cache=False)
    dataset = background.by_name(name, None, unit)
    return float(prepared.dataset_scores([dataset.id])[prepared.categories.index("climate change")][0])


def test_brightway_excel_from_bw2io_imports_fully_linked_and_scores_its_co2():
    """bw2io's example workbook (US LCI extracts): methanol emits 0.53 kg fossil CO2 per kg and
    buys 0.00805 kWh of a grid dataset that has no exchanges, so its GWP100 is 0.53."""
    result = runner.invoke(
        app, ["background", "import", str(BW2IO / "excel_example.xlsx"), "--format", "excel", "--name", "bw2io-excel", "--project", PROJECT],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert _score("bw2io-excel", "Methanol, at plant", "kg") == pytest.approx(0.53, rel=1e-6)
    # acetic acid buys 0.539 kg methanol and emits no CO2 itself
    assert _score("bw2io-excel", "Acetic acid, at plant", "kg") == pytest.approx(0.539 * 0.53, rel=1e-6)


def test_simapro_csv_from_bw2io_splits_the_multi_output_process_and_links_by_name():
    source = read_source(BW2IO / "simapro_allocation.csv", "simapro-csv")
    assert "SimaProCSVImporter" in source.reader
    names = {d.name for d in source.datasets}
    assert {"Rice, at farm (WFLDB 3.0)", "Rice straw, at farm (WFLDB 3.0)"} <= names  # bw2io's allocation split
    report = import_database(BW2IO / "simapro_allocation.csv", "simapro-csv", "bw2io-simapro", project=PROJECT)
    assert report.technosphere_exchanges.linked == 2 and report.unlinked == 0


def test_ecospold2_from_bw2io_links_its_elementary_flow_by_code_and_reports_the_missing_provider():
    result = runner.invoke(
        app, ["background", "import", str(BW2IO / "ecospold2_concrete_block.spold"), "--format", "ecospold2", "--name", "bw2io-es2", "--project", PROJECT],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 2, result.output
    assert "clay pit infrastructure" in result.output and "not in this source" in result.output
    report = import_database(BW2IO / "ecospold2_concrete_block.spold", "ecospold2", "bw2io-es2", project=PROJECT, allow_unlinked=True)
    assert report.matched_by == {"code": 1} and report.technosphere_exchanges.unlinked == 1
    assert report.gaps() and "clay pit infrastructure" in " ".join(report.gaps())


def test_ilcd_with_ef31_flow_names_links_through_the_shipped_mapping(tmp_path):
    """EF 3.1 names ('carbon dioxide (fossil)', 'methane (fossil)') in the EF 3.1 air context
    map to biosphere3 by the shipped table; 1 t quicklime emitting 785 kg CO2 and 0.01 kg CH4
    scores (785 + 0.01 x 29.8) / 1000 kg CO2-eq per kg (EF 3.1 GWP100, bw2io lcia_39_ecoinvent)."""
    package = ilcd_package(tmp_path, [
        ("8b3e6a2c-0000-4000-8000-00000000000a", "quicklime", "Product flow", 1000.0, "Output"),
        ("08a91e70-3ddc-11dd-923d-0050c2490048", "carbon dioxide (fossil)", "Elementary flow", 785.0, "Output"),
        ("0c5a7a5e-0000-4000-8000-00000000000b", "methane (fossil)", "Elementary flow", 0.01, "Output"),
    ])
    report = import_database(package, "ilcd", "ilcd-test", project=PROJECT)
    assert report.unlinked == 0 and report.matched_by == {"mapping table": 2}
    assert _score("ilcd-test", "quicklime production, test", "kg") == pytest.approx((785 + 0.01 * 29.8) / 1000, rel=1e-6)
