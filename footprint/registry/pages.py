"""The registry's public pages (Art. 31(10)): server-rendered HTML, usable without JavaScript.

Home (search form, materials, latest declarations), search results, one permanent page per
declaration at /declarations/{declaration_id} (footprint's declaration page with the
registry's record: status, public study, signature, verification statements, history), the
public study as published, each verification statement, and per material the distribution
of declared values (footprint.registry.plots).

Rendered pages are cached per worker under the revision of what they show (a declaration's
own revision, or the registry's for lists), so a read costs one indexed query when nothing
changed, and a change shows at once in every worker.
"""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from sqlalchemy import select

from footprint.declaration import Declaration, country_name, declaration_page_context
from footprint.verification import VerificationStatement

from .headers import STUDY_CSP
from .checks import refuse
from .db import read_session
from .deps import check_declaration_id, check_material, context_of, registry_context, search_filters
from .models import Account, DeclarationRecord, OriginRecord
from .queries import SearchFilters, attestations, declaration_url, detail, market_data, market_rows, materials, registry_revision, search
from .plots import distribution

router = APIRouter(include_in_schema=False)
HTML = "text/html; charset=utf-8"


def _html(request: Request, body: bytes, etag: str) -> Response:
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"etag": etag})
    return Response(body, media_type=HTML, headers={"etag": etag, "cache-control": "no-cache"})


def cached_page(request: Request, key: tuple, render) -> Response:
    """The page for `key` (whose last part is a revision, unless what it shows never changes), rendered once per worker."""
    context = context_of(request)
    body = context.cache.get(key)
    if body is None:
        body = render().encode("utf-8")
        context.cache.put(key, body)
    return _html(request, body, '"' + "-".join(str(part) for part in key) + '"')


def _lists(session) -> dict:
    codes = session.scalars(select(OriginRecord.country).distinct()).all()
    return {"all_materials": materials(session), "countries": sorted(((c, country_name(c)) for c in codes), key=lambda pair: pair[1])}


@router.get("/")
def home(request: Request, context=Depends(registry_context)) -> Response:
    with read_session(context.engine) as session:
        revision = registry_revision(session)

        def render() -> str:
            latest = search(session, SearchFilters(per_page=10)).results
            return context.templates.get_template("home.html").render(filters=SearchFilters(), latest=latest, **_lists(session))

        return cached_page(request, ("home", revision), render)


@router.get("/declarations")
def search_page(request: Request, context=Depends(registry_context)) -> Response:
    q = request.query_params
    filters = search_filters(q.get("material"), q.get("country"), q.get("class"), q.get("producer"), q.get("status"), q.get("page"))
    with read_session(context.engine) as session:
        revision = registry_revision(session)

        def render() -> str:
            result = search(session, filters)
            pages = max(1, -(-result.total // filters.per_page))
            terms = {k: v for k, v in {"material": filters.material, "country": filters.country, "class": filters.performance_class,
                                       "producer": filters.producer, "status": filters.status}.items() if v}
            link = lambda page: "/declarations?" + urlencode({**terms, "page": page})  # noqa: E731
            return context.templates.get_template("search.html").render(
                filters=filters, result=result, pages=pages,
                previous_url=link(filters.page - 1) if filters.page > 1 else None,
                next_url=link(filters.page + 1) if filters.page < pages else None, **_lists(session),
            )

        return cached_page(request, ("search", revision, *filters.cache_key()), render)


def _record(session, declaration_id: str) -> DeclarationRecord:
    record = session.get(DeclarationRecord, check_declaration_id(declaration_id))
    if record is None:
        raise refuse(404, f"there is no declaration {declaration_id}")
    return record


@router.get("/declarations/{declaration_id}")
async def declaration_page(declaration_id: str, request: Request, context=Depends(registry_context)) -> Response:
    """The hot path: one indexed query for the revision (in one worker thread), then the cached page."""
    check_declaration_id(declaration_id)
    return await run_in_threadpool(_declaration_page, declaration_id, request, context)


def _declaration_page(declaration_id: str, request: Request, context) -> Response:
    with context.engine.connect() as connection:
        revision = connection.execute(select(DeclarationRecord.revision).where(DeclarationRecord.declaration_id == declaration_id)).scalar()
    if revision is None:
        raise refuse(404, f"there is no declaration {declaration_id}")

    def render() -> str:
        with read_session(context.engine) as session:
            record = _record(session, declaration_id)
            declaration = Declaration.model_validate_json(record.declaration_json)
            page = declaration_page_context(declaration)
            if declaration.public_study.relative:  # study.html beside the declaration: the registry's copy
                link = declaration.public_study.model_copy(update={"url": f"{declaration_url(declaration_id)}/study.html"})
                page["d"] = declaration.model_copy(update={"public_study": link})
            return context.templates.get_template("declaration_page.html").render(**page, record=detail(session, record))

    return cached_page(request, ("declaration", declaration_id, revision), render)


@router.get("/declarations/{declaration_id}/declaration.json")
def declaration_file(declaration_id: str, context=Depends(registry_context)) -> Response:
    with read_session(context.engine) as session:
        return Response(_record(session, declaration_id).declaration_json, media_type="application/json")


@router.get("/declarations/{declaration_id}/declaration.sig")
def signature_file(declaration_id: str, context=Depends(registry_context)) -> Response:
    with read_session(context.engine) as session:
        return Response(_record(session, declaration_id).signature_json, media_type="application/json")


@router.get("/declarations/{declaration_id}/declaration.html")
def declaration_html(declaration_id: str) -> Response:
    """The public study links `declaration.html` beside it: that is the permanent page here."""
    return RedirectResponse(declaration_url(check_declaration_id(declaration_id)), status_code=303)


@router.get("/declarations/{declaration_id}/study.html")
def public_study(declaration_id: str, context=Depends(registry_context)) -> Response:
    with read_session(context.engine) as session:
        html = _record(session, declaration_id).study_html
    return Response(html, media_type=HTML, headers={"content-security-policy": STUDY_CSP})


@router.get("/declarations/{declaration_id}/statements/{name}")
def statement_page(declaration_id: str, name: str, request: Request, context=Depends(registry_context)) -> Response:
    number, _, suffix = name.partition(".")
    if not number.isdigit() or suffix not in ("", "json"):
        raise refuse(404, "there is no such statement")
    with read_session(context.engine) as session:
        record = _record(session, declaration_id)
        found = attestations(session, declaration_id)
        if not 1 <= int(number) <= len(found):
            raise refuse(404, f"declaration {declaration_id} has no statement {number}")
        out, stored = found[int(number) - 1]
        if suffix == "json":
            return Response(stored.statement_json, media_type="application/json")
        summary = detail(session, record)
    statement = json.loads(stored.statement_json)["statement"]
    html = context.templates.get_template("statement.html").render(
        s=VerificationStatement.model_validate(statement), number=out.number, record=summary, attested_at=stored.attested_at, json_url=out.statement_json_url,
    )
    return Response(html, media_type=HTML)


@router.get("/materials")
def materials_page(request: Request, context=Depends(registry_context)) -> Response:
    with read_session(context.engine) as session:
        revision = registry_revision(session)
        return cached_page(request, ("materials", revision), lambda: context.templates.get_template("materials.html").render(**_lists(session)))


@router.get("/materials/{material}")
def material_page(material: str, request: Request, context=Depends(registry_context)) -> Response:
    check_material(material)
    today = dt.datetime.now(dt.timezone.utc).date()
    with read_session(context.engine) as session:
        names = session.scalars(select(DeclarationRecord.material_name).where(DeclarationRecord.material_id == material).limit(1)).all()
        if not names:
            raise refuse(404, f"no declaration of {material!r} is in the registry")
        revision = registry_revision(session)

        def render() -> str:
            rows = market_rows(session, material=material)
            view = distribution(market_data(rows, source=f"registry:{material}"), material, context.material_registry, today)
            return context.templates.get_template("material.html").render(material=material, name=names[0], view=view)

        return cached_page(request, ("material", material, today.isoformat(), revision), render)


@router.get("/keys/{name}")
def key_file(name: str, context=Depends(registry_context)) -> Response:
    key_id = name.removesuffix(".pem")
    with read_session(context.engine) as session:
        pem = session.scalar(select(Account.public_key_pem).where(Account.key_id == key_id[:64]))
    if not pem:
        raise refuse(404, "no such public key is registered")
    return Response(pem, media_type="application/x-pem-file")

