"""The `footprint` command: thin wrappers that parse arguments, call one library function, print.

Heavy imports (Brightway, numpy, matplotlib) happen inside the commands, so that `footprint
--help` and argument errors answer at once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Callable, Optional

import typer
from rich.table import Table

app = typer.Typer(
    name="footprint",
    help="Environmental footprint declarations for EU critical raw materials (Regulation (EU) 2024/1252, Art. 31, Annex V).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _mount_classes() -> None:
    from . import cli_classes

    app.add_typer(cli_classes.app, name="classes", help="Performance classes (Annex V Part VIII): calibrate, assign, show, report.")


_mount_classes()

from .cli_common import console, err_console, fail, fmt, quiet_brightway, say


def _progress_printer(status: Any) -> Callable[[str], None]:
    def update(message: str) -> None:
        status.update(f"[bold]first run:[/] {message}")
        say(message)

    return update


def _print_results(results) -> None:
    """Results table by stage; the material's declared categories are marked and listed first."""
    import datetime as dt

    from .plugins import MaterialRegistry

    registry = MaterialRegistry()
    declared = registry.declared_categories(results.material)
    table = Table(title=f"{results.title}\nper {results.declared_unit_kg:g} kg of {results.material} ({results.route})")
    table.add_column("Impact category")
    table.add_column("Unit")
    table.add_column("Total", justify="right", style="bold")
    for stage in results.stages:
        table.add_column(stage.capitalize(), justify="right")
    order = sorted(results.categories, key=lambda r: (r.category not in declared, declared.index(r.category) if r.category in declared else 0))
    for result in order:
        table.add_row(
            ("* " if result.category in declared else "  ") + result.category,
            result.unit,
            fmt(result.value),
            *[fmt(result.by_stage.get(stage, 0.0)) for stage in results.stages],
            end_section=result.category == (declared[-1] if declared else None),
        )
    console.print(table)
    if declared:
        console.print("* declared under the material's rules (Annex V Part V); the others are reported for information.")
    climate = results.category("climate change").value
    class_table = registry.class_table(results.material, dt.date.today())
    if class_table is None:
        console.print(f"Performance class: not assigned — no class table for {results.material} is in force today.")
    else:
        from .classes import assign_class

        status = "provisional " if class_table.provisional else ""
        console.print(f"Performance class: [bold]{assign_class(class_table, climate)}[/] ({status}table {class_table.period})")


@app.command()
def check(study: Annotated[Path, typer.Argument(help="Study file (TOML)")]) -> None:
    """Validate a study and apply the Annex V boundary rules, without calculating."""
    from .assessment import check_study
    from .errors import FootprintError

    try:
        checked = check_study(study)
    except FootprintError as exc:
        fail(exc)
    boundary = checked.boundary
    console.print(f"[green]ok[/]: {study} — {checked.rules.id} ({boundary.route.value} route, rules {checked.rules.rules_version})")
    for stage, ids in boundary.processes_by_stage.items():
        console.print(f"  {stage}: {', '.join(f'{i} [{boundary.categories[i]}]' for i in ids)}")
    if boundary.excluded:
        console.print(f"  excluded as negligible: {boundary.excluded_share:.1%} (limit {boundary.cutoff_limit:.1%})")


@app.command()
def hotspots(studies: Annotated[list[Path], typer.Argument(help="Study file(s) (TOML)")]) -> None:
    """Annex V Part V hotspot analysis: rank categories, stages and processes."""
    from .errors import FootprintError

    try:
        with err_console.status("preparing the background") as status, quiet_brightway():
            from .assessment import assess
            from .hotspots import analyse_hotspots
            from .methods import load_method_set

            method_set = load_method_set()
            analyses = [analyse_hotspots(assess(s, progress=_progress_printer(status)), method_set) for s in studies]
    except FootprintError as exc:
        fail(exc)
    for study, analysis in zip(studies, analyses):
        table = Table(title=f"Hotspots of {study.name} ({analysis.material}) — EF 3.1 normalised and weighted")
        for column in ("Rank", "Impact category", "Share of weighted total", "Cumulative", "Relevant"):
            table.add_column(column)
        for rank, category in enumerate(analysis.categories, start=1):
            table.add_row(
                str(rank), category.category, f"{category.share:.1%}", f"{category.cumulative:.1%}",
                f"yes — {category.reason}" if category.relevant else "",
            )
        console.print(table)
        for hotspot in analysis.hotspots:
            stages = ", ".join(f"{c.name} {c.share:.0%}" for c in hotspot.stages) or "-"
            processes = ", ".join(f"{c.name} {c.share:.0%}" for c in hotspot.processes) or "-"
            console.print(f"[bold]{hotspot.category}[/]: stages {stages}; processes {processes}", highlight=False)


@app.command()
def materials() -> None:
    """List the installed materials and their rules' versions."""
    from .plugins import MaterialRegistry

    registry = MaterialRegistry()
    table = Table(title="Installed materials")
    for column in ("Material", "Name", "CN code", "Grade", "Routes", "Rules version", "Plugin"):
        table.add_column(column)
    for info in registry.materials():
        rules = registry.rules(info.id)
        table.add_row(info.id, info.name, info.cn_code or "-", info.grade, ", ".join(info.routes), rules.rules_version, info.plugin)
    console.print(table)


@app.command("background")
def background_cmd(
    impact: Annotated[
        Optional[str],
        typer.Option(help="Also show each dataset's cradle-to-gate result per unit in this EF 3.1 category, e.g. 'climate change'"),
    ] = None,
) -> None:
    """List the shipped starter background datasets and their sources.

    With --impact, each dataset's own result per unit is shown: the number a study's input
    multiplies, and the one to compare with a licensed database when choosing between them.
    """
    from .background import load_starter
    from .errors import FootprintError

    try:
        starter = load_starter()
        scores = _starter_scores(impact) if impact else None
    except FootprintError as exc:
        fail(exc)
    table = Table(title=f"Starter background ({len(starter.datasets)} datasets, sha256 {starter.sha256[:12]})")
    columns = ["Code", "Name", "Location", "Unit"]
    if scores is not None:
        columns.append(f"{impact} per unit ({scores[1]})")
    for column in [*columns, "Source"]:
        table.add_column(column, overflow="fold", justify="right" if column.startswith(str(impact)) else "left")
    for code, (dataset, path) in sorted(starter.datasets.items()):
        row = [code, dataset.name, dataset.location, dataset.unit]
        if scores is not None:
            row.append(fmt(scores[0][code]))
        table.add_row(*row, dataset.source)
    console.print(table)
    for path, info in starter.files.items():
        console.print(f"[bold]{path.name}[/] — {info.title}")
        for source in info.sources:
            console.print(f"  • {source}", highlight=False)


def _starter_scores(impact: str) -> tuple[dict[str, float], str]:
    """Per-unit score of every starter dataset in one category, from the prepared background."""
    from .background import open_background
    from .errors import FootprintInputError
    from .methods import load_method_set
    from .prepared import prepare_background

    method_set = load_method_set()
    if impact not in method_set.names:
        raise FootprintInputError(
            f"unknown impact category {impact!r}; choose one of: {', '.join(method_set.names)}", field="--impact"
        )
    with quiet_brightway():
        background = open_background(method_set=method_set, progress=say)
        prepared = prepare_background(background, method_set, progress=say)
    datasets = list(background.datasets.values())
    values = prepared.dataset_scores([d.id for d in datasets])[prepared.categories.index(impact)]
    return {d.code: float(v) for d, v in zip(datasets, values)}, method_set.category(impact).unit


SCHEMAS = {
    "study": ("footprint.study", "Study"),
    "results": ("footprint.results", "Results"),
    "rules": ("footprint.rules", "MaterialRules"),
    "background": ("footprint.background", "BackgroundFile"),
    "declaration": ("footprint.declaration", "Declaration"),
    "verification": ("footprint.verification", "VerificationReport"),
    "class-table": ("footprint.classes", "ClassTable"),
    "market": ("footprint.market", "MarketEntry"),
    "signature": ("footprint.signing", "Signature"),
    "verification-statement": ("footprint.signing", "SignedVerificationStatement"),
}


def schema_of(name: str) -> dict:
    """JSON Schema of one of footprint's file formats (see SCHEMAS)."""
    import importlib

    module, attribute = SCHEMAS[name]
    return getattr(importlib.import_module(module), attribute).model_json_schema()


@app.command()
def schema(
    name: Annotated[Optional[str], typer.Argument(help="study, results, rules, background, declaration, verification, class-table, market, signature or verification-statement")] = None,
    write: Annotated[Optional[Path], typer.Option(help="Write every schema as <name>.schema.json into this folder")] = None,
) -> None:
    """Print the JSON Schema of a file footprint reads or writes (published in docs/schemas/)."""
    if write is not None:
        from .files import write_atomically

        for each in SCHEMAS:
            path = write / f"{each}.schema.json"
            write_atomically(path, json.dumps(schema_of(each), indent=2, ensure_ascii=False) + "\n")
            console.print(f"wrote {path}")
        return
    if name not in SCHEMAS:
        err_console.print(f"[bold red]error:[/] name one of: {', '.join(SCHEMAS)}")
        raise typer.Exit(2)
    console.print_json(json.dumps(schema_of(name)))


from .cli_declaration import diff_command  # noqa: E402
from .cli_speed import declare_command, prepare_command, uncertainty_command, verify_command  # noqa: E402

app.command("declare")(declare_command)
app.command("verify")(verify_command)
app.command("diff")(diff_command)
app.command("uncertainty")(uncertainty_command)
app.command("prepare")(prepare_command)

from .cli_registry import mount as _mount_registry  # noqa: E402

_mount_registry(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
