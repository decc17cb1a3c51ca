"""A small loopback HTTP server for tests: routes are plain functions.

A route takes the request path and returns a `Reply` (status, headers, body);
a body may be bytes or an iterable of byte chunks (sent chunked, for pages
whose size the server does not announce). Every requested path is recorded,
so tests can assert what a crawler fetched and what it never touched.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)


def html(text: str, status: int = 200) -> Reply:
    return Reply(status, text.encode(), {"Content-Type": "text/html; charset=utf-8"})


Route = Callable[[str], Reply]


class LoopbackServer:
    """A threaded server on `host` (127.0.0.1 or another loopback address).

    `routes` maps a path (without query) to a route; a path ending in "*" matches
    by prefix. Unknown paths get 404, "/robots.txt" is empty (allow all).
    """

    def __init__(self, routes: dict[str, Route], host: str = "127.0.0.1", port: int = 0):
        self.routes = routes
        self.requested: list[str] = []
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self._server.server_address[0]}:{self.port}"

    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def find(self, path: str) -> Route | None:
        if path in self.routes:
            return self.routes[path]
        for key, route in self.routes.items():
            if key.endswith("*") and path.startswith(key[:-1]):
                return route
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                path = self.path.split("?", 1)[0]
                with server.lock:
                    server.requested.append(path)
                route = server.find(path)
                if route is not None:
                    reply = route(path)
                elif path == "/robots.txt":
                    reply = Reply(200, b"", {"Content-Type": "text/plain"})
                else:
                    reply = html("<html><body>Not found</body></html>", 404)
                self._send(reply)  # a client giving up mid-body is caught in handle()

            def _send(self, reply: Reply) -> None:
                self.send_response(reply.status)
                headers = {"Content-Type": "text/html; charset=utf-8", **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                if isinstance(reply.body, bytes):
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                    return
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for chunk in reply.body:
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")

            def handle(self) -> None:
                # a client that hangs up (size limits, timeouts) is not a server error
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    super().handle()

            def log_message(self, *args) -> None:
                pass

        return Handler
