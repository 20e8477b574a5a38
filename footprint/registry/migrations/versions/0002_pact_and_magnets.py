"""PACT product footprints (with their identifiers and access tokens) and permanent-magnet records.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pact_footprints",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("declaration_id", sa.String(64), sa.ForeignKey("declarations.declaration_id"), nullable=False),
        sa.Column("spec", sa.String(1), nullable=False),
        sa.Column("pf_id", sa.String(36), nullable=False),
        sa.Column("document_json", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_comment", sa.Text, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=True),
        sa.Column("preceding_pf_id", sa.String(36), nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("cpc", sa.String(32), nullable=True),
        sa.Column("geography", sa.String(16), nullable=True),
        sa.Column("reference_start", sa.DateTime, nullable=False),
        sa.Column("reference_end", sa.DateTime, nullable=False),
        sa.Column("validity_start", sa.DateTime, nullable=False),
        sa.Column("validity_end", sa.DateTime, nullable=False),
        sa.UniqueConstraint("spec", "pf_id", name="uq_pact_footprints_spec_pf_id"),
    )
    op.create_index("ix_pact_footprints_declaration_id", "pact_footprints", ["declaration_id"])
    op.create_index("ix_pact_footprints_created_at", "pact_footprints", ["created_at"])
    op.create_table(
        "pact_identifiers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("footprint_id", sa.Integer, sa.ForeignKey("pact_footprints.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.String(500), nullable=False),
    )
    op.create_index("ix_pact_identifiers_footprint_id", "pact_identifiers", ["footprint_id"])
    op.create_index("ix_pact_identifiers_value", "pact_identifiers", ["value"])
    op.create_table(
        "pact_tokens",
        sa.Column("token_sha256", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_pact_tokens_expires_at", "pact_tokens", ["expires_at"])
    op.create_table(
        "magnet_records",
        sa.Column("record_id", sa.String(64), primary_key=True),
        sa.Column("declaration_id", sa.String(64), nullable=True, unique=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("operator", sa.String(300), nullable=False),
        sa.Column("product_name", sa.String(300), nullable=False),
        sa.Column("product_model", sa.String(300), nullable=False),
        sa.Column("product_group", sa.String(64), nullable=False),
        sa.Column("unique_product_identifier", sa.String(300), nullable=False),
        sa.Column("issue_date", sa.Date, nullable=False),
        sa.Column("product_sha256", sa.String(64), nullable=False),
        sa.Column("record_content_sha256", sa.String(64), nullable=False),
        sa.Column("declaration_content_sha256", sa.String(64), nullable=True),
        sa.Column("signature_key_id", sa.String(64), nullable=True),
        sa.Column("record_json", sa.Text, nullable=False),
        sa.Column("record_signature_json", sa.Text, nullable=True),
        sa.Column("declaration_json", sa.Text, nullable=True),
        sa.Column("declaration_signature_json", sa.Text, nullable=True),
        sa.Column("published_at", sa.DateTime, nullable=False),
    )
    for column in ("operator", "product_group", "unique_product_identifier", "issue_date", "product_sha256"):
        op.create_index(f"ix_magnet_records_{column}", "magnet_records", [column])


def downgrade() -> None:
    for table in ("magnet_records", "pact_tokens", "pact_identifiers", "pact_footprints"):
        op.drop_table(table)
