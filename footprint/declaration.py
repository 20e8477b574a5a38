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
import functools
import hashlib
import json
import math
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .methods import CLIMATE_CHANGE, MethodSet, load_method_set
from .files import canonical_json, write_atomically
from .results import Fingerprint, Results
from .rules import CONFORMITY_MODULES, MaterialRules
from .study import LoadedStudy
from .study_diff import StudyDigest, study_digest

SCHEMA_VERSION = "1"
REGULATION = "Regulation (EU) 2024/1252, Article 31(7) and Annex V"
NOT_ASSIGNED = "not assigned: no class table in force"
DEFAULT_SCALE = list("ABCDEFG")
RELATIVE_STUDY_LINK = "study.html"

def country_name(code: str) -> str:
    """English short name of an ISO 3166-1 alpha-2 code (pycountry), the common one where it has one."""
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    return (getattr(country, "common_name", None) or country.name) if country else code


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ResponsiblePerson(Model):
    """Art. 31(7)(a)."""

    name: str
    trade_name: str = Field(description="Registered trade name or trade mark")
    postal_address: str
    email: str | None = Field(default=None, description="Electronic contact (e-mail)")
    website: str | None = Field(default=None, description="Electronic contact (web)")


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
    conformity_assessment: ConformityAssessment = Field(description="Annex V Part IX")
    versions: Versions
    fingerprint: Fingerprint = Field(description="Hashes of the study, background, method set and rules")
    study_digest: StudyDigest = Field(description="Keyed digests of the study's parts, to tell which input changed")
    content_sha256: str = Field(default="", description="sha256 of the canonical JSON of this declaration without this field")

    def category(self, name: str) -> DeclaredCategory:
        for category in self.footprint.categories:
            if category.category == name:
                return category
        raise KeyError(name)

    @property
    def headline(self) -> DeclaredCategory:
        return self.footprint.categories[0]


# --- hashing ------------------------------------------------------------------------------------


def content_hash(data: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of a declaration (as parsed JSON) without `content_sha256`."""
    body = {key: value for key, value in data.items() if key != "content_sha256"}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def declaration_json(declaration: Declaration) -> str:
    """The declaration as written to declaration.json, sealed with its content hash."""
    data = json.loads(declaration.model_dump_json())
    data["content_sha256"] = content_hash(data)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def seal(declaration: Declaration) -> Declaration:
    """Return the declaration with its content hash filled in."""
    return Declaration.model_validate_json(declaration_json(declaration))


def class_table_sha256(table: Any) -> str:
    return hashlib.sha256(canonical_json(json.loads(table.model_dump_json()))).hexdigest()


# --- building ------------------------------------------------------------------------------------


def declared_category_names(results: Results, declared: list[str] | None) -> tuple[list[str], str]:
    """Declared categories, climate change first, and a sentence saying where they come from."""
    available = [c.category for c in results.categories]
    if declared:
        unknown = [name for name in declared if name not in available]
        if unknown:
            raise ValueError(f"the material rules declare categories the method set lacks: {', '.join(unknown)}")
        names = list(dict.fromkeys(declared))
        source = "the material's calculation rules (hotspot analysis, Annex V Part V)"
    else:
        names = available
        source = "all categories of the method set: the material's rules name none yet (no hotspot selection available)"
    if CLIMATE_CHANGE not in names:
        names.insert(0, CLIMATE_CHANGE)
    names.sort(key=lambda name: name != CLIMATE_CHANGE)
    return names, source


def _class_table_ref(table: Any) -> ClassTableRef:
    return ClassTableRef(
        material=table.material,
        category=table.category,
        unit=table.unit,
        period=table.period,
        valid_from=table.valid_from,
        valid_until=table.valid_until,
        provisional=table.provisional,
        method=table.method,
        thresholds=list(table.thresholds),
        labels=list(table.labels),
        sha256=class_table_sha256(table),
        boundary_rule=table.boundary_rule,
    )


def performance_class(results: Results, class_table: Any | None) -> PerformanceClass:
    """Class of the climate result under `class_table` (None: not assigned)."""
    if class_table is None:
        return PerformanceClass(assigned=False, statement=NOT_ASSIGNED, scale=DEFAULT_SCALE)
    from .classes import assign_class

    category = class_table.category
    value = results.category(category).value
    label = assign_class(class_table, value)
    ref = _class_table_ref(class_table)
    provisional = " (provisional table)" if class_table.provisional else ""
    return PerformanceClass(
        assigned=True,
        label=label,
        statement=f"class {label} of {ref.labels[0]}-{ref.labels[-1]} for {category}, table {ref.period}{provisional}",
        category=category,
        value=value,
        scale=ref.labels,
        table=ref,
    )


def _activity(stage: str) -> str:
    return {"extraction": "extracted", "concentration": "processed", "refining": "refined", "recycling": "recycled"}.get(
        stage, stage
    )


def declaration_id(fingerprint: Fingerprint, digest: StudyDigest, issue_date: dt.date) -> str:
    """Deterministic id: the same inputs declared on the same day give the same id."""
    basis = canonical_json([fingerprint.model_dump(mode="json"), digest.model_dump(mode="json"), issue_date.isoformat()])
    return f"FPD-{issue_date:%Y%m%d}-{hashlib.sha256(basis).hexdigest()[:16].upper()}"


def build_declaration(
    results: Results,
    loaded_study: LoadedStudy,
    rules: MaterialRules,
    class_table: Any | None,
    *,
    declared_categories: list[str] | None = None,
    material_info: Any | None = None,
    method_set: MethodSet | None = None,
    issue_date: dt.date | None = None,
) -> Declaration:
    """The Art. 31(7) declaration of computed results (sealed with its content hash)."""
    study = loaded_study.study
    if results.fingerprint.study_sha256 != loaded_study.sha256:
        raise ValueError(f"the results were computed from another version of {loaded_study.path} (study hash differs)")
    if results.material != rules.id:
        raise ValueError(f"results are for {results.material!r} but the rules are for {rules.id!r}")
    method_set = method_set or load_method_set(results.fingerprint.method_set)
    issue_date = issue_date or dt.datetime.now(dt.timezone.utc).date()
    names, selection = declared_category_names(results, declared_categories)
    categories = []
    for name in names:
        result = results.category(name)
        info = method_set.category(name)
        if not all(math.isfinite(v) for v in [result.value, *result.by_stage.values()]):
            raise ValueError(f"the {name} result is not a finite number")
        categories.append(
            DeclaredCategory(
                category=name, short=info.short, unit=result.unit, value=result.value, meaning=info.meaning,
                by_stage={stage: result.by_stage.get(stage, 0.0) for stage in results.stages},
            )
        )
    material_name = getattr(material_info, "name", None) or study.material
    kg = f"{study.declared_unit_kg:g}"
    if study.study_url:
        link = PublicStudyLink(url=study.study_url, relative=False, note="public version of the study (Art. 31(7)(f))")
    else:
        link = PublicStudyLink(
            url=RELATIVE_STUDY_LINK,
            relative=True,
            note="The study names no web address (study_url), so the link points at study.html published beside this declaration",
        )
    digest = study_digest(study)
    fp = results.fingerprint
    declaration = Declaration(
        declaration_id=declaration_id(fp, digest, issue_date),
        issue_date=issue_date,
        title=study.title,
        responsible_person=ResponsiblePerson(**study.operator.model_dump()),
        material=MaterialType(
            id=study.material,
            name=material_name,
            grade=getattr(material_info, "grade", None),
            cn_code=getattr(material_info, "cn_code", None),
            route=study.route.value,
        ),
        origin=[
            Origin(
                stage=site.stage.value, activity=_activity(site.stage.value), country=site.country,
                country_name=country_name(site.country), region=site.region,
            )
            for site in study.sites
        ],
        footprint=DeclaredFootprint(
            declared_unit=f"{kg} kg of {material_name}",
            declared_unit_kg=study.declared_unit_kg,
            reporting_period=f"{study.reporting_period.start.isoformat()} to {study.reporting_period.end.isoformat()}",
            method_set=method_set.name,
            method_version=method_set.version,
            category_selection=selection,
            stages=list(results.stages),
            categories=categories,
        ),
        performance_class=performance_class(results, class_table),
        public_study=link,
        conformity_assessment=ConformityAssessment(
            module=rules.conformity_module,
            name=CONFORMITY_MODULES[rules.conformity_module],
            rules=f"{rules.id} {rules.rules_version}",
        ),
        versions=Versions(
            footprint=fp.footprint_version,
            method=f"{fp.method_set} {fp.method_version}",
            background=f"{fp.background} (sha256 {fp.background_sha256[:12]})",
            rules=f"{fp.material} {fp.rules_version}",
        ),
        fingerprint=fp,
        study_digest=digest,
    )
    return seal(declaration)


def load_declaration(path: Path | str) -> tuple[Declaration, dict[str, Any]]:
    """Read declaration.json (or a folder holding one): the model and the raw parsed JSON."""
    path = Path(path)
    if path.is_dir():
        path = path / "declaration.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    return Declaration.model_validate(raw), raw


# --- presentation -------------------------------------------------------------------------------

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def format_value(value: float, digits: int = 3) -> str:
    """A result for people: `digits` significant digits; powers of ten outside 0.001..999 999.

    This is the only rounding on the pages; the exact value is in each element's data-value.
    """
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e6:
        text = f"{value:.{digits}g}"
        if "e" in text:  # e.g. 1e+03 for 999.6 rounded
            text = f"{value:.0f}"
        return text
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def format_share(share: float) -> str:
    return f"{100 * share:.1f} %"


def stage_chart(category: DeclaredCategory, stages: list[str], width: int = 420, bar: int = 24) -> dict[str, Any]:
    """Geometry of a horizontal bar chart by stage (negative values go left of the zero line)."""
    values = [category.by_stage.get(stage, 0.0) for stage in stages]
    low, high = min(0.0, *values), max(0.0, *values)
    span = (high - low) or 1.0
    label_w, value_w = 118, 80
    plot = width - label_w - value_w
    zero = label_w + plot * (-low / span)
    rows = []
    for i, (stage, value) in enumerate(zip(stages, values)):
        length = plot * abs(value) / span
        rows.append(
            {
                "stage": stage,
                "value": value,
                "text": format_value(value),
                "y": 10 + i * (bar + 12),
                "x": zero if value >= 0 else zero - length,
                "w": max(length, 0.5 if value else 0.0),
                "share": (value / category.value) if category.value else 0.0,
            }
        )
    height = 20 + len(stages) * (bar + 12)
    return {"width": width, "height": height, "bar": bar, "zero": zero, "label_w": label_w, "value_x": label_w + plot + 8, "rows": rows}


# The EU energy label's seven colours, A (dark green) to G (red); a scale of n classes spreads over them.
CLASS_COLOURS = ["#00843d", "#52ae32", "#c8d400", "#fff000", "#fbba00", "#eb6909", "#e2001a"]
LIGHT_COLOURS = {"#c8d400", "#fff000", "#fbba00"}


@functools.lru_cache(maxsize=1)
def templates():
    """footprint's template environment, made once: compiling the templates again for every page cost ~0.2 s."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).resolve().parent / "templates")),
        autoescape=jinja2.select_autoescape(["html", "xml"], default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["value"] = format_value
    env.filters["share"] = format_share
    env.filters["exact"] = lambda v: repr(float(v))
    return env


def render_declaration_html(declaration: Declaration) -> str:
    """declaration.html: one self-contained page for buyers (Art. 31(10))."""
    return templates().get_template("declaration.html").render(**declaration_page_context(declaration))


def declaration_page_context(declaration: Declaration) -> dict[str, Any]:
    """What declaration.html renders (a page that extends it, such as the registry's, renders the same)."""
    pc = declaration.performance_class
    scale = []
    table = pc.table
    for i, letter in enumerate(pc.scale):
        if table:
            lower = table.thresholds[i - 1] if i > 0 else None
            upper = table.thresholds[i] if i < len(table.thresholds) else None
            if lower is None:
                band = f"≤ {format_value(upper)}"
            elif upper is None:
                band = f"> {format_value(lower)}"
            else:
                band = f"{format_value(lower)} – {format_value(upper)}"
        else:
            band = ""
        colour = CLASS_COLOURS[min(round(i * 6 / max(len(pc.scale) - 1, 1)), 6)]
        scale.append(
            {
                "letter": letter,
                "band": band,
                "colour": colour,
                "ink": "#1b1f24" if colour in LIGHT_COLOURS and pc.table else "#ffffff",
                "width": 38 + 9 * i,
                "current": pc.assigned and letter == pc.label,
            }
        )
    headline = declaration.headline
    return {
        "d": declaration,
        "headline": headline,
        "chart": stage_chart(headline, declaration.footprint.stages),
        "scale": scale,
        "json_text": declaration_json_for_html(declaration),
    }


def declaration_json_for_html(declaration: Declaration) -> str:
    """The declaration JSON to embed in the page (safe inside a <script> element)."""
    data = json.loads(declaration.model_dump_json())
    return json.dumps(data, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def write_declaration(declaration: Declaration, out_dir: Path | str) -> list[Path]:
    """Write declaration.json and declaration.html atomically; return their paths."""
    out_dir = Path(out_dir)
    declaration = seal(declaration)
    json_path, html_path = out_dir / "declaration.json", out_dir / "declaration.html"
    write_atomically(json_path, declaration_json(declaration))
    write_atomically(html_path, render_declaration_html(declaration))
    return [json_path, html_path]
