"""Web addresses footprint writes into declarations: one set of rules for every link.

A link a user gives (the operator's website, the public study's address, the registry's base
URL) becomes a clickable link on a public page, so only http(s) addresses are accepted — no
`javascript:` or `data:` URL, no white space, quotes or angle brackets; the public study may
also be a relative path (the study.html written beside the declaration). A declaration's
public address is `<registry base URL>/declarations/<id>`, the path the footprint registry
serves; the id is the address's last segment, so the one string names both.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .errors import FootprintInputError

DECLARATIONS_PATH = "declarations"
# RFC 3986 characters, less the quotes and angle brackets no address needs (they would only
# ever be a pasting slip, or an attempt to break out of an HTML attribute).
_URL_CHARACTERS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]+$")
MAX_URL_LENGTH = 2000


def web_url(url: str, *, field: str, allow_relative: bool = False, what: str = "address") -> str:
    """A checked http(s) address (or, with `allow_relative`, a relative path without a scheme)."""
    text = url.strip()
    if not text:
        raise FootprintInputError(f"the {what} is empty", field=field)
    if len(text) > MAX_URL_LENGTH:
        raise FootprintInputError(f"the {what} is {len(text):,} characters long; the limit is {MAX_URL_LENGTH:,}", field=field)
    if not _URL_CHARACTERS.match(text):
        raise FootprintInputError(f"the {what} {url!r} contains characters a URL cannot carry (white space, quotes, < or >)", field=field)
    parts = urlsplit(text)
    if parts.scheme in ("https", "http") and parts.netloc:
        return text
    if allow_relative and not parts.scheme and not parts.netloc and not text.startswith(("/", "\\")):
        return text
    allowed = "an http(s) address with a host" + (" or a relative path" if allow_relative else "")
    raise FootprintInputError(f"the {what} {url!r} is not {allowed} (no other scheme is linked from a public page)", field=field)


def registry_base(url: str, *, field: str = "registry_url") -> str:
    """A checked registry base URL (http or https, a host, no query or fragment), without a trailing slash."""
    text = web_url(url, field=field, what="registry URL")
    parts = urlsplit(text)
    if parts.query or parts.fragment:
        raise FootprintInputError(f"the registry URL {url!r} must not carry a query or fragment", field=field)
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
