"""Issue check: climate change computed by footprint equals a hand calculation from the
shipped TOML data (numpy only, factors from bw2io's EF 3.1 file), within 1 %."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest

from footprint.assessment import assess
from footprint.background import starter_folder
from footprint.methods import load_method_set
from footprint.units import conversion_factor

from .conftest import EXAMPLES

LITHIUM = EXAMPLES / "lithium-carbonate-brine-cl.toml"


def climate_factors() -> dict[tuple[str, str], float]:
    """EF 3.1 GWP100 factors by (flow name, compartment path), from bw2io's shipped data."""
    import json
    import zipfile
    from pathlib import Path

    import bw2io

    path = Path(bw2io.__file__).parent / "data" / "lcia" / "lcia_39_ecoinvent.zip"
    data = json.load(zipfile.ZipFile(path).open("data.json"))
    method = next(m for m in data if m["name"] == ["EF v3.1", "climate change", "global warming potential (GWP100)"])
    return {(e["name"], "/".join(e["categories"])): e["amount"] for e in method["exchanges"]}


FLOW_UNITS = {"Gas, natural": "Nm3"}


def hand_background() -> dict[str, float]:
    """Cumulative climate per unit of every starter dataset: solve (I - A) x = b by numpy."""
    datasets = {}
    for path in sorted(starter_folder().glob("*.toml")):
        for dataset in tomllib.loads(path.read_text())["datasets"]:
            datasets[dataset["code"]] = dataset
    codes = sorted(datasets)
    index = {code: i for i, code in enumerate(codes)}
    factors = climate_factors()
    technosphere = np.eye(len(codes))
    direct = np.zeros(len(codes))
    for code, dataset in datasets.items():
        j = index[code]
        for item in dataset.get("inputs", []):
            supplier = datasets[item["dataset"]]
            technosphere[index[item["dataset"]], j] -= item["amount"] * conversion_factor(item["unit"], supplier["unit"])
        for flow in dataset.get("elementary_flows", []):
            cf = factors.get((flow["flow"], flow["compartment"]), 0.0)
            if cf:
                direct[j] += flow["amount"] * conversion_factor(flow["unit"], "kg") * cf
    cumulative = np.linalg.solve(technosphere.T, direct)
    return {code: float(cumulative[index[code]]) for code in codes}


def hand_study(path, background: dict[str, float]) -> float:
    study = tomllib.loads(path.read_text())
    processes = {p["id"]: p for p in study["processes"]}
    ids = list(processes)
    index = {pid: i for i, pid in enumerate(ids)}
    starter = {}
    for file in sorted(starter_folder().glob("*.toml")):
        for dataset in tomllib.loads(file.read_text())["datasets"]:
            starter[dataset["code"]] = dataset
    factors = climate_factors()
    matrix = np.zeros((len(ids), len(ids)))
    direct = np.zeros(len(ids))
    for pid, process in processes.items():
        j = index[pid]
        matrix[j, j] = process["reference_output"]["amount"]
        assert not process.get("coproducts"), "this hand calculation does no allocation"
        for item in process.get("inputs", []):
            if "process" in item:
                supplier = processes[item["process"]]
                matrix[index[item["process"]], j] -= item["amount"] * conversion_factor(item["unit"], supplier["reference_output"]["unit"])
            else:
                dataset = starter[item["dataset"]]
                direct[j] += item["amount"] * conversion_factor(item["unit"], dataset["unit"]) * background[item["dataset"]]
        for flow in process.get("elementary_flows", []):
            cf = factors.get((flow["flow"], flow["compartment"]), 0.0)
            if cf:
                direct[j] += flow["amount"] * conversion_factor(flow["unit"], "kg") * cf
    product = processes[study["product_process"]]
    demand = np.zeros(len(ids))
    demand[index[study["product_process"]]] = conversion_factor("kg", product["reference_output"]["unit"])
    return float(direct @ np.linalg.solve(matrix, demand))


@pytest.fixture(scope="module")
def background_by_hand():
    return hand_background()


def test_every_starter_dataset_matches_the_hand_calculation(starter_background, background_by_hand):
    import bw2calc as bc

    method_set = load_method_set()
    method = method_set.category("climate change").method
    packages = starter_background.datapackages() + [
        p for p in starter_background.characterisation_datapackages(method_set)
        if any(r.get("identifier") == list(method) for r in p.resources)
    ]
    lca = None
    for code, expected in background_by_hand.items():
        node = starter_background.by_code(code)
        if lca is None:
            lca = bc.LCA({node.id: 1.0}, data_objs=packages)
            lca.lci(factorize=True)
            lca.lcia()
        else:
            lca.lcia(demand={node.id: 1.0})
        assert lca.score == pytest.approx(expected, rel=0.01, abs=1e-9), code


def test_lithium_example_climate_matches_the_hand_calculation(starter_background, background_by_hand):
    engine = assess(LITHIUM, background=starter_background).category("climate change").value
    assert engine == pytest.approx(hand_study(LITHIUM, background_by_hand), rel=0.01)
