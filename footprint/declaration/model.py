"""The environmental footprint declaration of Regulation (EU) 2024/1252, Art. 31(7).

`build_declaration` turns computed `Results` and the study they came from into a
`Declaration`: the six items Art. 31(7) lists, (a) the responsible person, (b) the type of
CRM, (c) where it was extracted, processed, refined or recycled, (d) the footprint as
characterised results per declared unit of the material's declared categories (no
normalisation, no weighting: Annex V Part VII), (e) the performance class with the class
table it came from and (f) the web link to the public study; plus an id, the issue date, the
versions used and a fingerprint that lets `footprint verify` re-run the calculation and say
what changed.

Confidentiality (Art. 46): a declaration is public. It carries characterised results, by
life-cycle stage, and hashes of the inputs, never an activity amount of the study.

Tamper evidence: `content_sha256` is the sha256 of the canonical JSON (sorted keys, no
spaces, UTF-8) of the declaration without that field. Any edit by hand changes it;
`footprint verify` checks it before anything else.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..errors import FootprintInputError
from ..links import web_url

from ..methods import CLIMATE_CHANGE
from ..results import Fingerprint
from ..study.diff import StudyDigest

SCHEMA_VERSION = "1"
REGULATION = "Regulation (EU) 2024/1252, Article 31(7) and Annex V"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _link(value: str, field: str, allow_relative: bool = False) -> str:
    """A declaration read from a file is rendered with its links: http(s) only (footprint.links)."""
    try:
        return web_url(value, field=field, allow_relative=allow_relative)
    except FootprintInputError as exc:
        raise ValueError(exc.message) from None


class ResponsiblePerson(Model):
    """Art. 31(7)(a)."""

    name: str
    trade_name: str = Field(description="Registered trade name or trade mark")
    postal_address: str
    email: str | None = Field(default=None, description="Electronic contact (e-mail)")
    website: str | None = Field(default=None, description="Electronic contact (web)")

    @field_validator("website")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        return None if value is None else _link(value, "responsible_person.website")


class MaterialType(Model):
    """Art. 31(7)(b): the type of critical raw material the declaration covers."""

    id: str = Field(description="Material id of the calculation rules")
    name: str
    grade: str | None = None
    cn_code: str | None = Field(default=None, description="Combined Nomenclature code, where known")
    route: Literal["primary", "secondary"] = Field(description="primary (mined) or secondary (recycled)")


class Origin(Model):
    """Art. 31(7)(c): one place where a life-cycle stage happened."""

    stage: str = Field(description="extraction, concentration, refining or recycling")
    activity: str = Field(description="The Art. 31(7)(c) word for the stage: extracted, processed, refined, recycled")
    country: str = Field(description="ISO 3166-1 alpha-2 code")
    country_name: str
    region: str


class DeclaredCategory(Model):
    """Art. 31(7)(d): one characterised result per declared unit."""

    category: str = Field(description="EF impact category")
    short: str = Field(description="Short name for people")
    unit: str
    value: float = Field(allow_inf_nan=False, description="Characterised result per declared unit")
    meaning: str = Field(description="What the category measures, in one line")
    by_stage: dict[str, float] = Field(description="Characterised contribution of each life-cycle stage")


class DeclaredFootprint(Model):
    """Art. 31(7)(d): the footprint under the material's calculation rules."""

    declared_unit: str
    declared_unit_kg: float
    reporting_period: str
    characterisation: str = "characterised results per declared unit; no normalisation, no weighting (Annex V Part VII)"
    method_set: str
    method_version: str
    category_selection: str = Field(description="Where the list of declared categories comes from")
    stages: list[str]
    categories: list[DeclaredCategory]


class ClassTableRef(Model):
    """The performance-class table a class came from (enough to find and check it)."""

    material: str
    category: str
    unit: str
    period: str
    valid_from: dt.date
    valid_until: dt.date
    provisional: bool
    method: str
    thresholds: list[float]
    labels: list[str]
    sha256: str = Field(description="sha256 of the canonical JSON of the table")
    boundary_rule: str


class PerformanceClass(Model):
    """Art. 31(7)(e), Art. 31(8) and Annex V Part VIII."""

    assigned: bool
    label: str | None = Field(default=None, description="Class letter, A the best (lowest impact)")
    statement: str = Field(description="The class in words, or why none is assigned")
    category: str = CLIMATE_CHANGE
    value: float | None = Field(default=None, description="The declared value that was classed")
    scale: list[str] = Field(description="Letters of the scale, best first")
    table: ClassTableRef | None = None


class PublicStudyLink(Model):
    """Art. 31(7)(f)."""

    url: str
    relative: bool = Field(description="True when the study names no URL and the link points at the study.html written beside the declaration")
    note: str

    @field_validator("url")
    @classmethod
    def _study_address(cls, value: str) -> str:
        return _link(value, "public_study.url", allow_relative=True)


class ConformityAssessment(Model):
    """Annex V Part IX: how conformity is assessed, as the material's rules fix it."""

    module: str = Field(description="Module of Annex II to Decision No 768/2008/EC")
    name: str
    rules: str = Field(description="The calculation rules that set the module")


class Versions(Model):
    footprint: str
    method: str
    background: str
    rules: str


class Declaration(Model):
    """An environmental footprint declaration, Regulation (EU) 2024/1252 Art. 31(7)."""

    schema_version: Literal["1"] = SCHEMA_VERSION
    regulation: str = REGULATION
    declaration_id: str
    issue_date: dt.date
    title: str
    responsible_person: ResponsiblePerson = Field(description="Art. 31(7)(a)")
    material: MaterialType = Field(description="Art. 31(7)(b)")
    origin: list[Origin] = Field(description="Art. 31(7)(c)")
    footprint: DeclaredFootprint = Field(description="Art. 31(7)(d)")
    performance_class: PerformanceClass = Field(description="Art. 31(7)(e)")
    public_study: PublicStudyLink = Field(description="Art. 31(7)(f)")
    public_address: str | None = Field(
        default=None,
        description="Where the registry publishes this declaration (<registry base URL>/declarations/<declaration_id>); "
        "the QR code of declaration.html encodes it. None when issued without a registry URL",
    )
    conformity_assessment: ConformityAssessment = Field(description="Annex V Part IX")
    versions: Versions
    fingerprint: Fingerprint = Field(description="Hashes of the study, background, method set and rules")
    study_digest: StudyDigest = Field(description="Keyed digests of the study's parts, to tell which input changed")
    content_sha256: str = Field(default="", description="sha256 of the canonical JSON of this declaration without this field")

    @field_validator("public_address")
    @classmethod
    def _public_address(cls, value: str | None) -> str | None:
        return None if value is None else _link(value, "public_address")

    def category(self, name: str) -> DeclaredCategory:
        for category in self.footprint.categories:
            if category.category == name:
                return category
        raise KeyError(name)

    @property
    def headline(self) -> DeclaredCategory:
        return self.footprint.categories[0]
