"""Scoring crawled reports against a labelled page set: one definition of "right".

Labels are `tests/fixtures/site/labels.json` in shape: {"pages": {page: [report,
...]}} with each report {"retailer": {"domain", "name"}, "offer": {type, value,
value_max, currency} | null, "wait_hours": {min, max} | null} and, in newer
sets, "outcome" (discount | reminder_only | nothing_sent | unspecified). A page
may instead map to {"reports": [...], "language": ..., "layout": ...}.

A report found is matched one-to-one to a labelled report on the same page:
- retailer: same domain, or same folded name, or a name that names the other's
  domain ("Ulta" ~ ulta.com, or through the curated list: "M&S" ~
  marksandspencer.com);
- full: retailer + offer + wait + outcome all equal.
Precision is fully right reports / reports found. A found report without an
`outcome` (code older than the field) counts as `discount` when it has an offer,
else `unspecified`; a label without one is not checked on outcome.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from tracker.text import lookup_retailer
from tracker.text.names import normalize_name

OUTCOMES = ("discount", "reminder_only", "nothing_sent", "unspecified")


def page_reports(entry: list | dict) -> list[dict]:
    return entry if isinstance(entry, list) else entry.get("reports", [])


def page_group(page: str, entry: list | dict) -> tuple[str, str]:
    """(language, layout) of a page: from its entry, else from its file name
    ("de-forum.html" -> de, forum; "reddit.html" -> en, reddit)."""
    stem = page.rsplit("/", 1)[-1].split(".", 1)[0]
    parts = stem.split("-")
    lang = parts[0] if len(parts) > 1 and len(parts[0]) == 2 else "en"
    layout = parts[1] if lang == parts[0] and len(parts) > 1 else parts[0]
    if isinstance(entry, dict):
        lang = entry.get("language") or lang
        layout = entry.get("layout") or layout
    return str(lang), re.sub(r"\d+$", "", str(layout))


def outcome_of(report: dict) -> str:
    if report.get("outcome"):
        return report["outcome"]
    return "discount" if report.get("offer") else "unspecified"


def _key(name: str | None) -> str:
    return normalize_name(name or "").replace(" ", "").removeprefix("the")


def same_retailer(got: dict, want: dict) -> bool:
    a, b = got["retailer"], want["retailer"]
    if a.get("domain") and a.get("domain") == b.get("domain"):
        return True
    if a.get("name") and b.get("name") and _key(a["name"]) == _key(b["name"]):
        return True
    for named, site in ((a, b), (b, a)):
        known = lookup_retailer(named["name"]) if named.get("name") else None
        if known is not None and known.domain in (site.get("domain"), _curated(site)):
            return True
        key, domain = _key(named.get("name")), site.get("domain")
        if key and domain and len(key) >= 3:
            label = domain.split(".")[0].replace("-", "")
            if key == label or (len(label) >= 4 and (label in key or key in label)):
                return True
    return False


def _curated(retailer: dict) -> str | None:
    known = lookup_retailer(retailer["name"]) if retailer.get("name") else None
    return known.domain if known else None


def _offer(report: dict) -> tuple | None:
    offer = report.get("offer")
    if offer is None:
        return None
    nums = tuple(None if offer.get(k) is None else float(offer[k]) for k in ("value", "value_max"))
    return (offer["type"], *nums, offer.get("currency"))


def _wait(report: dict) -> tuple | None:
    wait = report.get("wait_hours")
    return None if wait is None else (wait.get("min"), wait.get("max"))


def fully_right(got: dict, want: dict) -> bool:
    if not same_retailer(got, want) or _offer(got) != _offer(want) or _wait(got) != _wait(want):
        return False
    return "outcome" not in want or outcome_of(got) == want["outcome"]


def describe(report: dict) -> str:
    who = report["retailer"].get("domain") or report["retailer"].get("name")
    return f"{who} offer={_offer(report)} wait={_wait(report)} outcome={outcome_of(report)}"


@dataclass
class Tally:
    labelled: int = 0
    found: int = 0
    retailer: int = 0
    full: int = 0

    def add(self, other: Tally) -> None:
        self.labelled += other.labelled
        self.found += other.found
        self.retailer += other.retailer
        self.full += other.full

    @property
    def retailer_recall(self) -> float:
        return self.retailer / self.labelled if self.labelled else 1.0

    @property
    def full_recall(self) -> float:
        return self.full / self.labelled if self.labelled else 1.0

    @property
    def precision(self) -> float:
        return self.full / self.found if self.found else 1.0

    def line(self) -> str:
        return (
            f"retailer recall {self.retailer_recall:.2f} ({self.retailer}/{self.labelled})  "
            f"full recall {self.full_recall:.2f} ({self.full}/{self.labelled})  "
            f"precision {self.precision:.2f} ({self.full}/{self.found})"
        )


@dataclass
class PageScore:
    tally: Tally
    misses: list[str] = field(default_factory=list)


def _match(
    got: list[dict], want: list[dict], same: Callable[[dict, dict], bool]
) -> tuple[int, list[dict], list[dict]]:
    """Greedy one-to-one matching; returns (matched, unmatched found, unmatched wanted)."""
    left = list(want)
    extra = []
    hits = 0
    for report in got:
        pick = next((w for w in left if same(report, w)), None)
        if pick is None:
            extra.append(report)
        else:
            left.remove(pick)
            hits += 1
    return hits, extra, left


def score_page(got: list[dict], want: list[dict]) -> PageScore:
    full, extra, missed = _match(got, want, fully_right)
    retailer, _, _ = _match(got, want, same_retailer)
    score = PageScore(Tally(len(want), len(got), retailer, full))
    score.misses += [f"missed   {describe(w)}" for w in missed]
    score.misses += [f"wrong    {describe(g)}" for g in extra]
    return score


def score_set(
    labels: dict,
    got: dict[str, list[dict]],
    title: str,
    groups: dict[str, tuple[str, str]] | None = None,
) -> Tally:
    """Print per page, per language and layout, and the total; return the total.

    `groups` gives (language, layout) per page where its name does not."""
    total = Tally()
    by_group: dict[str, Tally] = {}
    print(f"\n== {title} ==")
    for page, entry in sorted(labels.items()):
        score = score_page(got.get(page, []), page_reports(entry))
        total.add(score.tally)
        lang, layout = (groups or {}).get(page) or page_group(page, entry)
        for name in (f"language {lang}", f"layout {layout}"):
            by_group.setdefault(name, Tally()).add(score.tally)
        print(f"{page:32} {score.tally.line()}")
        for miss in score.misses:
            print(f"    {miss}")
    print(f"-- by language and layout ({title})")
    for name, tally in sorted(by_group.items()):
        print(f"{name:32} {tally.line()}")
    print(f"TOTAL {title}: {total.line()}")
    return total
