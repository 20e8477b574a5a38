"""The Art. 29(1) share: for each of the eight elements, the part recovered from post-consumer waste.

Per magnet, the mass of each element is count x mass of a piece x its mass per cent. The
maker's supply lines say where that mass came from (post-consumer waste, pre-consumer waste,
primary) and which chain-of-custody record backs each line. The calculation refuses a product
whose mass balance does not close:

- a composition that does not add up to 100 % (within the rules' tolerance) or does not fit
  the magnet type;
- supply lines that do not cover an element's mass in a magnet, or claim more than it holds;
- a claim repeated, or more claimed from a record than it holds over all units the
  declaration covers (a segregated batch's mass; a mass-balance site's post-consumer input
  not yet allocated elsewhere, and its output);
- pre-consumer scrap claimed as post-consumer, a record of another element, a custody model
  the rules do not accept, or a post-consumer claim without the evidence the rules require.

The share of an element is its post-consumer mass over its mass in all in-scope magnets of
the product (rules' `share_basis = "product"`); the JSON keeps the exact fraction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from footprint.errors import FootprintInputError

from .product import ELEMENTS, Custody, Magnet, MagnetProduct, MagnetType, element_name, today_utc
from .rules import MagnetRules
from .scope import RECYCLED_CONTENT_TYPES, Scope

# Elements a magnet of each type is made of: a composition without them is not that type.
TYPE_ELEMENTS = {
    MagnetType.ndfeb: ({"Fe", "B"}, {"Nd", "Pr"}),
    MagnetType.smco: ({"Sm", "Co"}, set()),
    MagnetType.alnico: ({"Al", "Ni", "Co", "Fe"}, set()),
    MagnetType.ferrite: ({"Fe", "O"}, set()),
}
ABSOLUTE_KG = 1e-12  # below any weighable mass; absorbs float rounding of products of masses


class ElementMass(BaseModel):
    model_config = ConfigDict(extra="forbid")

    element: str
    name: str
    present: bool
    mass_kg: float = Field(description="kg per unit of product")
    post_consumer_kg: float
    pre_consumer_kg: float
    primary_kg: float
    share: float | None = Field(description="post-consumer kg / kg; None where the element is not present")


class MagnetContent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    magnet: str
    type: str
    mass_kg: float
    elements: list[ElementMass]


class CustodyUse(BaseModel):
    """What the declaration shows of a chain-of-custody record (no site quantities: they stay with the verifier)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    model: str
    element: str
    operator: str
    site: str
    country: str
    scheme: str
    certificate: str
    period: str | None
    claimed_post_consumer_kg: float = Field(description="post-consumer kg claimed from the record over all units covered")


class RecycledContent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    units_covered: int
    elements: list[ElementMass] = Field(description="The eight elements of Art. 29(1), in its order")
    magnets: list[MagnetContent]
    custody: list[CustodyUse]


def _fail(message: str, path: Path | str, field: str) -> FootprintInputError:
    return FootprintInputError(message, file=path, field=field)


def resolved_composition(magnet: Magnet, index: int, rules: MagnetRules, path: Path | str) -> dict[str, float]:
    """Element -> mass per cent, with the balance element filled in; refuses a composition that does not add up."""
    where = f"magnets[{index}].composition"
    percents: dict[str, float] = {}
    balance: str | None = None
    for j, entry in enumerate(magnet.composition, start=1):
        if entry.element in percents or entry.element == balance:
            raise _fail(f"{entry.element} appears twice in the composition of magnet {magnet.id!r}", path, f"{where}[{j}].element")
        if entry.balance:
            if balance is not None:
                raise _fail(f"only one element can be the balance; {balance} already is", path, f"{where}[{j}].balance")
            balance = entry.element
        else:
            percents[entry.element] = float(entry.wt_percent)  # type: ignore[arg-type]
    total = sum(percents.values())
    if balance is not None:
        if total >= 100:
            raise _fail(f"the composition of {magnet.id!r} adds up to {total:.6g} % before its balance element {balance}: shares over 100 %", path, where)
        percents[balance] = 100.0 - total
    elif abs(total - 100) > rules.composition_tolerance_wt_percent:
        raise _fail(
            f"the composition of {magnet.id!r} adds up to {total:.6g} %, not 100 % (the rules allow ±{rules.composition_tolerance_wt_percent:g}): the masses do not add up",
            path, where,
        )
    required, one_of = TYPE_ELEMENTS[magnet.type]
    missing = sorted(required - set(percents))
    if missing or (one_of and not one_of & set(percents)):
        needs = ", ".join(missing + ([" or ".join(sorted(one_of))] if one_of and not one_of & set(percents) else []))
        raise _fail(f"a {magnet.type.value} magnet contains {needs}; the composition of {magnet.id!r} has none", path, where)
    return percents


def check_compositions(product: MagnetProduct, rules: MagnetRules, path: Path | str) -> dict[str, dict[str, float]]:
    return {m.id: resolved_composition(m, i, rules, path) for i, m in enumerate(product.magnets, start=1)}


def _within(claimed: float, available: float, rules: MagnetRules) -> bool:
    return claimed <= available * (1 + rules.mass_tolerance_relative) + ABSOLUTE_KG


def _check_record(record: Custody, index: int, rules: MagnetRules, path: Path | str, on_date: dt.date) -> None:
    where = f"custody[{index}]"
    if record.model not in rules.accepted_custody_models:
        raise _fail(
            f"the rules {rules.id} {rules.rules_version} accept {', '.join(rules.accepted_custody_models)} as chain of custody, not {record.model}: "
            + rules.reasons["accepted_custody_models"], path, f"{where}.model",
        )
    if record.element not in ELEMENTS:
        raise _fail(f"{record.element} is not one of the eight elements of Art. 29(1)", path, f"{where}.element")
    if record.model == "mass-balance":
        period, inputs = record.period, record.inputs
        days = (period.end - period.start).days + 1  # type: ignore[union-attr]
        if days > rules.max_mass_balance_days:
            raise _fail(f"a mass-balance period of {days} days is longer than the {rules.max_mass_balance_days} the rules accept", path, f"{where}.period")
        if period.end > on_date:  # type: ignore[union-attr]
            raise _fail(f"the mass-balance period ends on {period.end}, after the issue date {on_date}: it cannot be closed yet", path, f"{where}.period.end")  # type: ignore[union-attr]
        if not _within(record.output_kg, inputs.total_kg, rules):  # type: ignore[arg-type, union-attr]
            raise _fail(
                f"the site shipped {record.output_kg:g} kg of {record.element} but took in {inputs.total_kg:g} kg: the inputs do not cover the outputs",  # type: ignore[union-attr]
                path, f"{where}.output_kg",
            )
        for origin in ("post_consumer", "pre_consumer"):
            elsewhere, held = getattr(record, f"{origin}_claimed_elsewhere_kg"), getattr(inputs, f"{origin}_kg")
            if not _within(elsewhere, held, rules):
                raise _fail(f"{elsewhere:g} kg claimed elsewhere is more than the {held:g} kg {origin.replace('_', '-')} input", path, f"{where}.{origin}_claimed_elsewhere_kg")


def _check_claims(record: Custody, index: int, claims: dict[str, float], rules: MagnetRules, units: int, path: Path | str) -> None:
    """The claims of all units covered against what the record holds (no share claimed twice)."""
    where = f"custody[{index}]"
    total = {origin: kg * units for origin, kg in claims.items()}
    if record.model == "segregated":
        claimed = sum(total.values())
        if not _within(claimed, record.batch_mass_kg, rules):  # type: ignore[arg-type]
            raise _fail(
                f"{units} unit(s) claim {claimed:.6g} kg of {record.element} from batch {record.id!r}, which holds {record.batch_mass_kg:g} kg: claimed more than once",
                path, f"{where}.batch_mass_kg",
            )
        return
    inputs = record.inputs
    left_post = inputs.post_consumer_kg - record.post_consumer_claimed_elsewhere_kg  # type: ignore[union-attr]
    left_pre = inputs.pre_consumer_kg - record.pre_consumer_claimed_elsewhere_kg  # type: ignore[union-attr]
    if not _within(total.get("post-consumer", 0.0), left_post, rules):
        raise _fail(
            f"{units} unit(s) claim {total['post-consumer']:.6g} kg of post-consumer {record.element} from site {record.site!r}, "
            f"which has {left_post:.6g} kg left after claims elsewhere: a share would be claimed twice (pre-consumer and primary input cannot back it)",
            path, f"{where}.inputs.post_consumer_kg",
        )
    if not _within(total.get("pre-consumer", 0.0), left_pre, rules):
        raise _fail(f"{units} unit(s) claim {total['pre-consumer']:.6g} kg of pre-consumer {record.element}; the site has {left_pre:.6g} kg left", path, f"{where}.inputs.pre_consumer_kg")
    if not _within(sum(total.values()), record.output_kg, rules):  # type: ignore[arg-type]
        raise _fail(f"{units} unit(s) take {sum(total.values()):.6g} kg of {record.element} from a site that shipped {record.output_kg:g} kg", path, f"{where}.output_kg")


def calculate(product: MagnetProduct, rules: MagnetRules, scope: Scope, path: Path | str = "<memory>", on_date: dt.date | None = None) -> RecycledContent:
    """Close the mass balance and compute the post-consumer share of each element (Art. 29(1))."""
    on_date = on_date or today_utc()
    compositions = check_compositions(product, rules, path)
    records = {record.id: (i, record) for i, record in enumerate(product.custody, start=1)}
    for i, record in enumerate(product.custody, start=1):  # every record the file holds, used or not
        _check_record(record, i, rules, path, on_date)
    claims: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    by_magnet: list[MagnetContent] = []
    totals: dict[str, dict[str, float]] = {e: defaultdict(float) for e in ELEMENTS}
    for index, magnet in enumerate(product.magnets, start=1):
        if magnet.type not in RECYCLED_CONTENT_TYPES or magnet.id in scope.excluded_magnets:
            continue
        content = {e: magnet.total_kg * compositions[magnet.id][e] / 100 for e in ELEMENTS if e in compositions[magnet.id]}
        found: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        seen: set[tuple[str, str, str | None]] = set()
        for j, line in enumerate(magnet.supply, start=1):
            where = f"magnets[{index}].supply[{j}]"
            if line.element not in ELEMENTS:
                raise _fail(f"{line.element} is not one of the eight elements of Art. 29(1): its origin is not declared", path, f"{where}.element")
            if line.element not in content:
                raise _fail(f"magnet {magnet.id!r} has no {line.element} in its composition, so none can be supplied", path, f"{where}.element")
            key = (line.element, line.origin, line.custody)
            if key in seen:
                raise _fail(f"{line.element} of {magnet.id!r} is claimed twice from the same source ({line.origin}, {line.custody or 'no record'})", path, where)
            seen.add(key)
            if line.custody is None:
                if line.origin in rules.custody_required_for:
                    raise _fail(f"a {line.origin} claim needs a chain-of-custody record under the rules {rules.id}: {rules.reasons['custody_required_for']}", path, f"{where}.custody")
            else:
                if line.custody not in records:
                    raise _fail(f"no [[custody]] record has the id {line.custody!r}", path, f"{where}.custody")
                k, record = records[line.custody]
                if record.element != line.element:
                    raise _fail(f"record {record.id!r} is evidence for {record.element}, not {line.element}", path, f"{where}.custody")
                if record.model == "segregated" and record.origin != line.origin:
                    detail = " (pre-consumer scrap is not post-consumer waste)" if record.origin == "pre-consumer" and line.origin == "post-consumer" else ""
                    raise _fail(f"batch {record.id!r} is {record.origin} material; the line claims {line.origin}{detail}", path, f"{where}.origin")
                claims[record.id][line.origin] += line.mass_kg
            found[line.element][line.origin] += line.mass_kg
        rows = []
        for element in ELEMENTS:
            if element not in content:
                continue
            supplied = sum(found[element].values())
            held = content[element]
            if abs(supplied - held) > rules.mass_tolerance_relative * held + ABSOLUTE_KG:
                verb = "do not cover" if supplied < held else "claim more than"
                raise _fail(
                    f"the supply lines of magnet {magnet.id!r} give {supplied:.6g} kg of {element}; the magnet holds {held:.6g} kg "
                    f"({magnet.count} x {magnet.mass_kg:g} kg x {compositions[magnet.id][element]:.6g} %): they {verb} the magnet's {element}",
                    path, f"magnets[{index}].supply",
                )
            origins = found[element]
            for origin, kg in origins.items():
                totals[element][origin] += kg * held / supplied  # scaled to the composition within the tolerance
            totals[element]["mass"] += held
            rows.append(_element_row(element, held, {o: kg * held / supplied for o, kg in origins.items()}))
        by_magnet.append(MagnetContent(magnet=magnet.id, type=magnet.type.value, mass_kg=magnet.total_kg, elements=rows))
    for record_id, by_origin in claims.items():
        k, record = records[record_id]
        _check_claims(record, k, dict(by_origin), rules, product.product.units_covered, path)
    elements = [_element_row(e, totals[e]["mass"], {o: kg for o, kg in totals[e].items() if o != "mass"}) for e in ELEMENTS]
    used = [
        CustodyUse(
            id=r.id, model=r.model, element=r.element, operator=r.operator, site=r.site, country=r.country, scheme=r.scheme,
            certificate=r.certificate, period=f"{r.period.start} to {r.period.end}" if r.period else None,
            claimed_post_consumer_kg=claims[r.id].get("post-consumer", 0.0) * product.product.units_covered,
        )
        for r in product.custody if r.id in claims
    ]
    return RecycledContent(units_covered=product.product.units_covered, elements=elements, magnets=by_magnet, custody=used)


def _element_row(element: str, mass: float, origins: dict[str, float]) -> ElementMass:
    post = origins.get("post-consumer", 0.0)
    return ElementMass(
        element=element, name=element_name(element), present=mass > 0, mass_kg=mass,
        post_consumer_kg=post, pre_consumer_kg=origins.get("pre-consumer", 0.0), primary_kg=origins.get("primary", 0.0),
        share=(min(post / mass, 1.0) if mass > 0 else None),
    )
