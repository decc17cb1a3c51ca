"""The `darkpool` command: parses arguments, calls the library, prints.

Each area's commands live in `tracker/commands/`; this module only builds the
group, holds the shared options and turns library errors into one line on
stderr (exit 1) unless --debug is given.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click

from tracker import __version__
from tracker.config import resolve_db_url
from tracker.errors import DarkpoolError, describe_os_error, one_line

if TYPE_CHECKING:
    from sqlalchemy import Engine


@dataclass
class AppContext:
    """What every command gets: the store URL and a lazily opened engine."""

    db: str | None = None
    debug: bool = False
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def db_url(self) -> str:
        return resolve_db_url(self.db)

    def engine(self, migrate: bool = True) -> Engine:
        """The store's engine; creates or upgrades the schema on first use."""
        if self._engine is None:
            from tracker.db.engine import ensure_store, make_engine

            self._engine = make_engine(self.db_url)
            if migrate:
                ensure_store(self._engine)
        return self._engine

    def close(self) -> None:
        """Return the engine's connections (a server-side store counts them)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


class DarkpoolGroup(click.Group):
    """A group that prints DarkpoolError as one line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DarkpoolError as exc:
            if ctx.obj is not None and ctx.obj.debug:
                raise
            click.echo(f"Error: {one_line(exc)}", err=True)
            ctx.exit(1)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise  # bad usage is click's to report (exit 2), not a bug
        except BrokenPipeError:
            # `darkpool stats | head`: the reader left; stop quietly like other Unix tools.
            _silence_stdout()
            ctx.exit(0)
        except KeyboardInterrupt:
            click.echo("Interrupted; committed batches are kept, rerun to resume.", err=True)
            ctx.exit(130)
        except Exception as exc:  # the system or a bug: one line unless --debug
            if ctx.obj is not None and ctx.obj.debug:
                raise
            click.echo(f"Error: {error_line(exc)}", err=True)
            ctx.exit(1)


# Whose exceptions are database errors: their own text holds SQL and values.
_DATABASE_MODULES = ("sqlalchemy", "sqlite3", "psycopg", "psycopg2")


def error_line(exc: Exception) -> str:
    """One line for an error no command turned into a DarkpoolError.

    Database errors (disk full, read-only, corrupt or locked store, server
    unreachable) keep only the driver's first line, never the SQL or its
    parameters; OSError says why and which file; anything else is a bug.
    """
    if type(exc).__module__.split(".")[0] in _DATABASE_MODULES:
        from tracker.db.engine import describe_db_error

        return describe_db_error(exc)
    if isinstance(exc, OSError):
        return describe_os_error(exc)
    return f"unexpected {type(exc).__name__}: {one_line(exc)} (rerun with --debug for details)"


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


@click.group(cls=DarkpoolGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    metavar="URL",
    help="Store URL (any SQLAlchemy URL or a file path). Default: $DARKPOOL_DB, "
    "else darkpool.sqlite in the user data dir.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.version_option(__version__, prog_name="darkpool")
@click.pass_context
def cli(ctx: click.Context, db: str | None, debug: bool) -> None:
    """darkpool: abandoned-cart discounts, seen from the shopper's side.

    \b
    Example:
      darkpool import ~/Mail/retail.mbox
      darkpool stats --jsonl
    """
    ctx.obj = AppContext(db=db, debug=debug)
    ctx.call_on_close(ctx.obj.close)


def _register() -> None:
    from tracker.commands import ALL

    for command in ALL:
        cli.add_command(command)


_register()


def main() -> None:
    """Console-script entry point."""
    sys.exit(cli.main(prog_name="darkpool", standalone_mode=True))
