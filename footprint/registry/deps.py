"""What a router of the registry depends on: the context, the signed-in account, checked search terms.

Every router uses these (the magnet records' too; PACT's has its own tokens, `pact`):

    from fastapi import APIRouter, Depends
    from footprint.registry.deps import AccountDep, registry_context

    router = APIRouter(prefix="/api/v1")

    @router.get("/things")
    def things(account: AccountDep, context=Depends(registry_context)): ...
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .accounts import authenticate
from .checks import Refusal, plain_text, refuse
from .db import read_session
from .models import STATUSES, Account
from .queries import PER_PAGE, SearchFilters

bearer = HTTPBearer(auto_error=False, description="The API token `footprint registry add-account` printed")
MATERIAL_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
DECLARATION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def context_of(request: Request) -> Any:
    """The registry's context (footprint.registry.app.RegistryContext) of a request."""
    return request.app.state.registry


async def registry_context(request: Request) -> Any:
    """The context as a dependency (async: a plain lookup needs no worker thread)."""
    return context_of(request)


def current_account(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Account:
    """The account of the request's bearer token; 401 without one or with an unknown one."""
    if credentials is None:
        raise refuse(401, "this needs an API token: send the header 'Authorization: Bearer <token>'")
    with read_session(context_of(request).engine) as session:
        account = authenticate(session, credentials.credentials.strip())
    if account is None:
        raise refuse(401, "unknown API token")
    return account


AccountDep = Annotated[Account, Depends(current_account)]


def check_declaration_id(value: str) -> str:
    if not DECLARATION_ID.match(value):
        raise refuse(404, f"there is no declaration {value[:80]!r}")
    return value


def check_material(value: str | None, field: str = "material") -> str | None:
    if not value:
        return None
    if not MATERIAL_ID.match(value):
        raise refuse(400, "a material id is lower-case letters, digits and dashes, e.g. lithium-carbonate", field)
    return value


def search_filters(
    material: str | None = None,
    country: str | None = None,
    performance_class: str | None = None,
    producer: str | None = None,
    status: str | None = None,
    page: str | int | None = None,
    per_page: int = PER_PAGE,
) -> SearchFilters:
    """Search terms from a request, each checked; a bad one is a 400 naming it."""
    if country:
        country = country.strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", country):
            raise refuse(400, "a country is an ISO 3166-1 alpha-2 code, e.g. CL", "country")
    if performance_class:
        performance_class = performance_class.strip().upper()
        if not re.fullmatch(r"[A-Z]", performance_class):
            raise refuse(400, "a performance class is one letter, A the best", "class")
    if producer:
        try:
            producer = plain_text(producer, field="producer", max_length=200).strip() or None
        except Refusal as exc:
            raise refuse(400, f"the producer searched for {exc.message}", "producer") from None
    status = status or "current"
    if status not in (*STATUSES, "all"):
        raise refuse(400, f"the status is one of {', '.join((*STATUSES, 'all'))}", "status")
    try:
        number = int(page or 1)
    except ValueError:
        raise refuse(400, "the page is a number", "page") from None
    if not 1 <= number <= 10_000:
        raise refuse(400, "the page is a number from 1 to 10000", "page")
    if not 1 <= per_page <= 100:
        raise refuse(400, "per_page is from 1 to 100", "per_page")
    return SearchFilters(
        material=check_material(material), country=country or None, performance_class=performance_class or None,
        producer=producer, status=status, page=number, per_page=per_page,
    )
