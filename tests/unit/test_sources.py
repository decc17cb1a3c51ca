"""Mail sources on real files: .eml, mbox (streamed), Maildir, folders, bad paths."""

from __future__ import annotations

import os
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest
from mailmaker import mbox, message, write

from tracker.errors import SourceError
from tracker.mail import files
from tracker.mail.files import iter_raw_mail


def test_eml_file_gives_one_message_with_mtime_fallback(tmp_path: Path):
    path = write(tmp_path / "one.eml", message(1))
    os.utime(path, (1_700_000_000, 1_700_000_000))
    (raw,) = iter_raw_mail([path])
    assert raw.source == str(path)
    assert raw.data == message(1)
    assert raw.fallback_time == datetime.fromtimestamp(1_700_000_000, UTC)
    assert raw.error is None


def test_mbox_is_recognised_by_content_and_split_on_from_lines(tmp_path: Path):
    body = "From the team: your cart.\n>From here on, escaped.\nFrom 9 to 5 daily."
    msgs = [message(i, body=body) for i in range(3)]
    path = write(tmp_path / "archive", mbox(msgs))  # no extension
    got = list(iter_raw_mail([path]))
    assert [r.source for r in got] == [f"{path}#1", f"{path}#2", f"{path}#3"]
    assert [r.data for r in got] == msgs  # mboxrd escaping undone, separator dropped
    assert got[1].fallback_time == datetime(2026, 11, 20, 14, 1, tzinfo=UTC)


@pytest.mark.parametrize("chunk", [7, 64, 1000])
def test_mbox_split_does_not_depend_on_chunk_boundaries(tmp_path: Path, monkeypatch, chunk):
    msgs = [message(i, body="line\n" * (i * 13 % 50)) for i in range(40)]
    path = write(tmp_path / "a.mbox", mbox(msgs))
    monkeypatch.setattr(files, "CHUNK", chunk)
    assert [r.data for r in iter_raw_mail([path])] == msgs


def test_crlf_mbox_round_trips(tmp_path: Path):
    msgs = [message(i).replace(b"\n", b"\r\n") for i in range(3)]
    data = mbox([m.replace(b"\r\n", b"\n") for m in msgs]).replace(b"\n", b"\r\n")
    got = list(iter_raw_mail([write(tmp_path / "crlf.mbox", data)]))
    assert [r.data for r in got] == msgs


def test_truncated_mbox_yields_what_it_can_and_flags_the_last(tmp_path: Path):
    data = mbox([message(i) for i in range(5)])
    path = write(tmp_path / "cut.mbox", data[: len(data) - 25])
    got = list(iter_raw_mail([path]))
    assert len(got) == 5
    assert [r.error for r in got[:4]] == [None] * 4
    assert got[4].error and "truncated" in got[4].error


def test_mbox_cut_inside_the_headers_is_flagged(tmp_path: Path):
    data = mbox([message(1), message(2)])
    cut = data.index(b"Subject", data.index(b"<2@example.com>") - 200)
    got = list(iter_raw_mail([write(tmp_path / "cut.mbox", data[: cut + 5] + b"\n")]))
    assert got[0].error is None and "truncated" in got[1].error


def test_broken_message_in_the_middle_of_an_mbox_is_yielded_as_is(tmp_path: Path):
    junk = b"\x00\x01\x02 not mail at all \xff\xfe\n"
    data = mbox([message(1)]) + b"From x@y Thu Nov 20 14:03:00 2026\n" + junk + b"\n"
    data += mbox([message(3)])
    got = list(iter_raw_mail([write(tmp_path / "mixed.mbox", data)]))
    assert [r.data for r in got] == [message(1), junk, message(3)]
    assert all(r.error is None for r in got)


def test_an_mbox_of_thousands_of_messages(tmp_path: Path):
    msgs = [message(i, subject=f"Reminder {i}") for i in range(3000)]
    path = write(tmp_path / "big.mbox", mbox(msgs))
    count = 0
    for i, raw in enumerate(iter_raw_mail([path])):
        assert raw.data == msgs[i]
        count += 1
    assert count == 3000


def test_mbox_streaming_uses_memory_bounded_by_the_message_not_the_file(tmp_path: Path):
    body = ("Your cart misses you. " * 40 + "\n") * 50  # ~45 KB per message
    one = message(0, body=body)
    path = tmp_path / "huge.mbox"
    with path.open("wb") as fh:
        for i in range(1200):
            fh.write(mbox([message(i, body=body)]))
    size = path.stat().st_size
    assert size > 50_000_000
    tracemalloc.start()
    try:
        count = sum(1 for _ in iter_raw_mail([path]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 1200
    print(f"\nmbox of {size / 1e6:.0f} MB streamed with a peak of {peak / 1e6:.1f} MB")
    assert peak < 8 * files.CHUNK + 10 * len(one)  # a few chunks and messages, not 50 MB


def test_maildir_reads_cur_and_new_not_tmp_with_filename_time(tmp_path: Path):
    box = tmp_path / "Maildir"
    write(box / "cur" / "1700000000.M1P1.host:2,S", message(1))
    write(box / "new" / "1700000100.M2P2.host", message(2))
    write(box / "tmp" / "1700000200.M3P3.host", message(3))
    write(box / ".Sent" / "cur" / "1700000300.M4P4.host:2,S", message(4))
    write(box / "dovecot-uidlist", b"3 V1700000000 N5\n")
    got = list(iter_raw_mail([box]))
    assert sorted(r.data for r in got) == [message(1), message(2), message(4)]
    times = {r.data: r.fallback_time for r in got}
    assert times[message(1)] == datetime.fromtimestamp(1_700_000_000, UTC)


def test_folder_of_eml_files_is_walked_recursively_and_skips_non_mail(tmp_path: Path):
    write(tmp_path / "a" / "one.eml", message(1))
    write(tmp_path / "a" / "b" / "two.txt", message(2))  # mail by content
    write(tmp_path / "a" / "b" / "c" / "archive.mbox", mbox([message(3), message(4)]))
    write(tmp_path / "a" / "notes.txt", b"Shopping list: milk\n")
    write(tmp_path / "a" / "photo.jpg", b"\xff\xd8\xff\xe0" + bytes(500))
    write(tmp_path / "a" / "broken.eml", b"\x00\x01 junk named as mail")
    got = list(iter_raw_mail([tmp_path / "a"]))
    assert [Path(r.source.split("#")[0]).name for r in got] == [
        "broken.eml",
        "one.eml",
        "two.txt",
        "archive.mbox",
        "archive.mbox",
    ]


def test_missing_path_fails_before_anything_is_read(tmp_path: Path):
    good = write(tmp_path / "good.eml", message(1))
    with pytest.raises(SourceError, match="no such file"):
        list(iter_raw_mail([good, tmp_path / "missing.mbox"]))


@pytest.mark.parametrize(
    "name, content, error",
    [
        ("empty.eml", b"", "empty file"),
        ("blank.mbox", b"\n\n  \n", "empty file"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + bytes(100), "not a mail file"),
        ("notes.txt", b"Shopping list: milk, eggs\n", "not a mail file"),
    ],
)
def test_a_named_file_that_holds_no_mail_is_recorded_and_the_run_goes_on(
    tmp_path: Path, name, content, error
):
    bad = write(tmp_path / name, content)
    good = write(tmp_path / "good.eml", message(1))
    got = list(iter_raw_mail([bad, good]))
    assert [(r.source, r.error is not None) for r in got] == [(str(bad), True), (str(good), False)]
    assert got[0].error.startswith(error) and str(tmp_path) not in got[0].error
    assert got[1].data == message(1)


def test_a_directory_of_junk_is_recorded_and_the_run_goes_on(tmp_path: Path):
    write(tmp_path / "junk" / "a.bin", os.urandom(2000).replace(b"\n", b""))
    write(tmp_path / "junk" / "sub" / "readme.md", b"# not mail\n")
    (tmp_path / "empty").mkdir()
    good = write(tmp_path / "good.eml", message(1))
    got = list(iter_raw_mail([tmp_path / "junk", tmp_path / "empty", good]))
    assert [r.source for r in got] == [str(tmp_path / "junk"), str(tmp_path / "empty"), str(good)]
    assert [r.error.split(" (")[0] if r.error else None for r in got] == [
        "no mail found",
        "no mail found",
        None,
    ]


def test_very_long_line_in_an_mbox_is_kept_whole(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(files, "CHUNK", 1024)
    long_body = "x" * 10_000 + " From 1 to 2 at 14:03 2026"
    msgs = [message(1, body=long_body), message(2)]
    assert [r.data for r in iter_raw_mail([write(tmp_path / "l.mbox", mbox(msgs))])] == msgs
