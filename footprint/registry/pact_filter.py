"""PACT's ListFootprints filters, as SQL conditions on `pact_footprints`.

Version 2 (Technical Specifications 2.3, Action ListFootprints, "Filtering"): the optional
`$filter` parameter in a subset of OData v4 — comparisons `eq lt le gt ge` on `created`,
`updated`, `productCategoryCpc`, `pcf/geographyCountry`, `pcf/referencePeriodStart` and
`pcf/referencePeriodEnd`, the lambda `productIds/any(p:(p eq '...'))` (and on `companyIds`),
joined with `and`, with brackets. Anything else is refused with a reason (PACT's BadRequest),
never guessed at.

Version 3 (Technical Specifications 3.0, "Filtering"): query parameters `productId`,
`companyId`, `geography`, `classification` (each repeatable: any of the values matches),
`validOn`, `validAfter`, `validBefore` and `status`. The validity period is the footprint's
own, else three years from its reference period's end (3.0 data model, validityPeriodStart).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import and_, exists

from .models import PactFootprint, PactIdentifier

MAX_FILTER_CHARS = 2000
V2_COLUMNS = {
    "created": PactFootprint.created_at,
    "updated": PactFootprint.updated_at,
    "productCategoryCpc": PactFootprint.cpc,
    "pcf/geographyCountry": PactFootprint.geography,
    "pcf/referencePeriodStart": PactFootprint.reference_start,
    "pcf/referencePeriodEnd": PactFootprint.reference_end,
}
DATE_COLUMNS = {"created", "updated", "pcf/referencePeriodStart", "pcf/referencePeriodEnd"}
LAMBDAS = {"productIds/any": "product", "companyIds/any": "company"}
_TOKEN = re.compile(r"\s*(?:(?P<open>\()|(?P<close>\))|(?P<colon>:)|(?P<text>'(?:[^']|'')*')|(?P<word>[A-Za-z_][A-Za-z0-9_/]*))")


class FilterError(ValueError):
    """A filter PACT's subset does not allow, with the reason."""


def parse_time(text: str, what: str) -> dt.datetime:
    """An ISO 8601 date or UTC date-time as a naive UTC datetime (how the columns store them)."""
    value = text.strip()
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if "T" in value else dt.datetime.combine(dt.date.fromisoformat(value), dt.time())
    except ValueError:
        raise FilterError(f"{what} {text!r} is not an ISO 8601 date or date-time") from None
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def _tokens(text: str) -> list[tuple[str, str]]:
    out, at = [], 0
    while at < len(text):
        if not text[at:].strip():
            break
        match = _TOKEN.match(text, at)
        if match is None:
            raise FilterError(f"cannot read the $filter at {text[at:at + 20]!r}")
        out.append((match.lastgroup or "", match.group(match.lastgroup or 0)))
        at = match.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.items = _tokens(text)
        self.at = 0

    def peek(self) -> tuple[str, str] | None:
        return self.items[self.at] if self.at < len(self.items) else None

    def take(self, kind: str, value: str | None = None) -> str:
        item = self.peek()
        if item is None or item[0] != kind or (value is not None and item[1] != value):
            found = "the end" if item is None else repr(item[1])
            raise FilterError(f"expected {value or kind} in the $filter, found {found}")
        self.at += 1
        return item[1]

    def expression(self) -> Any:
        terms = [self.term()]
        while self.peek() == ("word", "and"):
            self.at += 1
            terms.append(self.term())
        return and_(*terms) if len(terms) > 1 else terms[0]

    def term(self) -> Any:
        item = self.peek()
        if item == ("open", "("):
            self.at += 1
            inner = self.expression()
            self.take("close")
            return inner
        name = self.take("word")
        if name in LAMBDAS:
            return self.lambda_(LAMBDAS[name])
        if name not in V2_COLUMNS:
            raise FilterError(f"the $filter cannot filter on {name!r}; it filters on {', '.join([*V2_COLUMNS, 'productIds/any', 'companyIds/any'])}")
        operator = self.take("word")
        literal = _literal(self.take("text"))
        column = V2_COLUMNS[name]
        value: Any = parse_time(literal, name) if name in DATE_COLUMNS else literal
        comparisons = {"eq": column == value, "lt": column < value, "le": column <= value, "gt": column > value, "ge": column >= value}
        if operator not in comparisons:
            raise FilterError(f"the $filter operator {operator!r} is not one of eq, lt, le, gt, ge")
        return comparisons[operator]

    def lambda_(self, kind: str) -> Any:
        self.take("open")
        variable = self.take("word")
        self.take("colon")
        brackets = self.peek() == ("open", "(")
        if brackets:
            self.at += 1
        if self.take("word") != variable:
            raise FilterError(f"the lambda compares its own variable {variable!r}")
        self.take("word", "eq")
        value = _literal(self.take("text"))
        if brackets:
            self.take("close")
        self.take("close")
        return identifier_is(kind, [value])


def _literal(text: str) -> str:
    return text[1:-1].replace("''", "'")


def identifier_is(kind: str, values: list[str]) -> Any:
    """The footprint has an identifier of this kind equal to one of `values`."""
    return exists().where(PactIdentifier.footprint_id == PactFootprint.id, PactIdentifier.kind == kind, PactIdentifier.value.in_(values))


def v2_conditions(text: str | None) -> list[Any]:
    """SQL conditions of a PACT 2 `$filter` (none without one)."""
    if text is None or not text.strip():
        return []
    if len(text) > MAX_FILTER_CHARS:
        raise FilterError(f"the $filter is {len(text):,} characters long; the limit is {MAX_FILTER_CHARS:,}")
    parser = _Parser(text)
    condition = parser.expression()
    if parser.peek() is not None:
        raise FilterError(f"the $filter goes on after a complete expression: {parser.peek()[1]!r}")  # type: ignore[index]
    return [condition]


def v3_conditions(params: Any) -> list[Any]:
    """SQL conditions of PACT 3 ListFootprints criteria (`params`: the request's query parameters)."""
    conditions: list[Any] = []
    for name, kind in (("productId", "product"), ("companyId", "company"), ("classification", "classification")):
        values = [v for v in params.getlist(name) if v.strip()]
        if values:
            conditions.append(identifier_is(kind, values))
    places = [v.strip().upper() for v in params.getlist("geography") if v.strip()]
    if places:
        conditions.append(PactFootprint.geography.in_(places))
    if params.get("validOn"):
        moment = parse_time(params["validOn"], "validOn")
        conditions.append(and_(PactFootprint.validity_start <= moment, moment < PactFootprint.validity_end))
    if params.get("validAfter"):
        conditions.append(PactFootprint.validity_start > parse_time(params["validAfter"], "validAfter"))
    if params.get("validBefore"):
        conditions.append(PactFootprint.validity_end < parse_time(params["validBefore"], "validBefore"))
    status = params.get("status")
    if status:
        if status not in ("Active", "Deprecated"):
            raise FilterError(f"status is Active or Deprecated, not {status!r}")
        conditions.append(PactFootprint.status == status)
    return conditions
