"""Commands on studies and on footprint itself: check, hotspots, diff, materials, schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from .common import console, err_console, fail, make_cli_engine, output_path, print_error, quiet_brightway, say

app = typer.Typer()


@app.command()
def check(
    study: Annotated[Path, typer.Argument(help="Study file (TOML)")],
    background: Annotated[Optional[str], typer.Option(help="Background database (overrides the study)")] = None,
    project: Annotated[Optional[str], typer.Option(help="Brightway project holding --background")] = None,
    brightway_dir: Annotated[Optional[Path], typer.Option(help="Brightway directory holding --project")] = None,
) -> None:
    """Everything `declare` checks (validation, Annex V boundary, links, units, the solve, the
    declaration), without writing anything: what passes here, `declare` accepts."""
    from ..errors import FootprintError

    try:
        with quiet_brightway():
            from ..declaration.outputs import check_declaration

            checked, results, declaration = check_declaration(
                study, engine=make_cli_engine(), background_override=background, project_override=project, brightway_dir=brightway_dir
            )
    except FootprintError as exc:
        fail(exc)
    boundary = checked.boundary
    headline = declaration.headline
    console.print(f"[green]ok[/]: {study} — {checked.rules.id} ({boundary.route.value} route, rules {checked.rules.rules_version})")
    console.print(f"  {headline.category}: {headline.value:.4g} {headline.unit}; {declaration.performance_class.statement}", highlight=False)
    for stage, ids in boundary.processes_by_stage.items():
        console.print(f"  {stage}: {', '.join(f'{i} [{boundary.categories[i]}]' for i in ids)}")
    if boundary.excluded:
        console.print(f"  excluded as negligible: {boundary.excluded_share:.1%} (limit {boundary.cutoff_limit:.1%})")


@app.command()
def hotspots(
    studies: Annotated[list[Path], typer.Argument(help="Study file(s) (TOML)")],
    cache: Annotated[bool, typer.Option("--cache/--no-cache", help="Reuse the prepared background cached on disk")] = True,
) -> None:
    """Annex V Part V hotspot analysis: rank categories, stages and processes."""
    from ..errors import FootprintError
    from .render import print_hotspots

    try:
        with quiet_brightway():
            from ..assessment import assess
            from ..hotspots import analyse_hotspots
            from ..methods import load_method_set

            method_set = load_method_set()
            engine = make_cli_engine(cache=cache)
            analyses = [analyse_hotspots(assess(s, method_set=method_set, progress=say, engine=engine), method_set) for s in studies]
    except FootprintError as exc:
        fail(exc)
    print_hotspots(studies, analyses)


@app.command("diff")
def diff_command(
    old: Annotated[Path, typer.Argument(help="The study as declared (TOML)")],
    new: Annotated[Path, typer.Argument(help="The changed study (TOML)")],
    json_output: Annotated[bool, typer.Option("--json", help="Print the diff as JSON")] = False,
) -> None:
    """Say whether a change to a study touches the bill of materials or energy mix (new calculation needed)."""
    from ..errors import FootprintError
    from ..study import PART_TITLES, diff_studies

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


@app.command()
def materials() -> None:
    """List the installed materials and their rules' versions."""
    from ..plugins import MaterialRegistry

    registry = MaterialRegistry()
    table = Table(title="Installed materials")
    for column in ("Material", "Name", "CN code", "Grade", "Routes", "Rules version", "Plugin"):
        table.add_column(column)
    for info in registry.materials():
        rules = registry.rules(info.id)
        table.add_row(info.id, info.name, info.cn_code or "-", info.grade, ", ".join(info.routes), rules.rules_version, info.plugin)
    console.print(table)


SCHEMAS = {
    "study": ("footprint.study", "Study"),
    "results": ("footprint.results", "Results"),
    "rules": ("footprint.rules", "MaterialRules"),
    "background": ("footprint.background", "BackgroundFile"),
    "declaration": ("footprint.declaration", "Declaration"),
    "verification": ("footprint.verification", "VerificationReport"),
    "sensitivity": ("footprint.verification.workbench", "SensitivityReport"),
    "class-table": ("footprint.classes", "ClassTable"),
    "market": ("footprint.classes", "MarketEntry"),
    "flow-mapping": ("footprint.importers.flowmap", "FlowMappingFile"),
    "link-report": ("footprint.importers.linking", "LinkReport"),
    "pact-v2": ("footprint.export.pact_v2", "ProductFootprint"),
    "pact-v3": ("footprint.export.pact_v3", "ProductFootprint"),
    "magnet-product": ("footprint.magnets.product", "MagnetProduct"),
    "magnet-rules": ("footprint.magnets.rules", "MagnetRules"),
    "magnet-declaration": ("footprint.magnets.records", "RecycledContentDeclaration"),
    "magnet-data-record": ("footprint.magnets.records", "MagnetDataRecord"),
    "magnet-verification": ("footprint.magnets.verify", "MagnetVerificationReport"),
    "signature": ("footprint.signing", "Signature"),
    "verification-statement": ("footprint.verification", "SignedVerificationStatement"),
}


def schema_of(name: str) -> dict:
    """JSON Schema of one of footprint's file formats (see SCHEMAS)."""
    import importlib

    module, attribute = SCHEMAS[name]
    return getattr(importlib.import_module(module), attribute).model_json_schema()


@app.command()
def schema(
    name: Annotated[Optional[str], typer.Argument(help="One of the names `footprint schema` lists when given none")] = None,
    write: Annotated[Optional[Path], typer.Option(parser=output_path, help="Write every schema as <name>.schema.json into this folder")] = None,
) -> None:
    """Print the JSON Schema of a file footprint reads or writes (published in docs/schemas/)."""
    if write is not None:
        from ..files import write_atomically

        for each in SCHEMAS:
            path = write / f"{each}.schema.json"
            write_atomically(path, json.dumps(schema_of(each), indent=2, ensure_ascii=False) + "\n")
            console.print(f"wrote {path}")
        return
    if name not in SCHEMAS:
        err_console.print(f"[bold red]error:[/] name one of: {', '.join(SCHEMAS)}")
        raise typer.Exit(2)
    console.print_json(json.dumps(schema_of(name)))
