"""The privacy boundary: nothing personal from the private store reaches the snapshot."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cells import every_cell

from tracker import __version__
from tracker.db.engine import init_store, make_engine, session_factory
from tracker.db.reports_store import save_page_reports
from tracker.db.store import save_cart, save_records
from tracker.records import MessageRecord, OfferInfo, RetailerRef
from tracker.snapshot.publish import publish_snapshot
from tracker.snapshot.schema import SCHEMA_VERSION

NOW = datetime(2026, 11, 20, tzinfo=UTC)
T0 = NOW - timedelta(days=60)
BIG = RetailerRef("bigshop.test", "Big Shop")  # 4 contributors: published
MID = RetailerRef("midshop.test", "Mid Shop")  # exactly 3: published at K=3
SMALL = RetailerRef("tinyshop.test", "Tiny Shop")  # 2: withheld
PEOPLE = {
    "ann.private@example.org": "Annabel Quixote",
    "bob.hidden@example.net": "Bartholomew Zanzibar",
    "cy.secret@example.com": "Cyrilla Vantablack",
    "dee.personal@example.org": "Delphine Okonkwo-Marsh",
}
SHARED_CODE = "BIGSAVE15"  # seen by all four at bigshop: published
DUO_CODE = "DUOPAIR10"  # seen by two at bigshop: below K, not published
DECLARED_SINGLE = "MIDSINGLE3X"  # seen by three at midshop but declared single-use


@dataclass
class FakeReport:
    """A report as the spiders hand it to the store (ReportLike)."""

    key: str
    retailer_domain: str | None
    retailer_name: str | None
    offer_type: str | None
    value: float | None
    value_max: float | None
    currency: str | None
    wait_min: float | None
    wait_max: float | None
    snippet: str | None
    outcome: str = "discount"


def _messages(who: str, name: str, shop: RetailerRef, left: datetime, i: int) -> list:
    """Three cart mails full of things that must not cross the boundary."""
    local = who.split("@")[0]
    token = f"tok{abs(hash((who, shop.domain))) % 10**8:08d}ZQ"
    single = f"ONE-{local.upper()}-{i}K9"
    codes = {BIG.domain: SHARED_CODE, MID.domain: DECLARED_SINGLE, SMALL.domain: "TINYCODE5"}
    second = OfferInfo(
        "percent",
        10.0,
        code=codes[shop.domain],
        code_kind="single_use" if shop is MID else None,
        expires_at=left + timedelta(hours=72),
    )
    third = OfferInfo("percent", 15.0, code=single, code_kind="single_use")
    out = []
    for step, (hours, offer) in enumerate([(1, None), (24, second), (72, third)], start=1):
        out.append(
            MessageRecord(
                source=f"imap://{who}@mail.example.org/INBOX;UID={i}{step}",
                key=f"<{token}-{step}@mailer.{shop.domain}>",
                content_hash=f"{token}{step}" * 2,
                message_id=f"<{token}-{step}@mailer.{shop.domain}>",
                sent_at=left + timedelta(hours=hours),
                subject=f"{name}, you left something behind ({local})",
                sender_domain=f"mailer.{shop.domain}",
                retailer=shop,
                kind="abandoned_cart",
                confidence=0.9,
                offer=offer,
                extra={"link": f"https://{shop.domain}/cart?u={token}"},
            )
        )
    return out


def build_private_store(url: str) -> dict[str, set[str]]:
    """A store with carts, mail and reports; returns the secrets it holds, by kind."""
    engine = make_engine(url)
    init_store(engine)
    secrets: dict[str, set[str]] = {
        k: set() for k in ("address", "name", "subject", "source", "code", "id", "url")
    }
    members = {BIG: list(PEOPLE), MID: list(PEOPLE)[:3], SMALL: list(PEOPLE)[:2]}
    with session_factory(engine).begin() as s:
        for shop, who_list in members.items():
            for i, who in enumerate(who_list):
                left = T0 + timedelta(days=i)
                save_cart(s, shop, left, who, 60.0 + i, "EUR")
                recs = _messages(who, PEOPLE[who], shop, left, i)
                if shop is BIG and i < 2:
                    recs.append(
                        MessageRecord(
                            source=f"/home/{who.split('@')[0]}/Mail/duo.eml",
                            key=f"duo-{who}",
                            content_hash=f"duo-{who}",
                            sent_at=left + timedelta(hours=100),
                            subject=f"Last chance {PEOPLE[who]}",
                            retailer=shop,
                            kind="browse_abandonment",
                            offer=OfferInfo("amount", 5.0, "EUR", code=DUO_CODE),
                        )
                    )
                save_records(s, recs, contributor=who)
                secrets["address"].add(who)
                secrets["name"].update(PEOPLE[who].split())
                for rec in recs:
                    secrets["subject"].add(rec.subject)
                    secrets["source"].add(rec.source)
                    secrets["id"].add(rec.message_id or rec.key)
                    secrets["url"].add(rec.extra.get("link", rec.source))
                    if rec.offer and rec.offer.code not in (SHARED_CODE,):
                        secrets["code"].add(rec.offer.code)
        page = "https://forum.example.net/t/cart-tricks/123?user=annabelq&token=SeCrEtTok"
        save_page_reports(
            s,
            page,
            200,
            [
                FakeReport("r1", BIG.domain, "Big Shop", "percent", 15.0, None, None, 24, 48,
                           "annabelq wrote: Big Shop sent me 15% after a day"),
                FakeReport("r2", SMALL.domain, "Tiny Shop", "percent", 5.0, None, None, None, 24,
                           "tiny shop 5%"),
            ],
        )  # fmt: skip
        secrets["url"].update({page, "annabelq", "SeCrEtTok", "/t/cart-tricks/123"})
        secrets["subject"].add("annabelq wrote")
    engine.dispose()
    return secrets


@pytest.fixture
def published(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'private.sqlite'}"
    secrets = build_private_store(url)
    engine = make_engine(url)
    out = tmp_path / "out" / "snapshot.sqlite"
    with session_factory(engine).begin() as s:
        summary = publish_snapshot(s, out, NOW, min_contributors=3)
    engine.dispose()
    return out, secrets, summary


def test_no_private_value_in_any_byte_or_cell(published):
    out, secrets, _ = published
    blob = out.read_bytes().lower()
    cells = "\n".join(every_cell(out)).lower()
    # the scan can see: the published retailer, its shared code and the report host are there
    for present in (BIG.domain, SHARED_CODE, "forum.example.net"):
        assert present.lower().encode() in blob and present.lower() in cells
    checked = 0
    for kind, values in secrets.items():
        for value in values:
            needle = value.lower()
            assert needle.encode() not in blob, f"{kind} leaked into the file: {value!r}"
            assert needle not in cells, f"{kind} leaked into a cell: {value!r}"
            checked += 1
    assert checked > 50
    # the withheld retailer is nowhere, not even its name
    for absent in (SMALL.domain, SMALL.name, "TINYCODE5"):
        assert absent.lower().encode() not in blob


def test_snapshot_opens_with_plain_sqlite_and_carries_meta(published):
    out, _, summary = published
    conn = sqlite3.connect(out)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    meta = dict(conn.execute("SELECT key, value FROM meta"))
    domains = [r[0] for r in conn.execute("SELECT domain FROM retailers ORDER BY domain")]
    codes = conn.execute("SELECT domain, code, contributors FROM codes").fetchall()
    reports = conn.execute("SELECT domain, source_host, seen_month FROM reports").fetchall()
    ladder = conn.execute("SELECT step, median_hours, offer_value FROM ladder "
                          "WHERE domain = ? ORDER BY step", (BIG.domain,)).fetchall()  # fmt: skip
    offers = conn.execute("SELECT type, value, messages FROM offer_distribution "
                          "WHERE domain = ? ORDER BY value", (BIG.domain,)).fetchall()  # fmt: skip
    conn.close()
    # the 5 EUR offer came to two contributors only: below K, not in the distribution
    assert offers == [("percent", 10.0, 4), ("percent", 15.0, 4)]
    assert meta["min_contributors"] == "3"
    assert meta["schema_version"] == SCHEMA_VERSION
    assert meta["darkpool_version"] == __version__
    assert meta["created_at"] == NOW.isoformat(timespec="seconds")
    assert (meta["retailers"], meta["retailers_withheld"]) == ("2", "1")
    # 4 contributors, fewer than 2K: the total is only bounded, each count is "at least K"
    assert (meta["contributors"], meta["carts"]) == ("fewer than 6", "7")
    assert domains == [BIG.domain, MID.domain]
    assert codes == [(BIG.domain, SHARED_CODE, 3)]
    # a report is dated by when the crawl saw it (the clock at save), not by NOW
    private = sqlite3.connect(out.parent.parent / "private.sqlite")
    (seen_at,) = private.execute("SELECT seen_at FROM reports WHERE key = 'r1'").fetchone()
    private.close()
    assert reports == [(BIG.domain, "forum.example.net", str(seen_at)[:7])]
    # step 4 (the 5 EUR browse mail) reached only 2 contributors: below K, left out
    assert ladder == [(1, 1.0, None), (2, 24.0, 10.0), (3, 72.0, 15.0)]
    assert summary.line().startswith("Published 2 retailers (1 withheld below K=3)")
    assert [p.name for p in out.parent.iterdir()] == ["snapshot.sqlite"]  # no temp file left


def test_k_decides_who_is_published(tmp_path: Path, run_cli, db_url):
    build_private_store(db_url)
    out = tmp_path / "snap.sqlite"
    out.write_bytes(b"an older snapshot, replaced atomically")
    result = run_cli("publish", str(out), "--min-contributors", "2")
    assert result.exit_code == 0, result.output
    assert "Published 3 retailers (0 withheld below K=2)" in result.output
    conn = sqlite3.connect(out)
    domains = {r[0] for r in conn.execute("SELECT domain FROM retailers")}
    codes = {r[1] for r in conn.execute("SELECT * FROM codes")}
    conn.close()
    assert domains == {BIG.domain, MID.domain, SMALL.domain}
    # DUOPAIR10 now has its 2 contributors; a declared single-use code never crosses
    assert codes == {SHARED_CODE, DUO_CODE, "TINYCODE5"}
    assert run_cli("publish", str(out), "--min-contributors", "0").exit_code == 2
    strict = run_cli("publish", str(out), "-k", "5")
    assert "Published 0 retailers (3 withheld below K=5)" in strict.output
    assert every_cell(out) and all("bigshop" not in c for c in every_cell(out))


def test_an_empty_store_publishes_an_empty_snapshot(tmp_path: Path, run_cli):
    out = tmp_path / "empty.sqlite"
    result = run_cli("publish", str(out))
    assert result.exit_code == 0 and "Published 0 retailers" in result.output
    conn = sqlite3.connect(out)
    meta = dict(conn.execute("SELECT key, value FROM meta"))
    assert conn.execute("SELECT count(*) FROM retailers").fetchone() == (0,)
    conn.close()
    assert (meta["retailers"], meta["contributors"], meta["min_contributors"]) == (
        "0", "fewer than 6", "3"
    )  # fmt: skip


def test_publish_refuses_the_private_store_itself(tmp_path: Path, run_cli, db_url):
    build_private_store(db_url)
    store = tmp_path / "store.sqlite"
    before = every_cell(store)
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.sqlite").symlink_to(store)
    os.link(store, tmp_path / "hard.sqlite")
    aliases = [store, tmp_path / "sub" / ".." / "store.sqlite", tmp_path / "link.sqlite",
               tmp_path / "hard.sqlite", tmp_path / "store.sqlite-wal"]  # fmt: skip
    for alias in aliases:
        result = run_cli("publish", str(alias))
        assert result.exit_code == 1, (alias, result.output)
        assert result.stderr.count("\n") == 1 and "private store" in result.stderr
        assert "Traceback" not in result.output
    assert every_cell(store) == before
    assert sqlite3.connect(store).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert not (tmp_path / "store.sqlite-wal").exists() or every_cell(store) == before
    assert run_cli("publish", str(tmp_path / "snapshot.sqlite")).exit_code == 0


def test_a_publish_removes_what_a_killed_one_left(tmp_path: Path, run_cli, db_url):
    """A writer gone before its rename leaves a temp file; the next publish removes it."""
    build_private_store(db_url)
    out = tmp_path / "pub" / "snap.sqlite"
    out.parent.mkdir()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    stale = out.with_name(f".snap.sqlite.{gone.stdout.strip()}.tmp")
    stale.write_bytes(b"half a snapshot")
    stale.with_name(stale.name + "-journal").write_bytes(b"its journal")
    unrelated = out.with_name(".snap.sqlite.notapid.tmp")  # not ours: left alone
    unrelated.write_bytes(b"x")
    assert run_cli("publish", str(out)).exit_code == 0
    assert sorted(p.name for p in out.parent.iterdir()) == [unrelated.name, "snap.sqlite"]
