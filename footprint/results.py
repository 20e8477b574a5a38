"""Results: characterised footprint per declared unit, with contributions and provenance.

Annex V Part VII: results are characterised, never normalised or weighted. The fingerprint
records everything that produced them so a verifier can tell what changed.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_serializer

from .indicators import ClassMargin, DataQuality, Elasticity


class CategoryResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str
    unit: str
    value: float = Field(description="Characterised result per declared unit")
    by_stage: dict[str, float]
    by_process: dict[str, float]


# Fingerprint scheme 2: the rules hash is taken over canonical JSON. Declarations without a
# scheme were made under scheme 1, when it hashed pydantic's JSON text; `verify` says so.
FINGERPRINT_SCHEME = "2"


class Fingerprint(BaseModel):
    """Hashes of every input of a calculation."""

    model_config = ConfigDict(extra="forbid")

    scheme: str | None = Field(default=None, description="Fingerprint scheme; absent in declarations made under scheme 1")
    study_sha256: str
    background: str
    background_project: str | None = None
    background_sha256: str
    method_set: str
    method_version: str
    method_sha256: str
    material: str
    rules_version: str
    rules_sha256: str
    footprint_version: str
    virgin_study_sha256: str | None = Field(default=None, description="Primary study used by the Circular Footprint Formula")
    background_gaps: list[str] = Field(
        default_factory=list,
        description="What the background's import left unlinked (footprint background import --allow-unlinked): burdens not counted",
    )

    @model_serializer(mode="wrap")
    def _omit_empty_gaps(self, handler):  # type: ignore[no-untyped-def]
        """No gaps, no key: fingerprints (and declaration ids) of complete backgrounds stay as before."""
        data = handler(self)
        if not data.get("background_gaps"):
            data.pop("background_gaps", None)
        return data


class ProcessSummary(BaseModel):
    """What a public study may say about a process: no activity amounts (Art. 46)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    stage: str
    category: str
    category_title: str
    data_type: str
    location: str


class Results(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str
    material: str
    route: str
    declared_unit_kg: float
    categories: list[CategoryResult]
    processes: list[ProcessSummary]
    stages: list[str]
    allocation: list[dict[str, str | float]] = Field(default_factory=list)
    electricity: list[dict[str, str]] = Field(default_factory=list)
    excluded: list[dict[str, str | float]] = Field(default_factory=list)
    excluded_share: float = 0.0
    cutoff_limit: float = 0.0
    secondary_model: str | None = None
    fingerprint: Fingerprint
    # The verifier's workbench (footprint.indicators): sensitivity, class margin, data quality.
    elasticities: list[Elasticity] = Field(default_factory=list, description="Every foreground amount, ranked, with its elasticity per category")
    class_margin: ClassMargin | None = Field(default=None, description="Distance to the class thresholds (set when the declaration is classed)")
    dqr: DataQuality | None = Field(default=None, description="PEF data quality rating of each process and declared category")
    primary_data_share: float | None = Field(
        default=None, description="Percent of the climate result from company-specific processes (None when credits make it leave 0-100 %)"
    )
    # The solved foreground behind `elasticities` (not serialised): what the class margin re-solves.
    _sensitivity: object | None = PrivateAttr(default=None)

    def category(self, name: str) -> CategoryResult:
        for result in self.categories:
            if result.category == name:
                return result
        raise KeyError(name)

    def values(self) -> dict[str, float]:
        return {result.category: result.value for result in self.categories}


# Everything `footprint declare` writes for one study: replaced together, never mixed with an
# earlier run's files.
DECLARATION_FILES = ("results.json", "declaration.json", "declaration.sig", "declaration.html", "study.html", "study.pdf")
