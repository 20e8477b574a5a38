"""The neutral form every database reader produces, and the linker consumes.

Each source format (openLCA JSON-LD, ecoSpold2, SimaPro CSV, Brightway Excel, ILCD) is read
into `SourceDataset`s. One linker (`footprint.importers.linking`) then turns them into
Brightway records, so linking rules and the link report are the same for every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ExchangeKind = Literal["technosphere", "elementary"]


@dataclass
class SourceExchange:
    """One input or output of a source dataset, in the source's own terms."""

    kind: ExchangeKind
    amount: float
    unit: str
    name: str
    is_input: bool
    where: str  # e.g. "processes/<uuid>.json, exchange 4": names the item in errors and reports
    flow_id: str | None = None  # the source's flow identifier (JSON-LD, ecoSpold2, ILCD)
    provider: str | None = None  # the source's id of the supplying dataset, when the source names one
    compartment: tuple[str, ...] = ()  # elementary flows: the source's context path
    location: str | None = None
    avoided: bool = False  # an avoided product (openLCA, SimaPro): a negative input
    comment: str | None = None
    # the amount and unit as the source wrote them (before conversion to the flow's reference
    # unit), so a study import keeps the producer's own numbers
    source_amount: float | None = None
    source_unit: str | None = None
    internal_id: int | None = None
    uncertainty: dict | None = None  # a study-model uncertainty, when the source's maps onto one


@dataclass
class SourceDataset:
    """One process of the source, single-output (readers split or refuse multi-output ones)."""

    id: str
    name: str
    location: str
    unit: str
    reference_product: str
    production_amount: float
    where: str
    reference_flow_id: str | None = None
    exchanges: list[SourceExchange] = field(default_factory=list)
    comment: str | None = None
    notes: list[str] = field(default_factory=list)  # what the reader left out (co-products, formulas)
    source_amount: float | None = None
    source_unit: str | None = None
    coproducts: list[SourceExchange] = field(default_factory=list)  # outputs left out of the database (study import keeps them)
    tags: list[str] = field(default_factory=list)
    reference_comment: str | None = None  # the source's note on the reference output


@dataclass
class SourceDatabase:
    """Everything one reader produced from one file or folder."""

    path: str
    format: str
    datasets: list[SourceDataset]
    reader: str  # which library read it (e.g. "bw2io 0.9.17 SimaProCSVImporter extract")
    notes: dict[str, int] = field(default_factory=dict)  # counts of things the reader could not carry
