"""The study: what a producer writes to describe how one declared unit of a CRM is made.

A study file is TOML. Its contract is the pydantic model `Study` below; `footprint schema
study` prints its JSON Schema. Annex V rules (which stages and categories are allowed) are
not here: they live in `footprint.boundary`, so this module only checks form, not law.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator
from pydantic import Strict as NoCoercion

from ..errors import FootprintInputError
from ..links import registry_base, web_url
from ..units import base_unit_factor, check_convertible, check_unit
from .quality import DataQualityScores

# TOML has real numbers, booleans and dates: a quoted "5.0" or a `true` where an amount goes is
# a slip to report, not to coerce (pydantic's lax mode would read `true` as 1.0).
FiniteNonNegative = Annotated[float, NoCoercion(), Field(ge=0, allow_inf_nan=False)]
FinitePositive = Annotated[float, NoCoercion(), Field(gt=0, allow_inf_nan=False)]
Share = Annotated[float, NoCoercion(), Field(ge=0, le=1, allow_inf_nan=False)]
Date = Annotated[dt.date, NoCoercion()]


MAX_TEXT_LENGTH = 20_000


class Strict(BaseModel):
    """Base for file models: unknown keys are typos, and typos must not pass silently."""

    # Every text a user writes is bounded: no real study has a field this long, and every one
    # may end up on a public page (a 200 MB description would be copied whole into study.html).
    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=True, str_max_length=MAX_TEXT_LENGTH)


class Route(str, Enum):
    primary = "primary"
    secondary = "secondary"


class Stage(str, Enum):
    """Life-cycle stages a study may name; `use` and `end-of-life` exist to be refused."""

    extraction = "extraction"
    concentration = "concentration"
    refining = "refining"
    recycling = "recycling"
    use = "use"
    end_of_life = "end-of-life"


class DataType(str, Enum):
    """Annex V Part I: company-specific (measured at the operator's facilities) or secondary."""

    company_specific = "company-specific"
    secondary = "secondary"


def _checked_url(value: str, field: str, allow_relative: bool = False) -> str:
    """A link that will be clickable on a public page: http(s) only (footprint.links)."""
    try:
        return web_url(value, field=field, allow_relative=allow_relative)
    except FootprintInputError as exc:
        raise ValueError(exc.message) from None


class Operator(Strict):
    """Art. 31(7)(a): who is responsible for the declaration."""

    name: str = Field(min_length=1)
    trade_name: str = Field(min_length=1, description="Registered trade name or trade mark")
    postal_address: str = Field(min_length=1)
    email: EmailStr | None = Field(default=None, description="Electronic contact (e-mail)")
    website: str | None = Field(default=None, description="Electronic contact (web)")

    @field_validator("website")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        return None if value is None else _checked_url(value, "website")

    @model_validator(mode="after")
    def _needs_electronic_contact(self) -> "Operator":
        if not (self.email or self.website):
            raise ValueError("an electronic contact (email or website) is required by Art. 31(7)(a)")
        return self


class Site(Strict):
    """Art. 31(7)(c): where a life-cycle stage takes place."""

    stage: Stage
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 country code")
    region: str = Field(min_length=1)


class ReportingPeriod(Strict):
    start: Date
    end: Date

    @model_validator(mode="after")
    def _ordered(self) -> "ReportingPeriod":
        if self.end < self.start:
            raise ValueError("reporting period ends before it starts")
        if self.end > dt.date.today():
            raise ValueError(f"reporting period ends in the future ({self.end}): its activity data cannot have been measured yet")
        return self


class Uncertainty(Strict):
    """A stats_arrays distribution for a foreground amount (used by Monte Carlo)."""

    distribution: Literal["lognormal", "normal", "uniform", "triangular"]
    gsd: Annotated[float, NoCoercion(), Field(gt=1, allow_inf_nan=False)] | None = Field(
        default=None, description="geometric standard deviation (lognormal)"
    )
    sd: FinitePositive | None = Field(default=None, description="standard deviation (normal)")
    minimum: FiniteNonNegative | None = None
    maximum: FiniteNonNegative | None = None

    @model_validator(mode="after")
    def _parameters_complete(self) -> "Uncertainty":
        needed = {"lognormal": ("gsd",), "normal": ("sd",)}.get(self.distribution, ("minimum", "maximum"))
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.distribution} distribution needs {' and '.join(missing)}")
        if self.minimum is not None and self.maximum is not None and self.minimum >= self.maximum:
            raise ValueError(f"minimum {self.minimum:g} is not below maximum {self.maximum:g}; give no distribution for a fixed amount")
        return self


class Sourced(Strict):
    source: str | None = Field(default=None, description="Publication, table and year, or the measurement behind the number")
    assumption: bool = Field(default=False, description="True when the number is an assumption or a derivation")


class Amount(Sourced):
    amount: FiniteNonNegative
    unit: str

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, value: str) -> str:
        check_unit(value)
        return value

    @model_validator(mode="after")
    def _representable(self) -> "Amount":
        check_convertible(self.amount, self.unit)
        spread = getattr(self, "uncertainty", None)
        if spread is not None and spread.distribution == "normal" and self.amount < 3 * spread.sd:
            raise ValueError(
                f"a normal distribution with sd {spread.sd:g} around {self.amount:g} samples negative amounts; "
                "use a lognormal one for a quantity that cannot be negative"
            )
        return self


class TechnosphereInput(Amount):
    """An input from another process of the study or from a background dataset.

    Link by `process` (a process id of this study), by `dataset` (a code, optionally with
    `database`), or by `name` + `location` (the unit must then be convertible to the
    dataset's unit).
    """

    process: str | None = None
    dataset: str | None = None
    database: str | None = None
    name: str | None = None
    location: str | None = None
    uncertainty: Uncertainty | None = None

    @model_validator(mode="after")
    def _one_link(self) -> "TechnosphereInput":
        ways = [self.process is not None, self.dataset is not None, self.name is not None]
        if sum(ways) != 1:
            raise ValueError("an input links by exactly one of: process, dataset (code) or name (+ location)")
        return self

    def describe(self) -> str:
        if self.process:
            return f"process {self.process!r}"
        if self.dataset:
            return f"dataset {self.database + ':' if self.database else ''}{self.dataset}"
        return f"dataset named {self.name!r} in {self.location or 'any location'}"


class ElementaryFlow(Amount):
    """An emission or resource, by name and compartment (e.g. 'air/urban air close to ground') or by key."""

    flow: str | None = None
    compartment: str | None = None
    key: str | None = Field(default=None, description="biosphere database code, e.g. a biosphere3 UUID")
    uncertainty: Uncertainty | None = None

    @model_validator(mode="after")
    def _identified(self) -> "ElementaryFlow":
        if self.key is None and (self.flow is None or self.compartment is None):
            raise ValueError("an elementary flow needs `flow` and `compartment`, or `key`")
        return self

    def describe(self) -> str:
        return self.key or f"{self.flow} ({self.compartment})"


# What a process makes per reference output, in SI base units (kg, m3, J, ...): footprint's
# plausibility bounds, an assumption. No real process is written per less than a microgram (a
# reference output of 1e-300 t would declare 1e297 kg CO2e per kg), nor per more than a
# billion tonnes (a world's annual output of any CRM is below that).
REFERENCE_OUTPUT_BOUNDS = (1e-9, 1e12)


class ReferenceOutput(Amount):
    product: str = Field(min_length=1)
    amount: FinitePositive  # type: ignore[assignment]
    price: FiniteNonNegative | None = Field(default=None, description="EUR per kg, for economic allocation")
    price_source: str | None = None

    @model_validator(mode="after")
    def _plausible(self) -> "ReferenceOutput":
        low, high = REFERENCE_OUTPUT_BOUNDS
        base = self.amount * base_unit_factor(self.unit)
        if not low <= base <= high:
            raise ValueError(
                f"a reference output of {self.amount:g} {self.unit} is {base:.3g} in SI base units, outside {low:g} to {high:g}: "
                "no real process is written per so little or so much; write it per batch, day or year"
            )
        return self


class Coproduct(Amount):
    """A co-product that shares the process's burdens, by the material rules' allocation."""

    product: str = Field(min_length=1)
    price: FiniteNonNegative | None = Field(default=None, description="EUR per kg, for economic allocation")
    price_source: str | None = None
    substitutes: str | None = Field(
        default=None, description="Background dataset code the co-product replaces (system expansion)"
    )


class Allocation(str, Enum):
    mass = "mass"
    economic = "economic"
    system_expansion = "system-expansion"


class ElectricitySupply(Strict):
    """Evidence that lets a process use electricity other than its country's grid mix.

    Mirrors the conditions the Battery Regulation's carbon-footprint rules set: a direct line
    to a generator, or a contractual instrument (power-purchase agreement) that is unique,
    tracked, and matched to the process's consumption.
    """

    kind: Literal["direct-line", "power-purchase-agreement"]
    dataset: str = Field(description="Background dataset code of the supplying generation technology")
    evidence: str = Field(min_length=10, description="Contract or metering reference a verifier can check")
    unique_claim: bool = Field(description="No other consumer claims the same attributes (no double counting)")
    matched_consumption: bool = Field(description="Supply is matched to the process's metered consumption in the period")


class Sampling(Strict):
    """Company-specific data measured at a sample of the operator's sites (Annex V Part VI)."""

    sites_total: Annotated[int, NoCoercion(), Field(ge=2)] = Field(description="Sites that run this process")
    sites_measured: Annotated[int, NoCoercion(), Field(ge=1)] = Field(description="Sites whose data the process uses")
    method: str = Field(min_length=10, description="How the sample was drawn and scaled to all sites")

    @model_validator(mode="after")
    def _a_sample(self) -> "Sampling":
        if self.sites_measured >= self.sites_total:
            raise ValueError(f"{self.sites_measured} of {self.sites_total} sites measured is not a sample; leave sampling out")
        return self


class Process(Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    name: str = Field(min_length=1)
    stage: Stage
    category: str = Field(description="Annex V Part IV code, e.g. '1(f)' or '2(d)'")
    data_type: DataType
    location: str = Field(min_length=2)
    reference_output: ReferenceOutput
    inputs: list[TechnosphereInput] = Field(default_factory=list)
    elementary_flows: list[ElementaryFlow] = Field(default_factory=list)
    coproducts: list[Coproduct] = Field(default_factory=list)
    allocation: Allocation | None = Field(default=None, description="Overrides the material rules' default")
    electricity_supply: list[ElectricitySupply] = Field(default_factory=list)
    sampling: Sampling | None = Field(default=None, description="When the data come from a sample of the operator's sites")
    dqr: DataQualityScores | None = Field(default=None, description="PEF data quality scores of this process's data (unscored: footprint's default for its data type)")
    description: str | None = None


class ExcludedProcess(Strict):
    """A process left out as negligible (Annex V Part IV 3), with its estimated share."""

    name: str = Field(min_length=1)
    stage: Stage
    category: str | None = None
    estimated_share: Share = Field(description="Fraction of the climate result")
    reason: str = Field(min_length=1)


class NotModelled(Strict):
    """Something the data leave out on purpose, so that a zero in a category is explained, never silent."""

    item: str = Field(min_length=1, description="What is not modelled, e.g. 'radionuclide releases of the nuclear fuel chain'")
    categories: list[str] = Field(
        default_factory=list, description="EF impact categories this omission leaves at or near zero (category names of the method set)"
    )
    reason: str = Field(min_length=1, description="Why it is left out: no published figure found, outside the data source, ...")


class CircularFootprintInputs(Strict):
    """Parameters of the PEF Circular Footprint Formula, for rules that select it."""

    recycled_content: Share = Field(description="R1: share of recycled input")
    quality_ratio: Annotated[float, NoCoercion(), Field(gt=0, le=1, allow_inf_nan=False)] = Field(description="Qsin/Qp: quality of recycled vs primary")
    virgin_study: str = Field(description="Study of the primary material the recycled input replaces (path relative to this file)")
    source: str = Field(min_length=5)


class Study(Strict):
    """A producer's study of one declared unit of a critical raw material."""

    schema_version: Literal["1"] = "1"
    title: str = Field(min_length=1)
    material: str = Field(min_length=1, description="Material plugin id, e.g. 'lithium-carbonate'")
    route: Route
    declared_unit_kg: FinitePositive = 1.0
    background: str = Field(default="footprint-starter", description="Background database name")
    background_project: str | None = Field(
        default=None, description="Existing Brightway project holding `background` (else footprint's own)"
    )
    electricity_rule: Literal["grid"] = "grid"
    reporting_period: ReportingPeriod
    description: str | None = None
    study_url: str | None = Field(default=None, description="Where the public study will be published (Art. 31(7)(f))")
    registry_url: str | None = Field(
        default=None,
        description="Base URL of the registry that publishes the declaration; its public address (and QR code) "
        "is <registry_url>/declarations/<declaration_id>",
    )
    operator: Operator
    sites: list[Site] = Field(min_length=1)
    processes: list[Process] = Field(min_length=1)
    product_process: str = Field(description="Id of the process whose reference output is the declared material")
    excluded: list[ExcludedProcess] = Field(default_factory=list)
    not_modelled: list[NotModelled] = Field(
        default_factory=list, description="What the study's own data leave out (shown in the public study); linked background datasets list theirs"
    )
    circular_footprint: CircularFootprintInputs | None = None

    @field_validator("study_url")
    @classmethod
    def _study_address(cls, value: str | None) -> str | None:
        return None if value is None else _checked_url(value, "study_url", allow_relative=True)

    @field_validator("registry_url")
    @classmethod
    def _registry_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return registry_base(value)
        except FootprintInputError as exc:
            raise ValueError(exc.message) from None

    @model_validator(mode="after")
    def _ids_resolve(self) -> "Study":
        seen: set[str] = set()
        for process in self.processes:
            if process.id in seen:
                raise ValueError(f"two processes share the id {process.id!r}")
            seen.add(process.id)
        if self.product_process not in seen:
            raise ValueError(f"product_process {self.product_process!r} is not the id of a process")
        return self

    def process(self, process_id: str) -> Process:
        for process in self.processes:
            if process.id == process_id:
                return process
        raise KeyError(process_id)
