"""The registry API's request and response bodies (pydantic; the OpenAPI document is made from them)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from footprint.signing import Signature

MAX_STUDY_CHARS = 2_000_000


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PublishRequest(Body):
    """A producer's upload: the declaration, its signature, its public study and the quantity."""

    declaration: dict[str, Any] = Field(description="declaration.json as written by `footprint declare` (schema: `footprint schema declaration`)")
    signature: Signature | None = Field(description="declaration.sig: the producer's detached Ed25519 signature over the declaration's canonical JSON")
    study_html: str = Field(max_length=MAX_STUDY_CHARS, description="study.html: the public version of the study (Art. 31(7)(f))")
    quantity_t: float = Field(gt=0, allow_inf_nan=False, description="Tonnes of the material placed on the EU market under this declaration (confidential: only regulators read it)")
    supersedes: str | None = Field(default=None, max_length=64, description="Id of the producer's current declaration this one replaces (Annex V Part VI: a new calculation)")
    pact_v2: dict[str, Any] | None = Field(default=None, description="The declaration's PACT 2.3 product footprint (`footprint export --format pact-v2`), served at /2/footprints")
    pact_v3: dict[str, Any] | None = Field(default=None, description="The declaration's PACT 3.0 product footprint (`footprint export --format pact-v3`), served at /3/footprints")


class WithdrawRequest(Body):
    reason: str = Field(min_length=1, max_length=2000, description="Why the declaration is withdrawn (shown on its page)")


class AccountRequest(Body):
    role: Literal["producer", "verifier", "regulator", "admin", "buyer"]
    operator: str = Field(min_length=1, max_length=300)
    public_key: str | None = Field(default=None, max_length=4000, description="PEM public key (producers and verifiers)")


class AccountCreated(BaseModel):
    id: int
    role: str
    operator: str
    key_id: str | None
    token: str = Field(description="The API token, shown this once; the registry keeps only a salted hash")


class Problem(BaseModel):
    """Every refusal: the reason, and the field at fault where there is one."""

    error: str
    field: str | None = None


class OriginOut(BaseModel):
    stage: str
    country: str
    region: str


class EventOut(BaseModel):
    at: dt.datetime
    kind: str
    actor: str
    detail: str


class AttestationOut(BaseModel):
    number: int = Field(description="1 for the first statement attached to the declaration, and so on")
    verifier: str
    key_id: str
    verdict: str
    verified_on: dt.datetime
    attested_at: dt.datetime
    statement_url: str
    statement_json_url: str


class DeclarationSummary(BaseModel):
    declaration_id: str
    url: str
    title: str
    producer: str
    material_id: str
    material_name: str
    route: str
    issue_date: dt.date
    performance_class: str | None
    headline_category: str
    headline_value: float
    headline_unit: str
    declared_unit_kg: float
    countries: list[str]
    status: Literal["current", "superseded", "withdrawn"]
    statements: int


class DeclarationDetail(DeclarationSummary):
    content_sha256: str
    signature_key_id: str
    published_at: dt.datetime
    supersedes: str | None
    superseded_by: str | None
    withdrawn_reason: str | None
    withdrawn_at: dt.datetime | None
    origins: list[OriginOut]
    attestations: list[AttestationOut]
    history: list[EventOut]
    links: dict[str, str]
    declaration: dict[str, Any] = Field(description="The declaration as published")


class SearchResult(BaseModel):
    total: int
    page: int
    per_page: int
    results: list[DeclarationSummary]


class MaterialOut(BaseModel):
    material_id: str
    material_name: str
    current: int
    producers: int
    url: str


class AttestRequest(Body):
    """A signed verification statement, as `footprint verify --sign` writes it."""

    statement: dict[str, Any] = Field(description="The verification statement (schema: `footprint schema verification-statement`), exactly as signed")
    signature: Signature


class MagnetPublishRequest(Body):
    """A producer's upload of a product's magnet records, as `footprint magnets declare` wrote them."""

    data_record: dict[str, Any] = Field(description="data-record.json: the Art. 28 data record (schema: `footprint schema magnet-data-record`)")
    data_record_signature: Signature | None = Field(default=None, description="data-record.sig, if signed (`footprint magnets declare --sign KEY`)")
    recycled_content: dict[str, Any] | None = Field(default=None, description="recycled-content.json: the Art. 29 declaration, where Art. 29 applies (schema: `footprint schema magnet-declaration`)")
    recycled_content_signature: Signature | None = Field(default=None, description="recycled-content.sig, if signed")


class MagnetSummary(BaseModel):
    record_id: str
    url: str
    declaration_id: str | None
    declaration_url: str | None
    producer: str
    product_name: str
    product_model: str
    product_group: str
    unique_product_identifier: str
    issue_date: dt.date
    published_at: dt.datetime
    signed: bool = Field(description="True when the records came with the producer's signatures, checked with its registered key")


class MagnetDetail(MagnetSummary):
    signature_key_id: str | None
    links: dict[str, str]
    data_record: dict[str, Any]
    recycled_content: dict[str, Any] | None


class MagnetSearchResult(BaseModel):
    total: int
    page: int
    per_page: int
    results: list[MagnetSummary]
