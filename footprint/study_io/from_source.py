"""A producer's model (openLCA, ecoSpold2, SimaPro CSV) -> a study, with explicit placeholders.

The product's process and every process of the source it draws on become the study's
processes; inputs from elsewhere link to the chosen background by name, location and unit
when exactly one dataset matches, else they are written as an unlinked placeholder.
Elementary flows are matched to biosphere3 like a database import. What the source cannot
know (stage, Annex V category, data type, operator, sites, reporting period) is written as
the placeholder TO-FILL, which `footprint check` names one by one. A package that footprint
exported itself carries a sidecar (footprint/study.json) that fills those values back in.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..errors import FootprintInputError, LinkError
from ..importers.flowmap import FlowMatcher
from ..importers.linking import _Providers
from ..importers.records import SourceDatabase, SourceDataset, SourceExchange
from ..study import PLACEHOLDER
from ..units import check_unit


def _slug(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-._").lower()[:60] or "process"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _amount_unit(exchange: SourceExchange | SourceDataset, amount: float, unit: str) -> tuple[float, str]:
    """The producer's own amount and unit when pint reads that unit, else the converted one."""
    if exchange.source_amount is not None and exchange.source_unit:
        try:
            check_unit(exchange.source_unit)
            return exchange.source_amount, exchange.source_unit
        except ValueError:
            pass
    return amount, unit


def pick_product(source: SourceDatabase, product: str | None) -> SourceDataset:
    datasets = source.datasets
    if product:
        found = [d for d in datasets if product in (d.reference_product, d.name, d.id)]
        if len(found) != 1:
            names = "; ".join(sorted({d.reference_product for d in datasets}))[:2000]
            raise FootprintInputError(
                f"{len(found)} processes make {product!r}; name one product of: {names}", file=source.path, field="--product"
            )
        return found[0]
    providers = _Providers(datasets)
    consumed = {id(providers.find(e)[0]) for d in datasets for e in d.exchanges if e.kind == "technosphere"}
    finals = [d for d in datasets if id(d) not in consumed]
    if len(finals) == 1:
        return finals[0]
    names = "; ".join(sorted(d.reference_product for d in finals or datasets))[:2000]
    raise FootprintInputError(f"the model makes more than one product; choose one with --product: {names}", file=source.path, field="--product")


def study_from_source(
    source: SourceDatabase,
    *,
    product: str | None = None,
    background: Any | None = None,
    matcher: FlowMatcher,
    sidecar: dict[str, Any] | None = None,
    material: str | None = None,
) -> dict[str, Any]:
    """The raw study (a dict as its TOML parses) of the model's product."""
    main = pick_product(source, product)
    providers = _Providers(source.datasets)
    chosen: list[SourceDataset] = [main]
    todo = [main]
    while todo:
        for exchange in todo.pop().exchanges:
            if exchange.kind == "technosphere":
                supplier, _ = providers.find(exchange)
                if supplier is not None and all(supplier is not d for d in chosen):
                    chosen.append(supplier)
                    todo.append(supplier)
    notes = (sidecar or {}).get("processes", {})
    by_uuid = {note.get("uuid"): (pid, note) for pid, note in notes.items()}
    taken: set[str] = set()
    ids = {}
    for dataset in chosen:
        known = by_uuid.get(dataset.id)
        tag = next((t.split("=", 1)[1] for t in dataset.tags if t.startswith("footprint:id=")), None)
        ids[id(dataset)] = known[0] if known else (tag or _slug(dataset.name, taken))
    processes = [_process(d, ids, providers, background, matcher, by_uuid.get(d.id, (None, {}))[1], source.path) for d in chosen]
    if notes:
        order = list(notes)
        processes.sort(key=lambda p: order.index(p["id"]) if p["id"] in order else len(order))
    else:
        processes.reverse()  # suppliers first, the product last, as studies read
    top = dict((sidecar or {}).get("study") or {})
    if top:
        period = top.get("reporting_period") or {}
        top["reporting_period"] = {k: dt.date.fromisoformat(v) if isinstance(v, str) and not v.startswith(PLACEHOLDER) else v for k, v in period.items()}
        return {**top, "processes": processes}
    raw: dict[str, Any] = {
        "title": f"{main.reference_product} (imported from {source.format})",
        "material": material or PLACEHOLDER,
        "route": PLACEHOLDER,
        "reporting_period": {"start": PLACEHOLDER, "end": PLACEHOLDER},
        "product_process": ids[id(main)],
        "operator": {"name": PLACEHOLDER, "trade_name": PLACEHOLDER, "postal_address": PLACEHOLDER, "email": PLACEHOLDER},
        "sites": [{"stage": PLACEHOLDER, "country": PLACEHOLDER, "region": PLACEHOLDER}],
        "processes": processes,
    }
    if background is not None and getattr(background, "kind", "starter") != "starter":
        raw["background"] = background.database
        raw["background_project"] = background.project
    return raw


def _tag(dataset: SourceDataset, key: str) -> str:
    return next((t.split("=", 1)[1] for t in dataset.tags if t.startswith(f"footprint:{key}=")), PLACEHOLDER)


def _sourced(item: dict[str, Any], exchange: SourceExchange, path: str) -> dict[str, Any]:
    item["source"] = exchange.comment or f"imported from {path} ({exchange.where.rsplit('!', 1)[-1]})"
    if exchange.uncertainty:
        item["uncertainty"] = dict(exchange.uncertainty)
    return item


def _process(dataset, ids, providers, background, matcher, note, path) -> dict[str, Any]:
    amount, unit = _amount_unit(dataset, dataset.production_amount, dataset.unit)
    reference = {"product": dataset.reference_product, "amount": amount, "unit": unit, **note.get("reference_output", {})}
    if dataset.reference_comment:
        reference["source"] = dataset.reference_comment
    if "source" not in reference:
        reference["source"] = f"imported from {path} ({dataset.where.rsplit('!', 1)[-1]})"
    process: dict[str, Any] = {
        "id": ids[id(dataset)], "name": dataset.name, "stage": _tag(dataset, "stage"), "category": _tag(dataset, "category"),
        "data_type": _tag(dataset, "data_type"), "location": dataset.location, "reference_output": reference,
    }
    if dataset.comment and note:
        process["description"] = dataset.comment
    for key in ("allocation", "electricity_supply", "sampling"):
        if key in note:
            process[key] = note[key]
    by_internal = {kind: {entry["internal_id"]: entry for entry in note.get(kind, [])} for kind in ("inputs", "elementary_flows", "coproducts")}
    inputs, flows, coproducts = [], [], []
    for exchange in dataset.exchanges:
        if exchange.kind == "technosphere":
            amount, unit = _amount_unit(exchange, exchange.amount, exchange.unit)
            item: dict[str, Any] = {"amount": amount, "unit": unit}
            known = by_internal["inputs"].get(exchange.internal_id)
            if known:
                item.update({k: v for k, v in known.items() if k != "internal_id"})
            else:
                supplier, _ = providers.find(exchange)
                if supplier is not None and id(supplier) in ids:
                    item["process"] = ids[id(supplier)]
                else:
                    item.update(_background_link(exchange, background, unit))
            inputs.append(_sourced(item, exchange, path))
        else:
            amount, unit = _amount_unit(exchange, exchange.amount, exchange.unit)
            item = {"amount": amount, "unit": unit}
            known = by_internal["elementary_flows"].get(exchange.internal_id)
            if known:
                item.update({k: v for k, v in known.items() if k != "internal_id"})
            else:
                item.update(_elementary_link(exchange, matcher))
            flows.append(_sourced(item, exchange, path))
    for exchange in dataset.coproducts:
        amount, unit = _amount_unit(exchange, exchange.amount, exchange.unit)
        item = {"product": exchange.name, "amount": amount, "unit": unit}
        known = by_internal["coproducts"].get(exchange.internal_id)
        if known:
            item.update({k: v for k, v in known.items() if k != "internal_id"})
        coproducts.append(_sourced(item, exchange, path))
    for key, values in (("inputs", inputs), ("elementary_flows", flows), ("coproducts", coproducts)):
        if values:
            process[key] = values
    return process


def _background_link(exchange: SourceExchange, background: Any | None, unit: str) -> dict[str, Any]:
    marker = {"dataset": f"{PLACEHOLDER}: unlinked input {exchange.name.strip()!r} [{exchange.location or 'any location'}] ({unit})"}
    if background is None:
        return marker
    for location in ([exchange.location] if exchange.location else []) + [None]:
        try:
            found = background.by_name(exchange.name.strip(), location, unit)
        except LinkError:
            continue
        return {"name": found.name, "location": found.location}
    return marker


def _elementary_link(exchange: SourceExchange, matcher: FlowMatcher) -> dict[str, Any]:
    found = matcher.match(exchange.name, exchange.compartment, exchange.unit, exchange.flow_id)
    if found is None or not exchange.is_input == (bool(found.flow.categories) and found.flow.categories[0] == "natural resource"):
        where = "/".join(exchange.compartment) or "no compartment"
        return {"key": f"{PLACEHOLDER}: unlinked elementary flow {exchange.name.strip()!r} [{where}] ({exchange.unit})"}
    return {"flow": found.flow.name, "compartment": "/".join(found.flow.categories)}
