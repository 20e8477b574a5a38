"""Downstream formats of a declaration: PACT v2.3 and v3.0 product footprints, an ILCD 1.1
process dataset, and the data carrier (QR code) of the declaration page.

Buyers take a CRM supplier's footprint into their own calculation (Annex V Part V(b),
Art. 31(9)): through the WBCSD PACT data model (`pact_v2`, `pact_v3`), or as an aggregated
process dataset for LCA software (`ilcd`). Everything comes from the declaration, its
results.json and one solve of the study on the same engine (`inventory`); `build` maps them.

    from footprint.export import export_declaration
    export_declaration("out/lithium", "pact-v3", "lithium.pact.json", study="study.toml")

The modules import heavy libraries lazily, so importing this package is cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

FORMATS = ("pact-v2", "pact-v3", "ilcd")


def export_declaration(declaration: Path | str, fmt: str, out: Path | str, *, study: Path | str, **options: Any) -> Path:
    """Write the declaration in a downstream format to `out`; see `footprint.export.build.export`."""
    from .build import export

    return export(declaration, fmt, out, study=study, **options)


__all__ = ["FORMATS", "export_declaration"]
