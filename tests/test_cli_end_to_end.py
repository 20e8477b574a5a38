"""End to end: the README's command on the shipped example studies."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from footprint.cli import app

from .conftest import EXAMPLES

runner = CliRunner()
LITHIUM = EXAMPLES / "lithium-carbonate-brine-cl.toml"


def test_declare_prints_every_ef31_category_by_stage_and_writes_results(tmp_path):
    result = runner.invoke(app, ["declare", str(LITHIUM), "--out", str(tmp_path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for expected in ("climate change", "water use", "acidification", "Extraction", "Concentration", "Refining"):
        assert expected in result.output
    results = json.loads((tmp_path / "results.json").read_text())
    assert len(results["categories"]) == 16
    climate = next(c for c in results["categories"] if c["category"] == "climate change")
    assert climate["unit"] == "kg CO2-Eq" and climate["value"] > 0
    assert sum(climate["by_stage"].values()) == pytest.approx(climate["value"], rel=1e-9)
    assert results["fingerprint"]["method_version"] == "3.1"


def test_check_reports_the_boundary_without_calculating():
    result = runner.invoke(app, ["check", str(LITHIUM)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "extraction" in result.output and "1(j)" in result.output


def test_schema_study_is_the_published_json_schema():
    result = runner.invoke(app, ["schema", "study"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["title"] == "Study"
    assert {"operator", "processes", "sites", "material", "route"} <= set(schema["properties"])


def test_materials_lists_the_installed_plugins():
    result = runner.invoke(app, ["materials"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "lithium-carbonate" in result.output


def test_published_json_schemas_are_current():
    """docs/schemas/ holds the contract of every file a user writes or reads; regenerate with
    `footprint schema --write docs/schemas` when a model changes."""
    from footprint.cli import SCHEMAS, schema_of

    from .conftest import REPO

    for name in SCHEMAS:
        published = json.loads((REPO / "docs" / "schemas" / f"{name}.schema.json").read_text())
        assert published == schema_of(name), f"docs/schemas/{name}.schema.json is out of date"


def test_background_shows_each_datasets_result_per_unit():
    """The number a study's input multiplies, checked against the numpy hand calculation."""
    from .test_hand_calculation_on_shipped_data import hand_background

    result = runner.invoke(app, ["background", "--impact", "climate change"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if line.startswith("│ sodium-hydroxide "))
    shown = float(row.split("│")[5])
    assert shown == pytest.approx(hand_background()["sodium-hydroxide"], rel=1e-3)


def test_background_refuses_an_unknown_impact_category():
    result = runner.invoke(app, ["background", "--impact", "climate"])
    assert result.exit_code != 0
    assert "unknown impact category 'climate'" in result.output
