"""The two pages people read: the Art. 29 declaration and the Art. 28 data record (with its QR code).

Each page is rendered from its JSON record alone (so `verify` can tell a page that no longer
shows its record), self-contained (inline CSS and SVG, no scripts, no external assets) and
autoescaped: every text a maker wrote is shown as text. Every share carries its exact value in
a data-share attribute; the figure shown is that value rounded to the rules' decimals.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from footprint.declaration import format_value
from footprint.declaration.carrier import qr_svg as carrier_qr_svg

from .records import MagnetDataRecord, RecycledContentDeclaration


def percent(share: float | None, decimals: int = 1) -> str:
    """A share for people: per cent with the rules' decimals ('not present' where there is none)."""
    if share is None:
        return "not present"
    return f"{100 * share:.{decimals}f} %"


def qr_svg(payload: str) -> str:
    """The data carrier of a record: the declarations' QR code (`footprint.declaration.carrier`)."""
    return carrier_qr_svg(payload, title="QR code of this record's address", scale=5, svgclass="qr")


@lru_cache(maxsize=1)
def templates() -> Any:
    """The pages' jinja2 environment (autoescaped, with their filters), built once."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).resolve().parent / "templates")),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters.update(value=format_value, percent=percent, exact=lambda v: repr(float(v)), sentence=lambda s: s[:1].upper() + s[1:])
    return env


def render_declaration_html(declaration: RecycledContentDeclaration) -> str:
    """recycled-content.html: the Art. 29 shares for customers (Art. 29(1), (5))."""
    return templates().get_template("recycled-content.html").render(**declaration_page_context(declaration))


def declaration_page_context(declaration: RecycledContentDeclaration) -> dict[str, Any]:
    """What recycled-content.html renders (a page that extends it, such as the registry's, renders the same)."""
    return {"d": declaration}


def render_record_html(record: MagnetDataRecord) -> str:
    """data-record.html: what the data carrier gives access to (Art. 28(4)), with the QR code."""
    return templates().get_template("data-record.html").render(**record_page_context(record))


def record_page_context(record: MagnetDataRecord) -> dict[str, Any]:
    """What data-record.html renders, the QR code of the record's data carrier included."""
    from markupsafe import Markup

    return {"r": record, "qr": Markup(qr_svg(record.data_carrier.payload))}
