"""The labelled mail corpus is consistent: every .eml has a well-formed label and vice versa.

This checks the corpus, not the classifier: accuracy is measured elsewhere
(tests/unit/test_accuracy.py) against these labels.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser

import pytest
from paths import FIXTURES

from tracker.records import KINDS, OFFER_TYPES

CORPUS = FIXTURES / "mail"
LANGUAGES = {"en", "de", "fr", "it", "es"}
OFFER_KEYS = {"type", "value", "currency", "min_spend", "code", "expires_at"}
EMLS = sorted(p.name for p in CORPUS.glob("*.eml"))


@pytest.fixture(scope="module")
def labels() -> dict[str, dict]:
    return json.loads((CORPUS / "labels.json").read_text(encoding="utf-8"))


def test_every_eml_has_a_label_and_every_label_a_file(labels: dict[str, dict]) -> None:
    assert set(labels) == set(EMLS)
    assert len(EMLS) >= 80


@pytest.mark.parametrize("name", EMLS)
def test_message_parses_with_the_email_module(name: str) -> None:
    msg = BytesParser(policy=policy.compat32).parsebytes((CORPUS / name).read_bytes())
    assert msg["From"], name
    assert msg["Subject"], name
    assert any(part.get_content_maintype() == "text" for part in msg.walk()), name


def _check_offer(name: str, offer: dict) -> None:
    assert set(offer) == OFFER_KEYS, name
    assert offer["type"] in OFFER_TYPES, name
    for key in ("value", "min_spend"):
        assert offer[key] is None or isinstance(offer[key], float), (name, key)
    if offer["type"] in ("percent", "amount"):
        assert offer["value"] is not None and offer["value"] > 0, name
    if offer["type"] == "amount":
        assert offer["currency"] and len(offer["currency"]) == 3, name
    if offer["currency"] is not None:
        assert offer["currency"].isupper() and len(offer["currency"]) == 3, name
    if offer["expires_at"] is not None:
        when = datetime.fromisoformat(offer["expires_at"])
        assert when.utcoffset() == timedelta(0), name
        assert when > datetime(2026, 1, 1, tzinfo=UTC), name


def test_labels_follow_the_schema(labels: dict[str, dict]) -> None:
    for name, label in labels.items():
        assert set(label) == {"kind", "retailer", "language", "offer", "note"}, name
        assert label["kind"] in KINDS, name
        assert label["language"] in LANGUAGES, name
        assert label["retailer"] is None or (
            "." in label["retailer"] and label["retailer"].islower()
        ), name
        if label["offer"] is not None:
            assert label["kind"] not in ("transactional", "other"), name
            _check_offer(name, label["offer"])


def test_corpus_covers_every_kind_and_language(labels: dict[str, dict]) -> None:
    kinds = Counter(label["kind"] for label in labels.values())
    langs = Counter(label["language"] for label in labels.values())
    assert set(kinds) == set(KINDS)
    assert all(langs[lang] >= 10 for lang in LANGUAGES), langs
    offers = Counter(label["offer"]["type"] for label in labels.values() if label["offer"])
    assert set(offers) == set(OFFER_TYPES)
