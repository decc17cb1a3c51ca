"""A loopback proxy in front of a real IMAP server that changes what it says.

Some servers leave out what others send: Courier-IMAP's EXAMINE carries no
`[UIDNEXT n]`. `QuirkProxy(upstream_port, drop=...)` relays every byte both
ways between darkpool and a real server (Dovecot) and drops the server lines
that match `drop`, so a test gets a real server with exactly that quirk.
"""

from __future__ import annotations

import re
import socket
import threading

from services import free_port

COURIER_EXAMINE = re.compile(rb"^\* OK \[UIDNEXT \d+\]")


class QuirkProxy:
    """`with QuirkProxy(port, drop=COURIER_EXAMINE) as proxy:` connect to `proxy.port`."""

    def __init__(self, upstream_port: int, drop: re.Pattern[bytes], host: str = "127.0.0.1"):
        self.upstream = (host, upstream_port)
        self.drop = drop
        self.host, self.port = host, free_port()
        self.dropped = 0
        self._listener = socket.create_server((host, self.port))
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> QuirkProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            threading.Thread(target=self._pipe, args=(client, server), daemon=True).start()
            threading.Thread(target=self._filter, args=(server, client), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        """Client to server, unchanged."""
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                s.close()

    def _filter(self, src: socket.socket, dst: socket.socket) -> None:
        """Server to client, line by line, without the dropped lines.

        A literal's bytes may contain a line that matches; they are relayed
        without looking, by counting `{n}` announcements.
        """
        buffer, literal = b"", 0
        try:
            while data := src.recv(65536):
                buffer += data
                out = b""
                while buffer:
                    if literal:
                        take = buffer[:literal]
                        out, buffer, literal = out + take, buffer[len(take) :], literal - len(take)
                        continue
                    end = buffer.find(b"\r\n")
                    if end < 0:
                        break
                    line, buffer = buffer[: end + 2], buffer[end + 2 :]
                    if self.drop.match(line):
                        self.dropped += 1
                        continue
                    out += line
                    m = re.search(rb"\{(\d+)\}\r\n$", line)
                    literal = int(m.group(1)) if m else 0
                dst.sendall(out)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                s.close()
