"""Alembic environment of the registry: run by `footprint.registry.db.migrate` on a connection it passes in."""

from __future__ import annotations

from alembic import context

from footprint.registry.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - footprint always passes its connection
    raise RuntimeError("run the registry's migrations through footprint.registry.db.migrate(), which passes a connection")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
