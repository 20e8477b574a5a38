"""The registry's first schema: accounts, declarations, origins, values, attestations, events.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("operator", sa.String(300), nullable=False),
        sa.Column("token_id", sa.String(32), nullable=False, unique=True),
        sa.Column("token_salt", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=True, unique=True),
        sa.Column("public_key_pem", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "registry_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
    )
    op.bulk_insert(sa.table("registry_state", sa.column("id", sa.Integer), sa.column("revision", sa.Integer)), [{"id": 1, "revision": 0}])
    op.create_table(
        "declarations",
        sa.Column("declaration_id", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("operator", sa.String(300), nullable=False),
        sa.Column("material_id", sa.String(100), nullable=False),
        sa.Column("material_name", sa.String(300), nullable=False),
        sa.Column("route", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("issue_date", sa.Date, nullable=False),
        sa.Column("class_label", sa.String(4), nullable=True),
        sa.Column("headline_category", sa.String(100), nullable=False),
        sa.Column("headline_value", sa.Float, nullable=False),
        sa.Column("headline_unit", sa.String(100), nullable=False),
        sa.Column("declared_unit_kg", sa.Float, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("supersedes_id", sa.String(64), nullable=True),
        sa.Column("superseded_by_id", sa.String(64), nullable=True),
        sa.Column("withdrawn_reason", sa.Text, nullable=True),
        sa.Column("withdrawn_at", sa.DateTime, nullable=True),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("study_sha256", sa.String(64), nullable=False),
        sa.Column("signature_key_id", sa.String(64), nullable=False),
        sa.Column("declaration_json", sa.Text, nullable=False),
        sa.Column("signature_json", sa.Text, nullable=False),
        sa.Column("study_html", sa.Text, nullable=False),
        sa.Column("quantity_t", sa.Float, nullable=False),
        sa.Column("published_at", sa.DateTime, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
    )
    for column in ("operator", "material_id", "issue_date", "class_label", "status", "study_sha256"):
        op.create_index(f"ix_declarations_{column}", "declarations", [column])
    op.create_index("ix_declarations_material_status", "declarations", ["material_id", "status"])
    op.create_table(
        "declaration_origins",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("declaration_id", sa.String(64), sa.ForeignKey("declarations.declaration_id"), nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("region", sa.Text, nullable=False),
    )
    op.create_index("ix_declaration_origins_declaration_id", "declaration_origins", ["declaration_id"])
    op.create_index("ix_declaration_origins_country", "declaration_origins", ["country"])
    op.create_table(
        "declared_values",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("declaration_id", sa.String(64), sa.ForeignKey("declarations.declaration_id"), nullable=False),
        sa.Column("category", sa.String(100), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("unit", sa.String(100), nullable=False),
    )
    op.create_index("ix_declared_values_declaration_id", "declared_values", ["declaration_id"])
    op.create_table(
        "attestations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("declaration_id", sa.String(64), sa.ForeignKey("declarations.declaration_id"), nullable=False),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("verifier", sa.String(300), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("verdict", sa.String(32), nullable=False),
        sa.Column("verified_on", sa.DateTime, nullable=False),
        sa.Column("statement_json", sa.Text, nullable=False),
        sa.Column("statement_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("attested_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_attestations_declaration_id", "attestations", ["declaration_id"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("declaration_id", sa.String(64), sa.ForeignKey("declarations.declaration_id"), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(300), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_events_declaration_id", "events", ["declaration_id"])


def downgrade() -> None:
    for table in ("events", "attestations", "declared_values", "declaration_origins", "declarations", "registry_state", "accounts"):
        op.drop_table(table)
