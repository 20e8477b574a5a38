"""Annex V Part VII: characterised results, without normalisation or weighting, from a
scientifically sound method (EF 3.1), computed by Brightway on the linked system."""

from __future__ import annotations

import numpy as np
import pytest

from footprint.assessment import assess
from footprint.methods import load_method_set

from .conftest import TINY_STUDY

# Characterisation factors of EF 3.1 (bw2io's shipped implementation), kg CO2-Eq per kg.
GWP = {"Carbon dioxide, fossil": 1.0, "Methane, fossil": 29.8}
WATER_TO_AIR_CF = 42.95  # m3 world-eq deprived per m3 evaporated
SO2_ACIDIFICATION_CF = 1.31  # mol H+-Eq per kg


def hand_calculation() -> dict[str, float]:
    """The tiny study solved with numpy from the numbers in the test files, per kg Li2CO3."""
    gas = 0.056 * GWP["Carbon dioxide, fossil"] + 0.001 * GWP["Methane, fossil"]  # per MJ
    electricity = 2.0 * gas  # per kWh
    soda = 0.2 + 10.0 * gas  # per kg
    # Foreground per tonne of output: columns pumping, ponds, refining.
    technosphere = np.array([[1.0, -10.0, 0.0], [0.0, 1.0, -2.0], [0.0, 0.0, 1.0]])
    direct_climate = np.array([5.0 * electricity, 0.0, 2000.0 * soda + 1000.0 * electricity + 10000.0 * gas])
    direct_water = np.array([0.0, 9.0 * WATER_TO_AIR_CF, 0.0])
    direct_acid = np.array([5.0 * 0.001, 0.0, 1000.0 * 0.001]) * SO2_ACIDIFICATION_CF
    supply = np.linalg.solve(technosphere, np.array([0.0, 0.0, 0.001]))  # 1 kg = 0.001 t
    return {
        "climate change": float(direct_climate @ supply),
        "water use": float(direct_water @ supply),
        "acidification": float(direct_acid @ supply),
    }


@pytest.fixture(scope="module")
def tiny_results(tiny_background):
    return assess(TINY_STUDY, background=tiny_background)


def test_result_equals_an_independent_hand_calculation(tiny_results):
    expected = hand_calculation()
    for category, value in expected.items():
        # Brightway stores processed matrix data as 32-bit floats, so the background's
        # numbers carry a relative rounding of about 1e-7; the hand calculation uses 64 bits.
        assert tiny_results.category(category).value == pytest.approx(value, rel=1e-6), category
    assert expected["climate change"] == pytest.approx(3.16276, rel=1e-5)


def test_every_ef31_category_is_reported_with_its_unit(tiny_results):
    method_set = load_method_set()
    assert len(method_set.categories) == 16
    assert [r.category for r in tiny_results.categories] == method_set.names
    assert tiny_results.category("climate change").unit == "kg CO2-Eq"


def test_results_are_characterised_not_normalised_or_weighted(tiny_results):
    dumped = tiny_results.model_dump()
    text = str(dumped).lower()
    assert "normalis" not in text and "weight" not in text


def test_contributions_by_stage_and_process_add_up_to_the_total(tiny_results):
    for result in tiny_results.categories:
        assert sum(result.by_stage.values()) == pytest.approx(result.value, rel=1e-9, abs=1e-15)
        assert sum(result.by_process.values()) == pytest.approx(result.value, rel=1e-9, abs=1e-15)
    climate = tiny_results.category("climate change")
    assert climate.by_stage["concentration"] == 0.0  # ponds only evaporate water
    assert tiny_results.category("water use").by_stage == pytest.approx(
        {"extraction": 0.0, "concentration": 0.018 * WATER_TO_AIR_CF, "refining": 0.0}
    )


def test_engine_equals_plain_bw2calc_on_the_same_data(tiny_background, tiny_results):
    """Write the tiny foreground into Brightway as an ordinary database and run bw2calc.LCA
    with the EF 3.1 methods bw2io wrote: the numbers must be the same."""
    import bw2calc as bc
    import bw2data as bd

    bd.projects.set_current(tiny_background.project)
    database = "tiny-foreground-plain"
    if database in bd.databases:
        del bd.databases[database]
    starter = tiny_background.database
    water = next(f for f in bd.Database("biosphere3") if f["name"] == "Water" and f["categories"] == ("air",))
    bd.Database(database).write(
        {
            (database, "pumping"): {
                "name": "pumping", "unit": "ton", "location": "CL",
                "exchanges": [
                    {"input": (database, "pumping"), "amount": 1.0, "type": "production"},
                    {"input": (starter, "electricity-grid-CL"), "amount": 5.0, "type": "technosphere"},
                ],
            },
            (database, "ponds"): {
                "name": "ponds", "unit": "ton", "location": "CL",
                "exchanges": [
                    {"input": (database, "ponds"), "amount": 1.0, "type": "production"},
                    {"input": (database, "pumping"), "amount": 10.0, "type": "technosphere"},
                    {"input": water.key, "amount": 9.0, "type": "biosphere"},
                ],
            },
            (database, "refining"): {
                "name": "refining", "unit": "ton", "location": "CL",
                "exchanges": [
                    {"input": (database, "refining"), "amount": 1.0, "type": "production"},
                    {"input": (database, "ponds"), "amount": 2.0, "type": "technosphere"},
                    {"input": (starter, "sodium-carbonate"), "amount": 2000.0, "type": "technosphere"},
                    {"input": (starter, "electricity-grid-CL"), "amount": 1000.0, "type": "technosphere"},
                    {"input": (starter, "natural-gas-heat-industrial"), "amount": 10000.0, "type": "technosphere"},
                ],
            },
        }
    )
    product = bd.get_node(database=database, code="refining")
    for category in load_method_set().categories:
        lca = bc.LCA({product: 0.001}, method=category.method)
        lca.lci()
        lca.lcia()
        # Same matrices; the only difference is that bw2data stores the written method's
        # factors as 32-bit floats while footprint characterises with bw2io's 64-bit values.
        assert tiny_results.category(category.category).value == pytest.approx(lca.score, rel=1e-6, abs=1e-18), category.category
