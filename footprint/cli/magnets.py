"""`footprint magnets ...`: the Art. 29 recycled-content declaration and the Art. 28 data record.

Thin commands over `footprint.magnets`: check a product file, declare (write both records as
one set), verify a record against its product file, list the installed rules.
Exit status: 0 ok (or reproduced), 1 not reproduced, 2 bad input (nothing written).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from .common import console, fail, output_path

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


def _shares_table(assessment) -> Table:
    decimals = assessment.rules.reported_decimals
    table = Table(title=f"Share recovered from post-consumer waste (Art. 29(1)), rules {assessment.rules.id} {assessment.rules.rules_version}")
    for column in ("Element", "kg per unit", "Post-consumer kg", "Pre-consumer kg", "Primary kg", "Share"):
        table.add_column(column, justify="left" if column == "Element" else "right")
    for e in assessment.content.elements:
        share = "not present" if e.share is None else f"{100 * e.share:.{decimals}f} %"
        table.add_row(f"{e.name} ({e.element})", f"{e.mass_kg:.6g}", f"{e.post_consumer_kg:.6g}", f"{e.pre_consumer_kg:.6g}", f"{e.primary_kg:.6g}", share)
    return table


def _print_assessment(product: Path, assessment) -> None:
    scope = assessment.scope
    console.print(f"[green]ok[/]: {product} — {assessment.loaded.product.product.name} {assessment.loaded.product.product.model}", highlight=False)
    console.print(f"  Art. 28: {scope.article_28_statement}", highlight=False)
    console.print(f"  Art. 29: {scope.article_29_statement}", highlight=False)
    for exemption in scope.exemptions:
        if exemption.applies:
            console.print(f"  exemption {exemption.provision}: {exemption.statement}", highlight=False)
    if assessment.content is not None:
        console.print(_shares_table(assessment))
    if assessment.rules.draft:
        console.print(f"[yellow]draft rules[/]: {assessment.rules.status}", highlight=False)


@app.command("check")
def check_command(product: Annotated[Path, typer.Argument(help="Product file (TOML)")]) -> None:
    """Validate a product file, apply the scope test and exemptions and calculate the shares, writing nothing."""
    from ..errors import FootprintError
    from ..magnets.declare import assess_product

    try:
        assessment = assess_product(product)
    except FootprintError as exc:
        fail(exc)
    _print_assessment(product, assessment)


@app.command("declare")
def declare_command(
    product: Annotated[Path, typer.Argument(help="Product file (TOML)")],
    out: Annotated[Path, typer.Option("--out", "-o", parser=output_path, help="Folder for recycled-content.json/.html and data-record.json/.html")],
    force: Annotated[bool, typer.Option(help="Replace the records already in the folder")] = False,
    issue_date: Annotated[Optional[str], typer.Option(help="Issue date YYYY-MM-DD (default: today, UTC)")] = None,
    sign: Annotated[Optional[Path], typer.Option("--sign", help="Sign each record with this private key (writes recycled-content.sig and data-record.sig in the same set)")] = None,
) -> None:
    """Write the Art. 29 declaration (where Art. 29 applies) and the Art. 28 data record, as one set."""
    from ..errors import FootprintError, FootprintInputError
    from ..magnets.declare import declare_product
    from .signatures import load_key

    key = load_key(sign, private=True) if sign is not None else None

    try:
        day = None
        if issue_date is not None:
            try:
                day = dt.date.fromisoformat(issue_date)
            except ValueError:
                raise FootprintInputError(f"not a date: {issue_date!r} (use YYYY-MM-DD)", field="--issue-date") from None
            if day > dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=1):
                raise FootprintInputError(f"the issue date {day} is in the future", field="--issue-date")
        assessment, paths = declare_product(product, out, issue_date=day, force=force, signing_key=key)
    except FootprintError as exc:
        fail(exc)
    _print_assessment(product, assessment)
    for path in paths:
        console.print(f"wrote {path}", highlight=False)


@app.command("verify")
def verify_command(
    record: Annotated[Path, typer.Argument(help="recycled-content.json or data-record.json")],
    product: Annotated[Path, typer.Option("--product", help="The product file the record was made from")],
    report: Annotated[Optional[Path], typer.Option(help="Also write the report as JSON")] = None,
) -> None:
    """Rebuild a record from its product file: reproduced (exit 0) or each difference (exit 1)."""
    from ..errors import FootprintError
    from ..files import write_json
    from ..magnets.verify import verify_record

    try:
        result = verify_record(record, product)
        if report is not None:
            if report.resolve() in {record.resolve(), product.resolve()}:
                from ..errors import FootprintInputError

                raise FootprintInputError("the report would overwrite an input", file=report, field="--report")
            write_json(report, result)
    except FootprintError as exc:
        fail(exc)
    colour = "green" if result.reproduced else "red"
    console.print(f"[bold {colour}]{result.verdict.upper()}[/]: {record} against {product}", highlight=False)
    if result.record_id:
        console.print(f"  {result.record_type} {result.record_id}; tolerance: {result.tolerance}", highlight=False)
    for change in result.changed_inputs:
        console.print(f"  [yellow]changed[/] {change}", highlight=False)
    for diff in result.differences:
        console.print(f"  [yellow]field[/] {diff.field}: declared {json.dumps(diff.declared, ensure_ascii=False)}, "
                      f"recomputed {json.dumps(diff.recomputed, ensure_ascii=False)}", highlight=False)
    for error in result.errors:
        console.print(f"  [red]error[/]: {error}", highlight=False)
    if result.checked_shares:
        console.print(f"  shares reproduced: {', '.join(result.checked_shares)}", highlight=False)
    console.print(f"  page beside the JSON: {result.page}", highlight=False)
    raise typer.Exit(0 if result.reproduced else 1)


@app.command("rules")
def rules_command() -> None:
    """List the installed rule sets for the Art. 29 share, with the reason for each choice."""
    from ..magnets.registry import MagnetRulesRegistry

    for rules in MagnetRulesRegistry().rule_sets():
        console.print(f"[bold]{rules.id} {rules.rules_version}[/]{' (draft)' if rules.draft else ''}: {rules.title}", highlight=False)
        console.print(f"  {rules.status}", highlight=False)
        for choice, reason in rules.reasons.items():
            console.print(f"  [bold]{choice}[/] = {json.dumps(getattr(rules, choice, None))}: {reason}", highlight=False)
