"""`footprint declare`, `verify` and `uncertainty`: the commands that run the engine on studies.

Each builds one engine from its flags and hands it to the library call (batches share it).
Heavy imports happen inside the functions, so start-up stays lazy.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from .common import console, date_option, err_console, fail, fmt, make_cli_engine, output_path, print_error, quiet_brightway, say, solver_warning
from .signatures import load_key, statement_summary, write_verification_statements

_BackgroundOpt = Annotated[Optional[str], typer.Option(help="Background database (overrides the studies)")]
_ProjectOpt = Annotated[Optional[str], typer.Option(help="Brightway project holding --background")]
_DirOpt = Annotated[Optional[Path], typer.Option(help="Brightway directory holding --project")]
_SchedulerOpt = Annotated[Optional[str], typer.Option("--scheduler", help="Run on dask.distributed: 'local' (a cluster on this machine) or a scheduler address, e.g. tcp://host:8786")]
_WorkersOpt = Annotated[int, typer.Option("--workers", min=1, help="Worker processes of a --scheduler local cluster")]


def declare_command(
    studies: Annotated[list[Path], typer.Argument(help="Study file(s) (TOML); many share one prepared background")],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", parser=output_path, help="Folder for results.json, declaration.json, declaration.html and study.html (one subfolder per study when several)")] = None,
    background: _BackgroundOpt = None,
    project: _ProjectOpt = None,
    brightway_dir: _DirOpt = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar for batches")] = True,
    cache: Annotated[bool, typer.Option("--cache/--no-cache", help="Reuse the prepared background cached on disk")] = True,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also print the public study to study.pdf (headless Chromium)")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace a declaration already in the output folder")] = False,
    registry_url: Annotated[Optional[str], typer.Option("--registry-url", help="Registry base URL: the declaration's public address <URL>/declarations/<id> goes into declaration.json and its QR code")] = None,
    sign: Annotated[Optional[Path], typer.Option("--sign", help="Sign each declaration with this private key (writes declaration.sig in the same set)")] = None,
    scheduler: _SchedulerOpt = None,
    workers: _WorkersOpt = 2,
) -> None:
    """Calculate footprints of one or many studies on a prepared background (solved once, cached)."""
    from ..errors import FootprintError, FootprintInputError
    from ..files import check_output_path

    key = load_key(sign, private=True) if sign is not None else None

    if out is not None:
        try:
            out = check_output_path(out)
        except FootprintInputError as exc:
            fail(exc)
    if registry_url is not None:
        from ..links import registry_base

        try:
            registry_url = registry_base(registry_url, field="--registry-url")
        except FootprintInputError as exc:
            fail(exc)

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
            from ..batch import assess_many

            engine = make_cli_engine(cache=cache)
            options = dict(
                engine=engine,
                background_override=background,
                project_override=project,
                brightway_dir=brightway_dir,
                progress=progress and len(studies) > 1,
                say=say,
            )
            if scheduler:
                from ..distributed import assess_many_distributed, dask_client

                with dask_client(scheduler, workers=workers) as client:
                    items = assess_many_distributed(studies, client=client, **options)
            else:
                items = assess_many(studies, **options)
    except FootprintError as exc:
        fail(exc)
    solver_warning()
    from .render import print_results

    if len(items) <= 3:
        for item in items:
            if item.ok:
                print_results(item.results)
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
        from ..declaration.outputs import write_declaration_set

        for item, target in zip(items, folders):
            if not item.ok:
                continue
            try:
                written = write_declaration_set(item.results, item.loaded, target, force=force, pdf=pdf, registry_url=registry_url, signing_key=key)
            except FootprintError as exc:
                item.error = exc.located(file=item.path) if isinstance(exc, FootprintInputError) else exc
                continue
            except Exception as exc:  # one declaration that cannot be built must not stop the batch
                item.error = FootprintError(f"{item.path}: the declaration could not be written: {exc!r}")
                continue
            for path in written:
                console.print(f"wrote {path}")
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
    report: Annotated[Optional[Path], typer.Option("--report", "-r", parser=output_path, help="Write the verification report(s) as JSON here")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the JSON report(s) instead of text")] = False,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar for batches")] = True,
    brightway_dir: _DirOpt = None,
    producer_key: Annotated[Optional[Path], typer.Option("--producer-key", help="The producer's public key (PEM): check declaration.sig first, so re-dating is ruled out")] = None,
    sign: Annotated[Optional[Path], typer.Option("--sign", help="Sign a verification statement per declaration with this private key")] = None,
    verifier: Annotated[Optional[str], typer.Option("--verifier", help="Your organisation, as the statement names you (with --sign)")] = None,
    statement: Annotated[Optional[Path], typer.Option("--statement", parser=output_path, help="Where the signed statement(s) go [verification-statement.json beside each declaration]")] = None,
    scheduler: _SchedulerOpt = None,
    workers: _WorkersOpt = 2,
    evidence: Annotated[Optional[Path], typer.Option("--evidence", help="The study as found on site (TOML): recompute it and judge materiality (one declaration)")] = None,
    report_html: Annotated[Optional[Path], typer.Option("--report-html", parser=output_path, help="Write the verification report for people here (HTML; one declaration)")] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also print the HTML report to PDF (headless Chromium)")] = False,
    top: Annotated[int, typer.Option("--top", min=1, help="Amounts shown in the report's sensitivity ranking")] = 20,
) -> None:
    """Re-run many declarations from their studies on one shared prepared background; say which are reproduced.

    Each is `verification.verify_declaration` on one engine that checks any prepared background it
    reads from disk against the background's own matrices. With --producer-key the producer's
    signature is checked first; with --sign a signed verification statement is written per declaration.
    """
    from ..errors import FootprintInputError
    from ..files import write_atomically
    from .render import print_verification

    if sign is not None and not (verifier or "").strip():
        fail(FootprintInputError("--sign needs --verifier NAME: the statement names who verified", field="--verifier"))
    key = load_key(sign, private=True) if sign is not None else None
    public = load_key(producer_key, private=False) if producer_key is not None else None

    if len(study) != len(declarations):
        if len(study) == 1:
            study = study * len(declarations)
        else:
            err_console.print(f"[bold red]error:[/] {len(declarations)} declaration(s) but {len(study)} --study file(s); give one study per declaration")
            raise typer.Exit(2)
    if (evidence is not None or report_html is not None or pdf) and len(declarations) != 1:
        err_console.print("[bold red]error:[/] --evidence, --report-html and --pdf take one declaration")
        raise typer.Exit(2)
    if pdf and report_html is None:
        err_console.print("[bold red]error:[/] --pdf prints the --report-html page: give --report-html")
        raise typer.Exit(2)
    engine = make_cli_engine(verify=True, progress=not json_output)
    with quiet_brightway():
        from ..batch import verify_many

        options = dict(
            engine=engine,
            progress=progress and len(declarations) > 1 and not json_output,
            say=None if json_output else say,
            brightway_dir=brightway_dir,
            producer_key=public,
        )
        if scheduler:
            from ..distributed import dask_client, verify_many_distributed
            from ..errors import FootprintError

            try:
                with dask_client(scheduler, workers=workers) as client:
                    items = verify_many_distributed(list(zip(declarations, study)), client=client, **options)
            except FootprintError as exc:
                fail(exc)
        else:
            items = verify_many(list(zip(declarations, study)), **options)
    if not json_output:
        solver_warning()
    unreadable = [item for item in items if not item.ok]
    for item in unreadable:
        print_error(f"{item.path}: {item.error}")
    reports = [item.results for item in items if item.ok]
    payload = [json.loads(r.model_dump_json()) for r in reports]
    text = json.dumps(payload[0] if len(payload) == 1 else payload, indent=2, ensure_ascii=False) + "\n"
    if report is not None and reports:
        from ..errors import FootprintError, FootprintInputError

        inputs = {Path(p).resolve() for p in [*declarations, *study]}
        inputs |= {(Path(p) / "declaration.json").resolve() for p in declarations}
        if report.resolve() in inputs or (report.is_dir() and (report / "verification.json").resolve() in inputs):
            fail(FootprintInputError("the report would overwrite a declaration or study being verified", file=report, field="--report"))
        try:
            report = report / "verification.json" if report.is_dir() else report
            write_atomically(report, text)
        except FootprintError as exc:
            fail(exc)  # exit 2: the verdict is not "not reproduced" (1), the report could not be written
    statements: list[Path] = []
    if key is not None and reports:
        inputs = {Path(p).resolve() for p in [*declarations, *study]} | {(Path(p) / "declaration.json").resolve() for p in declarations}
        statements = write_verification_statements(reports, key, verifier or "", statement, inputs)
        for path in statements:
            err_console.print(f"wrote signed statement {path}", highlight=False)
    if json_output:
        typer.echo(text, nl=False)
    else:
        for r in reports:
            print_verification(r)
        if len(reports) > 1:
            good = sum(1 for r in reports if r.reproduced)
            console.print(f"{good} of {len(items)} declaration(s) reproduced")
        if report is not None and reports:
            console.print(f"wrote {report}")
    if unreadable:
        raise typer.Exit(2)
    acceptable = all(r.reproduced for r in reports)
    if reports and (evidence is not None or report_html is not None):
        from .workbench import verifier_outputs

        acceptable = verifier_outputs(reports[0], engine=engine, evidence=evidence, report_html=report_html, pdf=pdf, top=top,
                                      brightway_dir=brightway_dir, quiet=json_output,
                                      signature=statement_summary(statements[0]) if statements else None) and acceptable
    raise typer.Exit(0 if acceptable else 1)


def uncertainty_command(
    study: Annotated[Path, typer.Argument(help="Study file (TOML)")],
    iterations: Annotated[int, typer.Option("--iterations", "-n", min=1, help="Monte Carlo iterations")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same result)")] = 42,
    defaults: Annotated[bool, typer.Option("--defaults/--no-defaults", help="Give exchanges without a distribution the data-type default")] = True,
    sample_background: Annotated[bool, typer.Option("--sample-background/--fixed-background", help="Sample the background too when it carries distributions (drawn systems solved iteratively, checked against direct solves)")] = False,
    class_table: Annotated[Optional[Path], typer.Option(help="Class table (TOML) instead of the one in force")] = None,
    thresholds: Annotated[Optional[str], typer.Option(help="Class thresholds A|B,B|C,... instead of a class table, e.g. '3,5,8'")] = None,
    on: Annotated[Optional[str], typer.Option(help="Date the class table must be in force on (YYYY-MM-DD; default today)")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", parser=output_path, help="Write uncertainty.json here (file or folder)")] = None,
    background: _BackgroundOpt = None,
    project: _ProjectOpt = None,
    brightway_dir: _DirOpt = None,
    scheduler: _SchedulerOpt = None,
    workers: _WorkersOpt = 2,
) -> None:
    """Monte Carlo on the foreground (and the background, --sample-background): mean, median, 95% interval per declared category, class probabilities."""
    from ..classes.table import check_thresholds
    from ..errors import FootprintError, FootprintInputError

    try:
        bounds = [float(x) for x in thresholds.split(",")] if thresholds else None
        if bounds is not None:
            check_thresholds(bounds)
    except ValueError as exc:
        fail(FootprintInputError(f"cannot use --thresholds {thresholds!r}: {exc}", field="--thresholds"))
    when = date_option(on)
    try:
        with quiet_brightway(), contextlib.ExitStack() as stack:
            from ..uncertainty import run_uncertainty

            runner = None
            if scheduler:
                from ..distributed import DaskRunner, dask_client

                runner = DaskRunner(stack.enter_context(dask_client(scheduler, workers=workers)))
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
                engine=make_cli_engine(),
                runner=runner,
            )
    except FootprintError as exc:
        fail(exc)
    solver_warning()
    from .render import print_uncertainty

    print_uncertainty(report)
    if out is not None:
        from ..files import write_atomically

        target = out / "uncertainty.json" if out.suffix.lower() != ".json" else out
        try:
            write_atomically(target, json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n")
        except FootprintError as exc:
            fail(exc)
        console.print(f"wrote {target}")


