"""Annex V Part VI: company-specific and secondary data, and electricity modelling aligned
with EU law (grid mix of the country unless a direct line or PPA is documented)."""

from __future__ import annotations

import pytest

from footprint.assessment import assess, check_study
from footprint.errors import BoundaryError, FootprintInputError

from .conftest import TINY_STUDY, edit_study

PUMPING_ELECTRICITY = '  dataset = "electricity-grid-CL"\n  amount = 5.0'
WIND = '  dataset = "electricity-wind"\n  amount = 5.0'
PPA = '''
[[processes.electricity_supply]]
kind = "power-purchase-agreement"
dataset = "electricity-wind"
evidence = "PPA no. 2024-17 with a wind farm, guarantees of origin cancelled for the period"
unique_claim = {unique}
matched_consumption = true
'''


def test_grid_mix_of_the_country_by_default(tiny_background):
    results = assess(TINY_STUDY, background=tiny_background)
    assert {(e["process"], e["rule"]) for e in results.electricity} == {("pumping", "grid"), ("refining", "grid")}


def test_a_documented_power_purchase_agreement_replaces_the_grid_and_is_reported(tmp_path, tiny_background):
    path = edit_study(
        tmp_path,
        TINY_STUDY,
        [(PUMPING_ELECTRICITY, WIND), ('reference_output = { product = "brine", amount = 1.0, unit = "t" }\n',
                                        'reference_output = { product = "brine", amount = 1.0, unit = "t" }\n' + PPA.format(unique="true"))],
    )
    grid = assess(TINY_STUDY, background=tiny_background)
    contracted = assess(path, background=tiny_background)
    rules = {(e["process"], e["rule"]) for e in contracted.electricity}
    assert ("pumping", "power-purchase-agreement") in rules
    # 5 kWh per t brine, 20 t brine per t Li2CO3: wind at 0.01 instead of grid at 0.1716 kg CO2e/kWh.
    difference = grid.category("climate change").value - contracted.category("climate change").value
    assert difference == pytest.approx(0.1 * (0.1716 - 0.01), rel=1e-5)


def test_a_contract_whose_claim_is_not_unique_is_refused(tmp_path, tiny_background):
    path = edit_study(
        tmp_path,
        TINY_STUDY,
        [(PUMPING_ELECTRICITY, WIND), ('reference_output = { product = "brine", amount = 1.0, unit = "t" }\n',
                                        'reference_output = { product = "brine", amount = 1.0, unit = "t" }\n' + PPA.format(unique="false"))],
    )
    with pytest.raises(FootprintInputError, match="unique") as raised:
        assess(path, background=tiny_background)
    assert raised.value.process == "pumping" and raised.value.field == "electricity_supply"


def test_company_specific_data_where_the_operator_has_direct_influence(tmp_path):
    path = edit_study(tmp_path, TINY_STUDY, [('category = "1(e)"\ndata_type = "company-specific"', 'category = "1(e)"\ndata_type = "secondary"')])
    with pytest.raises(BoundaryError, match=r"company-specific data for category 1\(e\)") as raised:
        check_study(path)
    assert raised.value.process == "ponds"


def test_secondary_data_is_fine_where_the_rules_allow_it(tmp_path):
    path = edit_study(tmp_path, TINY_STUDY, [('category = "1(f)"\ndata_type = "company-specific"', 'category = "1(f)"\ndata_type = "secondary"')])
    assert check_study(path).boundary.processes_by_stage["extraction"] == ["pumping"]


SAMPLED = '''reference_output = { product = "brine", amount = 1.0, unit = "t" }
sampling = { sites_total = 12, sites_measured = 4, method = "four wellfields drawn by production volume, scaled by brine pumped" }
'''


def test_sampling_is_refused_unless_the_rules_allow_it(tmp_path):
    """Part VI: the rules say whether company-specific data may come from a sample of sites."""
    path = edit_study(tmp_path, TINY_STUDY, [('reference_output = { product = "brine", amount = 1.0, unit = "t" }\n', SAMPLED)])
    with pytest.raises(BoundaryError, match="do not allow sampling") as refused:
        check_study(path)
    assert refused.value.process == "pumping" and refused.value.field == "sampling"


def test_sampling_is_accepted_where_the_rules_allow_it(tmp_path):
    from footprint.boundary import check_company_specific
    from footprint.plugins import MaterialRegistry
    from footprint.study import load_study

    path = edit_study(tmp_path, TINY_STUDY, [('reference_output = { product = "brine", amount = 1.0, unit = "t" }\n', SAMPLED)])
    rules = MaterialRegistry().rules("lithium-carbonate").model_copy(update={"sampling_allowed": True})
    check_company_specific(load_study(path).study, rules)


def test_sampling_of_all_sites_is_not_a_sample(tmp_path):
    path = edit_study(
        tmp_path, TINY_STUDY,
        [('reference_output = { product = "brine", amount = 1.0, unit = "t" }\n', SAMPLED.replace("sites_measured = 4", "sites_measured = 12"))],
    )
    with pytest.raises(FootprintInputError, match="is not a sample"):
        check_study(path)
