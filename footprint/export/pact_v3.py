"""PACT (WBCSD Partnership for Carbon Transparency) product footprint, Technical Specification 3.0.

Pydantic models written from "Technical Specifications for PCF Data Exchange", version 3.0.0
(WBCSD, repository wbcsd/data-exchange-protocol: spec/v3/index.md, section "Data Model", whose
data types are generated from spec/v3/openapi.yaml, components/schemas ProductFootprint,
CarbonFootprint, DataQualityIndicators, Verification, ProductOrSectorSpecificRule,
EmissionFactorSource and the simple types Decimal, PositiveOrZeroDecimal, NegativeOrZeroDecimal,
PositiveNonZeroDecimal, Urn). Properties in the schema's `required` lists are required here.

Encoding (section "Basic Types"): every non-integer number is a decimal string
(`string<decimal>`, e.g. "12.3456"), percentages and data quality ratings included; the
schema's pattern `^[+-]?\\d+(\\.\\d+)?$` allows no exponent. Dates are ISO 8601 in UTC.
Version 3.0 drops `version`, `updated`, `statusComment`, `productCategoryCpc` (replaced by
`productClassifications`), `characterizationFactors` and `crossSectoralStandardsUsed`, and
renames `assurance` to `verification` and the declared unit to `declaredUnitOfMeasurement` +
`declaredUnitAmount`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .pact_v2 import DateTime, EmissionFactorDS, NonEmptyString, PfId, ProductOrSectorSpecificRule, RegionOrSubregion, Urn

SPEC_VERSION = "3.0.0"
SPEC_SOURCE = "WBCSD PACT Technical Specifications for PCF Data Exchange, version 3.0.0"

Decimal = Annotated[str, Field(pattern=r"^[+-]?\d+(\.\d+)?$")]
PositiveOrZeroDecimal = Annotated[str, Field(pattern=r"^[+]?\d+(\.\d+)?$")]
NegativeOrZeroDecimal = Annotated[str, Field(pattern=r"^(-\d+(\.\d+)?|0+(\.0+)?)$")]
PositiveNonZeroDecimal = Annotated[str, Field(pattern=r"^[+]?((\d*[1-9]\d*)(\.\d+)?|0+\.\d*[1-9]\d*)$")]

DeclaredUnitOfMeasurement = Literal[
    "liter", "kilogram", "cubic meter", "kilowatt hour", "megajoule", "ton kilometer", "square meter", "piece", "hour",
    "megabit second",
]
CrossSectoralStandard = Literal["ISO14067", "ISO14083", "ISO14040-44", "GHGP-Product", "PEF", "PACT-1.0", "PACT-2.0", "PACT-3.0"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class DataQualityIndicators(Model):
    """components/schemas/DataQualityIndicators: ratings 1 to 5, as decimal strings."""

    technologicalDQR: Decimal
    geographicalDQR: Decimal
    temporalDQR: Decimal


class Verification(Model):
    """components/schemas/Verification (renamed from v2's Assurance)."""

    coverage: Literal["PCF calculation model", "PCF program", "product level"] | None = None
    providerName: str | None = None
    completedAt: DateTime | None = None
    standardName: str | None = None
    comments: str | None = None


class CarbonFootprint(Model):
    """components/schemas/CarbonFootprint."""

    declaredUnitOfMeasurement: DeclaredUnitOfMeasurement
    declaredUnitAmount: PositiveNonZeroDecimal
    productMassPerDeclaredUnit: Decimal
    referencePeriodStart: DateTime
    referencePeriodEnd: DateTime
    geographyRegionOrSubregion: RegionOrSubregion | None = None
    geographyCountry: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    geographyCountrySubdivision: Annotated[str, Field(pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$")] | None = None
    boundaryProcessesDescription: str | None = None
    pcfExcludingBiogenicUptake: Decimal
    pcfIncludingBiogenicUptake: Decimal
    fossilCarbonContent: PositiveOrZeroDecimal
    biogenicCarbonContent: PositiveOrZeroDecimal | None = None
    recycledCarbonContent: PositiveOrZeroDecimal | None = None
    fossilGhgEmissions: PositiveOrZeroDecimal
    landUseChangeGhgEmissions: PositiveOrZeroDecimal | None = None
    landCarbonLeakage: PositiveOrZeroDecimal | None = None
    landManagementFossilGhgEmissions: PositiveOrZeroDecimal | None = None
    landManagementBiogenicCO2Emissions: PositiveOrZeroDecimal | None = None
    landManagementBiogenicCO2Removals: NegativeOrZeroDecimal | None = None
    biogenicCO2Uptake: NegativeOrZeroDecimal | None = None
    biogenicNonCO2Emissions: PositiveOrZeroDecimal | None = None
    landAreaOccupation: PositiveOrZeroDecimal | None = None
    aircraftGhgEmissions: PositiveOrZeroDecimal | None = None
    packagingEmissionsIncluded: bool | None = None
    packagingGhgEmissions: PositiveOrZeroDecimal | None = None
    packagingBiogenicCarbonContent: PositiveOrZeroDecimal | None = None
    outboundLogisticsGhgEmissions: PositiveOrZeroDecimal | None = None
    technologicalCO2CaptureOrigin: str | None = None
    technologicalCO2Removals: PositiveOrZeroDecimal | None = None
    ccsTechnologicalCO2CaptureIncluded: bool | None = None
    ccsTechnologicalCO2Capture: NegativeOrZeroDecimal | None = None
    ccuCarbonContent: PositiveOrZeroDecimal | None = None
    ccuCalculationApproach: Literal["Cut-off", "Credit"] | None = None
    ccuCreditCertification: str | None = None
    ipccCharacterizationFactors: list[Annotated[str, Field(pattern=r"^AR\d+$")]] = Field(min_length=1)
    crossSectoralStandards: list[CrossSectoralStandard] = Field(min_length=1)
    productOrSectorSpecificRules: list[ProductOrSectorSpecificRule] | None = Field(default=None, min_length=1)
    exemptedEmissionsPercent: Decimal
    exemptedEmissionsDescription: str | None = None
    allocationRulesDescription: str | None = None
    secondaryEmissionFactorSources: list[EmissionFactorDS] | None = Field(default=None, min_length=1)
    primaryDataShare: Decimal | None = None
    dqi: DataQualityIndicators | None = None
    verification: Verification | None = None

    @model_validator(mode="after")
    def _spec_rules(self) -> "CarbonFootprint":
        geography = [g for g in (self.geographyCountrySubdivision, self.geographyCountry, self.geographyRegionOrSubregion) if g]
        if len(geography) > 1:
            raise ValueError("at most one of geographyCountrySubdivision, geographyCountry, geographyRegionOrSubregion (Scope of a CarbonFootprint)")
        if self.packagingEmissionsIncluded is False and self.packagingGhgEmissions is not None:
            raise ValueError("packagingGhgEmissions must be undefined when packagingEmissionsIncluded is false")
        if self.referencePeriodEnd <= self.referencePeriodStart:
            raise ValueError("referencePeriodEnd must be after referencePeriodStart")
        return self


class ProductFootprint(Model):
    """components/schemas/ProductFootprint."""

    id: PfId
    specVersion: Literal["3.0.0"] = SPEC_VERSION
    precedingPfIds: list[PfId] | None = Field(default=None, min_length=1)
    created: DateTime
    status: Literal["Active", "Deprecated"]
    validityPeriodStart: DateTime | None = None
    validityPeriodEnd: DateTime | None = None
    companyName: NonEmptyString
    companyIds: list[Urn] = Field(min_length=1)
    productDescription: str
    productIds: list[Urn] = Field(min_length=1)
    productClassifications: list[Urn] | None = Field(default=None, min_length=1)
    productNameCompany: NonEmptyString
    comment: str | None = None
    pcf: CarbonFootprint
