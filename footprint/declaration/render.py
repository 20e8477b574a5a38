"""The declaration for people: declaration.html (Art. 31(10): easy to understand).

Numbers are rounded only here (three significant digits); each element carries the exact
value in its data-value attribute, and the page embeds the declaration JSON.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..classes.colours import class_colours, ink
from ..files import write_atomically
from .build import declaration_json, seal
from .carrier import qr_svg
from .model import Declaration, DeclaredCategory

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def format_value(value: float, digits: int = 3) -> str:
    """A result for people: `digits` significant digits; powers of ten outside 0.001..999 999.

    This is the only rounding on the pages; the exact value is in each element's data-value.
    """
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e6:
        text = f"{value:.{digits}g}"
        if "e" in text:  # e.g. 1e+03 for 999.6 rounded
            text = f"{value:.0f}"
        return text
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def format_share(share: float) -> str:
    return f"{100 * share:.1f} %"


def stage_chart(category: DeclaredCategory, stages: list[str], width: int = 420, bar: int = 24) -> dict[str, Any]:
    """Geometry of a horizontal bar chart by stage (negative values go left of the zero line)."""
    values = [category.by_stage.get(stage, 0.0) for stage in stages]
    low, high = min(0.0, *values), max(0.0, *values)
    span = (high - low) or 1.0
    label_w, value_w = 118, 80
    plot = width - label_w - value_w
    zero = label_w + plot * (-low / span)
    rows = []
    for i, (stage, value) in enumerate(zip(stages, values)):
        length = plot * abs(value) / span
        rows.append(
            {
                "stage": stage,
                "value": value,
                "text": format_value(value),
                "y": 10 + i * (bar + 12),
                "x": zero if value >= 0 else zero - length,
                "w": max(length, 0.5 if value else 0.0),
                "share": (value / category.value) if category.value else 0.0,
            }
        )
    height = 20 + len(stages) * (bar + 12)
    return {"width": width, "height": height, "bar": bar, "zero": zero, "label_w": label_w, "value_x": label_w + plot + 8, "rows": rows}


@lru_cache(maxsize=1)
def templates() -> Any:
    """The jinja2 environment of footprint's pages (autoescaped), built once."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).resolve().parent / "templates")),
        autoescape=jinja2.select_autoescape(["html", "xml"], default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["value"] = format_value
    env.filters["share"] = format_share
    env.filters["exact"] = lambda v: repr(float(v))
    return env


def render_declaration_html(declaration: Declaration) -> str:
    """declaration.html: one self-contained page for buyers (Art. 31(10))."""
    return templates().get_template("declaration.html").render(**declaration_page_context(declaration))


def declaration_page_context(declaration: Declaration) -> dict[str, Any]:
    """What declaration.html renders (a page that extends it, such as the registry's, renders the same)."""
    pc = declaration.performance_class
    scale = []
    table = pc.table
    colours = class_colours(len(pc.scale))
    for i, letter in enumerate(pc.scale):
        if table:
            lower = table.thresholds[i - 1] if i > 0 else None
            upper = table.thresholds[i] if i < len(table.thresholds) else None
            if lower is None:
                band = f"≤ {format_value(upper)}"
            elif upper is None:
                band = f"> {format_value(lower)}"
            else:
                band = f"{format_value(lower)} – {format_value(upper)}"
        else:
            band = ""
        colour = colours[i]
        scale.append(
            {
                "letter": letter,
                "band": band,
                "colour": colour,
                "ink": ink(colour) if pc.table else "#ffffff",
                "width": 38 + 9 * i,
                "current": pc.assigned and letter == pc.label,
            }
        )
    headline = declaration.headline
    return {
        "d": declaration,
        "headline": headline,
        "chart": stage_chart(headline, declaration.footprint.stages),
        "scale": scale,
        "json_text": declaration_json_for_html(declaration),
        "qr": qr_svg(declaration.public_address, title=f"QR code: {declaration.public_address}") if declaration.public_address else None,
    }


def declaration_json_for_html(declaration: Declaration) -> str:
    """The declaration JSON to embed in the page (safe inside a <script> element)."""
    data = json.loads(declaration.model_dump_json())
    return json.dumps(data, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def write_declaration(declaration: Declaration, out_dir: Path | str) -> list[Path]:
    """Write declaration.json and declaration.html atomically; return their paths."""
    out_dir = Path(out_dir)
    declaration = seal(declaration)
    json_path, html_path = out_dir / "declaration.json", out_dir / "declaration.html"
    write_atomically(json_path, declaration_json(declaration))
    write_atomically(html_path, render_declaration_html(declaration))
    return [json_path, html_path]
