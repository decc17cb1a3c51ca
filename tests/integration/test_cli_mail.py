"""The mail commands through the real CLI: parse, import, messages, cart add."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from mailmaker import mbox, message, write

from tracker.commands.mail import COMMANDS

KEYS = ["source", "message_id", "sent_at", "retailer", "kind", "confidence", "offer", "error"]


def _commands():
    for command in COMMANDS:
        yield [command.name]
        for sub in getattr(command, "commands", {}):
            yield [command.name, sub]


@pytest.mark.parametrize("args", list(_commands()), ids=" ".join)
def test_every_mail_command_has_help_with_an_example(run_cli, args):
    result = run_cli(*args, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output and "darkpool " in result.output.split("Example:")[1]


def test_parse_jsonl_prints_the_design_schema_and_stores_nothing(run_cli, tmp_path: Path):
    box = write(tmp_path / "a.mbox", mbox([message(1, date="Thu, 20 Nov 2026 19:33:00 +0530")]))
    result = run_cli("parse", str(box), "--jsonl")
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    row = json.loads(line)
    assert list(row) == KEYS
    assert row["source"] == f"{box}#1"
    assert row["message_id"] == "<1@example.com>"
    assert row["sent_at"] == "2026-11-20T14:03:00+00:00"
    assert row["error"] is None
    assert not (tmp_path / "store.sqlite").exists()


def test_parse_readable_lines_and_error_lines(run_cli, tmp_path: Path):
    write(tmp_path / "in" / "a.eml", message(1))
    write(tmp_path / "in" / "b.eml", b"\x00\x01 junk")
    result = run_cli("parse", str(tmp_path / "in"))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{tmp_path / 'in' / 'a.eml'}  2026-11-20 14:03Z  ")
    assert "'Your cart is waiting'" in lines[0]
    assert lines[1].endswith("ERROR binary data, not a mail message")


def test_parse_exits_1_when_nothing_could_be_parsed(run_cli, tmp_path: Path):
    bad = write(tmp_path / "bad.eml", b"\x00\x01 junk")
    result = run_cli("parse", str(bad), "--jsonl")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"] == "binary data, not a mail message"
    assert result.stderr == "Error: none of the 1 messages could be parsed\n"


def test_import_prints_a_summary_and_is_idempotent(run_cli, tmp_path: Path):
    box = write(tmp_path / "a.mbox", mbox([message(i) for i in range(5)]))
    eml = write(tmp_path / "b.eml", message(2))
    first = run_cli("import", str(box), str(eml), "--contributor", "alice", "--batch-size", "2")
    assert first.exit_code == 0, first.output
    assert first.stdout == "Imported 6 messages from 2 sources: 5 new, 1 duplicate, 0 errors.\n"
    again = run_cli("import", str(box), str(eml))
    assert again.stdout == "Imported 6 messages from 2 sources: 0 new, 6 duplicates, 0 errors.\n"
    listed = run_cli("messages", "--jsonl")
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [r["message_id"] for r in rows] == [f"<{i}@example.com>" for i in range(5)]
    assert all(list(r) == KEYS for r in rows)


def test_import_of_a_truncated_mbox_keeps_the_good_messages(run_cli, tmp_path: Path):
    data = mbox([message(i) for i in range(3)])
    box = write(tmp_path / "cut.mbox", data[:-30])
    result = run_cli("import", str(box))
    assert result.exit_code == 0
    assert result.stdout == "Imported 3 messages from 1 source: 3 new, 0 duplicates, 1 error.\n"
    assert result.stderr.startswith(f"warning: {box}#3: truncated mbox")


# A path that exists but holds no mail is recorded instead: tests/integration/test_bad_paths.py
@pytest.mark.parametrize(
    "setup, message_start",
    [(lambda p: p / "missing.mbox", "Error: no such file or folder: ")],
    ids=["missing"],
)
@pytest.mark.parametrize("command", ["import", "parse"])
def test_bad_input_is_one_line_and_exit_1(run_cli, tmp_path: Path, setup, message_start, command):
    path = setup(tmp_path)
    result = run_cli(command, str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(message_start)
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert not (tmp_path / "store.sqlite").exists()  # nothing was touched


def test_import_of_only_broken_mail_exits_1(run_cli, tmp_path: Path):
    write(tmp_path / "in" / "a.eml", b"\x00 junk")
    write(tmp_path / "in" / "b.eml", b"Not: mail\n\nreally")
    result = run_cli("import", str(tmp_path / "in"))
    assert result.exit_code == 1
    assert "2 errors" in result.stdout
    assert result.stderr.splitlines()[-1] == "Error: no message could be parsed"


def test_usage_errors_exit_2(run_cli, tmp_path: Path):
    assert run_cli("parse").exit_code == 2
    assert run_cli("import", "x", "--batch-size", "0").exit_code == 2
    assert run_cli("messages", "--kind", "spam").exit_code == 2
    result = run_cli("cart", "add", "levi.com", "--at", "2026-11-20 14:03", "--currency", "USD")
    assert result.exit_code == 2


def test_messages_filters_by_retailer_and_kind(run_cli, tmp_path: Path):
    write(tmp_path / "in" / "a.eml", message(1))
    write(tmp_path / "in" / "b.eml", message(2, sender="Shop <news@mail.other-shop.co.uk>"))
    assert run_cli("import", str(tmp_path / "in")).exit_code == 0
    everything = [json.loads(x) for x in run_cli("messages", "--jsonl").stdout.splitlines()]
    assert len(everything) == 2
    levi = run_cli("messages", "--retailer", "levi.com", "--jsonl").stdout.splitlines()
    assert [json.loads(x)["message_id"] for x in levi] == ["<1@example.com>"]
    kind = everything[0]["kind"]
    same_kind = run_cli("messages", "--kind", kind, "--jsonl").stdout.splitlines()
    assert len(same_kind) == sum(1 for r in everything if r["kind"] == kind)
    readable = run_cli("messages", "--retailer", "levi.com").stdout
    assert readable.startswith(f"{tmp_path / 'in' / 'a.eml'}  2026-11-20 14:03Z  levi.com  ")


def test_cart_add_normalises_the_retailer_and_is_idempotent(run_cli):
    first = run_cli(
        "cart", "add", "https://www.levi.com/cart", "--at", "2026-11-20T14:03:00-08:00",
        "--value", "80", "--currency", "usd",
    )  # fmt: skip
    assert first.exit_code == 0, first.output
    assert first.stdout == "Logged cart #1 at levi.com (Levi's), left 2026-11-20 22:03 UTC.\n"
    again = run_cli("cart", "add", "levi.com", "--at", "2026-11-20 22:03:00+00:00")
    assert again.stdout.startswith("Already logged cart #1 at levi.com")


@pytest.mark.parametrize(
    "retailer, when, error",
    [
        ("levi.com", "the day after", "Error: not a date and time: 'the day after'"),
        ("not a shop", "2026-11-20 14:03", "Error: not a retailer domain or URL: 'not a shop'"),
    ],
)
def test_cart_add_bad_input(run_cli, retailer, when, error):
    result = run_cli("cart", "add", retailer, "--at", when)
    assert result.exit_code == 1
    assert result.stderr.startswith(error) and result.stderr.count("\n") == 1


def test_real_darkpool_process_imports_and_reads_local_time(tmp_path: Path):
    """The installed console script, end to end, with a non-UTC local zone."""
    db = f"sqlite:///{tmp_path / 'real.sqlite'}"
    box = write(tmp_path / "a.mbox", mbox([message(i) for i in range(3)]))
    env = {**os.environ, "TZ": "Asia/Kolkata", "DARKPOOL_DATA_DIR": str(tmp_path / "data")}
    darkpool = [sys.executable, "-m", "tracker"]

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*darkpool, "--db", db, *args], env=env, capture_output=True, text=True, timeout=120
        )

    imported = run("import", str(box))
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout == "Imported 3 messages from 1 source: 3 new, 0 duplicates, 0 errors.\n"
    cart = run("cart", "add", "levi.com", "--at", "2026-11-20 14:03")
    assert cart.stdout.endswith("left 2026-11-20 08:33 UTC.\n")  # 14:03 in India
    missing = run("import", str(tmp_path / "nope.mbox"))
    assert (missing.returncode, missing.stderr) == (
        1,
        f"Error: no such file or folder: {tmp_path / 'nope.mbox'}\n",
    )


def test_console_script_is_installed():
    script = Path(sys.executable).with_name("darkpool")  # installed beside this interpreter
    result = subprocess.run([str(script), "parse", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "Example:" in result.stdout
