"""Bring your own database: import openLCA JSON-LD, ecoSpold2, SimaPro CSV, Excel and ILCD.

`import_database` reads a source with the reader of its format (one module each), links it
with the one shared linker (`linking`), refuses it when something stays unlinked (unless
allowed), and writes it through `staging`: all of it or nothing, into footprint's own
Brightway project `footprint-imports` or a project the user names. A study then links to it
with `background = NAME` and `background_project = PROJECT`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from ..errors import FootprintInputError
from .archive import Limits, SourcePackage
from .linking import LinkReport, link_database
from .records import SourceDatabase
from .staging import IMPORT_PROJECT, PREVIOUS, STAGING, project_biosphere, staging_name, write_database

FORMATS = ("jsonld", "ecospold2", "simapro-csv", "excel", "ilcd")
RESERVED = ("biosphere3", "footprint-starter")


class UnlinkedError(FootprintInputError):
    """The source has items that link nowhere; the report says which (pass --allow-unlinked to accept the gap)."""

    def __init__(self, message: str, report: LinkReport, **where: object) -> None:
        super().__init__(message, **where)  # type: ignore[arg-type]
        self.report = report


def read_source(path: Path | str, format: str, limits: Limits | None = None) -> SourceDatabase:
    """Read a database export into source datasets, without touching any Brightway project."""
    path = Path(path)
    if format not in FORMATS:
        raise FootprintInputError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}", field="--format")
    if format == "jsonld":
        from .jsonld import read_jsonld

        with SourcePackage(path, limits=limits) as package:
            return read_jsonld(package)
    if format == "ilcd":
        from .ilcd import read_ilcd

        with SourcePackage(path, limits=limits) as package:
            return read_ilcd(package)
    if format == "ecospold2":
        from .ecospold2 import read_ecospold2

        with SourcePackage(path, limits=limits) as package:
            return read_ecospold2(package)
    if format == "simapro-csv":
        from .simapro_csv import read_simapro_csv

        return read_simapro_csv(path)
    from .excel import read_excel

    return read_excel(path)


def source_sha256(path: Path | str) -> str:
    """sha256 of the source file, or of a folder's files (names and bytes, sorted)."""
    from ..files import sha256_file, sha256_parts

    path = Path(path)
    if not path.is_dir():
        return sha256_file(path)

    def parts():
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            yield file.relative_to(path).as_posix().encode() + b"\0"
            with open(file, "rb") as stream:
                yield from iter(lambda: stream.read(1 << 20), b"")

    return sha256_parts(parts())


def check_database_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise FootprintInputError("the database name is empty", field="--name")
    if name in RESERVED or name.endswith(STAGING) or name.endswith(PREVIOUS):
        raise FootprintInputError(f"{name!r} is reserved; choose another database name", field="--name")
    return name


def import_database(
    path: Path | str,
    format: str,
    name: str,
    *,
    project: str = IMPORT_PROJECT,
    base_dir: Path | None = None,
    allow_unlinked: bool = False,
    limits: Limits | None = None,
    progress: Callable[[str], None] | None = None,
) -> LinkReport:
    """Import a database export into a Brightway project; returns the link report.

    Reads and links everything in memory first: bad input, and unlinked items without
    `allow_unlinked`, end here with nothing written anywhere.
    """
    from .flowmap import FlowMatcher, shipped_biosphere3

    say = progress or (lambda message: None)
    name = check_database_name(name)
    say(f"reading {path} ({format})")
    source = read_source(path, format, limits)
    if not source.datasets:
        raise FootprintInputError("the source holds no datasets", file=path)
    say(f"linking {len(source.datasets)} datasets")
    biosphere = project_biosphere(project, base_dir) or shipped_biosphere3()
    linked = link_database(source, staging_name(name), FlowMatcher(biosphere), source_sha256=source_sha256(path))
    report = linked.report.model_copy(update={"database": name, "allow_unlinked": allow_unlinked})
    if report.unlinked and not allow_unlinked:
        raise UnlinkedError(
            f"{report.technosphere_exchanges.unlinked:,} technosphere and {report.elementary_exchanges.unlinked:,} elementary "
            "exchanges link nowhere (see the report); nothing was written. Pass --allow-unlinked to import it anyway: every "
            "declaration that uses it will then list the gap",
            report,
            file=path,
        )
    metadata = {
        "description": f"imported by footprint from {Path(path).name} ({format})",
        "imported": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "report": report.model_dump(mode="json"),
        "gaps": report.gaps(),
    }
    say(f"writing {len(linked.records)} datasets into Brightway project {project!r} (staged, then swapped in)")
    write_database(linked, name, project, base_dir, metadata)
    return report


__all__ = ["FORMATS", "IMPORT_PROJECT", "LinkReport", "UnlinkedError", "import_database", "read_source"]
