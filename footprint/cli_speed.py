"""Command functions for the fast routes: batch declare, batch verify, uncertainty, prepare.

Plain functions with typer annotations, for the main CLI to register:

    from .cli_speed import declare_command, verify_command, uncertainty_command, prepare_command
    app.command("declare")(declare_command)
    app.command("verify")(verify_command)
    app.command("uncertainty")(uncertainty_command)
    app.command("prepare")(prepare_command)

Heavy imports happen inside the functions, so start-up stays lazy.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from .cli_common import console, err_console, fail, fmt, print_error, quiet_brightway, say

_BackgroundOpt = Annotated[Optional[str], typer.Option(help="Background database (overrides the studies)")]
_ProjectOpt = Annotated[Optional[str], typer.Option(help="Brightway project holding --background")]
_DirOpt = Annotated[Optional[Path], typer.Option(help="Brightway directory holding --project")]


def _solver_warning() -> None:
    from .prepared import solver_note

    note = solver_note()
    if note:
        err_console.print(f"[bold yellow]warning:[/] {note}", highlight=False, soft_wrap=True)


def declare_command(
    studies: Annotated[list[Path], typer.Argument(help="Study file(s) (TOML); many share one prepared background")],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Folder for results.json, declaration.json, declaration.html and study.html (one subfolder per study when several)")] = None,
    background: _BackgroundOpt = None,
    project: _ProjectOpt = None,
    brightway_dir: _DirOpt = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar for batches")] = True,
    cache: Annotated[bool, typer.Option("--cache/--no-cache", help="Reuse the prepared background cached on disk")] = True,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also print the public study to study.pdf (headless Chromium)")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace a declaration already in the output folder")] = False,
    sign: Annotated[Optional[Path], typer.Option("--sign", help="Sign each declaration with this private key (writes declaration.sig)")] = None,
) -> None:
    """Calculate footprints of one or many studies on a prepared background (solved once, cached)."""
    from .cli_registry import load_signing_key, sign_declaration_file
    from .errors import FootprintError, FootprintInputError

    key = load_signing_key(sign) if sign is not None else None

    folders = _output_folders(studies, out)
    # Compared without case: on macOS and Windows, A.toml and a.toml would share one folder.
    keys = [str(f).casefold() for f in folders]
    if len(set(keys)) < len(keys):
        clash = sorted({str(p) for p, k in zip(studies, keys) if keys.count(k) > 1})
        fail(FootprintInputError(
            f"studies {', '.join(clash)} would write to the same output folder; give them distinct file names",
            field="--out",
        ))
    try:
        with quiet_brightway():
            from .prepared import assess_many

            items = assess_many(
                studies,
                background_override=background,
                project_override=project,
                brightway_dir=brightway_dir,
                progress=progress and len(studies) > 1,
                say=say,
                cache=cache,
            )
    except FootprintError as exc:
        fail(exc)
    _solver_warning()
    from .cli import _print_results

    if len(items) <= 3:
        for item in items:
            if item.ok:
                _print_results(item.results)
    else:
        table = Table(title=f"{len(items)} declarations")
        for column in ("Study", "Material", "Climate change", "Status"):
            table.add_column(column, justify="right" if column == "Climate change" else "left")
        for item in items:
            if item.ok:
                climate = item.results.categories[0]
                table.add_row(str(item.path), item.results.material, f"{fmt(climate.value)} {climate.unit}", "[green]ok[/]")
            else:
                table.add_row(str(item.path), "", "", "[red]error[/]")
        console.print(table)
    if out is not None:
        from .cli_declaration import write_declaration_outputs
        from .files import output_set, write_json
        from .results import DECLARATION_FILES

        for item, target in zip(items, folders):
            if not item.ok:
                continue
            try:
                with output_set(target, names=DECLARATION_FILES, force=force) as staging:
                    write_json(staging / "results.json", item.results)
                    names = ["results.json"] + [p.name for p in write_declaration_outputs(item.results, item.path, staging, pdf=pdf)]
                    if key is not None:
                        names.append(sign_declaration_file(staging / "declaration.json", key).name)
            except FootprintError as exc:
                item.error = exc.located(file=item.path) if isinstance(exc, FootprintInputError) else exc
                continue
            except Exception as exc:  # one declaration that cannot be built must not stop the batch
                item.error = FootprintError(f"{item.path}: the declaration could not be written: {exc!r}")
                continue
            for name in names:
                console.print(f"wrote {target / name}")
    failed = [item for item in items if not item.ok]
    for item in failed:
        print_error(item.error)
    if failed:
        raise typer.Exit(max(getattr(item.error, "exit_code", 1) for item in failed))


def _output_folders(studies: list[Path], out: Path | None) -> list[Path]:
    """Each study's output folder: `out` itself for one study, a subfolder named after each file otherwise."""
    if out is None:
        return []
    if len(studies) == 1:
        return [out]
    return [out / Path(p).stem for p in studies]


def verify_command(
    declarations: Annotated[list[Path], typer.Argument(help="declaration.json file(s), or folders holding one")],
    study: Annotated[list[Path], typer.Option("--study", "-s", help="Study file (TOML) of each declaration, in the same order (one for all is allowed)")],
    report: Annotated[Optional[Path], typer.Option("--report", "-r", help="Write the verification report(s) as JSON here")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the JSON report(s) instead of text")] = False,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar for batches")] = True,
    brightway_dir: _DirOpt = None,
    sign: Annotated[Optional[Path], typer.Option("--sign", help="Sign a verification statement per declaration with this private key")] = None,
    verifier: Annotated[Optional[str], typer.Option("--verifier", help="Your organisation, as the statement names you (with --sign)")] = None,
    statement: Annotated[Optional[Path], typer.Option("--statement", help="Where the signed statement(s) go [verification-statement.json beside each declaration]")] = None,
) -> None:
    """Re-run many declarations from their studies on one shared prepared background; say which are reproduced.

    Same options and reports as cli_declaration.verify_command, batched (verification.verify_declaration
    on footprint.prepared's route).
    """
    from .cli_declaration import _print_report
    from .cli_registry import load_signing_key, write_verification_statements
    from .errors import FootprintInputError
    from .files import write_atomically

    if sign is not None and not (verifier or "").strip():
        fail(FootprintInputError("--sign needs --verifier NAME: the statement names who verified", field="--verifier"))
    key = load_signing_key(sign) if sign is not None else None
    if len(study) != len(declarations):
        if len(study) == 1:
            study = study * len(declarations)
        else:
            err_console.print(f"[bold red]error:[/] {len(declarations)} declaration(s) but {len(study)} --study file(s); give one study per declaration")
            raise typer.Exit(2)
    with quiet_brightway():
        from .prepared import verify_many

        items = verify_many(
            list(zip(declarations, study)),
            progress=progress and len(declarations) > 1 and not json_output,
            say=None if json_output else say,
            brightway_dir=brightway_dir,
        )
    if not json_output:
        _solver_warning()
    unreadable = [item for item in items if not item.ok]
    for item in unreadable:
        print_error(f"{item.path}: {item.error}")
    reports = [item.results for item in items if item.ok]
    payload = [json.loads(r.model_dump_json()) for r in reports]
    text = json.dumps(payload[0] if len(payload) == 1 else payload, indent=2, ensure_ascii=False) + "\n"
    if report is not None and reports:
        from .errors import FootprintError, FootprintInputError

        inputs = {Path(p).resolve() for p in [*declarations, *study]}
        inputs |= {(Path(p) / "declaration.json").resolve() for p in declarations}
        if report.resolve() in inputs or (report.is_dir() and (report / "verification.json").resolve() in inputs):
            fail(FootprintInputError("the report would overwrite a declaration or study being verified", file=report, field="--report"))
        try:
            report = report / "verification.json" if report.is_dir() else report
            write_atomically(report, text)
        except FootprintError as exc:
            fail(exc)  # exit 2: the verdict is not "not reproduced" (1), the report could not be written
    if key is not None and reports:
        inputs = {Path(p).resolve() for p in [*declarations, *study]} | {(Path(p) / "declaration.json").resolve() for p in declarations}
        for path in write_verification_statements(reports, key, verifier, statement, inputs):
            err_console.print(f"wrote signed statement {path}", highlight=False)
    if json_output:
        typer.echo(text, nl=False)
    else:
        for r in reports:
            _print_report(r)
        if len(reports) > 1:
            good = sum(1 for r in reports if r.reproduced)
            console.print(f"{good} of {len(items)} declaration(s) reproduced")
        if report is not None and reports:
            console.print(f"wrote {report}")
    if unreadable:
        raise typer.Exit(2)
    raise typer.Exit(0 if all(r.reproduced for r in reports) else 1)


def uncertainty_command(
    study: Annotated[Path, typer.Argument(help="Study file (TOML)")],
    iterations: Annotated[int, typer.Option("--iterations", "-n", min=1, help="Monte Carlo iterations")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same result)")] = 42,
    defaults: Annotated[bool, typer.Option("--defaults/--no-defaults", help="Give exchanges without a distribution the data-type default")] = True,
    sample_background: Annotated[bool, typer.Option("--sample-background/--fixed-background", help="Sample the background too when it carries distributions (bw2calc, slow)")] = False,
    class_table: Annotated[Optional[Path], typer.Option(help="Class table (TOML) instead of the one in force")] = None,
    thresholds: Annotated[Optional[str], typer.Option(help="Class thresholds A|B,B|C,... instead of a class table, e.g. '3,5,8'")] = None,
    on: Annotated[Optional[str], typer.Option(help="Date the class table must be in force on (YYYY-MM-DD; default today)")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write uncertainty.json here (file or folder)")] = None,
    background: _BackgroundOpt = None,
    project: _ProjectOpt = None,
    brightway_dir: _DirOpt = None,
) -> None:
    """Monte Carlo on the foreground: mean, median, 95% interval per declared category, class probabilities."""
    from .errors import FootprintError, FootprintInputError

    from .classes import check_thresholds

    try:
        bounds = [float(x) for x in thresholds.split(",")] if thresholds else None
        if bounds is not None:
            check_thresholds(bounds)
    except ValueError as exc:
        fail(FootprintInputError(f"cannot use --thresholds {thresholds!r}: {exc}", field="--thresholds"))
    try:
        when = dt.date.fromisoformat(on) if on else None
    except ValueError as exc:
        fail(FootprintInputError(f"cannot read --on {on!r}: {exc}", field="--on"))
    try:
        with quiet_brightway():
            from .uncertainty import run_uncertainty

            report, _ = run_uncertainty(
                study,
                iterations=iterations,
                seed=seed,
                defaults=defaults,
                sample_background=sample_background,
                class_table=class_table,
                thresholds=bounds,
                on_date=when,
                background_override=background,
                project_override=project,
                brightway_dir=brightway_dir,
                progress=say,
            )
    except FootprintError as exc:
        fail(exc)
    _solver_warning()
    table = Table(
        title=f"{report.title}\n{report.iterations:,} iterations, seed {report.seed}, background {report.background}, "
        f"per {report.declared_unit_kg:g} kg of {report.material}"
    )
    for column in ("Impact category", "Unit", "Deterministic", "Mean", "Median", "2.5 %", "97.5 %"):
        table.add_column(column, justify="left" if column in ("Impact category", "Unit") else "right")
    for c in report.categories:
        table.add_row(c.category, c.unit, fmt(c.deterministic), fmt(c.mean), fmt(c.median), fmt(c.p2_5), fmt(c.p97_5))
    console.print(table)
    if report.classes is not None:
        k = report.classes
        shares = ", ".join(f"{label}: {p:.1%}" for label, p in k.probabilities.items())
        console.print(f"Performance class ({k.category}; {k.table}): deterministic {k.deterministic_class}; probabilities {shares}")
    elif report.classes_note:
        console.print(f"[yellow]classes:[/] {report.classes_note}", highlight=False)
    defaulted = sum(1 for e in report.exchanges if e.origin == "default")
    given = sum(1 for e in report.exchanges if e.origin == "study")
    console.print(f"{given} distribution(s) from the study, {defaulted} default(s) by data type" + (" (see uncertainty.json for sources)" if defaulted else ""))
    for note in report.notes:
        console.print(f"note: {note}", highlight=False)
    if out is not None:
        from .files import write_atomically

        target = out / "uncertainty.json" if out.suffix.lower() != ".json" else out
        try:
            write_atomically(target, json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n")
        except FootprintError as exc:
            fail(exc)
        console.print(f"wrote {target}")


def prepare_command(
    background: Annotated[str, typer.Option(help="Background database")] = "footprint-starter",
    project: _ProjectOpt = None,
    brightway_dir: _DirOpt = None,
    methods: Annotated[str, typer.Option(help="Method set")] = "ef31",
    solver: Annotated[Optional[str], typer.Option(help="pardiso, umfpack or superlu (default: fastest installed)")] = None,
    force: Annotated[bool, typer.Option(help="Solve again even if a cached prepared background exists")] = False,
) -> None:
    """Solve a background once for a method set and cache it, so declarations only solve their foreground."""
    from .errors import FootprintError

    try:
        with quiet_brightway():
            from .background import open_background
            from .methods import load_method_set
            from .prepared import prepare_background

            method_set = load_method_set(methods)
            bg = open_background(background, project, brightway_dir, method_set, say)
            prepared = prepare_background(bg, method_set, cache=True, solver=solver, progress=say) if not force else None
            if force:
                from .prepared import clear_memory_cache, prepared_dir, prepared_key, save_prepared, compute_prepared_scores

                clear_memory_cache()
                prepared = compute_prepared_scores(bg, method_set, solver)
                save_prepared(prepared, prepared_dir() / f"{prepared_key(bg, method_set)[:40]}.npz")
    except FootprintError as exc:
        fail(exc)
    _solver_warning()
    origin = "read from cache" if prepared.from_cache else f"solved in {prepared.seconds:.2f} s with {prepared.solver}"
    console.print(
        f"prepared background {bg.database} ({len(prepared.activity_ids):,} datasets x {len(prepared.categories)} categories), "
        f"{origin}; relative residual {prepared.residual:.1e}; {prepared.path}"
    )

