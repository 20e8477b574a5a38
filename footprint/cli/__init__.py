"""The `footprint` command: thin wrappers that parse arguments, call one library function, print.

One module per command group (`study`, `background`, `declare`, `classes`, `export`,
`imports`, `magnets`, `signatures`, `registry`), one renderer
(`render`), one console and one error printer (`common`). Heavy imports (Brightway, numpy,
matplotlib) happen inside the commands, so that `footprint --help` answers at once. No input
or fault prints a Python traceback: an unexpected error is one line (`--debug` shows it whole).
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from .common import print_error

_DEBUG = {"on": False}


class GuardedGroup(TyperGroup):
    """A command group that turns any unexpected exception into one line and exit status 1."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException, SystemExit):
            raise
        except KeyboardInterrupt:
            print_error("interrupted")
            raise typer.Exit(130) from None
        except Exception as exc:
            from ..errors import FootprintError

            if _DEBUG["on"]:
                raise
            if isinstance(exc, FootprintError):
                print_error(exc)
                raise typer.Exit(exc.exit_code) from None
            if isinstance(exc, MemoryError):
                print_error("out of memory: the task is too large for this machine")
            else:
                print_error(f"unexpected {type(exc).__name__}: {exc} (footprint --debug shows the traceback; please report it)")
            raise typer.Exit(1) from None


app = typer.Typer(
    name="footprint",
    cls=GuardedGroup,
    help="Environmental footprint declarations for EU critical raw materials (Regulation (EU) 2024/1252, Art. 31, Annex V).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _options(
    debug: Annotated[bool, typer.Option("--debug", help="Show Python tracebacks of unexpected errors")] = False,
) -> None:
    _DEBUG["on"] = debug
    _route_warnings()


class _WarningLine(logging.Handler):
    """footprint's logged warnings (a damaged cache discarded, a folder not writable) as one line each."""

    def emit(self, record: logging.LogRecord) -> None:
        from .common import err_console

        from rich.markup import escape

        err_console.print(f"[bold yellow]warning:[/] {escape(record.getMessage())}", highlight=False, soft_wrap=True)


def _route_warnings() -> None:
    logger = logging.getLogger("footprint")
    if not any(isinstance(h, _WarningLine) for h in logger.handlers):
        logger.addHandler(_WarningLine(level=logging.WARNING))
        logger.propagate = False


def _mount() -> None:
    from . import background, classes, declare, export, imports, magnets, registry, signatures, study, workbench

    for group in (study.app, background.app):
        for command in group.registered_commands:
            app.registered_commands.append(command)
    app.command("declare")(declare.declare_command)
    app.command("verify")(declare.verify_command)
    app.command("uncertainty")(declare.uncertainty_command)
    app.command("sensitivity")(workbench.sensitivity_command)
    app.command("export")(export.export_command)
    app.add_typer(classes.app, name="classes", help="Performance classes (Annex V Part VIII): calibrate, assign, show, report.")
    background.background_app.command("import")(imports.background_import)
    app.add_typer(background.background_app, name="background")
    app.add_typer(imports.study_app, name="study")
    app.add_typer(magnets.app, name="magnets", help="Permanent magnets: Art. 29 recycled-content declaration and Art. 28 data record.")
    app.add_typer(signatures.keys_app, name="keys")
    app.command("verify-signature")(signatures.verify_signature_command)
    app.add_typer(registry.registry_app, name="registry")
    app.command("serve")(registry.serve_command)


_mount()

from .study import SCHEMAS, schema_of  # noqa: E402  (the schema table, for footprint schema --write and its test)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
