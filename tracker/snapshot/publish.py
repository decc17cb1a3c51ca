"""The privacy boundary: write the published snapshot from the private store.

Only aggregates cross it, and every published cell rests on at least K
contributors (default 3), counted as identities ("alice", "Alice " are one):

- a retailer appears only when K contributors gave it carts or cart mail; its
  cart figures (rate, waits, survival) only when K contributors logged carts;
  its typical, largest and ladder offers only among offers K contributors got;
  each ladder step, offer-distribution row, month and survival step needs K
  (`tracker.analysis.stats.compute_stats` with `min_contributors`);
- a discount code only when K contributors saw that same code and nobody
  declared it single-use;
- differencing: each retailer's months are released in blocks that add at least
  K contributors' data and K carts, never the current month, and figures are
  measured as of the end of the released months (`tracker.analysis.release`), so
  a snapshot published a day later does not differ by one new cart;
- membership: contributor counts are published rounded down to a multiple of K
  and, per retailer, below the total; the total is published only from 2K
  contributors on. With exactly K contributors, every published retailer was
  necessarily seen by all of them, which the snapshot then does not say.

Nothing per-message crosses: no message, subject, source, address, display name
of a person, link, token or contributor id. Public reports keep the host of their
page only and the month they were seen; first and last seen are months.

The file is written next to its destination under a temporary name and renamed
into place, so a reader (the site) sees either the old snapshot or the new one.
The temporary name carries the writer's process id: a publish killed before its
rename (kill -9, power loss) leaves one, and the next publish to that place
removes every temporary file whose writer is gone. A destination that is the
private store itself (the same path, a symlink, a hard link or its journal) is
refused before anything is written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from glob import escape as glob_escape
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import pandas as pd
from sqlalchemy.orm import Session

from tracker import __version__
from tracker.analysis.exposure import KNOWN_FULL, exposure_score
from tracker.analysis.load import load_retailer_meta
from tracker.analysis.rows import OfferFigure, RetailerStats
from tracker.analysis.stats import StatsResult, run_public_stats
from tracker.errors import PublishError
from tracker.labels import missing
from tracker.snapshot.schema import SCHEMA_VERSION, create_snapshot, insert_rows
from tracker.text import public_name

HOURS_DIGITS = 1  # survival curve times: 6-minute resolution is plenty for a chart


@dataclass
class PublishSummary:
    path: Path
    retailers: int
    withheld: int
    contributors: int
    carts: int
    messages: int
    codes: int
    min_contributors: int

    def line(self) -> str:
        return (
            f"Published {self.retailers} retailers ({self.withheld} withheld below "
            f"K={self.min_contributors}), {self.carts} carts, {self.messages} cart emails, "
            f"{self.codes} shared codes from {self.contributors} contributors to {self.path}"
        )


def publish_snapshot(
    session: Session, out: Path, now: datetime, min_contributors: int
) -> PublishSummary:
    """Compute statistics from the store and write the k-anonymous snapshot to `out`."""
    if min_contributors < 1:
        raise PublishError(f"--min-contributors must be at least 1, got {min_contributors}")
    refuse_store_path(session, Path(out))
    result = run_public_stats(session, now, min_contributors)
    meta_retailers = load_retailer_meta(session)
    return write_snapshot(result, meta_retailers, Path(out), now, min_contributors)


def write_snapshot(
    result: StatsResult,
    retailer_meta: dict[str, tuple[str | None, str | None]],
    out: Path,
    now: datetime,
    min_contributors: int,
) -> PublishSummary:
    """Filter `result` by K and write it atomically to `out`."""
    rows = [r for r in result.rows if r["contributors"] >= min_contributors]
    keep = {r["retailer"]["domain"] for r in rows}
    codes = result.codes
    if not codes.empty:
        codes = codes[
            codes["domain"].isin(keep)
            & (codes["contributors"] >= min_contributors)
            & (codes["kind"].fillna("") != "single_use")
        ]
    pairs = result.contributors
    summary = PublishSummary(
        path=out,
        retailers=len(rows),
        withheld=len(result.rows) - len(rows),
        contributors=int(pairs[pairs["domain"].isin(keep)]["who"].nunique())
        if not pairs.empty
        else 0,
        carts=sum(r["carts"] for r in rows),
        messages=sum(r["cart_emails"] for r in rows),
        codes=len(codes),
        min_contributors=min_contributors,
    )
    tmp = _temp_path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temps(out)
        tmp.unlink(missing_ok=True)
        conn = create_snapshot(tmp)
        try:
            _write_all(conn, rows, result, keep, codes, retailer_meta, now, summary)
            conn.commit()
        finally:
            conn.close()
        os.replace(tmp, out)
    except OSError as exc:
        raise PublishError(f"cannot write snapshot {out}: {exc}") from exc
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
            leftover.unlink(missing_ok=True)
    return summary


def refuse_store_path(session: Session, out: Path) -> None:
    """Raise PublishError when `out` is the private store's file (or resolves to it).

    Replacing it would destroy the store; a symlink, `..`, a hard link or the store's
    -wal/-shm/-journal file are the same file.
    """
    url = session.get_bind().engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return
    store = Path(url.database).expanduser().resolve()
    target = out.expanduser().resolve()
    names = {store, *(store.with_name(store.name + s) for s in ("-wal", "-shm", "-journal"))}
    same = target in names
    if not same and target.exists() and store.exists():
        same = os.path.samefile(target, store)
    if same:
        raise PublishError(f"refusing to publish over the private store itself: {out}")


def _temp_path(out: Path) -> Path:
    return out.with_name(f".{out.name}.{os.getpid()}.tmp")


def _remove_stale_temps(out: Path) -> None:
    """Remove temporary snapshots beside `out` whose writing process no longer runs."""
    prefix = f".{out.name}."
    for path in out.parent.glob(f"{glob_escape(prefix)}*.tmp*"):
        pid = path.name[len(prefix) :].split(".", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def published_contributors(count: int, total: int, k: int) -> int:
    """A retailer's contributor count as published: a multiple of K, and below the
    total when the total is published, so "every contributor shopped here" never shows."""
    if total >= 2 * k:
        count = min(count, total - 1)
    return max(k, count // k * k)


def published_total(total: int, k: int) -> str:
    """The snapshot's contributor total: exact from 2K on, else only a bound."""
    return str(total) if total >= 2 * k else f"fewer than {2 * k}"


def _write_all(conn, rows, result, keep, codes, retailer_meta, now, summary) -> None:
    k = summary.min_contributors
    meta = {
        "created_at": now.isoformat(timespec="seconds"),
        "darkpool_version": __version__,
        "schema_version": SCHEMA_VERSION,
        "min_contributors": summary.min_contributors,
        "retailers": summary.retailers,
        "retailers_withheld": summary.withheld,
        "contributors": published_total(summary.contributors, k),
        "carts": summary.carts,
        "messages": summary.messages,
        "codes": summary.codes,
    }
    conn.executemany("INSERT INTO meta VALUES (?, ?)", [(k, str(v)) for k, v in meta.items()])
    retailer_rows = [_retailer_row(r, retailer_meta) for r in rows]
    for row, stats in zip(retailer_rows, rows, strict=True):
        row["contributors"] = published_contributors(row["contributors"], summary.contributors, k)
        row["exposure"] = _published_exposure(stats, row["contributors"])
    insert_rows(conn, "retailers", retailer_rows)
    ladder = [
        {
            "domain": r["retailer"]["domain"],
            "step": step["step"],
            "median_hours": step["median_hours"],
            "n": step["n"],
            **_offer_columns("offer", step["offer"]),
        }
        for r in rows
        for step in r["ladder"]
        if step["contributors"] >= summary.min_contributors
    ]
    insert_rows(conn, "ladder", ladder)
    insert_rows(conn, "survival", _survival_rows(result, keep))
    offers = result.offers
    if not offers.empty:
        offers = offers[offers["contributors"] >= summary.min_contributors]
    _insert_frame(conn, "offer_distribution", offers, keep,
                  ["domain", "type", "value", "currency", "messages"])  # fmt: skip
    if not codes.empty:
        codes = codes.assign(
            contributors=[published_contributors(int(n), summary.contributors, k)
                          for n in codes["contributors"]]
        )  # fmt: skip
    _insert_frame(conn, "codes", codes, keep, ["domain", "code", "contributors"])
    monthly = result.monthly
    if not monthly.empty:
        monthly = monthly[monthly["contributors"] >= k]
    _insert_frame(conn, "monthly", monthly, keep,
                  ["domain", "month", "cart_emails", "discounts"])  # fmt: skip
    insert_rows(conn, "reports", _report_rows(result, keep))


def _published_exposure(r: RetailerStats, contributors: int) -> int | None:
    """The exposure score with "widely known" read from the published contributor
    count: the exact count would otherwise be solvable from the score."""
    parts = r["exposure_parts"]
    reports = 0.5 * min(1, r["reports"] / KNOWN_FULL)
    known = round(reports + 0.5 * min(1, contributors / KNOWN_FULL), 4)
    return exposure_score(parts["likely"], parts["deep"], parts["predictable"], known)


def _retailer_row(r: RetailerStats, retailer_meta: dict) -> dict[str, Any]:
    """The `retailers` table's columns (tracker/snapshot/schema.py) for one retailer."""
    domain = r["retailer"]["domain"]
    category, country = retailer_meta.get(domain, (None, None))
    rate, first, disc = r["discount_rate"], r["hours_to_first_email"], r["hours_to_discount"]
    summary = r["report_summary"]
    codes = r["shared_vs_single_use"]
    return {
        "domain": domain,
        "name": public_name(r["retailer"]["name"], domain),
        "category": category,
        "country": country,
        "contributors": r["contributors"],
        "carts": r["carts"],
        "cart_emails": r["cart_emails"],
        "discount_rate": rate["value"],
        "discount_rate_low": rate["low"],
        "discount_rate_high": rate["high"],
        "first_email_median_h": first["median"],
        "first_email_p25_h": first["p25"],
        "first_email_p75_h": first["p75"],
        "first_email_n": first["n"],
        "discount_median_h": disc["median"],
        "discount_p25_h": disc["p25"],
        "discount_p75_h": disc["p75"],
        "discount_n": disc["n"],
        "discount_censored": disc["censored"],
        **_offer_columns("first_offer", r["first_discount"]),
        **_offer_columns("max_offer", r["max_discount"]),
        "escalates": _bool(r["escalates"]),
        "shared_code_share": codes["shared_share"] if codes else None,
        "expiry_median_h": r["expiry_hours"]["median"],
        "reports": r["reports"],
        "report_value_median": summary["value_median"] if summary else None,
        "report_wait_median_h": summary["wait_median_hours"] if summary else None,
        "reports_agree": _bool(r["reports_agree"]),
        "exposure": r["exposure"],
        "first_seen": r["first_seen"][:7] if r["first_seen"] else None,  # months only
        "last_seen": r["last_seen"][:7] if r["last_seen"] else None,
    }


def _offer_columns(prefix: str, offer: OfferFigure | None) -> dict[str, Any]:
    cells = _offer_cells(offer)
    return dict(
        zip((f"{prefix}_type", f"{prefix}_value", f"{prefix}_currency"), cells, strict=True)
    )


def _offer_cells(offer: OfferFigure | None) -> tuple:
    if not offer:
        return (None, None, None)
    return (offer["type"], offer["value"], offer["currency"])


def _bool(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _cell(value: Any) -> Any:
    """A plain Python value for sqlite3 (NaN and numpy scalars are not)."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if missing(value):
        return None
    return value


def _insert_frame(conn, table: str, frame: pd.DataFrame, keep: set, columns: list[str]) -> None:
    if frame.empty:
        return
    frame = frame[frame["domain"].isin(keep)]
    marks = ", ".join("?" * len(columns))
    rows = [tuple(_cell(v) for v in row) for row in frame[columns].itertuples(index=False)]
    conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def _survival_rows(result: StatsResult, keep: set) -> list[dict[str, Any]]:
    curve = result.survival
    if curve.empty:
        return []
    curve = curve[curve["domain"].isin(keep)].copy()
    curve["hours"] = curve["hours"].round(HOURS_DIGITS)
    # several times can round to one: keep the last point (survival after all of them)
    curve = curve.drop_duplicates(["domain", "hours"], keep="last")
    cols = ["domain", "hours", "survival", "low", "high", "at_risk"]
    return [
        {
            c: _cell(round(v, 6) if isinstance(v, float) else v)
            for c, v in zip(cols, row, strict=True)
        }
        for row in curve[cols].itertuples(index=False)
    ]


def _report_rows(result: StatsResult, keep: set) -> list[dict[str, Any]]:
    reports = result.reports
    if reports.empty:
        return []
    reports = reports[reports["domain"].isin(keep)]
    out = []
    for row in reports.itertuples(index=False):
        # pandas-stubs type a tuple's fields as any scalar: seen_h is float hours, url a str
        month = None
        if not missing(row.seen_h):
            nanoseconds = cast(float, row.seen_h) * 3.6e12
            month = pd.Timestamp(nanoseconds, unit="ns", tz="UTC").strftime("%Y-%m")
        cells = {
            "domain": row.domain,
            "offer_type": row.offer_type,
            "value": row.value,
            "value_max": row.value_max,
            "currency": row.currency,
            "wait_min_h": row.wait_min,
            "wait_max_h": row.wait_max,
            "source_host": _host(cast("str | None", row.url)),
            "seen_month": month,
        }
        out.append({c: _cell(v) for c, v in cells.items()})
    return out


def _host(url: str | None) -> str | None:
    """The host of a page, nothing more: no path, query, user or port."""
    if not url:
        return None
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None
