"""The PACT API of the registry: product footprints for buyers' tools (WBCSD PACT Technical
Specifications 2.3 and 3.0, "HTTP REST API").

* Action Authenticate, `POST /auth/token`: OAuth 2.0 client credentials (RFC 6749 §4.4), the
  client id and secret in HTTP Basic (§2.3.1; also accepted in the form body). The client id is
  the account's token id, the secret its API token (`footprint registry add-account`, any role;
  role `buyer` for a tool that only reads). The answer is a bearer access token valid for one
  hour (`expires_in`), stored only as its sha256. No OpenID Provider Configuration Document is
  served: the registry is not an OpenID provider (no authorization endpoint, no signing keys),
  and PACT's authentication flow then uses `/auth/token`, as here.
* Action ListFootprints, `GET /2/footprints` and `GET /3/footprints`: every published
  declaration's footprint of that version, paginated (`limit`, at most 100; a `Link: <...>;
  rel="next"` header with an absolute address on the request's own host while more follow) and
  filtered (`$filter` in 2.3, the criteria parameters in 3.0: `footprint.registry.pact_filter`).
* Action GetFootprint, `GET /2/footprints/{id}`, `GET /3/footprints/{id}`.
* Action Events, `POST /2/events`, `POST /3/events`: answered with PACT's NotImplemented error.
  The footprints are all public here (Art. 31(10)), so a buyer lists them instead of asking by
  event, and the registry never calls out to addresses a request names.

Errors are PACT error responses, `{"code": ..., "message": ...}` with the status the
specification's error table gives (AccessDenied 403, BadRequest 400, NoSuchFootprint 404,
NotImplemented 400, TokenExpired 401); the token endpoint answers RFC 6749 §5.2 errors.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import secrets
from urllib.parse import parse_qs, unquote_plus

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import delete, select

from .accounts import authenticate_client
from .db import read_session, write_session
from .deps import context_of
from .models import PactToken
from .pact_filter import FilterError, v2_conditions, v3_conditions
from .pact_store import get_footprint, list_footprints

TOKEN_LIFETIME = dt.timedelta(hours=1)
DEFAULT_LIMIT, MAX_LIMIT = 50, 100
MAX_TOKEN_BODY = 4096
ERROR_STATUS = {"AccessDenied": 403, "BadRequest": 400, "NoSuchFootprint": 404, "NotImplemented": 400, "TokenExpired": 401, "InternalError": 500}
router = APIRouter(tags=["PACT"])


class PactProblem(Exception):
    """A PACT error response."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def pact_problem_response(_request: Request, exc: PactProblem) -> JSONResponse:
    return JSONResponse({"code": exc.code, "message": exc.message}, status_code=ERROR_STATUS[exc.code])


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    headers = {"cache-control": "no-store"}
    if status == 401:
        headers["www-authenticate"] = 'Basic realm="footprint registry"'
    return JSONResponse({"error": error, "error_description": description}, status_code=status, headers=headers)


def _client_credentials(request: Request, form: dict[str, list[str]]) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if header[:6].lower() == "basic ":
        try:
            client_id, _, secret = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
        return unquote_plus(client_id), unquote_plus(secret)  # form-encoded before Basic (RFC 6749 section 2.3.1)
    if "client_id" in form and "client_secret" in form:
        return form["client_id"][0], form["client_secret"][0]
    return None


@router.post("/auth/token", summary="PACT Action Authenticate: an access token for client credentials (OAuth 2.0)")
async def authenticate(request: Request) -> Response:
    body = await request.body()
    if len(body) > MAX_TOKEN_BODY:
        return _oauth_error(400, "invalid_request", "the request body is too large")
    try:
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body), max_num_fields=10)
    except (UnicodeDecodeError, ValueError):
        return _oauth_error(400, "invalid_request", "the body is not an application/x-www-form-urlencoded form")
    if "grant_type" not in form:
        return _oauth_error(400, "invalid_request", "grant_type is missing; send grant_type=client_credentials")
    if form["grant_type"][0] != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "only grant_type=client_credentials is supported")
    credentials = _client_credentials(request, form)
    if credentials is None:
        return _oauth_error(401, "invalid_client", "send the client id and secret with HTTP Basic authentication")
    context = context_of(request)
    with read_session(context.engine) as session:
        account = authenticate_client(session, *credentials)
    if account is None:
        return _oauth_error(401, "invalid_client", "Authentication failed")
    token = "fpat_" + secrets.token_urlsafe(32)
    now = _utcnow()
    with write_session(context.engine, bump=False) as session:
        session.execute(delete(PactToken).where(PactToken.expires_at < now))
        session.add(PactToken(token_sha256=hashlib.sha256(token.encode("ascii")).hexdigest(), account_id=account.id, expires_at=now + TOKEN_LIFETIME))
    return JSONResponse(
        {"access_token": token, "token_type": "bearer", "expires_in": int(TOKEN_LIFETIME.total_seconds())},
        headers={"cache-control": "no-store", "pragma": "no-cache"},
    )


def _authorised(request: Request) -> None:
    """A valid PACT access token, or PACT's AccessDenied / TokenExpired."""
    header = request.headers.get("authorization", "")
    if header[:7].lower() != "bearer " or not header[7:].strip():
        raise PactProblem("AccessDenied", "this needs an access token from /auth/token: send 'Authorization: Bearer <token>'")
    digest = hashlib.sha256(header[7:].strip().encode("utf-8", "replace")).hexdigest()
    with read_session(context_of(request).engine) as session:
        expires = session.scalar(select(PactToken.expires_at).where(PactToken.token_sha256 == digest))
    if expires is None:
        raise PactProblem("AccessDenied", "unknown access token")
    if expires <= _utcnow():
        raise PactProblem("TokenExpired", "the access token has expired; get a new one from /auth/token")


def _page(request: Request) -> tuple[int, int]:
    params = request.query_params
    try:
        limit = int(params.get("limit") or DEFAULT_LIMIT)
        offset = int(params.get("offset") or 0)
    except ValueError:
        raise PactProblem("BadRequest", "limit and offset are whole numbers") from None
    if limit < 1 or offset < 0:
        raise PactProblem("BadRequest", "limit is a positive whole number and offset is not negative")
    return min(limit, MAX_LIMIT), offset


def _list(request: Request, spec: str) -> Response:
    _authorised(request)
    limit, offset = _page(request)
    try:
        conditions = v2_conditions(request.query_params.get("$filter")) if spec == "2" else v3_conditions(request.query_params)
    except FilterError as exc:
        raise PactProblem("BadRequest", str(exc)) from None
    with read_session(context_of(request).engine) as session:
        data, more = list_footprints(session, spec, conditions, offset, limit)
    headers = {}
    if more:  # absolute, on the host the request named (PACT: pagination link)
        following = request.url.include_query_params(limit=limit, offset=offset + limit)
        headers["link"] = f'<{following}>; rel="next"'
    return JSONResponse({"data": data}, headers=headers)


def _get(request: Request, spec: str, footprint_id: str) -> Response:
    _authorised(request)
    with read_session(context_of(request).engine) as session:
        found = get_footprint(session, spec, footprint_id)
    if found is None:
        raise PactProblem("NoSuchFootprint", "The specified footprint does not exist.")
    return JSONResponse({"data": found})


def _events(request: Request) -> Response:
    _authorised(request)
    raise PactProblem("NotImplemented", "Action Events is not implemented: every footprint here is public; list them with ListFootprints")


@router.get("/2/footprints", summary="PACT 2.3 Action ListFootprints ($filter, limit)")
def list_v2(request: Request) -> Response:
    return _list(request, "2")


@router.get("/2/footprints/{footprint_id}", summary="PACT 2.3 Action GetFootprint")
def get_v2(footprint_id: str, request: Request) -> Response:
    return _get(request, "2", footprint_id)


@router.post("/2/events", summary="PACT 2.3 Action Events (not implemented)")
def events_v2(request: Request) -> Response:
    return _events(request)


@router.get("/3/footprints", summary="PACT 3.0 Action ListFootprints (productId, companyId, geography, classification, validOn, validAfter, validBefore, status, limit)")
def list_v3(request: Request) -> Response:
    return _list(request, "3")


@router.get("/3/footprints/{footprint_id}", summary="PACT 3.0 Action GetFootprint")
def get_v3(footprint_id: str, request: Request) -> Response:
    return _get(request, "3", footprint_id)


@router.post("/3/events", summary="PACT 3.0 Action Events (not implemented)")
def events_v3(request: Request) -> Response:
    return _events(request)
