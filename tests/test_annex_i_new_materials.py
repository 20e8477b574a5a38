"""Annex I strategic raw materials added by issue 20: aluminium (primary and from scrap), the
recycled battery salts, battery-grade manganese sulfate, silicon metal and platinum. Each example
declares and verifies end to end through the CLI, sits near a cited published value (or the reason
it does not is stated), and the aluminium class table places the examples."""

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
    "manganese-sulfate-emm-cn.toml",
    "silicon-metal-no.toml",
    "platinum-bushveld-za.toml",
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


# ---------------------------------------------------------------- manganese sulfate, silicon metal, platinum

NEW_MATERIALS = {
    "manganese-sulfate": "manganese-sulfate-emm-cn.toml",
    "silicon-metal": "silicon-metal-no.toml",
    "platinum": "platinum-bushveld-za.toml",
}


def test_footprint_materials_lists_manganese_sulfate_silicon_metal_and_platinum():
    result = CliRunner().invoke(app, ["materials"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    for material in NEW_MATERIALS:
        assert material in result.output
    infos = {info.id: info for info in MaterialRegistry().materials()}
    assert infos["manganese-sulfate"].cn_code == "2833 29 80"
    assert infos["silicon-metal"].cn_code == "2804 69 00"
    assert infos["platinum"].cn_code == "7110 11 00"


def test_the_rules_fix_stages_and_the_operators_own_processes():
    """Annex V Part IV (stages) and Part VI (company-specific data where the operator's influence is direct)."""
    registry = MaterialRegistry()
    manganese, silicon, platinum = (registry.rules(m) for m in NEW_MATERIALS)
    assert [s.value for s in manganese.stages["primary"]] == ["extraction", "concentration", "refining"]
    assert manganese.company_specific_categories == {"primary": ["1(f)", "1(j)", "1(k)"]}
    # Washed quartz goes straight to the furnace: silicon has no concentration stage.
    assert [s.value for s in silicon.stages["primary"]] == ["extraction", "refining"]
    assert silicon.company_specific_categories == {"primary": ["1(g)", "1(j)"]}
    assert platinum.company_specific_categories == {"primary": ["1(e)", "1(g)", "1(j)"]}


def test_platinum_co_products_are_allocated_by_value_with_sourced_prices():
    rules = MaterialRegistry().rules("platinum")
    assert rules.allocation == "economic"
    products = {price.product: price for price in rules.prices}
    assert set(products) == {"platinum sponge", "palladium sponge", "rhodium sponge", "nickel cathode"}
    for price in products.values():
        assert "USD" in price.source and len(price.source) > 40, price
    # Rhodium is far dearer than platinum, palladium dearer too (Johnson Matthey base prices, March 2021).
    assert products["rhodium sponge"].eur_per_kg > products["palladium sponge"].eur_per_kg > products["platinum sponge"].eur_per_kg


def test_platinum_carries_its_share_of_value_of_the_refinery_products(starter_background, tmp_path: Path):
    """The declared platinum carries value(Pt) / value(all priced products) of the refined burden (17.96 %)."""
    from footprint.study import load_study

    path = EXAMPLES / "platinum-bushveld-za.toml"
    allocated = assess(path, background=starter_background).category("climate change").value
    study = load_study(path).study
    refinery = next(p for p in study.processes if p.id == "pgm-refining")
    rules = MaterialRegistry().rules("platinum")
    values = {c.product: c.amount * rules.price_of(c.product).eur_per_kg for c in refinery.coproducts}
    platinum_value = refinery.reference_output.amount * rules.price_of("platinum sponge").eur_per_kg
    share = platinum_value / (platinum_value + sum(values.values()))
    assert share == pytest.approx(0.1796, abs=5e-4)
    # The same chain with every burden on the platinum: the allocated result is that share of it.
    whole = tmp_path / "whole.toml"
    text = path.read_text(encoding="utf-8")
    head, tail = text.split("[[processes.coproducts]]", 1)
    whole.write_text(head + "[[excluded]]" + tail.split("[[excluded]]", 1)[1], encoding="utf-8")
    unallocated = assess(whole, background=starter_background).category("climate change").value
    assert allocated == pytest.approx(unallocated * share, rel=1e-6)


def test_a_co_product_without_a_price_is_refused_naming_it(tmp_path: Path):
    from footprint.errors import FootprintInputError

    path = tmp_path / "platinum.toml"
    text = (EXAMPLES / "platinum-bushveld-za.toml").read_text(encoding="utf-8")
    path.write_text(text.replace('product = "nickel cathode"', 'product = "copper cathode"'), encoding="utf-8")
    with pytest.raises(FootprintInputError, match="economic allocation needs a price for 'copper cathode'") as raised:
        assess(path)
    assert raised.value.process == "pgm-refining" and raised.value.field == "coproducts[3].price"
    assert raised.value.file == str(path)


def test_platinum_sits_near_the_southern_african_6e_footprint_under_economic_allocation(starter_background):
    """Buchspies et al. 2017: 45 t CO2e per kg 6E (2015); converted by the example's value shares to 16.1 t per kg Pt."""
    published = next(f for f in MaterialRegistry().rules("platinum").published_footprints if "Southern Africa" in f.route)
    low, high = published.declared_unit_range
    assert low == pytest.approx(16119, rel=1e-3)
    results = assess(EXAMPLES / "platinum-bushveld-za.toml", background=starter_background)
    value = results.category("climate change").value
    assert low / 2 <= value <= high * 2
    # Electricity is most of it (Buchspies: more than 90 % of the GHG from electricity provision).
    assert results.category("material resources: metals/minerals").value > 0


def test_silicon_on_hydropower_is_dominated_by_the_reductant_carbon(starter_background):
    results = assess(EXAMPLES / "silicon-metal-no.toml", background=starter_background)
    climate = results.category("climate change")
    assert 4.0 < climate.value < 6.0
    assert climate.by_process["carbothermic-reduction"] / climate.value > 0.95


def test_hpmsm_misses_the_derived_chinese_value_by_a_stated_margin(starter_background):
    """The Chinese value (5.15, derived from Element 25's '67 % lower') is not met within a factor of two:
    the example counts only MnCO3 carbonate, the published cell-house lower bound and no residue. The gap is
    stated in the plugin's conversion and in README; the test keeps it from changing unseen."""
    published = next(f for f in MaterialRegistry().rules("manganese-sulfate").published_footprints if "China" in f.route)
    low, _ = published.declared_unit_range
    assert low == pytest.approx(5.1515, rel=1e-3)
    assert "were not read" in published.conversion
    value = assess(EXAMPLES / "manganese-sulfate-emm-cn.toml", background=starter_background).category("climate change").value
    assert 0.35 < value / low < 0.5
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "manganese-sulfate-emm-cn" in readme and "not met" in readme


@pytest.mark.parametrize("material, name", NEW_MATERIALS.items())
def test_every_zero_category_of_the_new_examples_has_a_stated_reason(material, name, starter_background):
    from footprint.coverage import unexplained_zeros, zero_categories
    from footprint.study import load_study

    results = assess(EXAMPLES / name, background=starter_background)
    assert len(zero_categories(results)) <= 1
    assert unexplained_zeros(results, load_study(EXAMPLES / name).study) == []
