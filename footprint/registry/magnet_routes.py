"""The permanent-magnet records in the registry: their JSON API and their permanent pages.

API (under /api/v1, in the OpenAPI document): `POST /magnets` (a producer publishes a product's
records), `GET /magnets` (search by product identifier, product group, producer), `GET
/magnets/{record_id}`.

Pages (no JavaScript, the registry's Content-Security-Policy): `/magnets` lists them;
`/magnets/records/{record_id}` is the data record's permanent page and
`/magnets/declarations/{declaration_id}` the recycled-content declaration's (Art. 29(1):
"published on a freely accessible website"), each footprint's own page with the registry's
record around it; beside each, the JSON as published and its signature. The QR code of a
data record encodes `record_url?upi=<identifier>&record=<record id>`: with `record_url` set to
`<registry>/magnets/records`, `GET /magnets/records?upi=..&record=..` leads to the record's page.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from footprint.magnets.records import MagnetDataRecord, RecycledContentDeclaration

from .checks import plain_text, refuse
from .db import read_session
from .deps import DECLARATION_ID, AccountDep, registry_context
from .magnet_service import publish_magnets
from .models import MagnetRecord
from .pages import cached_page
from .schemas import MagnetDetail, MagnetPublishRequest, MagnetSearchResult, MagnetSummary

api = APIRouter(prefix="/api/v1", tags=["magnets"])
pages = APIRouter(include_in_schema=False)
HTML = "text/html; charset=utf-8"
PER_PAGE = 25


def record_url(record_id: str) -> str:
    return f"/magnets/records/{record_id}"


def declaration_url(declaration_id: str) -> str:
    return f"/magnets/declarations/{declaration_id}"


def _summary(row: MagnetRecord) -> MagnetSummary:
    return MagnetSummary(
        record_id=row.record_id, url=record_url(row.record_id), declaration_id=row.declaration_id,
        declaration_url=declaration_url(row.declaration_id) if row.declaration_id else None, producer=row.operator,
        product_name=row.product_name, product_model=row.product_model, product_group=row.product_group,
        unique_product_identifier=row.unique_product_identifier, issue_date=row.issue_date, published_at=row.published_at,
        signed=row.signature_key_id is not None,
    )


def _detail(row: MagnetRecord) -> MagnetDetail:
    base = record_url(row.record_id)
    links = {"page": base, "data_record_json": f"{base}/data-record.json"}
    if row.record_signature_json:
        links["data_record_signature"] = f"{base}/data-record.sig"
    if row.declaration_id:
        page = declaration_url(row.declaration_id)
        links |= {"declaration_page": page, "recycled_content_json": f"{page}/recycled-content.json"}
        if row.declaration_signature_json:
            links["recycled_content_signature"] = f"{page}/recycled-content.sig"
    if row.signature_key_id:
        links["producer_key"] = f"/keys/{row.signature_key_id}.pem"
    return MagnetDetail(
        **_summary(row).model_dump(), signature_key_id=row.signature_key_id, links=links, data_record=json.loads(row.record_json),
        recycled_content=json.loads(row.declaration_json) if row.declaration_json else None,
    )


def _id(value: str) -> str:
    if not DECLARATION_ID.match(value):
        raise refuse(404, f"there is no magnet record {value[:80]!r}")
    return value


def _record(session, record_id: str) -> MagnetRecord:
    row = session.get(MagnetRecord, _id(record_id))
    if row is None:
        raise refuse(404, f"there is no magnet data record {record_id}")
    return row


def _by_declaration(session, declaration_id: str) -> MagnetRecord:
    row = session.scalar(select(MagnetRecord).where(MagnetRecord.declaration_id == _id(declaration_id)))
    if row is None:
        raise refuse(404, f"there is no recycled-content declaration {declaration_id}")
    return row


# --- API ------------------------------------------------------------------------------------


@api.post("/magnets", response_model=MagnetDetail, status_code=201, summary="Publish a product's magnet records (producer)")
def publish(request: MagnetPublishRequest, account: AccountDep, context=Depends(registry_context)) -> MagnetDetail:
    row = publish_magnets(context.engine, account, request.data_record, request.data_record_signature,
                          request.recycled_content, request.recycled_content_signature)
    with read_session(context.engine) as session:
        return _detail(_record(session, row.record_id))


@api.get("/magnets", response_model=MagnetSearchResult, summary="Search magnet records")
def search(
    context=Depends(registry_context),
    upi: Annotated[str | None, Query(max_length=300, description="Unique product identifier")] = None,
    group: Annotated[str | None, Query(max_length=64, description="Product group of Art. 28(1), e.g. wind-generator")] = None,
    producer: Annotated[str | None, Query(max_length=200, description="Part of the producer's name")] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = PER_PAGE,
) -> MagnetSearchResult:
    query = select(MagnetRecord)
    if upi:
        query = query.where(MagnetRecord.unique_product_identifier == plain_text(upi, field="upi", max_length=300))
    if group:
        query = query.where(MagnetRecord.product_group == plain_text(group, field="group", max_length=64))
    if producer:
        escaped = plain_text(producer, field="producer", max_length=200).casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(func.lower(MagnetRecord.operator).like(f"%{escaped}%", escape="\\"))
    with read_session(context.engine) as session:
        total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
        rows = session.scalars(query.order_by(MagnetRecord.issue_date.desc(), MagnetRecord.published_at.desc(), MagnetRecord.record_id)
                               .limit(per_page).offset((page - 1) * per_page)).all()
        return MagnetSearchResult(total=total, page=page, per_page=per_page, results=[_summary(r) for r in rows])


@api.get("/magnets/{record_id}", response_model=MagnetDetail, summary="One product's magnet records")
def get(record_id: str, context=Depends(registry_context)) -> MagnetDetail:
    with read_session(context.engine) as session:
        return _detail(_record(session, record_id))


# --- pages ----------------------------------------------------------------------------------


@pages.get("/magnets")
def list_page(request: Request, context=Depends(registry_context)) -> Response:
    with read_session(context.engine) as session:
        rows = session.scalars(select(MagnetRecord).order_by(MagnetRecord.published_at.desc(), MagnetRecord.record_id).limit(100)).all()
        html = context.templates.get_template("magnets.html").render(rows=[_summary(r) for r in rows])
    return Response(html, media_type=HTML)


@pages.get("/magnets/records")
def carrier(request: Request, context=Depends(registry_context)) -> Response:
    """Where a data carrier's payload lands: the record it names (checked against the product identifier)."""
    record_id, upi = request.query_params.get("record"), request.query_params.get("upi")
    with read_session(context.engine) as session:
        if record_id:
            row = _record(session, record_id)
            if upi is not None and upi != row.unique_product_identifier:
                raise refuse(404, f"record {record_id} is not about product {upi[:100]!r}")
        elif upi:
            row = session.scalar(select(MagnetRecord).where(MagnetRecord.unique_product_identifier == upi[:300])
                                 .order_by(MagnetRecord.issue_date.desc(), MagnetRecord.published_at.desc()).limit(1))
            if row is None:
                raise refuse(404, f"no magnet record of product {upi[:100]!r} is in the registry")
        else:
            return RedirectResponse("/magnets", status_code=303)
    return RedirectResponse(record_url(row.record_id), status_code=303)


@pages.get("/magnets/records/{record_id}")
def record_page(record_id: str, request: Request, context=Depends(registry_context)) -> Response:
    from footprint.magnets.render import record_page_context

    def render() -> str:
        with read_session(context.engine) as session:
            row = _record(session, record_id)
            record = MagnetDataRecord.model_validate_json(row.record_json)
            if record.recycled_content is not None and row.declaration_id:  # the declaration's page here
                record = record.model_copy(update={"recycled_content": record.recycled_content.model_copy(update={"url": declaration_url(row.declaration_id), "relative": False})})
            page = record_page_context(record)
            return context.magnet_templates.get_template("magnet_record_page.html").render(
                **page, json_href=f"{record_url(row.record_id)}/data-record.json", entry=_detail(row))

    _record_exists(context, record_id)
    return cached_page(request, ("magnet-record", record_id), render)  # a record never changes once published


@pages.get("/magnets/declarations/{declaration_id}")
def declaration_page(declaration_id: str, request: Request, context=Depends(registry_context)) -> Response:
    from footprint.magnets.render import declaration_page_context

    def render() -> str:
        with read_session(context.engine) as session:
            row = _by_declaration(session, declaration_id)
            declaration = RecycledContentDeclaration.model_validate_json(row.declaration_json or "")
            declaration = declaration.model_copy(update={"data_record": declaration.data_record.model_copy(update={"url": record_url(row.record_id), "relative": False})})
            return context.magnet_templates.get_template("magnet_declaration_page.html").render(
                **declaration_page_context(declaration), json_href=f"{declaration_url(declaration_id)}/recycled-content.json", entry=_detail(row))

    with read_session(context.engine) as session:
        _by_declaration(session, declaration_id)
    return cached_page(request, ("magnet-declaration", declaration_id), render)


def _record_exists(context, record_id: str) -> None:
    with read_session(context.engine) as session:
        _record(session, record_id)


def _file(text: str | None, what: str) -> Response:
    if text is None:
        raise refuse(404, f"this record was published without {what}")
    return Response(text, media_type="application/json")


@pages.get("/magnets/records/{record_id}/data-record.json")
def record_json(record_id: str, context=Depends(registry_context)) -> Response:
    with read_session(context.engine) as session:
        return _file(_record(session, record_id).record_json, "its JSON")


@pages.get("/magnets/records/{record_id}/data-record.sig")
def record_signature(record_id: str, context=Depends(registry_context)) -> Response:
    with read_session(context.engine) as session:
        return _file(_record(session, record_id).record_signature_json, "a signature")


@pages.get("/magnets/declarations/{declaration_id}/recycled-content.json")
def declaration_json(declaration_id: str, context=Depends(registry_context)) -> Response:
    with read_session(context.engine) as session:
        return _file(_by_declaration(session, declaration_id).declaration_json, "its JSON")


@pages.get("/magnets/declarations/{declaration_id}/recycled-content.sig")
def declaration_signature(declaration_id: str, context=Depends(registry_context)) -> Response:
    with read_session(context.engine) as session:
        return _file(_by_declaration(session, declaration_id).declaration_signature_json, "a signature")
