"""Which articles apply to a product: the 0.2 kg scope test and the exemptions, as the Regulation states them.

- Art. 28(3): a product of Art. 28(1) with one or more magnets of the four types of 28(1)(b)
  (NdFeB, SmCo, AlNiCo, ferrite) carries a data carrier.
- Art. 29(1): the post-consumer share is published when the product holds NdFeB, SmCo or
  AlNiCo magnets (28(1)(b)(i)-(iii), not ferrite) that together weigh **more than** 0.2 kg.
- Art. 28(9) and 29(5), second subparagraph: products primarily designed for defence or space
  applications are exempt (from Art. 28, and from Art. 29).
- Art. 28(11) and 29(7): neither article applies to (a) special-purpose vehicles, (b) the parts
  of a vehicle other than the base vehicle approved in multi-stage type-approval of class N1,
  N2, N3, M2 or M3, (c) vehicles produced in small series.
- Art. 28(5): magnets only inside electric motors (Art. 2(47): rated output at least 0.12 kW)
  may be described by where the motors are and how to remove them.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from footprint.errors import FootprintInputError

from .product import MagnetProduct, MagnetType, ProductGroup

THRESHOLD_KG = 0.2  # Art. 29(1): "overstiger 0,2 kg" - more than, so exactly 0.2 kg is out of scope
RECYCLED_CONTENT_TYPES = (MagnetType.ndfeb, MagnetType.smco, MagnetType.alnico)  # Art. 28(1)(b)(i)-(iii)
MULTI_STAGE_CLASSES = ("N1", "N2", "N3", "M2", "M3")  # Art. 28(11)(b), 29(7)(b)
MIN_MOTOR_KW = 0.12  # Art. 2(47): an electric motor has a rated output of at least 0.12 kW
VEHICLE_GROUPS = {
    ProductGroup.motor_vehicle: ("M", "N"),  # Art. 2(43): type-approved vehicles of class M or N
    ProductGroup.light_means_of_transport: ("L",),  # Art. 2(44): includes type-approved L vehicles
}
LATER_START = (ProductGroup.mri_equipment, ProductGroup.motor_vehicle)  # Art. 28(10), 29(6); and L vehicles


class Exemption(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provision: str
    applies: bool
    statement: str


class Scope(BaseModel):
    """What applies to the product, and why."""

    model_config = ConfigDict(extra="forbid")

    recycled_content_magnet_mass_kg: float = Field(description="NdFeB, SmCo and AlNiCo magnets counted for Art. 29(1), kg per unit")
    threshold_kg: float = THRESHOLD_KG
    article_28_applies: bool
    article_28_statement: str
    article_29_applies: bool
    article_29_statement: str
    excluded_magnets: list[str] = Field(description="Magnets in parts other than the base vehicle (Art. 28(11)(b), 29(7)(b))")
    exemptions: list[Exemption]
    application: list[str] = Field(description="From when the requirements apply (the acts they wait for are not adopted yet)")


def _fail(message: str, path: Path | str, field: str) -> FootprintInputError:
    return FootprintInputError(message, file=path, field=field)


def check_vehicle(product: MagnetProduct, path: Path | str) -> None:
    """The vehicle facts fit the product group (the exemptions depend on them)."""
    group, vehicle = product.product.group, product.product.vehicle
    prefixes = VEHICLE_GROUPS.get(group)
    if prefixes is None:
        if vehicle is not None:
            raise _fail(f"only motor vehicles and light means of transport have vehicle facts, not a {group.value}", path, "product.vehicle")
    elif group is ProductGroup.motor_vehicle and vehicle is None:
        raise _fail("a motor vehicle needs its type-approval facts (category M1-N3; special_purpose, multi_stage, small_series)", path, "product.vehicle")
    elif vehicle is not None and not vehicle.category.startswith(prefixes):
        raise _fail(f"a {group.value} is of category {' or '.join(prefixes)}, not {vehicle.category}", path, "product.vehicle.category")
    if vehicle is not None and vehicle.category.startswith("L"):
        for flag in ("special_purpose", "multi_stage", "small_series"):
            if getattr(vehicle, flag):
                raise _fail(f"{flag} is defined by Reg. (EU) 2018/858 for M and N vehicles, not for an L vehicle", path, f"product.vehicle.{flag}")
    for index, magnet in enumerate(product.magnets, start=1):
        if not magnet.part_of_base_vehicle and not (vehicle and vehicle.multi_stage and vehicle.category in MULTI_STAGE_CLASSES):
            raise _fail(
                f"magnet {magnet.id!r} is outside the base vehicle, which only a multi-stage approval of class {', '.join(MULTI_STAGE_CLASSES)} allows (Art. 28(11)(b))",
                path, f"magnets[{index}].part_of_base_vehicle",
            )


def check_removal(product: MagnetProduct, path: Path | str) -> None:
    """Art. 28(4)(c) and 28(5): every magnet (or, by motor, every motor) has a removal step; ids resolve."""
    motors = {m.id for m in product.motors}
    magnets = {m.id for m in product.magnets}
    seen: set[str] = set()
    for kind, items in (("motors", product.motors), ("magnets", product.magnets), ("custody", product.custody)):
        for index, item in enumerate(items, start=1):
            if item.id in seen:
                raise _fail(f"the id {item.id!r} is used twice", path, f"{kind}[{index}].id")
            seen.add(item.id)
    for index, magnet in enumerate(product.magnets, start=1):
        if magnet.motor is not None and magnet.motor not in motors:
            raise _fail(f"magnet {magnet.id!r} names motor {magnet.motor!r}, which is not in [[motors]]", path, f"magnets[{index}].motor")
    for index, step in enumerate(product.removal, start=1):
        for item in step.removes:
            if item not in motors | magnets:
                raise _fail(f"removal step {index} removes {item!r}, which is no magnet or motor of the product", path, f"removal[{index}].removes")
    removed = {item for step in product.removal for item in step.removes}
    if product.removal_by_motor:
        for index, magnet in enumerate(product.magnets, start=1):
            if magnet.motor is None:
                raise _fail(f"removal_by_motor (Art. 28(5)) needs every magnet inside a motor; {magnet.id!r} names none", path, f"magnets[{index}].motor")
        for index, motor in enumerate(product.motors, start=1):
            if motor.rated_power_kw < MIN_MOTOR_KW:
                raise _fail(
                    f"motor {motor.id!r} is rated {motor.rated_power_kw} kW, below the {MIN_MOTOR_KW} kW of an electric motor (Art. 2(47)), so Art. 28(5) does not cover it",
                    path, f"motors[{index}].rated_power_kw",
                )
        needed = sorted({m.motor for m in product.magnets if m.motor} - removed)
        what = "motor"
    else:
        needed = sorted(magnets - removed)
        what = "magnet"
    if needed:
        raise _fail(f"no removal step removes {what} {', '.join(repr(n) for n in needed)} (Art. 28(4)(c))", path, "removal")


def _application(group: ProductGroup, l_vehicle: bool) -> list[str]:
    later = group in LATER_START or l_vehicle
    if later:
        art28 = "Art. 28 applies to this product from 24 May 2029 (Art. 28(10)), and not before two years after the implementing act of Art. 28(2)."
        art29 = "Art. 29(1) and (5) apply to this product from five years after the delegated act of Art. 29(2) enters into force (Art. 29(6))."
    else:
        art28 = "The label and data carrier are required from two years after the implementing act of Art. 28(2) enters into force (Art. 28(1), (3))."
        art29 = "The share must be published from 24 May 2027 or two years after the delegated act of Art. 29(2) enters into force, whichever is later (Art. 29(1))."
    return [art28, art29, "Neither act was adopted when these rules were written: the dates cannot be told yet."]


def assess_scope(product: MagnetProduct, path: Path | str = "<memory>") -> Scope:
    """Apply the scope test and the exemptions; refuse a statement (article_29_applies) that contradicts them."""
    check_vehicle(product, path)
    check_removal(product, path)
    info, vehicle = product.product, product.product.vehicle
    excluded = [m.id for m in product.magnets if not m.part_of_base_vehicle]
    counted = [m for m in product.magnets if m.part_of_base_vehicle]
    mass = sum(m.total_kg for m in counted if m.type in RECYCLED_CONTENT_TYPES)
    defence = info.primarily_defence_or_space
    special = bool(vehicle and vehicle.special_purpose)
    small = bool(vehicle and vehicle.small_series)
    exemptions = [
        Exemption(provision="Art. 28(9) and Art. 29(5)", applies=defence,
                  statement="primarily designed for defence or space applications" if defence else "not primarily designed for defence or space applications"),
        Exemption(provision="Art. 28(11)(a) and Art. 29(7)(a)", applies=special,
                  statement="a special-purpose vehicle (Reg. (EU) 2018/858 Art. 3(31))" if special else "not a special-purpose vehicle"),
        Exemption(provision="Art. 28(11)(b) and Art. 29(7)(b)", applies=bool(excluded),
                  statement=(f"magnets in parts other than the base vehicle are left out: {', '.join(excluded)}" if excluded
                             else "no magnet sits in a part other than the base vehicle of a multi-stage approval")),
        Exemption(provision="Art. 28(11)(c) and Art. 29(7)(c)", applies=small,
                  statement="a vehicle produced in small series (Reg. (EU) 2018/858 Art. 3(30))" if small else "not a small-series vehicle"),
    ]
    exempt = [e.provision for e in exemptions if e.applies and e.provision != "Art. 28(11)(b) and Art. 29(7)(b)"]
    if exempt:
        a28 = a29 = False
        s28 = s29 = f"exempt under {' and '.join(exempt)}"
    else:
        a28 = bool(counted)
        s28 = ("the product holds permanent magnets of the types of Art. 28(1)(b): a data carrier is required (Art. 28(3))" if a28
               else "every magnet sits outside the base vehicle (Art. 28(11)(b)): no data carrier is required")
        a29 = mass > THRESHOLD_KG
        s29 = (f"its NdFeB, SmCo and AlNiCo magnets weigh {mass:.6g} kg together, "
               + (f"more than {THRESHOLD_KG} kg: the post-consumer share must be published (Art. 29(1))" if a29
                  else f"not more than {THRESHOLD_KG} kg: Art. 29(1) does not apply"))
    if product.article_29_applies != a29:
        raise _fail(
            f"the product states article_29_applies = {str(product.article_29_applies).lower()}, but {s29}",
            path, "article_29_applies",
        )
    return Scope(
        recycled_content_magnet_mass_kg=mass,
        article_28_applies=a28,
        article_28_statement=s28,
        article_29_applies=a29,
        article_29_statement=s29,
        excluded_magnets=excluded,
        exemptions=exemptions,
        application=_application(info.group, bool(vehicle and vehicle.category.startswith("L"))),
    )
