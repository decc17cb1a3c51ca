"""Take the README's screenshots: every page of the real site, in headless Chromium.

    python scripts/screenshots.py [--snapshot FILE] [--out docs/screenshots]

Without --snapshot, builds the demo (`darkpool demo --no-serve`) in a temporary
directory first. Needs Debian's chromium and the `playwright` package.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from services.chromium import free_port, launch  # noqa: E402

from tracker.site.serve import start_site, stop_site, wait_until_ready  # noqa: E402

# (file name, url path, text that shows the page has rendered)
SHOTS = (
    ("overview", "", "Leaderboard"),
    ("retailer", "retailer", "Public reports beside the measurements"),
    ("compare", "compare", "Audit one retailer against its peers"),
    ("explore", "explore", "Explore & download"),
    ("methodology", "methodology", "The exposure score"),
)


def build_demo(where: Path) -> Path:
    command = [sys.executable, "-m", "tracker", "demo", "--no-serve", "--dir", str(where)]
    subprocess.run(command, check=True)
    return where / "snapshot.sqlite"


def take(url: str, out: Path, width: int = 1400) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as p:
        browser = launch(p)
        for name, path, marker in SHOTS:
            page = browser.new_page(viewport={"width": width, "height": 1000})
            page.goto(url + path, wait_until="domcontentloaded")
            page.get_by_role("heading", name=marker).first.wait_for(timeout=90_000)
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(2500)  # charts and grids paint after the data arrives
            # Streamlit scrolls inside its main container, so grow the window to fit it
            height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
            page.set_viewport_size({"width": width, "height": min(int(height) + 40, 6000)})
            page.wait_for_timeout(1500)
            target = out / f"{name}.png"
            page.screenshot(path=str(target), full_page=True)
            written.append(target)
            page.close()
        browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snapshot", type=Path, help="snapshot to show (default: build the demo)")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        snapshot = args.snapshot or build_demo(Path(tmp) / "demo")
        port = free_port()
        proc = start_site(snapshot, port, "127.0.0.1", quiet=True)
        try:
            url = wait_until_ready(proc, "127.0.0.1", port)
            for path in take(url, args.out):
                print(path)
        finally:
            stop_site(proc)


if __name__ == "__main__":
    main()
