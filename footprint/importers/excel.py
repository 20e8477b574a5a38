"""Brightway Excel workbooks (bw2io's ExcelImporter format) -> source datasets."""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

from ..errors import FootprintInputError
from ..files import read_bytes_bounded
from .bw2io_bridge import apply_strategies, to_source
from .records import SourceDatabase


def read_excel(path: Path | str) -> SourceDatabase:
    import bw2io

    read_bytes_bounded(path, what="workbook")
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            importer = bw2io.ExcelImporter(str(path))
    except FootprintInputError:
        raise
    except Exception as exc:  # bw2io and openpyxl raise many types on a file that is not a workbook
        raise FootprintInputError(f"not a Brightway Excel workbook: {type(exc).__name__}: {exc}", file=path) from None
    if not getattr(importer, "data", None):
        raise FootprintInputError("no activities found in the workbook", file=path)
    applied = apply_strategies(importer)
    return to_source(importer.data, path=str(path), format="excel", reader=f"bw2io {bw2io.__version__} ExcelImporter ({len(applied)} strategies)")
