"""Bring your own model: studies from and to openLCA JSON-LD, ecoSpold2, SimaPro CSV and Excel.

- `import_study`: a producer's model -> a raw study (placeholders where the source cannot
  know a value), written as TOML by `footprint study import`;
- `excel.template` / `excel.export_excel`: the spreadsheet a producer fills, or a study in it;
- `jsonld_export.export_jsonld`: a study as an openLCA JSON-LD package.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import FootprintInputError

STUDY_FORMATS = ("jsonld", "ecospold2", "simapro-csv", "excel")
EXPORT_FORMATS = ("jsonld", "excel")


def import_study(
    path: Path | str,
    format: str,
    *,
    product: str | None = None,
    background: Any | None = None,
    material: str | None = None,
) -> dict[str, Any]:
    """The raw study a model file holds (see `from_source`); nothing is written."""
    if format not in STUDY_FORMATS:
        raise FootprintInputError(f"unknown format {format!r}; choose one of {', '.join(STUDY_FORMATS)}", field="--format")
    if format == "excel":
        from .excel import read_excel_study

        raw = read_excel_study(path)
        if material and raw.get("material", "").startswith("TO-FILL"):
            raw["material"] = material
        return raw
    from ..importers import read_source
    from ..importers.archive import SourcePackage
    from ..importers.flowmap import FlowMatcher, shipped_biosphere3
    from .from_source import study_from_source
    from .jsonld_export import SIDECAR

    source = read_source(path, format)
    sidecar = None
    if format == "jsonld":
        with SourcePackage(path) as package:
            found = [name for name in package.names() if name.endswith(SIDECAR)]
            if found:
                sidecar = json.loads(package.text(found[0]))
    return study_from_source(
        source, product=product, background=background, matcher=FlowMatcher(shipped_biosphere3()), sidecar=sidecar, material=material
    )


def export_study(study: Any, path: Path | str, format: str) -> None:
    if format not in EXPORT_FORMATS:
        raise FootprintInputError(f"unknown export format {format!r}; choose one of {', '.join(EXPORT_FORMATS)}", field="--format")
    if format == "excel":
        from .excel import export_excel

        export_excel(study, path)
    else:
        from .jsonld_export import export_jsonld

        export_jsonld(study, path)
