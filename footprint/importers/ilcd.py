"""ILCD packages (the EU's format, EF 3.x secondary data) -> source datasets, read with lxml.

bw2io has no ILCD importer (brightway2-io issue #194) and pyilcd is GPL-3, so footprint reads
the four data-set types it needs itself: processes, flows, flow properties and unit groups
(`ILCD/processes/*.xml` ...). Exchange amounts (`resultingAmount`, else `meanAmount`) are in
the reference unit of the flow's reference flow property; elementary flows carry their EF
context (`elementaryFlowCategorization`), which the shipped EF 3.1 mapping links to biosphere3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import FootprintInputError
from .archive import SourcePackage
from .records import SourceDatabase, SourceDataset, SourceExchange

NS = {
    "p": "http://lca.jrc.it/ILCD/Process",
    "f": "http://lca.jrc.it/ILCD/Flow",
    "fp": "http://lca.jrc.it/ILCD/FlowProperty",
    "u": "http://lca.jrc.it/ILCD/UnitGroup",
    "c": "http://lca.jrc.it/ILCD/Common",
}


def _text(node: Any, path: str) -> str | None:
    found = node.find(path, NS)
    return found.text.strip() if found is not None and found.text else None


def _number(node: Any, path: str, label: str, what: str) -> float:
    text = _text(node, path)
    try:
        return float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise FootprintInputError(f"{what}: {path.split('/')[-1]} is not a number ({text!r})", file=label) from None


@dataclass(frozen=True)
class IlcdFlow:
    id: str
    name: str
    type: str
    context: tuple[str, ...]
    unit: str
    where: str


def _uuid(root: Any, path: str, label: str) -> str:
    value = _text(root, path)
    if not value:
        raise FootprintInputError("data set without a UUID", file=label)
    return value


def _by_uuid(package: SourcePackage, folder: str, path: str) -> dict[str, tuple[Any, str]]:
    out: dict[str, tuple[Any, str]] = {}
    for name in package.iter_names(folder, ".xml"):
        label = package.label(name)
        root = package.xml(name)
        uid = _uuid(root, path, label)
        if uid in out:
            raise FootprintInputError(f"duplicate {folder} UUID {uid!r} (also in {out[uid][1]})", file=label)
        out[uid] = (root, label)
    return out


def read_ilcd(package: SourcePackage) -> SourceDatabase:
    groups = _by_uuid(package, "unitgroups", "u:unitGroupInformation/u:dataSetInformation/c:UUID")
    reference_unit = {}
    for uid, (root, label) in groups.items():
        ref = _text(root, "u:unitGroupInformation/u:quantitativeReference/u:referenceToReferenceUnit")
        names = {u.get("dataSetInternalID"): _text(u, "u:name") for u in root.findall("u:units/u:unit", NS)}
        if ref not in names:
            raise FootprintInputError("the unit group names no reference unit", file=label)
        reference_unit[uid] = names[ref]
    properties = {}
    for uid, (root, label) in _by_uuid(package, "flowproperties", "fp:flowPropertiesInformation/fp:dataSetInformation/c:UUID").items():
        node = root.find("fp:flowPropertiesInformation/fp:quantitativeReference/fp:referenceToReferenceUnitGroup", NS)
        group = node.get("refObjectId") if node is not None else None
        if group not in reference_unit:
            raise FootprintInputError(f"the flow property's unit group {group!r} is not in the package (missing unit group)", file=label)
        properties[uid] = reference_unit[group]
    flows = {}
    for uid, (root, label) in _by_uuid(package, "flows", "f:flowInformation/f:dataSetInformation/c:UUID").items():
        ref = _text(root, "f:flowInformation/f:quantitativeReference/f:referenceToReferenceFlowProperty")
        unit = None
        for item in root.findall("f:flowProperties/f:flowProperty", NS):
            if item.get("dataSetInternalID") == ref:
                target = item.find("f:referenceToFlowPropertyDataSet", NS)
                prop = target.get("refObjectId") if target is not None else None
                if prop not in properties:
                    raise FootprintInputError(f"the flow's flow property {prop!r} is not in the package (missing flow property)", file=label)
                unit = properties[prop]
        if unit is None:
            raise FootprintInputError("the flow has no reference flow property", file=label)
        info = root.find("f:flowInformation/f:dataSetInformation", NS)
        categories = info.findall("f:classificationInformation/c:elementaryFlowCategorization/c:category", NS)
        if not categories:
            categories = info.findall("f:classificationInformation/c:classification/c:class", NS)
        context = tuple(c.text.strip() for c in sorted(categories, key=lambda c: int(c.get("level", "0"))) if c.text)
        flows[uid] = IlcdFlow(
            id=uid, name=_text(info, "f:name/f:baseName") or uid,
            type=_text(root, "f:modellingAndValidation/f:LCIMethod/f:typeOfDataSet") or "", context=context, unit=unit, where=label,
        )
    datasets = [_process(root, label, flows) for _, (root, label) in _by_uuid(package, "processes", "p:processInformation/p:dataSetInformation/c:UUID").items()]
    if not datasets:
        raise FootprintInputError("no ILCD process data sets (expected ILCD/processes/*.xml)", file=package.path)
    return SourceDatabase(path=str(package.path), format="ilcd", datasets=datasets, reader="footprint ILCD reader (lxml)")


def _process(root: Any, label: str, flows: dict[str, IlcdFlow]) -> SourceDataset:
    info = root.find("p:processInformation", NS)
    uid = _text(info, "p:dataSetInformation/c:UUID") or ""
    name = ", ".join(part for part in (
        _text(info, "p:dataSetInformation/p:name/p:baseName"),
        _text(info, "p:dataSetInformation/p:name/p:treatmentStandardsRoutes"),
        _text(info, "p:dataSetInformation/p:name/p:mixAndLocationTypes"),
    ) if part)
    reference = _text(info, "p:quantitativeReference/p:referenceToReferenceFlow")
    geography = info.find("p:geography/p:locationOfOperationSupplyOrProduction", NS)
    location = (geography.get("location") if geography is not None else None) or "GLO"
    exchanges, main = [], None
    for exchange in root.findall("p:exchanges/p:exchange", NS):
        internal = exchange.get("dataSetInternalID")
        target = exchange.find("p:referenceToFlowDataSet", NS)
        flow_id = target.get("refObjectId") if target is not None else None
        if flow_id not in flows:
            raise FootprintInputError(f"exchange {internal} references flow {flow_id!r} that is not in the package (missing flow)", file=label)
        flow = flows[flow_id]
        where = f"{label}, exchange {internal}"
        path = "p:resultingAmount" if exchange.find("p:resultingAmount", NS) is not None else "p:meanAmount"
        amount = _number(exchange, path, label, f"exchange {internal} ({flow.name})")
        direction = _text(exchange, "p:exchangeDirection")
        if direction not in ("Input", "Output"):
            raise FootprintInputError(f"exchange {internal} has exchangeDirection {direction!r} (Input or Output expected)", file=label)
        if internal == reference:
            main = (flow, amount, direction)
            continue
        elementary = flow.type == "Elementary flow"
        if not elementary and direction == "Output":
            continue  # a co-product: the reference flow carries the burdens (no allocation read)
        exchanges.append(SourceExchange(
            kind="elementary" if elementary else "technosphere", amount=amount,
            unit=flow.unit, name=flow.name, is_input=direction == "Input", where=where, flow_id=flow.id,
            compartment=flow.context if elementary else (), comment=_text(exchange, "p:generalComment"),
            source_amount=amount, source_unit=flow.unit,
        ))
    if main is None:
        raise FootprintInputError(f"the reference flow (exchange {reference!r}) is not among the exchanges", file=label)
    flow, amount, _ = main
    return SourceDataset(
        id=uid, name=name or flow.name, location=location, unit=flow.unit, reference_product=flow.name, production_amount=amount,
        where=label, reference_flow_id=flow.id, exchanges=exchanges, source_amount=amount, source_unit=flow.unit,
    )
