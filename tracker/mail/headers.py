"""What a message's headers say about who is writing, whatever the body claims.

Shared by the classifier, the retailer resolver and sync's header triage, so
the three agree: a discussion list is people writing to people (list software
adds `List-Post`, Mailman and Google Groups their own headers; marketing
senders do not), and mail that failed its sender's own authentication (no or
broken DKIM and a failing SPF, as the receiving server recorded it) is not
the shop it claims to be.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

DISCUSSION_HEADERS = ("list-post", "x-mailman-version", "x-google-group-id", "mailing-list")
_DKIM_BAD_RE = re.compile(r"\bdkim=(?:fail|none|neutral|permerror|policy)\b", re.I)
_SPF_BAD_RE = re.compile(r"\bspf=(?:fail|softfail|permerror)\b", re.I)


def is_discussion_list(headers: Mapping[str, object]) -> bool:
    """True when list software marks the message as a post to a discussion list."""
    return any(name in headers for name in DISCUSSION_HEADERS)


def failed_authentication(headers: Mapping[str, str]) -> bool:
    """True when the receiving server found neither a valid DKIM signature nor a passing SPF."""
    results = headers.get("authentication-results", "")
    return bool(_DKIM_BAD_RE.search(results) and _SPF_BAD_RE.search(results))
