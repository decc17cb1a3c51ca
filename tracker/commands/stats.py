"""stats commands: journeys, stats, publish (thin: parse, call one function, print)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from tracker.commands.support import echo_jsonl, pass_app
from tracker.config import DEFAULT_MIN_CONTRIBUTORS


def _session(app):
    from tracker.db.engine import session_factory

    return session_factory(app.engine())()


def _warn_skipped(session) -> None:
    """Say on stderr which stored rows the analysis left out for their dates."""
    from tracker.db.bounds import window_text
    from tracker.db.store import count_out_of_window

    counts = count_out_of_window(session)
    parts = [f"{n:,} {name if n != 1 else name[:-1]}" for name, n in counts.items() if n]
    if parts:
        click.echo(
            f"warning: skipped {' and '.join(parts)} dated outside {window_text()}", err=True
        )


@click.command()
@click.option("--retailer", metavar="DOMAIN", help="Only this retailer (its domain).")
@click.option("--jsonl", is_flag=True, help="One JSON object per journey.")
@pass_app
def journeys(app, retailer: str | None, jsonl: bool) -> None:
    """Show each logged cart with the cart mail that followed it.

    Cart mail without a logged cart is shown as a sequence with gaps only.

    \b
    Example:
      darkpool journeys --retailer levi.com
    """
    from tracker.analysis.journeys import describe_journey
    from tracker.analysis.load import load_journeys

    with _session(app) as session:
        rows = load_journeys(session, retailer)
        _warn_skipped(session)
    if jsonl:
        echo_jsonl(rows)
        return
    for row in rows:
        click.echo(describe_journey(row))
    if not rows:
        click.echo("No journeys yet: log a cart with `darkpool cart add` and import your mail.")


@click.command()
@click.option("--retailer", metavar="DOMAIN", help="Only this retailer (its domain).")
@click.option(
    "--jsonl", is_flag=True, help="One JSON object per retailer (schema: docs/design.md)."
)
@pass_app
def stats(app, retailer: str | None, jsonl: bool) -> None:
    """Per-retailer statistics: discount rate, waits, offers, ladder, exposure.

    \b
    Example:
      darkpool stats --jsonl
      darkpool stats --retailer levi.com
    """
    from tracker.analysis.measures import describe_stats
    from tracker.analysis.stats import run_stats

    with _session(app) as session:
        result = run_stats(session, now=datetime.now(UTC), retailer=retailer)
        _warn_skipped(session)
    if jsonl:
        echo_jsonl(result.rows)
        return
    for line in describe_stats(result.rows):
        click.echo(line)


@click.command()
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--min-contributors",
    "-k",
    type=click.IntRange(min=1),
    default=DEFAULT_MIN_CONTRIBUTORS,
    show_default=True,
    help="Publish a retailer (or a code) only when this many contributors saw it.",
)
@pass_app
def publish(app, out: Path, min_contributors: int) -> None:
    """Write the PII-free, k-anonymous snapshot the site reads.

    \b
    Example:
      darkpool publish snapshot.sqlite --min-contributors 3
    """
    from tracker.snapshot.publish import publish_snapshot

    with _session(app) as session:
        summary = publish_snapshot(session, out, datetime.now(UTC), min_contributors)
        _warn_skipped(session)
    click.echo(summary.line())


COMMANDS: list = [journeys, stats, publish]
