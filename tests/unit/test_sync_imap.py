"""The fast FETCH parser, folder names as typed and netrc entries, without a server.

Canned responses in addition to (never instead of) the real Dovecot tests:
they pin the shapes a real server may send that the loopback one does not.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone

import pytest
from imapclient.response_parser import parse_fetch_response

from tracker.errors import SyncError
from tracker.mail.imap.client import Folder
from tracker.mail.imap.credentials import netrc_password, parse_netrc
from tracker.mail.imap.folders import needs_listing, resolve_folder
from tracker.mail.imap.responses import parse_fetch
from tracker.mail.imap.state import from_column, to_column

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


# -- folders as typed, and netrc entries (pure helpers of the sync) -------------

COURIER = [Folder("INBOX", ".", ()), Folder("INBOX.Réception.Promos", ".", ())]
GMAIL = [
    Folder("INBOX", "/", ()),
    Folder("[Gmail]/Alle Nachrichten", "/", ("\\HasNoChildren", "\\All")),
    Folder("[Gmail]/Spam", "/", ("\\Junk",)),
]


def test_a_path_typed_with_slashes_takes_the_servers_delimiter():
    assert resolve_folder("INBOX/Réception/Promos", COURIER) == "INBOX.Réception.Promos"
    assert resolve_folder("inbox/Réception/Promos", COURIER) == "INBOX.Réception.Promos"
    assert resolve_folder("Réception/Promos", COURIER) == "INBOX.Réception.Promos"  # under INBOX.
    assert resolve_folder("Nowhere/Else", COURIER) == "Nowhere/Else"  # STATUS will say so


def test_roles_find_localised_special_folders():
    assert resolve_folder(":all", GMAIL) == "[Gmail]/Alle Nachrichten"
    assert resolve_folder(":JUNK", GMAIL) == "[Gmail]/Spam"
    with pytest.raises(SyncError, match=r"role \\Archive"):
        resolve_folder(":archive", GMAIL)
    with pytest.raises(SyncError, match="unknown folder role"):
        resolve_folder(":everything", GMAIL)


def test_plain_names_need_no_listing():
    assert not needs_listing("INBOX") and not needs_listing("Promotions")
    assert needs_listing(":all") and needs_listing("a/b")


NETRC = """# two mailboxes on one host, a default, a macro
machine imap.example.org login alice password "a lice#1"
machine imap.example.org login bob password b0b
macdef init
  cd /pub

default login carol password c4rol
"""


def test_netrc_entries_by_host_and_login(tmp_path):
    path = tmp_path / ".netrc"
    path.write_text(NETRC)
    path.chmod(0o600)
    assert len(parse_netrc(NETRC)) == 3
    assert netrc_password("imap.example.org", "alice", path) == "a lice#1"
    assert netrc_password("imap.example.org", "bob", path) == "b0b"
    assert netrc_password("other.example.org", "carol", path) == "c4rol"
    assert netrc_password("other.example.org", "dave", path) is None


def test_a_netrc_others_can_read_is_refused(tmp_path):
    path = tmp_path / ".netrc"
    path.write_text(NETRC)
    for mode in (0o644, 0o660, 0o602):
        path.chmod(mode)
        with pytest.raises(SyncError, match="chmod 600") as info:
            netrc_password("imap.example.org", "bob", path)
        assert "b0b" not in str(info.value)
    if os.geteuid() == 0:
        path.chmod(0o600)
        os.chown(path, 65534, 65534)
        with pytest.raises(SyncError, match="another user"):
            netrc_password("imap.example.org", "bob", path)


def test_any_32_bit_uidvalidity_fits_the_signed_column():
    for value in (1, 2**31 - 1, 2**31, 3_572_889_346, 2**32 - 1):
        stored = to_column(value)
        assert -(2**31) <= stored < 2**31
        assert from_column(stored) == value
    assert from_column(None) is None
