"""Journeys: windows, later carts closing earlier ones, cartless sequences by gaps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

from tracker.analysis.journeys import (
    build_journeys,
    carts_frame,
    messages_frame,
)

T0 = datetime(2026, 10, 1, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def cart(cid: int, who: str, left: float, retailer: int = 1) -> dict:
    return dict(cart_id=cid, contributor=who, retailer_id=retailer, left_at=at(left))


def mail(pk: int, who: str, sent: float, retailer: int = 1, percent: float | None = None) -> dict:
    return dict(
        message_pk=pk,
        contributor=who,
        retailer_id=retailer,
        sent_at=at(sent),
        kind="abandoned_cart",
        offer_type="percent" if percent else None,
        offer_value=percent,
    )


def by_pk(steps: pd.DataFrame) -> dict[int, dict]:
    return {int(r["message_pk"]): r for r in steps.to_dict("records")}


def test_window_and_delays():
    carts = carts_frame([cart(1, "ann", 0)])
    msgs = messages_frame(
        [
            mail(1, "ann", 1),
            mail(2, "ann", 24, percent=10.0),
            mail(3, "ann", 14 * 24 - 1),  # last hour of the 14-day window
            mail(4, "ann", 14 * 24 + 1),  # after it: cartless
            mail(5, "ann", -2),  # before the cart: cartless
        ]
    )
    j = build_journeys(carts, msgs)
    steps = by_pk(j.steps)
    assert [steps[pk]["cart_id"] for pk in (1, 2, 3)] == [1, 1, 1]
    assert [steps[pk]["hours"] for pk in (1, 2, 3)] == [1.0, 24.0, 335.0]
    assert [steps[pk]["step"] for pk in (1, 2, 3)] == [1, 2, 3]
    assert [steps[pk]["gap_hours"] for pk in (2, 3)] == [23.0, 311.0]
    assert pd.isna(steps[4]["cart_id"]) and pd.isna(steps[5]["cart_id"])
    assert steps[4]["seq"] < 0 and steps[5]["seq"] < 0 and steps[4]["seq"] != steps[5]["seq"]
    row = j.carts.iloc[0]
    assert (row["emails"], row["first_email_h"], row["first_discount_h"]) == (3, 1.0, 24.0)
    assert row["window_end_h"] - row["left_h"] == 14 * 24


def test_a_shorter_window_is_respected():
    j = build_journeys(
        carts_frame([cart(1, "ann", 0)]),
        messages_frame([mail(1, "ann", 47), mail(2, "ann", 49)]),
        window_hours=48,
    )
    steps = by_pk(j.steps)
    assert steps[1]["cart_id"] == 1 and pd.isna(steps[2]["cart_id"])


def test_later_cart_closes_the_earlier_window():
    carts = carts_frame([cart(1, "ann", 0), cart(2, "ann", 50)])
    msgs = messages_frame(
        [
            mail(1, "ann", 1),
            mail(2, "ann", 49),
            mail(3, "ann", 50),
            mail(4, "ann", 74, percent=15.0),
        ]
    )
    j = build_journeys(carts, msgs)
    steps = by_pk(j.steps)
    assert [steps[pk]["cart_id"] for pk in (1, 2, 3, 4)] == [1, 1, 2, 2]
    assert [steps[pk]["hours"] for pk in (1, 2, 3, 4)] == [1.0, 49.0, 0.0, 24.0]
    ends = j.carts.set_index("cart_id")["window_end_h"] - j.carts.set_index("cart_id")["left_h"]
    assert ends.to_dict() == {1: 50.0, 2: 14 * 24.0}
    assert j.carts.set_index("cart_id")["first_discount_h"].isna().tolist() == [True, False]


def test_mail_joins_only_the_same_contributor_and_retailer():
    carts = carts_frame([cart(1, "ann", 0, retailer=1)])
    msgs = messages_frame(
        [mail(1, "bob", 2, retailer=1), mail(2, "ann", 3, retailer=2), mail(3, "ann", 4)]
    )
    steps = by_pk(build_journeys(carts, msgs).steps)
    assert pd.isna(steps[1]["cart_id"]) and pd.isna(steps[2]["cart_id"])
    assert steps[3]["cart_id"] == 1 and steps[3]["step"] == 1


def test_cartless_mail_is_grouped_by_gaps():
    # 0, 24, 72 h: one sequence (gaps 24, 48 <= 120); 72 + 200 h: a new one
    msgs = messages_frame(
        [mail(1, "ann", 0), mail(2, "ann", 24), mail(3, "ann", 72), mail(4, "ann", 272)]
    )
    j = build_journeys(carts_frame([]), msgs)
    steps = by_pk(j.steps)
    assert steps[1]["seq"] == steps[2]["seq"] == steps[3]["seq"] != steps[4]["seq"]
    assert [steps[pk]["step"] for pk in (1, 2, 3, 4)] == [1, 2, 3, 1]
    assert pd.isna(steps[1]["gap_hours"]) and pd.isna(steps[4]["gap_hours"])
    assert [steps[pk]["gap_hours"] for pk in (2, 3)] == [24.0, 48.0]
    assert all(pd.isna(steps[pk]["hours"]) for pk in (1, 2, 3, 4))
    tight = by_pk(build_journeys(carts_frame([]), msgs, gap_hours=30).steps)
    assert tight[2]["seq"] == tight[1]["seq"] != tight[3]["seq"]
