"""`footprint export`: a declaration in a buyer's format (PACT v2.3 / v3.0 JSON, ILCD 1.1 zip).

A command function for `footprint.cli` to register (`app.command("export")(export_command)`);
the work is `footprint.export.build.export`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import console, fail, output_path, quiet_brightway


def export_command(
    declaration: Annotated[Path, typer.Argument(help="declaration.json, or the folder holding it (with results.json beside it)")],
    format: Annotated[str, typer.Option("--format", "-f", help="pact-v2 (PACT 2.3 JSON), pact-v3 (PACT 3.0 JSON) or ilcd (ILCD 1.1 zip)")],
    out: Annotated[Path, typer.Option("--out", "-o", parser=output_path, help="File to write")],
    study: Annotated[Path, typer.Option("--study", "-s", help="The study (TOML) the declaration was computed from: one solve gives the inventory and the climate split")],
    cpc: Annotated[Optional[str], typer.Option("--cpc", help="UN CPC Ver. 2.1 code of the product (PACT 2.3 productCategoryCpc), if the material's plugin gives none")] = None,
    company_id: Annotated[Optional[list[str]], typer.Option("--company-id", help="The data owner's identifier as a URN (LEI, DUNS...); repeatable")] = None,
    brightway_dir: Annotated[Optional[Path], typer.Option(help="Brightway directory of a user background")] = None,
) -> None:
    """Export a declaration for buyers: PACT product footprint (v2.3, v3.0) or an ILCD process dataset."""
    from ..errors import FootprintError

    try:
        with quiet_brightway():
            from ..export.build import export

            path = export(declaration, format, out, study=study, cpc_code=cpc, company_id=company_id, brightway_dir=brightway_dir)
    except FootprintError as exc:
        fail(exc)
    console.print(f"wrote {path}")
