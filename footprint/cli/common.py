"""What every `footprint` command module shares: the consoles, the error exit, quiet Brightway."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console

if TYPE_CHECKING:
    import datetime as dt

    from ..engine.core import Engine

console = Console()
err_console = Console(stderr=True)


def print_error(error: object) -> None:
    """One error line on stderr, escaped: pint's dimension names ([mass], [length]) would
    otherwise be eaten as rich markup."""
    from rich.markup import escape

    err_console.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False, soft_wrap=True)


def fail(exc: Exception) -> NoReturn:
    """Print a footprint error in one line and exit with its code (2 for bad input)."""
    from ..errors import FootprintError

    print_error(exc)
    raise typer.Exit(exc.exit_code if isinstance(exc, FootprintError) else 1)


@contextlib.contextmanager
def quiet_brightway() -> Iterator[None]:
    """Brightway's importers print progress to stdout; footprint shows its own instead."""
    os.environ.setdefault("TQDM_DISABLE", "1")
    import warnings

    warnings.filterwarnings("ignore", message=r"[\s\S]*pypardiso")
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def date_option(text: str | None, name: str = "--on") -> "dt.date | None":
    """A YYYY-MM-DD option, or a one-line error naming it (exit 2)."""
    import datetime as dt

    from ..errors import FootprintInputError

    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError as exc:
        fail(FootprintInputError(f"cannot read {name} {text!r}: {exc}", field=name))


def output_path(value: str) -> Path:
    """Parser of every option naming a file or folder to write: an empty one is refused
    (`--out ""` would silently mean the current folder)."""
    if not value.strip():
        raise typer.BadParameter("the output path is empty; name a file or folder")
    return Path(value)


def say(message: str) -> None:
    """A progress message on stderr, timestamped."""
    err_console.log(message)


def fmt(value: float) -> str:
    return f"{value:.4g}" if value != 0 else "0"


def make_cli_engine(*, cache: bool = True, solver: str | None = None, verify: bool = False, progress: bool = True) -> "Engine":
    """The one engine a command runs on, from its flags.

    A batch of one study without the cache is solved once, alone (`OneOffEngine`); otherwise
    the prepared engine. A verifier's engine checks any prepared background it reads from disk.
    """
    from ..engine.core import make_engine

    return make_engine(cache=cache, solver=solver, verify_cache=verify, progress=say if progress else None)


def solver_warning() -> None:
    """Say so when footprint fell back to the slow sparse solver."""
    from ..engine.solvers import solver_note

    note = solver_note()
    if note:
        err_console.print(f"[bold yellow]warning:[/] {note}", highlight=False, soft_wrap=True)
