"""A study as an openLCA JSON-LD package (schema 2, written with olca-schema), for openLCA.

Processes, product and elementary flows, units (one unit group per dimension, converted by
pint), locations and the links between processes (default providers) are openLCA's own
objects; sources go into exchange descriptions, distributions into openLCA uncertainties,
stage, Annex V category and data type into process tags (`footprint:stage=...`). What openLCA
has no place for (operator, sites, reporting period, exclusions, prices, allocation,
electricity evidence, background link keys, assumption flags) travels beside it in
`footprint/study.json`, which openLCA ignores and `footprint study import` reads back.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from pathlib import Path
from typing import Any

from ..files import write_bytes_atomically
from ..study import Study
from ..units import conversion_factor, dimension_text
from .toml_io import study_raw

NAMESPACE = uuid.UUID("6f1c2d55-5a8e-4d3c-9f5e-1f0a6c2e9b71")  # footprint's namespace for derived ids
SIDECAR = "footprint/study.json"


def _id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


class _Units:
    """One openLCA unit group and flow property per dimension; the first unit seen is the reference."""

    def __init__(self) -> None:
        self.groups: dict[str, dict[str, Any]] = {}

    def ref(self, unit: str) -> tuple[dict[str, Any], dict[str, Any]]:
        dimension = dimension_text(unit) or "count"
        group = self.groups.setdefault(dimension, {"reference": unit, "units": {}})
        if unit not in group["units"]:
            group["units"][unit] = conversion_factor(unit, group["reference"])
        unit_ref = {"@type": "Unit", "@id": _id("unit", dimension, unit), "name": unit}
        property_ref = {"@type": "FlowProperty", "@id": _id("property", dimension), "name": f"footprint quantity {dimension}"}
        return unit_ref, property_ref

    def objects(self) -> list[Any]:
        import olca_schema as o

        out: list[Any] = []
        for dimension, group in self.groups.items():
            units = [
                o.Unit(id=_id("unit", dimension, name), name=name, conversion_factor=factor, is_ref_unit=name == group["reference"])
                for name, factor in group["units"].items()
            ]
            unit_group = o.UnitGroup(id=_id("group", dimension), name=f"footprint units of {dimension}", units=units)
            prop = o.FlowProperty(
                id=_id("property", dimension), name=f"footprint quantity {dimension}", unit_group=o.Ref(ref_type=o.RefType.UnitGroup, id=unit_group.id),
                flow_property_type=o.FlowPropertyType.PHYSICAL_QUANTITY,
            )
            unit_group.default_flow_property = o.Ref(ref_type=o.RefType.FlowProperty, id=prop.id)
            out += [unit_group, prop]
        return out


def _uncertainty(amount: float, spread: dict[str, Any] | None) -> dict[str, Any] | None:
    if not spread:
        return None
    kind = spread["distribution"]
    if kind == "lognormal":
        return {"@type": "Uncertainty", "distributionType": "LOG_NORMAL_DISTRIBUTION", "geomMean": amount, "geomSd": spread["gsd"]}
    if kind == "normal":
        return {"@type": "Uncertainty", "distributionType": "NORMAL_DISTRIBUTION", "mean": amount, "sd": spread["sd"]}
    if kind == "uniform":
        return {"@type": "Uncertainty", "distributionType": "UNIFORM_DISTRIBUTION", "minimum": spread["minimum"], "maximum": spread["maximum"]}
    return {"@type": "Uncertainty", "distributionType": "TRIANGLE_DISTRIBUTION", "minimum": spread["minimum"], "mode": amount, "maximum": spread["maximum"]}


def export_jsonld(study: Study, path: Path | str) -> None:
    write_bytes_atomically(path, jsonld_bytes(study))


def jsonld_bytes(study: Study) -> bytes:
    raw = study_raw(study)
    units = _Units()
    flows: dict[str, dict[str, Any]] = {}
    locations: dict[str, dict[str, Any]] = {}
    processes = []
    process_ids = {p["id"]: _id("process", p["id"]) for p in raw["processes"]}
    sidecar: dict[str, Any] = {"format": "footprint study sidecar", "version": 1, "study": {k: v for k, v in raw.items() if k != "processes"}, "processes": {}}

    def flow(flow_id: str, name: str, kind: str, unit: str, category: str | None = None) -> dict[str, Any]:
        _, prop = units.ref(unit)
        flows.setdefault(flow_id, {
            "@type": "Flow", "@id": flow_id, "name": name, "flowType": kind, **({"category": category} if category else {}),
            "flowProperties": [{"@type": "FlowPropertyFactor", "isRefFlowProperty": True, "conversionFactor": 1.0, "flowProperty": prop}],
        })
        return {"@type": "Flow", "@id": flow_id, "name": name, "flowType": kind}

    def exchange(internal_id: int, item: dict[str, Any], flow_ref: dict[str, Any], *, is_input: bool, reference: bool = False, provider: str | None = None) -> dict[str, Any]:
        unit_ref, prop = units.ref(item["unit"])
        out = {
            "@type": "Exchange", "internalId": internal_id, "amount": item["amount"], "isInput": is_input, "flow": flow_ref,
            "unit": unit_ref, "flowProperty": prop, "isQuantitativeReference": reference,
        }
        if item.get("source"):
            out["description"] = item["source"]
        spread = _uncertainty(item["amount"], item.get("uncertainty"))
        if spread:
            out["uncertainty"] = spread
        if provider:
            out["defaultProvider"] = {"@type": "Process", "@id": provider}
        return out

    by_id = {p["id"]: p for p in raw["processes"]}
    for process in raw["processes"]:
        pid = process["id"]
        product = flow(_id("product", pid), process["reference_output"]["product"], "PRODUCT_FLOW", process["reference_output"]["unit"])
        exchanges = [exchange(1, process["reference_output"], product, is_input=False, reference=True)]
        note: dict[str, Any] = {
            "uuid": process_ids[pid],
            "reference_output": {k: v for k, v in process["reference_output"].items() if k not in ("amount", "unit", "product", "source")},
            **{k: process[k] for k in ("allocation", "electricity_supply", "sampling") if k in process},
            "inputs": [], "elementary_flows": [], "coproducts": [],
        }
        n = 1
        for item in process.get("inputs", []):
            n += 1
            if "process" in item:
                supplier = by_id[item["process"]]
                ref = flow(_id("product", supplier["id"]), supplier["reference_output"]["product"], "PRODUCT_FLOW", supplier["reference_output"]["unit"])
                exchanges.append(exchange(n, item, ref, is_input=True, provider=process_ids[supplier["id"]]))
            else:
                label = item.get("name") or item.get("dataset")
                key = "|".join(str(item.get(k, "")) for k in ("database", "dataset", "name", "location"))
                exchanges.append(exchange(n, item, flow(_id("background", key), label, "PRODUCT_FLOW", item["unit"]), is_input=True))
            note["inputs"].append({"internal_id": n, **{k: v for k, v in item.items() if k not in ("amount", "unit", "source", "uncertainty")}})
        for item in process.get("elementary_flows", []):
            n += 1
            flow_id = item.get("key") or _id("elementary", item.get("flow", ""), item.get("compartment", ""))
            ref = flow(flow_id, item.get("flow") or item["key"], "ELEMENTARY_FLOW", item["unit"], item.get("compartment"))
            exchanges.append(exchange(n, item, ref, is_input=False))
            note["elementary_flows"].append({"internal_id": n, **{k: v for k, v in item.items() if k not in ("amount", "unit", "source", "uncertainty")}})
        for position, item in enumerate(process.get("coproducts", []), start=1):
            n += 1
            ref = flow(_id("coproduct", pid, str(position)), item["product"], "PRODUCT_FLOW", item["unit"])
            exchanges.append(exchange(n, item, ref, is_input=False))
            note["coproducts"].append({"internal_id": n, **{k: v for k, v in item.items() if k not in ("amount", "unit", "source", "product")}})
        location = process["location"]
        locations.setdefault(location, {"@type": "Location", "@id": _id("location", location), "name": location, "code": location})
        processes.append({
            "@type": "Process", "@id": process_ids[pid], "name": process["name"], "processType": "UNIT_PROCESS",
            "location": {"@type": "Location", "@id": _id("location", location), "name": location},
            "tags": [f"footprint:id={pid}", f"footprint:stage={process['stage']}", f"footprint:category={process['category']}", f"footprint:data_type={process['data_type']}"],
            **({"description": process["description"]} if process.get("description") else {}),
            "exchanges": exchanges,
        })
        sidecar["processes"][pid] = note

    import olca_schema as o

    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("olca-schema.json", json.dumps({"version": 2}))
        for obj in units.objects():
            folder = "unit_groups" if isinstance(obj, o.UnitGroup) else "flow_properties"
            archive.writestr(f"{folder}/{obj.id}.json", obj.to_json())
        for folder, objects in (("flows", flows), ("locations", locations), ("processes", {p["@id"]: p for p in processes})):
            for obj_id, obj in objects.items():
                archive.writestr(f"{folder}/{obj_id}.json", json.dumps(obj, ensure_ascii=False, indent=1, default=str))
        archive.writestr(SIDECAR, json.dumps(sidecar, ensure_ascii=False, indent=1, default=str))
    return stream.getvalue()
