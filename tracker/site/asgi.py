"""The public site as an ASGI app: Streamlit's pages behind darkpool's own headers.

`darkpool site` runs `streamlit run` on this file, not on app.py, so every
response carries the security headers a public site should send and
Streamlit's `/_stcore/metrics` endpoint (session counts, memory, cache sizes:
nothing a visitor needs) answers 404. Streamlit finds the `app = App(...)`
assignment below by reading this file's source, so it must stay a plain
module-level assignment.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.middleware import Middleware
from streamlit.starlette import App

from tracker.site.serve import app_path

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Streamlit's front end needs inline styles, `eval` (Vega charts) and its own
# websocket; nothing is loaded from another origin, and no page may frame it.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self' ws: wss:",
        "worker-src 'self' blob:",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    )
)

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
)

HIDDEN_PATHS = ("/_stcore/metrics",)


class SecurityHeaders:
    """Pure ASGI middleware: add SECURITY_HEADERS, refuse HIDDEN_PATHS with 404."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"].rstrip("/").endswith(HIDDEN_PATHS):
            await send(
                {
                    "type": "http.response.start",
                    "status": 404,
                    "headers": [(b"content-type", b"text/plain"), *SECURITY_HEADERS],
                }
            )
            await send({"type": "http.response.body", "body": b"not found\n"})
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


app = App(str(app_path()), middleware=[Middleware(SecurityHeaders)])
