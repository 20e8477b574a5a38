"""Publishing a product's permanent-magnet records (Regulation (EU) 2024/1252 Art. 28 and 29).

`footprint magnets declare` writes the Art. 28 data record (data-record.json) and, where Art. 29
applies, the recycled-content declaration (recycled-content.json), both sealed with a content
hash and with ids derived from their fingerprint and issue date (`footprint.magnets.records`).
A producer uploads them as they are, signed or not (`recycled-content.sig`, `data-record.sig`
from `magnets declare --sign`); each then has its own permanent page.

What is refused before anything is stored (4xx naming the field): a record that fails its
schema or content hash, an id its fingerprint and issue date do not give, an issue date in the
future, another operator's name, a declaration the record does not name (or a missing one it
does), two records made from different product files, markup or SQL in any text, an address
that is not http(s), a signature that is not this producer's, a replayed upload, and a product
file another producer has published records of.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from footprint.declaration import content_hash
from footprint.magnets.records import MagnetDataRecord, RecycledContentDeclaration, record_ids
from footprint.signing import Signature, SignatureError, check_record_signature, public_key_from_pem

from .accounts import same_operator
from .checks import check_texts, check_web_address, refuse
from .db import write_session
from .models import Account, MagnetRecord
from .service import ISSUE_DATE_GRACE, require, utcnow


def _parse(model: Any, raw: dict[str, Any], field: str, what: str) -> Any:
    try:
        parsed = model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise refuse(422, f"the {what} does not match its schema: {first['msg']}", ".".join([field, *(str(p) for p in first["loc"])])) from None
    if raw.get("content_sha256") != content_hash(raw):
        raise refuse(422, f"the {what}'s content hash does not match its content: it was changed after it was issued", f"{field}.content_sha256")
    return parsed


def _check_common(parsed: Any, raw: dict[str, Any], account: Account, field: str, today: dt.date) -> None:
    if parsed.issue_date > today + ISSUE_DATE_GRACE:
        raise refuse(422, f"the record is dated {parsed.issue_date}, in the future", f"{field}.issue_date")
    name = parsed.responsible_person.name
    if not same_operator(name, account.operator):
        raise refuse(403, f"the record is issued by {name!r}; this account publishes only for {account.operator!r}", f"{field}.responsible_person.name")
    check_texts(raw, field)
    check_web_address(parsed.responsible_person.website, field=f"{field}.responsible_person.website")


def _check_signature(raw: dict[str, Any], signature: Signature | None, account: Account, field: str) -> str | None:
    """The key id when a signature came (it must be this producer's), None when the record is unsigned."""
    if signature is None:
        return None
    try:
        check_record_signature(raw, signature, public_key_from_pem(account.public_key_pem or ""))
    except SignatureError as exc:
        raise refuse(422, f"the signature is not this producer's signature of this record: {exc.message}", f"{field}_signature") from None
    return signature.key_id


def check_records(
    account: Account, record_raw: dict[str, Any], declaration_raw: dict[str, Any] | None, *, today: dt.date | None = None,
) -> tuple[MagnetDataRecord, RecycledContentDeclaration | None]:
    """The registry's checks of an uploaded data record and its recycled-content declaration."""
    today = today or dt.datetime.now(dt.timezone.utc).date()
    record = _parse(MagnetDataRecord, record_raw, "data_record", "data record")
    _check_common(record, record_raw, account, "data_record", today)
    if record.record_id != record_ids(record.fingerprint, record.issue_date)[1]:
        raise refuse(422, "the record id is not the one its fingerprint and issue date give", "data_record.record_id")
    check_web_address(record.data_carrier.payload, field="data_record.data_carrier.payload")
    if record.recycled_content is not None:
        check_web_address(record.recycled_content.url, field="data_record.recycled_content.url", relative_allowed=("recycled-content.html",))
    if declaration_raw is None:
        if record.recycled_content is not None:
            raise refuse(422, f"the data record names the recycled-content declaration {record.recycled_content.id}; attach it (recycled-content.json)", "recycled_content")
        return record, None
    declaration = _parse(RecycledContentDeclaration, declaration_raw, "recycled_content", "recycled-content declaration")
    _check_common(declaration, declaration_raw, account, "recycled_content", today)
    if record.recycled_content is None or record.recycled_content.id != declaration.declaration_id:
        raise refuse(422, "the data record does not name this recycled-content declaration: upload the two written together", "recycled_content.declaration_id")
    if declaration.data_record.id != record.record_id:
        raise refuse(422, "the declaration names another data record", "recycled_content.data_record.id")
    if declaration.fingerprint != record.fingerprint or declaration.issue_date != record.issue_date:
        raise refuse(422, "the two records were not made from the same product file on the same day", "recycled_content.fingerprint")
    if declaration.declaration_id != record_ids(declaration.fingerprint, declaration.issue_date)[0]:
        raise refuse(422, "the declaration id is not the one its fingerprint and issue date give", "recycled_content.declaration_id")
    return record, declaration


def publish_magnets(
    engine: Engine, account: Account, record_raw: dict[str, Any], record_signature: Signature | None,
    declaration_raw: dict[str, Any] | None, declaration_signature: Signature | None, *, today: dt.date | None = None,
) -> MagnetRecord:
    """Check and store a product's magnet records in one transaction."""
    require(account, "producer")
    record, declaration = check_records(account, record_raw, declaration_raw, today=today)
    keys = {_check_signature(record_raw, record_signature, account, "data_record")}
    if declaration_raw is not None:
        keys.add(_check_signature(declaration_raw, declaration_signature, account, "recycled_content"))
    elif declaration_signature is not None:
        raise refuse(422, "a signature of a recycled-content declaration came without the declaration", "recycled_content_signature")
    keys.discard(None)
    row = MagnetRecord(
        record_id=record.record_id, declaration_id=declaration.declaration_id if declaration else None, account_id=account.id,
        operator=" ".join(record.responsible_person.name.split()), product_name=record.product.name, product_model=record.product.model,
        product_group=record.product.group, unique_product_identifier=record.unique_product_identifier, issue_date=record.issue_date,
        product_sha256=record.fingerprint.product_sha256, record_content_sha256=record_raw["content_sha256"],
        declaration_content_sha256=declaration_raw["content_sha256"] if declaration_raw else None,
        signature_key_id=next(iter(keys), None),
        record_json=json.dumps(record_raw, indent=2, ensure_ascii=False) + "\n",
        record_signature_json=record_signature.model_dump_json(indent=2) + "\n" if record_signature else None,
        declaration_json=json.dumps(declaration_raw, indent=2, ensure_ascii=False) + "\n" if declaration_raw else None,
        declaration_signature_json=declaration_signature.model_dump_json(indent=2) + "\n" if declaration_signature else None,
        published_at=utcnow(),
    )
    try:
        with write_session(engine) as session:
            other = session.scalar(select(MagnetRecord.operator).where(MagnetRecord.product_sha256 == row.product_sha256, MagnetRecord.account_id != account.id).limit(1))
            if other is not None:
                raise refuse(409, f"records of this product file are published already by {other}", "data_record.fingerprint.product_sha256")
            if session.get(MagnetRecord, row.record_id) is not None:
                raise refuse(409, f"data record {row.record_id} is published already (a replayed upload?); nothing was changed", "data_record.record_id")
            session.add(row)
    except IntegrityError:
        raise refuse(409, f"data record {row.record_id} was published at the same moment by another request; nothing was changed", "data_record.record_id") from None
    return row
