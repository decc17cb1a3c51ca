"""A path that holds no mail is recorded and the run goes on, named or found in a folder.

Before issue 12 an empty or non-mail file named on the command line made
`parse` and `import` print one error and process nothing, while the same file
inside a folder was recorded and skipped. Only a path that does not exist (a
typo) still stops the command before anything is read. Store cases run on
SQLite and PostgreSQL (the `engine` fixture).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mailmaker import message, write
from sqlalchemy import select

from tracker.db.engine import session_factory
from tracker.db.models import Message
from tracker.mail.importing import import_paths

BAD = {
    "empty": (lambda p: write(p / "empty.eml", b""), "empty file"),
    "junk-dir": (
        lambda p: write(p / "junk" / "x.bin", b"\x00\xff" * 100).parent,
        "no mail found (no .eml, mbox or Maildir inside)",
    ),
    "junk-file": (
        lambda p: write(p / "notes.txt", b"milk\neggs\n"),
        "not a mail file (neither a message nor an mbox)",
    ),
    "photo": (
        lambda p: write(p / "photo.jpg", b"\xff\xd8\xff\xe0" + bytes(500)),
        "not a mail file (neither a message nor an mbox)",
    ),
}


@pytest.mark.parametrize("kind", list(BAD))
def test_import_records_a_bad_path_and_stores_the_rest(engine, tmp_path: Path, kind):
    make, error = BAD[kind]
    bad = make(tmp_path)
    good = write(tmp_path / "good.eml", message(1))
    summary = import_paths(engine, [bad, good], "me")
    assert (summary.seen, summary.new, summary.errors) == (2, 2, 1)
    assert summary.samples == [f"{bad}: {error}"]
    with session_factory(engine).begin() as session:
        table = Message.__table__
        stored = {r.source: r.error for r in session.execute(select(table))}
    assert stored == {str(bad): error, str(good): None}
    again = import_paths(engine, [bad, good], "me")
    assert (again.new, again.duplicate, again.errors) == (0, 2, 1)


@pytest.mark.parametrize("kind", list(BAD))
def test_parse_prints_an_error_line_for_a_bad_path_and_goes_on(run_cli, tmp_path: Path, kind):
    make, error = BAD[kind]
    bad = make(tmp_path)
    good = write(tmp_path / "good.eml", message(1))
    result = run_cli("parse", str(bad), str(good), "--jsonl")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["source"], r["error"]) for r in rows] == [(str(bad), error), (str(good), None)]
    alone = run_cli("parse", str(bad))
    assert alone.exit_code == 1
    assert alone.stdout.rstrip().endswith(f"ERROR {error}")
    assert alone.stderr == "Error: none of the 1 messages could be parsed\n"


def test_import_cli_warns_about_a_bad_path_and_imports_the_rest(run_cli, tmp_path: Path):
    bad = write(tmp_path / "empty.eml", b"")
    good = write(tmp_path / "good.eml", message(1))
    result = run_cli("import", str(bad), str(good))
    assert result.exit_code == 0, result.output
    assert result.stdout == "Imported 2 messages from 2 sources: 2 new, 0 duplicates, 1 error.\n"
    assert result.stderr == f"warning: {bad}: empty file\n"
    alone = run_cli("import", str(bad))
    assert alone.exit_code == 1
    assert alone.stderr.splitlines()[-1] == "Error: no message could be parsed"


@pytest.mark.parametrize("command", ["import", "parse"])
def test_a_missing_path_still_stops_before_anything_is_read(run_cli, tmp_path: Path, command):
    good = write(tmp_path / "good.eml", message(1))
    result = run_cli(command, str(good), str(tmp_path / "missing.mbox"))
    assert result.exit_code == 1
    assert result.stderr == f"Error: no such file or folder: {tmp_path / 'missing.mbox'}\n"
    assert result.stdout == ""
