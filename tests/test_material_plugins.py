"""Material plugins: hook specifications, built-ins registered like third-party plugins."""

from __future__ import annotations

import inspect
import sys
import tomllib

import pytest

from footprint import hookspecs
from footprint.assessment import assess, check_study
from footprint.errors import BoundaryError
from footprint.plugins import ENTRY_POINT_GROUP, MaterialRegistry, make_plugin_manager
from footprint.rules import PublishedFootprint

from .conftest import DATA, EXAMPLES, REPO, TINY_STUDY, edit_study

HOOKS = [name for name, _ in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("footprint_")]
BUILT_IN = {
    "lithium-carbonate", "lithium-hydroxide", "nickel-sulfate", "cobalt-sulfate", "copper-cathode", "graphite-natural",
    "ndpr-oxide", "aluminium", "manganese-sulfate", "silicon-metal", "platinum",
}


def test_the_six_built_in_materials_are_listed():
    assert BUILT_IN <= {info.id for info in MaterialRegistry().materials()}


def test_built_ins_come_only_from_entry_points():
    """No hidden registration: without entry points there are no materials."""
    bare = MaterialRegistry(make_plugin_manager(load_entry_points=False))
    assert bare.materials() == []
    entry_points = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["entry-points"][ENTRY_POINT_GROUP]
    assert set(entry_points) == {
        "lithium", "nickel", "cobalt", "copper", "graphite", "rare-earths", "aluminium", "manganese", "silicon", "pgm", "magnets",
    }


def test_removing_a_built_in_from_the_entry_points_removes_its_materials():
    manager = make_plugin_manager(load_entry_points=False)
    manager.set_blocked("copper")
    manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    ids = {info.id for info in MaterialRegistry(manager).materials()}
    assert "copper-cathode" not in ids and "nickel-sulfate" in ids


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_implemented_by_a_built_in_plugin_and_documented(hook):
    manager = make_plugin_manager()
    implementers = [impl.plugin_name for impl in getattr(manager.hook, hook).get_hookimpls()]
    assert set(implementers) & {"lithium", "nickel", "cobalt", "copper", "graphite", "rare-earths", "aluminium", "magnets"}
    assert f"`{hook}(" in (REPO / "docs" / "plugins.md").read_text()


def test_every_hook_is_exercised_by_the_tests():
    registry = MaterialRegistry()
    import datetime as dt

    assert registry.materials()  # footprint_materials
    assert registry.rules("nickel-sulfate").allocation == "economic"  # footprint_material_rules
    assert "climate change" in registry.declared_categories("nickel-sulfate")  # footprint_declared_categories
    table = registry.class_table("lithium-carbonate", dt.date(2027, 6, 1))  # footprint_class_table
    assert table is not None and table.material == "lithium-carbonate"
    assert registry.calibration_settings("unknown-material") is None  # footprint_calibration_settings
    from footprint.magnets.registry import MagnetRulesRegistry

    magnets = MagnetRulesRegistry()
    assert magnets.rule_sets()  # footprint_magnet_rule_sets
    assert magnets.rules_for("wind-energy-generator", dt.date(2030, 1, 1)) is not None  # footprint_magnet_rules
    assert set(HOOKS) == {
        "footprint_materials", "footprint_material_rules", "footprint_declared_categories",
        "footprint_class_table", "footprint_calibration_settings", "footprint_magnet_rule_sets", "footprint_magnet_rules",
    }


@pytest.fixture()
def third_party_installed(tmp_path, monkeypatch):
    """Install a plugin the way pip would: a module plus a dist-info with entry points."""
    site = tmp_path / "site"
    dist = site / "footprint_gallium_example-0.1.dist-info"
    dist.mkdir(parents=True)
    (site / "footprint_gallium_example.py").write_text((DATA / "thirdparty" / "footprint_gallium_example.py").read_text())
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: footprint-gallium-example\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\ngallium = footprint_gallium_example\n")
    monkeypatch.syspath_prepend(str(site))
    yield MaterialRegistry(make_plugin_manager())
    sys.modules.pop("footprint_gallium_example", None)


def test_a_third_party_plugin_is_listed_and_declares(third_party_installed, tmp_path, tiny_background):
    registry = third_party_installed
    assert "gallium-test" in {info.id for info in registry.materials()}
    path = edit_study(tmp_path, TINY_STUDY, [('material = "lithium-carbonate"', 'material = "gallium-test"')])
    results = assess(path, registry=registry, background=tiny_background)
    assert results.material == "gallium-test" and results.category("climate change").value > 0
    assert registry.declared_categories("gallium-test") == ["climate change", "water use", "acidification"]


def test_company_specific_data_is_required_where_the_rules_say(tmp_path):
    """Annex V Part VI: the refinery (1(j)) is under the operator's direct influence."""
    path = edit_study(
        tmp_path,
        TINY_STUDY,
        [('category = "1(j)"\ndata_type = "company-specific"', 'category = "1(j)"\ndata_type = "secondary"')],
    )
    with pytest.raises(BoundaryError, match="require company-specific data") as raised:
        check_study(path)
    assert raised.value.process == "refining" and raised.value.field == "data_type"


def _published(material: str, route_word: str):
    rules = MaterialRegistry().rules(material)
    return next(f for f in rules.published_footprints if route_word in f.route)


EXAMPLE_CHECKS = [
    ("lithium-carbonate-brine-cl.toml", "lithium-carbonate", "brine"),
    # The LiOH example was calibrated to Istrate et al.'s breakdown (see its sources): a consistency check only.
    ("lithium-hydroxide-spodumene-au-cn.toml", "lithium-hydroxide", "spodumene"),
    ("nickel-sulfate-hpal-id.toml", "nickel-sulfate", "global"),
    ("copper-cathode-pyro-cl.toml", "copper-cathode", "primary"),
    ("copper-cathode-secondary-de.toml", "copper-cathode", "secondary"),
    # Istrate et al.'s 12.78-14.99 per kg anhydrous CoSO4 is 7.05-8.27 per kg of the declared heptahydrate.
    ("cobalt-sulfate-drc-cn.toml", "cobalt-sulfate", "DRC"),
    # A magnitude check only: the one readable figure is for mixed oxides from ion-adsorption clays.
    ("ndpr-oxide-bayan-obo-cn.toml", "ndpr-oxide", "ion-adsorption"),
    # Engels et al. 2022 per-process data including the coating step (coated SPG), as in Istrate et al.'s 10.6.
    ("graphite-natural-spherical-mz-cn.toml", "graphite-natural", "graphite"),
    # IAI 2015 global inventory on the Chinese grid, against European Aluminium's Chinese average (20).
    ("aluminium-primary-au-cn.toml", "aluminium", "China"),
    # IAI / European Aluminium 2015 inventory on the Norwegian grid, against Hydro's REDUXA ceiling (4.0).
    ("aluminium-primary-br-no.toml", "aluminium", "Norway"),
    # Norwegian submerged-arc furnace against the ~5 t CO2 per t process figure (Teknisk Ukeblad 2021; basis stated).
    ("silicon-metal-no.toml", "silicon-metal", "Norway"),
    # Consistency check: the example's electricity comes from the same study's energy demand (Buchspies et al. 2017).
    ("platinum-bushveld-za.toml", "platinum", "Southern Africa"),
]


@pytest.mark.parametrize("name, material, route", EXAMPLE_CHECKS)
def test_example_climate_result_is_within_a_factor_two_of_the_published_lca(name, material, route, starter_background):
    """Published single values are cited in each plugin; the starter background is not
    ecoinvent, so a factor of two is the tolerance, and an order-of-magnitude miss fails."""
    published = _published(material, route)
    low, high = published.declared_unit_range
    value = assess(EXAMPLES / name, background=starter_background).category("climate change").value
    assert low / 2 <= value <= high * 2, (value, published.source)


def test_a_published_value_on_another_basis_must_say_how_it_was_converted():
    """A converted figure without its derivation could not be traced back to the publication."""
    with pytest.raises(ValueError, match="basis and the conversion"):
        PublishedFootprint(route="r", low_kg_co2e=1.0, high_kg_co2e=2.0, source="a source", per_declared_unit=0.5)
    converted = PublishedFootprint(
        route="r", low_kg_co2e=1.0, high_kg_co2e=2.0, source="a source",
        basis="per kg anhydrous salt", per_declared_unit=0.5, conversion="molar masses",
    )
    assert converted.declared_unit_range == (0.5, 1.0)


def test_every_built_in_material_states_its_carbon_content():
    """PACT's fossilCarbonContent is required: every built-in material says its carbon, sourced."""
    for info in MaterialRegistry().materials():
        if info.plugin == "gallium":
            continue
        assert info.carbon_content is not None, info.id
        assert len(info.carbon_content.source) > 20, info.id
