"""Annex V Part VI: company-specific and secondary data — how good they are, and how much of the
result rests on company-specific data.

The data quality rating is the PEF method's (Commission Recommendation (EU) 2021/2279, Annex I,
section 4.6.5): DQR = (TeR + GeR + TiR + P) / 4, rated excellent (<= 1.5), very good (<= 2.0),
good (<= 3.0), fair (<= 4.0) or poor. A study may score each process, a starter background file
each dataset; unscored data get footprint's default for their type, flagged as defaults.
"""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from footprint.assessment import assess
from footprint.background import BackgroundFile, open_background
from footprint.errors import FootprintInputError
from footprint.indicators import DEFAULT_SCORES, primary_data_share, rating_of
from footprint.study import DataQualityScores

from .conftest import TINY_BACKGROUND, TINY_STUDY, edit_study

PUMPING_SCORES = 'reference_output = { product = "brine", amount = 1.0, unit = "t" }\ndqr = { ter = 2, ger = 1, tir = 2, p = 1, source = "site audit 2024 (test)" }'
REFINING_SCORES = (
    'reference_output = { product = "lithium carbonate", amount = 1.0, unit = "t" }\n'
    'dqr = { ter = 1, ger = 1, tir = 1, p = 2, source = "site audit 2024 (test)" }'
)
GRID_SCORES = DataQualityScores(ter=2, ger=1, tir=1, p=2, source="dataset review (test)")


def test_the_pef_rating_bands_include_their_upper_bound():
    assert [rating_of(x) for x in (1.0, 1.5, 1.5001, 2.0, 2.5, 3.0, 3.25, 4.0, 4.01, 5.0)] == [
        "excellent", "excellent", "very good", "very good", "good", "good", "fair", "fair", "poor", "poor"]
    assert DataQualityScores(ter=1, ger=2, tir=3, p=4, source="test scores").dqr == 2.5


def test_a_hand_calculation_of_the_contribution_weighted_dqr(tmp_path, tiny_background):
    """Climate change of 1 kg Li2CO3 in the tiny study, by hand (EF 3.1: CH4 fossil 29.8):
    natural gas heat 0.056 + 0.001 x 29.8 = 0.0858 kg CO2e/MJ; grid electricity 2 MJ of it = 0.1716/kWh;
    soda ash 10 MJ + 0.2 kg = 1.058/kg. Per kg of product: soda ash 2000 x 1.058 x 1e-3 = 2.116,
    refinery electricity 1000 x 0.1716 x 1e-3 = 0.1716, gas 10000 x 0.0858 x 1e-3 = 0.858, pumping
    electricity 5 x 0.1716 x 0.02 (20 t brine per t) = 0.01716. A purchase takes TeR, GeR, TiR from
    the dataset and P from the buyer; the soda ash and gas datasets are unscored (default 3, 3, 3, 3).
    """
    study = edit_study(tmp_path, TINY_STUDY, [
        ('reference_output = { product = "brine", amount = 1.0, unit = "t" }', PUMPING_SCORES),
        ('reference_output = { product = "lithium carbonate", amount = 1.0, unit = "t" }', REFINING_SCORES),
    ])
    background = dataclasses.replace(tiny_background, dqr_of={"electricity-grid-CL": GRID_SCORES})
    results = assess(study, background=background)
    pieces = [  # (weight, TeR, GeR, TiR, P)
        (2.116, 3, 3, 3, 2),      # refining buys soda ash (default dataset scores, refining's P)
        (0.1716, 2, 1, 1, 2),     # refining buys grid electricity
        (0.858, 3, 3, 3, 2),      # refining buys gas heat
        (0.01716, 2, 1, 1, 1),    # pumping buys grid electricity (pumping's P = 1)
    ]
    total = sum(w for w, *_ in pieces)
    expected = [sum(w * c[i] for w, *c in pieces) / total for i in range(4)]
    climate = results.dqr.category("climate change")
    got = [climate.scores.ter, climate.scores.ger, climate.scores.tir, climate.scores.p]
    assert got == pytest.approx(expected, rel=1e-6)
    assert climate.scores.dqr == pytest.approx(sum(expected) / 4, rel=1e-6)
    assert climate.scores.rating == rating_of(sum(expected) / 4) == "good"
    # Soda ash and gas rest on default dataset scores: their share of the weight.
    assert climate.default_share == pytest.approx((2.116 + 0.858) / total, rel=1e-6)
    processes = {p.process: p for p in results.dqr.processes}
    assert processes["pumping"].scores.dqr == 1.5 and processes["pumping"].scores.rating == "excellent" and not processes["pumping"].default
    assert processes["ponds"].default and processes["ponds"].scores.dqr == DEFAULT_SCORES["company-specific"].dqr
    assert "assumption" in processes["ponds"].basis
    datasets = {d.dataset: d for d in results.dqr.datasets}
    assert not datasets["electricity-grid-CL"].default and datasets["sodium-carbonate"].default


def test_unscored_data_get_defaults_by_data_type_flagged(tiny_background):
    results = assess(TINY_STUDY, background=tiny_background)
    assert all(p.default for p in results.dqr.processes) and all(d.default for d in results.dqr.datasets)
    assert results.dqr.category("climate change").default_share == 1.0
    # Every declared category is rated; one the study has no result in has nothing to weight by.
    assert [c.category for c in results.dqr.categories][0] == "climate change"
    for rated in results.dqr.categories:
        assert (rated.scores is None) == (results.category(rated.category).value == 0)


def test_a_starter_file_scores_its_datasets(tmp_path, tiny_background):
    folder = tmp_path / "background"
    shutil.copytree(TINY_BACKGROUND, folder)
    path = folder / "tiny.toml"
    text = path.read_text()
    path.write_text(text.replace('code = "sodium-carbonate"\n', 'code = "sodium-carbonate"\ndqr = { ter = 2, ger = 3, tir = 2, p = 2, source = "BREF soda ash chapter, 2007 (test)" }\n', 1))
    background = open_background(starter_folder=folder)
    assert background.dqr_of["sodium-carbonate"].dqr == 2.25
    results = assess(TINY_STUDY, background=background)
    soda = next(d for d in results.dqr.datasets if d.dataset == "sodium-carbonate")
    assert not soda.default and soda.scores.dqr == 2.25


def test_scores_out_of_range_are_refused_naming_the_item(tmp_path):
    study = edit_study(tmp_path, TINY_STUDY, [('reference_output = { product = "brine", amount = 1.0, unit = "t" }',
                                               PUMPING_SCORES.replace("ter = 2", "ter = 6"))])
    with pytest.raises(FootprintInputError) as raised:
        assess(study)
    assert raised.value.process == "pumping" and "dqr" in (raised.value.field or "")
    with pytest.raises(ValueError):
        BackgroundFile.model_validate({"file": {"title": "t"}, "datasets": [{
            "code": "x", "name": "x", "reference_product": "x", "location": "GLO", "unit": "kg", "source": "test source",
            "dqr": {"ter": 0, "ger": 1, "tir": 1, "p": 1, "source": "test scores"}}]})


def test_the_primary_data_share_is_one_definition(tmp_path, tiny_background):
    """The share of the climate result from company-specific processes: results.json and PACT say the same."""
    from footprint.export import fields

    results = assess(TINY_STUDY, background=tiny_background)
    assert results.primary_data_share == primary_data_share(results) == 100.0
    assert fields.primary_data_share.__doc__ and "indicators.primary_data_share" in fields.primary_data_share.__doc__
    study = edit_study(tmp_path, TINY_STUDY, [('category = "1(f)"\ndata_type = "company-specific"', 'category = "1(f)"\ndata_type = "secondary"')])
    partly = assess(study, background=tiny_background)
    # Pumping (0.01716 of 3.16276 kg CO2e) is now secondary.
    assert partly.primary_data_share == pytest.approx(100 * (1 - 0.01716 / 3.16276), rel=1e-6)
