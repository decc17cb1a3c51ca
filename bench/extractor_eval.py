"""Evaluation: the project's block finder alone vs trafilatura's main content first.

    python bench/extractor_eval.py

For each labelled page of tests/fixtures/site and tests/fixtures/site_real,
reads the reports twice, in-process, without the crawler: (a) the spider's
`read_page` on the whole page (its own block finder drops furniture), (b) the
same `read_page` on the page's main content as trafilatura extracts it (HTML
output with links, tables and headings kept). Prints the scores of both
(tests/report_scoring.py) and the time per page. trafilatura is optional: the
script says so when it is not installed.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from report_scoring import Tally, score_set  # noqa: E402

from spiders.extract.page import read_page  # noqa: E402

BASE = "http://127.0.0.1:8000"


def _as_json(found, url: str) -> dict:
    return {
        "source_url": url,
        "retailer": {"domain": found.retailer_domain, "name": found.retailer_name},
        "offer": None
        if found.offer is None
        else {
            "type": found.offer.type,
            "value": found.offer.value,
            "value_max": found.offer.value_max,
            "currency": found.offer.currency,
        },
        "wait_hours": None
        if found.wait is None
        else {"min": found.wait.min_hours, "max": found.wait.max_hours},
        "outcome": found.outcome,
    }


def _main_content(html: str) -> str | None:
    import trafilatura

    return trafilatura.extract(
        html, output_format="html", include_links=True, include_tables=True,
        include_formatting=True, favor_recall=True, include_comments=True,
    )  # fmt: skip


def evaluate(folder: Path, use_trafilatura: bool) -> tuple[Tally, float]:
    labels = json.loads((folder / "labels.json").read_text("utf-8"))["pages"]
    got: dict[str, list[dict]] = {}
    spent = 0.0
    for page in labels:
        html = (folder / page).read_text("utf-8")
        url = f"{BASE}/{page}"
        started = time.perf_counter()
        if use_trafilatura:
            title = lxml.html.fromstring(html).findtext(".//title") or ""
            main = _main_content(html) or ""
            html = f"<html><head><title>{title}</title></head><body>{main}</body></html>"
        found, _, _ = read_page(lxml.html.fromstring(html), url)
        spent += time.perf_counter() - started
        got[page] = [_as_json(f, url) for f in found]
    tally = score_set(
        labels, got, f"{folder.name} ({'trafilatura' if use_trafilatura else 'blocks'})"
    )
    return tally, spent / max(len(labels), 1)


def main() -> None:
    try:
        import trafilatura  # noqa: F401
    except ImportError:
        print("trafilatura is not installed: pip install trafilatura")
        return
    rows = []
    for name in ("site", "site_real"):
        for use in (False, True):
            tally, per_page = evaluate(ROOT / "tests" / "fixtures" / name, use)
            rows.append((name, "trafilatura + blocks" if use else "blocks", tally, per_page))
    print()
    for name, how, tally, per_page in rows:
        print(f"{name:10} {how:22} {tally.line()}  {per_page * 1000:.1f} ms/page")


if __name__ == "__main__":
    main()
