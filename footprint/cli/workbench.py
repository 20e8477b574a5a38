"""`footprint sensitivity`, and what `footprint verify` adds for the verifier: evidence, report.html."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from .common import console, date_option, fail, make_cli_engine, output_path, quiet_brightway, say, solver_warning


def sensitivity_command(
    study: Annotated[Path, typer.Argument(help="Study file (TOML)")],
    top: Annotated[int, typer.Option("--top", min=1, help="How many amounts to show (and to give a class margin for)")] = 20,
    class_table: Annotated[Optional[Path], typer.Option(help="Class table (TOML) instead of the one in force")] = None,
    on: Annotated[Optional[str], typer.Option(help="Date the class table must be in force on (YYYY-MM-DD; default today)")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print elasticities and class margin as JSON")] = False,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", parser=output_path, help="Write them as JSON here")] = None,
) -> None:
    """Every amount of a study ranked by how much the declared categories depend on it (exact elasticities), and the class margin."""
    from ..errors import FootprintError

    when = date_option(on)
    try:
        with quiet_brightway():
            from ..verification.workbench import SensitivityReport, sensitivity_of

            results, missing = sensitivity_of(study, engine=make_cli_engine(progress=not json_output), top=top, class_table=class_table, on_date=when)
    except FootprintError as exc:
        fail(exc)
    report = SensitivityReport(study=str(study), elasticities=results.elasticities[:top], class_margin=results.class_margin, class_margin_missing=missing)
    text = json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    if out is not None:
        from ..files import write_atomically

        try:
            write_atomically(out, text)
        except FootprintError as exc:
            fail(exc)
    if json_output:
        typer.echo(text, nl=False)
        return
    solver_warning()
    from .render import print_sensitivity

    print_sensitivity(results, top, missing)
    if out is not None:
        console.print(f"wrote {out}")


def verifier_outputs(
    report: Any, *, engine: Any, evidence: Path | None, report_html: Path | None, pdf: bool, top: int, brightway_dir: Path | None, quiet: bool,
    signature: str | None = None,
) -> bool:
    """Materiality against the evidence and report.html (+ PDF) for one verified declaration; whether it is acceptable.

    `signature` (verify --sign) fills the report's signature slot: who signed the statement, with which key."""
    from ..errors import FootprintError
    from ..plugins import MaterialRegistry
    from ..verification.dossier import build_dossier, write_dossier

    try:
        with quiet_brightway():
            dossier = build_dossier(report, registry=MaterialRegistry(), engine=engine, evidence=evidence, brightway_dir=brightway_dir, top=top)
        dossier.signature = signature
        written = write_dossier(dossier, report_html, pdf=pdf) if report_html is not None else []
    except FootprintError as exc:
        fail(exc)
    if not quiet:
        if dossier.materiality is not None:
            colour = "red" if dossier.materiality.material else "green"
            console.print(f"[bold {colour}]materiality[/]: {dossier.materiality.verdict}", highlight=False)
        for problem in dossier.problems:
            say(problem)
        for path in written:
            console.print(f"wrote {path}")
    return dossier.acceptable
