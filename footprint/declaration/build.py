"""Building the Art. 31(7) declaration from results, and sealing it with its content hash.

Tamper evidence: `content_sha256` is the sha256 of the canonical JSON (sorted keys, no
spaces, UTF-8) of the declaration without that field. Any edit by hand changes it;
`footprint verify` checks it before anything else. The id derives from the fingerprint, the
study digest and the issue date, so the same inputs declared on the same day give one id.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..classes.lookup import assign_class
from ..classes.table import class_table_sha256
from ..errors import FootprintInputError, from_validation_error
from ..files import canonical_json, read_json, sha256_hex, sha256_of
from ..methods import CLIMATE_CHANGE, MethodSet, load_method_set
from ..results import Fingerprint, Results
from ..rules import CONFORMITY_MODULES, MaterialRules
from ..study.diff import StudyDigest, study_digest
from ..study.load import LoadedStudy
from ..links import public_address
from .model import (
    ClassTableRef,
    ConformityAssessment,
    Declaration,
    DeclaredCategory,
    DeclaredFootprint,
    MaterialType,
    Origin,
    PerformanceClass,
    PublicStudyLink,
    ResponsiblePerson,
    Versions,
)

NOT_ASSIGNED = "not assigned: no class table in force"
DEFAULT_SCALE = list("ABCDEFG")
RELATIVE_STUDY_LINK = "study.html"


def country_name(code: str) -> str:
    """English short name of an ISO 3166-1 alpha-2 code (pycountry), the common one where it has one."""
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    return (getattr(country, "common_name", None) or country.name) if country else code


def content_hash(data: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of a declaration (as parsed JSON) without `content_sha256`."""
    body = {key: value for key, value in data.items() if key != "content_sha256"}
    return sha256_of(body)


def declaration_json(declaration: Declaration) -> str:
    """The declaration as written to declaration.json, sealed with its content hash."""
    data = json.loads(declaration.model_dump_json())
    data["content_sha256"] = content_hash(data)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def seal(declaration: Declaration) -> Declaration:
    """Return the declaration with its content hash filled in."""
    return Declaration.model_validate_json(declaration_json(declaration))


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
    # Scheme-1 fingerprints had no `scheme` key: leave it out for them, so their ids still derive.
    printed = fingerprint.model_dump(mode="json", exclude={"scheme"} if fingerprint.scheme is None else None)
    basis = canonical_json([printed, digest.model_dump(mode="json"), issue_date.isoformat()])
    return f"FPD-{issue_date:%Y%m%d}-{sha256_hex(basis)[:16].upper()}"


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
    registry_url: str | None = None,
) -> Declaration:
    """The Art. 31(7) declaration of computed results (sealed with its content hash).

    `registry_url` (else the study's `registry_url`) is the registry's base URL; the
    declaration's public address is then `<registry_url>/declarations/<declaration_id>`.
    """
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
    the_id = declaration_id(fp, digest, issue_date)
    registry_url = registry_url or study.registry_url
    declaration = Declaration(
        declaration_id=the_id,
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
        public_address=public_address(registry_url, the_id) if registry_url else None,
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


def read_declaration_json(path: Path | str) -> tuple[Path, Any]:
    """The declaration file (a folder means its declaration.json) and its parsed JSON, bounded."""
    path = Path(path)
    if path.is_dir():
        path = path / "declaration.json"
    raw, _ = read_json(path, what="declaration")
    if not isinstance(raw, dict):
        raise FootprintInputError("a declaration is a JSON object", file=path)
    return path, raw


def load_declaration(path: Path | str) -> tuple[Declaration, dict[str, Any]]:
    """Read declaration.json (or a folder holding one): the model and the raw parsed JSON."""
    path, raw = read_declaration_json(path)
    try:
        return Declaration.model_validate(raw), raw
    except ValidationError as exc:
        raise from_validation_error(exc, file=path) from None
