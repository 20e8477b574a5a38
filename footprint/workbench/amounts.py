"""Every amount a study writes, and the path by which it reaches the linked foreground.

An amount reaches the foreground arrays through its unit factor and, where the process's
burdens are allocated, through the allocation factor (the inventory records both for each
entry, `ForegroundInventory.*_origins`). A reference output is the process's production and
its allocation weight; a co-product amount or a price is an allocation weight (mass: kg;
economic: kg x EUR/kg); a substituted co-product is a negative purchase (system expansion).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..engine.sensitivity import AmountEffect
from ..study.model import Study
from ..units import conversion_factor


@dataclass(frozen=True)
class StudyAmount:
    """One amount as written, what it is, and how it reaches the foreground arrays."""

    process: str | None
    field: str
    kind: str
    label: str
    amount: float
    unit: str
    data_type: str | None
    effect: AmountEffect
    study: str = "study"


def _entries_by_field(inventory: Any) -> dict[tuple[int, str], tuple[str, int, float]]:
    """(process index, field) -> (kind, entry index, entry per unit of the amount as written)."""
    factors = {applied.process: applied.factor for applied in inventory.allocation if applied.parts}
    found = {}
    for kind, origins in (
        ("foreground", inventory.foreground_link_origins),
        ("background", inventory.background_link_origins),
        ("flows", inventory.flow_origins),
    ):
        for e, origin in enumerate(origins):
            share = factors.get(inventory.process_ids[origin.process], 1.0) if origin.allocated else 1.0
            found[(origin.process, origin.field)] = (kind, e, origin.factor * share)
    return found


def study_amounts(study: Study, inventory: Any, rules: Any) -> list[StudyAmount]:
    """Every amount of the study that the result depends on, in the order they are written."""
    entries = _entries_by_field(inventory)
    allocation = {applied.process: applied for applied in inventory.allocation}
    out: list[StudyAmount] = []
    rule_prices: dict[str, list[tuple[int, int, float]]] = {}
    for j, process in enumerate(study.processes):
        applied = allocation.get(process.id)
        parts = {part.where: (i, part) for i, part in enumerate(applied.parts)} if applied and applied.parts else {}
        economic = applied is not None and applied.method == "economic"

        def add(field: str, kind: str, label: str, amount: float, unit: str, effect: AmountEffect) -> None:
            out.append(StudyAmount(process.id, field, kind, label, float(amount), unit, process.data_type.value, effect))

        reference = process.reference_output
        weights: tuple[tuple[int, int, float], ...] = ()
        if "reference_output" in parts:
            weights = ((j, 0, parts["reference_output"][1].weight / reference.amount),)
        add("reference_output.amount", "reference output", reference.product, reference.amount, reference.unit, AmountEffect(production=j, weights=weights))
        for where, product, amount, unit in [("reference_output", reference.product, reference.amount, reference.unit)] + [
            (f"coproducts[{i}]", c.product, c.amount, c.unit) for i, c in enumerate(process.coproducts, start=1)
        ]:
            if not economic or where not in parts:
                continue
            i, part = parts[where]
            per_price = amount * conversion_factor(unit, "kg")
            if part.price_field and part.price_field.startswith("rules."):
                rule_prices.setdefault(product, []).append((j, i, per_price))
            elif part.price_field:
                price = process.reference_output.price if where == "reference_output" else process.coproducts[i - 1].price
                add(part.price_field, "price", product, price or 0.0, "EUR/kg", AmountEffect(weights=((j, i, per_price),)))
        for position, item in enumerate(process.inputs, start=1):
            kind, e, per_unit = entries[(j, f"inputs[{position}].amount")]
            add(f"inputs[{position}].amount", "input", item.describe(), item.amount, item.unit, AmountEffect(entries=((kind, e, per_unit),)))
        for position, flow in enumerate(process.elementary_flows, start=1):
            kind, e, per_unit = entries[(j, f"elementary_flows[{position}].amount")]
            add(f"elementary_flows[{position}].amount", "elementary flow", flow.describe(), flow.amount, flow.unit, AmountEffect(entries=((kind, e, per_unit),)))
        for position, coproduct in enumerate(process.coproducts, start=1):
            field = f"coproducts[{position}].amount"
            if (j, field) in entries:  # system expansion: a negative purchase of what it substitutes
                kind, e, per_unit = entries[(j, field)]
                effect = AmountEffect(entries=((kind, e, per_unit),))
            elif f"coproducts[{position}]" in parts:
                i, part = parts[f"coproducts[{position}]"]
                per_unit = conversion_factor(coproduct.unit, "kg") * (1.0 if not economic else _price(process, coproduct, rules))
                effect = AmountEffect(weights=((j, i, per_unit),))
            else:
                continue
            add(field, "co-product amount", coproduct.product, coproduct.amount, coproduct.unit, effect)
    for product, weights in rule_prices.items():
        price = rules.price_of(product)
        out.append(StudyAmount(None, f"rules.prices[{product}]", "price", product, price.eur_per_kg, "EUR/kg", None, AmountEffect(weights=tuple(weights)), study="rules"))
    return out


def _price(process: Any, coproduct: Any, rules: Any) -> float:
    if coproduct.price is not None:
        return float(coproduct.price)
    known = rules.price_of(coproduct.product)
    return float(known.eur_per_kg) if known else 0.0
