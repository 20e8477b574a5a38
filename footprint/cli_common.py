"""What every `footprint` command module shares: the consoles, the error exit, quiet Brightway."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from typing import NoReturn

import typer
from rich.console import Console

console = Console()
err_console = Console(stderr=True)


def print_error(error: object) -> None:
    """One error line on stderr, escaped: pint's dimension names ([mass], [length]) would
    otherwise be eaten as rich markup."""
    from rich.markup import escape

    err_console.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False, soft_wrap=True)


def fail(exc: Exception) -> NoReturn:
    """Print a footprint error in one line and exit with its code (2 for bad input)."""
    from .errors import FootprintError

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


def say(message: str) -> None:
    """A progress message on stderr, timestamped."""
    err_console.log(message)


def fmt(value: float) -> str:
    return f"{value:.4g}" if value != 0 else "0"
