"""The benchmark scripts work and print valid JSON lines (tiny sizes; no timing asserted).

Speed itself is measured by `python bench/run.py` and recorded in bench/RESULTS.md.
"""

from __future__ import annotations

import email
import json
import subprocess
import sys
from email import policy

from paths import FIXTURES, ROOT

BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

import corpus  # noqa: E402
import realistic  # noqa: E402
import run  # noqa: E402

ROW_KEYS = {"name", "seconds", "baseline_seconds", "ratio"}


def bench(script: str, *args: str, timeout: float = 600) -> list[dict]:
    cmd = [sys.executable, str(BENCH / script), *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines, done.stderr[-2000:]
    return [json.loads(line) for line in lines]  # every line is JSON


def check_row(result: dict) -> None:
    assert set(result) >= ROW_KEYS, result
    assert result["seconds"] > 0 and result["baseline_seconds"] > 0
    # Both times are printed rounded to 3 decimals and the ratio to 2 or 3, from
    # the unrounded times: it must lie within what the rounded figures allow.
    seconds, baseline, half = result["seconds"], result["baseline_seconds"], 0.0005
    low = (seconds - half) / (baseline + half) - 0.005
    high = (seconds + half) / max(baseline - half, 1e-9) + 0.005
    assert low <= result["ratio"] <= high, result


def test_corpus_is_deterministic_and_mixed():
    first = list(corpus.iter_messages(400, seed=3))
    assert first == list(corpus.iter_messages(400, seed=3))
    assert first != list(corpus.iter_messages(400, seed=4))
    parsed = [email.message_from_bytes(m, policy=policy.compat32) for m in first]
    ids = [m["Message-ID"] for m in parsed]
    assert len(set(ids)) == len(ids) == 400  # unique keys: nothing dedups away
    types = {m.get_content_type() for m in parsed}
    assert {"multipart/alternative", "multipart/mixed", "text/html", "text/plain"} <= types
    senders = " ".join(str(m["From"]) for m in parsed)
    assert "example.org" in senders  # personal mail and look-alikes
    assert any(str(m["Message-ID"]).startswith("<fx3.") for m in parsed)  # labelled corpus


def test_realistic_corpus_is_real_size_mail_around_the_same_words():
    first = list(realistic.iter_realistic(120, seed=3))
    assert first == list(realistic.iter_realistic(120, seed=3))
    sizes = sorted(map(len, first))
    assert sizes[len(sizes) // 2] > 40_000  # ESP mail is tens of KB; personal mail stays small
    assert sizes[0] < 10_000
    parsed = [email.message_from_bytes(m, policy=policy.compat32) for m in first]
    html = [
        part.get_payload(decode=True).decode("utf-8", "replace")
        for m in parsed
        for part in m.walk()
        if part.get_content_type() == "text/html"
    ]
    wrapped = [h for h in html if "/ls/click?upn=" in h]
    assert len(wrapped) > len(parsed) // 2
    assert all("display:none" in h and "@media" in h and "<table" in h for h in wrapped)
    # the same messages, in the same order, with their own headers
    plain = [email.message_from_bytes(m) for m in corpus.iter_messages(120, 3, realistic.MIX)]
    for before, after in zip(plain, parsed, strict=True):
        assert (before["Message-ID"], before["Subject"]) == (after["Message-ID"], after["Subject"])


def test_mbox_holds_every_message(tmp_path):
    from tracker.mail.files import iter_raw_mail

    info = corpus.write_mbox(tmp_path / "c.mbox", 150, seed=5)
    raws = list(iter_raw_mail([info.path]))
    assert len(raws) == info.messages == 150
    assert not [r.error for r in raws if r.error]


def test_stdlib_floor_reads_the_whole_labelled_corpus():
    """The baseline must not stop on the corpus's odd charsets (unknown-8bit, wrong labels)."""
    import parse

    data = [p.read_bytes() for p in sorted((FIXTURES / "mail").glob("*.eml"))]
    assert parse.stdlib_parse(data) > 100 * len(data)
    assert parse.floor_parse(data) > 100 * len(data)


def test_parse_bench_line():
    (result,) = bench("parse.py", "--messages", "40", "--repeat", "1")
    check_row(result)
    assert result["name"] == "parse" and result["target"] == 3.0
    assert result["messages"] == 40 and result["nproc"] >= 1


def test_import_bench_lines():
    results = bench("import_mbox.py", "--messages", "60", "--small", "60")
    names = [r["name"] for r in results]
    assert names == ["parse_only_60", "peer_mbox_to_sqlite_60", "import_60"]
    for result in results:
        check_row(result)
        assert result["peak_mb"] > 10 and result["mb_per_s"] > 0
    assert "60 new" in results[2]["summary"]
    assert results[2]["baseline_name"] == "mbox-to-sqlite"


def test_stats_and_site_benches(tmp_path, capsys):
    snapshot = tmp_path / "snapshot.sqlite"
    assert run.bench_stats((3000, 300, 30), snapshot)
    (stats,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    check_row(stats)
    assert stats["name"] == "stats_publish" and stats["peak_mb"] > 10
    assert snapshot.stat().st_size > 0
    results = bench("site.py", "--snapshot", str(snapshot), "--repeat", "1")
    names = [r["name"] for r in results]
    assert names == [
        f"site_{p}" for p in ("overview", "retailer", "compare", "explore", "methodology")
    ]
    for result in results:
        check_row(result)
        assert result["snapshot_retailers"] > 0


def test_crawl_bench_line(capsys):
    run.bench_crawl(2, 2, 1)
    (result,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    check_row(result)
    assert result["name"] == "crawl" and result["pages"] == 4


def test_runner_reports_a_failing_bench_as_one_line(capsys):
    rows = run.relay("broken", [sys.executable, "-c", "import sys; sys.exit('boom')"])
    assert rows == [{"name": "broken", "error": "boom"}]
    assert json.loads(capsys.readouterr().out) == rows[0]
