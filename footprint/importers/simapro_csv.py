"""SimaPro CSV exports -> source datasets, read by bw2io's SimaProCSVImporter.

bw2io's own strategies split SimaPro's multi-output processes by their allocation
percentages and normalise units; its SimaPro-to-ecoinvent name migrations need a project, so
elementary flows are matched by footprint's matcher (SimaPro uses ecoinvent-style names).
"""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

from ..errors import FootprintInputError
from ..files import read_bytes_bounded
from .bw2io_bridge import apply_strategies, to_source
from .records import SourceDatabase


def read_simapro_csv(path: Path | str) -> SourceDatabase:
    import bw2io

    data = read_bytes_bounded(path, what="SimaPro CSV file")
    head = data[:4096].decode("latin-1")
    if "SimaPro" not in head:
        raise FootprintInputError("not a SimaPro CSV export (its header names SimaPro on the first line)", file=path)
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            importer = bw2io.SimaProCSVImporter(str(path), name="simapro-import")
    except Exception as exc:  # bw2io raises plain exceptions on malformed files
        raise FootprintInputError(f"cannot read the SimaPro CSV: {type(exc).__name__}: {exc}", file=path) from None
    if not importer.data:
        raise FootprintInputError("no processes found in the SimaPro CSV", file=path)
    applied = apply_strategies(importer)
    return to_source(importer.data, path=str(path), format="simapro-csv", reader=f"bw2io {bw2io.__version__} SimaProCSVImporter ({len(applied)} strategies)")
