"""`footprint background import` and `footprint study import|template|export`.

Thin wrappers: parse arguments, call `footprint.importers` or `footprint.study_io`, print.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from .cli_common import console, err_console, fail, quiet_brightway, say

background_app = typer.Typer(help="Backgrounds: list the starter datasets, or import your own database.", no_args_is_help=False)
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


@background_app.command("import")
def background_import(
    path: Annotated[Path, typer.Argument(help="The export: a zip file or a folder (a file for simapro-csv and excel)")],
    source_format: Annotated[str, typer.Option("--format", help=DATABASE_FORMATS)],
    name: Annotated[str, typer.Option("--name", help="Name of the Brightway database to create or replace")],
    project: Annotated[str, typer.Option(help="Brightway project to import into (created if missing)")] = "footprint-imports",
    brightway_dir: Annotated[Optional[Path], typer.Option(help="Brightway directory of --project (default: footprint's own)")] = None,
    allow_unlinked: Annotated[bool, typer.Option("--allow-unlinked", help="Import even with unlinked items; every declaration using it lists the gap")] = False,
) -> None:
    """Import a secondary database (openLCA JSON-LD, ecoSpold2, SimaPro CSV, Brightway Excel, ILCD)."""
    from .errors import FootprintError
    from .importers import UnlinkedError, import_database

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
