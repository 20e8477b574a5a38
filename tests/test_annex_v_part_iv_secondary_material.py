"""Annex V Part IV 2: secondary CRMs — the recycling stage, scrap burden-free by default, the
PEF Circular Footprint Formula when the material's rules select it."""

from __future__ import annotations

import json

import pytest

from footprint.assessment import assess
from footprint.errors import FootprintInputError
from footprint.plugins import MaterialRegistry, make_plugin_manager
from footprint.hookspecs import hookimpl

from .conftest import EXAMPLES, edit_study

SECONDARY = EXAMPLES / "copper-cathode-secondary-de.toml"
PRIMARY = EXAMPLES / "copper-cathode-pyro-cl.toml"


class CircularCopper:
    """A plugin that takes copper's rules and selects the Circular Footprint Formula."""

    @hookimpl(tryfirst=True)
    def footprint_material_rules(self, material_id):
        if material_id != "copper-cathode":
            return None
        rules = MaterialRegistry().rules("copper-cathode")
        return rules.model_copy(update={"secondary_model": "circular-footprint-formula"})


@pytest.fixture()
def circular_registry():
    manager = make_plugin_manager()
    manager.register(CircularCopper(), name="circular-copper")
    return MaterialRegistry(manager)


def test_cut_off_by_default_scrap_is_burden_free(starter_background):
    results = assess(SECONDARY, background=starter_background)
    assert results.secondary_model.startswith("cut-off")
    assert list(results.category("climate change").by_stage) == ["recycling"]


def test_circular_footprint_formula_when_the_rules_select_it(circular_registry, starter_background, tmp_path):
    path = edit_study(
        tmp_path,
        SECONDARY,
        [("[[sites]]", f'[circular_footprint]\nrecycled_content = 0.9\nquality_ratio = 1.0\nvirgin_study = "{PRIMARY}"\nsource = "test parameters (assumption)"\n\n[[sites]]')],
    )
    cut_off = assess(SECONDARY, background=starter_background)
    primary = assess(PRIMARY, background=starter_background)
    cff = assess(path, registry=circular_registry, background=starter_background)
    a, r1, q = 0.2, 0.9, 1.0
    for category in cut_off.categories:
        expected = (1 - r1) * primary.category(category.category).value + r1 * (
            a * category.value + (1 - a) * primary.category(category.category).value * q
        )
        result = cff.category(category.category)
        assert result.value == pytest.approx(expected, rel=1e-9, abs=1e-18)
        assert sum(result.by_process.values()) == pytest.approx(result.value, rel=1e-9, abs=1e-18)
    assert "circular-footprint-formula (A=0.2, R1=0.9" in cff.secondary_model
    assert cff.fingerprint.virgin_study_sha256 == primary.fingerprint.study_sha256


def test_the_formula_needs_its_parameters(circular_registry, starter_background):
    with pytest.raises(FootprintInputError, match="Circular Footprint Formula") as raised:
        assess(SECONDARY, registry=circular_registry, background=starter_background)
    assert raised.value.field == "circular_footprint"


# --- recycled battery salts from black mass (Annex V Part IV 2(d) pre-treatment, 2(g) refining) --------

BATTERY_SECONDARY = [
    ("lithium-carbonate-recycled-de.toml", "lithium-carbonate-brine-cl.toml", "lithium-carbonate"),
    ("nickel-sulfate-recycled-de.toml", "nickel-sulfate-hpal-id.toml", "nickel-sulfate"),
    ("cobalt-sulfate-recycled-de.toml", "cobalt-sulfate-drc-cn.toml", "cobalt-sulfate"),
]


class CircularBatterySalts:
    """Rules that select the Circular Footprint Formula for the three battery salts."""

    @hookimpl(tryfirst=True)
    def footprint_material_rules(self, material_id):
        if material_id not in {m for _, _, m in BATTERY_SECONDARY}:
            return None
        manager = make_plugin_manager()
        rules = MaterialRegistry(manager).rules(material_id)
        return rules.model_copy(update={"secondary_model": "circular-footprint-formula"})


@pytest.mark.parametrize("secondary, primary, material", BATTERY_SECONDARY)
def test_recycled_battery_salts_are_cut_off_by_default(secondary, primary, material, starter_background):
    results = assess(EXAMPLES / secondary, background=starter_background)
    assert results.material == material and results.route == "secondary"
    assert results.secondary_model.startswith("cut-off")
    climate = results.category("climate change")
    assert list(climate.by_stage) == ["recycling"] and climate.value > 0
    # The spent batteries are burden-free: only pre-treatment and refining carry burdens.
    assert set(climate.by_process) >= {"pretreatment", "leaching-solvent-extraction"}


@pytest.mark.parametrize("secondary, primary, material", BATTERY_SECONDARY)
def test_recycled_battery_salts_with_the_circular_footprint_formula(secondary, primary, material, starter_background):
    manager = make_plugin_manager()
    manager.register(CircularBatterySalts(), name="circular-battery-salts")
    registry = MaterialRegistry(manager)
    cut_off = assess(EXAMPLES / secondary, background=starter_background)
    virgin = assess(EXAMPLES / primary, background=starter_background)
    cff = assess(EXAMPLES / secondary, registry=registry, background=starter_background)
    a, r1, q = 0.2, 1.0, 1.0  # the examples' R1 and Qsin/Qp; A for metals
    for category in cut_off.categories:
        expected = (1 - r1) * virgin.category(category.category).value + r1 * (
            a * category.value + (1 - a) * virgin.category(category.category).value * q
        )
        assert cff.category(category.category).value == pytest.approx(expected, rel=1e-9, abs=1e-18)
    assert cff.secondary_model.startswith("circular-footprint-formula (A=0.2, R1=1.0")


def test_recycled_battery_salts_declare_with_the_cff_through_the_cli(tmp_path, monkeypatch):
    """A rules plugin installed like a package selects the CFF for the three salts; `footprint declare`
    then applies it and `footprint verify` reproduces each CFF declaration; without it they are cut-off."""
    site = tmp_path / "site"
    dist = site / "footprint_circular_salts-0.1.dist-info"
    dist.mkdir(parents=True)
    (site / "footprint_circular_salts.py").write_text(
        "from footprint.hookspecs import hookimpl\n"
        "from footprint.plugins import MaterialRegistry, make_plugin_manager\n"
        "PLUGINS = {'lithium-carbonate': 'lithium', 'nickel-sulfate': 'nickel', 'cobalt-sulfate': 'cobalt'}\n"
        "@hookimpl(tryfirst=True)\n"
        "def footprint_material_rules(material_id):\n"
        "    if material_id not in PLUGINS:\n"
        "        return None\n"
        "    manager = make_plugin_manager(load_entry_points=False)\n"
        "    manager.load_setuptools_entrypoints('footprint.materials', name=PLUGINS[material_id])\n"
        "    rules = MaterialRegistry(manager).rules(material_id)\n"
        "    return rules.model_copy(update={'secondary_model': 'circular-footprint-formula'})\n"
    )
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: footprint-circular-salts\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[footprint.materials]\ncircular-salts = footprint_circular_salts\n")
    monkeypatch.syspath_prepend(str(site))
    from typer.testing import CliRunner

    from footprint.cli import app
    from footprint.plugins import plugin_manager

    def climate(results):
        return next(c["value"] for c in results["categories"] if c["category"] == "climate change")

    plugin_manager.cache_clear()  # the CLI's registry is built once per process: rebuild it with the new package
    runner = CliRunner()
    studies = {material: EXAMPLES / secondary for secondary, _, material in BATTERY_SECONDARY}
    cff = {}
    try:
        for material, study in studies.items():
            out = tmp_path / "cff" / material
            result = runner.invoke(app, ["declare", str(study), "--out", str(out)])
            assert result.exit_code == 0, result.output
            cff[material] = json.loads((out / "results.json").read_text())
            result = runner.invoke(app, ["verify", str(out / "declaration.json"), "--study", str(study)])
            assert result.exit_code == 0 and "REPRODUCED" in result.output, result.output
    finally:
        import sys

        sys.modules.pop("footprint_circular_salts", None)
    monkeypatch.undo()
    plugin_manager.cache_clear()
    for material, study in studies.items():
        out = tmp_path / "cut-off" / material
        result = runner.invoke(app, ["declare", str(study), "--out", str(out)])
        assert result.exit_code == 0, result.output
        cut_off = json.loads((out / "results.json").read_text())
        assert cff[material]["secondary_model"].startswith("circular-footprint-formula"), material
        assert cut_off["secondary_model"].startswith("cut-off"), material
        assert climate(cff[material]) != climate(cut_off), material


# Ali et al. 2023 (SSRN 4516667, abstract), mass allocation: recycled CoSO4, Li2CO3 and NiSO4 are
# 87.4 %, 61.0 % and 36.2 % below primary. The examples' ratio to footprint's own primary examples:
# cobalt agrees within a factor of two; lithium and nickel do not, and the reasons are stated in
# README (the Atacama-brine primary example is among the cleanest lithium routes, so a recycled
# salt that has to evaporate a dilute raffinate is not below it; the HPAL primary is compared with
# Ali's sulfide-ore primary mix for nickel).
PUBLISHED_RATIO = {"cobalt-sulfate": 1 - 0.874, "lithium-carbonate": 1 - 0.610, "nickel-sulfate": 1 - 0.362}


@pytest.mark.parametrize("secondary, primary, material", BATTERY_SECONDARY)
def test_recycled_to_primary_ratio_against_ali_et_al_2023(secondary, primary, material, starter_background):
    ratio = (
        assess(EXAMPLES / secondary, background=starter_background).category("climate change").value
        / assess(EXAMPLES / primary, background=starter_background).category("climate change").value
    )
    published = PUBLISHED_RATIO[material]
    within_two = published / 2 <= ratio <= published * 2
    assert within_two == (material == "cobalt-sulfate"), (material, ratio, published)
