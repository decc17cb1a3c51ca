"""The site's page list, shared by the repository's app.py and the packaged copy."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES_DIR = Path(__file__).with_name("pages")
# shipped with the package: a ":material/...:" page icon would make every
# visitor's browser fetch the favicon from a third-party font server
FAVICON = Path(__file__).with_name("assets") / "favicon.png"

# (file, title, url path, icon); the first page is the default.
PAGES = (
    ("overview.py", "Overview", "overview", ":material/leaderboard:"),
    ("retailer.py", "Retailer", "retailer", ":material/storefront:"),
    ("compare.py", "Compare & audit", "compare", ":material/compare_arrows:"),
    ("explore.py", "Explore & download", "explore", ":material/table_view:"),
    ("methodology.py", "Methodology & privacy", "methodology", ":material/policy:"),
)


def build_navigation() -> st.Page:
    """Configure the page and return the navigation; the caller runs it."""
    st.set_page_config(page_title="darkpool", page_icon=str(FAVICON), layout="wide")
    pages = [
        st.Page(PAGES_DIR / file, title=title, url_path=url, icon=icon, default=i == 0)
        for i, (file, title, url, icon) in enumerate(PAGES)
    ]
    return st.navigation(pages)
