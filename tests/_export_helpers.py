"""Helpers of the downstream-export tests: declared examples, and a small ILCD reader.

`read_ilcd_exchanges` is the stand-in for the ILCD importer being written in parallel
(`footprint background import --format ilcd`): once it lands, the round trip in
tests/test_ilcd_export.py should import the zip through it instead.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .conftest import EXAMPLES

ISSUE_DATE = dt.date(2026, 11, 20)
REGISTRY = "https://registry.example.org/crma"
# A producer's UN CPC code is its own input to PACT 2.3 (footprint holds no CN-to-CPC table).
# This stand-in only checks that the input is passed through unchanged: it is no claim about
# how the example materials are classified.
CPC_INPUT = "00000"

P = "{http://lca.jrc.it/ILCD/Process}"
F = "{http://lca.jrc.it/ILCD/Flow}"
FP = "{http://lca.jrc.it/ILCD/FlowProperty}"
UG = "{http://lca.jrc.it/ILCD/UnitGroup}"
C = "{http://lca.jrc.it/ILCD/Common}"


def declare_examples(out: Path) -> dict[str, Path]:
    """Declare every example study (one prepared background for all) into out/<stem>; {stem: folder}."""
    from footprint.assessment import assess
    from footprint.declaration import write_declaration_outputs
    from footprint.files import write_json
    from footprint.engine import make_engine
    from footprint.study import load_study

    folders = {}
    engine = make_engine()
    for study in sorted(EXAMPLES.glob("*.toml")):
        loaded = load_study(study)
        results = assess(loaded, engine=engine)
        folder = out / study.stem
        folder.mkdir(parents=True)
        write_json(folder / "results.json", results)
        write_declaration_outputs(results, loaded, folder, issue_date=ISSUE_DATE, registry_url=REGISTRY)
        folders[study.stem] = folder
    return folders


@dataclass
class IlcdProcess:
    """What the round trip needs from an ILCD process dataset."""

    reference_flow: str
    reference_amount: float
    reference_unit: str
    exchanges: dict[str, float]  # elementary flow UUID -> amount, + out of / into nature as the flow's kind says
    units: dict[str, str]  # flow UUID -> reference unit name
    referenced: set[str]  # every ../<folder>/<uuid>.xml the datasets point to


def _flow_unit(archive: zipfile.ZipFile, flow_uuid: str, referenced: set[str]) -> tuple[str, etree._Element]:
    flow = etree.fromstring(archive.read(f"ILCD/flows/{flow_uuid}.xml"))
    prop_ref = flow.find(f"{F}flowProperties/{F}flowProperty/{F}referenceToFlowPropertyDataSet")
    prop = etree.fromstring(archive.read(f"ILCD/flowproperties/{prop_ref.get('refObjectId')}.xml"))
    group_ref = prop.find(f"{FP}flowPropertiesInformation/{FP}quantitativeReference/{FP}referenceToReferenceUnitGroup")
    group = etree.fromstring(archive.read(f"ILCD/unitgroups/{group_ref.get('refObjectId')}.xml"))
    reference = group.findtext(f"{UG}unitGroupInformation/{UG}quantitativeReference/{UG}referenceToReferenceUnit")
    for unit in group.iter(f"{UG}unit"):
        if unit.get("dataSetInternalID") == reference:
            referenced.update({f"flowproperties/{prop_ref.get('refObjectId')}", f"unitgroups/{group_ref.get('refObjectId')}"})
            return unit.findtext(f"{UG}name"), flow
    raise AssertionError(f"unit group of flow {flow_uuid} has no reference unit")


def read_ilcd_exchanges(data: bytes) -> IlcdProcess:
    """Parse an ILCD zip's single process dataset: reference flow and elementary exchanges."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    processes = [n for n in archive.namelist() if n.startswith("ILCD/processes/")]
    assert len(processes) == 1, processes
    process = etree.fromstring(archive.read(processes[0]))
    referenced = {ref.get("uri")[3:-4] for ref in process.iter() if ref.get("uri", "").startswith("../")}
    reference_id = process.findtext(f"{P}processInformation/{P}quantitativeReference/{P}referenceToReferenceFlow")
    exchanges: dict[str, float] = {}
    units: dict[str, str] = {}
    reference = None
    for exchange in process.iter(f"{P}exchange"):
        flow_uuid = exchange.find(f"{P}referenceToFlowDataSet").get("refObjectId")
        amount = float(exchange.findtext(f"{P}resultingAmount"))
        direction = exchange.findtext(f"{P}exchangeDirection")
        unit, flow = _flow_unit(archive, flow_uuid, referenced)
        units[flow_uuid] = unit
        if exchange.get("dataSetInternalID") == reference_id:
            reference = (flow_uuid, amount, unit)
            continue
        top = flow.findtext(f"{F}flowInformation/{F}dataSetInformation/{F}classificationInformation/{C}elementaryFlowCategorization/{C}category")
        into_system = "Input" if top in ("Resources", "Land use") else "Output"
        exchanges[flow_uuid] = exchanges.get(flow_uuid, 0.0) + (amount if direction == into_system else -amount)
    assert reference is not None, "no reference flow"
    for name in archive.namelist():
        if name.endswith(".xml"):
            for ref in etree.fromstring(archive.read(name)).iter():
                if ref.get("uri", "").startswith("../"):
                    referenced.add(ref.get("uri")[3:-4])
    missing = sorted(r for r in referenced if f"ILCD/{r}.xml" not in archive.namelist())
    assert not missing, f"datasets referenced but not in the archive: {missing}"
    return IlcdProcess(reference[0], reference[1], reference[2], exchanges, units, referenced)
