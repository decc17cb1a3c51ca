"""The fast FETCH parser in tracker.mail.imap.client, on imaplib-shaped responses.

Canned responses in addition to (never instead of) the real Dovecot tests:
they pin the shapes a real server may send that the loopback one does not.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from imapclient.response_parser import parse_fetch_response

from tracker.mail.imap.client import parse_fetch

HEADER = b"From: a@levi.com\r\n\r\n"
BODY = b"From: a@levi.com\r\nSubject: hi\r\n\r\nbody\r\n"


def test_items_before_the_literal():
    data = [
        (
            b'1 (UID 7 RFC822.SIZE 40 INTERNALDATE "22-Nov-2026 07:40:18 +0100" '
            b"BODY[HEADER.FIELDS (FROM)] {20}",
            HEADER,
        ),
        b")",
    ]
    assert parse_fetch(data) == {
        7: {
            b"RFC822.SIZE": 40,
            b"INTERNALDATE": datetime(2026, 11, 22, 7, 40, 18, tzinfo=timezone(timedelta(hours=1))),
            b"BODY[HEADER.FIELDS (FROM)]": HEADER,
        }
    }


def test_items_after_the_literal_and_unsolicited_flags():
    data = [
        (b"1 (BODY[] {%d}" % len(BODY), BODY),
        b" UID 3)",
        b"2 (FLAGS (\\Seen) UID 4)",
        (b"3 (UID 5 BODY[] {%d}" % len(BODY), BODY),
        b")",
    ]
    got = parse_fetch(data)
    assert got[3] == {b"BODY[]": BODY}
    assert got[5] == {b"BODY[]": BODY}
    assert got[4] == {}  # a flag update for a message not asked for


def test_odd_shapes_fall_back_to_imapclient():
    two_literals = [
        (b"1 (UID 9 BODY[HEADER] {%d}" % len(HEADER), HEADER),
        (b" BODY[TEXT] {6}", b"body\r\n"),
        b")",
    ]
    expected = parse_fetch_response(two_literals, normalise_times=False, uid_is_key=True)
    got = parse_fetch(two_literals)
    assert got[9][b"BODY[HEADER]"] == expected[9][b"BODY[HEADER]"] == HEADER
    assert got[9][b"BODY[TEXT]"] == b"body\r\n"
    assert b"SEQ" not in got[9]


def test_dates_stay_timezone_aware():
    data = [b'1 (UID 1 INTERNALDATE " 2-Nov-2026 23:59:59 -0500")']
    stamp = parse_fetch(data)[1][b"INTERNALDATE"]
    assert stamp.astimezone(UTC) == datetime(2026, 11, 3, 4, 59, 59, tzinfo=UTC)


def test_split_keeps_order_and_sizes_even():
    from tracker.mail.workers import split

    assert split(list(range(7)), 3) == [[0, 1, 2], [3, 4], [5, 6]]
    assert split([1], 4) == [[1]]
    assert split([], 2) == []


def test_flag_updates_without_uid_are_ignored():
    data = [b"2 (FLAGS (\\Seen))", (b"1 (UID 5 BODY[] {%d}" % len(BODY), BODY), b")"]
    assert parse_fetch(data) == {5: {b"BODY[]": BODY}}


def test_uid_sets_are_compact():
    from tracker.mail.imap.client import uid_set

    assert uid_set([7, 1, 2, 3, 9, 10]) == "1:3,7,9:10"
    assert uid_set([5]) == "5"
