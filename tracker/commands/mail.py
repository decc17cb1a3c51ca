"""Mail commands: init, parse, import, messages, cart."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.commands.support import echo_jsonl, pass_app
from tracker.labels import offer_label
from tracker.records import KINDS, MessageRecord

PATHS = click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))


@click.command()
@pass_app
def init(app) -> None:
    """Create or migrate the store.

    \b
    Example:
      darkpool --db ./darkpool.sqlite init
    """
    from tracker.config import safe_url
    from tracker.db.engine import init_store

    revision = init_store(app.engine(migrate=False))
    click.echo(f"Store ready at {safe_url(app.db_url)} (schema {revision}).")


@click.command()
@PATHS
@click.option("--jsonl", is_flag=True, help="One JSON object per message (schema: docs/design.md).")
def parse(paths: tuple[Path, ...], jsonl: bool) -> None:
    """Parse mail files without storing anything.

    PATH may be an .eml file, an mbox file, a Maildir folder or a folder of
    mail. A message that cannot be parsed still gets a line, with "error" set,
    and so does a PATH that holds no mail; the exit code is 1 when no message
    could be parsed at all.

    \b
    Example:
      darkpool parse tests/fixtures/mail/001-fernhill.eml --jsonl
    """
    from tracker.mail.workers import process_paths

    seen = errors = 0
    for record in process_paths(paths):
        seen += 1
        errors += bool(record.error)
        _show(record, jsonl)
    if seen and errors == seen:
        raise click.ClickException(f"none of the {seen:,} messages could be parsed")


@click.command("import")
@PATHS
@click.option(
    "--contributor",
    metavar="NAME",
    help="Whose mail this is (default: $DARKPOOL_CONTRIBUTOR, else 'me').",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=500,
    show_default=True,
    help="Messages per transaction.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    metavar="N",
    help="Processes that parse and classify (default: the CPUs, at most 4; 1: this one).",
)
@pass_app
def import_(
    app, paths: tuple[Path, ...], contributor: str | None, batch_size: int, workers: int | None
) -> None:
    """Import mail files into the store (idempotent: re-importing changes nothing).

    PATH may be an .eml file, an mbox file (streamed, any size), a Maildir
    folder or a folder of mail. Messages are keyed by Message-ID, else by a
    hash of their content, and committed in batches. Past a few hundred
    messages the parsing runs on every core. A progress bar shows on a
    terminal.

    \b
    Example:
      darkpool import ~/Mail/shopping.mbox ~/Maildir --contributor alice
    """
    from tracker.config import contributor_default
    from tracker.mail.files import check_paths
    from tracker.mail.importing import import_paths

    check_paths(list(paths))  # a missing path fails before the store is touched
    summary = import_paths(
        app.engine(),
        paths,
        contributor or contributor_default(),
        batch_size=batch_size,
        workers=workers,
    )
    for sample in summary.samples:
        click.echo(f"warning: {sample}", err=True)
    click.echo(summary.line())
    if summary.nothing_usable:
        raise click.ClickException("no message could be parsed")


@click.command()
@click.option("--retailer", metavar="DOMAIN", help="Only this retailer, e.g. levi.com.")
@click.option("--kind", type=click.Choice(KINDS), help="Only messages of this kind.")
@click.option("--jsonl", is_flag=True, help="One JSON object per message (the parse schema).")
@pass_app
def messages(app, retailer: str | None, kind: str | None, jsonl: bool) -> None:
    """List the stored messages, oldest first.

    \b
    Example:
      darkpool messages --retailer levi.com --kind abandoned_cart --jsonl
    """
    from tracker.db.engine import session_factory
    from tracker.db.store import load_records

    domain = retailer.strip().lower() if retailer else None
    with session_factory(app.engine()).begin() as session:
        for record in load_records(session, retailer=domain, kind=kind):
            _show(record, jsonl)


def _show(record: MessageRecord, jsonl: bool) -> None:
    if jsonl:
        echo_jsonl([record.to_json()])
    else:
        click.echo(describe(record))


@click.group()
def cart() -> None:
    """Log the carts you leave, so emails become measured delays.

    \b
    Example:
      darkpool cart add levi.com --at "2026-11-20 14:03" --value 80 --currency USD
    """


@cart.command("add")
@click.argument("retailer")
@click.option(
    "--at",
    "when",
    default="now",
    show_default=True,
    metavar="WHEN",
    help="When the cart was left: 'now', '2026-11-20 14:03' (your local time when "
    "no offset is given) or ISO 8601 with an offset, '2026-11-20T14:03:00+01:00'.",
)
@click.option("--value", type=float, metavar="N", help="Cart value, e.g. 80.")
@click.option("--currency", metavar="C", help="ISO 4217 code of --value, e.g. USD.")
@click.option("--contributor", metavar="NAME", help="Whose cart (default: $DARKPOOL_CONTRIBUTOR).")
@pass_app
def cart_add(
    app,
    retailer: str,
    when: str,
    value: float | None,
    currency: str | None,
    contributor: str | None,
) -> None:
    """Log a cart left at RETAILER (a domain or a URL of the shop).

    Logging the same cart (retailer and time) twice keeps one cart. Without
    --at the cart is logged as left now.

    \b
    Example:
      darkpool cart add levi.com
      darkpool cart add https://www.levi.com/cart --at "2026-11-20 14:03"
      darkpool cart add levi.com --at 2026-11-20T14:03:00-08:00 --value 80 --currency USD
    """
    from tracker.carts import log_cart
    from tracker.config import contributor_default

    if currency and value is None:
        raise click.UsageError("--currency needs --value")
    result = log_cart(
        app.engine(), retailer, when, contributor or contributor_default(), value, currency
    )
    verb = "Logged" if result.created else "Already logged"
    click.echo(
        f"{verb} cart #{result.id} at {result.retailer.domain} ({result.retailer.name}), "
        f"left {result.left_at:%Y-%m-%d %H:%M} UTC."
    )


def describe(record: MessageRecord) -> str:
    """One readable line per message for the terminal."""
    when = f"{record.sent_at:%Y-%m-%d %H:%M}Z" if record.sent_at else "-"
    if record.error:
        return f"{record.source}  {when}  ERROR {record.error}"
    retailer = record.retailer.domain if record.retailer else record.sender_domain or "?"
    confidence = f" {record.confidence:.2f}" if record.confidence is not None else ""
    parts = [record.source, when, retailer, f"{record.kind}{confidence}"]
    if record.offer:
        parts.append(_offer_text(record))
    if record.subject:
        parts.append(repr(record.subject[:80]))
    return "  ".join(parts)


def _offer_text(record: MessageRecord) -> str:
    offer = record.offer
    assert offer is not None
    text = offer_label(offer.type, offer.value, offer.currency) or ""
    if offer.type in ("percent", "amount"):
        text += " off"
    if offer.code:
        text += f" code {offer.code}"
    if offer.expires_at:
        text += f" until {offer.expires_at:%Y-%m-%d %H:%M}Z"
    return text


COMMANDS = [init, parse, import_, messages, cart]
