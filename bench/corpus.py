"""The benches' deterministic mail corpus: demo mail plus what real mailboxes add.

Built on the demo generator (`tracker.demo.generate.iter_mail`: retailers,
cart sequences with reminders and offer ladders, browse, promotion, order and
personal mail) and mixed, message by message from one seeded generator, with:

- copies of the labelled corpus in tests/fixtures/mail (five languages, ESP
  headers, html-only and text-only, multipart/related and mixed with PDFs,
  base64 / quoted-printable / 8bit, odd and wrong charsets, look-alikes such as
  account notices and survey mails), each with a fresh Message-ID;
- look-alikes written here: mail that talks about carts and discounts but is
  not a retailer chasing a cart (a friend's golf-cart rental, a marketing
  newsletter about cart abandonment, a food co-op's order-cart notice);
- more personal mail (the demo's friends), so triage and classify see it;
- demo mail re-packed as other real MIME shapes: html only, base64 bodies,
  windows-1252, and a PDF attachment.

The same (count, seed) always gives the same bytes.

    for data in iter_messages(1000):         # RFC 5322 bytes, LF line endings
        ...
    write_mbox(Path("bench.mbox"), 100_000)   # an mbox of the same messages
    cached_mbox(100_000)                      # ... generated once per machine
"""

from __future__ import annotations

import random
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

from common import ROOT

from tracker.demo.generate import DemoSize, iter_mail
from tracker.demo.mail import UTF8, Shopper, personal_mail

FIXTURES = ROOT / "tests" / "fixtures" / "mail"
_MID = re.compile(rb"^Message-ID:.*\n(?:[ \t].*\n)*", re.I | re.M)
_FROM_QUOTE = re.compile(rb"^(>*From )", re.M)
_DATE = re.compile(rb"^Date:[ \t]*(.*)$", re.I | re.M)


@dataclass(frozen=True)
class Mix:
    """Shares of each extra kind of message; the rest is demo mail as generated."""

    fixture: float = 0.12
    lookalike: float = 0.03
    personal: float = 0.05
    repacked: float = 0.12


@dataclass
class MboxInfo:
    path: Path
    messages: int
    bytes: int


def iter_messages(count: int, seed: int = 7, mix: Mix | None = None) -> Iterator[bytes]:
    """`count` messages as bytes (LF line endings), deterministic for (count, seed)."""
    mix = mix or Mix()
    rng = random.Random(seed)
    fixtures = _fixtures()
    demo = _demo_messages(count, seed)
    me = Shopper("bench", "Robin Bench", "robin.bench@example.net")
    cuts = [mix.fixture, mix.lookalike, mix.personal, mix.repacked]
    for i in range(count):
        r = rng.random()
        if r < cuts[0]:
            data = _with_id(rng.choice(fixtures), f"<fx{seed}.{i}@bench.invalid>")
        elif r < sum(cuts[:2]):
            data = _flat(_lookalike(rng, me, _recent(rng)))
        elif r < sum(cuts[:3]):
            data = _flat(personal_mail(rng, me, _recent(rng)))
        elif r < sum(cuts):
            data = _flat(_repack(rng, next(demo)))
        else:
            data = _flat(next(demo))
        yield data


def write_mbox(path: Path, count: int, seed: int = 7, mix: Mix | None = None) -> MboxInfo:
    """Write the corpus as one mbox (From_ lines from each Date, From-quoting)."""
    size = 0
    with open(path, "wb") as out:
        for data in iter_messages(count, seed, mix):
            size += out.write(_mbox_entry(data))
    return MboxInfo(Path(path), count, size)


def cached_mbox(count: int, seed: int = 7) -> MboxInfo:
    """The corpus mbox for (count, seed), generated once into the temp dir."""
    folder = Path(tempfile.gettempdir()) / "darkpool-bench-corpus"
    folder.mkdir(exist_ok=True)
    path = folder / f"corpus-{count}-{seed}.mbox"
    if not path.exists():
        partial = path.with_suffix(".partial")
        write_mbox(partial, count, seed)
        partial.rename(path)
    return MboxInfo(path, count, path.stat().st_size)


def _demo_messages(count: int, seed: int) -> Iterator[Message]:
    """Demo mail, sized so one pass covers `count`; later passes use the next seeds."""
    # the default DemoSize gives ~3.5 messages per cart over 8 contributors
    contributors = max(8, count // 2500)
    carts = max(20, count // (3 * contributors))
    size = DemoSize(retailers=max(36, count // 400), contributors=contributors, carts=carts)
    n = 0
    while True:
        for _shopper, msg, _cart in iter_mail(size, seed + n):
            if msg is not None:
                yield msg
        n += 1


def _flat(msg: Message) -> bytes:
    return msg.as_bytes().replace(b"\r\n", b"\n")


def _mbox_entry(data: bytes) -> bytes:
    match = _DATE.search(data.split(b"\n\n", 1)[0])
    try:
        when = parsedate_to_datetime(match.group(1).decode()).astimezone(UTC)
    except (AttributeError, TypeError, ValueError):
        when = datetime(2026, 11, 1, tzinfo=UTC)
    stamp = when.strftime("%a %b %d %H:%M:%S %Y").encode()
    body = _FROM_QUOTE.sub(rb">\1", data).rstrip(b"\n")
    return b"From MAILER-DAEMON " + stamp + b"\n" + body + b"\n\n"


def _fixtures() -> list[bytes]:
    return [p.read_bytes().replace(b"\r\n", b"\n") for p in sorted(FIXTURES.glob("*.eml"))]


def _with_id(data: bytes, mid: str) -> bytes:
    return b"Message-ID: " + mid.encode() + b"\n" + _MID.sub(b"", data, count=1)


def _recent(rng: random.Random) -> datetime:
    return datetime(2026, 11, 15, tzinfo=UTC) - timedelta(minutes=rng.randrange(120 * 24 * 60))


LOOKALIKES = (
    (
        "Fairway Carts",
        "bookings@fairwaycarts.example.org",
        "Your golf cart is still reserved",
        "Hi {first},\n\nYour cart for Saturday's round is still reserved. Members get 10% off "
        "the rental if they return it before 6 pm. Reply to this mail to cancel.\n\nThe caddy desk",
    ),
    (
        "Growth Notes",
        "digest@growthnotes.example.org",
        "Abandoned carts: why 20% off after 24 hours works",
        "This week: our study of 3,000 abandoned-cart emails. Stores that send a reminder after "
        "one hour and 15% off after a day recover twice as many carts. Read the full report "
        "on our blog.\n\nYou receive this digest because you subscribed to Growth Notes.",
    ),
    (
        "Allotment Food Co-op",
        "orders@allotmentcoop.example.org",
        "Your order cart closes on Thursday",
        "Hello {first},\n\nThe co-op order cart closes on Thursday at noon. Anything left in "
        "your cart then will be ordered for you. Volunteers get a free box of apples.\n\nSee "
        "you at the pick-up.",
    ),
)


def _lookalike(rng: random.Random, to: Shopper, sent_at: datetime) -> Message:
    """Mail that mentions carts, discounts and deadlines but is not retail cart mail."""
    from email.utils import formataddr

    name, address, subject, text = rng.choice(LOOKALIKES)
    msg = MIMEText(text.format(first=to.name.split()[0]) + "\n", "plain", UTF8)
    msg["From"] = formataddr((name, address))
    msg["To"] = formataddr((to.name, to.address))
    msg["Subject"] = subject
    msg["Date"] = format_datetime(sent_at)
    msg["Message-ID"] = f"<{rng.getrandbits(64):016x}@{address.split('@')[1]}>"
    return msg


def _repack(rng: random.Random, msg: Message) -> Message:
    """The same mail as another MIME shape: html only, base64, cp1252, or with a PDF."""
    plain, html = _texts(msg)
    shape = rng.choice(["html_only", "base64", "cp1252", "attachment"])
    if shape == "cp1252" and not _encodable(plain + html, "cp1252"):
        shape = "base64"
    if shape == "html_only":
        out: Message = MIMEText(html, "html", UTF8)
    elif shape == "base64":
        out = MIMEMultipart("alternative", boundary=f"=_b64_{rng.getrandbits(48):012x}")
        out.attach(MIMEText(plain, "plain", "utf-8"))  # the utf-8 default is base64
        out.attach(MIMEText(html, "html", "utf-8"))
    elif shape == "cp1252":
        out = MIMEMultipart("alternative", boundary=f"=_cp_{rng.getrandbits(48):012x}")
        out.attach(MIMEText(plain, "plain", "windows-1252"))
        out.attach(MIMEText(html, "html", "windows-1252"))
    else:
        out = MIMEMultipart("mixed", boundary=f"=_mx_{rng.getrandbits(48):012x}")
        out.attach(msg.get_payload()[0] if msg.is_multipart() else MIMEText(plain, "plain", UTF8))
        pdf = MIMEApplication(b"%PDF-1.4\n" + rng.randbytes(6000), "pdf")
        pdf.add_header("Content-Disposition", "attachment", filename="receipt.pdf")
        out.attach(pdf)
    for name, value in msg.items():
        if not name.lower().startswith(("content-", "mime-version")):
            out[name] = value
    return out


def _texts(msg: Message) -> tuple[str, str]:
    parts = [p for p in msg.walk() if not p.is_multipart()]
    decoded = {p.get_content_type(): p.get_payload(decode=True).decode("utf-8") for p in parts}
    plain = decoded.get("text/plain", "")
    return plain, decoded.get("text/html") or f"<html><body><pre>{plain}</pre></body></html>"


def _encodable(text: str, charset: str) -> bool:
    try:
        text.encode(charset)
    except UnicodeEncodeError:
        return False
    return True
