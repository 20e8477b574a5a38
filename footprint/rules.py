"""Material rules: what a delegated act under Art. 31(2) fixes for one CRM.

Annex V leaves these to each material's calculation rules, so a plugin supplies them: the
declared unit, the stages each route must cover, which process categories need
company-specific data, the cut-off limit, co-product allocation, the categories to declare
and how performance classes are made.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .study import Route, Stage


class Price(BaseModel):
    """A product price used for economic allocation, with where it comes from."""

    model_config = ConfigDict(extra="forbid")

    product: str
    eur_per_kg: float = Field(gt=0, allow_inf_nan=False)
    source: str = Field(min_length=5)


class PublishedFootprint(BaseModel):
    """A published climate result for a route, used to sanity-check example studies.

    The low and high values stay exactly as published. When the publication states them per
    another basis than the material's declared unit (an anhydrous salt against the traded
    hydrate, say), `per_declared_unit` converts them and `conversion` says how, so the figure
    can be traced back to the source without arithmetic done in someone's head.
    """

    model_config = ConfigDict(extra="forbid")

    route: str
    low_kg_co2e: float = Field(ge=0, allow_inf_nan=False)
    high_kg_co2e: float = Field(ge=0, allow_inf_nan=False)
    source: str = Field(min_length=5)
    basis: str | None = Field(default=None, description="what the published values are per, when not the declared unit")
    per_declared_unit: float = Field(default=1.0, gt=0, allow_inf_nan=False)
    conversion: str | None = Field(default=None, description="derivation of per_declared_unit, with its sources")

    @model_validator(mode="after")
    def _conversion_is_explained(self) -> "PublishedFootprint":
        if self.low_kg_co2e > self.high_kg_co2e:
            raise ValueError(f"low {self.low_kg_co2e} is above high {self.high_kg_co2e}")
        if self.per_declared_unit != 1.0 and not (self.basis and self.conversion):
            raise ValueError("a converted published value needs its basis and the conversion's derivation")
        return self

    @property
    def declared_unit_range(self) -> tuple[float, float]:
        """The published range per declared unit of the material."""
        return self.low_kg_co2e * self.per_declared_unit, self.high_kg_co2e * self.per_declared_unit


# Annex V Part IX: the rules pick a conformity-assessment module of Annex II to Decision No
# 768/2008/EC (module B, EU-type examination, only ever comes with one of C to F).
CONFORMITY_MODULES = {
    "A": "internal production control",
    "A1": "internal production control plus supervised product testing",
    "A2": "internal production control plus supervised product checks at random intervals",
    "B+C": "EU-type examination, then conformity to type based on internal production control",
    "B+C1": "EU-type examination, then conformity to type based on internal production control plus supervised product testing",
    "B+C2": "EU-type examination, then conformity to type based on internal production control plus supervised product checks at random intervals",
    "B+D": "EU-type examination, then conformity to type based on quality assurance of the production process",
    "B+E": "EU-type examination, then conformity to type based on product quality assurance",
    "B+F": "EU-type examination, then conformity to type based on product verification",
    "D1": "quality assurance of the production process",
    "E1": "quality assurance of final product inspection and testing",
    "F1": "conformity based on product verification",
    "G": "conformity based on unit verification",
    "H": "conformity based on full quality assurance",
    "H1": "conformity based on full quality assurance plus design examination",
}
ConformityModule = Literal[
    "A", "A1", "A2", "B+C", "B+C1", "B+C2", "B+D", "B+E", "B+F", "D1", "E1", "F1", "G", "H", "H1"
]


class CarbonContent(BaseModel):
    """Carbon in one kg of the material (PACT's fossilCarbonContent and biogenicCarbonContent).

    A property of the material's composition, so its plugin supplies it, with the derivation.
    PACT knows only fossil and biogenic carbon: carbon of mineral (geological) origin, as in a
    carbonate or natural graphite, is not biogenic and is reported as fossil.
    """

    model_config = ConfigDict(extra="forbid")

    fossil_kg_per_kg: float = Field(ge=0, le=1, allow_inf_nan=False, description="kg C of fossil or mineral origin per kg")
    biogenic_kg_per_kg: float = Field(ge=0, le=1, allow_inf_nan=False, description="kg C of biogenic origin per kg")
    source: str = Field(min_length=5, description="Derivation (formula, atomic weights, grade) or measurement")
    assumption: bool = Field(default=False, description="True when the figure rests on an assumption (say which in source)")


class MaterialInfo(BaseModel):
    """What `footprint materials` lists about a material."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    cn_code: str | None = Field(default=None, description="Combined Nomenclature code, where known")
    grade: str
    routes: list[Literal["primary", "secondary"]]
    plugin: str = ""
    carbon_content: CarbonContent | None = Field(default=None, description="Carbon per kg, for PACT exports")
    cpc_code: str | None = Field(
        default=None, pattern=r"^\d{1,5}$", description="UN CPC Ver. 2.1 code of the material, where the plugin knows it (PACT 2.3 productCategoryCpc)"
    )


class MaterialRules(BaseModel):
    """Calculation rules of one material (the plugin's answer to `footprint_material_rules`)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    rules_version: str
    declared_unit_kg: float = Field(default=1.0, gt=0, description="Annex V Part III: 1 kg unless the rules set otherwise")
    routes: list[Literal["primary", "secondary"]] = ["primary"]
    stages: dict[str, list[Stage]] = Field(
        default_factory=lambda: {
            "primary": [Stage.extraction, Stage.concentration, Stage.refining],
            "secondary": [Stage.recycling],
        },
        description="Stages a study must cover, per route",
    )
    company_specific_categories: dict[str, list[str]] = Field(
        default_factory=dict, description="Annex V Part IV categories that must use company-specific data, per route"
    )
    cutoff_limit: float = Field(
        default=0.03,
        ge=0,
        le=0.2,
        description="Largest total share of the climate result that processes excluded as negligible may have",
    )
    allocation: Literal["mass", "economic", "system-expansion"] = "mass"
    prices: list[Price] = Field(default_factory=list)
    sampling_allowed: bool = Field(
        default=False,
        description="Annex V Part VI: whether company-specific data may come from a sample of the operator's sites",
    )
    # No delegated act has fixed a module yet: draft rules default to A (internal production
    # control), the least demanding, so no declaration implies a third-party check it lacks.
    conformity_module: ConformityModule = Field(
        default="A",
        description="Annex V Part IX: module of Annex II to Decision No 768/2008/EC for the conformity assessment",
    )
    # Draft default, pending the delegated act: 5 % of the declared value, the materiality level the
    # EU ETS sets for verifying the emission reports of all but the largest installations (Commission
    # Regulation (EU) No 600/2012, Art. 23(1); 2 % for the largest, Art. 23(2)) and the level commonly
    # taken for reasonable assurance of GHG statements (ISO 14064-3:2019 clause 5.1.7 has the threshold
    # agreed for each engagement, not fixed).
    materiality_threshold: float = Field(
        default=0.05,
        gt=0,
        lt=1,
        description="Annex V Part IX: relative discrepancy of a declared category, found by the verifier, above which it is material",
    )
    secondary_model: Literal["cut-off", "circular-footprint-formula"] = "cut-off"
    cff_a: float = Field(default=0.2, ge=0, le=1, description="PEF CFF allocation factor A (0.2 for metals)")
    published_footprints: list[PublishedFootprint] = Field(default_factory=list)
    category_basis: str = Field(
        default="",
        description="Annex V Part V: the hotspot analysis the declared categories come from (study, data, date) and why they are what they are",
    )
    sources: list[str] = Field(default_factory=list)

    def required_stages(self, route: Route) -> list[Stage]:
        return list(self.stages.get(route.value, []))

    def price_of(self, product: str) -> Price | None:
        for price in self.prices:
            if price.product == product:
                return price
        return None
