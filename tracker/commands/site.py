"""Site commands: `site` serves the snapshot, `demo` builds a sample one and serves it."""

from __future__ import annotations

from pathlib import Path

import click

PORT_HELP = "Port to serve on (default 8501)."


def _announce(url: str) -> None:
    click.echo(f"darkpool site running at {url} (Ctrl-C to stop)")


@click.command()
@click.option(
    "--snapshot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Published snapshot to show. Default: $DARKPOOL_SNAPSHOT, else the data dir's.",
)
@click.option("--port", type=int, default=8501, show_default=True, help=PORT_HELP)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
def site(snapshot: Path | None, port: int, host: str) -> None:
    """Serve the Streamlit site (app.py) on a published snapshot.

    \b
    Example:
      darkpool publish snapshot.sqlite
      darkpool site --snapshot snapshot.sqlite --port 8501
    """
    from tracker.config import default_snapshot
    from tracker.site.serve import serve

    snapshot = snapshot or default_snapshot()
    if not snapshot.is_file():
        click.echo(f"Warning: no snapshot at {snapshot}; the site will say so.", err=True)
    serve(snapshot, port, host, _announce)


@click.command()
@click.option(
    "--dir",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the sample mail, pages, store and snapshot. Default: <data dir>/demo.",
)
@click.option("--no-serve", is_flag=True, help="Build the snapshot, print its path, do not serve.")
@click.option("--port", type=int, default=8501, show_default=True, help=PORT_HELP)
@click.option("--retailers", type=int, default=36, show_default=True, help="Fictional shops.")
@click.option("--contributors", type=int, default=8, show_default=True, help="Fictional shoppers.")
@click.option("--carts", type=int, default=100, show_default=True, help="Carts per contributor.")
def demo(
    root: Path | None, no_serve: bool, port: int, retailers: int, contributors: int, carts: int
) -> None:
    """Generate a sample (fictional shops and shoppers), import, crawl, publish and serve it.

    \b
    Example:
      darkpool demo                      # then open the printed address
      darkpool demo --no-serve --dir ./demo
    """
    from tracker.config import data_dir
    from tracker.demo.generate import DemoSize
    from tracker.demo.pipeline import run_demo

    root = root or data_dir() / "demo"
    size = DemoSize(retailers=retailers, contributors=contributors, carts=carts)
    result = run_demo(root, size, progress=lambda line: click.echo(line, err=True))
    click.echo(result.line())
    if no_serve:
        return
    from tracker.site.serve import serve

    serve(result.snapshot, port, "127.0.0.1", _announce)


COMMANDS = [site, demo]
