"""Adversarial leak scan: personal data planted in real mail never reaches the snapshot.

The private store is built through the real pipeline (`darkpool cart add` and
`darkpool import` of .eml files generated here), with secrets where senders
really put them: the shopper's address inside links (plain and URL-encoded),
their name in greetings and in personalised From display names, codes in image
alt text, tracking tokens in links and pixels, the address in the subject,
single-use codes, and contributor ids that are themselves addresses. Then
`darkpool publish` writes the snapshot and every cell and every raw byte of the
file is searched for every secret. The scan must also find what *should* be
there (published retailers, the shared code), so it cannot pass by being blind.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import quote

import pytest
from cells import every_cell
from click.testing import CliRunner

from tracker.cli import cli

T0 = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
SHARED = "COMEBACK15"
PEOPLE = [
    ("zephyrine.quarrington@example.org", "Zephyrine", "Quarrington"),
    ("bartholomew.vexley@mail.example.net", "Bartholomew", "Vexley"),
    ("ottoline.farquharson@example.com", "Ottoline", "Farquharson"),
    ("cassius.thibodeaux@example.org", "Cassius", "Thibodeaux"),
]
# personal data in other scripts, as senders put it in display names: a name in
# Cyrillic, one in Japanese, a phone number in Arabic-Indic digits, one in Devanagari
SCRIPTS = {
    PEOPLE[0][0]: "Зефирина Кваррингтон",
    PEOPLE[1][0]: "山田花子",
    PEOPLE[2][0]: "٠٧٩١١٢٣٤٥٦٧",
    PEOPLE[3][0]: "०७९११२३४५६७",
}
# (domain, display name template, who): levi.com is curated; quillbybeauty.com is not,
# and its mails carry the shopper's name in the From display name
SHOPS = [
    ("levi.com", "Levi's", PEOPLE),
    ("quillbybeauty.com", "Quillby Beauty for {first} {last}", PEOPLE),
    ("tinyshopwares.com", "Tiny Shop Wares", PEOPLE[:2]),  # below K=3: withheld
    # the personal part in another script, behind a bidi override
    ("nordvikhome.com", "Nordvik Home \u202e{script}", PEOPLE),
]


def _mail(shop: str, display: str, person: tuple, step: int, sent: datetime) -> tuple:
    """One multipart cart mail for `person`; returns (bytes, secrets it holds)."""
    address, first, last = person
    local = address.split("@")[0]
    token = f"TRK{abs(hash((address, shop, step))) % 10**10:010d}"
    single = f"{first[:3].upper()}{last[:3].upper()}{step}Q7"
    link = f"https://www.{shop}/cart/restore?email={quote(address)}&uid={token}&utm_source=cart"
    raw_link = f"https://www.{shop}/r/{address}/{token}"
    offer = {
        1: "Your items are still waiting for you.",
        2: f"Use code {SHARED} for 15% off your cart, valid for 48 hours.",
        3: f"Your personal one-time code {single} gives you 20% off. Only for you.",
    }[step]
    msg = EmailMessage()
    script = SCRIPTS[address]
    msg["From"] = f"{display.format(first=first, last=last, script=script)} <news@mail.{shop}>"
    msg["To"] = f"{first} {last} <{address}>"
    msg["Subject"] = f"{first}, you left something in your cart ({address})"
    msg["Date"] = format_datetime(sent)
    msg["Message-ID"] = f"<{token}.{local}@mail.{shop}>"
    text = (
        f"Hi {first} {last},\n\nYou left something in your cart. {offer}\n"
        f"Return to your cart: {link}\nNot {first}? Manage {address} at {raw_link}\n"
    )
    msg.set_content(text)
    msg.add_alternative(
        f"<html><body><p>Hi {first} {last},</p><p>You left something in your cart. {offer}</p>"
        f'<p><a href="{link}">Return to your cart</a></p>'
        f'<img alt="Your code: {single}" src="https://t.{shop}/open/{token}.gif">'
        f"<p>Sent to {address}</p></body></html>",
        subtype="html",
    )
    secrets = {address, quote(address), quote(address, safe=""), local, first, last, token,
               f"Hi {first} {last}", msg["Subject"], msg["Message-ID"], link, raw_link}  # fmt: skip
    if step == 3:
        secrets.add(single)
    if "{script}" in display:
        secrets |= {script, *script.split(), script[-4:]}
    return bytes(msg), secrets


FRIEND = ("Philippa Winterbourne", "pip@winterbourne.me")  # her own domain


def _forwarded(person: tuple, sent: datetime) -> tuple:
    """A friend forwards Levi's cart mail from her own domain: she is no retailer."""
    address, first, _last = person
    msg = EmailMessage()
    msg["From"] = f"{FRIEND[0]} <{FRIEND[1]}>"
    msg["To"] = address
    msg["Subject"] = "Fwd: You left something in your cart"
    msg["Date"] = format_datetime(sent)
    msg["Message-ID"] = f"<fwd.{address.split('@')[0]}@winterbourne.me>"
    msg.set_content(
        f"{first}, Levi's sent me this, use it before Friday!\n\n"
        "---------- Forwarded message ---------\nFrom: Levi's <news@mail.levi.com>\n"
        "Subject: You left something in your cart\n\nYou left something in your cart. "
        f"Use code {SHARED} for 15% off your cart, valid for 48 hours.\n"
    )
    return bytes(msg), {"winterbourne", "Philippa", FRIEND[1]}


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """(snapshot path, secrets) after import, cart add and publish through the CLI."""
    where = tmp_path_factory.mktemp("leaks")
    db = f"sqlite:///{where / 'private.sqlite'}"
    secrets: set[str] = set()
    carts: list[tuple[str, str, str]] = []
    _run("--db", db, "init")
    for i, (address, *_rest) in enumerate(PEOPLE):
        folder = where / "mail" / address  # the path itself names the shopper
        folder.mkdir(parents=True)
        for shop, display, people in SHOPS:
            if PEOPLE[i] not in people:
                continue
            left = T0 + timedelta(days=7 * i, hours=i)
            carts.append((shop, left.isoformat(), address))
            for step, hours in ((1, 1 + i * 0.25), (2, 24 + i), (3, 72 + i)):
                data, found = _mail(shop, display, PEOPLE[i], step, left + timedelta(hours=hours))
                (folder / f"{shop}-{step}.eml").write_bytes(data)
                secrets |= found
        data, found = _forwarded(PEOPLE[i], T0 + timedelta(days=7 * i, hours=5))
        (folder / "fwd.eml").write_bytes(data)
        secrets |= found
        _run("--db", db, "import", str(folder), "--contributor", address)
        secrets.add(str(folder))
    # carts logged after the mail: the retailers (and their names) come from the mail
    for shop, left, address in carts:
        _run("--db", db, "cart", "add", shop, "--at", left, "--contributor", address)
    out = where / "snapshot.sqlite"
    print(_run("--db", db, "publish", str(out), "--min-contributors", "3"))
    return out, secrets


def test_the_scan_sees_what_is_published(published):
    out, _ = published
    conn = sqlite3.connect(out)
    domains = {r[0] for r in conn.execute("SELECT domain FROM retailers")}
    codes = {r[0] for r in conn.execute("SELECT code FROM codes")}
    conn.close()
    assert domains == {"levi.com", "quillbybeauty.com", "nordvikhome.com"}
    assert SHARED in codes
    blob = out.read_bytes()
    assert b"levi.com" in blob and SHARED.encode() in blob


def test_no_secret_in_any_cell_or_byte(published):
    out, secrets = published
    blob = out.read_bytes().lower()
    text = blob.decode("latin-1")
    cells = "\n".join(every_cell(out)).lower()
    leaks = []
    for secret in sorted(secrets):
        needle = secret.lower()
        if needle in cells or needle.encode() in blob or needle.encode("utf-16-le") in blob:
            leaks.append(secret)
    print(f"{len(secrets)} secrets checked, {len(leaks)} found: {leaks}")
    assert len(secrets) > 100
    assert not leaks
    assert "tinyshop" not in text  # the withheld retailer is nowhere


def test_published_names_are_the_retailers_not_the_shoppers(published):
    out, _ = published
    conn = sqlite3.connect(out)
    names = dict(conn.execute("SELECT domain, name FROM retailers"))
    conn.close()
    print(names)
    assert names["levi.com"] == "Levi's"
    assert all(last not in names["quillbybeauty.com"] for *_, last in PEOPLE)
    assert names["nordvikhome.com"].isascii() and "\u202e" not in names["nordvikhome.com"]


@pytest.mark.parametrize(
    ("stored", "domain", "shown"),
    [
        ("Quillby Beauty", "quillbybeauty.com", "Quillby Beauty"),
        ("Quillby Иван Петров", "quillbybeauty.com", "Quillbybeauty"),  # Cyrillic name
        ("Quillby 山田", "quillbybeauty.com", "Quillbybeauty"),  # Japanese name
        ("Quillby ٠٧٩١١٢٣", "quillbybeauty.com", "Quillbybeauty"),  # Arabic-Indic phone
        ("Quillby ０７９１", "quillbybeauty.com", "Quillbybeauty"),  # fullwidth digits
        ("Quillby\u202e Beauty", "quillbybeauty.com", "Quillby Beauty"),  # bidi override
        ("Quil\u200bl\u2066by", "quillbybeauty.com", "Quillby"),  # zero-width, isolate
        ("Quillby \ufffd\ufffd", "quillbybeauty.com", "Quillbybeauty"),  # garbled bytes
        ("Lеvi's", "levis-outlet.com", "Levis Outlet"),  # Cyrillic е inside a Latin word
        ("Аmazon", "xn--mazon-3ve.com", "Xn Mazon 3ve"),  # an IDN lookalike of a curated name
        ("Озон", "xn--g1ambb.com", "Озон"),  # a Cyrillic name its own IDN domain spells
    ],
)
def test_public_name_holds_in_every_script(stored: str, domain: str, shown: str) -> None:
    from tracker.text import public_name

    assert public_name(stored, domain) == shown


@pytest.mark.parametrize(
    ("subject", "text", "headers", "retailer"),
    [
        ("Fwd: your cart", "look!", {}, None),  # a person forwarding
        ("WG: Dein Warenkorb", "schau mal", {}, None),
        ("Your cart", "hi\n---------- Forwarded message ---------\nFrom: Levi's", {}, None),
        ("Your cart", "Begin forwarded message:\n\nFrom: Levi's", {}, None),
        ("Fwd: your cart", "", {"list-unsubscribe": "<https://winterbourne.me/u>"}, "winterbourne.me"),
        ("Fwd: your cart", "", {"precedence": "bulk"}, "winterbourne.me"),  # bulk: a sender
        ("Your cart", "You left something behind", {}, "winterbourne.me"),  # not forwarded
        # Outlook's plain-text forward: no marker, a rule and the original's header block
        ("thought you'd want this", "see below\n" + "_" * 32 + "\nFrom: Quillby <news@quillby.example>\n"
         "Sent: Monday, 23 November 2026 10:00\nTo: Jane\nSubject: Your cart\n\nYou left...", {}, None),
        ("deal", "Von: Quillby <news@quillby.example>\nGesendet: Montag, 23. November 2026\nAn: Jane", {}, None),
        ("Re: Fwd: your cart", "ok", {}, None),  # a forward inside a reply
        ("[Fwd: your cart]", "", {}, None),
        ("From our team", "From: our team\nTo: you, with love", {}, "winterbourne.me"),  # prose, not headers
    ],
)  # fmt: skip
def test_a_person_forwarding_a_shops_mail_is_no_retailer(subject, text, headers, retailer):
    from tracker.mail.message import ParsedMail
    from tracker.mail.retailer import extract_retailer

    mail = ParsedMail(source="t", message_id=None, sent_at=None, subject=subject,
                      from_name=FRIEND[0], from_addr=FRIEND[1], headers=headers, text=text)  # fmt: skip
    found = extract_retailer(mail)
    assert (found.domain if found else None) == retailer
