"""Small packages built in tests: variants of a third-party zip, and an ILCD package."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Callable


def rewrite_zip(source: Path, target: Path, edit: Callable[[str, bytes], bytes | None], extra: dict[str, bytes] | None = None) -> Path:
    """Copy a zip, passing each member through `edit` (None drops it), then add `extra` members."""
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name in archive.namelist():
            data = edit(name, archive.read(name))
            if data is not None:
                out.writestr(name, data)
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return target


def edit_json(member_suffix: str, change: Callable[[dict], None]) -> Callable[[str, bytes], bytes | None]:
    def edit(name: str, data: bytes) -> bytes:
        if name.endswith(member_suffix):
            obj = json.loads(data)
            change(obj)
            return json.dumps(obj).encode()
        return data

    return edit


MASS_PROPERTY = "93a60a56-a3c8-11da-a746-0800200b9a66"  # ILCD reference flow property 'Mass'
MASS_UNITS = "93a60a57-a3c8-11da-a746-0800200c9a66"  # ILCD reference unit group 'Units of mass'
COMMON = 'xmlns:common="http://lca.jrc.it/ILCD/Common"'


def ilcd_package(folder: Path, process_exchanges: list[tuple[str, str, str, float, str]]) -> Path:
    """An ILCD package: one process whose exchanges are (flow uuid, name, type, amount, direction);
    elementary flows are filed under the EF 3.1 context 'Emissions/Emissions to air/Emissions to air, unspecified'."""
    root = folder / "ILCD"
    for sub in ("processes", "flows", "flowproperties", "unitgroups"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "unitgroups" / f"{MASS_UNITS}.xml").write_text(
        f'<unitGroupDataSet xmlns="http://lca.jrc.it/ILCD/UnitGroup" {COMMON}><unitGroupInformation><dataSetInformation>'
        f"<common:UUID>{MASS_UNITS}</common:UUID><common:name>Units of mass</common:name></dataSetInformation>"
        "<quantitativeReference><referenceToReferenceUnit>0</referenceToReferenceUnit></quantitativeReference></unitGroupInformation>"
        '<units><unit dataSetInternalID="0"><name>kg</name><meanValue>1.0</meanValue></unit>'
        '<unit dataSetInternalID="1"><name>t</name><meanValue>1000.0</meanValue></unit></units></unitGroupDataSet>'
    )
    (root / "flowproperties" / f"{MASS_PROPERTY}.xml").write_text(
        f'<flowPropertyDataSet xmlns="http://lca.jrc.it/ILCD/FlowProperty" {COMMON}><flowPropertiesInformation><dataSetInformation>'
        f"<common:UUID>{MASS_PROPERTY}</common:UUID><common:name>Mass</common:name></dataSetInformation><quantitativeReference>"
        f'<referenceToReferenceUnitGroup type="unit group data set" refObjectId="{MASS_UNITS}"/></quantitativeReference>'
        "</flowPropertiesInformation></flowPropertyDataSet>"
    )
    exchanges = []
    for internal, (uid, name, kind, amount, direction) in enumerate(process_exchanges):
        if kind == "Elementary flow":
            classes = ('<common:elementaryFlowCategorization><common:category level="0">Emissions</common:category>'
                       '<common:category level="1">Emissions to air</common:category><common:category level="2">Emissions to air, unspecified'
                       "</common:category></common:elementaryFlowCategorization>")
        else:
            classes = '<common:classification><common:class level="0">Materials production</common:class></common:classification>'
        (root / "flows" / f"{uid}.xml").write_text(
            f'<flowDataSet xmlns="http://lca.jrc.it/ILCD/Flow" {COMMON}><flowInformation><dataSetInformation><common:UUID>{uid}</common:UUID>'
            f"<name><baseName>{name}</baseName></name><classificationInformation>{classes}</classificationInformation></dataSetInformation>"
            "<quantitativeReference><referenceToReferenceFlowProperty>0</referenceToReferenceFlowProperty></quantitativeReference></flowInformation>"
            f"<modellingAndValidation><LCIMethod><typeOfDataSet>{kind}</typeOfDataSet></LCIMethod></modellingAndValidation>"
            f'<flowProperties><flowProperty dataSetInternalID="0"><referenceToFlowPropertyDataSet type="flow property data set" refObjectId="{MASS_PROPERTY}"/>'
            "<meanValue>1.0</meanValue></flowProperty></flowProperties></flowDataSet>"
        )
        exchanges.append(
            f'<exchange dataSetInternalID="{internal}"><referenceToFlowDataSet type="flow data set" refObjectId="{uid}"/>'
            f"<exchangeDirection>{direction}</exchangeDirection><meanAmount>{amount}</meanAmount><resultingAmount>{amount}</resultingAmount></exchange>"
        )
    (root / "processes" / "7d3b8e2a-0000-4000-8000-000000000001.xml").write_text(
        f'<processDataSet xmlns="http://lca.jrc.it/ILCD/Process" {COMMON} version="1.1"><processInformation><dataSetInformation>'
        "<common:UUID>7d3b8e2a-0000-4000-8000-000000000001</common:UUID><name><baseName>quicklime production</baseName>"
        "<treatmentStandardsRoutes>test</treatmentStandardsRoutes></name></dataSetInformation>"
        "<quantitativeReference><referenceToReferenceFlow>0</referenceToReferenceFlow></quantitativeReference>"
        '<geography><locationOfOperationSupplyOrProduction location="DE"/></geography></processInformation>'
        f"<exchanges>{''.join(exchanges)}</exchanges></processDataSet>"
    )
    return folder
