"""Where footprint finds its shipped data and keeps its Brightway project.

The data folders (`methods/`, `inventories/`, `classes/`) sit at the top of the source tree;
an installed wheel carries them as `footprint/_data/<folder>`. This module is the one place
that knows both layouts.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent

ENV_DATA_DIR = "FOOTPRINT_DATA_DIR"


def shipped(folder: str) -> Path:
    """Return the shipped data folder `methods`, `inventories` or `classes`."""
    for candidate in (_PACKAGE_DIR / "_data" / folder, _PACKAGE_DIR.parent / folder):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"footprint's shipped data folder {folder!r} is missing from the installation")


def user_data_dir() -> Path:
    """Per-user folder for footprint's own Brightway project and caches.

    Set FOOTPRINT_DATA_DIR to move it. It is never the user's own Brightway directory, so
    footprint cannot write into their other projects.
    """
    configured = os.environ.get(ENV_DATA_DIR)
    if configured:
        path = Path(configured).expanduser()
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir("footprint", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path
