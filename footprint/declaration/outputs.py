"""Everything `footprint declare` writes for one study, as one set (all or nothing).

results.json, declaration.json, declaration.html, study.html (and study.pdf and the producer's
signature declaration.sig when asked) are staged and swapped into the output folder together (`footprint.files.output_set`), so a
folder never mixes two runs and a failure leaves it as it was.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..classes.lookup import find_class_table
from ..files import output_set, write_json
from ..plugins import MaterialRegistry
from ..results import DECLARATION_FILES, Results
from ..signing import sign_record_file
from ..study.load import LoadedStudy
from ..workbench.margin import class_margin
from .build import build_declaration
from .model import Declaration
from .public_study import write_public_study, write_study_pdf
from .render import write_declaration

IN_FORCE: Any = object()  # class the declaration with the table in force on its issue date


def declare(
    results: Results,
    loaded_study: LoadedStudy,
    *,
    registry: MaterialRegistry | None = None,
    issue_date: dt.date | None = None,
    class_table: Any = IN_FORCE,
    registry_url: str | None = None,
) -> Declaration:
    """The sealed Art. 31(7) declaration of results computed from `loaded_study`.

    The class comes from the table in force on the issue date (`find_class_table`) unless
    `class_table` is given (None: no class). `registry_url` (else the study's) gives the
    declaration its public address and QR code.
    """
    registry = registry or MaterialRegistry()
    material = loaded_study.study.material
    issue_date = issue_date or dt.datetime.now(dt.timezone.utc).date()
    return build_declaration(
        results,
        loaded_study,
        registry.rules(material),
        class_table_of(results, registry, issue_date, class_table),
        declared_categories=registry.declared_categories(material),
        material_info=next((m for m in registry.materials() if m.id == material), None),
        issue_date=issue_date,
        registry_url=registry_url,
    )


def class_table_of(results: Results, registry: MaterialRegistry, issue_date: dt.date, class_table: Any = IN_FORCE) -> Any:
    """The table the declaration is classed with: the one in force on its issue date unless given."""
    return find_class_table(registry, results.material, issue_date) if class_table is IN_FORCE else class_table


def write_declaration_outputs(
    results: Results,
    loaded_study: LoadedStudy,
    out_dir: Path | str,
    *,
    registry: MaterialRegistry | None = None,
    issue_date: dt.date | None = None,
    class_table: Any = IN_FORCE,
    pdf: bool = False,
    registry_url: str | None = None,
) -> list[Path]:
    """Write declaration.json, declaration.html and study.html (and study.pdf) into `out_dir`."""
    declaration = declare(results, loaded_study, registry=registry, issue_date=issue_date, class_table=class_table, registry_url=registry_url)
    paths = write_declaration(declaration, out_dir)
    study_html = write_public_study(results, loaded_study, declaration, out_dir)
    paths.append(study_html)
    if pdf:
        written = write_study_pdf(study_html)
        if written is not None:
            paths.append(written)
    return paths


def write_declaration_set(
    results: Results,
    loaded_study: LoadedStudy,
    target: Path | str,
    *,
    force: bool = False,
    signing_key: Any | None = None,
    **options: Any,
) -> list[Path]:
    """results.json and the declaration outputs, swapped into `target` as one set; the paths written.

    With `signing_key` (an Ed25519 private key, `footprint.signing.load_private_key`) the set
    also holds declaration.sig, the producer's signature over the declaration.json it holds.
    """
    target = Path(target)
    issue_date = options.get("issue_date") or dt.datetime.now(dt.timezone.utc).date()
    table = class_table_of(results, options.get("registry") or MaterialRegistry(), issue_date, options.get("class_table", IN_FORCE))
    if table is not None:  # results.json says how far the declared value is from the class thresholds
        results = results.model_copy(update={"class_margin": class_margin(results, table)})
    options = {**options, "issue_date": issue_date, "class_table": table}
    with output_set(target, names=DECLARATION_FILES, force=force) as staging:
        write_json(staging / "results.json", results)
        names = ["results.json"] + [p.name for p in write_declaration_outputs(results, loaded_study, staging, **options)]
        if signing_key is not None:
            names.append(sign_record_file(staging / "declaration.json", signing_key).name)
    return [target / name for name in names]


def check_declaration(
    study: Path | str,
    *,
    engine: Any | None = None,
    registry: MaterialRegistry | None = None,
    background_override: str | None = None,
    project_override: str | None = None,
    brightway_dir: Path | None = None,
) -> tuple[Any, Results, Declaration]:
    """Everything `footprint declare` does, short of writing: the study checked, linked, solved,
    declared and both pages rendered in memory. What this accepts, `declare` accepts.

    Returns (the CheckedStudy, the results, the declaration).
    """
    from ..assessment import assess, check_study
    from ..methods import load_method_set
    from .public_study import render_public_study_html
    from .render import render_declaration_html

    registry = registry or MaterialRegistry()
    method_set = load_method_set()
    checked = check_study(study, registry)
    results = assess(
        checked, registry, method_set, engine=engine, background_override=background_override,
        project_override=project_override, brightway_dir=brightway_dir,
    )
    try:
        declaration = declare(results, checked.loaded, registry=registry)
    except ValueError as exc:  # build_declaration's own refusals
        from ..errors import FootprintInputError

        raise FootprintInputError(f"the declaration cannot be built: {exc}", file=checked.loaded.path) from None
    render_declaration_html(declaration)
    render_public_study_html(results, checked.loaded, declaration, method_set)
    return checked, results, declaration
