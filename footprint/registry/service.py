"""Writing to the registry: publish (and supersede), withdraw, attest. Each is one transaction.

Every check runs before the transaction opens, so a refused request touches nothing; the
transaction then inserts the declaration, its search rows and its history event together (and,
for a supersede, marks the old one in the same transaction), so a process killed half-way
leaves the publish wholly out, and one killed after the commit leaves it wholly in.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from footprint.declaration import Declaration, content_hash
from footprint.declaration import declaration_id as derive_declaration_id
from footprint.files import canonical_json, sha256_hex
from footprint.signing import SignatureError, check_record_signature, public_key_from_pem
from footprint.verification import SignedVerificationStatement, check_statement

from . import pact_store
from .accounts import same_operator
from .checks import check_public_address, check_public_study, check_texts, check_web_address, plain_text, refuse
from .db import write_session
from .models import Account, AttestationRecord, DeclarationRecord, EventRecord, OriginRecord, ValueRecord
from .schemas import PublishRequest

FAULT_ENV = "FOOTPRINT_REGISTRY_FAULT"
ISSUE_DATE_GRACE = dt.timedelta(days=1)


def utcnow() -> dt.datetime:
    """Now in UTC, without tzinfo (how both databases store it)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def fault_point(name: str) -> None:
    """Crash tests only: with FOOTPRINT_REGISTRY_FAULT=<name>:<file>, write the pid to <file> and
    wait here to be killed (tests/test_article_31_10_registry_faults.py kills the server here)."""
    spec = os.environ.get(FAULT_ENV)
    if not spec:
        return
    point, _, marker = spec.partition(":")
    if point == name:
        Path(marker).write_text(str(os.getpid()), encoding="utf-8")
        time.sleep(120)


def _schema_problem(exc: ValidationError, prefix: str) -> tuple[str, str]:
    first = exc.errors()[0]
    return ".".join([prefix, *(str(p) for p in first["loc"])]), first["msg"]


def require(account: Account, *roles: str) -> None:
    if account.role not in roles:
        raise refuse(403, f"a {account.role} account may not do this; it needs the role {' or '.join(roles)}")


def check_declaration(raw: dict[str, Any], account: Account, registry_url: str, *, today: dt.date | None = None) -> Declaration:
    """The registry's checks of an uploaded declaration (schema, hash, id, date, identity, texts, addresses)."""
    try:
        declaration = Declaration.model_validate(raw)
    except ValidationError as exc:
        where, message = _schema_problem(exc, "declaration")
        raise refuse(422, f"the declaration does not match its schema: {message}", where) from None
    if raw.get("content_sha256") != content_hash(raw):
        raise refuse(422, "the declaration's content hash does not match its content: it was changed after it was issued", "declaration.content_sha256")
    expected = derive_declaration_id(declaration.fingerprint, declaration.study_digest, declaration.issue_date)
    if declaration.declaration_id != expected:
        raise refuse(422, f"the declaration id is not the one its fingerprint and issue date give ({expected})", "declaration.declaration_id")
    today = today or dt.datetime.now(dt.timezone.utc).date()
    if declaration.issue_date > today + ISSUE_DATE_GRACE:
        raise refuse(422, f"the declaration is dated {declaration.issue_date}, in the future", "declaration.issue_date")
    if not same_operator(declaration.responsible_person.name, account.operator):
        raise refuse(
            403,
            f"the declaration is issued by {declaration.responsible_person.name!r}; this account publishes only for {account.operator!r}",
            "declaration.responsible_person.name",
        )
    check_texts(raw, "declaration")
    check_web_address(declaration.public_study.url, field="declaration.public_study.url", relative_allowed=("study.html",))
    check_web_address(declaration.responsible_person.website, field="declaration.responsible_person.website")
    check_public_address(declaration.public_address, declaration.declaration_id, registry_url)
    if len(declaration.footprint.categories) == 0:
        raise refuse(422, "the declaration declares no category", "declaration.footprint.categories")
    return declaration


def publish(engine: Engine, account: Account, request: PublishRequest, registry_url: str, *, today: dt.date | None = None) -> DeclarationRecord:
    """Check and store one declaration (superseding `request.supersedes` if named), with its PACT footprints.

    `registry_url` is this registry's base address: a declaration's public address must be its
    address here.
    """
    require(account, "producer")
    raw = request.declaration
    declaration = check_declaration(raw, account, registry_url, today=today)
    if request.signature is None:
        raise refuse(422, "the declaration is not signed: attach declaration.sig (footprint declare --sign KEY)", "signature")
    try:
        check_record_signature(raw, request.signature, public_key_from_pem(account.public_key_pem or ""))
    except SignatureError as exc:
        raise refuse(422, f"the signature is not this producer's signature of this declaration: {exc.message}", "signature") from None
    check_public_study(request.study_html, declaration.declaration_id)
    footprints = [pact_store.check_footprint(document, spec, declaration)
                  for spec, document in (("2", request.pact_v2), ("3", request.pact_v3)) if document is not None]
    if request.supersedes is not None:
        plain_text(request.supersedes, field="supersedes", max_length=64)
        if request.supersedes == declaration.declaration_id:
            raise refuse(422, "a declaration cannot supersede itself", "supersedes")
    now = utcnow()
    headline = declaration.headline
    record = DeclarationRecord(
        declaration_id=declaration.declaration_id,
        account_id=account.id,
        operator=" ".join(declaration.responsible_person.name.split()),
        material_id=declaration.material.id,
        material_name=declaration.material.name,
        route=declaration.material.route,
        title=declaration.title,
        issue_date=declaration.issue_date,
        class_label=declaration.performance_class.label if declaration.performance_class.assigned else None,
        headline_category=headline.category,
        headline_value=headline.value,
        headline_unit=headline.unit,
        declared_unit_kg=declaration.footprint.declared_unit_kg,
        status="current",
        supersedes_id=request.supersedes,
        content_sha256=raw["content_sha256"],
        study_sha256=declaration.fingerprint.study_sha256,
        signature_key_id=request.signature.key_id,
        declaration_json=json.dumps(raw, indent=2, ensure_ascii=False) + "\n",
        signature_json=request.signature.model_dump_json(indent=2) + "\n",
        study_html=request.study_html,
        quantity_t=request.quantity_t,
        published_at=now,
        revision=1,
    )
    try:
        with write_session(engine) as session:
            other = session.scalar(select(DeclarationRecord.operator).where(
                DeclarationRecord.study_sha256 == record.study_sha256, DeclarationRecord.account_id != account.id).limit(1))
            if other is not None:
                raise refuse(409, f"the study behind this declaration is declared already by {other}; one study is one producer's", "declaration.fingerprint.study_sha256")
            if session.get(DeclarationRecord, declaration.declaration_id) is not None:
                raise refuse(409, f"declaration {declaration.declaration_id} is published already (a replayed upload?); nothing was changed", "declaration.declaration_id")
            if request.supersedes is not None:
                _supersede(session, account, declaration, request.supersedes, now)
            session.add(record)
            session.add_all(OriginRecord(declaration_id=record.declaration_id, stage=o.stage, country=o.country, region=o.region) for o in declaration.origin)
            session.add_all(ValueRecord(declaration_id=record.declaration_id, category=c.category, value=c.value, unit=c.unit) for c in declaration.footprint.categories)
            detail = f"published by {account.operator}" + (f", superseding {request.supersedes}" if request.supersedes else "")
            session.add(EventRecord(declaration_id=record.declaration_id, at=now, kind="published", actor=account.operator, detail=detail))
            session.flush()
            pact_store.add_footprints(session, footprints, record.declaration_id, request.supersedes)
            fault_point("publish-before-commit")
    except IntegrityError:
        raise refuse(409, f"declaration {declaration.declaration_id} was published at the same moment by another request; nothing was changed", "declaration.declaration_id") from None
    fault_point("publish-after-commit")
    return record


def _supersede(session: Any, account: Account, declaration: Declaration, old_id: str, now: dt.datetime) -> None:
    old = session.get(DeclarationRecord, old_id)
    if old is None:
        raise refuse(404, f"there is no declaration {old_id} to supersede", "supersedes")
    if old.account_id != account.id:
        raise refuse(403, f"declaration {old_id} was published by another account; only its producer supersedes it", "supersedes")
    if old.material_id != declaration.material.id:
        raise refuse(422, f"declaration {old_id} is for {old.material_id}, not {declaration.material.id}", "supersedes")
    changed = session.execute(
        update(DeclarationRecord)
        .where(DeclarationRecord.declaration_id == old_id, DeclarationRecord.status == "current")
        .values(status="superseded", superseded_by_id=declaration.declaration_id, revision=DeclarationRecord.revision + 1)
    ).rowcount
    if changed != 1:
        raise refuse(409, f"declaration {old_id} is {old.status}, not current, so it cannot be superseded", "supersedes")
    session.add(EventRecord(declaration_id=old_id, at=now, kind="superseded", actor=account.operator, detail=f"superseded by {declaration.declaration_id}"))
    pact_store.deprecate(session, old_id, now, f"superseded by declaration {declaration.declaration_id} (a new calculation, Annex V Part VI)")


def withdraw(engine: Engine, account: Account, declaration_id: str, reason: str) -> DeclarationRecord:
    """Withdraw a declaration, with the reason shown on its page; nothing is deleted."""
    require(account, "producer", "admin")
    reason = plain_text(reason, field="reason", max_length=2000).strip()
    if not reason:
        raise refuse(422, "a withdrawal needs a reason", "reason")
    now = utcnow()
    with write_session(engine) as session:
        record = session.get(DeclarationRecord, declaration_id)
        if record is None:
            raise refuse(404, f"there is no declaration {declaration_id}")
        if account.role == "producer" and record.account_id != account.id:
            raise refuse(403, "only the producer that published a declaration (or an administrator) withdraws it")
        changed = session.execute(
            update(DeclarationRecord)
            .where(DeclarationRecord.declaration_id == declaration_id, DeclarationRecord.status != "withdrawn")
            .values(status="withdrawn", withdrawn_reason=reason, withdrawn_at=now, revision=DeclarationRecord.revision + 1)
        ).rowcount
        if changed != 1:
            raise refuse(409, f"declaration {declaration_id} is withdrawn already")
        session.add(EventRecord(declaration_id=declaration_id, at=now, kind="withdrawn", actor=account.operator, detail=reason))
        pact_store.deprecate(session, declaration_id, now, f"the declaration was withdrawn: {reason}")
    return record


def attest(engine: Engine, account: Account, document: dict[str, Any], declaration_id: str | None = None) -> AttestationRecord:
    """Attach a verifier's signed verification statement to the declaration it is about."""
    require(account, "verifier")
    try:
        signed = SignedVerificationStatement.model_validate(document)
    except ValidationError as exc:
        where, message = _schema_problem(exc, "")
        raise refuse(422, f"not a signed verification statement: {message}", where.lstrip(".")) from None
    statement = signed.statement
    if declaration_id is not None and statement.declaration_id != declaration_id:
        raise refuse(422, f"the statement is about {statement.declaration_id}, not {declaration_id}", "statement.declaration_id")
    check_texts(document, "")
    if not same_operator(statement.verifier.name, account.operator):
        raise refuse(403, f"the statement is signed as {statement.verifier.name!r}; this account attests only for {account.operator!r}", "statement.verifier.name")
    try:
        check_statement(document, public_key_from_pem(account.public_key_pem or ""))
    except SignatureError as exc:
        raise refuse(422, f"the statement is not signed with this verifier's registered key: {exc.message}", exc.field) from None
    body = document
    digest = sha256_hex(canonical_json(body))
    now = utcnow()
    try:
        with write_session(engine) as session:
            record = session.get(DeclarationRecord, statement.declaration_id)
            if record is None:
                raise refuse(404, f"there is no declaration {statement.declaration_id}", "statement.declaration_id")
            if record.content_sha256 != statement.declaration_content_sha256:
                raise refuse(422, "the statement is about other content than the published declaration (content hashes differ)", "statement.declaration_content_sha256")
            if record.status == "withdrawn":
                raise refuse(409, f"declaration {record.declaration_id} is withdrawn; statements are no longer attached to it")
            if session.scalar(select(AttestationRecord.id).where(AttestationRecord.statement_sha256 == digest)) is not None:
                raise refuse(409, "this statement is attached already (a replayed upload?); nothing was changed")
            attestation = AttestationRecord(
                declaration_id=record.declaration_id, account_id=account.id, verifier=account.operator, key_id=signed.signature.key_id,
                verdict=statement.verdict, verified_on=_naive_utc(statement.verified_on), statement_json=json.dumps(body, indent=2, ensure_ascii=False) + "\n",
                statement_sha256=digest, attested_at=now,
            )
            session.add(attestation)
            session.execute(update(DeclarationRecord).where(DeclarationRecord.declaration_id == record.declaration_id).values(revision=DeclarationRecord.revision + 1))
            session.add(EventRecord(declaration_id=record.declaration_id, at=now, kind="attested", actor=account.operator, detail=f"verification statement: {statement.verdict}"))
    except IntegrityError:
        raise refuse(409, "this statement was attached at the same moment by another request; nothing was changed") from None
    return attestation
