"""Material rules: what a delegated act under Art. 31(2) fixes for one CRM.

Annex V leaves these to each material's calculation rules, so a plugin supplies them: the
declared unit, the stages each route must cover, which process categories need
company-specific data, the cut-off limit, co-product allocation, the categories to declare
and how performance classes are made.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .study import Route, Stage


class Price(BaseModel):
    """A product price used for economic allocation, with where it comes from."""

    model_config = ConfigDict(extra="forbid")

    product: str
    eur_per_kg: float = Field(gt=0, allow_inf_nan=False)
    source: str = Field(min_length=5)


class PublishedFootprint(BaseModel):
    """A published climate result for a route, used to sanity-check example studies."""

    model_config = ConfigDict(extra="forbid")

    route: str
    low_kg_co2e: float = Field(ge=0)
    high_kg_co2e: float = Field(ge=0)
    source: str = Field(min_length=5)


class MaterialInfo(BaseModel):
    """What `footprint materials` lists about a material."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    cn_code: str | None = Field(default=None, description="Combined Nomenclature code, where known")
    grade: str
    routes: list[Literal["primary", "secondary"]]
    plugin: str = ""


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
    secondary_model: Literal["cut-off", "circular-footprint-formula"] = "cut-off"
    cff_a: float = Field(default=0.2, ge=0, le=1, description="PEF CFF allocation factor A (0.2 for metals)")
    published_footprints: list[PublishedFootprint] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)

    def required_stages(self, route: Route) -> list[Stage]:
        return list(self.stages.get(route.value, []))

    def price_of(self, product: str) -> Price | None:
        for price in self.prices:
            if price.product == product:
                return price
        return None
