"""bw2io's own readers for ecoSpold2, SimaPro CSV and Brightway Excel, without its linking.

bw2io's importers extract a file and apply their normalising strategies (units, SimaPro and
ecoinvent names and compartments, allocation of SimaPro multi-output processes, ...). Their
linking strategies need a Brightway project (and migrations written into it), so those are
left out here: footprint's one linker links every format the same way and reports what
stays unlinked.
"""

from __future__ import annotations

import contextlib
import io
from collections import Counter
from typing import Any

from ..errors import FootprintInputError
from ..files import sha256_hex
from ..units import normalise_spelling
from .records import SourceDatabase, SourceDataset, SourceExchange

# Strategies that read or write a Brightway project: footprint links by itself.
NEEDS_PROJECT = {
    "link_iterable_by_fields",
    "link_technosphere_by_activity_hash",
    "link_technosphere_based_on_name_unit_location",
    "link_internal_technosphere_by_composite_code",
    "link_biosphere_by_flow_uuid",
    "migrate_datasets",
    "migrate_exchanges",
    "update_social_flows_in_older_consequential",
    "add_cpc_classification_from_single_reference_product",
    "delete_none_synonyms",
}
# Strategies that silently drop exchanges whose provider is not in the file: footprint keeps
# them so the link report counts them as unlinked instead of hiding the gap.
HIDES_GAPS = {"delete_exchanges_missing_activity", "delete_ghost_exchanges"}
RESOURCE_COMPARTMENTS = {"natural resource", "resource", "resources", "raw"}


def _name(strategy: Any) -> str:
    return getattr(getattr(strategy, "func", strategy), "__name__", str(strategy))


def apply_strategies(importer: Any) -> list[str]:
    """Apply the importer's strategies that need no project; returns the names applied."""
    applied = []
    with contextlib.redirect_stdout(io.StringIO()):
        for strategy in importer.strategies:
            if _name(strategy) in NEEDS_PROJECT or _name(strategy) in HIDES_GAPS:
                continue
            importer.data = strategy(importer.data)
            applied.append(_name(strategy))
    return applied


def _code(dataset: dict[str, Any]) -> str:
    if dataset.get("code"):
        return str(dataset["code"])
    basis = "|".join(str(dataset.get(k, "")) for k in ("name", "reference product", "location", "unit"))
    return sha256_hex(basis.encode())[:32]


def to_source(data: list[dict[str, Any]], *, path: str, format: str, reader: str) -> SourceDatabase:
    """bw2io's dataset dicts -> footprint's source datasets (technosphere linked later by name)."""
    notes: Counter = Counter()
    datasets = []
    for position, ds in enumerate(data, start=1):
        if ds.get("type") not in (None, "process"):
            continue
        where = f"{path}, dataset {position} ({ds.get('name')})"
        if not ds.get("name"):
            raise FootprintInputError(f"dataset {position} has no name", file=path)
        production = [e for e in ds.get("exchanges", []) if e.get("type") == "production"]
        # Brightway reads an activity without a production exchange as making one unit of itself.
        reference = production[0] if production else {"amount": ds.get("production amount", 1.0), "name": ds["name"]}
        unit = normalise_spelling(ds.get("unit") or reference.get("unit") or "")
        dataset = SourceDataset(
            id=_code(ds), name=ds["name"], location=str(ds.get("location") or "GLO"), unit=unit,
            reference_product=ds.get("reference product") or reference.get("name") or ds["name"],
            production_amount=float(reference.get("amount", 1.0)), where=where, comment=(ds.get("comment") or "")[:2000] or None,
            source_amount=float(reference.get("amount", 1.0)), source_unit=unit,
        )
        for extra in production[1:]:
            notes["co-product outputs left out (burdens stay with the reference product)"] += 1
            dataset.coproducts.append(_exchange(extra, "technosphere", where))
        for number, exchange in enumerate(ds.get("exchanges", []), start=1):
            kind = exchange.get("type")
            if kind in ("technosphere", "substitution"):
                item = _exchange(exchange, "technosphere", f"{where}, exchange {number}")
                item.avoided = kind == "substitution"
                dataset.exchanges.append(item)
            elif kind == "biosphere":
                dataset.exchanges.append(_exchange(exchange, "elementary", f"{where}, exchange {number}"))
            elif kind != "production":
                notes[f"exchanges of type {kind!r} left out"] += 1
            if exchange.get("uncertainty type") not in (None, 0, 1):
                notes["uncertainty distributions not imported"] += 1
        datasets.append(dataset)
    return SourceDatabase(path=path, format=format, datasets=datasets, reader=reader, notes=dict(notes))


def _exchange(exchange: dict[str, Any], kind: str, where: str) -> SourceExchange:
    try:
        amount = float(exchange["amount"])
    except (KeyError, TypeError, ValueError):
        raise FootprintInputError(f"exchange {exchange.get('name')!r} has no numeric amount", file=where) from None
    unit = normalise_spelling(str(exchange.get("unit") or ""))
    if not unit:
        raise FootprintInputError(f"exchange {exchange.get('name')!r} has no unit", file=where)
    categories = tuple(exchange.get("categories") or ())
    linked = exchange.get("input")
    return SourceExchange(
        kind=kind,  # type: ignore[arg-type]
        amount=amount, unit=unit, name=str(exchange.get("name") or ""), where=where,
        is_input=bool(categories) and str(categories[0]).lower() in RESOURCE_COMPARTMENTS,
        flow_id=exchange.get("flow") if kind == "elementary" else None,
        provider=linked[1] if kind == "technosphere" and isinstance(linked, tuple) and len(linked) == 2 else None,
        compartment=tuple(str(c) for c in categories), location=exchange.get("location"),
        comment=exchange.get("comment") or None, source_amount=amount, source_unit=unit,
    )
