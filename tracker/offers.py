"""Discounts and offers: shared by mail understanding and the spiders.

`find_discounts(text)` lists every discount a text mentions (see
`tracker.discounts`); `extract_offer(mail, kind)` picks the one offer a message
makes to its reader.
"""

from __future__ import annotations

from tracker.discounts import Discount, currency_code, find_discounts, parse_number

__all__ = ["Discount", "currency_code", "find_discounts", "parse_number"]
