"""Statistics on small cases whose expected numbers are worked out by hand below."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from tracker.analysis.exposure import EXPOSURE_FORMULA_MD, exposure_score
from tracker.analysis.journeys import RETAILER_COLUMNS, JourneyData, carts_frame, messages_frame
from tracker.analysis.load import REPORT_COLUMNS
from tracker.analysis.stats import compute_stats, wilson_interval
from tracker.analysis.survival import (
    GRID_HOURS,
    coarsen_curves,
    kaplan_meier,
    kaplan_meier_by_group,
)

Z = 1.959963984540054  # the 97.5% quantile of the standard normal
T0 = datetime(2026, 10, 1, tzinfo=UTC)
NOW = T0 + timedelta(days=40)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_wilson_interval_three_of_five_by_hand():
    # p = 0.6, z^2 = 3.841459; 1 + z^2/n = 1.768292
    # centre = (0.6 + z^2/10) / 1.768292 = 0.984146 / 1.768292 = 0.556552
    # half = z * sqrt(0.6*0.4/5 + z^2/100) / 1.768292 = z * sqrt(0.086415) / 1.768292 = 0.325824
    z2 = Z * Z
    denom = 1 + z2 / 5
    centre = (0.6 + z2 / 10) / denom
    half = Z * math.sqrt(0.6 * 0.4 / 5 + z2 / 100) / denom
    p, low, high = wilson_interval(3, 5)
    assert p == pytest.approx(0.6)
    assert low == pytest.approx(centre - half) and low == pytest.approx(0.2307, abs=1e-4)
    assert high == pytest.approx(centre + half) and high == pytest.approx(0.8824, abs=1e-4)


def test_wilson_interval_at_the_edges():
    # k = 0: centre = half = (z^2/2n) / (1 + z^2/n), so low = 0 and high = z^2 / (n + z^2)
    p, low, high = wilson_interval(0, 4)
    assert (p, low) == (0.0, 0.0)
    assert high == pytest.approx(Z * Z / (4 + Z * Z))
    # k = n mirrors it: high = 1, low = n / (n + z^2)
    p, low, high = wilson_interval(4, 4)
    assert (p, high) == (1.0, 1.0)
    assert low == pytest.approx(4 / (4 + Z * Z))
    # n = 0 measures nothing
    assert all(np.isnan(x) for x in wilson_interval(0, 0)[:1])


def test_kaplan_meier_with_ties_and_censoring_by_hand():
    # durations 24e 24e 30c 48e 60c 72e 336c (e = discount, c = censored)
    # t=24: 7 at risk, 2 events -> S = 5/7           (0.714)
    # t=30: one censored, 4 stay at risk
    # t=48: 4 at risk, 1 event  -> S = 5/7 * 3/4 = 15/28   (0.536)
    # t=60: one censored, 2 stay at risk
    # t=72: 2 at risk, 1 event  -> S = 15/28 * 1/2 = 15/56 (0.268)
    # median: first t with S <= 0.5 -> 72; p25 (S <= 0.75) -> 24; p75 (S <= 0.25) never
    durations = [24, 24, 30, 48, 60, 72, 336]
    events = [1, 1, 0, 1, 0, 1, 0]
    km = kaplan_meier(np.array(durations), np.array(events))
    curve = km.curve.set_index("hours")
    assert curve.loc[24.0, "survival"] == pytest.approx(5 / 7)
    assert curve.loc[48.0, "survival"] == pytest.approx(15 / 28)
    assert curve.loc[72.0, "survival"] == pytest.approx(15 / 56)
    assert curve.loc[336.0, "survival"] == pytest.approx(15 / 56)
    assert list(curve["at_risk"].loc[[24.0, 48.0, 72.0]]) == [7, 4, 2]
    assert (km.median, km.p25, km.p75) == (72.0, 24.0, None)
    assert (km.n, km.censored) == (7, 3)


def test_kaplan_meier_quantile_exactly_on_a_step():
    # 4 carts, events at 25, 26, 27, one censored at 336: S = 3/4, 1/2, 1/4.
    # S(25) is exactly 0.75, so the time by which 25% got a discount is 25 (not 26),
    # and S(27) = 0.25 exactly gives p75 = 27.
    km = kaplan_meier(np.array([25, 26, 27, 336]), np.array([1, 1, 1, 0]))
    assert (km.p25, km.median, km.p75) == (25.0, 26.0, 27.0)


def _lifelines_km(durations: np.ndarray, events: np.ndarray):
    """The oracle: lifelines' own KaplanMeierFitter on one group."""
    from lifelines import KaplanMeierFitter

    events = np.asarray(events, dtype=bool)
    kmf = KaplanMeierFitter().fit(np.asarray(durations, dtype=float), events)
    sf = kmf.survival_function_.iloc[:, 0]
    ci = kmf.confidence_interval_survival_function_
    curve = pd.DataFrame(
        {
            "hours": sf.index.to_numpy(dtype=float),
            "survival": sf.to_numpy(),
            "low": ci.iloc[:, 0].to_numpy(),
            "high": ci.iloc[:, 1].to_numpy(),
            "at_risk": kmf.event_table["at_risk"].reindex(sf.index).to_numpy(),
        }
    )
    return curve


def _first_at(curve: pd.DataFrame, q: float) -> float | None:
    hit = curve[curve["survival"].round(12) <= q]
    return None if hit.empty else float(hit["hours"].iloc[0])


def test_kaplan_meier_equals_lifelines_per_group():
    """The grouped estimator gives lifelines' own curves, bands and medians."""
    rng = np.random.default_rng(5)
    sizes = rng.integers(1, 30, 60)
    groups = np.repeat(np.arange(60), sizes)
    durations = rng.integers(0, 40, groups.size) * 6.0  # whole 6-hour steps: many ties
    events = rng.random(groups.size) < 0.6
    events[groups == 7] = False  # a retailer that never gave a discount
    events[groups == 8] = True  # one where every cart got one
    batch, curves = kaplan_meier_by_group(groups, durations, events)
    assert sorted(batch) == list(range(60))
    for g in range(60):
        mask = groups == g
        ref_curve = _lifelines_km(durations[mask], events[mask])
        got = batch[g]
        expected = tuple(_first_at(ref_curve, q) for q in (0.5, 0.75, 0.25))
        assert (got.median, got.p25, got.p75) == expected
        assert (got.n, got.censored) == (int(mask.sum()), int((~events[mask]).sum()))
        curve = curves[curves["g"] == g].drop(columns="g").reset_index(drop=True)
        pd.testing.assert_frame_equal(curve, ref_curve, check_dtype=False, rtol=1e-9)
        one = kaplan_meier(durations[mask], events[mask])  # the single-retailer entry point
        assert (one.median, one.p25, one.p75) == (got.median, got.p25, got.p75)
        pd.testing.assert_frame_equal(one.curve, curve, check_dtype=False)
    assert batch[7].median is None and curves[curves["g"] == 8]["survival"].iloc[-1] == 0.0


def test_exposure_score_weights_and_missing_parts():
    assert exposure_score(1.0, 1.0, 1.0, 1.0) == 100
    assert exposure_score(0.0, 0.0, 0.0, 0.0) == 0
    # 100 * (0.35*0.5 + 0.25*1.0 + 0.2*0 + 0.2*0.5) / 1 = 52.5 -> 52 (round half to even)
    assert exposure_score(0.5, 1.0, 0.0, 0.5) == 52
    # predictable unknown: weights renormalise over 0.8
    # 100 * (0.35*1 + 0.25*0.2 + 0.2*0) / 0.8 = 50
    assert exposure_score(1.0, 0.2, None, 0.0) == 50
    assert exposure_score(None, 1.0, 1.0, 1.0) is None
    assert "Exposure" in EXPOSURE_FORMULA_MD and "0.35" in EXPOSURE_FORMULA_MD


def _cart(cid: int, who: str, left: float) -> dict:
    return dict(
        cart_id=cid, contributor=who, retailer_id=1, left_at=at(left), value=50.0, currency="EUR"
    )


def _mail(pk: int, who: str, sent: float, percent: float | None = None, **extra) -> dict:
    row = dict(
        message_pk=pk,
        contributor=who,
        retailer_id=1,
        sent_at=at(sent),
        kind="abandoned_cart",
        offer_type="percent" if percent else None,
        offer_value=percent,
        offer_currency=None,
        code=None,
        code_kind=None,
        expires_at=None,
    )
    row.update(extra)
    return row


def _reports(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=REPORT_COLUMNS)
    for col in ("value", "value_max", "wait_min", "wait_max", "seen_h"):
        frame[col] = frame[col].astype(float)
    return frame


def hand_case() -> tuple[JourneyData, pd.DataFrame]:
    """Seven carts of shop.test whose outcomes are the KM example above.

    c1 ann, c2 bob: reminder at 1 h, 10% at 24 h (a tie)
    c3 cy: left 30 h before now, nothing yet -> censored at 30 h, outcome unknown
    c4 dee: reminder at 2 h, 15% at 48 h
    c5 eve: reminder at 1 h; eve's next cart c6 at 60 h closes the window -> censored 60
    c6 eve: 20% at 72 h
    c7 fay: no mail at all -> censored at the window end, 336 h
    """
    now_h = (NOW - T0).total_seconds() / 3600
    carts = carts_frame(
        [
            _cart(1, "ann", 0),
            _cart(2, "bob", 0),
            _cart(3, "cy", now_h - 30),
            _cart(4, "dee", 0),
            _cart(5, "eve", 0),
            _cart(6, "eve", 60),
            _cart(7, "fay", 0),
        ]
    )
    messages = messages_frame(
        [
            _mail(1, "ann", 1),
            _mail(2, "ann", 24, 10.0),
            _mail(3, "bob", 1),
            _mail(4, "bob", 24, 10.0),
            _mail(5, "dee", 2),
            _mail(6, "dee", 48, 15.0),
            _mail(7, "eve", 1),
            _mail(8, "eve", 60 + 72, 20.0),
        ]
    )
    retailers = pd.DataFrame([[1, "shop.test", "Shop", None, None]], columns=RETAILER_COLUMNS)
    reports = _reports(
        [
            # 15%, after 24-48 h: value 15, wait midpoint 36
            dict(retailer_id=1, offer_type="percent", value=15.0, wait_min=24.0, wait_max=48.0),
            # 10-15%, within 24 h: value midpoint 12.5, wait 24
            dict(retailer_id=1, offer_type="percent", value=10.0, value_max=15.0, wait_max=24.0),
        ]
    )
    return JourneyData(retailers, carts, messages), reports


def test_compute_stats_on_the_hand_case():
    data, reports = hand_case()
    (row,) = compute_stats(data, reports, NOW).rows
    assert row["retailer"] == {"domain": "shop.test", "name": "Shop"}
    assert (row["contributors"], row["carts"], row["cart_emails"]) == (6, 7, 8)
    # 4 discounts (c1 c2 c4 c6) over 6 carts with a known outcome (c3 still waits)
    p, low, high = (float(x) for x in wilson_interval(4, 6))
    assert row["discount_rate"] == {
        "value": round(4 / 6, 4),
        "low": round(low, 4),
        "high": round(high, 4),
        "n": 6,
    }
    # first emails at 1, 1, 2, 1 and 72 h: sorted 1 1 1 2 72 -> p25 1, median 1, p75 2
    assert row["hours_to_first_email"] == {"median": 1.0, "p25": 1.0, "p75": 2.0, "n": 5}
    assert row["hours_to_discount"] == {
        "median": 72.0,
        "p25": 24.0,
        "p75": None,
        "n": 7,
        "censored": 3,
    }
    assert row["first_discount"] == {"type": "percent", "value": 10.0, "currency": None}
    assert row["max_discount"] == {"type": "percent", "value": 20.0, "currency": None}
    assert row["escalates"] is None  # no sequence carries two offers


def test_ladder_on_the_hand_case():
    data, reports = hand_case()
    (row,) = compute_stats(data, reports, NOW).rows
    # 5 sequences with mail (c1 c2 c4 c5 c6). Step 1: 1, 1, 2, 1 and 72 h, mostly no offer.
    # Step 2: c1 c2 c4 at 24, 24, 48 h (gaps 23, 23, 46), mostly 10%.
    assert row["sequences"] == 5
    assert row["ladder"] == [
        {"step": 1, "median_hours": 1.0, "gap_hours": None, "n": 5, "n_from_cart": 5,
         "contributors": 4, "offer": None},
        {"step": 2, "median_hours": 24.0, "gap_hours": 23.0, "n": 3, "n_from_cart": 3,
         "contributors": 3, "offer": {"type": "percent", "value": 10.0, "currency": None}},
    ]  # fmt: skip


def test_reports_and_exposure_on_the_hand_case():
    data, reports = hand_case()
    (row,) = compute_stats(data, reports, NOW).rows
    assert row["reports"] == 2
    # values 15 and 12.5 -> median 13.75; waits 36 and 24 -> median 30
    assert row["report_summary"] == {"value_median": 13.75, "wait_median_hours": 30.0}
    # value: |13.75 - 10| = 3.75 <= 5 agrees; wait: |30 - 72| = 42 > max(12, 36) disagrees
    assert row["reports_agree"] is False
    # likely 4/6; deep 20/30; predictable from delays 24 24 48 72:
    #   p25 24, median 36, p75 54 -> 1 / (1 + 30/36) = 36/66
    # known 0.5 * 2/10 + 0.5 * 6/10 = 0.4
    likely, deep, predictable, known = 4 / 6, 20 / 30, 36 / 66, 0.4
    assert row["exposure_parts"] == {
        "likely": round(likely, 4),
        "deep": round(deep, 4),
        "predictable": round(predictable, 4),
        "known": round(known, 4),
    }
    expected = 100 * (0.35 * likely + 0.25 * deep + 0.2 * predictable + 0.2 * known)
    assert row["exposure"] == round(expected) == 59


def test_escalation_codes_and_expiry():
    carts = carts_frame([_cart(1, "ann", 0), _cart(2, "bob", 0), _cart(3, "cy", 0)])
    messages = messages_frame(
        [
            # ann: 10% then 15% (escalates); bob: 10% then 10% (flat); cy: 10% then 20%
            _mail(1, "ann", 24, 10.0, code="SAVE10", expires_at=at(72)),  # expires 48 h later
            _mail(2, "ann", 72, 15.0, code="A-1", code_kind="single_use"),
            _mail(3, "bob", 24, 10.0, code="SAVE10", expires_at=at(48)),  # 24 h later
            _mail(4, "bob", 72, 10.0, code="B-2"),
            _mail(5, "cy", 24, 10.0, code="SAVE10", expires_at=at(24 + 96)),  # 96 h later
            _mail(6, "cy", 72, 20.0),
        ]
    )
    retailers = pd.DataFrame([[1, "shop.test", "Shop", None, None]], columns=RETAILER_COLUMNS)
    (row,) = compute_stats(JourneyData(retailers, carts, messages), _reports([]), NOW).rows
    assert row["escalates"] is True  # 2 of 3 sequences end higher
    # SAVE10 seen by 3 contributors -> shared (3 offers); A-1 declared single-use;
    # B-2 seen by one contributor, undeclared -> unknown
    assert row["shared_vs_single_use"] == {
        "shared": 3,
        "single_use": 1,
        "unknown": 1,
        "shared_share": 0.75,
    }
    # expiry windows 48, 24, 96 h -> sorted 24 48 96: p25 36, median 48, p75 72
    assert row["expiry_hours"] == {"median": 48.0, "p25": 36.0, "p75": 72.0, "n": 3}
    assert row["reports"] == 0 and row["reports_agree"] is None


def test_unmeasurable_fields_are_null():
    """Cart mail without any logged cart: no rate, no waits, but the gaps still count."""
    messages = messages_frame([_mail(1, "ann", 0), _mail(2, "ann", 30)])
    retailers = pd.DataFrame([[1, "shop.test", "Shop", None, None]], columns=RETAILER_COLUMNS)
    (row,) = compute_stats(
        JourneyData(retailers, carts_frame([]), messages), _reports([]), NOW
    ).rows
    assert row["carts"] == 0
    assert row["discount_rate"] == {"value": None, "low": None, "high": None, "n": 0}
    assert row["hours_to_discount"]["median"] is None and row["hours_to_discount"]["n"] == 0
    assert row["hours_to_first_email"]["n"] == 0
    assert row["first_discount"] is None and row["max_discount"] is None
    assert row["ladder"][1]["gap_hours"] == 30.0 and row["ladder"][1]["median_hours"] is None
    # likely falls back to the share of sequences with an offer (0 of 1), deep 0 (none seen)
    assert row["exposure_parts"]["likely"] == 0.0 and row["exposure_parts"]["deep"] == 0.0
    assert row["exposure_parts"]["predictable"] is None


def test_every_published_survival_step_rests_on_k_contributors():
    """Coarse curves: grid times only, each drop from K people's discounts, exact heights."""
    rng = np.random.default_rng(11)
    n = 600
    frame = pd.DataFrame(
        {
            "g": rng.integers(0, 15, n),
            "t": rng.integers(0, 120, n) * 1.7,  # off the grid, with ties and zeros
            "e": rng.random(n) < 0.7,
            "who": rng.integers(0, 6, n),
        }
    )
    _, exact = kaplan_meier_by_group(frame["g"].to_numpy(), frame["t"].to_numpy(),
                                     frame["e"].to_numpy())  # fmt: skip
    fits, coarse = coarsen_curves(exact, frame, 3)
    assert sorted(fits) == sorted(frame["g"].unique())
    for g, rows in coarse.groupby("g"):
        hours, survival = rows["hours"].tolist(), rows["survival"].tolist()
        assert (hours[0], survival[0]) == (0.0, 1.0)
        assert set(hours) <= set(GRID_HOURS) and hours == sorted(hours)
        events = frame[(frame["g"] == g) & frame["e"]]
        truth = exact[exact["g"] == g]
        for lo, hi, s in zip(hours, hours[1:], survival[1:], strict=False):
            inside = events[(events["t"] > lo) | ((lo == 0) & (events["t"] >= 0))]
            assert inside[inside["t"] <= hi]["who"].nunique() >= 3
            assert s == truth[truth["hours"] <= hi]["survival"].iloc[-1]
        first_half = next((h for h, s in zip(hours, survival, strict=True) if round(s, 12) <= 0.5),
                          None)  # fmt: skip
        assert fits[g].median == first_half
        assert fits[g].n == int((frame["g"] == g).sum())


def test_reports_of_no_discount_agree_with_mail_that_measured_none():
    carts = carts_frame([_cart(1, "ann", 0), _cart(2, "bob", 0)])
    messages = messages_frame([_mail(1, "ann", 2), _mail(2, "bob", 3)])  # reminders, no offer
    retailers = pd.DataFrame([[1, "shop.test", "Shop", None, None]], columns=RETAILER_COLUMNS)
    data = JourneyData(retailers, carts, messages)
    said_none = _reports(
        [
            dict(retailer_id=1, wait_min=3.0, wait_max=3.0, outcome="reminder_only"),
            dict(retailer_id=1, outcome="nothing_sent"),
        ]
    )
    (row,) = compute_stats(data, said_none, NOW).rows
    assert row["reports"] == 2 and row["reports_agree"] is True
    assert row["report_summary"] == {"value_median": None, "wait_median_hours": None}
    said_offer = _reports([dict(retailer_id=1, offer_type="percent", value=15.0, wait_max=24.0)])
    (row,) = compute_stats(data, said_offer, NOW).rows
    assert row["reports_agree"] is False
    hand, _ = hand_case()  # mail measured 10% first: "nothing came" disagrees
    (row,) = compute_stats(hand, said_none, NOW).rows
    assert row["reports_agree"] is False
