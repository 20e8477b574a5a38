"""Annex I strategic raw materials added by issue 20: aluminium (primary and from scrap) and the
recycled battery salts. Each example declares and verifies end to end through the CLI, sits near
a cited published value, and the aluminium class table places the examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint.assessment import assess
from footprint.cli import app
from footprint.plugins import MaterialRegistry

from .conftest import EXAMPLES

NEW_EXAMPLES = [
    "aluminium-primary-au-cn.toml",
    "aluminium-primary-br-no.toml",
    "aluminium-secondary-de.toml",
    "lithium-carbonate-recycled-de.toml",
    "nickel-sulfate-recycled-de.toml",
    "cobalt-sulfate-recycled-de.toml",
]


def test_footprint_materials_lists_aluminium_and_the_secondary_battery_routes():
    result = CliRunner().invoke(app, ["materials"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "aluminium" in result.output
    routes = {info.id: info.routes for info in MaterialRegistry().materials()}
    assert routes["aluminium"] == ["primary", "secondary"]
    for material in ("lithium-carbonate", "nickel-sulfate", "cobalt-sulfate"):
        assert "secondary" in routes[material]
        assert "secondary" in MaterialRegistry().rules(material).routes


@pytest.mark.parametrize("name", NEW_EXAMPLES)
def test_each_new_example_declares_and_verifies(name, tmp_path: Path):
    runner = CliRunner()
    out = tmp_path / "out"
    declared = runner.invoke(app, ["declare", str(EXAMPLES / name), "--out", str(out)])
    assert declared.exit_code == 0, declared.output
    declaration = out / "declaration.json"
    assert declaration.is_file() and (out / "declaration.html").is_file() and (out / "study.html").is_file()
    verified = runner.invoke(app, ["verify", str(declaration), "--study", str(EXAMPLES / name)])
    assert verified.exit_code == 0, verified.output
    body = json.loads(declaration.read_text())
    assert "climate change" in json.dumps(body)


def test_aluminium_rules_fix_the_stages_and_company_specific_processes():
    rules = MaterialRegistry().rules("aluminium")
    assert rules.company_specific_categories == {"primary": ["1(f)", "1(g)"], "secondary": ["2(e)"]}
    assert [s.value for s in rules.stages["primary"]] == ["extraction", "concentration", "refining"]
    assert rules.secondary_model == "cut-off"


def test_smelting_on_coal_power_is_far_above_hydropower_and_remelting(starter_background):
    """The spread the issue names: a few kg CO2e/kg on hydropower, well over ten on coal power."""
    china = assess(EXAMPLES / "aluminium-primary-au-cn.toml", background=starter_background).category("climate change")
    norway = assess(EXAMPLES / "aluminium-primary-br-no.toml", background=starter_background).category("climate change")
    scrap = assess(EXAMPLES / "aluminium-secondary-de.toml", background=starter_background).category("climate change")
    assert china.value > 10 > norway.value > scrap.value
    # Electrolysis electricity decides it: on the Chinese grid it is most of the footprint.
    assert china.by_process["electrolysis"] / china.value > 0.6
    # PFCs from anode effects are modelled (IAI 2015 CF4 and C2F6), so they show in the smelter's result.
    assert china.by_process["electrolysis"] > norway.by_process["electrolysis"]


def test_remelted_scrap_stays_below_the_published_upper_bound(starter_background):
    """IAI: recycling avoids over 95 % of primary emissions -> at most 5 % of 15.1 kg CO2e/kg."""
    published = next(f for f in MaterialRegistry().rules("aluminium").published_footprints if "upper bound" in f.route)
    low, high = published.declared_unit_range
    assert high == pytest.approx(0.755)
    value = assess(EXAMPLES / "aluminium-secondary-de.toml", background=starter_background).category("climate change").value
    assert 0 < value <= high


def test_aluminium_non_climate_flows_are_not_silently_zero(starter_background):
    results = assess(EXAMPLES / "aluminium-primary-au-cn.toml", background=starter_background)
    for category in ("acidification", "water use", "particulate matter formation", "material resources: metals/minerals"):
        assert results.category(category).value > 0, category


@pytest.mark.parametrize(
    "name, expected_class",
    [("aluminium-secondary-de.toml", "A"), ("aluminium-primary-br-no.toml", "B"), ("aluminium-primary-au-cn.toml", "D")],
)
def test_classes_assign_places_the_aluminium_examples(name, expected_class, starter_background):
    value = assess(EXAMPLES / name, background=starter_background).category("climate change").value
    result = CliRunner().invoke(app, ["classes", "assign", "--material", "aluminium", "--on", "2028-01-01", f"{value:.6g}"])
    assert result.exit_code == 0, result.output
    assert f"class {expected_class}" in result.output
