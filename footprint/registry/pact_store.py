"""PACT product footprints in the registry: checked at publish, stored, kept in step with their
declaration, served with PACT's life-cycle fields.

Where they come from. A PACT footprint needs what only the study holds (the climate result
split into its fossil, biogenic and land-use parts, the primary data share, the reference
period), and the study stays with its producer (Art. 46). So the producer's side computes them
when it publishes — `footprint registry publish --study STUDY` runs `footprint.export`'s
`build_pact_v2` / `build_pact_v3` — and the registry stores them beside the declaration.

What the registry checks, before anything is stored: each footprint validates against
footprint's PACT 2.3 / 3.0 models; it is the one of this declaration (its id is
`footprint.export.fields.pf_id` of the declaration id); it names the declaration's producer and
material, is created on the declaration's issue date, covers the declaration's reporting period
and declared unit, and its total (pCfExcludingBiogenic / pcfExcludingBiogenicUptake) is the
declaration's climate change result within footprint's tolerance; it is Active and names no
predecessor (the registry sets those). The split into parts rests on the producer's account,
which published it with its token; a verifier re-derives it with `footprint export`.

Life cycle (PACT "Product Footprint Life Cycle"): a footprint is Active while its declaration is
current; when the declaration is superseded or withdrawn it becomes Deprecated, with a status
comment saying why, its 2.3 `version` one higher and `updated` set; a superseding declaration's
footprint names its predecessor in `precedingPfIds`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from footprint.declaration import Declaration
from footprint.export.fields import pf_id, utc
from footprint.methods import CLIMATE_CHANGE
from footprint.verification import agree

from .checks import check_texts, refuse
from .models import PactFootprint, PactIdentifier
from .pact_filter import parse_time

VALIDITY_YEARS = 3  # PACT 3.0 data model, validityPeriodStart: valid 3 years from referencePeriodEnd unless stated
SPECS = {"2": "2.3", "3": "3.0"}


@dataclass
class CheckedFootprint:
    """An uploaded footprint that passed the checks, with what the filters need."""

    spec: str
    document: dict[str, Any]
    model: Any


def _model(spec: str) -> Any:
    if spec == "2":
        from footprint.export.pact_v2 import ProductFootprint
    else:
        from footprint.export.pact_v3 import ProductFootprint
    return ProductFootprint


def check_footprint(document: dict[str, Any], spec: str, declaration: Declaration) -> CheckedFootprint:
    """Refuse (422, naming the field) an uploaded PACT footprint that is not this declaration's."""
    field = f"pact_v{spec}"
    check_texts(document, field)
    try:
        model = _model(spec).model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise refuse(422, f"the PACT {SPECS[spec]} footprint does not match its schema: {first['msg']}",
                     ".".join([field, *(str(p) for p in first["loc"])])) from None
    did = declaration.declaration_id
    try:
        first, last = (dt.date.fromisoformat(part) for part in declaration.footprint.reporting_period.split(" to "))
    except ValueError:
        raise refuse(422, "the declaration's reporting period is not 'YYYY-MM-DD to YYYY-MM-DD', so no PACT footprint can be checked against it",
                     "declaration.footprint.reporting_period") from None
    expected = {
        "id": (model.id, pf_id(did)),
        "status": (model.status, "Active"),
        "companyName": (model.companyName, declaration.responsible_person.name),
        "productNameCompany": (model.productNameCompany, declaration.material.name),
        "created": (model.created, utc(declaration.issue_date)),
        "pcf.referencePeriodStart": (model.pcf.referencePeriodStart, utc(first)),
        "pcf.referencePeriodEnd": (model.pcf.referencePeriodEnd, utc(last + dt.timedelta(days=1))),
    }
    for name, (found, wanted) in expected.items():
        if found != wanted:
            raise refuse(422, f"the PACT {SPECS[spec]} footprint is not the one of declaration {did}: {name} is {found!r}, the declaration gives {wanted!r}", f"{field}.{name}")
    if model.precedingPfIds:
        raise refuse(422, "precedingPfIds is set by the registry, from the declaration this one supersedes", f"{field}.precedingPfIds")
    amount = model.pcf.unitaryProductAmount if spec == "2" else model.pcf.declaredUnitAmount
    if float(amount) != declaration.footprint.declared_unit_kg:
        raise refuse(422, f"the footprint's declared unit amount {amount} is not the declaration's {declaration.footprint.declared_unit_kg:g} kg", f"{field}.pcf")
    total_name = "pCfExcludingBiogenic" if spec == "2" else "pcfExcludingBiogenicUptake"
    total = float(getattr(model.pcf, total_name))
    try:
        climate = declaration.category(CLIMATE_CHANGE).value
    except KeyError:
        raise refuse(422, "the declaration declares no climate change result, so it has no PACT footprint", field) from None
    if not agree(climate, total):
        raise refuse(422, f"the footprint's {total_name} {total!r} is not the declaration's climate change result {climate!r}", f"{field}.pcf.{total_name}")
    return CheckedFootprint(spec=spec, document=document, model=model)


def _add_years(moment: dt.datetime, years: int) -> dt.datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def add_footprints(session: Session, checked: list[CheckedFootprint], declaration_id: str, supersedes: str | None) -> None:
    """Store the footprints of a declaration being published (inside its publish transaction)."""
    for item in checked:
        model, pcf = item.model, item.model.pcf
        preceding = None
        if supersedes is not None:
            preceding = session.scalar(select(PactFootprint.pf_id).where(PactFootprint.declaration_id == supersedes, PactFootprint.spec == item.spec))
        reference_end = parse_time(pcf.referencePeriodEnd, "referencePeriodEnd")
        start = parse_time(model.validityPeriodStart, "validityPeriodStart") if model.validityPeriodStart else reference_end
        end = parse_time(model.validityPeriodEnd, "validityPeriodEnd") if model.validityPeriodEnd else _add_years(reference_end, VALIDITY_YEARS)
        row = PactFootprint(
            declaration_id=declaration_id, spec=item.spec, pf_id=model.id, document_json=json.dumps(item.document, ensure_ascii=False),
            status="Active", version=getattr(model, "version", 0), preceding_pf_id=preceding,
            created_at=parse_time(model.created, "created"), cpc=getattr(model, "productCategoryCpc", None), geography=pcf.geographyCountry,
            reference_start=parse_time(pcf.referencePeriodStart, "referencePeriodStart"), reference_end=reference_end,
            validity_start=start, validity_end=end,
        )
        session.add(row)
        session.flush()
        kinds = {"product": model.productIds, "company": model.companyIds, "classification": getattr(model, "productClassifications", None) or []}
        session.add_all(PactIdentifier(footprint_id=row.id, kind=kind, value=value) for kind, values in kinds.items() for value in values)


def deprecate(session: Session, declaration_id: str, now: dt.datetime, comment: str) -> None:
    """Deprecate a declaration's footprints (it was superseded or withdrawn), in the same transaction."""
    session.execute(
        update(PactFootprint)
        .where(PactFootprint.declaration_id == declaration_id, PactFootprint.status == "Active")
        .values(status="Deprecated", status_comment=comment, version=PactFootprint.version + 1, updated_at=now)
    )


def _time(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def served(row: PactFootprint) -> dict[str, Any]:
    """The footprint as PACT serves it: the upload with the registry's life-cycle fields."""
    document = json.loads(row.document_json)
    document["status"] = row.status
    if row.preceding_pf_id:
        document["precedingPfIds"] = [row.preceding_pf_id]
    if row.spec == "2":
        document["version"] = row.version
        if row.updated_at is not None:
            document["updated"] = _time(row.updated_at)
        if row.status_comment:
            document["statusComment"] = row.status_comment
    return document


def list_footprints(session: Session, spec: str, conditions: list[Any], offset: int, limit: int) -> tuple[list[dict[str, Any]], bool]:
    """One page of footprints in publishing order, and whether more follow."""
    rows = session.scalars(
        select(PactFootprint).where(PactFootprint.spec == spec, *conditions).order_by(PactFootprint.id).offset(offset).limit(limit + 1)
    ).all()
    return [served(r) for r in rows[:limit]], len(rows) > limit


def get_footprint(session: Session, spec: str, footprint_id: str) -> dict[str, Any] | None:
    row = session.scalar(select(PactFootprint).where(PactFootprint.spec == spec, PactFootprint.pf_id == footprint_id[:36]))
    return served(row) if row is not None else None


def footprint_links(session: Session, declaration_id: str) -> dict[str, str]:
    """The declaration's footprints in the PACT API, by version (for its record and page)."""
    rows = session.execute(select(PactFootprint.spec, PactFootprint.pf_id).where(PactFootprint.declaration_id == declaration_id)).all()
    return {f"pact_v{spec}": f"/{spec}/footprints/{pf}" for spec, pf in sorted(rows)}
