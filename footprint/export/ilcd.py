"""The declared material as an ILCD 1.1 aggregated process dataset ("LCI result"), zipped.

Written with lxml from the ILCD format 1.1 documentation (European Commission JRC, ILCD Data
Format; the archive layout `ILCD/<type>/<UUID>.xml` of its SDK): one process dataset with
the declared unit (1 kg of the material) as its reference flow and the aggregated inventory
as its exchanges, plus the flow, flow property, unit group, contact and source datasets it
references, so LCA software can use it as secondary data.

Identifiers. Elementary flows keep the biosphere database's UUIDs (ecoinvent / biosphere3
elementary flows, the ones footprint's EF 3.1 factors are matched to); they are not the EF
reference package's flow UUIDs, which footprint does not hold offline, so the dataset claims
no EF compliance (docs/export.md). Flow properties and unit groups use the ILCD reference
datasets' UUIDs (ILCD reference data, JRC; as shipped e.g. in ilcdlib 5.5.5,
data/ilcd_epd_ref.zip) and are written here with their reference unit. Everything footprint
creates gets a UUID v5 from the declaration, so an export is reproducible byte for byte.

LCIA results are not embedded: referencing EF 3.1 LCIA method datasets needs their UUIDs,
which footprint does not hold; the declared results are listed in the general comment and
any importer recomputes them from the inventory (the round trip test does).
"""

from __future__ import annotations

import io
import uuid
import zipfile
from typing import Any

from lxml import etree

from ..errors import FootprintError
from .inventory import ExportInputs, InventoryFlow

NS = {
    "process": "http://lca.jrc.it/ILCD/Process",
    "flow": "http://lca.jrc.it/ILCD/Flow",
    "flowproperty": "http://lca.jrc.it/ILCD/FlowProperty",
    "unitgroup": "http://lca.jrc.it/ILCD/UnitGroup",
    "contact": "http://lca.jrc.it/ILCD/Contact",
    "source": "http://lca.jrc.it/ILCD/Source",
}
COMMON = "http://lca.jrc.it/ILCD/Common"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FOOTPRINT_NS = uuid.uuid5(uuid.NAMESPACE_URL, "urn:footprint:ilcd")
DATASET_VERSION = "01.00.000"
ILCD_FORMAT_SOURCE = "a97a0155-0234-4b87-b4ce-a45da52f2a40"  # "ILCD format" source dataset (ILCD reference data)

# footprint's unit -> (flow property UUID, name, unit group UUID, name, ILCD unit). ILCD reference data (JRC).
UNITS: dict[str, tuple[str, str, str, str, str]] = {
    "kg": ("93a60a56-a3c8-11da-a746-0800200b9a66", "Mass", "93a60a57-a4c8-11da-a746-0800200c9a66", "Units of mass", "kg"),
    "m3": ("93a60a56-a3c8-22da-a746-0800200c9a66", "Volume", "93a60a57-a3c8-12da-a746-0800200c9a66", "Units of volume", "m3"),
    "Nm3": ("93a60a56-a3c8-13da-a746-0800200c9a66", "Normal Volume", "93a60a57-a3c8-12da-a746-0800200c9a66", "Units of volume", "m3"),
    "MJ": ("93a60a56-a3c8-11da-a746-0800200c9a66", "Net calorific value", "93a60a57-a3c8-11da-a746-0800200c9a66", "Units of energy", "MJ"),
    "m2": ("93a60a56-a3c8-19da-a746-0800200c9a66", "Area", "93a60a57-a3c8-18da-a746-0800200c9a66", "Units of area", "m2"),
    "m2*year": ("93a60a56-a3c8-21da-a746-0800200c9a66", "Area*time", "93a60a57-a3c8-20da-a746-0800200c9a66", "Units of area*time", "m2*a"),
    "kBq": ("93a60a56-a3c8-17da-a746-0800200c9a66", "Radioactivity", "93a60a57-a3c8-16da-a746-0800200c9a66", "Units of radioactivity", "kBq"),
}

# Biosphere compartments -> ILCD elementary flow categories (ILCDFlowCategorization, ILCD reference data).
_AIR, _WATER, _SOIL = "Emissions to air", "Emissions to water", "Emissions to soil"
COMPARTMENTS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("air",): ("Emissions", _AIR, "Emissions to air, unspecified"),
    ("air", "urban air close to ground"): ("Emissions", _AIR, "Emissions to urban air close to ground"),
    ("air", "non-urban air or from high stacks"): ("Emissions", _AIR, "Emissions to non-urban air or from high stacks"),
    ("air", "lower stratosphere + upper troposphere"): ("Emissions", _AIR, "Emissions to lower stratosphere and upper troposphere"),
    ("air", "low population density, long-term"): ("Emissions", _AIR, "Emissions to air, unspecified (long-term)"),
    ("air", "indoor"): ("Emissions", _AIR, "Emissions to air, unspecified"),
    ("water",): ("Emissions", _WATER, "Emissions to water, unspecified"),
    ("water", "surface water"): ("Emissions", _WATER, "Emissions to fresh water"),
    ("water", "ground-"): ("Emissions", _WATER, "Emissions to water, unspecified"),
    ("water", "ground-, long-term"): ("Emissions", _WATER, "Emissions to water, unspecified (long-term)"),
    ("water", "ocean"): ("Emissions", _WATER, "Emissions to sea water"),
    ("soil",): ("Emissions", _SOIL, "Emissions to soil, unspecified"),
    ("soil", "agricultural"): ("Emissions", _SOIL, "Emissions to agricultural soil"),
    ("soil", "forestry"): ("Emissions", _SOIL, "Emissions to non-agricultural soil"),
    ("soil", "industrial"): ("Emissions", _SOIL, "Emissions to non-agricultural soil"),
    ("natural resource", "in ground"): ("Resources", "Resources from ground"),
    ("natural resource", "in water"): ("Resources", "Resources from water"),
    ("natural resource", "in air"): ("Resources", "Resources from air"),
    ("natural resource", "biotic"): ("Resources", "Resources from biosphere"),
}


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(FOOTPRINT_NS, "\0".join(parts)))


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text.lower()
    except ValueError:
        return False


class Builder:
    """Small helpers over lxml for one dataset type's namespace."""

    def __init__(self, kind: str) -> None:
        self.ns = NS[kind]
        self.nsmap = {None: self.ns, "common": COMMON}

    def root(self, tag: str) -> etree._Element:
        return etree.Element(f"{{{self.ns}}}{tag}", nsmap=self.nsmap, version="1.1")

    def el(self, parent: etree._Element, tag: str, text: Any = None, *, common: bool = False, lang: bool = False, **attrs: str) -> etree._Element:
        node = etree.SubElement(parent, f"{{{COMMON if common else self.ns}}}{tag}", **attrs)
        if lang:
            node.set(XML_LANG, "en")
        if text is not None:
            node.text = str(text)
        return node

    def ref(self, parent: etree._Element, tag: str, kind: str, folder: str, ref_id: str, description: str, *, common: bool = False) -> etree._Element:
        node = self.el(parent, tag, common=common, type=kind, refObjectId=ref_id, uri=f"../{folder}/{ref_id}.xml", version=DATASET_VERSION)
        self.el(node, "shortDescription", description, common=True, lang=True)
        return node

    def admin(self, parent: etree._Element, timestamp: str) -> etree._Element:
        admin = self.el(parent, "administrativeInformation")
        entry = self.el(admin, "dataEntryBy")
        self.el(entry, "timeStamp", timestamp, common=True)
        self.ref(entry, "referenceToDataSetFormat", "source data set", "sources", ILCD_FORMAT_SOURCE, "ILCD format", common=True)
        pub = self.el(admin, "publicationAndOwnership")
        self.el(pub, "dataSetVersion", DATASET_VERSION, common=True)
        return admin


def _text(node: etree._Element) -> bytes:
    return etree.tostring(node, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _direction(flow: InventoryFlow) -> tuple[str, float]:
    """ILCD direction and a non-negative amount: resources enter, everything else leaves."""
    natural = "Input" if flow.categories[:1] == ("natural resource",) else "Output"
    if flow.amount >= 0:
        return natural, flow.amount
    return ("Output" if natural == "Input" else "Input"), -flow.amount


def _cas(cas: str | None) -> str | None:
    if not cas:
        return None
    head, _, tail = cas.partition("-")
    return f"{int(head)}-{tail}" if head.isdigit() and tail else None


def flow_uuid(flow: InventoryFlow) -> str:
    return flow.code.lower() if _is_uuid(flow.code) else _uuid("flow", flow.database, flow.code)


def elementary_flow_xml(flow: InventoryFlow, timestamp: str) -> bytes:
    b = Builder("flow")
    root = b.root("flowDataSet")
    info = b.el(root, "flowInformation")
    dsi = b.el(info, "dataSetInformation")
    b.el(dsi, "UUID", flow_uuid(flow), common=True)
    b.el(b.el(dsi, "name"), "baseName", flow.name, lang=True)
    classification = b.el(dsi, "classificationInformation")
    categories = COMPARTMENTS.get(flow.categories)
    if categories is None and flow.categories[:1] == ("natural resource",):
        categories = ("Land use", "Land occupation" if flow.name.startswith("Occupation") else "Land transformation") if flow.categories[1:] == ("land",) else ("Resources",)
    if categories:
        group = b.el(classification, "elementaryFlowCategorization", common=True)
        for level, name in enumerate(categories):
            b.el(group, "category", name, common=True, level=str(level))
    else:
        group = b.el(classification, "classification", common=True, name=flow.database)
        for level, name in enumerate(flow.categories):
            b.el(group, "class", name, common=True, level=str(level))
    if cas := _cas(flow.cas):
        b.el(dsi, "CASNumber", cas)
    b.el(dsi, "generalComment", f"{flow.database} elementary flow {flow.code}, compartment {'/'.join(flow.categories)}", common=True, lang=True)
    b.el(b.el(info, "quantitativeReference"), "referenceToReferenceFlowProperty", "0")
    kind = "Elementary flow" if flow.kind in ("emission", "natural resource") else "Other flow"
    b.el(b.el(b.el(root, "modellingAndValidation"), "LCIMethod"), "typeOfDataSet", kind)
    b.admin(root, timestamp)
    _flow_property_ref(b, root, flow.unit)
    return _text(root)


def _flow_property_ref(b: Builder, root: etree._Element, unit: str) -> None:
    if unit not in UNITS:
        raise FootprintError(f"no ILCD flow property for the unit {unit!r}")
    prop_id, prop_name, *_ = UNITS[unit]
    prop = b.el(b.el(root, "flowProperties"), "flowProperty", dataSetInternalID="0")
    b.ref(prop, "referenceToFlowPropertyDataSet", "flow property data set", "flowproperties", prop_id, prop_name)
    b.el(prop, "meanValue", "1.0")


def product_flow_xml(inputs: ExportInputs, flow_id: str, timestamp: str) -> bytes:
    d = inputs.declaration
    b = Builder("flow")
    root = b.root("flowDataSet")
    info = b.el(root, "flowInformation")
    dsi = b.el(info, "dataSetInformation")
    b.el(dsi, "UUID", flow_id, common=True)
    name = b.el(dsi, "name")
    b.el(name, "baseName", d.material.name, lang=True)
    b.el(name, "treatmentStandardsRoutes", f"{d.material.route} route" + (f"; {d.material.grade}" if d.material.grade else ""), lang=True)
    if d.material.cn_code:
        group = b.el(b.el(dsi, "classificationInformation"), "classification", common=True, name="Combined Nomenclature (CN)")
        b.el(group, "class", d.material.cn_code, common=True, level="0")
    b.el(dsi, "generalComment", f"{d.material.name} from {d.responsible_person.trade_name} (material id {d.material.id}).", common=True, lang=True)
    ref = b.el(info, "quantitativeReference")
    b.el(ref, "referenceToReferenceFlowProperty", "0")
    b.el(b.el(b.el(root, "modellingAndValidation"), "LCIMethod"), "typeOfDataSet", "Product flow")
    b.admin(root, timestamp)
    _flow_property_ref(b, root, "kg")
    return _text(root)


def flow_property_xml(unit: str, timestamp: str) -> bytes:
    prop_id, prop_name, group_id, group_name, _ = UNITS[unit]
    b = Builder("flowproperty")
    root = b.root("flowPropertyDataSet")
    info = b.el(root, "flowPropertiesInformation")
    dsi = b.el(info, "dataSetInformation")
    b.el(dsi, "UUID", prop_id, common=True)
    b.el(dsi, "name", prop_name, common=True, lang=True)
    b.ref(b.el(info, "quantitativeReference"), "referenceToReferenceUnitGroup", "unit group data set", "unitgroups", group_id, group_name)
    b.admin(root, timestamp)
    return _text(root)


def unit_group_xml(unit: str, timestamp: str) -> bytes:
    _, _, group_id, group_name, unit_name = UNITS[unit]
    b = Builder("unitgroup")
    root = b.root("unitGroupDataSet")
    info = b.el(root, "unitGroupInformation")
    dsi = b.el(info, "dataSetInformation")
    b.el(dsi, "UUID", group_id, common=True)
    b.el(dsi, "name", group_name, common=True, lang=True)
    b.el(b.el(info, "quantitativeReference"), "referenceToReferenceUnit", "0")
    b.admin(root, timestamp)
    one = b.el(b.el(root, "units"), "unit", dataSetInternalID="0")
    b.el(one, "name", unit_name)
    b.el(one, "meanValue", "1.0")
    return _text(root)


def contact_xml(inputs: ExportInputs, contact_id: str, timestamp: str) -> bytes:
    person = inputs.declaration.responsible_person
    b = Builder("contact")
    root = b.root("contactDataSet")
    dsi = b.el(b.el(root, "contactInformation"), "dataSetInformation")
    b.el(dsi, "UUID", contact_id, common=True)
    b.el(dsi, "shortName", person.trade_name, common=True, lang=True)
    b.el(dsi, "name", person.name, common=True, lang=True)
    b.el(dsi, "contactAddress", person.postal_address, lang=True)
    if person.email:
        b.el(dsi, "email", person.email)
    if person.website:
        b.el(dsi, "WWWAddress", person.website)
    b.admin(root, timestamp)
    return _text(root)


def source_xml(source_id: str, short_name: str, citation: str, comment: str, timestamp: str, url: str | None = None) -> bytes:
    b = Builder("source")
    root = b.root("sourceDataSet")
    dsi = b.el(b.el(root, "sourceInformation"), "dataSetInformation")
    b.el(dsi, "UUID", source_id, common=True)
    b.el(dsi, "shortName", short_name, common=True, lang=True)
    b.el(dsi, "sourceCitation", citation)
    b.el(dsi, "sourceDescriptionOrComment", comment, lang=True)
    if url:
        b.el(dsi, "referenceToDigitalFile", uri=url)
    b.admin(root, timestamp)
    return _text(root)


def _sources(inputs: ExportInputs) -> list[tuple[str, str, str, str, str | None]]:
    d = inputs.declaration
    study_url = None if d.public_study.relative else d.public_study.url
    return [
        (ILCD_FORMAT_SOURCE, "ILCD format", "ILCD format 1.1, European Commission JRC", "Data set format of this archive.", None),
        (_uuid("source", "declaration", d.declaration_id), f"Declaration {d.declaration_id}",
         f"{d.responsible_person.name}: environmental footprint declaration {d.declaration_id}, issued {d.issue_date} (Regulation (EU) 2024/1252 Art. 31(7))",
         "The declaration this dataset was exported from; its characterised results are the ones the inventory gives.", d.public_address),
        (_uuid("source", "public-study", d.declaration_id), "Public study",
         f"Public version of the footprint study of declaration {d.declaration_id} (Art. 31(7)(f)): {d.public_study.url}",
         d.public_study.note, study_url),
        (_uuid("source", "ef31"), "EF 3.1",
         "Andreasi Bassi S. et al. 2023, Updated characterisation and normalisation factors for the Environmental Footprint 3.1 method, EUR 31414 EN, doi:10.2760/798894",
         f"Impact assessment method of the declared results ({d.footprint.method_set}, implementation: bw2io's shipped EF v3.1).", None),
    ]


def process_xml(inputs: ExportInputs, ids: dict[str, str], timestamp: str, sources: list) -> bytes:
    from .fields import allocation_text, boundary_text, exempted, geography_country

    d = inputs.declaration
    b = Builder("process")
    root = b.root("processDataSet")
    info = b.el(root, "processInformation")
    dsi = b.el(info, "dataSetInformation")
    b.el(dsi, "UUID", ids["process"], common=True)
    name = b.el(dsi, "name")
    b.el(name, "baseName", d.material.name, lang=True)
    b.el(name, "treatmentStandardsRoutes", f"{d.material.route} route; {d.responsible_person.trade_name}", lang=True)
    b.el(name, "mixAndLocationTypes", "at plant (factory gate)", lang=True)
    b.el(name, "functionalUnitFlowProperties", f"{d.footprint.declared_unit}", lang=True)
    group = b.el(b.el(dsi, "classificationInformation"), "classification", common=True, name="ILCD")
    b.el(group, "class", "Materials production", common=True, level="0")
    results = "; ".join(f"{c.category} {c.value!r} {c.unit}" for c in d.footprint.categories)
    b.el(dsi, "generalComment", (
        f"Aggregated cradle-to-gate inventory (LCI result) of {d.footprint.declared_unit}, exported by footprint "
        f"{d.versions.footprint} from declaration {d.declaration_id}. Declared characterised results ({d.footprint.method_set}): "
        f"{results}. Elementary flows are ecoinvent/biosphere3 flows (their UUIDs). {inputs.inventory.note}"
    ).strip(), common=True, lang=True)
    ref = b.el(info, "quantitativeReference", type="Reference flow(s)")
    b.el(ref, "referenceToReferenceFlow", "0")
    time = b.el(info, "time")
    period = inputs.study.reporting_period
    b.el(time, "referenceYear", period.start.year, common=True)
    b.el(time, "timeRepresentativenessDescription", f"Activity data of the reporting period {period.start} to {period.end}.", common=True, lang=True)
    b.el(b.el(info, "geography"), "locationOfOperationSupplyOrProduction", location=geography_country(inputs) or "GLO")
    b.el(b.el(info, "technology"), "technologyDescriptionAndIncludedProcesses", boundary_text(inputs), lang=True)

    mv = b.el(root, "modellingAndValidation")
    method = b.el(mv, "LCIMethodAndAllocation")
    b.el(method, "typeOfDataSet", "LCI result")
    b.el(method, "LCIMethodPrinciple", "Attributional")
    b.el(method, "LCIMethodApproaches", {"mass": "Allocation - mass", "economic": "Allocation - market value"}.get(inputs.rules.allocation, "Other"))
    b.el(method, "deviationsFromLCIMethodApproaches", allocation_text(inputs), lang=True)
    data = b.el(mv, "dataSourcesTreatmentAndRepresentativeness")
    share, text = exempted(inputs)
    b.el(data, "dataCutOffAndCompletenessPrinciples", f"Processes excluded as negligible: {share:g} % of the climate result estimated. {text}".strip(), lang=True)
    for source_id, short, *_ in sources[1:]:
        b.ref(data, "referenceToDataSource", "source data set", "sources", source_id, short)
    b.el(data, "useAdviceForDataSet", (
        "Secondary data for buyers of the material (Regulation (EU) 2024/1252 Art. 31(9), Annex V Part V(b)). "
        "Characterise the inventory with EF 3.1 to obtain the declared results; cite the declaration."
    ), lang=True)
    b.el(b.el(mv, "validation"), "review", type="Not reviewed")

    admin = b.el(root, "administrativeInformation")
    goal = b.el(admin, "commissionerAndGoal")
    b.ref(goal, "referenceToCommissioner", "contact data set", "contacts", ids["contact"], d.responsible_person.name, common=True)
    b.el(goal, "intendedApplications", "Secondary data for downstream LCA and product footprints (PEF, battery carbon footprint).", common=True, lang=True)
    gen = b.el(admin, "dataGenerator")
    b.ref(gen, "referenceToPersonOrEntityGeneratingTheDataSet", "contact data set", "contacts", ids["contact"], d.responsible_person.name, common=True)
    entry = b.el(admin, "dataEntryBy")
    b.el(entry, "timeStamp", timestamp, common=True)
    b.ref(entry, "referenceToDataSetFormat", "source data set", "sources", ILCD_FORMAT_SOURCE, "ILCD format", common=True)
    pub = b.el(admin, "publicationAndOwnership")
    b.el(pub, "dataSetVersion", DATASET_VERSION, common=True)
    if d.public_address:
        b.el(pub, "permanentDataSetURI", d.public_address, common=True)
    b.ref(pub, "referenceToOwnershipOfDataSet", "contact data set", "contacts", ids["contact"], d.responsible_person.name, common=True)

    exchanges = b.el(root, "exchanges")
    product = b.el(exchanges, "exchange", dataSetInternalID="0")
    b.ref(product, "referenceToFlowDataSet", "flow data set", "flows", ids["product"], d.material.name)
    b.el(product, "exchangeDirection", "Output")
    kg = repr(float(d.footprint.declared_unit_kg))
    b.el(product, "meanAmount", kg)
    b.el(product, "resultingAmount", kg)
    for n, flow in enumerate(inputs.inventory.flows, start=1):
        direction, amount = _direction(flow)
        exchange = b.el(exchanges, "exchange", dataSetInternalID=str(n))
        b.ref(exchange, "referenceToFlowDataSet", "flow data set", "flows", flow_uuid(flow), f"{flow.name} ({'/'.join(flow.categories)})")
        b.el(exchange, "exchangeDirection", direction)
        b.el(exchange, "meanAmount", repr(amount))
        b.el(exchange, "resultingAmount", repr(amount))
        b.el(exchange, "dataDerivationTypeStatus", "Calculated")
    return _text(root)


def ilcd_zip(inputs: ExportInputs) -> bytes:
    """The ILCD archive: ILCD/processes, flows, flowproperties, unitgroups, contacts, sources."""
    d = inputs.declaration
    unknown = sorted({f"{f.name} [{f.unit}]" for f in inputs.inventory.flows if f.unit not in UNITS})
    if unknown:
        raise FootprintError(f"no ILCD flow property is known for the units of these flows: {', '.join(unknown)}")
    timestamp = f"{d.issue_date.isoformat()}T00:00:00Z"
    ids = {
        "process": _uuid("process", d.declaration_id),
        "product": _uuid("product-flow", d.material.id, d.responsible_person.name),
        "contact": _uuid("contact", d.responsible_person.name, d.responsible_person.postal_address),
    }
    sources = _sources(inputs)
    files: dict[str, bytes] = {
        f"ILCD/processes/{ids['process']}.xml": process_xml(inputs, ids, timestamp, sources),
        f"ILCD/flows/{ids['product']}.xml": product_flow_xml(inputs, ids["product"], timestamp),
        f"ILCD/contacts/{ids['contact']}.xml": contact_xml(inputs, ids["contact"], timestamp),
    }
    for flow in inputs.inventory.flows:
        files[f"ILCD/flows/{flow_uuid(flow)}.xml"] = elementary_flow_xml(flow, timestamp)
    for unit in sorted({"kg", *(f.unit for f in inputs.inventory.flows)}):
        files[f"ILCD/flowproperties/{UNITS[unit][0]}.xml"] = flow_property_xml(unit, timestamp)
        files[f"ILCD/unitgroups/{UNITS[unit][2]}.xml"] = unit_group_xml(unit, timestamp)
    for source_id, short, citation, comment, url in sources:
        files[f"ILCD/sources/{source_id}.xml"] = source_xml(source_id, short, citation, comment, timestamp, url)
    buffer = io.BytesIO()
    stamp = (max(d.issue_date.year, 1980), d.issue_date.month, d.issue_date.day, 0, 0, 0)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            member = zipfile.ZipInfo(name, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            archive.writestr(member, files[name])
    return buffer.getvalue()
