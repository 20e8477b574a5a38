"""The registry's database: engines for SQLite (embedded default) and PostgreSQL, migrations, sessions.

SQLite runs in WAL mode (readers never wait for the writer) with `synchronous=FULL` (a
publish that was answered survives a crash of the machine, not only of the process), and a
write transaction starts with `BEGIN IMMEDIATE`, so two workers writing at once queue on the
busy timeout instead of failing. PostgreSQL needs nothing special. On both, a publish is one
transaction: a process killed in the middle leaves it wholly out.

Migrations are Alembic's, shipped in `footprint/registry/migrations/` and run in one
transaction at start-up (under an advisory lock on PostgreSQL, the write lock on SQLite), so
several workers starting together migrate once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from footprint.errors import FootprintInputError

from .models import RegistryState

SCRIPT_LOCATION = "footprint.registry:migrations"
DB_FILE = "registry.sqlite3"
_MIGRATION_LOCK = 31_31_10  # Art. 31(10), as a PostgreSQL advisory-lock key
_WRITE = "footprint_registry_write"


def default_db_url() -> str:
    """The embedded default: an SQLite file in footprint's data folder."""
    from footprint.paths import user_data_dir

    return f"sqlite:///{user_data_dir() / DB_FILE}"


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url` (default: the embedded SQLite file), set up as described above."""
    url = url or default_db_url()
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise FootprintInputError(f"{url!r} is not a database URL (e.g. sqlite:///registry.sqlite3 or postgresql+psycopg://user@host/db)", field="--db") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=8, max_overflow=16)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    elif backend == "postgresql":
        engine = create_engine(parsed, pool_pre_ping=True, pool_size=8, max_overflow=16)
    else:
        raise FootprintInputError(f"the registry runs on SQLite or PostgreSQL, not {backend!r}", field="--db")
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (see _sqlite_begin)
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=30000"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.get_execution_options().get(_WRITE) else "BEGIN")


def _alembic_config() -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema (a no-op when it is there already)."""
    from alembic import command

    config = _alembic_config()
    with engine.execution_options(**{_WRITE: True}).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def schema_is_current(engine: Engine) -> bool:
    """True when the database carries the newest migration."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory.from_config(_alembic_config()).get_heads())
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads()) == heads


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def write_session(engine: Engine, *, bump: bool = True) -> Iterator[Session]:
    """One write transaction: committed whole when the block ends, rolled back on any error.

    It bumps the registry's revision first (so every worker's cached lists go stale), which on
    PostgreSQL also queues concurrent writers on that row's lock. `bump=False` is for writes no
    page shows (PACT access tokens).
    """
    with Session(engine.execution_options(**{_WRITE: True}), expire_on_commit=False) as session:
        with session.begin():
            if bump:
                session.execute(update(RegistryState).where(RegistryState.id == 1).values(revision=RegistryState.revision + 1))
            yield session
