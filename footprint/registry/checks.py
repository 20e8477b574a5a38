"""What the registry refuses, before anything is stored: each refusal names the field and why.

Text. Every text a user sends (every string in a declaration or statement, a withdrawal
reason, an operator name, a search term) is plain text: no HTML markup, no control
characters, and no fragment of an SQL statement. Safety does not rest on this refusal:
every query binds its values as parameters and every page escapes what it prints; the
refusal exists so that an attempt is answered with a 4xx and never stored. The SQL patterns
are deliberately narrow (a quote or semicolon followed by a comment, `UNION SELECT`,
`; DROP ...`, `' OR 1=1`, ...), so that names such as "O'Brien Mining" pass.

URLs. A web address in a declaration is checked by `footprint.links.web_url`, footprint's one
set of URL rules: http(s) (or the relative `study.html`), never `javascript:` or `data:`. A
declaration's public address, when it has one, must be this registry's address for its id.

The public study. `study.html` is shown as the producer made it, so it must be a footprint
public study of this declaration and carry no active content: no script, frame, object,
form, event-handler attribute or script URL. It is also served with a sandboxing
Content-Security-Policy, so a page that slipped past these checks still could not run.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from footprint.errors import FootprintInputError
from footprint.links import public_address, web_url


class Refusal(FootprintInputError):
    """A request the registry refuses, with the HTTP status that says why."""

    status = 422

    def __init__(self, message: str, *, field: str | None = None, status: int | None = None) -> None:
        super().__init__(message, field=field)
        if status is not None:
            self.status = status


def refuse(status: int, message: str, field: str | None = None) -> Refusal:
    return Refusal(message, field=field, status=status)


_MARKUP = re.compile(r"<\s*[A-Za-z!/?]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SQL = re.compile(
    r"""['"`;)]\s*(--|/\*)"""                         # a quote, semicolon or bracket closed, then a comment
    r"""|/\*.*\*/"""                                   # a block comment
    r"""|\bunion\s+(all\s+)?select\b"""
    r"""|;\s*(select|insert|update|delete|drop|alter|create|truncate|exec|execute|grant|attach|pragma)\b"""
    r"""|\b(drop|truncate|alter)\s+(table|database|schema|index|view)\b"""
    r"""|\bdelete\s+from\b|\binsert\s+into\b"""
    r"""|['"]\s*(or|and)\s+['"]?\w+['"]?\s*(=|<|>|\blike\b)"""  # ' or 1=1, " or "a"="a
    r"""|\b(pg_sleep|sleep|benchmark)\s*\(|\bwaitfor\s+delay\b""",
    re.IGNORECASE | re.DOTALL,
)


def text_problem(text: str) -> str | None:
    """Why a text is not plain text, or None."""
    if _CONTROL.search(text):
        return "contains a control character"
    if _MARKUP.search(text):
        return "contains HTML markup (a declaration's texts are plain text)"
    if _SQL.search(text):
        return "contains what looks like an SQL statement or comment"
    return None


def plain_text(text: str, *, field: str, max_length: int = 10_000) -> str:
    """`text` if it is plain text of at most `max_length` characters, else a 422 naming `field`."""
    if not isinstance(text, str):
        raise Refusal("must be text", field=field)
    if len(text) > max_length:
        raise Refusal(f"is {len(text):,} characters long; the limit is {max_length:,}", field=field)
    problem = text_problem(text)
    if problem:
        raise Refusal(problem, field=field)
    return text


def check_texts(value: Any, path: str) -> None:
    """Every string (and object key) inside a parsed JSON value is plain text."""
    if isinstance(value, str):
        plain_text(value, field=path)
    elif isinstance(value, dict):
        for key, item in value.items():
            plain_text(str(key), field=f"{path}.{key}" if path else str(key))
            check_texts(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            check_texts(item, f"{path}[{i}]")


def check_web_address(url: str | None, *, field: str, relative_allowed: tuple[str, ...] = ()) -> None:
    """An http(s) address by footprint's URL rules (`footprint.links.web_url`), or one of the relative names allowed."""
    if url is None or url in relative_allowed:
        return
    try:
        web_url(url, field=field)
    except FootprintInputError as exc:
        raise Refusal(exc.message, field=field) from None


def check_public_address(address: str | None, declaration_id: str, registry_url: str, *, field: str = "declaration.public_address") -> None:
    """A declaration's public address, when it has one, is where this registry publishes it:
    `<registry>/declarations/<id>` (its QR code would otherwise send a reader elsewhere)."""
    if address is None:
        return
    expected = public_address(registry_url, declaration_id)
    if address.rstrip("/") != expected:
        raise Refusal(
            f"the declaration's public address {address!r} is not this registry's address for it ({expected}); "
            "declare it again with --registry-url set to this registry, or without one",
            field=field, status=422,
        )


# --- the public study ------------------------------------------------------------------------

_ACTIVE_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input", "button", "textarea",
    "select", "base", "link", "meta", "portal", "foreignobject", "animate", "set", "animatemotion", "animatetransform",
    "use", "image", "audio", "video", "source", "track", "noscript", "template", "slot", "math",
}
_ALLOWED_META = {"charset", "name", "content"}
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "srcset", "background", "cite", "data"}
_URL_SCHEMES = ("http", "https", "mailto")
_CSS_DANGER = re.compile(r"url\s*\(|@import|expression\s*\(|javascript:|behavior\s*:", re.IGNORECASE)


class _StudyScanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problem: str | None = None
        self.declaration_ids: list[str] = []
        self._in_id = False
        self._in_style = False

    def _flag(self, problem: str) -> None:
        self.problem = self.problem or problem

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        names = {name.lower() for name, _ in attrs}
        if tag == "meta" and names <= _ALLOWED_META:
            pass
        elif tag in _ACTIVE_TAGS:
            self._flag(f"has a <{tag}> element")
        for name, value in attrs:
            name, value = name.lower(), value or ""
            if name.startswith("on"):
                self._flag(f"has an event-handler attribute {name}")
            elif name in _URL_ATTRIBUTES:
                scheme = urlsplit(value.strip()).scheme.lower()
                if scheme and scheme not in _URL_SCHEMES:
                    self._flag(f"links to a {scheme}: address")
            elif name == "style" and _CSS_DANGER.search(value):
                self._flag("has a style attribute that loads or runs something")
        self._in_id = ("data-role", "declaration-id") in [(n.lower(), v) for n, v in attrs]
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_id = False
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_id:
            self.declaration_ids.append(data.strip())
        if self._in_style and _CSS_DANGER.search(data):
            self._flag("has a style sheet that loads or runs something")

    def handle_pi(self, data: str) -> None:
        self._flag("has a processing instruction")


def check_public_study(html: str, declaration_id: str, *, field: str = "study_html") -> None:
    """Refuse a public study that is empty, active, or about another declaration."""
    if not html.strip():
        raise Refusal("the public study (Art. 31(7)(f)) is missing: attach study.html", field=field)
    if _CONTROL.search(html):
        raise Refusal("the public study contains a control character", field=field)
    scanner = _StudyScanner()
    scanner.feed(html)
    scanner.close()
    if scanner.problem:
        raise Refusal(f"the public study {scanner.problem}; a public study is a page to read, with no active content", field=field)
    if declaration_id not in scanner.declaration_ids:
        raise Refusal(
            f"the public study is not the one of declaration {declaration_id} (footprint's study.html names its declaration)", field=field
        )
