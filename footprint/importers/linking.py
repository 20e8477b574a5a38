"""One linker for every format: source datasets -> Brightway records, and the link report.

Technosphere inputs link to the source dataset the source names as provider, else to the one
dataset whose reference flow it is, else (formats without flow ids) by name, location and
unit. Elementary flows link to biosphere3 through `flowmap.FlowMatcher`. Whatever does not
link is left out of the records and counted in the report, with its most frequent names, so
that a database with gaps is refused (or, with --allow-unlinked, carries them into every
declaration that uses it).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..errors import FootprintInputError
from ..units import conversion_factor_or_none
from .flowmap import FlowMatcher
from .records import SourceDatabase, SourceDataset, SourceExchange

BIOSPHERE = "biosphere3"
TOP_UNLINKED = 15


class Counts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    linked: int = 0
    unlinked: int = 0


class UnlinkedItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="technosphere or elementary")
    name: str
    reason: str
    exchanges: int = Field(description="How many exchanges of the database name it")


class LinkReport(BaseModel):
    """What an import linked and what it could not (`footprint background import` prints it)."""

    model_config = ConfigDict(extra="forbid")

    database: str
    format: str
    source: str
    source_sha256: str
    reader: str
    datasets: int
    technosphere_exchanges: Counts
    elementary_exchanges: Counts
    elementary_flows: Counts = Field(description="Distinct elementary flows of the source")
    technosphere_products: Counts = Field(description="Distinct products the inputs name")
    matched_by: dict[str, int] = Field(default_factory=dict, description="Elementary exchanges per matching rule")
    most_frequent_unlinked: list[UnlinkedItem] = Field(default_factory=list)
    reader_notes: dict[str, int] = Field(default_factory=dict, description="What the reader could not carry, counted")
    allow_unlinked: bool = False

    @property
    def unlinked(self) -> int:
        return self.technosphere_exchanges.unlinked + self.elementary_exchanges.unlinked

    def gaps(self) -> list[str]:
        """The gap in words, as every declaration linked to this database lists it."""
        if not self.unlinked:
            return []
        lines = [
            f"{self.database}: {self.technosphere_exchanges.unlinked:,} of "
            f"{self.technosphere_exchanges.linked + self.technosphere_exchanges.unlinked:,} technosphere inputs and "
            f"{self.elementary_exchanges.unlinked:,} of {self.elementary_exchanges.linked + self.elementary_exchanges.unlinked:,} "
            f"elementary exchanges were left unlinked at import ({self.format}, {self.source}); their burdens are not counted"
        ]
        for item in self.most_frequent_unlinked[:10]:
            lines.append(f"{item.kind} '{item.name}' ({item.reason}): {item.exchanges} exchange(s)")
        return lines


@dataclass
class LinkedDatabase:
    records: dict[tuple[str, str], dict[str, Any]]
    report: LinkReport
    uses_biosphere: bool = False


@dataclass
class _Tally:
    tech: Counts = field(default_factory=Counts)
    elem: Counts = field(default_factory=Counts)
    flows_linked: set[str] = field(default_factory=set)
    flows_unlinked: set[str] = field(default_factory=set)
    products_linked: set[str] = field(default_factory=set)
    products_unlinked: set[str] = field(default_factory=set)
    unlinked: Counter = field(default_factory=Counter)
    rules: Counter = field(default_factory=Counter)


class _Providers:
    """Which source dataset supplies a technosphere input."""

    def __init__(self, datasets: list[SourceDataset]) -> None:
        self.by_id = {d.id: d for d in datasets}
        self.by_flow: dict[str, list[SourceDataset]] = defaultdict(list)
        self.by_name: dict[str, list[SourceDataset]] = defaultdict(list)
        for dataset in datasets:
            if dataset.reference_flow_id:
                self.by_flow[dataset.reference_flow_id].append(dataset)
            for name in {dataset.reference_product, dataset.name}:
                self.by_name[name.strip().lower()].append(dataset)

    def find(self, exchange: SourceExchange) -> tuple[SourceDataset | None, str]:
        if exchange.provider:
            found = self.by_id.get(exchange.provider)
            return (found, "") if found else (None, "its provider is not in this source")
        if exchange.flow_id:
            candidates = self.by_flow.get(exchange.flow_id, [])
        else:
            candidates = self.by_name.get(exchange.name.strip().lower(), [])
            candidates = list({id(d): d for d in candidates}.values())
        if len(candidates) > 1 and exchange.location:
            local = [d for d in candidates if d.location == exchange.location]
            candidates = local or candidates
        if len(candidates) > 1:
            convertible = [d for d in candidates if conversion_factor_or_none(exchange.unit, d.unit) is not None]
            candidates = convertible or candidates
        if len(candidates) == 1:
            return candidates[0], ""
        if not candidates:
            return None, "no dataset of this source produces it"
        return None, f"{len(candidates)} datasets produce it and the source names none"


def check_unique_ids(source: SourceDatabase) -> None:
    """Two datasets with one id would silently overwrite each other in Brightway."""
    seen: dict[str, str] = {}
    for dataset in source.datasets:
        if dataset.id in seen:
            raise FootprintInputError(
                f"duplicate dataset id {dataset.id!r} (also in {seen[dataset.id]})", file=dataset.where, process=dataset.name
            )
        seen[dataset.id] = dataset.where


def link_database(source: SourceDatabase, name: str, matcher: FlowMatcher, *, source_sha256: str) -> LinkedDatabase:
    """Link every exchange; unlinked ones are left out and counted."""
    check_unique_ids(source)
    providers = _Providers(source.datasets)
    tally = _Tally()
    records: dict[tuple[str, str], dict[str, Any]] = {}
    for dataset in source.datasets:
        exchanges: list[dict[str, Any]] = [
            {"input": (name, dataset.id), "amount": dataset.production_amount, "type": "production", "unit": dataset.unit}
        ]
        for exchange in dataset.exchanges:
            if exchange.kind == "technosphere":
                linked = _link_technosphere(exchange, providers, name, tally)
            else:
                linked = _link_elementary(exchange, matcher, tally)
            if linked is not None:
                exchanges.append(linked)
        records[(name, dataset.id)] = {
            "name": dataset.name,
            "reference product": dataset.reference_product,
            "location": dataset.location,
            "unit": dataset.unit,
            "type": "process",
            "comment": dataset.comment or "",
            "exchanges": exchanges,
        }
    report = LinkReport(
        database=name,
        format=source.format,
        source=source.path,
        source_sha256=source_sha256,
        reader=source.reader,
        datasets=len(source.datasets),
        technosphere_exchanges=tally.tech,
        elementary_exchanges=tally.elem,
        elementary_flows=Counts(linked=len(tally.flows_linked), unlinked=len(tally.flows_unlinked - tally.flows_linked)),
        technosphere_products=Counts(
            linked=len(tally.products_linked), unlinked=len(tally.products_unlinked - tally.products_linked)
        ),
        matched_by=dict(tally.rules.most_common()),
        most_frequent_unlinked=[
            UnlinkedItem(kind=kind, name=label, reason=reason, exchanges=count)
            for (kind, label, reason), count in tally.unlinked.most_common(TOP_UNLINKED)
        ],
        reader_notes=dict(source.notes),
    )
    return LinkedDatabase(records=records, report=report, uses_biosphere=bool(tally.elem.linked))


def _link_technosphere(exchange: SourceExchange, providers: _Providers, name: str, tally: _Tally) -> dict[str, Any] | None:
    product_key = exchange.flow_id or exchange.name.strip().lower()
    supplier, reason = providers.find(exchange)
    factor = conversion_factor_or_none(exchange.unit, supplier.unit) if supplier else None
    if supplier is None or factor is None:
        reason = reason or f"its unit {exchange.unit!r} does not convert to the provider's {supplier.unit!r}"  # type: ignore[union-attr]
        tally.tech.unlinked += 1
        tally.products_unlinked.add(product_key)
        tally.unlinked[("technosphere", exchange.name.strip(), reason)] += 1
        return None
    tally.tech.linked += 1
    tally.products_linked.add(product_key)
    amount = exchange.amount * factor
    return {
        "input": (name, supplier.id),
        "amount": -amount if exchange.avoided else amount,
        "type": "technosphere",
        "comment": exchange.comment or "",
    }


def _link_elementary(exchange: SourceExchange, matcher: FlowMatcher, tally: _Tally) -> dict[str, Any] | None:
    flow_key = exchange.flow_id or f"{exchange.name}|{'/'.join(exchange.compartment)}|{exchange.unit}"
    found = matcher.match(exchange.name, exchange.compartment, exchange.unit, exchange.flow_id)
    if found is None:
        tally.elem.unlinked += 1
        tally.flows_unlinked.add(flow_key)
        where = "/".join(part for part in exchange.compartment if part) or "no compartment"
        tally.unlinked[("elementary", f"{exchange.name.strip()} [{where}] ({exchange.unit})", "no biosphere3 flow")] += 1
        return None
    tally.elem.linked += 1
    tally.flows_linked.add(flow_key)
    tally.rules[found.rule] += 1
    is_resource = bool(found.flow.categories) and found.flow.categories[0] == "natural resource"
    # A resource is taken in, an emission given out; the other direction (CO2 uptake written as
    # an emission input) counts negative.
    sign = 1.0 if exchange.is_input == is_resource else -1.0
    return {
        "input": (BIOSPHERE, found.flow.code),
        "amount": sign * exchange.amount * found.factor,
        "type": "biosphere",
        "comment": exchange.comment or "",
    }
