"""Errors a user can act on: each names the file, the process and the field at fault."""

from __future__ import annotations

from pathlib import Path


class FootprintError(Exception):
    """Base class: every footprint failure the CLI turns into a clear message and exit code."""

    exit_code = 1


class FootprintInputError(FootprintError):
    """Bad input: a study, background or class file that must not produce a declaration."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        process: str | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.process = process
        self.field = field
        super().__init__(self.__str__())

    def located(self, *, file: str | Path | None = None, process: str | None = None) -> "FootprintInputError":
        """Return the same error with the file (and process) filled in where unknown."""
        return type(self)(
            self.message,
            file=self.file or (str(file) if file is not None else None),
            process=self.process or process,
            field=self.field,
        )

    def _where(self) -> list[str]:
        """The location parts of the message, most general first."""
        where = []
        if self.file:
            where.append(f"file {self.file}")
        if self.process:
            where.append(f"process {self.process!r}")
        if self.field:
            where.append(f"field {self.field!r}")
        return where

    def __str__(self) -> str:
        prefix = ", ".join(self._where())
        return f"{prefix}: {self.message}" if prefix else self.message


class BoundaryError(FootprintInputError):
    """A study breaks an Annex V Part IV system-boundary rule."""


class LinkError(FootprintInputError):
    """An exchange links to no dataset, or to several."""


class CalculationError(FootprintInputError):
    """The linked system cannot be solved (singular, or a process that makes less than it uses).

    It comes from the study's numbers, so it names the file, process and field like any other
    input error; its own exit code tells a solver failure from a validation failure.
    """

    exit_code = 3
