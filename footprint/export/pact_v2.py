"""PACT (WBCSD Partnership for Carbon Transparency) product footprint, Technical Specification 2.3.

Pydantic models written from "Technical Specifications for PCF Data Exchange", version
2.3.0-20241008 (WBCSD, repository wbcsd/data-exchange-protocol, spec/v2/index.bs): section
"Data Type: ProductFootprint" (pf-properties), "Data Type: CarbonFootprint"
(dt-carbonfootprint-properties), "DataQualityIndicators", "ProductOrSectorSpecificRule",
"EmissionFactorDS" and the basic data types (Decimal, Percent, DateTime, URN, PfId).
Property names are the specification's (camelCase); a field the specification marks
mandatory (M) is required here, optional (O, O*) fields may be left out.

Encoding, as section "Data Type: Decimal" and "Data Type: Percent" write it: Decimal values
are JSON strings of a dotted-decimal number; Percent values (exemptedEmissionsPercent,
primaryDataShare, coveragePercent) and the data quality ratings are JSON numbers.

O* properties are optional for reference periods before 2025 and mandatory for reference
periods that include the beginning of 2025 or later (section "CarbonFootprint", Advisement);
`CarbonFootprint` checks that rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SPEC_VERSION = "2.3.0"
SPEC_SOURCE = "WBCSD PACT Technical Specifications for PCF Data Exchange, version 2.3.0-20241008"

# The specification's Decimal type (section "Data Type: Decimal"): a dotted-decimal string.
Decimal = Annotated[str, Field(pattern=r"^[+-]?\d+(\.\d+)?$")]
PositiveOrZeroDecimal = Annotated[str, Field(pattern=r"^[+]?\d+(\.\d+)?$")]
NegativeOrZeroDecimal = Annotated[str, Field(pattern=r"^(-\d+(\.\d+)?|0+(\.0+)?)$")]
StrictlyPositiveDecimal = Annotated[str, Field(pattern=r"^[+]?((\d*[1-9]\d*)(\.\d+)?|0+\.\d*[1-9]\d*)$")]
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
Urn = Annotated[str, Field(pattern=r"^[uU][rR][nN]:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+$")]
NonEmptyString = Annotated[str, Field(min_length=1)]
# PfId (section "Data Type: PfId"): a UUID v4.
PfId = Annotated[str, Field(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")]
# DateTime (section "Data Type: DateTime"): ISO 8601, UTC.
DateTime = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")]
Rating = Annotated[float, Field(ge=1, le=3, allow_inf_nan=False)]

DeclaredUnit = Literal["liter", "kilogram", "cubic meter", "kilowatt hour", "megajoule", "ton kilometer", "square meter"]
CrossSectoralStandardUsed = Literal["GHG Protocol Product standard", "ISO Standard 14067", "ISO Standard 14044"]
RegionOrSubregion = Literal[
    "Africa", "Americas", "Asia", "Europe", "Oceania", "Australia and New Zealand", "Central Asia", "Eastern Asia",
    "Eastern Europe", "Latin America and the Caribbean", "Melanesia", "Micronesia", "Northern Africa",
    "Northern America", "Northern Europe", "Polynesia", "South-eastern Asia", "Southern Asia", "Southern Europe",
    "Sub-Saharan Africa", "Western Asia", "Western Europe",
]
O_STAR = (
    "pCfIncludingBiogenic", "dLucGhgEmissions", "landManagementGhgEmissions", "otherBiogenicGhgEmissions",
    "biogenicCarbonWithdrawal", "biogenicAccountingMethodology", "primaryDataShare", "dqi",
)


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class DataQualityIndicators(Model):
    """Section "Data Type: DataQualityIndicators" (PACT Methodology 2.0 Table 9 ratings, 1 to 3)."""

    coveragePercent: Percent
    technologicalDQR: Rating
    temporalDQR: Rating
    geographicalDQR: Rating
    completenessDQR: Rating
    reliabilityDQR: Rating


class ProductOrSectorSpecificRule(Model):
    """Section "Data Type: ProductOrSectorSpecificRule"."""

    operator: Literal["PEF", "EPD International", "Other"]
    ruleNames: list[NonEmptyString] = Field(min_length=1)
    otherOperatorName: NonEmptyString | None = None

    @model_validator(mode="after")
    def _other_named(self) -> "ProductOrSectorSpecificRule":
        if (self.operator == "Other") != (self.otherOperatorName is not None):
            raise ValueError("otherOperatorName is required with operator 'Other' and must be undefined otherwise")
        return self


class EmissionFactorDS(Model):
    """Section "Data Type: EmissionFactorDS"."""

    name: NonEmptyString
    version: NonEmptyString


class CarbonFootprint(Model):
    """Section "Data Type: CarbonFootprint", properties table (M required, O and O* optional)."""

    declaredUnit: DeclaredUnit
    unitaryProductAmount: StrictlyPositiveDecimal
    productMassPerDeclaredUnit: Decimal | None = None
    pCfExcludingBiogenic: PositiveOrZeroDecimal
    pCfIncludingBiogenic: Decimal | None = None
    fossilGhgEmissions: PositiveOrZeroDecimal
    fossilCarbonContent: PositiveOrZeroDecimal
    biogenicCarbonContent: PositiveOrZeroDecimal
    dLucGhgEmissions: PositiveOrZeroDecimal | None = None
    landManagementGhgEmissions: Decimal | None = None
    otherBiogenicGhgEmissions: PositiveOrZeroDecimal | None = None
    iLucGhgEmissions: PositiveOrZeroDecimal | None = None
    biogenicCarbonWithdrawal: NegativeOrZeroDecimal | None = None
    aircraftGhgEmissions: PositiveOrZeroDecimal | None = None
    characterizationFactors: Literal["AR6", "AR5"]
    ipccCharacterizationFactorsSources: list[Annotated[str, Field(pattern=r"^AR\d+$")]] = Field(min_length=1)
    crossSectoralStandardsUsed: list[CrossSectoralStandardUsed] = Field(min_length=1)
    crossSectoralStandards: list[NonEmptyString] = Field(min_length=1)
    productOrSectorSpecificRules: list[ProductOrSectorSpecificRule] | None = None
    biogenicAccountingMethodology: Literal["PEF", "ISO", "GHGP", "Quantis"] | None = None
    boundaryProcessesDescription: str
    referencePeriodStart: DateTime
    referencePeriodEnd: DateTime
    geographyCountrySubdivision: Annotated[str, Field(pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$")] | None = None
    geographyCountry: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    geographyRegionOrSubregion: RegionOrSubregion | None = None
    secondaryEmissionFactorSources: list[EmissionFactorDS] | None = Field(default=None, min_length=1)
    exemptedEmissionsPercent: Annotated[float, Field(ge=0, le=5, allow_inf_nan=False)]
    exemptedEmissionsDescription: str
    packagingEmissionsIncluded: bool
    packagingGhgEmissions: PositiveOrZeroDecimal | None = None
    allocationRulesDescription: str | None = None
    uncertaintyAssessmentDescription: str | None = None
    primaryDataShare: Percent | None = None
    dqi: DataQualityIndicators | None = None

    @model_validator(mode="after")
    def _spec_rules(self) -> "CarbonFootprint":
        geography = [g for g in (self.geographyCountrySubdivision, self.geographyCountry, self.geographyRegionOrSubregion) if g]
        if len(geography) > 1:
            raise ValueError("at most one of geographyCountrySubdivision, geographyCountry, geographyRegionOrSubregion (scope of a CarbonFootprint)")
        if not self.packagingEmissionsIncluded and self.packagingGhgEmissions is not None:
            raise ValueError("packagingGhgEmissions must be undefined when packagingEmissionsIncluded is false")
        if self.referencePeriodEnd <= self.referencePeriodStart:
            raise ValueError("referencePeriodEnd must be after referencePeriodStart")
        if includes_2025(self.referencePeriodEnd):
            missing = [name for name in O_STAR if getattr(self, name) is None]
            if missing:
                raise ValueError(f"for reference periods that include 2025 or later these properties are mandatory: {', '.join(missing)}")
        elif self.primaryDataShare is None and self.dqi is None:
            raise ValueError("at least one of primaryDataShare and dqi must be defined")
        return self


def includes_2025(reference_period_end: str) -> bool:
    """True when a reference period (end exclusive) includes the beginning of 2025 or later."""
    return dt.datetime.fromisoformat(reference_period_end.replace("Z", "+00:00")) > dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)


class ProductFootprint(Model):
    """Section "Data Type: ProductFootprint", properties table."""

    id: PfId
    specVersion: Literal["2.3.0"] = SPEC_VERSION
    precedingPfIds: list[PfId] | None = Field(default=None, min_length=1)
    version: Annotated[int, Field(ge=0, le=2**31 - 1)]
    created: DateTime
    updated: DateTime | None = None
    status: Literal["Active", "Deprecated"]
    statusComment: str | None = None
    validityPeriodStart: DateTime | None = None
    validityPeriodEnd: DateTime | None = None
    companyName: NonEmptyString
    companyIds: list[Urn] = Field(min_length=1)
    productDescription: str
    productIds: list[Urn] = Field(min_length=1)
    productCategoryCpc: NonEmptyString
    productNameCompany: NonEmptyString
    comment: str
    pcf: CarbonFootprint
