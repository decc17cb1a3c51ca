"""The site's figures and text, without Streamlit: report table, survival sentence, audit."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tracker.site import figures
from tracker.site.ui import escape_md


def test_report_table_reads_as_text_with_blanks_for_missing_parts():
    reports = pd.DataFrame(
        [
            ("percent", 15.0, None, None, 24.0, 48.0, "forum.example.net", "2026-11"),
            ("percent", None, 40.0, None, None, 72.0, "blog.example.org", "2026-10"),
            ("amount", 10.0, None, "EUR", 24.0, 24.0, "blog.example.org", None),
            ("free_shipping", None, None, None, None, None, "forum.example.net", "2026-09"),
        ],
        columns=["offer_type", "value", "value_max", "currency", "wait_min_h", "wait_max_h",
                 "source_host", "seen_month"],
    )  # fmt: skip
    table = figures.report_table(reports)
    assert list(table.columns) == ["Offer", "Wait", "Site", "Seen"]
    assert table.values.tolist() == [
        ["15%", "24–48 h", "forum.example.net", "2026-11"],
        ["up to 40%", "72 h", "blog.example.org", "2026-10"],
        ["10 EUR", "24 h", "blog.example.org", "—"],
        ["free shipping", "", "forum.example.net", "2026-09"],
    ]


def test_escape_md_leaves_no_markup():
    assert escape_md("**bold** [x](javascript:alert(1))") == (
        r"\*\*bold\*\* \[x\]\(javascript\:alert\(1\)\)"
    )
    assert escape_md("a\nb   c") == "a b c"


def test_still_get_one_by_hand():
    # 10 carts: 4 discounts at 24 h, 2 at 72 h, 4 never (the curve ends at 0.4)
    curve = pd.DataFrame({"hours": [0.0, 24.0, 72.0, 120.0], "survival": [1.0, 0.6, 0.4, 0.4]})
    # of the 6 carts without a discount at 48 h, 2 still got one: 1/3
    assert figures.still_get_one(curve, 48) == pytest.approx(1 / 3)
    assert figures.survival_sentence(curve) == "If nothing came by 48 h, 33% still get one."
    short = curve[curve.hours <= 24]
    assert figures.still_get_one(short, 48) is None
    assert "No cart was followed beyond 48 h" in figures.survival_sentence(short)
    done = pd.DataFrame({"hours": [0.0, 12.0, 60.0], "survival": [1.0, 0.0, 0.0]})
    assert figures.survival_sentence(done) == "Every followed cart had a discount by 48 h."


def test_audit_markdown_ranks_against_category_peers(tmp_path: Path):
    retailers = pd.DataFrame(
        {
            "domain": ["a.com", "b.com", "c.com", "d.com"],
            "name": ["A", "B", "C", "D"],
            "category": ["fashion", "fashion", "fashion", "home"],
            "discount_rate": [0.8, 0.5, 0.6, 0.9],
            "first_email_median_h": [1.0, 2.0, 3.0, 1.0],
            "discount_median_h": [24.0, 48.0, 30.0, 10.0],
            "first_offer_value": [10.0, 15.0, 20.0, 5.0],
            "max_offer_value": [15.0, 15.0, 20.0, 5.0],
            "reports": [3, 0, 1, 9],
            "exposure": [70, 40, 60, 90],
        }
    )
    table = figures.audit_table(retailers, "a.com").set_index("figure")
    # peers are B and C (same category); D (home) is left out
    assert table.loc["Discount rate", "peer_median"] == pytest.approx(0.55)
    assert table.loc["Discount rate", "rank"] == "1 of 3"
    assert table.loc["Exposure (0–100)", "rank"] == "1 of 3"
    report = figures.audit_markdown(retailers, "a.com", "2026-11-20", escape_md)
    assert report.startswith("# Abandoned-cart exposure audit: A")
    assert "Peers: B, C" in report
