"""Small rendering helpers shared by the pages: escaping, number formats, empty states.

Retailer names come from mail headers and report text from web pages, so
anything that reaches a markdown-rendering element goes through `escape_md`
first; tables and widgets already show their values as plain text.
"""

from __future__ import annotations

import re

import streamlit as st

from tracker.site.data import SnapshotState

# Every ASCII punctuation character may be backslash-escaped in CommonMark;
# ':' and '$' also stop Streamlit's colour/emoji directives and LaTeX.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~=:$&\"'])")


def escape_md(text: object) -> str:
    """`text` as literal markdown: no markup, HTML, links or directives survive."""
    flat = " ".join(str(text).split())
    return _MD_SPECIAL.sub(r"\\\1", flat)


def show_state(state: SnapshotState) -> bool:
    """Explain a missing, unreadable or empty snapshot; True when there is data to show."""
    if state.ok:
        return True
    where = str(state.path)
    if state.status == "missing":
        st.info(
            "No snapshot to show yet. Publish one with `darkpool publish OUT.sqlite` "
            "and serve it with `darkpool site --snapshot OUT.sqlite`, or try `darkpool demo`."
        )
        st.caption("Looked for:")
        st.text(where)
    elif state.status == "unreadable":
        st.error("This file is not a darkpool snapshot, or it is damaged.")
        st.text(where)
    else:
        k = state.detail or "K"
        st.info(
            f"The snapshot holds no retailer yet: a retailer is published only once "
            f"at least {escape_md(k)} contributors have seen it."
        )
    return False
