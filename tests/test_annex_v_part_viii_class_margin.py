"""Annex V Part VIII: performance classes — how far a declared value sits from its class's
thresholds, and which single change of the activity data would move it into another class.

A value on a threshold belongs to the better class (the one class lookup,
`footprint.classes.lookup`): reaching the lower threshold is enough for the better class, the
worse class needs more than the upper threshold. Each change is checked by re-declaring the
edited study.
"""

from __future__ import annotations

import json

import pytest

from footprint.assessment import assess
from footprint.classes import assign_class
from footprint.declaration import write_declaration_set
from footprint.engine import make_engine
from footprint.study import load_study
from footprint.workbench import class_margin

from ._declaration_helpers import class_table, occurrences
from ._workbench_helpers import assess_with
from .conftest import TINY_STUDY


@pytest.fixture(scope="module")
def engine():
    return make_engine()


@pytest.fixture(scope="module")
def tiny(tiny_background, engine):
    results = assess(TINY_STUDY, background=tiny_background, engine=engine)
    value = results.category("climate change").value
    return results, class_table("lithium-carbonate", [0.5 * value, 0.9 * value, 1.2 * value])


def test_distance_to_both_thresholds(tiny):
    results, table = tiny
    margin = class_margin(results, table)
    value = results.category("climate change").value
    assert margin.class_label == "C" == assign_class(table, value)
    assert margin.lower_threshold == table.thresholds[1] and margin.upper_threshold == table.thresholds[2]
    assert margin.to_better == pytest.approx(0.1 * value, rel=1e-12) and margin.to_better_percent == pytest.approx(10.0, rel=1e-9)
    assert margin.to_worse == pytest.approx(0.2 * value, rel=1e-12) and margin.to_worse_percent == pytest.approx(20.0, rel=1e-9)
    assert margin.nearest == "better"


def _class_after(path, tmp_path, amount, value, background, engine, table):
    edited = assess_with(path, tmp_path, amount.process, amount.field, value, background=background, engine=engine)
    return assign_class(table, edited.category("climate change").value), edited.category("climate change").value


def test_a_linear_amount_flips_the_class_exactly_where_it_says(tiny, tmp_path, tiny_background, engine):
    results, table = tiny
    margin = class_margin(results, table)
    soda = next(a for a in margin.amounts if a.field == "inputs[2].amount" and a.process == "refining")
    change = soda.to_better
    assert change.reachable and change.method == "linear, exact" and change.target_class == "B"
    # 10 % of the result through an amount with elasticity e: -10/e % of the amount.
    assert change.change_percent == pytest.approx(-10.0 / soda.elasticity, rel=1e-9)
    assert change.change == pytest.approx(change.new_amount - soda.amount, rel=1e-12)
    short = _class_after(TINY_STUDY, tmp_path, soda, change.new_amount * (1 + 1e-6), tiny_background, engine, table)
    beyond = _class_after(TINY_STUDY, tmp_path, soda, change.new_amount * (1 - 1e-6), tiny_background, engine, table)
    assert short[0] == "C" and beyond[0] == "B"
    worse = soda.to_worse
    assert worse.target_class == "D"
    over = _class_after(TINY_STUDY, tmp_path, soda, worse.new_amount * (1 + 1e-6), tiny_background, engine, table)
    under = _class_after(TINY_STUDY, tmp_path, soda, worse.new_amount * (1 - 1e-6), tiny_background, engine, table)
    assert over[0] == "D" and under[0] == "C"


def test_a_reference_output_is_solved_exactly_not_extrapolated(tiny, tmp_path, tiny_background, engine):
    """Output per run divides every burden: the result is 1/x in it, so a straight line would miss."""
    results, table = tiny
    margin = class_margin(results, table)
    product = next(a for a in margin.amounts if a.process == "refining" and a.field == "reference_output.amount")
    change = product.to_better
    assert change.method == "solved exactly (not linear in this amount)" and "linear extrapolation" in change.note
    # 1 t / x of the burdens: the value falls to 0.9 of itself at x = 1/0.9 t, not at 1.1 t as a line would say.
    assert change.new_amount == pytest.approx(1 / 0.9, rel=1e-12)
    label, value = _class_after(TINY_STUDY, tmp_path, product, change.new_amount, tiny_background, engine, table)
    assert value == pytest.approx(table.thresholds[1], rel=1e-12)
    beyond = _class_after(TINY_STUDY, tmp_path, product, change.new_amount * (1 + 1e-6), tiny_background, engine, table)
    assert beyond[0] == "B"


def test_an_amount_that_cannot_reach_the_threshold_says_so(tiny):
    results, table = tiny
    margin = class_margin(results, table)
    pumping = next(a for a in margin.amounts if a.process == "pumping" and a.field == "inputs[1].amount")
    # Pumping electricity is 0.5 % of the result: removing it all cannot take 10 % off.
    assert not pumping.to_better.reachable and pumping.to_better.method == "not reachable"
    assert "negative amount" in pumping.to_better.note


def test_results_json_carries_the_margin_when_the_declaration_is_classed(tiny, tmp_path, tiny_background, engine):
    results, table = tiny
    loaded = load_study(TINY_STUDY)
    write_declaration_set(results, loaded, tmp_path / "classed", class_table=table)
    data = json.loads((tmp_path / "classed" / "results.json").read_text())
    assert data["class_margin"]["class_label"] == "C" and data["class_margin"]["amounts"]
    assert data["elasticities"][0]["rank"] == 1 and "dqr" in data and data["primary_data_share"] == 100.0
    write_declaration_set(results, loaded, tmp_path / "unclassed", class_table=None)
    assert json.loads((tmp_path / "unclassed" / "results.json").read_text())["class_margin"] is None


def test_the_public_study_shows_rank_and_share_not_amounts(tiny, tmp_path):
    """Art. 46: the public study ranks the amounts and gives percentages, never the amounts or their changes in units."""
    results, table = tiny
    write_declaration_set(results, load_study(TINY_STUDY), tmp_path / "public", class_table=table)
    html = (tmp_path / "public" / "study.html").read_text()
    for role in ("sensitivity", "class-margin", "dqr", "primary-data-share"):
        assert f'data-role="{role}"' in html
    assert "purchase of sodium-carbonate" in html and "output per run (reference output)" in html
    margin = class_margin(results, table)
    for amount in margin.amounts:
        if amount.amount == 1:  # a reference basis of 1: its % change is its change, and 1 is no secret (as the Redactor holds)
            continue
        for change in (amount.to_better, amount.to_worse):
            if change is not None and change.reachable:
                assert occurrences(html, change.new_amount) == [] and occurrences(html, abs(change.change)) == []
