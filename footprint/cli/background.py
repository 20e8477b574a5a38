"""`footprint background` and `footprint prepare`: the secondary data a study links to."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from .common import console, fail, fmt, quiet_brightway, say, solver_warning

app = typer.Typer()  # top-level commands: prepare
background_app = typer.Typer(help="Backgrounds: list the starter datasets, or import your own database.", no_args_is_help=False)


class Solver(str, Enum):
    pardiso = "pardiso"
    umfpack = "umfpack"
    superlu = "superlu"


@background_app.callback(invoke_without_command=True)
def background_cmd(
    ctx: typer.Context,
    impact: Annotated[
        Optional[str],
        typer.Option(help="Also show each dataset's cradle-to-gate result per unit in this EF 3.1 category, e.g. 'climate change'"),
    ] = None,
) -> None:
    """List the shipped starter background datasets and their sources.

    With --impact, each dataset's own result per unit is shown: the number a study's input
    multiplies, and the one to compare with a licensed database when choosing between them.
    """
    if ctx.invoked_subcommand is not None:
        return
    from ..background import load_starter
    from ..errors import FootprintError

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
    from ..background import open_background
    from ..errors import FootprintInputError
    from ..methods import load_method_set
    from .common import make_cli_engine

    method_set = load_method_set()
    if impact not in method_set.names:
        raise FootprintInputError(
            f"unknown impact category {impact!r}; choose one of: {', '.join(method_set.names)}", field="--impact"
        )
    with quiet_brightway():
        background = open_background(method_set=method_set, progress=say)
        prepared = make_cli_engine().prepared_for(background, method_set)
    datasets = list(background.datasets.values())
    values = prepared.dataset_scores([d.id for d in datasets])[prepared.categories.index(impact)]
    return {d.code: float(v) for d, v in zip(datasets, values)}, method_set.category(impact).unit


@app.command("prepare")
def prepare_command(
    background: Annotated[str, typer.Option(help="Background database")] = "footprint-starter",
    project: Annotated[Optional[str], typer.Option(help="Brightway project holding --background")] = None,
    brightway_dir: Annotated[Optional[Path], typer.Option(help="Brightway directory holding --project")] = None,
    methods: Annotated[str, typer.Option(help="Method set")] = "ef31",
    solver: Annotated[Optional[Solver], typer.Option(help="Sparse solver (default: the fastest installed)")] = None,
    force: Annotated[bool, typer.Option(help="Solve again even if a cached prepared background exists")] = False,
) -> None:
    """Solve a background once for a method set and cache it, so declarations only solve their foreground."""
    from ..errors import FootprintError

    try:
        with quiet_brightway():
            from ..background import open_background
            from ..engine.cache import refresh_prepared
            from ..methods import load_method_set
            from .common import make_cli_engine

            method_set = load_method_set(methods)
            bg = open_background(background, project, brightway_dir, method_set, say)
            if force:
                prepared = refresh_prepared(bg, method_set, solver=solver.value if solver else None, progress=say)
            else:
                prepared = make_cli_engine(solver=solver.value if solver else None).prepared_for(bg, method_set)
    except FootprintError as exc:
        fail(exc)
    solver_warning()
    origin = "read from cache" if prepared.from_cache else f"solved in {prepared.seconds:.2f} s with {prepared.solver}"
    console.print(
        f"prepared background {bg.database} ({len(prepared.activity_ids):,} datasets x {len(prepared.categories)} categories), "
        f"{origin}; relative residual {prepared.residual:.1e}; {prepared.path}"
    )

