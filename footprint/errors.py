"""Errors a user can act on: each names the file, the process and the field at fault."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


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

    def __reduce__(self):
        """Pickle with the file, process and field (errors come back from Dask workers whole)."""
        return (type(self), (self.message,), dict(self.__dict__))

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


def format_location(loc: tuple[object, ...] | list[object]) -> str:
    """A pydantic error location as a reader writes it: `inputs[2].amount` (positions from 1)."""
    text = ""
    for part in loc:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def from_validation_error(
    exc: "ValidationError",
    *,
    file: str | Path | None = None,
    raw: object = None,
    items: str | None = None,
    item_key: str = "id",
    prefix: tuple[object, ...] = (),
    error: type[FootprintInputError] = FootprintInputError,
    process: str | None = None,
    empty_field: str | None = None,
) -> FootprintInputError:
    """The first problem of a pydantic validation as one located error (the one formatter).

    With `items` (e.g. "processes"), an error inside the n-th item of that list names the item
    by its `item_key` from the raw data (or `#n`) and the field within it.
    """
    problems = exc.errors()
    first = problems[0]
    loc = (*prefix, *first["loc"])
    if items and len(loc) >= 2 and loc[0] == items and isinstance(loc[1], int):
        entry = None
        try:
            entry = raw[items][loc[1]].get(item_key)  # type: ignore[index]
        except (KeyError, IndexError, TypeError, AttributeError):
            pass
        process = str(entry) if entry else f"#{loc[1] + 1}"
        loc = loc[2:]
    message = first["msg"]
    if len(problems) > 1:
        message += f" (and {len(problems) - 1} more problem(s))"
    return error(message, file=file, process=process, field=format_location(loc) or empty_field)
