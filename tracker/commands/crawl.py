"""Crawl commands: crawl, sources add/list/remove, reports.

Thin: parse arguments, call `spiders.runner` / `tracker.db.reports_store`, print.
"""

from __future__ import annotations

from typing import Any

import click

from tracker.commands.support import echo_jsonl, pass_app


def _settings_option(values: tuple[str, ...]) -> dict[str, str]:
    pairs = {}
    for value in values:
        key, sep, setting = value.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected NAME=VALUE, got {value!r}", param_hint="-s")
        pairs[key.strip()] = setting
    return pairs


@click.command()
@click.argument("urls", nargs=-1)
@click.option(
    "--jobdir", metavar="DIR", help="Keep crawl state in DIR so an interrupted crawl resumes."
)
@click.option("--cache", is_flag=True, help="Cache HTTP responses (Scrapy HTTPCACHE) for re-runs.")
@click.option("--timeout", type=float, metavar="SECONDS", help="Per-request download timeout.")
@click.option(
    "-s", "--set", "settings", multiple=True, metavar="NAME=VALUE",
    help="Override a Scrapy setting, e.g. -s AUTOTHROTTLE_START_DELAY=0.",
)  # fmt: skip
@click.option(
    "-v", "--verbose", is_flag=True,
    help="One line per page: its reports, what was dropped and why, pages not read.",
)  # fmt: skip
@pass_app
def crawl(
    app,
    urls: tuple[str, ...],
    jobdir: str | None,
    cache: bool,
    timeout: float | None,
    settings: tuple[str, ...],
    verbose: bool,
) -> None:
    """Read pages where shoppers report abandoned-cart discounts; store the reports.

    Without URLs, crawls the sources added with `darkpool sources add`.
    Obeys robots.txt, throttles itself and follows pagination on the same site.
    Ctrl-C stops within seconds; pages already read are kept.

    \b
    Example:
      darkpool crawl https://example.com/abandoned-cart-discounts
      darkpool crawl --verbose https://example.com/forum/thread-42
    """
    from spiders.runner import run_crawl
    from tracker.db.engine import session_factory
    from tracker.db.reports_store import load_sources

    overrides: dict[str, Any] = _settings_option(settings)
    if timeout is not None:
        overrides["DOWNLOAD_TIMEOUT"] = timeout
    engine = app.engine()
    targets = list(urls)
    if not targets:
        with session_factory(engine).begin() as session:
            targets = load_sources(session)
    summary = run_crawl(
        app.db_url, targets, jobdir=jobdir, cache=cache, progress=None,
        overrides=overrides,
    )  # fmt: skip
    if verbose:
        for page in summary.page_lines:
            click.echo(page.line())
    click.echo(summary.line())


@click.group()
def sources() -> None:
    """Manage the start URLs `darkpool crawl` visits by default.

    \b
    Example:
      darkpool sources add https://example.com/abandoned-cart-discounts
      darkpool sources list
    """


@sources.command("add")
@click.argument("url")
@pass_app
def sources_add(app, url: str) -> None:
    """Add URL to the default crawl sources.

    \b
    Example:
      darkpool sources add https://example.com/forum/thread-42
    """
    from spiders.runner import check_urls
    from tracker.db.engine import session_factory
    from tracker.db.reports_store import save_source

    check_urls([url])
    with session_factory(app.engine()).begin() as session:
        created = save_source(session, url)
    click.echo(f"Added {url}." if created else f"{url} is already a source.")


@sources.command("list")
@pass_app
def sources_list(app) -> None:
    """List the default crawl sources, one per line.

    \b
    Example:
      darkpool sources list
    """
    from tracker.db.engine import session_factory
    from tracker.db.reports_store import load_sources

    with session_factory(app.engine()).begin() as session:
        for url in load_sources(session):
            click.echo(url)


@sources.command("remove")
@click.argument("url")
@pass_app
def sources_remove(app, url: str) -> None:
    """Remove URL from the default crawl sources.

    \b
    Example:
      darkpool sources remove https://example.com/forum/thread-42
    """
    from tracker.db.engine import session_factory
    from tracker.db.reports_store import delete_source
    from tracker.errors import CrawlError

    with session_factory(app.engine()).begin() as session:
        removed = delete_source(session, url)
    if not removed:
        raise CrawlError(f"not a source: {url}")
    click.echo(f"Removed {url}.")


@click.command()
@click.option("--retailer", metavar="DOMAIN", help="Only reports about this store domain.")
@click.option("--jsonl", is_flag=True, help="One JSON object per report (schema: docs/design.md).")
@pass_app
def reports(app, retailer: str | None, jsonl: bool) -> None:
    """Show what the spiders recorded.

    \b
    Example:
      darkpool reports --retailer ulta.com --jsonl
    """
    from tracker.db.engine import session_factory
    from tracker.db.reports_store import load_reports

    with session_factory(app.engine()).begin() as session:
        rows = [r.to_json() for r in load_reports(session, retailer)]
    if jsonl:
        echo_jsonl(rows)
        return
    for row in rows:
        click.echo(_report_line(row))
    click.echo(f"{len(rows)} reports.", err=True)


def _report_line(row: dict) -> str:
    store = row["retailer"]["name"] or row["retailer"]["domain"]
    domain = row["retailer"]["domain"] or "-"
    offer = row["offer"]
    if offer is None:
        what = "nothing"
    elif offer["type"] == "percent":
        high = f"–{offer['value_max']:g}" if offer["value_max"] else ""
        what = f"{offer['value']:g}{high}%"
    elif offer["type"] == "amount":
        what = f"{offer['value']:g} {offer['currency'] or ''}".strip()
    else:
        what = offer["type"]
    wait = row["wait_hours"]
    after = ""
    if wait is not None:
        low, high = wait["min"], wait["max"]
        if low == high:
            after = f" after {low:g} h"
        elif low is None:
            after = f" within {high:g} h"
        elif high is None:
            after = f" after {low:g}+ h"
        else:
            after = f" after {low:g}–{high:g} h"
    return f"{store} ({domain}): {what}{after}  [{row['source_url']}]"


COMMANDS = [crawl, sources, reports]
