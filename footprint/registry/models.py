"""The registry's tables (SQLAlchemy 2). Alembic migrations in `migrations/` create them.

Nothing is ever deleted: a declaration is superseded or withdrawn (with a reason), and every
change is an event in `events`. Tokens are stored only as salted hashes. The quantity a
producer reports as placed on the market is confidential: only the regulator's market export
reads it. Beside the declarations: their PACT product footprints (`pact_footprints`, with the
identifiers PACT's filters search in `pact_identifiers`), the short-lived PACT access tokens
(`pact_tokens`, hashes only) and the permanent-magnet records (`magnet_records`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


ROLES = ("producer", "verifier", "regulator", "admin", "buyer")
STATUSES = ("current", "superseded", "withdrawn")


class Account(Base):
    """A producer, verifier, regulator or administrator, and the hash of its API token."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    operator: Mapped[str] = mapped_column(String(300), doc="The operator (organisation) the account acts for, as its declarations name it")
    token_id: Mapped[str] = mapped_column(String(32), unique=True, doc="Public part of the token, to find the account")
    token_salt: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), doc="sha256 of salt + token; the token itself is never stored")
    key_id: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    public_key_pem: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class RegistryState(Base):
    """One row: a counter bumped by every write, so each worker knows when its page cache is stale."""

    __tablename__ = "registry_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)


class DeclarationRecord(Base):
    """One published declaration, as uploaded, with the columns search filters on."""

    __tablename__ = "declarations"

    declaration_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    operator: Mapped[str] = mapped_column(String(300), index=True)
    material_id: Mapped[str] = mapped_column(String(100), index=True)
    material_name: Mapped[str] = mapped_column(String(300))
    route: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    issue_date: Mapped[dt.date] = mapped_column(Date, index=True)
    class_label: Mapped[str | None] = mapped_column(String(4), nullable=True, index=True)
    headline_category: Mapped[str] = mapped_column(String(100))
    headline_value: Mapped[float] = mapped_column(Float)
    headline_unit: Mapped[str] = mapped_column(String(100))
    declared_unit_kg: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), index=True)
    supersedes_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    superseded_by_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    content_sha256: Mapped[str] = mapped_column(String(64))
    study_sha256: Mapped[str] = mapped_column(String(64), index=True, doc="fingerprint.study_sha256: one study is declared by one producer")
    signature_key_id: Mapped[str] = mapped_column(String(64))
    # The documents themselves are loaded only when asked for: a search reads none of them.
    declaration_json: Mapped[str] = mapped_column(Text, deferred=True)
    signature_json: Mapped[str] = mapped_column(Text, deferred=True)
    study_html: Mapped[str] = mapped_column(Text, deferred=True)
    quantity_t: Mapped[float] = mapped_column(Float, doc="Confidential: tonnes placed on the market, reported by the producer")
    published_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revision: Mapped[int] = mapped_column(Integer, default=1, doc="Bumped by every change of this declaration's page")

    origins: Mapped[list[OriginRecord]] = relationship(back_populates="declaration", order_by="OriginRecord.id")
    values: Mapped[list[ValueRecord]] = relationship(back_populates="declaration", order_by="ValueRecord.id")


class OriginRecord(Base):
    """Art. 31(7)(c): one country and region of one stage."""

    __tablename__ = "declaration_origins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    declaration_id: Mapped[str] = mapped_column(ForeignKey("declarations.declaration_id"), index=True)
    stage: Mapped[str] = mapped_column(String(32))
    country: Mapped[str] = mapped_column(String(2), index=True)
    region: Mapped[str] = mapped_column(Text)

    declaration: Mapped[DeclarationRecord] = relationship(back_populates="origins")


class ValueRecord(Base):
    """One declared category's value per declared unit (the market export's rows)."""

    __tablename__ = "declared_values"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    declaration_id: Mapped[str] = mapped_column(ForeignKey("declarations.declaration_id"), index=True)
    category: Mapped[str] = mapped_column(String(100))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(100))

    declaration: Mapped[DeclarationRecord] = relationship(back_populates="values")


class AttestationRecord(Base):
    """A signed verification statement attached to a declaration by a verifier."""

    __tablename__ = "attestations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    declaration_id: Mapped[str] = mapped_column(ForeignKey("declarations.declaration_id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    verifier: Mapped[str] = mapped_column(String(300))
    key_id: Mapped[str] = mapped_column(String(64))
    verdict: Mapped[str] = mapped_column(String(32))
    verified_on: Mapped[dt.datetime] = mapped_column(DateTime)
    statement_json: Mapped[str] = mapped_column(Text)
    statement_sha256: Mapped[str] = mapped_column(String(64), unique=True, doc="A statement is attached once (replays are refused)")
    attested_at: Mapped[dt.datetime] = mapped_column(DateTime)


class EventRecord(Base):
    """The history of a declaration: published, superseded, withdrawn, attested."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    declaration_id: Mapped[str] = mapped_column(ForeignKey("declarations.declaration_id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str] = mapped_column(Text)


Index("ix_declarations_material_status", DeclarationRecord.material_id, DeclarationRecord.status)


class PactFootprint(Base):
    """A declaration's PACT product footprint (spec "2" for 2.3, "3" for 3.0), as its producer uploaded it,
    with the registry's life-cycle fields (status, version, update, predecessor) and the filtered columns."""

    __tablename__ = "pact_footprints"
    __table_args__ = (UniqueConstraint("spec", "pf_id", name="uq_pact_footprints_spec_pf_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    declaration_id: Mapped[str] = mapped_column(ForeignKey("declarations.declaration_id"), index=True)
    spec: Mapped[str] = mapped_column(String(1))
    pf_id: Mapped[str] = mapped_column(String(36))
    document_json: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), doc="Active, or Deprecated once the declaration is superseded or withdrawn")
    status_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[int] = mapped_column(Integer, doc="PACT 2.3 version: the uploaded one, plus one per change of status")
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    preceding_pf_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    cpc: Mapped[str | None] = mapped_column(String(32), nullable=True)
    geography: Mapped[str | None] = mapped_column(String(16), nullable=True)
    reference_start: Mapped[dt.datetime] = mapped_column(DateTime)
    reference_end: Mapped[dt.datetime] = mapped_column(DateTime)
    validity_start: Mapped[dt.datetime] = mapped_column(DateTime, doc="validityPeriodStart, else referencePeriodEnd (PACT 3.0)")
    validity_end: Mapped[dt.datetime] = mapped_column(DateTime, doc="validityPeriodEnd, else referencePeriodEnd + 3 years (PACT 3.0)")


class PactIdentifier(Base):
    """One product id, company id or product classification (URN) of a PACT footprint, for the filters."""

    __tablename__ = "pact_identifiers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    footprint_id: Mapped[int] = mapped_column(ForeignKey("pact_footprints.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(500), index=True)


class PactToken(Base):
    """An access token of PACT's client-credentials flow: its sha256, whose account, until when."""

    __tablename__ = "pact_tokens"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class MagnetRecord(Base):
    """A product's Art. 28 data record and, where Art. 29 applies, its recycled-content declaration, as uploaded."""

    __tablename__ = "magnet_records"

    record_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    declaration_id: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    operator: Mapped[str] = mapped_column(String(300), index=True)
    product_name: Mapped[str] = mapped_column(String(300))
    product_model: Mapped[str] = mapped_column(String(300))
    product_group: Mapped[str] = mapped_column(String(64), index=True)
    unique_product_identifier: Mapped[str] = mapped_column(String(300), index=True)
    issue_date: Mapped[dt.date] = mapped_column(Date, index=True)
    product_sha256: Mapped[str] = mapped_column(String(64), index=True, doc="fingerprint.product_sha256: one product file is one producer's")
    record_content_sha256: Mapped[str] = mapped_column(String(64))
    declaration_content_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    signature_key_id: Mapped[str | None] = mapped_column(String(64), nullable=True, doc="The producer's key, when the records came signed")
    record_json: Mapped[str] = mapped_column(Text, deferred=True)
    record_signature_json: Mapped[str | None] = mapped_column(Text, nullable=True, deferred=True)
    declaration_json: Mapped[str | None] = mapped_column(Text, nullable=True, deferred=True)
    declaration_signature_json: Mapped[str | None] = mapped_column(Text, nullable=True, deferred=True)
    published_at: Mapped[dt.datetime] = mapped_column(DateTime)
