"""Calculation and verification rules for the Art. 29 share: what the delegated act of Art. 29(2) fixes.

The Regulation itself fixes the eight elements, the 0.2 kg threshold, the magnet types and the
exemptions (they are in `footprint.magnets.scope`, not here). What it leaves to the delegated
act is how the share is calculated and verified, including the conformity-assessment module
of Annex II to Decision No 768/2008/EC. A plugin supplies those choices as `MagnetRules`;
every choice carries the reason it was made (`reasons`), and rules that are not an adopted act
say so (`draft`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from footprint.files import sha256_of
from footprint.rules import CONFORMITY_MODULES, ConformityModule

from .product import CustodyModel, Origin

# The fields that are choices of the rules; each needs a reason.
CHOICES = (
    "share_basis",
    "accepted_custody_models",
    "custody_required_for",
    "max_mass_balance_days",
    "composition_tolerance_wt_percent",
    "mass_tolerance_relative",
    "coatings_in_share",
    "conformity_module_series",
    "conformity_module_single",
    "reported_decimals",
)


class MagnetRules(BaseModel):
    """The rules a magnet plugin supplies for one or more product groups of Art. 28(1)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    rules_version: str = Field(min_length=1)
    title: str
    draft: bool = Field(description="True while the delegated act of Art. 29(2) is not adopted; declarations say so")
    status: str = Field(description="What these rules are, in one sentence shown on every declaration")
    product_groups: list[str] = Field(description="Product groups of Art. 28(1) the rules apply to ('*' for all)")
    share_basis: Literal["product"] = Field(description="One share per element over all in-scope magnets of the product")
    accepted_custody_models: list[CustodyModel] = Field(min_length=1)
    custody_required_for: list[Origin] = Field(description="Origins a supply line may only claim with a chain-of-custody record")
    max_mass_balance_days: int = Field(ge=1, le=3660, description="Longest accepted mass-balance period")
    composition_tolerance_wt_percent: float = Field(ge=0, le=5, description="How far a composition with no balance element may be from 100 %")
    mass_tolerance_relative: float = Field(ge=0, le=0.05, description="Relative tolerance between a magnet's element mass and its supply lines")
    coatings_in_share: bool = Field(description="Do coatings count as part of the magnet for the share?")
    conformity_module_series: ConformityModule
    conformity_module_single: ConformityModule
    reported_decimals: int = Field(ge=0, le=3, description="Decimals of the per cent shown on the page (the JSON keeps the exact share)")
    minimum_shares: dict[str, float] = Field(default_factory=dict, description="Minimum post-consumer shares of Art. 29(3), once adopted")
    reasons: dict[str, str] = Field(description="Why each choice was made")
    sources: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _every_choice_explained(self) -> "MagnetRules":
        missing = [name for name in CHOICES if not self.reasons.get(name, "").strip()]
        if missing:
            raise ValueError(f"every choice of the rules needs its reason; missing: {', '.join(missing)}")
        unknown = sorted(set(self.reasons) - set(CHOICES) - {"minimum_shares"})
        if unknown:
            raise ValueError(f"reasons given for no choice: {', '.join(unknown)}")
        return self

    def covers(self, group: str) -> bool:
        return "*" in self.product_groups or group in self.product_groups

    def conformity_module(self, made_in_series: bool) -> str:
        return self.conformity_module_series if made_in_series else self.conformity_module_single

    @staticmethod
    def module_name(module: str) -> str:
        return CONFORMITY_MODULES[module]

    @property
    def sha256(self) -> str:
        """sha256 of the rules' canonical JSON: a changed choice or reason is a changed rule set."""
        return sha256_of(self.model_dump(mode="json"))
