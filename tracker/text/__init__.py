"""Text understanding: str in, dataclasses out — no parsed mail, no database.

Mail (`tracker.mail`) and the spiders (`spiders`) read discounts, waits,
codes, expiries and store names through this surface; import-linter holds
that this package imports nothing of darkpool but `tracker.records`.
"""

from tracker.text.codes import PromoCode, code_kind, find_codes
from tracker.text.discounts import Discount, currency_code, find_discounts, parse_number
from tracker.text.domains import address_domain, host_of, registrable_domain
from tracker.text.expiry import Expiry, find_expiries
from tracker.text.language import detect_language
from tracker.text.names import (
    KnownRetailer,
    find_retailer_mentions,
    lookup_retailer,
    name_from_domain,
    normalize_name,
    public_name,
    retailer_for_domain,
    retailer_name,
)
from tracker.text.offers import OFFER_KINDS, extract_offer_from_text
from tracker.text.segments import main_text, segment_body, unwrap_lines
from tracker.text.waits import Wait, find_waits, may_mention_wait, parse_wait

__all__ = [
    "OFFER_KINDS",
    "Discount",
    "Expiry",
    "KnownRetailer",
    "PromoCode",
    "Wait",
    "address_domain",
    "code_kind",
    "currency_code",
    "detect_language",
    "extract_offer_from_text",
    "find_codes",
    "find_discounts",
    "find_expiries",
    "find_retailer_mentions",
    "find_waits",
    "host_of",
    "lookup_retailer",
    "main_text",
    "may_mention_wait",
    "name_from_domain",
    "normalize_name",
    "parse_number",
    "parse_wait",
    "public_name",
    "registrable_domain",
    "retailer_for_domain",
    "retailer_name",
    "segment_body",
    "unwrap_lines",
]
