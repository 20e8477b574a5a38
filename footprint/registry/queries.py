"""Reading the registry: search, one declaration with its history, materials, and market data.

The market data a regulator reads is the registry's confidential part: every declared value
with the quantity its producer reported as placed on the market, in the CSV layout `footprint
classes calibrate --market` reads (written by `footprint.classes.market_csv_text`, the one CSV
writer, with its declaration_id column). Withdrawn declarations are left out; superseded ones
stay in, since material was placed on the market under them. Producers appear as
`footprint.classes.pseudonymise` pseudonyms.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from footprint.classes import MarketData, market_csv_text, pseudonymise

from .models import AttestationRecord, DeclarationRecord, EventRecord, OriginRecord, RegistryState, ValueRecord
from .pact_store import footprint_links
from .schemas import AttestationOut, DeclarationDetail, DeclarationSummary, EventOut, MaterialOut, OriginOut, SearchResult

PER_PAGE = 25


def declaration_url(declaration_id: str) -> str:
    """The permanent page of a declaration (its public address)."""
    return f"/declarations/{declaration_id}"


def registry_revision(session: Session) -> int:
    return int(session.scalar(select(RegistryState.revision).where(RegistryState.id == 1)) or 0)


@dataclass(frozen=True)
class SearchFilters:
    """Search terms, already checked (see footprint.registry.pages / api)."""

    material: str | None = None
    country: str | None = None
    performance_class: str | None = None
    producer: str | None = None
    status: str = "current"
    page: int = 1
    per_page: int = PER_PAGE

    def cache_key(self) -> tuple:
        return (self.material, self.country, self.performance_class, self.producer, self.status, self.page, self.per_page)


def _like(text: str) -> str:
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(session: Session, filters: SearchFilters) -> SearchResult:
    query = select(DeclarationRecord)
    if filters.material:
        query = query.where(DeclarationRecord.material_id == filters.material)
    if filters.country:
        query = query.where(exists().where(OriginRecord.declaration_id == DeclarationRecord.declaration_id, OriginRecord.country == filters.country))
    if filters.performance_class:
        query = query.where(DeclarationRecord.class_label == filters.performance_class)
    if filters.producer:
        query = query.where(func.lower(DeclarationRecord.operator).like(_like(filters.producer), escape="\\"))
    if filters.status != "all":
        query = query.where(DeclarationRecord.status == filters.status)
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = session.scalars(
        query.order_by(DeclarationRecord.issue_date.desc(), DeclarationRecord.published_at.desc(), DeclarationRecord.declaration_id)
        .limit(filters.per_page).offset((filters.page - 1) * filters.per_page)
    ).all()
    return SearchResult(total=total, page=filters.page, per_page=filters.per_page, results=summaries(session, rows))


def summaries(session: Session, rows: list[DeclarationRecord]) -> list[DeclarationSummary]:
    ids = [r.declaration_id for r in rows]
    countries: dict[str, list[str]] = {i: [] for i in ids}
    counts: dict[str, int] = {}
    if ids:
        for did, country in session.execute(select(OriginRecord.declaration_id, OriginRecord.country).where(OriginRecord.declaration_id.in_(ids)).order_by(OriginRecord.id)):
            if country not in countries[did]:
                countries[did].append(country)
        counts = dict(session.execute(select(AttestationRecord.declaration_id, func.count()).where(AttestationRecord.declaration_id.in_(ids)).group_by(AttestationRecord.declaration_id)).all())
    return [_summary(r, countries[r.declaration_id], counts.get(r.declaration_id, 0)) for r in rows]


def _summary(r: DeclarationRecord, countries: list[str], statements: int) -> DeclarationSummary:
    return DeclarationSummary(
        declaration_id=r.declaration_id, url=declaration_url(r.declaration_id), title=r.title, producer=r.operator,
        material_id=r.material_id, material_name=r.material_name, route=r.route, issue_date=r.issue_date,
        performance_class=r.class_label, headline_category=r.headline_category, headline_value=r.headline_value,
        headline_unit=r.headline_unit, declared_unit_kg=r.declared_unit_kg, countries=countries, status=r.status, statements=statements,  # type: ignore[arg-type]
    )


def attestations(session: Session, declaration_id: str) -> list[tuple[AttestationOut, AttestationRecord]]:
    rows = session.scalars(select(AttestationRecord).where(AttestationRecord.declaration_id == declaration_id).order_by(AttestationRecord.id)).all()
    base = declaration_url(declaration_id)
    return [
        (
            AttestationOut(
                number=n, verifier=a.verifier, key_id=a.key_id, verdict=a.verdict, verified_on=a.verified_on, attested_at=a.attested_at,
                statement_url=f"{base}/statements/{n}", statement_json_url=f"{base}/statements/{n}.json",
            ),
            a,
        )
        for n, a in enumerate(rows, start=1)
    ]


def detail(session: Session, record: DeclarationRecord) -> DeclarationDetail:
    """Everything public about one declaration (never its quantity)."""
    did = record.declaration_id
    origins = [OriginOut(stage=o.stage, country=o.country, region=o.region) for o in record.origins]
    history = session.scalars(select(EventRecord).where(EventRecord.declaration_id == did).order_by(EventRecord.id)).all()
    found = attestations(session, did)
    base = declaration_url(did)
    summary = _summary(record, list(dict.fromkeys(o.country for o in origins)), len(found))
    return DeclarationDetail(
        **summary.model_dump(),
        content_sha256=record.content_sha256, signature_key_id=record.signature_key_id, published_at=record.published_at,
        supersedes=record.supersedes_id, superseded_by=record.superseded_by_id, withdrawn_reason=record.withdrawn_reason,
        withdrawn_at=record.withdrawn_at, origins=origins, attestations=[a for a, _ in found],
        history=[EventOut(at=e.at, kind=e.kind, actor=e.actor, detail=e.detail) for e in history],
        links={
            "page": base, "declaration_json": f"{base}/declaration.json", "signature": f"{base}/declaration.sig",
            "public_study": f"{base}/study.html", "producer_key": f"/keys/{record.signature_key_id}.pem",
            **footprint_links(session, did),
        },
        declaration=json.loads(record.declaration_json),
    )


def materials(session: Session) -> list[MaterialOut]:
    rows = session.execute(
        select(DeclarationRecord.material_id, func.min(DeclarationRecord.material_name), func.count(), func.count(func.distinct(DeclarationRecord.account_id)))
        .where(DeclarationRecord.status == "current")
        .group_by(DeclarationRecord.material_id)
        .order_by(DeclarationRecord.material_id)
    ).all()
    return [MaterialOut(material_id=m, material_name=n, current=c, producers=p, url=f"/materials/{m}") for m, n, c, p in rows]


# --- market data (confidential) -----------------------------------------------------------------


def _market_unit(unit: str, declared_unit_kg: float) -> str:
    return f"{unit} per kg" if declared_unit_kg == 1 else f"{unit} per {declared_unit_kg:g} kg"


def market_rows(session: Session, *, material: str | None = None, since: dt.date | None = None, until: dt.date | None = None) -> list[dict[str, Any]]:
    """One row per declared category of every declaration not withdrawn, with its quantity."""
    query = (
        select(DeclarationRecord, ValueRecord)
        .join(ValueRecord, ValueRecord.declaration_id == DeclarationRecord.declaration_id)
        .where(DeclarationRecord.status != "withdrawn")
        .order_by(DeclarationRecord.issue_date, DeclarationRecord.declaration_id, ValueRecord.id)
    )
    if material:
        query = query.where(DeclarationRecord.material_id == material)
    if since:
        query = query.where(DeclarationRecord.issue_date >= since)
    if until:
        query = query.where(DeclarationRecord.issue_date <= until)
    return [
        {
            "material": d.material_id, "category": v.category, "value": v.value, "unit": _market_unit(v.unit, d.declared_unit_kg),
            "quantity_t": d.quantity_t, "date": d.issue_date, "producer": pseudonymise(d.operator), "declaration_id": d.declaration_id,
        }
        for d, v in session.execute(query).all()
    ]


def market_csv(rows: list[dict[str, Any]]) -> str:
    """The rows in the CSV layout `footprint classes calibrate --market` reads, with their declaration ids."""
    if not rows:  # the header alone: there is no data to build columns from
        return market_csv_text(MarketData.from_arrays(material=[], value=[], quantity_t=[], date=[], producer=[]), declaration_ids=[])
    return market_csv_text(market_data(rows, source="registry"), declaration_ids=[r["declaration_id"] for r in rows])


def market_data(rows: list[dict[str, Any]], source: str) -> MarketData:
    """The same rows as columnar market data, for the privacy check of the public plots."""
    return MarketData.from_arrays(
        material=[r["material"] for r in rows], category=[r["category"] for r in rows], unit=[r["unit"] for r in rows],
        value=[r["value"] for r in rows], quantity_t=[r["quantity_t"] for r in rows],
        date=[r["date"] for r in rows], producer=[r["producer"] for r in rows], source=source,
    )
