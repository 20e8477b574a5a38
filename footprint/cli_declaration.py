"""Commands for declarations: `footprint verify` and `footprint diff`, and the writer `declare` calls.

`diff_command` is a typer command function that `footprint.cli` registers; `verify` (batched,
on a prepared background) lives in `footprint.cli_speed` and prints with `_print_report` here.

Exit status of `diff`: 0 when no new calculation is
needed (identical, or documentation / operator and sites only), 1 when the bill of materials
or the energy mix changed (Annex V Part VI) or another calculation input changed (elementary
flows, boundary), 2 on unreadable input.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from .cli_common import print_error

console = Console(highlight=False)


_IN_FORCE: Any = object()


def write_declaration_outputs(
    results: Any,
    loaded_study: Any,
    out_dir: Path | str,
    *,
    issue_date: dt.date | None = None,
    class_table: Any = _IN_FORCE,
    pdf: bool = False,
    registry_url: str | None = None,
) -> list[Path]:
    """Write declaration.json, declaration.html and study.html (and study.pdf if asked) to out_dir.

    `loaded_study` is the LoadedStudy the results were computed from (a path is loaded here;
    its hash must match the results' fingerprint). The class comes from the table in force on
    the issue date unless `class_table` is given (None: no class). `pdf` prints study.html with
    headless Chromium when one is installed. `registry_url` (else the study's) gives the
    declaration its public address and QR code.
    """
    from .classes import find_class_table
    from .declaration import build_declaration, write_declaration
    from .plugins import MaterialRegistry
    from .public_study import write_public_study, write_study_pdf
    from .study import LoadedStudy, load_study

    if not isinstance(loaded_study, LoadedStudy):
        loaded_study = load_study(loaded_study)
    registry = MaterialRegistry()
    material = loaded_study.study.material
    rules = registry.rules(material)
    issue_date = issue_date or dt.datetime.now(dt.timezone.utc).date()
    declaration = build_declaration(
        results,
        loaded_study,
        rules,
        find_class_table(registry, material, issue_date) if class_table is _IN_FORCE else class_table,
        declared_categories=registry.declared_categories(material),
        material_info=next((m for m in registry.materials() if m.id == material), None),
        issue_date=issue_date,
        registry_url=registry_url,
    )
    paths = write_declaration(declaration, out_dir)
    study_html = write_public_study(results, loaded_study, declaration, out_dir)
    paths.append(study_html)
    if pdf:
        written = write_study_pdf(study_html)
        if written is not None:
            paths.append(written)
    return paths


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.6g}"


def _print_report(report: Any) -> None:
    ok = report.reproduced
    colour = "green" if ok else "red"
    console.print(f"[bold {colour}]{report.verdict.upper()}[/]: {report.declaration} against {report.study}")
    if report.declaration_id:
        console.print(f"  declaration {report.declaration_id}; tolerance: {report.tolerance.rule}")
    if not report.content_hash_valid:
        console.print("  [red]content hash mismatch[/]: the declaration was edited after it was issued")
    for change in report.changed_inputs:
        if change.input == "declaration edited":
            continue
        console.print(f"  [yellow]changed input[/] {change.input}: {change.detail}"
                      + (f" (declared {change.declared}, found {change.found})" if change.declared or change.found else ""))
    if report.result_differences:
        table = Table(title="Results not reproduced", title_justify="left")
        for column in ("Category", "Stage", "Unit", "Declared", "Recomputed", "Difference", "Relative"):
            table.add_column(column, justify="right" if column in ("Declared", "Recomputed", "Difference", "Relative") else "left")
        for diff in report.result_differences:
            table.add_row(
                diff.category, diff.stage or "total", diff.unit, _fmt(diff.declared), _fmt(diff.recomputed), _fmt(diff.absolute),
                "-" if diff.relative is None else f"{diff.relative:+.3%}",
            )
        console.print(table)
    if report.class_difference:
        console.print(f"  [yellow]class[/]: declared {report.class_difference.declared or 'none'}, recomputed "
                      f"{report.class_difference.recomputed or 'none'} ({report.class_difference.detail})")
    for diff in report.field_differences:
        console.print(f"  [yellow]field[/] {diff.field}: declared {json.dumps(diff.declared, ensure_ascii=False)}, "
                      f"recomputed {json.dumps(diff.recomputed, ensure_ascii=False)}")
    for error in report.errors:
        console.print(f"  [red]error[/]: {error}")
    for note in report.notes:
        console.print(f"  note: {note}")
    if ok:
        console.print(f"  {len(report.checked_categories)} categories reproduced: {', '.join(report.checked_categories)}")


def diff_command(
    old: Annotated[Path, typer.Argument(help="The study as declared (TOML)")],
    new: Annotated[Path, typer.Argument(help="The changed study (TOML)")],
    json_output: Annotated[bool, typer.Option("--json", help="Print the diff as JSON")] = False,
) -> None:
    """Say whether a change to a study touches the bill of materials or energy mix (new calculation needed)."""
    from .errors import FootprintError
    from .study_diff import PART_TITLES, diff_studies

    try:
        diff = diff_studies(old, new)
    except FootprintError as exc:
        print_error(exc)
        raise typer.Exit(2)
    if json_output:
        typer.echo(diff.model_dump_json(indent=2))
    else:
        if diff.recalculation_required:
            console.print("[bold red]NEW CALCULATION REQUIRED[/] (Annex V Part VI: the bill of materials or the energy mix changed)")
        elif diff.results_may_change:
            console.print("[bold yellow]results change[/]: no bill-of-materials or energy-mix change, but other calculation inputs changed")
        elif diff.identical_files:
            console.print("[green]identical[/]: the two study files are the same")
        else:
            console.print("[green]no new calculation required[/]: only documentation or the operator/sites changed")
        console.print(f"  changed parts: {', '.join(PART_TITLES[p] for p in diff.changed_parts) or 'none'}")
        for reason in diff.reasons:
            console.print(f"  - {reason}")
        if diff.exchanges:
            table = Table(title="Changed exchanges", title_justify="left")
            for column in ("Part", "Process", "Exchange", "Change", "Old", "New"):
                table.add_column(column, overflow="fold")
            for e in diff.exchanges:
                table.add_row(PART_TITLES[e.part], e.process, e.exchange, e.change, e.old or "-", e.new or "-")
            console.print(table)
        for other in diff.other_changes:
            console.print(f"  * {other}")
    raise typer.Exit(1 if diff.recalculation_required or diff.results_may_change else 0)
