"""Mail commands: init, parse, import, messages, cart."""

from __future__ import annotations

import click

from tracker.cli_support import pass_app


@click.command()
@pass_app
def init(app) -> None:
    """Create or migrate the store.

    \b
    Example:
      darkpool --db ./darkpool.sqlite init
    """
    from tracker.db.engine import init_store

    revision = init_store(app.engine(migrate=False))
    click.echo(f"Store ready at {app.db_url} (schema {revision}).")


COMMANDS = [init]
