"""Annex V Part IV 2: secondary CRMs — the recycling stage, scrap burden-free by default, the
PEF Circular Footprint Formula when the material's rules select it."""

from __future__ import annotations

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
