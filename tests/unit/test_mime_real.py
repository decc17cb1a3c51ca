"""Real-world MIME the stdlib parser refuses or garbles, and the files it comes in.

The messages are built by tests/hostile/realmail.py; each test here failed
before issue 12 (the message was refused, misread or lost) and states what a
correct reading gives.
"""

from __future__ import annotations

import os
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hostile import realmail
from mailmaker import message, write

from tracker.mail import limits
from tracker.mail import parse as parse_module
from tracker.mail.files import iter_raw_mail
from tracker.mail.parse import parse_mail
from tracker.mail.pipeline import process_mail
from tracker.records import RawMail

FALLBACK = datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)  # a file mtime, years off
SENT = datetime(2026, 11, 20, 14, 3, tzinfo=UTC)


def parsed(data: bytes):
    return parse_mail(RawMail("real.eml", data, FALLBACK))


def understood(data: bytes):
    record = process_mail(RawMail("real.eml", data, FALLBACK))
    assert record.error is None, record.error
    return record


@pytest.mark.parametrize("case", realmail.REAL_WORLD, ids=lambda c: c.name)
def test_real_world_mail_comes_out_clean_and_understood(case):
    record = understood(case.data)
    assert record.message_id == "<real-world@e.boutique-elegance.fr>"
    assert record.retailer is not None and record.retailer.domain == "boutique-elegance.fr"
    assert "\ufffd" not in record.retailer.name


def test_a_folded_line_without_whitespace_joins_its_field():
    mail = parsed(realmail.unfolded_subject())
    assert mail.subject == "You left something in your cart"
    assert (mail.sent_at, mail.from_addr) == (SENT, "hello@e.boutique-elegance.fr")
    assert mail.text == realmail.BODY and "UnfoldedHeaderLine" in mail.defects
    recipients = parsed(realmail.unfolded_recipients())
    assert recipients.to_addrs == ["a@example.org", "b@example.org", "shopper@example.org"]
    assert recipients.message_id == "<real-world@e.boutique-elegance.fr>"


def test_a_body_without_its_blank_line_is_the_body():
    mail = parsed(realmail.no_blank_line())
    assert (mail.subject, mail.text) == ("You left something in your cart", realmail.BODY)
    # a body line shaped like a field is still body when no mail header follows it
    data = realmail.mail(blank_line=False, body=b"Hi Anna,\r\nPrice: 10 EUR\r\nBye")
    assert parsed(data).text == "Hi Anna,\nPrice: 10 EUR\nBye"


def test_a_byte_order_mark_before_the_headers_is_dropped():
    mail = parsed(realmail.byte_order_mark())
    assert (mail.from_addr, mail.sent_at) == ("hello@e.boutique-elegance.fr", SENT)
    assert "ByteOrderMark" in mail.defects


@pytest.mark.parametrize(
    "label, codec",
    [("utf-16", "utf-16"), ("utf-16le", "utf-16-le"), ("utf-8", "utf-16"), (None, "utf-16-be")],
)
def test_a_utf16_body_is_text_whatever_its_label(label, codec):
    data = realmail.utf16_body(label or "", codec)
    assert parsed(data).text == realmail.BODY
    assert understood(data).offer is not None


@pytest.mark.parametrize("codec", ["latin-1", "utf-8", "cp1252"])
def test_raw_8bit_display_names_are_decoded_not_replaced(codec):
    mail = parsed(realmail.raw_8bit_name(codec))
    assert (mail.from_name, mail.from_addr) == (realmail.SHOP, "hello@e.boutique-elegance.fr")
    assert understood(realmail.raw_8bit_name(codec)).retailer.name == realmail.SHOP


def test_a_raw_8bit_byte_inside_an_encoded_word_is_a_byte_of_its_charset():
    assert parsed(realmail.raw_byte_in_encoded_word()).subject == realmail.SUBJECT
    name = b"From: =?utf-8?q?Boutique_\xc3\x89l\xc3\xa9gance?= <hello@e.boutique-elegance.fr>"
    assert parsed(realmail.mail(replace={b"From": name})).from_name == realmail.SHOP


def test_a_character_split_across_encoded_words_is_joined():
    assert parsed(realmail.split_character()).subject == realmail.SUBJECT


def test_addresses_nested_past_the_recursion_limit_keep_the_message():
    mail = parsed(realmail.deep_to())
    assert "shopper@example.org" in mail.to_addrs
    assert mail.from_addr == "hello@e.boutique-elegance.fr"
    deep = b"(" * 5000 + b"x" + b")" * 5000
    sender = realmail.mail(replace={b"From": b"From: Shop " + deep + b" <hello@e.shop.example>"})
    assert parsed(sender).from_addr == "hello@e.shop.example"


def test_without_a_date_the_newest_received_stamp_is_used_not_the_file_time():
    assert parsed(realmail.received_only()).sent_at == datetime(2026, 11, 20, 14, 5, 9, tzinfo=UTC)
    unreadable = realmail.received_only().replace(b"; Thu, 20 Nov 2026 14:05:09", b"; soon")
    assert parsed(unreadable).sent_at == datetime(2026, 11, 20, 14, 4, 30, tzinfo=UTC)
    nothing = realmail.mail(replace={b"Date": b""})
    assert parsed(nothing).sent_at == FALLBACK


@pytest.mark.parametrize("zone", ["+99", "+2500", "-1970", "+1860"])
def test_a_readable_date_with_a_broken_zone_is_kept_as_utc(zone):
    assert parsed(realmail.broken_zone(zone)).sent_at == SENT


def test_a_huge_encoded_header_is_decoded_from_a_bounded_part(monkeypatch):
    """4 MB of encoded words took seconds (quadratic joining); now the decoder
    sees at most MAX_HEADER_SOURCE characters of a value and joins in one pass."""
    seen = []
    real = parse_module.decode_header_value

    def spy(value: str) -> str:
        seen.append(len(value))
        return real(value)

    monkeypatch.setattr(parse_module, "decode_header_value", spy)
    data = realmail.encoded_subject(160_000)
    assert len(data) > 4_000_000
    mail = parsed(data)
    assert mail.subject == ("à tous" * 1000)[: parse_module.MAX_HEADER]
    assert max(seen) <= limits.MAX_HEADER_SOURCE


# -- files ----------------------------------------------------------------------


def test_dateless_mbox_separators_split_messages(tmp_path: Path):
    msgs = [message(i, body=f"From the team, reminder {i}.") for i in range(4)]
    box = write(tmp_path / "export", realmail.dateless_mbox(msgs))  # no extension
    got = list(iter_raw_mail([box]))
    assert [r.data for r in got] == msgs
    assert [r.error for r in got] == [None] * 4


def test_a_body_line_from_without_a_date_does_not_split(tmp_path: Path):
    body = "Hello,\nFrom Paris\nwith love"
    box = write(tmp_path / "a.mbox", realmail.dateless_mbox([message(1, body=body)]))
    assert [r.data for r in iter_raw_mail([box])] == [message(1, body=body)]


def test_unusual_but_real_mail_files_are_found_and_not_flagged(tmp_path: Path):
    folder = tmp_path / "mail"
    write(folder / "bom", realmail.byte_order_mark())
    write(folder / "unfolded", realmail.unfolded_subject())
    write(folder / "noblank", realmail.no_blank_line())
    write(folder / "utf16", realmail.utf16_body())
    got = list(iter_raw_mail([folder]))
    assert sorted(Path(r.source).name for r in got) == ["bom", "noblank", "unfolded", "utf16"]
    last = write(
        tmp_path / "last.mbox", realmail.dateless_mbox([message(1), realmail.no_blank_line()])
    )
    assert [r.error for r in iter_raw_mail([last])] == [None, None]


def test_a_two_gigabyte_eml_is_read_up_to_the_bound_and_recorded(tmp_path: Path):
    path = tmp_path / "huge.eml"
    with path.open("wb") as fh:
        fh.write(realmail.mail())
        fh.truncate(2 << 30)  # sparse: 2 GiB on paper, nothing on disk
    tracemalloc.start()
    try:
        (raw,) = iter_raw_mail([path])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(raw.data) == limits.MAX_MESSAGE_BYTES
    assert raw.error == f"message larger than {limits.MAX_MESSAGE_BYTES >> 20} MB, cut"
    assert peak < 2 * limits.MAX_MESSAGE_BYTES
    assert process_mail(raw).error == raw.error


def test_maildir_symlinks_are_recorded_not_followed(tmp_path: Path):
    secret = write(tmp_path / "outside" / "secret.txt", message(9, subject="Private"))
    box = tmp_path / "Maildir"
    write(box / "cur" / "1700000000.M1P1.host:2,S", message(1))
    (box / "new").mkdir()
    os.symlink(secret, box / "new" / "1700000100.M2P2.host")
    os.symlink(secret, box / "cur" / "1700000200.M3P3.host:2,S")
    os.symlink(tmp_path / "outside", box / ".Linked")
    plain = tmp_path / "plain"
    write(plain / "a.eml", message(2))
    os.symlink(secret, plain / "b.eml")
    got = list(iter_raw_mail([box, plain]))
    assert [(Path(r.source).name, r.error) for r in got] == [
        ("1700000000.M1P1.host:2,S", None),
        ("1700000200.M3P3.host:2,S", "symbolic link, not followed"),
        ("1700000100.M2P2.host", "symbolic link, not followed"),
        ("a.eml", None),
        ("b.eml", "symbolic link, not followed"),
    ]
    assert all(b"Private" not in r.data for r in got)
    (named,) = iter_raw_mail([plain / "b.eml"])  # named on the command line: the user's choice
    assert named.error is None and b"Private" in named.data


def test_a_body_line_from_a_place_followed_by_field_like_lines_does_not_split(tmp_path: Path):
    """An mbox writer that does not escape "From " in bodies: "From Paris" then
    "Date: Saturday 12 May" is prose, not a dateless separator and a header block."""
    body = b"Hello\nFrom Paris\nDate: Saturday 12 May\nTo: Lyon by train\nOur tour goes on.\n"
    first = message(1, body=body.decode())
    second = message(2)
    mbox_bytes = b"From a@b Thu Nov 20 14:03:00 2026\n" + first + b"\nFrom \n" + second + b"\n"
    got = list(iter_raw_mail([write(tmp_path / "trip.mbox", mbox_bytes)]))
    assert len(got) == 2
    assert b"Our tour goes on." in got[0].data
