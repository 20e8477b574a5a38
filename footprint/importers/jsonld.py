"""openLCA JSON-LD packages (schema 1.x as openLCA 1.5-1.11 export, and 2.x) -> source datasets.

bw2io 0.9.17's `JSONLDImporter` cannot read the USLCI export: it expects a flow's category as
a path string (openLCA 1.x writes a reference object), reads `isInput` (1.x writes `input`),
models products as separate nodes, links elementary flows into a new database of their own
and ignores flow-property conversion. So footprint reads the package itself: each object is
upgraded to schema 2 field names and parsed with GreenDelta's `olca-schema` classes; amounts
are converted to the reference unit of each flow's reference flow property, as openLCA does.

Multi-output processes are split by their physical allocation factors when the source gives
them for every product; otherwise the quantitative reference carries the burdens and the
co-product outputs are left out (counted in the report).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..errors import FootprintInputError
from .archive import SourcePackage
from .records import SourceDatabase, SourceDataset, SourceExchange

FORMAT = "jsonld"
# openLCA reference-unit names that pint spells otherwise.
UNIT_SPELLINGS = {"Item(s)": "unit", "Items*km": "unit*km", "l": "L"}
_V1_FIELDS = {"input": "isInput", "avoidedProduct": "isAvoidedProduct", "quantitativeReference": "isQuantitativeReference"}


@dataclass(frozen=True)
class Unit:
    name: str
    factor: float  # to the unit group's reference unit
    group: str


@dataclass(frozen=True)
class Flow:
    id: str
    name: str
    type: str  # ELEMENTARY_FLOW, PRODUCT_FLOW, WASTE_FLOW
    category: tuple[str, ...]
    reference_unit: str
    property_factors: dict[str, float]  # flow property id -> units of it per reference unit
    where: str


class JsonLdPackage:
    """The reference data of one package: units, flow properties, categories, locations, flows."""

    def __init__(self, package: SourcePackage) -> None:
        self.package = package
        self.categories = {obj["@id"]: obj for obj in self._objects("categories")}
        self.units: dict[str, Unit] = {}
        self.group_reference: dict[str, str] = {}
        for group in self._objects("unit_groups"):
            for unit in group.get("units", []):
                self.units[unit["@id"]] = Unit(unit["name"], float(unit.get("conversionFactor", 1.0)), group["@id"])
                if unit.get("referenceUnit") or unit.get("isRefUnit"):
                    self.group_reference[group["@id"]] = unit["name"]
        self.property_group = {
            obj["@id"]: (obj.get("unitGroup") or {}).get("@id") for obj in self._objects("flow_properties")
        }
        self.locations = {obj["@id"]: obj.get("code") or obj.get("name") for obj in self._objects("locations")}
        self.flows: dict[str, Flow] = {}
        for name in package.iter_names("flows", ".json"):
            flow = self._flow(name)
            if flow.id in self.flows:
                raise FootprintInputError(f"duplicate flow id {flow.id!r} (also in {self.flows[flow.id].where})", file=package.label(name))
            self.flows[flow.id] = flow

    def _objects(self, folder: str) -> list[dict[str, Any]]:
        out = []
        for name in self.package.iter_names(folder, ".json"):
            obj = self.package.json(name)
            if not isinstance(obj, dict) or "@id" not in obj:
                raise FootprintInputError("not an openLCA JSON-LD object (no @id)", file=self.package.label(name))
            out.append(obj)
        return out

    def category_path(self, category: Any) -> tuple[str, ...]:
        """A category as a path: schema 2 writes 'a/b/c', schema 1 a reference to resolve."""
        if isinstance(category, str):
            return tuple(part for part in category.split("/") if part)
        parts: list[str] = []
        seen: set[str] = set()
        while isinstance(category, dict) and category.get("@id") and category["@id"] not in seen:
            seen.add(category["@id"])
            full = self.categories.get(category["@id"], category)
            parts.append(full.get("name", ""))
            category = full.get("category")
        return tuple(reversed(parts))

    def _flow(self, name: str) -> Flow:
        import olca_schema as o

        label = self.package.label(name)
        raw = self.package.json(name)
        if not isinstance(raw, dict) or raw.get("@type", "Flow") != "Flow" or "@id" not in raw:
            raise FootprintInputError("not an openLCA flow", file=label)
        flow = o.Flow.from_dict(_upgrade(raw))
        factors: dict[str, float] = {}
        reference_unit = None
        for factor in flow.flow_properties or []:
            if factor.flow_property is None:
                continue
            prop = factor.flow_property.id
            factors[prop] = float(factor.conversion_factor or 1.0)
            if factor.is_ref_flow_property:
                group = self.property_group.get(prop)
                if group is None:
                    raise FootprintInputError(f"flow property {prop!r} is not in the package (missing flow property)", file=label)
                reference_unit = self.group_reference.get(group)
        if reference_unit is None:
            raise FootprintInputError("the flow has no reference flow property with a known reference unit", file=label)
        return Flow(
            id=flow.id, name=flow.name or "", type=raw.get("flowType", ""), category=self.category_path(raw.get("category")),
            reference_unit=reference_unit, property_factors=factors, where=label,
        )


def _upgrade(obj: Any) -> Any:
    """Schema 1 field names -> schema 2 (what olca-schema reads); other fields unchanged."""
    if isinstance(obj, list):
        return [_upgrade(item) for item in obj]
    if not isinstance(obj, dict):
        return obj
    out = {}
    for key, value in obj.items():
        if key == "category" and isinstance(value, dict):
            continue  # resolved separately (schema 1 reference)
        out[_V1_FIELDS.get(key, key)] = _upgrade(value)
    if obj.get("@type") == "FlowPropertyFactor" and "referenceFlowProperty" in obj:
        out["isRefFlowProperty"] = obj["referenceFlowProperty"]
    return out


def read_jsonld(package: SourcePackage) -> SourceDatabase:
    """Every process of the package as single-output source datasets."""
    import olca_schema as o

    reference = JsonLdPackage(package)
    notes: Counter = Counter()
    processes: dict[str, tuple[Any, dict[str, Any], str]] = {}
    for name in package.iter_names("processes", ".json"):
        label = package.label(name)
        raw = package.json(name)
        if not isinstance(raw, dict) or raw.get("@type", "Process") != "Process" or "@id" not in raw:
            raise FootprintInputError("not an openLCA process", file=label)
        if raw["@id"] in processes:
            raise FootprintInputError(f"duplicate process id {raw['@id']!r} (also in {processes[raw['@id']][2]})", file=label)
        processes[raw["@id"]] = (o.Process.from_dict(_upgrade(raw)), raw, label)
    if not processes:
        raise FootprintInputError("no openLCA processes in the package (expected processes/*.json)", file=package.path)
    datasets: list[SourceDataset] = []
    split: dict[str, dict[str, str]] = {}  # process id -> product flow id -> dataset id
    parsed = {pid: _process(process, raw, label, reference, notes) for pid, (process, raw, label) in processes.items()}
    for pid, (products, _) in parsed.items():
        split[pid] = {flow_id: dataset.id for flow_id, dataset in products.items()}
    for pid, (products, exchanges_by_product) in parsed.items():
        for flow_id, dataset in products.items():
            for exchange in exchanges_by_product[flow_id]:
                if exchange.provider is not None:
                    targets = split.get(exchange.provider)
                    if targets is None:
                        raise FootprintInputError(
                            f"exchange {exchange.name!r} names a default provider {exchange.provider!r} that is not in the package "
                            "(reference to a missing process)",
                            file=dataset.where,
                        )
                    exchange.provider = targets.get(exchange.flow_id or "") or next(iter(targets.values()))
                dataset.exchanges.append(exchange)
            datasets.append(dataset)
    return SourceDatabase(
        path=str(package.path), format=FORMAT, datasets=datasets, notes=dict(notes),
        reader="footprint JSON-LD reader (schema 1 and 2, parsed with olca-schema)",
    )


def _process(process: Any, raw: dict[str, Any], label: str, reference: JsonLdPackage, notes: Counter):
    """One process: its product dataset(s) and, per product, the exchanges it carries."""
    rows = []
    for position, exchange in enumerate(process.exchanges or [], start=1):
        where = f"{label}, exchange {position}"
        if exchange.flow is None or exchange.flow.id not in reference.flows:
            flow_name = exchange.flow.name if exchange.flow else "?"
            raise FootprintInputError(
                f"exchange {position} references flow {flow_name!r} ({exchange.flow.id if exchange.flow else 'no id'}) that is not "
                "in the package (reference to a missing flow)", file=label,
            )
        flow = reference.flows[exchange.flow.id]
        unit = reference.units.get(exchange.unit.id if exchange.unit else "")
        if unit is None:
            unit_name = exchange.unit.name if exchange.unit else "none"
            raise FootprintInputError(f"exchange {position} ({flow.name!r}) is in unknown unit {unit_name!r}", file=label)
        prop = exchange.flow_property.id if exchange.flow_property else None
        prop_factor = flow.property_factors.get(prop, None) if prop else 1.0
        if prop_factor is None or prop_factor == 0:
            raise FootprintInputError(f"exchange {position} ({flow.name!r}) uses a flow property the flow does not have", file=label)
        if exchange.amount is None:
            raise FootprintInputError(f"exchange {position} ({flow.name!r}) has no amount", file=label)
        amount = float(exchange.amount) * unit.factor / prop_factor
        if exchange.amount_formula:
            notes["exchanges with a formula (the exported amount is used)"] += 1
        if raw["exchanges"][position - 1].get("uncertainty"):
            notes["uncertainty distributions not imported"] += 1
        rows.append((exchange, flow, amount, where, unit.name, float(exchange.amount), exchange.internal_id, raw["exchanges"][position - 1].get("uncertainty")))
    reference_rows = [r for r in rows if r[0].is_quantitative_reference]
    if len(reference_rows) != 1:
        raise FootprintInputError(f"the process has {len(reference_rows)} quantitative references; it needs one", file=label)
    location = reference.locations.get(process.location.id, process.location.name) if process.location else None
    location = location or "GLO"
    comment = (process.description or "")[:2000]
    products = [r for r in rows if _is_product(r) and not r[0].is_avoided_product]
    factors = _physical_factors(process, [r[1].id for r in products])
    if len(products) > 1 and factors is None:
        notes["co-product outputs without allocation factors (burdens stay with the reference product)"] += len(products) - 1
        products = reference_rows
    elif len(products) > 1:
        notes["multi-output processes split by physical allocation factors"] += 1
    else:
        products = reference_rows
    datasets: dict[str, SourceDataset] = {}
    exchanges: dict[str, list[SourceExchange]] = {}
    product_ids = {r[1].id for r in products}
    for exchange, flow, amount, where, unit_name, written, _, _ in products:
        main = exchange.is_quantitative_reference
        dataset_id = process.id if main else f"{process.id}.{flow.id}"
        share = factors.get(flow.id, 1.0) if factors else 1.0
        treatment = flow.type == "WASTE_FLOW" and exchange.is_input
        datasets[flow.id] = SourceDataset(
            id=dataset_id, name=process.name or flow.name if main else f"{process.name} ({flow.name})", location=location,
            unit=UNIT_SPELLINGS.get(flow.reference_unit, flow.reference_unit), reference_product=flow.name,
            production_amount=-amount if treatment else amount, where=label, reference_flow_id=flow.id, comment=comment,
            source_amount=written, source_unit=unit_name, reference_comment=exchange.description, tags=list(getattr(process, "tags", None) or []),
            coproducts=[_source_exchange(*r[:4], r[4:]) for r in rows if _left_out(r[0], r[1], rows, products) and r[1].id not in product_ids],
        )
        exchanges[flow.id] = [
            _source_exchange(e, f, a * share, w, extra) for e, f, a, w, *extra in rows if f.id not in product_ids and not _left_out(e, f, rows, products)
        ]
    return datasets, exchanges


def _is_product(row: tuple) -> bool:
    exchange, flow = row[0], row[1]
    return (flow.type == "PRODUCT_FLOW" and not exchange.is_input) or (flow.type == "WASTE_FLOW" and exchange.is_input)


def _left_out(exchange: Any, flow: Flow, rows: list, products: list) -> bool:
    """Co-products not split off are left out (not a negative input)."""
    return _is_product((exchange, flow)) and not exchange.is_avoided_product and not exchange.is_quantitative_reference


def _physical_factors(process: Any, product_ids: list[str]) -> dict[str, float] | None:
    if len(product_ids) < 2:
        return None
    factors = {
        f.product.id: float(f.value)
        for f in process.allocation_factors or []
        if f.product is not None and str(getattr(f.allocation_type, "value", f.allocation_type)) == "PHYSICAL_ALLOCATION"
    }
    return factors if all(pid in factors for pid in product_ids) else None


def _uncertainty(raw: dict | None) -> dict | None:
    """openLCA uncertainty -> footprint's (lognormal gsd, normal sd, uniform/triangular bounds), else None."""
    if not raw:
        return None
    kind = raw.get("distributionType")
    if kind == "LOG_NORMAL_DISTRIBUTION" and raw.get("geomSd", 0) > 1:
        return {"distribution": "lognormal", "gsd": raw["geomSd"]}
    if kind == "NORMAL_DISTRIBUTION" and raw.get("sd", 0) > 0:
        return {"distribution": "normal", "sd": raw["sd"]}
    if kind in ("UNIFORM_DISTRIBUTION", "TRIANGLE_DISTRIBUTION") and raw.get("minimum", 0) < raw.get("maximum", 0):
        return {"distribution": "uniform" if kind.startswith("UNIFORM") else "triangular", "minimum": raw["minimum"], "maximum": raw["maximum"]}
    return None


def _source_exchange(exchange: Any, flow: Flow, amount: float, where: str, extra: Any = ()) -> SourceExchange:
    unit_name, written, internal_id, uncertainty = (list(extra) + [None] * 4)[:4]
    common = dict(source_amount=written, source_unit=unit_name, internal_id=internal_id, uncertainty=_uncertainty(uncertainty))
    if flow.type == "ELEMENTARY_FLOW":
        return SourceExchange(
            kind="elementary", amount=amount, unit=flow.reference_unit, name=flow.name, is_input=bool(exchange.is_input),
            where=where, flow_id=flow.id, compartment=flow.category, comment=exchange.description, **common,
        )
    # A waste output goes to treatment: a negative input of the treatment's (negative) output.
    waste_out = flow.type == "WASTE_FLOW" and not exchange.is_input
    return SourceExchange(
        kind="technosphere", amount=-amount if waste_out else amount, unit=UNIT_SPELLINGS.get(flow.reference_unit, flow.reference_unit),
        name=flow.name, is_input=True, where=where, flow_id=flow.id,
        provider=exchange.default_provider.id if exchange.default_provider else None,
        avoided=bool(exchange.is_avoided_product), comment=exchange.description, **common,
    )
