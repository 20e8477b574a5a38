"""`footprint classes ...`: calibrate, assign, show and review performance classes (Annex V Part VIII).

Mounted by the main CLI as `app.add_typer(cli_classes.app, name="classes")`.

A material's default calibration settings will come from its plugin's rules; until then (and
always, for options given on the command line) the CLI uses `CalibrationSettings()` defaults:
method 'auto' (equal-width bands, 3 to 7 classes, each wider than the typical declaration
uncertainty), robust bounds at the 5th and 95th weighted percentiles, no improvement rate,
weighting by tonnes. The plugin layer injects its settings with `set_settings_provider`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional

import typer
from rich.table import Table

from .common import console, output_path, print_error

if TYPE_CHECKING:
    from ..classes import CalibrationSettings, ClassTable, MarketData, RecalibrationReport

# The command line's default category (footprint.classes.DEFAULT_CATEGORY), written out so
# that `footprint --help` does not import the classes package.
DEFAULT_CATEGORY = "climate change"

app = typer.Typer(
    help="Environmental footprint performance classes (Annex V Part VIII): calibrate from the market, assign, show, review.",
    no_args_is_help=True,
)
SettingsProvider = Callable[[str], "Optional[CalibrationSettings]"]
_settings_provider: SettingsProvider | None = None


def set_settings_provider(provider: SettingsProvider | None) -> None:
    """Let the plugin layer supply a material's CalibrationSettings (from its rules)."""
    global _settings_provider
    _settings_provider = provider


def _registry() -> Any:
    from ..plugins import MaterialRegistry

    return MaterialRegistry()


def _plugin_settings(material: str) -> CalibrationSettings | None:
    from ..classes import CalibrationSettings

    found = _registry().calibration_settings(material)
    if found is None or isinstance(found, CalibrationSettings):
        return found
    return CalibrationSettings.model_validate(found)  # a plugin may give a plain mapping


def material_settings(material: str, overrides: dict[str, Any] | None = None) -> CalibrationSettings:
    """The material's settings (injected provider, else its plugin's rules, else defaults), then command-line overrides."""
    from ..classes import CalibrationSettings

    provider = _settings_provider or _plugin_settings
    base = provider(material) or CalibrationSettings()
    merged = {**base.model_dump(), **{k: v for k, v in (overrides or {}).items() if v is not None}}
    return CalibrationSettings.model_validate(merged)


def _fail(message: str) -> NoReturn:
    """One clear line on stderr (the common error printer), exit 2."""
    print_error(message)
    raise typer.Exit(code=2)


def _run(fn: Callable[[], None]) -> None:
    """Turn footprint's input errors, and the settings' validation errors, into one-line messages."""
    from pydantic import ValidationError

    from ..errors import FootprintError, from_validation_error

    try:
        fn()
    except typer.Exit:
        raise
    except ValidationError as exc:
        _fail(str(from_validation_error(exc, empty_field=exc.title)))
    except (FootprintError, ValueError, OSError) as exc:
        text = str(exc).strip().splitlines()
        _fail(" ".join(text[:1] + [t.strip() for t in text[1:3]]) if text else type(exc).__name__)


def _read_market(market: Path, quantities: Path | None) -> MarketData:
    from ..classes import read_declarations_folder, read_market_csv

    if market.is_dir():
        if quantities is None:
            _fail(f"{market} is a folder of declarations: give --quantities CSV (declaration_id, quantity_t)")
        return read_declarations_folder(market, quantities)
    return read_market_csv(market)


def _parse_date(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        _fail(f"--on {text!r} is not an ISO date (YYYY-MM-DD)")


def _fmt(x: float | None) -> str:
    return "open" if x is None else f"{x:.4g}"


def _band_table(table: ClassTable) -> Table:
    status = " [bold red]PROVISIONAL[/]" if table.provisional else ""
    out = Table(title=f"{table.material}: {table.category} classes {table.period}{status}", title_justify="left")
    for col in ("class", "from (exclusive)", "up to (inclusive)", "calibration share", "producers"):
        out.add_column(col, justify="right" if col != "class" else "center")
    for b in table.bands:
        share = "" if b.market_share is None else f"{b.market_share:.1%}"
        out.add_row(b.label, _fmt(b.lower) if b.lower is not None else "-", _fmt(b.upper) if b.upper is not None else "-", share, "" if b.producers is None else str(b.producers))
    out.caption = f"{table.unit}; method {table.method}; valid {table.valid_from} to {table.valid_until}"
    return out


def _print_report(rep: RecalibrationReport) -> None:
    shifts = Table(title=f"Threshold shifts {rep.old_period} -> {rep.new_period} ({rep.unit})", title_justify="left")
    for col in ("boundary", "old", "new", "shift", "relative"):
        shifts.add_column(col, justify="right")
    for s in rep.shifts:
        rel = "" if s.relative is None else f"{s.relative:+.1%}"
        shifts.add_row(s.boundary, _fmt(s.old), _fmt(s.new), "" if s.shift is None else f"{s.shift:+.4g}", rel)
    console.print(shifts)
    shares = Table(title="Share of market volume per class (new data window)", title_justify="left")
    shares.add_column("class", justify="center")
    shares.add_column(f"old table {rep.old_period}", justify="right")
    shares.add_column(f"new table {rep.new_period}", justify="right")
    for label in sorted(set(rep.old_shares) | set(rep.new_shares)):
        o, n = rep.old_shares.get(label), rep.new_shares.get(label)
        shares.add_row(label, "" if o is None else f"{o:.1%}", "" if n is None else f"{n:.1%}")
    console.print(shares)
    for m in rep.messages:
        console.print(f"[bold yellow]review:[/] {m}" if "due for review" in m else m)


@app.command()
def calibrate(
    material: Annotated[str, typer.Option("--material", "-m", help="Material id, e.g. lithium-carbonate.")],
    period: Annotated[str, typer.Option("--period", help="Validity period YYYY-YYYY, e.g. 2027-2029.")],
    market: Annotated[Optional[Path], typer.Option("--market", help="Market CSV, or a folder of declaration JSON files (with --quantities).")] = None,
    registry: Annotated[Optional[str], typer.Option("--registry", help="Read the market data from this footprint registry (URL) instead of --market.")] = None,
    token: Annotated[Optional[str], typer.Option("--token", envvar="FOOTPRINT_REGISTRY_TOKEN", help="Regulator's API token for --registry.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", parser=output_path, help="Class table to write [classes/<material>/<period>.toml].")] = None,
    quantities: Annotated[Optional[Path], typer.Option("--quantities", help="CSV declaration_id,quantity_t for a declarations folder.")] = None,
    category: Annotated[str, typer.Option("--category", help="Impact category.")] = DEFAULT_CATEGORY,
    method: Annotated[Optional[str], typer.Option("--method", help="quantile | equal-width | auto.")] = None,
    classes: Annotated[Optional[int], typer.Option("--classes", "-n", help="Number of classes (quantile, equal-width).")] = None,
    min_classes: Annotated[Optional[int], typer.Option("--min-classes")] = None,
    max_classes: Annotated[Optional[int], typer.Option("--max-classes")] = None,
    lower_percentile: Annotated[Optional[float], typer.Option("--lower-percentile", help="Robust lower bound, weighted percentile.")] = None,
    upper_percentile: Annotated[Optional[float], typer.Option("--upper-percentile", help="Robust upper bound, weighted percentile.")] = None,
    improvement: Annotated[Optional[float], typer.Option("--improvement", help="Expected annual improvement, e.g. 0.02 for 2 %/yr.")] = None,
    weighted: Annotated[Optional[bool], typer.Option("--weighted/--unweighted", help="Weight by tonnes placed on the market.")] = None,
    min_declarations: Annotated[Optional[int], typer.Option("--min-declarations")] = None,
    min_producers: Annotated[Optional[int], typer.Option("--min-producers")] = None,
    min_producers_per_class: Annotated[Optional[int], typer.Option("--min-producers-per-class")] = None,
    min_producers_per_boundary: Annotated[Optional[int], typer.Option("--min-producers-per-boundary")] = None,
    typical_uncertainty: Annotated[Optional[float], typer.Option("--typical-uncertainty", help="Absolute, when the data has no uncertainty column.")] = None,
    typical_relative_uncertainty: Annotated[Optional[float], typer.Option("--typical-relative-uncertainty", help="Share of the median value, when the data has no uncertainty column.")] = None,
    previous: Annotated[Optional[Path], typer.Option("--previous", help="Previous class table: print the recalibration report.")] = None,
    plot: Annotated[Optional[Path], typer.Option("--plot", parser=output_path, help="Write a plot (.png or .svg) of the distribution and bands.")] = None,
    plot_kind: Annotated[str, typer.Option("--plot-kind", help="hist | ecdf.")] = "hist",
    provisional: Annotated[bool, typer.Option("--provisional", help="Mark the table provisional (calibrated from literature, not declarations).")] = False,
    data_window: Annotated[Optional[str], typer.Option("--data-window", help="YYYY-YYYY of the data used (provisional tables only).")] = None,
    waive_privacy: Annotated[Optional[str], typer.Option("--waive-privacy", help="Reason for relaxing the producer rules (provisional, public-literature tables only).")] = None,
    source: Annotated[Optional[list[str]], typer.Option("--source", help="Source to cite (repeatable); a CSV 'source' column is cited too.")] = None,
    provenance: Annotated[str, typer.Option("--provenance", help="How the table was made, in words.")] = "",
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing table.")] = False,
) -> None:
    """Calibrate a material's class table for a validity period from the previous three years' market."""

    def body() -> None:
        from ..classes import calibrate_classes, load_class_table, parse_period, read_sources_column, recalibration_report, write_class_table

        target = out or Path("classes") / material / f"{period}.toml"
        if target.exists() and not force:
            _fail(f"{target} exists; a published table is not overwritten without --force")
        if plot_kind not in ("hist", "ecdf"):
            _fail(f"--plot-kind must be hist or ecdf, not {plot_kind!r}")
        if plot is not None and plot.suffix.lower() not in (".png", ".svg"):
            _fail(f"--plot {plot} must end in .png or .svg")
        if classes is not None and (method or material_settings(material).method) == "auto":
            _fail("--classes fixes the number of classes: give --method quantile or --method equal-width too")
        settings = material_settings(material, {
            "method": method, "n_classes": classes, "min_classes": min_classes, "max_classes": max_classes,
            "lower_percentile": lower_percentile, "upper_percentile": upper_percentile,
            "annual_improvement": improvement, "weighted": weighted, "min_declarations": min_declarations,
            "min_producers": min_producers, "min_producers_per_class": min_producers_per_class,
            "min_producers_per_boundary": min_producers_per_boundary, "typical_uncertainty": typical_uncertainty,
            "typical_relative_uncertainty": typical_relative_uncertainty,
        })
        data = _read_market(market, quantities)
        window = None
        if data_window is not None:
            a, b = parse_period(data_window)
            window = (a, b)
        sources = list(source or [])
        if market.is_file():
            sources += [s for s in read_sources_column(market) if s not in sources]
        table = calibrate_classes(
            data, material=material, period=period, settings=settings, category=category, window=window,
            provisional=provisional, provenance=provenance, sources=sources, privacy_waiver=waive_privacy,
        )
        report = recalibration_report(load_class_table(previous), table, data) if previous else None
        if plot is not None:
            from ..classes.plot import plot_classes

            plot_classes(table, data, plot, kind=plot_kind)  # type: ignore[arg-type]
        write_class_table(table, target)
        console.print(_band_table(table))
        console.print(f"wrote {target} ({table.input.declarations_used} declarations, {table.input.producers_used} producers, sha256 {table.input.sha256[:12]}...)")
        if plot is not None:
            console.print(f"wrote {plot}")
        if report is not None:
            _print_report(report)

    def with_market() -> None:
        """--market as given, or the registry's market data saved to a CSV first (then read as --market)."""
        nonlocal market, source
        if (market is None) == (registry is None):
            _fail("give the market data with --market FILE or --registry URL (one of them)")
        if registry is None:
            body()
            return
        import tempfile

        from footprint.registry.client import fetch_market_csv

        with tempfile.TemporaryDirectory(prefix="footprint-market-") as folder:
            market = fetch_market_csv(registry, token, material, folder)
            source = [*(source or []), f"footprint registry {registry}, market data of {dt.date.today().isoformat()}"]
            body()

    _run(with_market)


def _find_table(material: str, on: str | None, table: Path | None, folder: list[Path] | None, category: str = DEFAULT_CATEGORY) -> ClassTable:
    """The table asked for (file) or in force (folders, else the material's plugin and the shipped classes/)."""
    from ..classes import class_table_for

    choice = class_table_for(material, _parse_date(on), registry=_registry(), folders=folder or None, category=category, given=table)
    if choice.table is None:
        _fail(choice.missing or f"no class table for {material!r}")
    return choice.table


@app.command()
def assign(
    material: Annotated[str, typer.Option("--material", "-m", help="Material id.")],
    value: Annotated[float, typer.Argument(help="Declared value per declared unit, in the table's unit.")],
    on: Annotated[Optional[str], typer.Option("--on", help="Date (YYYY-MM-DD) whose table applies [today].")] = None,
    table: Annotated[Optional[Path], typer.Option("--table", help="Use this class table instead of the one in force.")] = None,
    folder: Annotated[Optional[list[Path]], typer.Option("--folder", help="Folder(s) of class tables [shipped classes/].")] = None,
    category: Annotated[str, typer.Option("--category", help="Impact category of the value; the table must class it.")] = DEFAULT_CATEGORY,
    letter_only: Annotated[bool, typer.Option("--letter-only", help="Print only the class letter.")] = False,
) -> None:
    """Class of a declared value under the table in force (a value on a threshold takes the better class)."""

    def body() -> None:
        from ..classes import assign_class

        t = _find_table(material, on, table, folder, category)
        letter = assign_class(t, value)
        if letter_only:
            typer.echo(letter)
            return
        band = t.bands[t.labels.index(letter)]
        status = ", PROVISIONAL" if t.provisional else ""
        console.print(f"class {letter}: {t.category} {value:g} {t.unit} ({_fmt(band.lower) if band.lower is not None else '-'} < value <= {_fmt(band.upper) if band.upper is not None else 'open'}; table {t.period}{status})")

    _run(body)


@app.command()
def show(
    material: Annotated[str, typer.Option("--material", "-m", help="Material id.")],
    on: Annotated[Optional[str], typer.Option("--on", help="Date (YYYY-MM-DD) [today].")] = None,
    table: Annotated[Optional[Path], typer.Option("--table", help="Show this class table file.")] = None,
    folder: Annotated[Optional[list[Path]], typer.Option("--folder", help="Folder(s) of class tables [shipped classes/].")] = None,
    category: Annotated[str, typer.Option("--category", help="Impact category of the table.")] = DEFAULT_CATEGORY,
) -> None:
    """Print the class table in force for a material on a date."""

    def body() -> None:
        from ..classes import BOUNDARY_RULE

        t = _find_table(material, on, table, folder, category)
        console.print(_band_table(t))
        console.print(f"boundary rule: {BOUNDARY_RULE}")
        if t.provisional:
            console.print(f"[bold red]provisional:[/] {t.provenance}")
            if t.privacy_waiver:
                console.print(f"privacy rule relaxed: {t.privacy_waiver}")
        for s in t.sources:
            console.print(f"source: {s}")
        console.print(f"input sha256 {t.input.sha256} ({t.input.size_bytes} bytes, {t.input.declarations_used} rows used); footprint {t.footprint_version}")

    _run(body)


@app.command()
def report(
    old: Annotated[Path, typer.Argument(help="Class table in force so far.")],
    new: Annotated[Path, typer.Argument(help="Newly calibrated class table.")],
    market: Annotated[Path, typer.Option("--market", help="Market data the new table was calibrated from.")],
    quantities: Annotated[Optional[Path], typer.Option("--quantities", help="CSV declaration_id,quantity_t for a declarations folder.")] = None,
) -> None:
    """Recalibration report: threshold shifts and market share per class, old table vs new."""

    def body() -> None:
        from ..classes import load_class_table, recalibration_report

        rep = recalibration_report(load_class_table(old), load_class_table(new), _read_market(market, quantities))
        _print_report(rep)
        if rep.old_due_for_review:
            console.print("[bold yellow]the old table is due for review[/]")

    _run(body)
