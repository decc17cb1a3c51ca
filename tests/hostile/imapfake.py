"""Tiny hostile IMAP servers on loopback, for the secrets tests.

`EchoServer` greets, then answers LOGIN (or AUTHENTICATE PLAIN) with NO
and echoes the whole command (or the base64 credentials) back (what a careless or malicious server may do), so the
client's error message would carry the password if it did not scrub it.
`SilentServer` accepts and never says a word, so a `darkpool sync` process
stays alive, connected and holding the password while the test looks at it
from outside (/proc, ps).
"""

from __future__ import annotations

import socket
import threading


class _Server:
    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.connected = threading.Event()
        self.received: list[bytes] = []
        self._conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self._conns.append(conn)
            self.connected.set()
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.sock.close()
        for conn in self._conns:
            conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class EchoServer(_Server):
    def serve(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rb") as lines:
            conn.sendall(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] echo ready\r\n")
            for line in lines:
                self.received.append(line)
                tag, _, rest = line.partition(b" ")
                if rest.upper().startswith(b"CAPABILITY"):
                    conn.sendall(b"* CAPABILITY IMAP4rev1\r\n" + tag + b" OK done\r\n")
                elif rest.upper().startswith(b"AUTHENTICATE"):
                    conn.sendall(b"+ \r\n")
                    blob = lines.readline()
                    self.received.append(blob)
                    echo = line.rstrip(b"\r\n") + b" " + blob.rstrip(b"\r\n")
                    conn.sendall(tag + b" NO [AUTHENTICATIONFAILED] refused: " + echo + b"\r\n")
                elif rest.upper().startswith(b"LOGIN"):
                    echo = line.rstrip(b"\r\n")
                    conn.sendall(tag + b" NO [AUTHENTICATIONFAILED] refused: " + echo + b"\r\n")
                elif rest.upper().startswith(b"LOGOUT"):
                    conn.sendall(b"* BYE\r\n" + tag + b" OK bye\r\n")
                    return
                else:
                    conn.sendall(tag + b" BAD " + line.rstrip(b"\r\n") + b"\r\n")


class SilentServer(_Server):
    def serve(self, conn: socket.socket) -> None:
        try:
            while conn.recv(4096):
                pass
        except OSError:
            pass
