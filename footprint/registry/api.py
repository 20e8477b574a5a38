"""The registry's JSON API under /api/v1 (its OpenAPI document: /api/openapi.json).

Public: search, one declaration (with its statements and history), materials, public keys.
With a token: producers publish, supersede and withdraw; verifiers attest; regulators read the
market data; admins make accounts. Every refusal is a 4xx `Problem` with the reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import select

from . import service
from .accounts import add_account
from .checks import refuse
from .db import read_session, write_session
from .deps import AccountDep, check_declaration_id, check_material, registry_context, search_filters
from .models import Account, DeclarationRecord
from .queries import PER_PAGE, attestations, detail, market_csv, market_rows, materials, registry_revision, search
from .schemas import (
    AccountCreated, AccountRequest, AttestationOut, AttestRequest, DeclarationDetail, MaterialOut, Problem, PublishRequest,
    SearchResult, WithdrawRequest,
)

REFUSALS = {code: {"model": Problem} for code in (400, 401, 403, 404, 409, 413, 422)}
router = APIRouter(prefix="/api/v1", tags=["registry"], responses=REFUSALS)


def _detail(context, declaration_id: str) -> DeclarationDetail:
    with read_session(context.engine) as session:
        record = session.get(DeclarationRecord, check_declaration_id(declaration_id))
        if record is None:
            raise refuse(404, f"there is no declaration {declaration_id}")
        return detail(session, record)


@router.get("/health", summary="Liveness: the registry answers and its database schema is current")
def health(context=Depends(registry_context)) -> dict[str, str]:
    with read_session(context.engine) as session:
        revision = registry_revision(session)
    return {"status": "ok", "revision": str(revision)}


@router.get("/declarations", response_model=SearchResult, summary="Search declarations")
def search_declarations(
    context=Depends(registry_context),
    material: Annotated[str | None, Query(max_length=100, description="Material id, e.g. lithium-carbonate")] = None,
    country: Annotated[str | None, Query(max_length=2, description="Country of origin of any stage (ISO 3166-1 alpha-2)")] = None,
    performance_class: Annotated[str | None, Query(alias="class", max_length=1, description="Performance class letter")] = None,
    producer: Annotated[str | None, Query(max_length=200, description="Part of the producer's name")] = None,
    status: Annotated[str | None, Query(description="current (default), superseded, withdrawn or all")] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = PER_PAGE,
) -> Response:
    filters = search_filters(material, country, performance_class, producer, status, page, per_page)
    with read_session(context.engine) as session:
        key = ("api-search", registry_revision(session), *filters.cache_key())
        body = context.cache.get(key)
        if body is None:  # the same answer until the registry changes
            body = search(session, filters).model_dump_json().encode("utf-8")
            context.cache.put(key, body)
    return Response(body, media_type="application/json")


@router.post("/declarations", response_model=DeclarationDetail, status_code=201, summary="Publish a signed declaration (producer)")
def publish_declaration(request: PublishRequest, http: Request, account: AccountDep, context=Depends(registry_context)) -> DeclarationDetail:
    record = service.publish(context.engine, account, request, context.registry_url(http))
    return _detail(context, record.declaration_id)


@router.get("/declarations/{declaration_id}", response_model=DeclarationDetail, summary="One declaration, its statements and history")
def get_declaration(declaration_id: str, context=Depends(registry_context)) -> DeclarationDetail:
    return _detail(context, declaration_id)


@router.post("/declarations/{declaration_id}/withdraw", response_model=DeclarationDetail, summary="Withdraw a declaration, with a reason (its producer, or an admin)")
def withdraw_declaration(declaration_id: str, request: WithdrawRequest, account: AccountDep, context=Depends(registry_context)) -> DeclarationDetail:
    service.withdraw(context.engine, account, check_declaration_id(declaration_id), request.reason)
    return _detail(context, declaration_id)


@router.get("/declarations/{declaration_id}/attestations", response_model=list[AttestationOut], summary="Verification statements of a declaration")
def list_attestations(declaration_id: str, context=Depends(registry_context)) -> list[AttestationOut]:
    return _detail(context, declaration_id).attestations


@router.post("/declarations/{declaration_id}/attestations", response_model=AttestationOut, status_code=201, summary="Attach a signed verification statement (verifier)")
def attest_declaration(declaration_id: str, request: AttestRequest, account: AccountDep, context=Depends(registry_context)) -> AttestationOut:
    document = {"statement": request.statement, "signature": request.signature.model_dump(mode="json")}
    made = service.attest(context.engine, account, document, check_declaration_id(declaration_id))
    with read_session(context.engine) as session:
        return next(out for out, record in attestations(session, declaration_id) if record.id == made.id)


@router.get("/market.csv", response_class=Response, summary="Market data for performance classes (regulator)",
            responses={200: {"content": {"text/csv": {}}, "description": "The CSV `footprint classes calibrate --market` reads"}})
def market_export(
    account: AccountDep,
    context=Depends(registry_context),
    material: Annotated[str | None, Query(max_length=100)] = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Response:
    if account.role not in ("regulator", "admin"):
        raise refuse(403, "the market data (with the confidential quantities) is for regulators")
    with read_session(context.engine) as session:
        rows = market_rows(session, material=check_material(material), since=since, until=until)
    name = f"registry-market-{material or 'all'}-{dt.date.today().isoformat()}.csv"
    return Response(market_csv(rows), media_type="text/csv; charset=utf-8", headers={"content-disposition": f'attachment; filename="{name}"', "cache-control": "no-store"})


@router.get("/materials", response_model=list[MaterialOut], summary="Materials with current declarations")
def list_materials(context=Depends(registry_context)) -> list[MaterialOut]:
    with read_session(context.engine) as session:
        return materials(session)


@router.get("/keys/{key_id}", summary="A registered public key (to check signatures)")
def get_key(key_id: str, context=Depends(registry_context)) -> dict[str, str]:
    with read_session(context.engine) as session:
        account = session.scalar(select(Account).where(Account.key_id == key_id[:64]))
    if account is None or not account.public_key_pem:
        raise refuse(404, f"no public key {key_id[:64]!r} is registered")
    return {"key_id": account.key_id or "", "operator": account.operator, "role": account.role, "public_key": account.public_key_pem}


@router.post("/accounts", response_model=AccountCreated, status_code=201, summary="Make an account and its token (admin)")
def create_account(request: AccountRequest, account: AccountDep, context=Depends(registry_context)) -> AccountCreated:
    if account.role != "admin":
        raise refuse(403, "only an admin makes accounts")
    with write_session(context.engine) as session:
        made, token = add_account(session, role=request.role, operator=request.operator, public_key=request.public_key)
    return AccountCreated(id=made.id, role=made.role, operator=made.operator, key_id=made.key_id, token=token)
