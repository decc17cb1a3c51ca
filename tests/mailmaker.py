"""Builders for test mail: real RFC 5322 bytes, written the way senders write them."""

from __future__ import annotations

from pathlib import Path

FROM_LINE = "From shop@example.com Thu Nov 20 14:{minute:02d}:00 2026"


def message(
    n: int = 1,
    *,
    subject: str = "Your cart is waiting",
    body: str = "You left something in your cart. Use code COMEBACK15 for 15% off.",
    sender: str = "Levi's <news@e.levi.com>",
    date: str | None = "Thu, 20 Nov 2026 14:03:00 +0000",
    message_id: str | None = "auto",
    extra_headers: str = "",
) -> bytes:
    """One plain-text message; `message_id="auto"` gives <n@example.com>."""
    lines = [f"From: {sender}", "To: shopper@example.org", f"Subject: {subject}"]
    if date is not None:
        lines.append(f"Date: {date}")
    if message_id == "auto":
        message_id = f"<{n}@example.com>"
    if message_id is not None:
        lines.append(f"Message-ID: {message_id}")
    lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8"]
    head = "\n".join(lines) + ("\n" + extra_headers.strip("\n") if extra_headers else "")
    return f"{head}\n\n{body}\n".encode()


def mbox(messages: list[bytes]) -> bytes:
    """An mboxrd file: From_ lines, ">From " escaping, a blank line after each message."""
    out = []
    for i, data in enumerate(messages):
        escaped = b"\n".join(
            b">" + line if line.lstrip(b">").startswith(b"From ") else line
            for line in data.split(b"\n")
        )
        if not escaped.endswith(b"\n"):
            escaped += b"\n"
        out.append(FROM_LINE.format(minute=i % 60).encode() + b"\n" + escaped + b"\n")
    return b"".join(out)


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
