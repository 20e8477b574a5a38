"""The foreground inventory: a study's processes linked to each other and to a background.

Every amount is converted here to the unit of what it links to, co-product allocation is
applied, and the electricity rule is checked. The result is plain arrays that the engine
hands to bw2calc.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..background.brightway import Background, LinkedDataset
from ..errors import CalculationError, FootprintInputError, LinkError
from ..rules import MaterialRules
from ..study.model import Allocation, Process, Study
from ..units import conversion_factor, is_mass
from .electricity import ElectricityChoice, check_electricity, check_substituted, check_supply_entries

# Foreground node ids live far above any id bw2data hands out, so they never collide.
FOREGROUND_ID_OFFSET = 10**15


@dataclass(frozen=True)
class AllocationPart:
    """One product's weight in a process's allocation key (kg, or kg x EUR/kg for economic)."""

    where: str  # "reference_output" or "coproducts[i]"
    weight: float
    price_field: str | None = None  # where its price was written ("coproducts[1].price", "rules.prices[potash]")


@dataclass(frozen=True)
class AllocationApplied:
    process: str
    method: str
    factor: float
    detail: str
    parts: tuple[AllocationPart, ...] = ()  # factor = parts[0].weight / sum of weights (mass, economic)


@dataclass(frozen=True)
class ExchangeOrigin:
    """Where one linked amount was written: entry = amount as written x factor (x the process's
    allocation factor when `allocated`), so sensitivity can trace an entry back to the study."""

    process: int
    field: str
    factor: float
    allocated: bool


@dataclass
class ForegroundInventory:
    """Linked foreground, per reference output of each process, after allocation."""

    process_ids: list[str]
    stages: list[str]
    product_index: int
    product_unit: str
    demand_amount: float
    production: np.ndarray  # reference output amount per process (its own unit)
    # (supplier process index, consumer process index, amount in supplier's unit)
    foreground_links: list[tuple[int, int, float]] = field(default_factory=list)
    # where each foreground link was written ("inputs[2]"), to name it in errors
    foreground_link_fields: list[str] = field(default_factory=list)
    # (background dataset id, consumer process index, amount in dataset's unit)
    background_links: list[tuple[int, int, float]] = field(default_factory=list)
    # (biosphere flow id, process index, amount in the flow's unit)
    flows: list[tuple[int, int, float]] = field(default_factory=list)
    allocation: list[AllocationApplied] = field(default_factory=list)
    electricity: list[ElectricityChoice] = field(default_factory=list)
    # the background datasets the foreground links to, by Brightway node id
    linked_background: dict[int, LinkedDataset] = field(default_factory=dict)
    # where each foreground link, background link and flow was written (same order as the lists)
    foreground_link_origins: list[ExchangeOrigin] = field(default_factory=list)
    background_link_origins: list[ExchangeOrigin] = field(default_factory=list)
    flow_origins: list[ExchangeOrigin] = field(default_factory=list)

    @property
    def node_ids(self) -> list[int]:
        return [FOREGROUND_ID_OFFSET + i for i in range(len(self.process_ids))]

    def foreground_matrix(self) -> np.ndarray:
        """Dense foreground technosphere matrix (production minus foreground inputs)."""
        size = len(self.process_ids)
        matrix = np.zeros((size, size))
        matrix[np.arange(size), np.arange(size)] = self.production
        for supplier, consumer, amount in self.foreground_links:
            matrix[supplier, consumer] -= amount
        return matrix


def _finite(value: float, *, file: Path | str | None, process: str, field: str) -> float:
    """A number that is finite as written can still overflow once converted, multiplied or summed."""
    if not math.isfinite(value):
        raise FootprintInputError(
            f"the value overflows to {value!r} once converted, allocated or added up", file=file, process=process, field=field
        )
    return value


def _allocation_factor(process: Process, rules: MaterialRules, file: Path | str | None) -> AllocationApplied | None:
    """Share of a process's burdens that its reference output carries."""
    if not process.coproducts:
        return None
    method = process.allocation or Allocation(rules.allocation)
    if method is Allocation.system_expansion:
        return AllocationApplied(process.id, method.value, 1.0, "co-products credited by the datasets they substitute")
    main = process.reference_output
    if method is Allocation.mass:
        priced = [f"coproducts[{i}].price" for i, c in enumerate(process.coproducts, start=1) if c.price is not None]
        if main.price is not None or priced:
            raise FootprintInputError(
                "prices are given but the burdens are allocated by mass, so they would be ignored; "
                "set allocation = \"economic\" or remove them",
                file=file, process=process.id, field="reference_output.price" if main.price is not None else priced[0],
            )
        amounts = []
        for label, unit, amount in [(main.product, main.unit, main.amount)] + [
            (c.product, c.unit, c.amount) for c in process.coproducts
        ]:
            if not is_mass(unit):
                raise FootprintInputError(
                    f"mass allocation needs every product in mass units; {label!r} is in {unit!r}",
                    file=file,
                    process=process.id,
                    field="coproducts",
                )
            amounts.append(amount * conversion_factor(unit, "kg"))
        _finite(sum(amounts), file=file, process=process.id, field="coproducts.amount")
        factor = amounts[0] / sum(amounts)
        parts = tuple(AllocationPart(where, weight) for where, weight in zip(_product_fields(process), amounts))
        return AllocationApplied(process.id, method.value, factor, f"mass: {amounts[0]:.6g} kg of {sum(amounts):.6g} kg", parts)
    values = []
    products = [("reference_output", main.product, main.unit, main.amount, main.price)] + [
        (f"coproducts[{i}]", c.product, c.unit, c.amount, c.price) for i, c in enumerate(process.coproducts, start=1)
    ]
    price_fields = []
    for where, label, unit, amount, price in products:
        price_fields.append(f"{where}.price" if price is not None else f"rules.prices[{label}]")
        if price is None:
            known = rules.price_of(label)
            price = known.eur_per_kg if known else None
        if price is None:
            raise FootprintInputError(
                f"economic allocation needs a price for {label!r} (in the study or the material rules)",
                file=file,
                process=process.id,
                field=f"{where}.price",
            )
        if not is_mass(unit):
            raise FootprintInputError(f"prices are per kg; {label!r} is in {unit!r}", file=file, process=process.id, field=f"{where}.unit")
        values.append(_finite(amount * conversion_factor(unit, "kg") * price, file=file, process=process.id, field=f"{where}.price"))
    _finite(sum(values), file=file, process=process.id, field="coproducts")
    if values[0] <= 0:
        raise FootprintInputError(
            f"economic allocation would give the declared product {main.product!r} no burden: its value is 0",
            file=file,
            process=process.id,
            field="reference_output.price",
        )
    factor = values[0] / sum(values)
    parts = tuple(AllocationPart(where, weight, price_field) for where, weight, price_field in zip(_product_fields(process), values, price_fields))
    return AllocationApplied(process.id, method.value, factor, f"economic: {factor:.4f} of revenue", parts)


def _product_fields(process: Process) -> list[str]:
    return ["reference_output"] + [f"coproducts[{i}]" for i in range(1, len(process.coproducts) + 1)]


def build_inventory(
    study: Study,
    rules: MaterialRules,
    background: Background,
    file: Path | str | None = None,
) -> ForegroundInventory:
    """Link every exchange of the study; raise a located error on the first that fails."""
    index = {process.id: i for i, process in enumerate(study.processes)}
    product = study.process(study.product_process)
    if not is_mass(product.reference_output.unit):
        raise FootprintInputError(
            "the declared unit is a mass (Annex V Part III), so the product process's reference output must be in mass units",
            file=file,
            process=product.id,
            field="reference_output.unit",
        )
    inventory = ForegroundInventory(
        process_ids=[p.id for p in study.processes],
        stages=[p.stage.value for p in study.processes],
        product_index=index[product.id],
        product_unit=product.reference_output.unit,
        demand_amount=study.declared_unit_kg * conversion_factor("kg", product.reference_output.unit),
        production=np.array([p.reference_output.amount for p in study.processes], dtype=float),
    )

    for column, process in enumerate(study.processes):
        applied = _allocation_factor(process, rules, file)
        share = applied.factor if applied else 1.0
        allocated = applied is not None and applied.method != Allocation.system_expansion.value
        if applied:
            inventory.allocation.append(applied)

        for position, item in enumerate(process.inputs, start=1):
            field_name = f"inputs[{position}]"
            try:
                if item.process is not None:
                    if item.process not in index:
                        raise LinkError(f"links to unknown process {item.process!r}", field=f"{field_name}.process")
                    supplier = study.processes[index[item.process]]
                    factor = conversion_factor(item.unit, supplier.reference_output.unit)
                    amount = _finite(item.amount * factor * share, file=file, process=process.id, field=f"{field_name}.amount")
                    inventory.foreground_links.append((index[item.process], column, amount))
                    inventory.foreground_link_fields.append(field_name)
                    inventory.foreground_link_origins.append(ExchangeOrigin(column, f"{field_name}.amount", factor, allocated))
                    continue
                if item.dataset is not None:
                    dataset = background.by_code(item.dataset, item.database)
                else:
                    dataset = background.by_name(item.name or "", item.location, item.unit)
                factor = conversion_factor(item.unit, dataset.unit)
            except LinkError as exc:
                raise LinkError(exc.message, file=file, process=process.id, field=exc.field if exc.field and exc.field.startswith("inputs") else f"{field_name}.{exc.field or 'dataset'}") from None
            except ValueError as exc:
                raise FootprintInputError(str(exc), file=file, process=process.id, field=f"{field_name}.unit") from None
            amount = _finite(item.amount * factor * share, file=file, process=process.id, field=f"{field_name}.amount")
            inventory.background_links.append((dataset.id, column, amount))
            inventory.background_link_origins.append(ExchangeOrigin(column, f"{field_name}.amount", factor, allocated))
            inventory.linked_background[dataset.id] = dataset
            choice = check_electricity(process, dataset, background, file=file, field=field_name)
            if choice is not None:
                inventory.electricity.append(choice)

        check_supply_entries(process, [c for c in inventory.electricity if c.process == process.id], background, file)

        for position, flow in enumerate(process.elementary_flows, start=1):
            field_name = f"elementary_flows[{position}]"
            try:
                flow_id, flow_unit = background.biosphere_flow(flow)
                factor = conversion_factor(flow.unit, flow_unit)
            except LinkError as exc:
                raise LinkError(exc.message, file=file, process=process.id, field=f"{field_name}.{exc.field or 'flow'}") from None
            except ValueError as exc:
                raise FootprintInputError(str(exc), file=file, process=process.id, field=f"{field_name}.unit") from None
            amount = _finite(flow.amount * factor * share, file=file, process=process.id, field=f"{field_name}.amount")
            inventory.flows.append((flow_id, column, amount))
            inventory.flow_origins.append(ExchangeOrigin(column, f"{field_name}.amount", factor, allocated))

        for position, coproduct in enumerate(process.coproducts, start=1):
            if not (applied and applied.method == Allocation.system_expansion.value):
                continue
            if coproduct.substitutes is None:
                raise FootprintInputError(
                    "system expansion needs the dataset each co-product substitutes",
                    file=file,
                    process=process.id,
                    field=f"coproducts[{position}].substitutes",
                )
            try:
                dataset = background.by_code(coproduct.substitutes)
                factor = conversion_factor(coproduct.unit, dataset.unit)
            except LinkError as exc:
                raise LinkError(exc.message, file=file, process=process.id, field=f"coproducts[{position}].substitutes") from None
            except ValueError as exc:
                raise FootprintInputError(str(exc), file=file, process=process.id, field=f"coproducts[{position}].unit") from None
            check_substituted(process, dataset, file, f"coproducts[{position}].substitutes")
            # An avoided product is a negative input.
            amount = _finite(coproduct.amount * factor, file=file, process=process.id, field=f"coproducts[{position}].amount")
            inventory.background_links.append((dataset.id, column, -amount))
            inventory.background_link_origins.append(ExchangeOrigin(column, f"coproducts[{position}].amount", -factor, False))
            inventory.linked_background[dataset.id] = dataset

    _check_reachable(study, inventory, file)
    solve_foreground(inventory, file)
    return inventory


# A foreground whose per-unit matrix is this ill-conditioned has a loop that makes almost
# exactly what it consumes: its result is rounding noise scaled up, not a footprint.
MAX_CONDITION = 1e12
# The share of its own output a foreground loop may take back (the spectral radius of the
# inputs per unit of output). At 0.999 the loop multiplies its inputs a thousandfold; real
# recirculation is modelled inside a process, so a higher gain is a slip in the amounts.
MAX_LOOP_GAIN = 0.999


def solve_foreground(inventory: ForegroundInventory, file: Path | str | None = None) -> np.ndarray:
    """Supply of every foreground process for the declared unit, or a located refusal.

    Refuses what a linear solver would silently accept: a process that uses at least as much
    of its own output as it makes, a loop that makes (almost) only what it consumes, and any
    process that would have to run at a negative rate, which would declare a negative burden.
    """
    ids = inventory.process_ids
    matrix = inventory.foreground_matrix()
    with np.errstate(all="ignore"):
        per_unit = matrix / inventory.production[None, :]  # each column per unit of its own output
    for j in np.flatnonzero(~np.all(np.isfinite(per_unit), axis=0)):
        raise CalculationError(
            "the inputs per unit of reference output overflow: the reference output amount is too small for them",
            file=file, process=ids[j], field="reference_output.amount",
        )
    for j in np.flatnonzero(np.diag(per_unit) <= 1e-9):
        own = [f for (s, c, _), f in zip(inventory.foreground_links, inventory.foreground_link_fields) if s == c == j]
        raise CalculationError(
            f"the process uses {1 - per_unit[j, j]:.6g} of its own output per unit it makes, so it can deliver nothing",
            file=file, process=ids[j], field=f"{own[0]}.amount" if own else "inputs",
        )
    condition = np.linalg.cond(per_unit)
    if not condition < MAX_CONDITION:
        _, _, vt = np.linalg.svd(per_unit)
        null = np.abs(vt[-1])
        involved = [ids[i] for i in np.flatnonzero(null > 1e-8 * null.max())]
        raise CalculationError(
            "the foreground cannot be solved (singular technosphere matrix, condition number "
            f"{condition:.3g}): processes {', '.join(involved)} consume (almost) as much of each other's output as they produce",
            file=file, process=involved[0], field="inputs",
        )
    gain_matrix = np.eye(len(ids)) - per_unit
    eigenvalues, vectors = np.linalg.eig(gain_matrix)
    k = int(np.argmax(np.abs(eigenvalues)))
    gain = float(np.abs(eigenvalues[k]))
    if gain > MAX_LOOP_GAIN:
        weight = np.abs(vectors[:, k])
        on_loop = [ids[i] for i in np.flatnonzero(weight > 1e-6 * weight.max())]
        effect = (
            f"its inputs would be multiplied {1 / (1 - gain):.3g}-fold"
            if gain < 1
            else "no positive production can satisfy it, and a solver would declare a negative burden"
        )
        raise CalculationError(
            f"processes {', '.join(on_loop)} form a loop that takes back {gain:.7g} of what it makes per pass "
            f"(at most {MAX_LOOP_GAIN} is accepted): {effect}; check the amounts",
            file=file, process=on_loop[0], field="inputs",
        )
    demand = np.zeros(len(ids))
    demand[inventory.product_index] = inventory.demand_amount
    supply = np.linalg.solve(per_unit, demand) / inventory.production
    negative = np.flatnonzero(supply < -1e-12 * np.abs(supply).max())
    if len(negative):
        names = ", ".join(ids[i] for i in negative)
        raise CalculationError(
            f"process(es) {names} would have to run at a negative rate: a loop through them consumes more of "
            "its own output than it makes, which would declare a negative burden",
            file=file, process=ids[negative[0]], field="inputs",
        )
    if not np.all(np.isfinite(supply)):
        raise CalculationError("the foreground supply is not finite", file=file, field="inputs")
    return supply


def _check_reachable(study: Study, inventory: ForegroundInventory, file: Path | str | None) -> None:
    """A process the declared product does not draw on contributes nothing: say so, it is a modelling slip."""
    suppliers: dict[int, set[int]] = {}
    for supplier, consumer, _ in inventory.foreground_links:
        suppliers.setdefault(consumer, set()).add(supplier)
    seen = {inventory.product_index}
    frontier = [inventory.product_index]
    while frontier:
        current = frontier.pop()
        for supplier in suppliers.get(current, ()):
            if supplier not in seen:
                seen.add(supplier)
                frontier.append(supplier)
    for i, process_id in enumerate(inventory.process_ids):
        if i not in seen:
            raise LinkError(
                f"process is not linked into the chain of {study.product_process!r}: no process consumes its output",
                file=file,
                process=process_id,
                field="reference_output",
            )
