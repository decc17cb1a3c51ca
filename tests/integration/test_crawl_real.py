"""Accuracy of the reports spider on labelled page sets, crawled for real.

Each set is a folder of pages with a labels.json (`tests/report_scoring.py`
says what counts as right). The pages are served from a loopback server and
crawled by `darkpool crawl` in a subprocess started from a scratch directory,
so the code crawled is the one on PYTHONPATH (that is how the baseline was
scored: `PYTHONPATH=/work/wt/base pytest -s tests/integration/test_crawl_real.py`).

    tests/fixtures/site/       the project's own 30 fixture pages
    tests/fixtures/site_real/  pages rebuilt from real public sources
    tests/fixtures/site_unseen/ a second blind set, scored once after the issue-18 rules

The figures are printed per page, per language and layout, with every miss;
the floors below are regression guards at what the spider reaches.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from paths import FIXTURES
from report_scoring import Tally, score_set
from webserver import LoopbackServer, Reply

FAST = ["-s", "AUTOTHROTTLE_START_DELAY=0.05", "-s", "DOWNLOAD_DELAY=0"]
# {folder: (retailer recall, full recall, precision)} floors: regression guards a
# little under what the spider reached (site_real: 0.92, 0.91, 0.97 after the
# issue-18 rules; its first score on c06eb53 was 0.48, 0.17, 0.25, first_run.txt)
SETS = {
    "site": (0.97, 0.97, 0.97),
    "site_real": (0.90, 0.89, 0.95),
    # written blind after the issue-18 rules and scored once on them (first_run.txt):
    # 0.96, 0.86, 0.68 -- the figure for pages the rules were not written for
    "site_unseen": (0.94, 0.84, 0.66),
}


# (language, layout) of the real-source pages, from the set's README table
REAL_GROUPS = {
    name: group
    for names, group in [
        (("01", "08"), ("", "listicle")),
        (("02", "15"), ("", "teardown")),
        (("03", "04", "09", "13", "14"), ("", "forum")),
        (("05",), ("", "table")),
        (("06", "07", "11", "19", "20"), ("", "article")),
        (("12",), ("", "cheat sheet (br lines)")),
        (("16",), ("", "q&a")),
        (("10",), ("", "javascript shell")),
        (("17", "18"), ("", "guide, coupon page")),
    ]
    for name in names
}
REAL_LANGUAGES = {"07": "de", "14": "de", "08": "fr", "09": "es", "20": "it"}


def real_groups(labels: dict) -> dict[str, tuple[str, str]]:
    """{page: (language, layout)} for the real-source set (page names start "NN_")."""
    out = {}
    for page in labels:
        number = page[:2]
        out[page] = (REAL_LANGUAGES.get(number, "en"), REAL_GROUPS[number][1])
    return out


def _serve(root: Path):
    def route(path: str) -> Reply:
        file = (root / path.lstrip("/")).resolve()
        if path == "/" or not file.is_file() or root.resolve() not in file.parents:
            return Reply(404, b"<html><body>Not found</body></html>")
        kind = "text/plain" if file.suffix == ".txt" else "text/html; charset=utf-8"
        return Reply(200, file.read_bytes(), {"Content-Type": kind})

    return LoopbackServer({"/*": route})


def _darkpool(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "tracker", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=cwd, env=_env())


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONSAFEPATH", None)
    return env


def _code_under_test(cwd: Path) -> str:
    probe = "import tracker, spiders.extract.page as p; print(tracker.__file__, p.__file__)"
    cmd = [sys.executable, "-c", probe]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=_env(), check=True)
    return done.stdout.strip()


def crawl_set(folder: Path, tmp_path: Path) -> tuple[dict, dict[str, list[dict]], str]:
    """Crawl every labelled page of `folder`; returns (labels, {page: reports}, stdout)."""
    labels = json.loads((folder / "labels.json").read_text("utf-8"))["pages"]
    db_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with _serve(folder) as server:
        urls = [f"{server.url}/{page}" for page in labels]
        done = _darkpool(tmp_path, "--db", db_url, "crawl", *urls, *FAST, "--verbose")
        if done.returncode == 2 and "--verbose" in done.stderr:  # code from before --verbose
            done = _darkpool(tmp_path, "--db", db_url, "crawl", *urls, *FAST)
        assert done.returncode == 0, done.stderr
        listed = _darkpool(tmp_path, "--db", db_url, "reports", "--jsonl")
        assert listed.returncode == 0, listed.stderr
    got: dict[str, list[dict]] = {}
    for line in listed.stdout.splitlines():
        report = json.loads(line)
        got.setdefault(report["source_url"].removeprefix(server.url + "/"), []).append(report)
    return labels, got, done.stdout


@pytest.mark.parametrize("name", list(SETS))
def test_spider_accuracy_on_labelled_pages(name: str, tmp_path: Path) -> None:
    folder = FIXTURES / name
    if name != "site" and not (folder / "DONE").is_file():
        pytest.skip("the real-source set is not written yet")
    print(f"\ncode under test: {_code_under_test(tmp_path)}")
    labels, got, stdout = crawl_set(folder, tmp_path)
    print(stdout.rstrip())
    groups = real_groups(labels) if name == "site_real" else None
    total: Tally = score_set(labels, got, name, groups)
    retailer, full, precision = SETS[name]
    assert total.retailer_recall >= retailer
    assert total.full_recall >= full
    assert total.precision >= precision
