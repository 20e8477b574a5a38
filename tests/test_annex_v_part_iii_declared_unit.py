"""Annex V Part III: the declared unit is 1 kg of the CRM unless the material's rules say otherwise."""

from __future__ import annotations

import pytest

from footprint.assessment import assess, check_study
from footprint.errors import FootprintInputError
from footprint.rules import MaterialRules
from footprint.study import Study

from .conftest import TINY_STUDY, edit_study


def test_declared_unit_defaults_to_one_kilogram():
    assert Study.model_fields["declared_unit_kg"].default == 1.0
    assert MaterialRules.model_fields["declared_unit_kg"].default == 1.0


def test_a_study_cannot_choose_another_unit_than_its_rules(tmp_path):
    path = edit_study(tmp_path, TINY_STUDY, [("declared_unit_kg = 1.0", "declared_unit_kg = 1000.0")])
    with pytest.raises(FootprintInputError, match="declared unit of 1 kg") as raised:
        check_study(path)
    assert raised.value.field == "declared_unit_kg"


def test_the_product_must_be_measured_in_mass(tmp_path, tiny_background):
    path = edit_study(
        tmp_path,
        TINY_STUDY,
        [('reference_output = { product = "lithium carbonate", amount = 1.0, unit = "t" }',
          'reference_output = { product = "lithium carbonate", amount = 1.0, unit = "m3" }')],
    )
    with pytest.raises(FootprintInputError, match="mass") as raised:
        assess(path, background=tiny_background)
    assert raised.value.process == "refining"


def test_results_are_per_declared_unit_whatever_unit_the_product_is_written_in(tmp_path, tiny_background):
    in_tonnes = assess(TINY_STUDY, background=tiny_background)
    # Same process written per kg of output: all its amounts divided by 1000.
    path = edit_study(
        tmp_path,
        TINY_STUDY,
        [
            ('reference_output = { product = "lithium carbonate", amount = 1.0, unit = "t" }',
             'reference_output = { product = "lithium carbonate", amount = 1000.0, unit = "kg" }'),
        ],
    )
    in_kilograms = assess(path, background=tiny_background)
    # 1 t and 1000 kg are the same reference output, so the result per kg is identical.
    assert in_kilograms.category("climate change").value == pytest.approx(in_tonnes.category("climate change").value, rel=1e-9)
