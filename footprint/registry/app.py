"""The registry's web application (FastAPI on uvicorn): public pages, the JSON API, the guards.

`create_app` builds it over one database; `app_from_environment` is the factory each uvicorn
worker of `footprint serve` calls. Routers: `pages` (HTML for people, no JavaScript) and
`api` (JSON under /api/v1, OpenAPI document at /api/openapi.json). More routers (such as
PACT's `footprints` endpoints) are added with `create_app(extra_routers=[...])`; they reach
the database and the accounts through `footprint.registry.deps`.

Guards around every request:

* the body is at most `max_body_bytes` (FastAPI's `max_body_size`, on Content-Length and while it
  streams in; Starlette answers an over-long Content-Length itself, with a plain-text 413
  "Content Too Large", before the app's own handlers see it);
* every response carries a Content-Security-Policy that forbids scripts, frames and foreign
  sources (the public study gets a sandboxing one of its own), plus nosniff and no-referrer;
* every refusal is a 4xx with a reason (JSON for the API, a page for people); an unexpected
  error is a plain 500, never a traceback.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from footprint import __version__

from .checks import Refusal
from .db import make_engine, migrate, schema_is_current

HERE = Path(__file__).resolve().parent
DB_ENV = "FOOTPRINT_REGISTRY_DB"
MAX_BODY_ENV = "FOOTPRINT_REGISTRY_MAX_BODY"
MIGRATE_ENV = "FOOTPRINT_REGISTRY_MIGRATE"
MAX_BODY_BYTES = 4 * 1024 * 1024
CSP = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
# The public study is the producer's page: sandboxed (no scripts, no forms, its own origin).
STUDY_CSP = "sandbox allow-popups allow-top-navigation-by-user-activation; default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
log = logging.getLogger("footprint.registry")


class PageCache:
    """Rendered pages by (kind, id, revision): a changed declaration has a new revision, so no entry goes stale."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._items: OrderedDict[tuple, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: tuple, value: bytes) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


@dataclass
class RegistryContext:
    """What every route needs: the database, the templates, the page cache."""

    engine: Engine
    templates: Any
    cache: PageCache = field(default_factory=PageCache)
    max_body_bytes: int = MAX_BODY_BYTES
    _materials: Any = None

    @property
    def material_registry(self) -> Any:
        if self._materials is None:
            from footprint.plugins import MaterialRegistry

            self._materials = MaterialRegistry()
        return self._materials


def registry_templates() -> Any:
    """footprint's template environment (autoescape on, its filters), with the registry's templates first."""
    import jinja2

    from footprint.declaration import templates

    shared = templates()
    return shared.overlay(loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(HERE / "templates")), shared.loader]))


# --- guards -------------------------------------------------------------------------------------


class SecurityHeaders:
    """The Content-Security-Policy (unless a route set its own), nosniff, no-referrer, no framing; plain ASGI."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if b"content-security-policy" not in {name.lower() for name, _ in headers}:
                    headers.append((b"content-security-policy", CSP.encode()))
                headers += [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def problem(request: Request, status: int, message: str, field: str | None = None) -> Any:
    """A refusal: JSON for the API and for programs, an escaped page for people."""
    if request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
        return JSONResponse({"error": message, "field": field}, status_code=status)
    context: RegistryContext = request.app.state.registry
    titles = {400: "Bad request", 401: "Not signed in", 403: "Not allowed", 404: "Not found", 405: "Not allowed", 409: "Conflict", 413: "Too large", 422: "Refused"}
    html = context.templates.get_template("error.html").render(status=status, title=titles.get(status, "Error"), message=message + (f" (field {field})" if field else ""))
    return HTMLResponse(html, status_code=status)


def _validation_problem(request: Request, exc: RequestValidationError) -> Any:
    errors = exc.errors()
    first = errors[0] if errors else {"loc": (), "msg": "invalid request", "type": ""}
    loc = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path")]
    if first.get("type") == "json_invalid":
        return problem(request, 400, f"the request body is not valid JSON: {first.get('ctx', {}).get('error', first['msg'])}; nothing was stored")
    return problem(request, 422, f"{first['msg']}; nothing was stored", ".".join(loc) or None)


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(Refusal)
    async def _refusal(request: Request, exc: Refusal) -> Any:
        return problem(request, exc.status, exc.message, exc.field)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Any:
        return _validation_problem(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Any:
        limit = request.app.state.registry.max_body_bytes
        messages = {
            404: "there is nothing at this address", 405: "this address does not take that method",
            413: f"the request is larger than the limit of {limit:,} bytes; nothing was stored",
        }
        return problem(request, exc.status_code, messages.get(exc.status_code, str(exc.detail)))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Any:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse({"error": "internal error; nothing was stored", "field": None}, status_code=500)


# --- the application ----------------------------------------------------------------------------


def create_app(
    db_url: str | None = None,
    *,
    engine: Engine | None = None,
    run_migrations: bool = True,
    max_body_bytes: int = MAX_BODY_BYTES,
    extra_routers: Iterable[APIRouter] = (),
) -> FastAPI:
    """The registry over `db_url` (default: the SQLite file in footprint's data folder)."""
    from . import api, pages

    engine = engine or make_engine(db_url)
    if run_migrations:
        migrate(engine)
    elif not schema_is_current(engine):
        raise RuntimeError("the registry database is not at the newest schema: start it with `footprint serve`, which migrates it")
    app = FastAPI(
        title="footprint registry",
        version=__version__,
        description="Public register of environmental footprint declarations of critical raw materials (Regulation (EU) 2024/1252, Art. 31(10)).",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        max_body_size=max_body_bytes,
    )
    app.state.registry = RegistryContext(engine=engine, templates=registry_templates(), max_body_bytes=max_body_bytes)
    _install_handlers(app)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(api.router)
    for router in extra_routers:
        app.include_router(router)
    app.include_router(pages.router)
    return app


def app_from_environment() -> FastAPI:
    """The uvicorn factory of `footprint serve` (settings in FOOTPRINT_REGISTRY_* variables)."""
    return create_app(
        os.environ.get(DB_ENV) or None,
        run_migrations=os.environ.get(MIGRATE_ENV, "1") != "0",
        max_body_bytes=int(os.environ.get(MAX_BODY_ENV) or MAX_BODY_BYTES),
    )
