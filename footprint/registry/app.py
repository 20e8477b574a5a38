"""The registry's web application (FastAPI on uvicorn): public pages, the JSON API, the guards.

`create_app` builds it over one database; `app_from_environment` is the factory each uvicorn
worker of `footprint serve` calls. Routers: `pages` (HTML for people, no JavaScript), `api`
(JSON under /api/v1, OpenAPI document at /api/openapi.json), `pact` (PACT 2.3 and 3.0
footprints with PACT's authentication flow) and `magnet_routes` (the permanent-magnet records,
API and pages). More routers are added with `create_app(extra_routers=[...])`; they reach the
database and the accounts through `footprint.registry.deps`.

The registry's own address (`public_url`, `footprint serve --public-url`) is what a declaration's
public address must start with; without one, the address a request came to stands for it.

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
from footprint.links import registry_base

from .checks import Refusal
from .db import make_engine, migrate, schema_is_current
from .headers import SecurityHeaders

HERE = Path(__file__).resolve().parent
DB_ENV = "FOOTPRINT_REGISTRY_DB"
MAX_BODY_ENV = "FOOTPRINT_REGISTRY_MAX_BODY"
MIGRATE_ENV = "FOOTPRINT_REGISTRY_MIGRATE"
PUBLIC_URL_ENV = "FOOTPRINT_REGISTRY_PUBLIC_URL"
MAX_BODY_BYTES = 4 * 1024 * 1024
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
    """What every route needs: the database, the templates, the page cache, the registry's address."""

    engine: Engine
    templates: Any
    magnet_templates: Any = None
    cache: PageCache = field(default_factory=PageCache)
    max_body_bytes: int = MAX_BODY_BYTES
    public_url: str | None = None
    _materials: Any = None

    def registry_url(self, request: Request) -> str:
        """This registry's base address: the configured one, else the one the request came to."""
        return self.public_url or str(request.base_url).rstrip("/")

    @property
    def material_registry(self) -> Any:
        if self._materials is None:
            from footprint.plugins import MaterialRegistry

            self._materials = MaterialRegistry()
        return self._materials


def registry_templates(shared: Any | None = None) -> Any:
    """footprint's template environment (autoescape on, its filters; the declarations' unless
    `shared` is given), with the registry's templates first."""
    import jinja2

    from footprint.declaration import templates

    shared = shared or templates()
    return shared.overlay(loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(HERE / "templates")), shared.loader]))


def magnet_templates() -> Any:
    """The magnet records' template environment (their filters), with the registry's templates first."""
    from footprint.magnets.render import templates

    return registry_templates(templates())


# --- guards -------------------------------------------------------------------------------------


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
    from .pact import PactProblem, pact_problem_response

    app.add_exception_handler(PactProblem, pact_problem_response)  # type: ignore[arg-type]

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
    public_url: str | None = None,
) -> FastAPI:
    """The registry over `db_url` (default: the SQLite file in footprint's data folder), at
    `public_url` (its base address, e.g. https://registry.example.eu) when given."""
    from . import api, magnet_routes, pact, pages

    if public_url is not None:
        public_url = registry_base(public_url, field="--public-url")
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
    app.state.registry = RegistryContext(
        engine=engine, templates=registry_templates(), magnet_templates=magnet_templates(), max_body_bytes=max_body_bytes, public_url=public_url,
    )
    _install_handlers(app)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for router in (api.router, magnet_routes.api, pact.router, *extra_routers, pages.router, magnet_routes.pages):
        app.include_router(router)
    return app


def app_from_environment() -> FastAPI:
    """The uvicorn factory of `footprint serve` (settings in FOOTPRINT_REGISTRY_* variables)."""
    return create_app(
        os.environ.get(DB_ENV) or None,
        run_migrations=os.environ.get(MIGRATE_ENV, "1") != "0",
        max_body_bytes=int(os.environ.get(MAX_BODY_ENV) or MAX_BODY_BYTES),
        public_url=os.environ.get(PUBLIC_URL_ENV) or None,
    )
