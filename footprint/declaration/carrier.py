"""The data carrier: the QR code a printed label or delivery note carries to a declaration.

Its content is the declaration's public address (`footprint.links.public_address`). Without a
registry base URL a declaration has no public address and footprint draws no QR code rather
than one that resolves nowhere (docs/export.md). QR codes come from segno (ISO/IEC 18004),
error correction level M (15 % of the code may be damaged, soiled or torn and it still
reads), at least 4 modules of quiet zone as the standard asks.
"""

from __future__ import annotations

QR_ERROR_LEVEL = "m"
QR_QUIET_ZONE = 4


def qr_svg(text: str, *, title: str, scale: int = 4, svgclass: str | None = None) -> str:
    """An inline SVG QR code of `text` (segno), with a title for screen readers (every page's data carrier)."""
    import segno

    code = segno.make(text, error=QR_ERROR_LEVEL, micro=False)
    return code.svg_inline(scale=scale, border=QR_QUIET_ZONE, title=title, dark="#000", light="#fff", svgclass=svgclass)

