"""The product file: what a maker of a product with permanent magnets writes (TOML).

Its contract is the pydantic model `MagnetProduct` (`footprint schema magnet-product`). This
module checks form only (types, ranges, references between ids, element symbols); the law
(scope, exemptions) is in `footprint.magnets.scope` and the mass balance in
`footprint.magnets.calculation`, so that each rule lives in one place.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, ValidationError, model_validator
from pydantic import Strict as NoCoercion

from footprint.errors import FootprintInputError
from footprint.files import read_toml, sha256_hex
from footprint.study.model import Date, FiniteNonNegative, FinitePositive, Strict

# Art. 29(1): the eight elements whose post-consumer share is published, in the article's order.
ELEMENTS: tuple[str, ...] = ("Nd", "Dy", "Pr", "Tb", "B", "Sm", "Ni", "Co")

Identifier = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
HttpsUrl = Annotated[str, Field(pattern=r"^https://[^\s/?#]+\.[^\s/?#]+(/[^\s]*)?$", max_length=500)]
Percent = Annotated[float, NoCoercion(), Field(gt=0, le=100, allow_inf_nan=False)]


def _symbol(value: str) -> str:
    if not is_element(value):
        raise ValueError(f"unknown element {value!r}: give a chemical symbol such as Nd, Fe or Co")
    return value


Symbol = Annotated[str, AfterValidator(_symbol), Field(description="Chemical symbol, e.g. Nd")]


class ProductGroup(str, Enum):
    """The product groups of Art. 28(1) (definitions in Art. 2(40)-(52))."""

    mri_equipment = "mri-equipment"
    wind_energy_generator = "wind-energy-generator"
    industrial_robot = "industrial-robot"
    motor_vehicle = "motor-vehicle"
    light_means_of_transport = "light-means-of-transport"
    cooling_unit = "cooling-unit"
    heat_pump = "heat-pump"
    electric_motor = "electric-motor"
    washing_machine = "washing-machine"
    tumble_dryer = "tumble-dryer"
    microwave_oven = "microwave-oven"
    vacuum_cleaner = "vacuum-cleaner"
    dishwasher = "dishwasher"


GROUP_NAMES: dict[ProductGroup, str] = {
    ProductGroup.mri_equipment: "magnetic resonance imaging equipment",
    ProductGroup.wind_energy_generator: "wind energy generator",
    ProductGroup.industrial_robot: "industrial robot",
    ProductGroup.motor_vehicle: "motor vehicle",
    ProductGroup.light_means_of_transport: "light means of transport",
    ProductGroup.cooling_unit: "cooling unit",
    ProductGroup.heat_pump: "heat pump",
    ProductGroup.electric_motor: "electric motor (also when built into another product)",
    ProductGroup.washing_machine: "automatic washing machine",
    ProductGroup.tumble_dryer: "tumble dryer",
    ProductGroup.microwave_oven: "microwave oven",
    ProductGroup.vacuum_cleaner: "vacuum cleaner",
    ProductGroup.dishwasher: "dishwasher",
}


class MagnetType(str, Enum):
    """Art. 28(1)(b): the four magnet types the label names."""

    ndfeb = "NdFeB"
    smco = "SmCo"
    alnico = "AlNiCo"
    ferrite = "ferrite"


MAGNET_TYPE_NAMES = {
    MagnetType.ndfeb: "neodymium-iron-boron",
    MagnetType.smco: "samarium-cobalt",
    MagnetType.alnico: "aluminium-nickel-cobalt",
    MagnetType.ferrite: "ferrite",
}

Origin = Literal["post-consumer", "pre-consumer", "primary"]
CustodyModel = Literal["mass-balance", "segregated", "book-and-claim"]


class Evidenced(Strict):
    """Where a number comes from; an assumption says so and gives its reasoning."""

    source: str = Field(min_length=5)
    assumption: bool = False
    reasoning: str | None = None

    @model_validator(mode="after")
    def _assumption_is_reasoned(self) -> "Evidenced":
        if self.assumption and not (self.reasoning and self.reasoning.strip()):
            raise ValueError("an assumption needs its reasoning (reasoning = \"...\")")
        return self


class ResponsiblePerson(Strict):
    """Art. 28(4)(a): name, registered trade name or trade mark, postal address, electronic contact where possible."""

    name: str = Field(min_length=1)
    trade_name: str = Field(min_length=1, description="Registered trade name or registered trade mark")
    postal_address: str = Field(min_length=1)
    email: EmailStr | None = None
    website: HttpsUrl | None = None


class Vehicle(Strict):
    """Type-approval facts that decide the vehicle exemptions of Art. 28(11) and 29(7)."""

    category: str = Field(pattern=r"^(M1|M2|M3|N1|N2|N3|L[1-7]e)$", description="Vehicle category of Reg. (EU) 2018/858 (M, N) or 168/2013 (L)")
    special_purpose: bool = Field(default=False, description="Special-purpose vehicle, Reg. (EU) 2018/858 Art. 3(31)")
    multi_stage: bool = Field(default=False, description="Approved by multi-stage type-approval")
    small_series: bool = Field(default=False, description="Vehicle produced in small series, Reg. (EU) 2018/858 Art. 3(30)")


class Product(Strict):
    """The product as placed on the market (Art. 28(1), 28(4), 28(7))."""

    name: str = Field(min_length=1)
    model: str = Field(min_length=1, description="Product model (Art. 28(7))")
    group: ProductGroup = Field(description="Product group of Art. 28(1)")
    unique_product_identifier: str = Field(pattern=r"^[\x21-\x7e]{1,120}$", description="The unique product identifier the data carrier is linked to (Art. 28(4))")
    identifier_scope: Literal["model", "batch", "unit"] = Field(description="What the record describes: the model, a batch or one unit (Art. 28(7))")
    record_url: HttpsUrl = Field(description="Freely accessible address where the data record is published; the QR code encodes it")
    declaration_url: HttpsUrl | None = Field(default=None, description="Freely accessible address of the Art. 29 declaration (default: beside the record)")
    placed_on_market: Date = Field(description="First placing on the market of the model, batch or unit")
    typical_lifetime_years: Annotated[int, NoCoercion(), Field(ge=1, le=100)] = Field(description="Typical service life (Art. 28(7))")
    lifetime_source: str = Field(min_length=5)
    units_covered: Annotated[int, NoCoercion(), Field(ge=1)] = Field(description="Units of the product the declaration covers (their claims are checked against the chain of custody)")
    units_source: str = Field(min_length=5)
    made_in_series: bool = True
    primarily_defence_or_space: bool = Field(default=False, description="Primarily designed for defence or space applications (Art. 28(9), 29(5))")
    product_passport: str | None = Field(default=None, description="The other Union act that requires a product passport, if any (Art. 28(6))")
    vehicle: Vehicle | None = None


class Element(Evidenced):
    """One element of a magnet's composition (mass per cent of the magnet body)."""

    element: Symbol
    wt_percent: Percent | None = Field(default=None, description="Mass per cent; leave out on the one balance element")
    balance: bool = Field(default=False, description="This element is the balance to 100 % (as 'Fe bal.' in datasheets)")


    @model_validator(mode="after")
    def _amount_or_balance(self) -> "Element":
        if self.balance == (self.wt_percent is not None):
            raise ValueError("give either wt_percent or balance = true")
        return self


class Material(Strict):
    """A coating, glue or additive of a magnet (Art. 28(4)(b), Art. 2(56))."""

    type: str = Field(min_length=2)
    description: str | None = None
    source: str = Field(min_length=5)


class SupplyLine(Evidenced):
    """Where the mass of one element in one magnet came from (per unit of product)."""

    element: Symbol
    origin: Origin
    mass_kg: FinitePositive = Field(description="kg of the element in all pieces of this magnet, per unit of product")
    custody: Identifier | None = Field(default=None, description="id of the chain-of-custody record that backs the line")



class Magnet(Evidenced):
    """One permanent magnet, or a set of identical pieces (count), with where it is and what it is made of."""

    id: Identifier
    type: MagnetType
    grade: str | None = None
    count: Annotated[int, NoCoercion(), Field(ge=1)] = 1
    mass_kg: FinitePositive = Field(description="Mass of one piece, kg")
    location: str = Field(min_length=3)
    motor: Identifier | None = Field(default=None, description="id of the electric motor that holds the magnet")
    part_of_base_vehicle: bool = Field(default=True, description="False for a part a later stage of a multi-stage approval added")
    composition: list[Element] = Field(min_length=1)
    coatings: list[Material]
    glues: list[Material]
    additives: list[Material]
    supply: list[SupplyLine] = Field(default_factory=list)

    @property
    def total_kg(self) -> float:
        return self.count * self.mass_kg


class Motor(Evidenced):
    """An electric motor (Art. 2(47)) that holds magnets (Art. 28(5))."""

    id: Identifier
    name: str = Field(min_length=1)
    location: str = Field(min_length=3)
    rated_power_kw: FinitePositive


class RemovalStep(Strict):
    """One step of access and removal (Art. 28(4)(c)): the action, the tools, what it frees."""

    action: str = Field(min_length=3)
    tools: list[str] = Field(min_length=1)
    removes: list[Identifier] = Field(default_factory=list, description="ids of the magnets (or motors) this step takes out")
    safety: str | None = None


class Period(Strict):
    start: Date
    end: Date

    @model_validator(mode="after")
    def _ordered(self) -> "Period":
        if self.end < self.start:
            raise ValueError("the period ends before it starts")
        return self


class SiteInputs(Strict):
    """A mass-balance site's inputs of the element in the period, by origin (kg)."""

    post_consumer_kg: FiniteNonNegative
    pre_consumer_kg: FiniteNonNegative
    primary_kg: FiniteNonNegative

    @property
    def total_kg(self) -> float:
        return self.post_consumer_kg + self.pre_consumer_kg + self.primary_kg


class Custody(Evidenced):
    """Chain-of-custody evidence for one element: a segregated batch or a site's mass balance."""

    id: Identifier
    model: CustodyModel
    element: Symbol
    operator: str = Field(min_length=1)
    site: str = Field(min_length=1)
    country: str = Field(pattern=r"^[A-Z]{2}$")
    scheme: str = Field(min_length=3, description="Standard or certification scheme the evidence follows")
    certificate: str = Field(min_length=1, description="Certificate or document id")
    period: Period | None = None
    origin: Origin | None = Field(default=None, description="segregated: the origin of the whole batch")
    batch_mass_kg: FinitePositive | None = Field(default=None, description="segregated: kg of the element in the batch")
    inputs: SiteInputs | None = Field(default=None, description="mass-balance: the site's inputs in the period")
    output_kg: FiniteNonNegative | None = Field(default=None, description="mass-balance: kg of the element the site shipped in the period")
    post_consumer_claimed_elsewhere_kg: FiniteNonNegative = 0.0
    pre_consumer_claimed_elsewhere_kg: FiniteNonNegative = 0.0


    @model_validator(mode="after")
    def _fields_of_the_model(self) -> "Custody":
        needed = {"segregated": ("origin", "batch_mass_kg"), "mass-balance": ("period", "inputs", "output_kg")}.get(self.model, ())
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.model} record needs {', '.join(missing)}")
        return self


class MagnetProduct(Strict):
    """A product with permanent magnets, as its maker declares it (Art. 28 and 29)."""

    schema_version: Literal["1"] = "1"
    title: str = Field(min_length=1)
    responsible_person: ResponsiblePerson
    product: Product
    article_29_applies: bool = Field(description="The maker's statement: does Art. 29(1) apply? footprint checks it against the scope test")
    removal_by_motor: bool = Field(default=False, description="Art. 28(5): magnets only in motors; describe where the motors are and how to remove them")
    motors: list[Motor] = Field(default_factory=list)
    magnets: list[Magnet] = Field(min_length=1)
    removal: list[RemovalStep] = Field(min_length=1)
    custody: list[Custody] = Field(default_factory=list)

    def magnet(self, magnet_id: str) -> Magnet:
        return next(m for m in self.magnets if m.id == magnet_id)


def is_element(symbol: str) -> bool:
    """A chemical symbol of the periodic table (periodictable), case as written."""
    import periodictable

    try:
        element = periodictable.elements.symbol(symbol)
    except ValueError:
        return False
    return element.number > 0 and element.symbol == symbol


def element_name(symbol: str) -> str:
    import periodictable

    return periodictable.elements.symbol(symbol).name


class LoadedProduct(BaseModel):
    """A product file with its path and the sha256 of its bytes (for the fingerprint)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    product: MagnetProduct
    path: Path
    sha256: str


def field_path(loc: tuple[Any, ...]) -> str:
    """pydantic's location as a field path people read: magnets[1].composition[2].wt_percent."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        elif not str(part).startswith("function-"):
            text += f".{part}" if text else str(part)
    return text or "(product)"


def parse_product(raw: dict[str, Any], path: Path | str = "<memory>") -> MagnetProduct:
    """Validate raw product data; the first problem becomes a FootprintInputError naming file and field."""
    try:
        return MagnetProduct.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "enum" and tuple(first["loc"])[-1:] == ("group",):
            message = f"unknown product group {first.get('input')!r}; Art. 28(1) lists: {', '.join(g.value for g in ProductGroup)}"
        if len(exc.errors()) > 1:
            message += f" (and {len(exc.errors()) - 1} more problem(s))"
        raise FootprintInputError(message, file=path, field=field_path(tuple(first["loc"]))) from None


def load_product(path: Path | str) -> LoadedProduct:
    """Read and validate a product file (bounded size and nesting, UTF-8 TOML)."""
    raw, data = read_toml(path, what="product file")
    return LoadedProduct(product=parse_product(raw, path), path=Path(path), sha256=sha256_hex(data))


def today_utc() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()
