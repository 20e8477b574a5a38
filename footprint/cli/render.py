"""The one renderer of the command line: results, verification reports, uncertainty, hotspots.

Every table footprint prints is drawn here, on the one console of `common`.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from rich.table import Table

from .common import console, fmt


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.6g}"


def print_results(results: Any) -> None:
    """Results table by stage; the material's declared categories are marked and listed first."""

    from ..plugins import MaterialRegistry

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
    from ..classes.lookup import assign_class, find_class_table

    class_table = find_class_table(registry, results.material, dt.date.today())
    if class_table is None:
        console.print(f"Performance class: not assigned — no class table for {results.material} is in force today.")
    else:
        status = "provisional " if class_table.provisional else ""
        console.print(f"Performance class: [bold]{assign_class(class_table, climate)}[/] ({status}table {class_table.period})")


def print_verification(report: Any) -> None:
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
    for limit in report.cannot_rule_out:
        console.print(f"  [yellow]not checked[/]: {limit}", highlight=False)
    if ok:
        console.print(f"  {len(report.checked_categories)} categories reproduced: {', '.join(report.checked_categories)}")


def print_uncertainty(report: Any) -> None:
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


def print_hotspots(studies: list[Any], analyses: list[Any]) -> None:
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


def print_sensitivity(results: Any, top: int, missing: str | None) -> None:
    """The ranked elasticities of the declared categories, and the class margin."""
    from rich.markup import escape

    from ..plugins import MaterialRegistry

    declared = list(dict.fromkeys(["climate change", *MaterialRegistry().declared_categories(results.material)]))
    table = Table(title=f"Sensitivity of {results.title}: change in % of each result for +1 % of the amount")
    for column in ("#", "Process", "Amount", "As written", *declared, "Linear"):
        table.add_column(column, justify="right" if column not in ("Process", "Amount") else "left", overflow="fold")
    for e in results.elasticities[:top]:
        values = [("-" if e.by_category.get(c) is None else f"{e.by_category[c]:+.4f}") for c in declared]
        where = e.process or e.study
        table.add_row(str(e.rank), escape(where + (" (primary study)" if e.study == "virgin study" else "")), escape(f"{e.kind}: {e.label} [{e.field}]"),
                      f"{fmt(e.amount)} {escape(e.unit)}", *values, "yes" if e.linear else "no")
    console.print(table)
    margin = results.class_margin
    if margin is None:
        console.print(f"class margin: none ({escape(missing or 'no class table')})")
        return
    parts = [f"{margin.category} {fmt(margin.value)} {escape(margin.unit)}: class {margin.class_label} ({escape(margin.table)})"]
    if margin.to_better is not None:
        parts.append(f"{fmt(margin.to_better)} ({margin.to_better_percent:.2f} %) above the better class's threshold {fmt(margin.lower_threshold)}")
    if margin.to_worse is not None:
        parts.append(f"{fmt(margin.to_worse)} ({margin.to_worse_percent:.2f} %) below the worse class's threshold {fmt(margin.upper_threshold)}")
    console.print("class margin: " + "; ".join(parts))
    table = Table(title="What one amount, changed alone, takes to change the class")
    for column in ("#", "Amount", "To the better class", "To the worse class"):
        table.add_column(column, overflow="fold")
    for a in margin.amounts[:top]:
        cells = []
        for change in (a.to_better, a.to_worse):
            if change is None:
                cells.append("-")
            elif change.reachable:
                percent = f"{change.change_percent:+.3g} %, " if change.change_percent is not None else ""
                cells.append(f"{percent}{change.change:+.4g} {escape(a.unit)} ({change.method})")
            else:
                cells.append(escape(f"not reachable: {change.note}"))
        table.add_row(str(a.rank), escape(f"{a.process or a.study} {a.label} [{a.field}]"), *cells)
    console.print(table)
