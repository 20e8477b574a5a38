"""The data carrier: where a declaration can be read, and the QR code that says so.

A printed label or delivery note carries a QR code a buyer scans to reach the declaration.
Its content is the declaration's public address, `<registry base URL>/declarations/<id>`,
the path the footprint registry serves; the id is the address's last segment, so the one
string names both. The address is fixed when the declaration is issued (the content hash
seals it). Without a registry base URL a declaration has no public address and footprint
draws no QR code rather than one that resolves nowhere (docs/export.md).

QR codes come from segno (ISO/IEC 18004), error correction level M (15 % of the code may be
damaged, soiled or torn and it still reads), at least 4 modules of quiet zone as the standard
asks.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..errors import FootprintInputError

DECLARATIONS_PATH = "declarations"
QR_ERROR_LEVEL = "m"
QR_QUIET_ZONE = 4
# RFC 3986 characters, less the quotes and angle brackets no address needs (they would only
# ever be a pasting slip, or an attempt to break out of an HTML attribute).
_URL_CHARACTERS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]+$")


def registry_base(url: str, *, field: str = "registry_url") -> str:
    """A checked registry base URL (http or https, a host, no query or fragment), without a trailing slash."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise FootprintInputError(f"the registry URL {url!r} is not an http(s) address with a host", field=field)
    if parts.query or parts.fragment:
        raise FootprintInputError(f"the registry URL {url!r} must not carry a query or fragment", field=field)
    if not _URL_CHARACTERS.match(text):
        raise FootprintInputError(f"the registry URL {url!r} contains characters a URL cannot carry (white space, quotes, < or >)", field=field)
    return text.rstrip("/")


def public_address(base_url: str, declaration_id: str) -> str:
    """`<base>/declarations/<declaration_id>`: where the registry publishes the declaration."""
    return f"{registry_base(base_url)}/{DECLARATIONS_PATH}/{declaration_id}"


def base_of(address: str | None, declaration_id: str) -> str | None:
    """The registry base URL a declared address was made from (the address itself when it does not
    end in `/declarations/<id>`, so that a rebuilt address differs and shows the inconsistency)."""
    if address is None:
        return None
    suffix = f"/{DECLARATIONS_PATH}/{declaration_id}"
    return address[: -len(suffix)] if address.endswith(suffix) else address


def qr_svg(text: str, *, title: str) -> str:
    """An inline SVG QR code of `text` (segno), for the declaration page."""
    import segno

    code = segno.make(text, error=QR_ERROR_LEVEL, micro=False)
    return code.svg_inline(scale=4, border=QR_QUIET_ZONE, title=title, dark="#000", light="#fff")

