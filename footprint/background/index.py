"""The starter background's index, kept beside its Brightway project: datasets, flows and the
layout of its matrices, so that a warm run links and solves a study without importing bw2data
(1-2 s of start-up).

The index is derived data: it carries a keyed checksum (the data folder's key) and the sha256
of every processed file of the project it describes. When the project is rebuilt or a file is
damaged, the hashes no longer match and the index is ignored (and rewritten from bw2data).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ..errors import FootprintInputError
from ..files import canonical_json, discard_file, keyed_sha256, parse_json_text, read_bytes_bounded, sha256_file, write_atomically
from ..paths import cache_key, data_subdir, writable

INDEX_VERSION = 1
logger = logging.getLogger(__name__)


def index_path(project: str) -> Path:
    return data_subdir("cache") / f"{project}.index.json"


def _mac(body: dict[str, Any]) -> str:
    return keyed_sha256(cache_key(), [canonical_json(body)])


def save_index(background: Any, files: dict[str, Path], layout_sha256: str) -> None:
    """Write the index of an opened starter background (`files`: its processed datapackages)."""
    try:
        folder = data_subdir("cache")
    except FootprintInputError:
        return
    if not writable(folder):
        return
    body = {
        "version": INDEX_VERSION,
        "project": background.project,
        "database": background.database,
        "sha256": background.sha256,
        "dependencies": list(background.dependencies),
        "layout_sha256": layout_sha256,
        "files": {str(path): sha256_file(path) for path in files.values()},
        "datasets": [
            [d.id, d.database, d.code, d.name, d.location, d.unit, d.reference_product] for d in background.datasets.values()
        ],
        "biosphere": [[database, code, node, unit] for (database, code), (node, unit) in background.biosphere_by_key.items()],
        "biosphere_names": [[name, list(categories), node, unit] for (name, categories), (node, unit) in background.biosphere_by_name.items()],
    }
    try:
        write_atomically(index_path(background.project), canonical_json({"body": body, "mac": _mac(body)}).decode("utf-8"))
    except FootprintInputError as exc:
        logger.warning("the background index is not cached: %s", exc)


def load_index(project: str, sha256: str) -> dict[str, Any] | None:
    """The index body of `project` if it is intact and its project's files are unchanged; else None."""
    try:
        path = index_path(project)
    except FootprintInputError:
        return None
    if not path.is_file():
        return None
    try:
        doc = parse_json_text(read_bytes_bounded(path, what="background index").decode("utf-8"), path=path, what="background index")
        body = doc["body"]
        intact = (
            doc["mac"] == _mac(body)
            and body["version"] == INDEX_VERSION
            and body["project"] == project
            and body["sha256"] == sha256
            and all(Path(file).is_file() and sha256_file(file) == digest for file, digest in body["files"].items())
        )
    except (FootprintInputError, KeyError, TypeError, ValueError, OSError):
        intact = False
    if not intact:
        discard_file(path)
        return None
    return body
