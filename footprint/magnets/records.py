"""The two records a product with magnets gets: the Art. 29 declaration and the Art. 28 data record.

Both are self-contained JSON (they can be uploaded to a registry as they are), sealed like the
footprint declaration: `content_sha256` is the sha256 of the canonical JSON without that field
(`footprint.declaration.content_hash`). Their ids are derived from the fingerprint (the product
file's hash and part digests, the rules' hash) and the issue date, so the same inputs on the
same day give the same records, and each names the other.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field

from footprint import __version__
from footprint.declaration import content_hash, country_name
from footprint.files import canonical_json, sha256_hex, sha256_of

from .calculation import CustodyUse, ElementMass, MagnetContent, RecycledContent
from .product import GROUP_NAMES, MAGNET_TYPE_NAMES, LoadedProduct, Material, ResponsiblePerson, element_name
from .rules import MagnetRules
from .scope import Scope

DECLARATION_TYPE = "art29-recycled-content"
RECORD_TYPE = "art28-data-record"
DECLARATION_FILE, RECORD_FILE = "recycled-content.json", "data-record.json"
AUDIENCES = ["repairers", "recyclers", "market surveillance authorities", "customs authorities"]  # Art. 28(7)


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Fingerprint(Model):
    """What the records were made from: enough for `verify` to say which input changed."""

    product_sha256: str = Field(description="sha256 of the product file's bytes")
    parts: dict[str, str] = Field(description="sha256 of each part of the product file as parsed")
    rules_id: str
    rules_version: str
    rules_sha256: str
    footprint_version: str


class ProductSummary(Model):
    name: str
    model: str
    group: str
    group_name: str
    unique_product_identifier: str
    identifier_scope: str
    units_covered: int
    placed_on_market: dt.date


class RulesRef(Model):
    id: str
    version: str
    draft: bool
    status: str
    sha256: str
    reported_decimals: int = Field(description="Decimals of the per cent shown on the page")


class ConformityRef(Model):
    module: str
    name: str
    basis: str


class Link(Model):
    id: str
    url: str
    relative: bool = Field(description="True when no web address is given and the link points at the file published beside this one")


class RecycledContentDeclaration(Model):
    """Art. 29(1): the share of the eight elements recovered from post-consumer waste."""

    record_type: Literal["art29-recycled-content"] = DECLARATION_TYPE
    schema_version: Literal["1"] = "1"
    regulation: str = "Regulation (EU) 2024/1252, Article 29"
    declaration_id: str
    issue_date: dt.date
    title: str
    responsible_person: ResponsiblePerson
    product: ProductSummary
    scope: Scope
    shares: list[ElementMass] = Field(description="Per element: kg per unit and the share from post-consumer waste")
    magnets: list[MagnetContent]
    custody: list[CustodyUse]
    minimum_shares: str = Field(description="Art. 29(3) minimum shares, once adopted")
    conformity_assessment: ConformityRef
    rules: RulesRef
    data_record: Link
    fingerprint: Fingerprint
    content_sha256: str = ""


class CompositionEntry(Model):
    element: str
    name: str
    wt_percent: float
    balance: bool
    source: str
    assumption: bool


class MagnetEntry(Model):
    """Art. 28(4)(b): weight, location and composition of a magnet, its coatings, glues and additives."""

    id: str
    type: str
    type_name: str
    grade: str | None
    count: int
    mass_kg_each: float
    mass_kg_total: float
    location: str
    motor: str | None
    in_base_vehicle: bool
    composition: list[CompositionEntry]
    coatings: list[Material]
    glues: list[Material]
    additives: list[Material]
    source: str
    assumption: bool


class MotorEntry(Model):
    id: str
    name: str
    location: str
    rated_power_kw: float


class RemovalEntry(Model):
    step: int
    action: str
    tools: list[str]
    removes: list[str]
    safety: str | None


class DataCarrier(Model):
    symbology: str = "QR code (ISO/IEC 18004), error correction level M, made with segno"
    payload: str = Field(description="What the QR code encodes: the record's address with the product identifier and the record id")


class MagnetDataRecord(Model):
    """Art. 28(3)-(7): the information the data carrier gives access to."""

    record_type: Literal["art28-data-record"] = RECORD_TYPE
    schema_version: Literal["1"] = "1"
    regulation: str = "Regulation (EU) 2024/1252, Article 28(3)-(7)"
    record_id: str
    issue_date: dt.date
    title: str
    unique_product_identifier: str
    identifier_scope: str
    data_carrier: DataCarrier
    responsible_person: ResponsiblePerson = Field(description="Art. 28(4)(a)")
    product: ProductSummary
    label: list[str] = Field(description="Art. 28(1): the magnet types the product label names")
    product_passport: str | None = Field(description="Art. 28(6): the act whose product passport carries this information")
    magnets: list[MagnetEntry] = Field(description="Art. 28(4)(b)")
    motors: list[MotorEntry] = Field(description="Art. 28(5)")
    removal_by_motor: bool
    removal: list[RemovalEntry] = Field(description="Art. 28(4)(c): the sequence of removal steps")
    available_until: dt.date = Field(description="Art. 28(7): typical lifetime plus ten years after placing on the market")
    audiences: list[str]
    scope: Scope
    recycled_content: Link | None = Field(description="The Art. 29 declaration, where Art. 29 applies")
    fingerprint: Fingerprint
    content_sha256: str = ""


def product_parts(loaded: LoadedProduct) -> dict[str, str]:
    """Keyed digests of the product file's parts, to tell a verifier which part changed."""
    data = loaded.product.model_dump(mode="json")
    magnets = [{k: v for k, v in m.items() if k != "supply"} for m in data["magnets"]]
    return {
        "responsible person": sha256_of(data["responsible_person"]),
        "product": sha256_of(data["product"]),
        "magnets": sha256_of(magnets),
        "supply chain": sha256_of([[m["id"], m["supply"]] for m in data["magnets"]] + [data["custody"]]),
        "removal": sha256_of([data["removal"], data["motors"], data["removal_by_motor"]]),
        "scope statement": sha256_of(data["article_29_applies"]),
    }


def fingerprint(loaded: LoadedProduct, rules: MagnetRules) -> Fingerprint:
    return Fingerprint(
        product_sha256=loaded.sha256, parts=product_parts(loaded), rules_id=rules.id, rules_version=rules.rules_version,
        rules_sha256=rules.sha256, footprint_version=__version__,
    )


def record_ids(fp: Fingerprint, issue_date: dt.date) -> tuple[str, str]:
    """(declaration id, record id): deterministic, so the same inputs on the same day give the same ids."""
    basis = sha256_hex(canonical_json([fp.model_dump(mode="json", exclude={"footprint_version"}), issue_date.isoformat()]))[:16].upper()
    return f"RCD-{issue_date:%Y%m%d}-{basis}", f"MDR-{issue_date:%Y%m%d}-{basis}"


def carrier_payload(record_url: str, identifier: str, record_id: str) -> str:
    """The record's address with the product identifier and record id added to its query."""
    parts = urlsplit(record_url)
    query = parse_qsl(parts.query, keep_blank_values=True) + [("upi", identifier), ("record", record_id)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def build_records(
    loaded: LoadedProduct, rules: MagnetRules, scope: Scope, content: RecycledContent | None, compositions: dict[str, dict[str, float]],
    issue_date: dt.date,
) -> tuple[RecycledContentDeclaration | None, MagnetDataRecord]:
    """Both records, sealed; the declaration is None where Art. 29 does not apply."""
    product, info = loaded.product, loaded.product.product
    fp = fingerprint(loaded, rules)
    declaration_id, record_id = record_ids(fp, issue_date)
    summary = ProductSummary(
        name=info.name, model=info.model, group=info.group.value, group_name=GROUP_NAMES[info.group],
        unique_product_identifier=info.unique_product_identifier, identifier_scope=info.identifier_scope,
        units_covered=info.units_covered, placed_on_market=info.placed_on_market,
    )
    record_link = Link(id=record_id, url=info.record_url, relative=False)
    declaration = None
    if scope.article_29_applies and content is not None:
        module = rules.conformity_module(info.made_in_series)
        declaration = RecycledContentDeclaration(
            declaration_id=declaration_id, issue_date=issue_date, title=product.title,
            responsible_person=product.responsible_person, product=summary, scope=scope,
            shares=content.elements, magnets=content.magnets, custody=content.custody,
            minimum_shares=("; ".join(f"{e} {100 * s:g} %" for e, s in rules.minimum_shares.items()) if rules.minimum_shares
                            else "none set yet: the delegated acts of Art. 29(3) are due by 31 December 2031"),
            conformity_assessment=ConformityRef(
                module=module, name=rules.module_name(module),
                basis=f"{rules.id} {rules.rules_version}, {'series' if info.made_in_series else 'single-unit'} production",
            ),
            rules=RulesRef(id=rules.id, version=rules.rules_version, draft=rules.draft, status=rules.status, sha256=rules.sha256,
                           reported_decimals=rules.reported_decimals),
            data_record=record_link, fingerprint=fp,
        )
    magnets = [
        MagnetEntry(
            id=m.id, type=m.type.value, type_name=MAGNET_TYPE_NAMES[m.type], grade=m.grade, count=m.count, mass_kg_each=m.mass_kg,
            mass_kg_total=m.total_kg, location=m.location, motor=m.motor, in_base_vehicle=m.part_of_base_vehicle,
            composition=[
                CompositionEntry(element=c.element, name=element_name(c.element), wt_percent=compositions[m.id][c.element],
                                 balance=c.balance, source=c.source, assumption=c.assumption)
                for c in m.composition
            ],
            coatings=m.coatings, glues=m.glues, additives=m.additives, source=m.source, assumption=m.assumption,
        )
        for m in product.magnets
    ]
    record = MagnetDataRecord(
        record_id=record_id, issue_date=issue_date, title=product.title,
        unique_product_identifier=info.unique_product_identifier, identifier_scope=info.identifier_scope,
        data_carrier=DataCarrier(payload=carrier_payload(info.record_url, info.unique_product_identifier, record_id)),
        responsible_person=product.responsible_person, product=summary,
        label=sorted({m.type_name for m in magnets}),
        product_passport=info.product_passport, magnets=magnets,
        motors=[MotorEntry(id=m.id, name=m.name, location=m.location, rated_power_kw=m.rated_power_kw) for m in product.motors],
        removal_by_motor=product.removal_by_motor,
        removal=[RemovalEntry(step=i, action=s.action, tools=s.tools, removes=s.removes, safety=s.safety) for i, s in enumerate(product.removal, start=1)],
        available_until=_add_years(info.placed_on_market, info.typical_lifetime_years + 10),
        audiences=AUDIENCES, scope=scope,
        recycled_content=(Link(id=declaration_id, url=info.declaration_url or "recycled-content.html", relative=info.declaration_url is None)
                          if declaration else None),
        fingerprint=fp,
    )
    return (seal(declaration) if declaration else None), seal(record)


def sealed_json(record: BaseModel) -> str:
    """The record as written: indented JSON with its content hash filled in."""
    data = json.loads(record.model_dump_json())
    data["content_sha256"] = content_hash(data)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def seal(record: Any) -> Any:
    return type(record).model_validate_json(sealed_json(record))


def origin_countries(declaration: RecycledContentDeclaration) -> list[str]:
    return sorted({f"{country_name(c.country)} ({c.country})" for c in declaration.custody})

