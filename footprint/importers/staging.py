"""Writing an imported database into a Brightway project: staged, swapped in whole, or not at all.

The linked records are written under a staging name; only when that write is complete does
the staging database take the target name (an older database of that name is moved aside
first and dropped last). Any failure undoes every step, including a project or a biosphere3
that this import created, so a failed import leaves every project as it was.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

from ..background import bw2data_in
from .flowmap import BiosphereFlow
from .linking import BIOSPHERE, LinkedDatabase

IMPORT_PROJECT = "footprint-imports"
STAGING = " (footprint import staging)"
PREVIOUS = " (footprint import previous)"


def staging_name(name: str) -> str:
    return name + STAGING


def project_biosphere(project: str, base_dir: Path | None) -> list[BiosphereFlow] | None:
    """The target project's own biosphere3, read only, when it has one (its flows win)."""
    from ..units import normalise_spelling

    bd = bw2data_in(base_dir)
    if project not in bd.projects:
        return None
    bd.projects.set_current(project, writable=False, update=False)
    if BIOSPHERE not in bd.databases:
        return None
    return [
        BiosphereFlow(
            code=node["code"], name=node["name"], categories=tuple(node.get("categories") or ()),
            unit=normalise_spelling(node.get("unit", "")),
        )
        for node in bd.Database(BIOSPHERE)
    ]


def write_database(linked: LinkedDatabase, name: str, project: str, base_dir: Path | None, metadata: dict[str, Any]) -> None:
    """Write `linked` (records keyed by the staging name) as database `name` of `project`."""
    bd = bw2data_in(base_dir)
    created_project = project not in bd.projects
    bd.projects.set_current(project, update=False)
    created_biosphere = False
    staging, previous = staging_name(name), name + PREVIOUS
    moved_aside = False
    try:
        if linked.uses_biosphere and BIOSPHERE not in bd.databases:
            import bw2io

            with contextlib.redirect_stdout(io.StringIO()):
                bw2io.create_default_biosphere3()
            created_biosphere = True
        for leftover in (staging, previous):
            if leftover in bd.databases:
                del bd.databases[leftover]
        database = bd.Database(staging)
        database.register(description=metadata.get("description", ""), footprint_import=metadata)
        with contextlib.redirect_stdout(io.StringIO()):
            database.write(linked.records)
        if name in bd.databases:
            bd.Database(name).rename(previous)
            moved_aside = True
        bd.Database(staging).rename(name)
        if moved_aside:
            del bd.databases[previous]
            moved_aside = False
    except BaseException:
        _undo(bd, name, staging, previous, moved_aside, created_biosphere, created_project, project)
        raise


def _undo(bd: Any, name: str, staging: str, previous: str, moved_aside: bool, created_biosphere: bool, created_project: bool, project: str) -> None:
    with contextlib.suppress(Exception):
        if staging in bd.databases:
            del bd.databases[staging]
    with contextlib.suppress(Exception):
        if moved_aside and previous in bd.databases:
            if name in bd.databases:
                del bd.databases[name]
            bd.Database(previous).rename(name)
    with contextlib.suppress(Exception):
        if created_biosphere and BIOSPHERE in bd.databases:
            del bd.databases[BIOSPHERE]
    if created_project:
        with contextlib.suppress(Exception):
            bd.projects.delete_project(project, delete_dir=True)
