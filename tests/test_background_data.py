"""The starter background and the method data: real numbers, each with its source."""

from __future__ import annotations

import tomllib

import pytest
from typer.testing import CliRunner

from footprint.background import BackgroundDataset, load_starter, starter_folder
from footprint.cli import app
from footprint.methods import load_method_set
from footprint.paths import shipped

REQUIRED_GRIDS = "AU CL AR CN ID CD ZA PH CA US BR RU NO FI SE DE FR ES PL PT EU27".split()
REQUIRED_DATASETS = [
    "diesel-burned-machinery", "heavy-fuel-oil-burned-industrial", "natural-gas-heat-industrial",
    "hard-coal-heat-industrial", "explosives", "sulfuric-acid", "hydrochloric-acid", "sodium-hydroxide",
    "sodium-carbonate", "quicklime", "limestone", "ammonia", "hydrogen-peroxide", "sulfur-dioxide",
    "process-water", "transport-lorry", "transport-rail", "transport-sea",
]


@pytest.fixture(scope="module")
def starter():
    return load_starter()


def test_the_starter_covers_the_datasets_crm_studies_need(starter):
    for country in REQUIRED_GRIDS:
        assert f"electricity-grid-{country}" in starter.datasets
    for code in REQUIRED_DATASETS:
        assert code in starter.datasets


def test_every_shipped_number_has_a_source():
    for path in sorted(starter_folder().glob("*.toml")):
        raw = tomllib.loads(path.read_text())
        for dataset in raw["datasets"]:
            assert dataset.get("source"), (path.name, dataset["code"])
            for exchange in dataset.get("inputs", []) + dataset.get("elementary_flows", []):
                assert str(exchange.get("source", "")).strip(), (path.name, dataset["code"], exchange)


def test_a_number_without_source_is_refused():
    with pytest.raises(ValueError, match="has no source"):
        BackgroundDataset.model_validate(
            {
                "code": "x", "name": "x", "reference_product": "x", "location": "GLO", "unit": "kg", "source": "somewhere",
                "elementary_flows": [{"flow": "Carbon dioxide, fossil", "compartment": "air", "amount": 1.0, "unit": "kg"}],
            }
        )


def test_computed_grid_intensities_match_published_ones(starter_background, starter):
    """Each dataset with a published climate total must reproduce it within its tolerance."""
    import bw2calc as bc

    method_set = load_method_set()
    climate = method_set.category("climate change")
    packages = starter_background.datapackages() + starter_background.characterisation_datapackages(method_set)
    checked = 0
    for code, (dataset, _) in starter.datasets.items():
        if dataset.check is None:
            continue
        node = starter_background.by_code(code)
        lca = bc.LCA({node.id: 1.0}, data_objs=[p for p in packages if _is_for(p, climate.method)])
        lca.lci()
        lca.lcia()
        published = dataset.check.gwp100_kg_co2e
        assert abs(lca.score / published - 1) <= dataset.check.tolerance, (code, lca.score, published)
        checked += 1
    assert checked >= 25


def _is_for(package, method):
    resources = [r for r in package.resources if r.get("matrix") == "characterization_matrix"]
    return not resources or any(r.get("identifier") == list(method) for r in resources)


def test_background_command_lists_every_dataset_with_its_source(starter):
    result = CliRunner().invoke(app, ["background"], env={"COLUMNS": "400"})
    assert result.exit_code == 0
    for code in starter.datasets:
        assert code in result.output


def test_ef31_normalisation_and_weighting_factors_are_sourced_and_weights_sum_to_100():
    method_set = load_method_set()
    raw = tomllib.loads((shipped("methods") / "ef31" / "normalisation_weighting.toml").read_text())
    assert len(raw["categories"]) == 16
    for entry in raw["categories"]:
        assert entry["normalisation_source"] and entry["weighting_source"]
    assert sum(c.weighting_percent for c in method_set.categories) == pytest.approx(100.0, abs=0.01)
    assert all(c.normalisation_per_person and c.normalisation_per_person > 0 for c in method_set.categories)


def test_method_set_has_a_version_and_content_hash():
    method_set = load_method_set()
    assert method_set.version == "3.1" and len(method_set.sha256) == 64
