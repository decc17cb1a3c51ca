"""A tiny OAuth2 token introspection endpoint (RFC 7662) on loopback.

Dovecot's oauth2 passdb (tests/services/dovecot.py, `oauth2_introspection=`)
POSTs `token=...` here for every XOAUTH2/OAUTHBEARER login and lets the user in
when the answer says `{"active": true, "username": ...}`: the SASL exchange is
Dovecot's own, only the token check is ours. `issue(user)` makes a token;
`revoke()` turns one off; `seen` lists the tokens that were checked.
"""

from __future__ import annotations

import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from services import free_port


class Introspection:
    """Start with `with Introspection() as idp:`; `idp.url` is the endpoint."""

    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}  # token -> username
        self.seen: list[str] = []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/introspect"
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                token = (form.get("token") or [""])[0]
                outer.seen.append(token)
                user = outer.tokens.get(token)
                body = json.dumps({"active": True, "username": user} if user else {"active": False})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args: object) -> None:  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def issue(self, user: str) -> str:
        token = "ya29." + secrets.token_urlsafe(32)  # shaped like a Google access token
        self.tokens[token] = user
        return token

    def revoke(self, token: str) -> None:
        self.tokens.pop(token, None)

    def __enter__(self) -> Introspection:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
