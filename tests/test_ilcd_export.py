"""The declared material as an EF-style ILCD 1.1 aggregated process dataset for LCA software.

Round trip: the zip is read back by footprint's own ILCD importer (issue 12's reader, as
`footprint background import --format ilcd` reads it) and, independently, by a plain lxml
parse (tests/_export_helpers.read_ilcd_exchanges, which also checks every reference); its
exchanges characterised with the EF 3.1 factors footprint uses give every declared result
again, to 1e-9 relative.
"""

from __future__ import annotations

import io
import math
import zipfile

import pytest
from lxml import etree

from footprint.export.ilcd import ilcd_zip
from footprint.export.inventory import load_inputs
from footprint.methods import load_method_set

from ._export_helpers import P, declare_examples, read_ilcd_exchanges
from .conftest import EXAMPLES

STEMS = sorted(p.stem for p in EXAMPLES.glob("*.toml"))
FOLDERS = ("processes", "flows", "flowproperties", "unitgroups", "contacts", "sources")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    declared = declare_examples(tmp_path_factory.mktemp("declared-ilcd"))
    out = {}
    for stem, folder in declared.items():
        inputs = load_inputs(folder, EXAMPLES / f"{stem}.toml")
        out[stem] = (inputs, ilcd_zip(inputs))
    return out


@pytest.mark.parametrize("stem", STEMS)
def test_ilcd_round_trip_gives_the_declared_results(exported, stem):
    inputs, data = exported[stem]
    process = read_ilcd_exchanges(data)
    # The reference flow is the declared unit: 1 kg of the material.
    assert process.reference_amount == inputs.declaration.footprint.declared_unit_kg == 1.0
    assert process.reference_unit == "kg"
    method_set = load_method_set()
    for category in inputs.declaration.footprint.categories:
        factors = {code: cf for (_, code), cf in method_set.characterisation_factors(category.category)}
        again = math.fsum(amount * factors.get(flow, 0.0) for flow, amount in process.exchanges.items())
        declared = category.value
        assert again == declared or abs(again - declared) <= 1e-9 * max(abs(declared), abs(again)), (category.category, declared, again)


@pytest.mark.parametrize("stem", STEMS)
def test_ilcd_archive_holds_every_dataset_it_references(exported, stem):
    inputs, data = exported[stem]
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    for folder in FOLDERS:
        assert any(n.startswith(f"ILCD/{folder}/") for n in names), folder
    process = read_ilcd_exchanges(data)  # asserts that every referenced dataset is in the archive
    assert len(process.exchanges) == len(inputs.inventory.flows)
    root = etree.fromstring(archive.read(next(n for n in names if n.startswith("ILCD/processes/"))))
    assert root.get("version") == "1.1"
    assert root.findtext(f"{P}modellingAndValidation/{P}LCIMethodAndAllocation/{P}typeOfDataSet") == "LCI result"
    assert inputs.declaration.declaration_id in "".join(root.itertext())
    if inputs.declaration.public_address:
        assert inputs.declaration.public_address in "".join(root.itertext())


def test_ilcd_export_is_reproducible(exported):
    inputs, data = exported[STEMS[0]]
    assert ilcd_zip(inputs) == data


def test_elementary_flows_keep_the_biosphere_uuids(exported):
    inputs, data = exported[STEMS[0]]
    process = read_ilcd_exchanges(data)
    assert set(process.exchanges) == {f.code for f in inputs.inventory.flows}
    co2 = next(f for f in inputs.inventory.flows if f.name == "Carbon dioxide, fossil")
    assert process.exchanges[co2.code] == co2.amount
    archive = zipfile.ZipFile(io.BytesIO(data))
    flow = etree.fromstring(archive.read(f"ILCD/flows/{co2.code}.xml"))
    text = "".join(flow.itertext())
    assert "Carbon dioxide, fossil" in text and "124-38-9" in text and "Emissions to air" in text


def test_ilcd_cli_writes_a_zip_and_refuses_a_folder_as_output(tmp_path, exported):
    from typer.testing import CliRunner

    from footprint.cli import app

    inputs, _ = exported[STEMS[0]]
    result = CliRunner().invoke(app, ["export", str(inputs.declaration_path), "-f", "ilcd", "-o", str(tmp_path), "-s", str(EXAMPLES / f"{STEMS[0]}.toml")])
    assert result.exit_code == 2 and "folder" in result.output


@pytest.mark.parametrize("stem", STEMS)
def test_ilcd_round_trip_through_footprints_own_ilcd_importer(exported, stem, tmp_path):
    """Issue 13 with issue 12: the dataset imports back through `footprint background import
    --format ilcd`'s reader and characterises to the declared results (1e-9 relative)."""
    from footprint.importers import read_source

    inputs, data = exported[stem]
    path = tmp_path / f"{stem}.ilcd.zip"
    path.write_bytes(data)
    database = read_source(path, "ilcd")
    assert len(database.datasets) == 1
    dataset = database.datasets[0]
    assert dataset.production_amount == 1.0 and dataset.unit == "kg"
    flows = {}
    for exchange in dataset.exchanges:
        assert exchange.kind == "elementary", exchange
        flows[exchange.flow_id] = flows.get(exchange.flow_id, 0.0) + exchange.amount
    method_set = load_method_set()
    for category in inputs.declaration.footprint.categories:
        factors = {code: cf for (_, code), cf in method_set.characterisation_factors(category.category)}
        again = math.fsum(amount * factors.get(flow, 0.0) for flow, amount in flows.items())
        declared = category.value
        assert again == declared or abs(again - declared) <= 1e-9 * max(abs(declared), abs(again)), (category.category, declared, again)
