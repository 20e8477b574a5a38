"""`footprint background import` and `footprint study import|template|export`.

Thin wrappers: parse arguments, call `footprint.importers` or `footprint.study_io`, print.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from .common import console, err_console, fail, output_path, quiet_brightway, say

study_app = typer.Typer(help="Bring your own model: import a study from openLCA, SimaPro, ecoSpold2 or a spreadsheet; template; export.", no_args_is_help=True)

DATABASE_FORMATS = "jsonld|ecospold2|simapro-csv|excel|ilcd"
STUDY_FORMATS = "jsonld|ecospold2|simapro-csv|excel"


def print_link_report(report) -> None:
    """The link report: counts linked and unlinked, then the most frequent unlinked names."""
    table = Table(title=f"Link report: {report.database} ({report.format}, {report.datasets:,} datasets)")
    for column in ("", "linked", "unlinked"):
        table.add_column(column, justify="right" if column else "left")
    for label, counts in (
        ("technosphere exchanges", report.technosphere_exchanges),
        ("elementary exchanges", report.elementary_exchanges),
        ("distinct elementary flows", report.elementary_flows),
        ("distinct technosphere products", report.technosphere_products),
    ):
        table.add_row(label, f"{counts.linked:,}", f"{counts.unlinked:,}")
    console.print(table)
    if report.matched_by:
        console.print("elementary exchanges matched by: " + ", ".join(f"{rule} {n:,}" for rule, n in report.matched_by.items()), highlight=False)
    for note, count in report.reader_notes.items():
        console.print(f"reader: {escape(note)}: {count:,}", highlight=False)
    if report.most_frequent_unlinked:
        unlinked = Table(title="Most frequent unlinked items")
        for column in ("kind", "name", "reason", "exchanges"):
            unlinked.add_column(column, overflow="fold", justify="right" if column == "exchanges" else "left")
        for item in report.most_frequent_unlinked:
            unlinked.add_row(item.kind, escape(item.name), escape(item.reason), f"{item.exchanges:,}")
        console.print(unlinked)


def background_import(
    path: Annotated[Path, typer.Argument(help="The export: a zip file or a folder (a file for simapro-csv and excel)")],
    source_format: Annotated[str, typer.Option("--format", help=DATABASE_FORMATS)],
    name: Annotated[str, typer.Option("--name", help="Name of the Brightway database to create or replace")],
    project: Annotated[str, typer.Option(help="Brightway project to import into (created if missing)")] = "footprint-imports",
    brightway_dir: Annotated[Optional[Path], typer.Option(help="Brightway directory of --project (default: footprint's own)")] = None,
    allow_unlinked: Annotated[bool, typer.Option("--allow-unlinked", help="Import even with unlinked items; every declaration using it lists the gap")] = False,
) -> None:
    """Import a secondary database (openLCA JSON-LD, ecoSpold2, SimaPro CSV, Brightway Excel, ILCD)."""
    from ..errors import FootprintError
    from ..importers import UnlinkedError, import_database

    try:
        with quiet_brightway():
            report = import_database(
                path, source_format, name, project=project, base_dir=brightway_dir, allow_unlinked=allow_unlinked, progress=say
            )
    except UnlinkedError as exc:
        print_link_report(exc.report)
        fail(exc)
    except FootprintError as exc:
        fail(exc)
    print_link_report(report)
    console.print(
        f"[green]imported[/] {report.datasets:,} datasets as {escape(report.database)!r} in Brightway project {escape(project)!r}. "
        f"Link a study to it with background = \"{escape(report.database)}\" and background_project = \"{escape(project)}\"",
        highlight=False,
    )
    if report.unlinked:
        err_console.print(f"[yellow]warning:[/] {report.unlinked:,} unlinked exchanges: every declaration that uses this database lists the gap")


def _open_chosen_background(background: str | None, project: str | None, brightway_dir: Path | None):
    from ..background import STARTER, open_background

    with quiet_brightway():
        return open_background(background or STARTER, project if background else None, brightway_dir, progress=say)


@study_app.command("import")
def study_import(
    model: Annotated[Path, typer.Argument(help="The producer's model: openLCA JSON-LD zip/folder, ecoSpold2, SimaPro CSV or study.xlsx")],
    out: Annotated[Path, typer.Option("--out", "-o", parser=output_path, help="The study file to write (TOML)")],
    source_format: Annotated[str, typer.Option("--format", help=STUDY_FORMATS)] = "excel",
    product: Annotated[Optional[str], typer.Option(help="The product to declare, when the model makes several")] = None,
    material: Annotated[Optional[str], typer.Option(help="Material plugin id (else a placeholder)")] = None,
    background: Annotated[Optional[str], typer.Option(help="Background database to link inputs to (default: the starter)")] = None,
    project: Annotated[Optional[str], typer.Option(help="Brightway project of --background")] = "footprint-imports",
    brightway_dir: Annotated[Optional[Path], typer.Option(help="Brightway directory of --project")] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing --out file")] = False,
) -> None:
    """Turn a model into a study; what the source cannot know is written as TO-FILL for `footprint check`."""
    from ..errors import FootprintError, FootprintInputError
    from ..files import check_output_path
    from ..study import PLACEHOLDER, placeholders_in
    from ..study_io import import_study
    from ..study_io.toml_io import write_study_toml

    try:
        target = check_output_path(out)
        if target.exists() and not force:
            raise FootprintInputError("the output file exists; pass --force to replace it", file=target, field="--out")
        linked = _open_chosen_background(background, project, brightway_dir) if source_format != "excel" else None
        raw = import_study(model, source_format, product=product, background=linked, material=material)
        holes = placeholders_in(raw)
        header = (
            f"Imported by footprint from {model.name} ({source_format}).\n"
            + (f"{len(holes)} value(s) marked {PLACEHOLDER} are still to fill; `footprint check` names each one." if holes else "")
        )
        write_study_toml(raw, target, header)
    except FootprintError as exc:
        fail(exc)
    console.print(f"[green]wrote[/] {escape(str(out))}: {len(raw['processes'])} processes", highlight=False)
    if holes:
        console.print(f"{len(holes)} value(s) still to fill (marked {PLACEHOLDER}); run: footprint check {escape(str(out))}", highlight=False)


@study_app.command("template")
def study_template(
    material: Annotated[str, typer.Option(help="Material plugin id, e.g. lithium-carbonate")],
    out: Annotated[Path, typer.Option("--out", "-o", parser=output_path, help="The workbook to write (.xlsx)")],
) -> None:
    """Write the spreadsheet a producer fills, with drop-down lists for the allowed values."""
    from ..errors import FootprintError
    from ..files import check_output_path
    from ..plugins import MaterialRegistry
    from ..study_io.excel import template

    try:
        MaterialRegistry().rules(material)
        template(material, check_output_path(out))
    except FootprintError as exc:
        fail(exc)
    console.print(f"[green]wrote[/] {escape(str(out))}; fill it, then: footprint study import {escape(str(out))} --format excel --out study.toml", highlight=False)


@study_app.command("export")
def study_export(
    study: Annotated[Path, typer.Argument(help="Study file (TOML)")],
    source_format: Annotated[str, typer.Option("--format", help="jsonld|excel")],
    out: Annotated[Path, typer.Option("--out", "-o", parser=output_path, help="File to write (.zip for jsonld, .xlsx for excel)")],
) -> None:
    """Export a study for openLCA (JSON-LD) or a spreadsheet, for round trips."""
    from ..errors import FootprintError
    from ..files import check_output_path
    from ..study import load_study
    from ..study_io import export_study

    try:
        export_study(load_study(study).study, check_output_path(out), source_format)
    except FootprintError as exc:
        fail(exc)
    console.print(f"[green]wrote[/] {escape(str(out))}", highlight=False)
