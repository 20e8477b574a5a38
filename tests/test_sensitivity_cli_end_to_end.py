"""`footprint sensitivity` end to end (typer's CliRunner on footprint.cli.app)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from footprint.assessment import assess
from footprint.classes.table import write_class_table
from footprint.cli import app

from ._declaration_helpers import class_table
from .conftest import TINY_STUDY

runner = CliRunner()


def test_ranked_elasticities_as_json(tmp_path):
    out = tmp_path / "sensitivity.json"
    # On a date before the first class period (2027-2029) no table is in force: no margin, and why.
    result = runner.invoke(app, ["sensitivity", str(TINY_STUDY), "--top", "3", "--json", "--out", str(out), "--on", "2026-11-20"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data == json.loads(out.read_text())
    assert [e["rank"] for e in data["elasticities"]] == [1, 2, 3]
    assert data["class_margin"] is None and "no climate change class table" in data["class_margin_missing"]


def test_with_a_class_table_the_margin_is_given(tmp_path):
    value = assess(TINY_STUDY).category("climate change").value
    table = write_class_table(class_table("lithium-carbonate", [0.5 * value, 0.9 * value, 1.2 * value]), tmp_path / "table.toml")
    result = runner.invoke(app, ["sensitivity", str(TINY_STUDY), "--class-table", str(table), "--top", "4"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "class margin: climate change" in text and "class C" in text and "linear, exact" in text
    data = json.loads(runner.invoke(app, ["sensitivity", str(TINY_STUDY), "--class-table", str(table), "--json"]).output)
    assert data["class_margin"]["class_label"] == "C" and len(data["class_margin"]["amounts"]) == 10


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    missing = runner.invoke(app, ["sensitivity", str(tmp_path / "none.toml")])
    assert missing.exit_code == 2 and "none.toml" in missing.output and "Traceback" not in missing.output
    date = runner.invoke(app, ["sensitivity", str(TINY_STUDY), "--on", "yesterday"])
    assert date.exit_code == 2 and "--on" in date.output


def test_the_results_schema_names_the_workbench_keys():
    schema = json.loads(runner.invoke(app, ["schema", "results"]).output)
    assert {"elasticities", "class_margin", "dqr", "primary_data_share"} <= set(schema["properties"])
