"""The headers every registry response carries: a Content-Security-Policy that lets no script run,
nosniff, no referrer, no framing. The public study, the producer's own page, gets a sandboxing
policy of its own (no scripts, no forms, an opaque origin)."""

from __future__ import annotations

from typing import Any

CSP = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
# The public study is the producer's page: sandboxed (no scripts, no forms, its own origin).
STUDY_CSP = "sandbox allow-popups allow-top-navigation-by-user-activation; default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


class SecurityHeaders:
    """The Content-Security-Policy (unless a route set its own), nosniff, no-referrer, no framing; plain ASGI."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if b"content-security-policy" not in {name.lower() for name, _ in headers}:
                    headers.append((b"content-security-policy", CSP.encode()))
                headers += [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
