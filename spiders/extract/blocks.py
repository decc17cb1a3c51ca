"""Walk a parsed page into text blocks, skipping boilerplate and quotes.

Pages put reports in lists, tables, store headings with paragraphs, prose and
forum posts; around them sit navigation, cookie banners, ads, related-post
boxes and footers. `iter_blocks` yields the content blocks in document order
and never enters boilerplate or quoted earlier posts, so nothing there can
become a report. Pure: an lxml tree in, `Block`s out; the tree is not changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "nav",
        "footer",
        "aside",
        "form",
        "iframe",
        "svg",
        "button",
        "select",
        "input",
        "textarea",
        "label",
        "head",
        "object",
        "embed",
        "canvas",
        "video",
        "audio",
        "picture",
    ]
)
QUOTE_TAGS = frozenset({"blockquote", "q"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
LIST_TAGS = frozenset({"ul", "ol", "dl"})
INLINE = frozenset(
    [
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "br",
        "cite",
        "code",
        "data",
        "dfn",
        "em",
        "i",
        "kbd",
        "mark",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "var",
        "wbr",
        "del",
        "ins",
        "font",
        "img",
    ]
)
# class/id tokens that mark page furniture rather than content
BOILER_TOKENS = frozenset(
    [
        "nav",
        "navbar",
        "navigation",
        "menu",
        "cookie",
        "cookies",
        "consent",
        "gdpr",
        "banner",
        "ad",
        "ads",
        "advert",
        "adverts",
        "advertisement",
        "advertising",
        "sponsor",
        "sponsored",
        "promo",
        "promotion",
        "related",
        "sidebar",
        "widget",
        "newsletter",
        "share",
        "sharing",
        "social",
        "breadcrumb",
        "breadcrumbs",
        "footer",
        "masthead",
        "popup",
        "modal",
        "signup",
        "subscribe",
        "toc",
        "pagination",
        "pager",
        "skip",
        "hidden",
        "visually",
        "sr",
        "offcanvas",
        "overlay",
        "disclaimer",
        "affiliate",
        "tags",
        "tagcloud",
        "author-bio",
        "byline",
        "signature",
        "sig",
        # seen on real pages (issue 18): ad slots, teasers, code widgets, similar threads
        "adslot",
        "leaderboard",
        "similar",
        "recommended",
        "recommendations",
        "trending",
        "promoted",
        "anzeige",
        "werbung",
        "weitere",
        "aehnliche",
        "publicidad",
        "publicite",
        "pubblicita",
        "annonce",
        "encart",
        "codice",
        "coupons",
        "coupon-list",
        "inline-offer",
        "swipe",
        "userinfo",
        "postprofile",
        "postdetails",
        "username",
    ]
)
QUOTE_TOKENS = frozenset({"quote", "bbcode_quote", "quotecontent", "quoted", "postquote"})
ROLE_SKIP = frozenset({"navigation", "banner", "contentinfo", "complementary", "dialog"})
_SPACE = re.compile(r"\s+")
# Real pages nest a few dozen levels; hostile ones nest thousands. Below this
# depth a subtree is read as plain text in one piece (lxml's own iteration, no
# recursion), so no page can exhaust Python's stack.
MAX_DEPTH = 120


@dataclass
class Link:
    text: str
    href: str


@dataclass
class Block:
    """One content unit: `kind` is list | table | heading | text | quote (a quoted
    earlier post: read for the store it names, never for reports)."""

    kind: str
    element: etree._Element
    text: str
    links: list[Link] = field(default_factory=list)
    level: int = 0  # heading level, 1-6


def _tokens(el: etree._Element) -> set[str]:
    raw = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    if raw == " ":
        return set()
    tokens = set(raw.split())
    tokens.update(raw.replace("-", " ").replace("_", " ").split())
    return tokens


def is_boilerplate(el: etree._Element) -> bool:
    """Page furniture: nav, footer, ads, cookie banners, related posts, hidden bits."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in SKIP_TAGS or el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    if (el.get("role") or "").lower() in ROLE_SKIP:
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    if "display:none" in style or "visibility:hidden" in style:
        return True
    if tag in {"body", "html", "main", "article"}:
        return False
    return bool(_tokens(el) & BOILER_TOKENS)


def is_quote(el: etree._Element) -> bool:
    """A quotation of an earlier post: it repeats a report, it is not a new one."""
    return el.tag in QUOTE_TAGS or bool(_tokens(el) & QUOTE_TOKENS)


def _skipped(el: etree._Element) -> bool:
    return not isinstance(el.tag, str) or is_boilerplate(el) or is_quote(el)


def element_text(el: etree._Element) -> str:
    """Visible text of `el` without boilerplate or quoted descendants, spaces collapsed."""
    parts: list[str] = []
    _collect(el, parts, 0)
    return _SPACE.sub(" ", "".join(parts)).strip()


def _collect(el: etree._Element, parts: list[str], depth: int) -> None:
    if depth > MAX_DEPTH:
        parts.append(" ".join(el.itertext()))
        return
    if el.text:
        parts.append(el.text)
    for child in el:
        if not _skipped(child):
            block = child.tag not in INLINE
            if block:
                parts.append(" ")
            if child.tag == "br":
                parts.append(" ")
            _collect(child, parts, depth + 1)
            if block:
                parts.append(" ")
        if child.tail:
            parts.append(child.tail)


def element_links(el: etree._Element) -> list[Link]:
    """Links inside `el` (outside quotes and boilerplate) with their text."""
    found: list[Link] = []
    for a in el.iter("a"):
        href = a.get("href")
        if not href or any(_skipped(p) for p in _ancestors(a, el)):
            continue
        found.append(Link(element_text(a), href.strip()))
    return found


def _ancestors(el: etree._Element, stop: etree._Element) -> Iterator[etree._Element]:
    node = el
    while node is not None and node is not stop:
        yield node
        node = node.getparent()


def _has_block_child(el: etree._Element) -> bool:
    return any(isinstance(c.tag, str) and c.tag not in INLINE for c in el)


def iter_blocks(root: etree._Element) -> Iterator[Block]:
    """Content blocks of a page in document order (see module docstring)."""
    body = root.find(".//body")
    yield from _walk(body if body is not None else root, 0)


def _walk(el: etree._Element, depth: int) -> Iterator[Block]:
    for child in el:
        if isinstance(child.tag, str) and is_quote(child) and not is_boilerplate(child):
            # a quoted post is no report, but it says which store a reply is about
            yield Block("quote", child, _SPACE.sub(" ", " ".join(child.itertext())).strip(),
                        element_links(child))  # fmt: skip
        elif not _skipped(child):
            yield from _child_blocks(child, depth + 1)
        if child.tail and child.tail.strip():
            yield Block("text", el, _SPACE.sub(" ", child.tail).strip())


def _child_blocks(child: etree._Element, depth: int) -> Iterator[Block]:
    tag = child.tag
    if depth > MAX_DEPTH:
        text = _SPACE.sub(" ", " ".join(child.itertext())).strip()
        if text:
            yield Block("text", child, text)
    elif tag in HEADINGS:
        yield _block("heading", child, level=int(tag[1]))
    elif tag == "table":
        yield _block("table", child)
    elif tag in LIST_TAGS:
        yield from _list_blocks(child)
    elif _has_block_child(child):
        if (child.text or "").strip():
            yield Block("text", child, _SPACE.sub(" ", child.text).strip())
        yield from _walk(child, depth)
    else:
        block = _block("text", child)
        if block.text:
            yield block


def _list_blocks(lst: etree._Element) -> Iterator[Block]:
    items = [c for c in lst if isinstance(c.tag, str) and c.tag in {"li", "dt", "dd"}]
    if lst.tag == "dl":
        yield from _definition_blocks(items)
        return
    for item in items:
        if _skipped(item):
            continue
        block = _block("list", item)
        if block.text:
            yield block


def _definition_blocks(items: list[etree._Element]) -> Iterator[Block]:
    """<dt>Store</dt><dd>what happened</dd> pairs read as one list item each."""
    term: etree._Element | None = None
    for item in items:
        if item.tag == "dt":
            term = item
        elif item.tag == "dd" and not _skipped(item):
            label = element_text(term) if term is not None else ""
            text = f"{label} — {element_text(item)}" if label else element_text(item)
            links = (element_links(term) if term is not None else []) + element_links(item)
            yield Block("list", item, text, links)


def _block(kind: str, el: etree._Element, level: int = 0) -> Block:
    return Block(kind, el, element_text(el), element_links(el), level)
