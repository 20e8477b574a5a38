"""Annex V Part V: the categories each material declares come from a hotspot analysis of its
representative studies; climate change is always among them and there are at least three."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from footprint.assessment import assess
from footprint.cli import app
from footprint.hotspots import analyse_hotspots
from footprint.methods import load_method_set
from footprint.plugins import MaterialRegistry

from .conftest import EXAMPLES

REPRESENTATIVE_STUDIES = {
    "lithium-carbonate": ["lithium-carbonate-brine-cl.toml", "lithium-carbonate-recycled-de.toml"],
    "lithium-hydroxide": ["lithium-hydroxide-spodumene-au-cn.toml"],
    "nickel-sulfate": ["nickel-sulfate-hpal-id.toml", "nickel-sulfate-recycled-de.toml"],
    "cobalt-sulfate": ["cobalt-sulfate-drc-cn.toml", "cobalt-sulfate-recycled-de.toml"],
    "copper-cathode": ["copper-cathode-pyro-cl.toml", "copper-cathode-secondary-de.toml"],
    "graphite-natural": ["graphite-natural-spherical-mz-cn.toml"],
    "ndpr-oxide": ["ndpr-oxide-bayan-obo-cn.toml"],
    "aluminium": ["aluminium-primary-au-cn.toml", "aluminium-primary-br-no.toml", "aluminium-secondary-de.toml"],
    "manganese-sulfate": ["manganese-sulfate-emm-cn.toml"],
    "silicon-metal": ["silicon-metal-no.toml"],
    "platinum": ["platinum-bushveld-za.toml"],
}


@pytest.fixture(scope="module")
def analyses(starter_background):
    method_set = load_method_set()
    return {
        name: analyse_hotspots(assess(EXAMPLES / name, background=starter_background), method_set)
        for names in REPRESENTATIVE_STUDIES.values()
        for name in names
    }


@pytest.mark.parametrize("material", REPRESENTATIVE_STUDIES)
def test_declared_categories_are_those_the_hotspot_analysis_selects(material, analyses):
    """Kept as a test so that a change of data that shifts the selection is seen."""
    selected: set[str] = set()
    for name in REPRESENTATIVE_STUDIES[material]:
        selected |= set(analyses[name].relevant_categories)
    assert set(MaterialRegistry().declared_categories(material)) == selected


@pytest.mark.parametrize("name", [n for names in REPRESENTATIVE_STUDIES.values() for n in names])
def test_selection_reaches_80_percent_includes_climate_and_has_at_least_three(name, analyses):
    analysis = analyses[name]
    assert "climate change" in analysis.relevant_categories
    assert len(analysis.relevant_categories) >= 3
    shares = {c.category: c.share for c in analysis.categories}
    assert sum(shares[c] for c in analysis.relevant_categories) >= 0.80
    # Ranked by share of the weighted total.
    assert [c.share for c in analysis.categories] == sorted((c.share for c in analysis.categories), reverse=True)


def test_most_relevant_stages_and_processes_cover_80_percent_of_each_category(analyses):
    for analysis in analyses.values():
        for hotspot in analysis.hotspots:
            if hotspot.processes:
                assert sum(p.share for p in hotspot.processes) >= 0.80 - 1e-9
            if hotspot.stages:
                assert sum(s.share for s in hotspot.stages) >= 0.80 - 1e-9


def test_hotspots_command_prints_ranked_categories_stages_and_processes():
    result = CliRunner().invoke(app, ["hotspots", str(EXAMPLES / "lithium-carbonate-brine-cl.toml")], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "climate change" in result.output and "stages" in result.output and "processes" in result.output
