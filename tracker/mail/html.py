"""HTML mail body -> readable text, links and image alt texts.

Uses selectolax (lexbor), a real HTML5 parser, so broken markup parses the way
a browser would, and reads the tree with lexbor's own (C) traversal: marketing
mail nests tables dozens deep and junk mail can nest thousands of levels, and
a 10 MB single-line part must not blow the stack or take quadratic time.
Documents nested deeper than MAX_DEPTH go through the linear stdlib tokenizer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from selectolax.lexbor import LexborHTMLParser, LexborNode

from tracker.mail.limits import MAX_HTML_CHARS, MAX_TEXT_CHARS

# Elements whose content is never text a reader sees.
SKIP = frozenset(
    {"script", "style", "head", "title", "noscript", "template", "svg", "math", "object"}
    | {"iframe", "-comment", "!doctype"}
)
# Elements that start and end a line (tables are laid out as rows of cells).
BLOCK = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
        "caption",
        "body",
        "html",
    ]
)
CELL = frozenset({"td", "th"})
MAX_LINKS = 2000
MAX_ALTS = 500
MAX_TEXT = MAX_TEXT_CHARS  # characters of output; enough for any real mail
# HTML5 tree building is quadratic in nesting depth (every start tag scans the
# stack of open elements), so 100,000 nested <div>s take minutes in any
# conforming parser. Deeper documents go through the linear tokenizer instead.
MAX_DEPTH = 1500
VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")

# Invisible characters marketers use to pad preheaders (zero-width joiners,
# combining grapheme joiner, soft hyphen, BOM).
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u034f\u00ad"), None)
_SPACES = re.compile(r"[ \t\r\f\v\xa0\u2007\u202f]+")
_BLANKS = re.compile(r"\n{3,}")


@dataclass
class HtmlText:
    """What the reader of an HTML part sees: text, links (href, text), alt texts."""

    text: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)
    alt_texts: list[str] = field(default_factory=list)
    language: str | None = None


def clean_text(text: str) -> str:
    """Drop invisible padding, collapse spaces per line and runs of blank lines."""
    text = text.translate(INVISIBLE)
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> HtmlText:
    """Convert an HTML document or fragment to text; never raises on bad markup.

    >>> html_to_text("<p>Your <b>cart</b></p><p>15% off</p>").text
    'Your cart\\n15% off'
    """
    if not html.strip():
        return HtmlText()
    html = html[:MAX_HTML_CHARS]  # bounded work: see tracker.mail.limits
    if _too_deep(html):
        return _tokenized(html)
    tree = LexborHTMLParser(html)
    result = HtmlText(language=_language(tree))
    root = tree.root
    if root is None:
        return result
    _read_tree(tree, root, result)
    return result


# For the tree walk: SKIP as lexbor tag names (comments and the doctype are
# never text anyway), and BLOCK without the document's own html and body.
_SKIP_TAGS = sorted(tag for tag in SKIP if not tag.startswith(("-", "!")))
_BLOCK_SELECTOR = ",".join(sorted(BLOCK - {"html", "body"}))
_CELL_SELECTOR = ",".join(sorted(CELL))


def _read_tree(tree: LexborHTMLParser, root: LexborNode, result: HtmlText) -> None:
    """Text, links and alt texts of a parsed document, mostly in lexbor's C code.

    A walk in Python over every node cost 9x lexbor's own text extraction on
    ESP-sized mail. Instead: drop what is never read, mark line and cell
    boundaries with text nodes ("\\n" around each block, " " around each
    cell, "\\n" after a <br>), and let lexbor concatenate the text; links
    take their own subtree's text the same way. Links come from the whole
    document (up to MAX_LINKS), also past the first MAX_TEXT characters.
    """
    tree.strip_tags(_SKIP_TAGS)
    for img in tree.css("img"):
        alt = (img.attributes.get("alt") or "").strip()
        if alt and len(result.alt_texts) < MAX_ALTS:
            result.alt_texts.append(clean_text(alt))
    for node in tree.css(_BLOCK_SELECTOR):
        node.insert_before("\n")
        node.insert_after("\n")
    for node in tree.css(_CELL_SELECTOR):
        node.insert_before(" ")
        node.insert_after(" ")
    for node in tree.css("br"):
        node.insert_after("\n")
    for anchor in tree.css("a"):
        if len(result.links) >= MAX_LINKS:
            break
        href = (anchor.attributes.get("href") or "").strip()
        if href:
            result.links.append((href, _anchor_text(anchor)))
    # cut after whitespace is collapsed: a page of padding must not hide its text
    # (the input is already bounded by MAX_HTML_CHARS)
    result.text = clean_text(root.text(deep=True) or "")[:MAX_TEXT]


def _anchor_text(anchor: LexborNode) -> str:
    """A link's words on one line; an image link reads as its images' alt texts."""
    text = " ".join((anchor.text(deep=True) or "").translate(INVISIBLE).split())
    if not text:
        alts = ((img.attributes.get("alt") or "").strip() for img in anchor.css("img"))
        text = " ".join(alt for alt in alts if alt)
    return text[:500]


def _language(tree: LexborHTMLParser) -> str | None:
    root = tree.root
    lang = root.attributes.get("lang") if root is not None else None
    if not lang:
        return None
    return lang.strip().lower()[:2] or None


@dataclass
class _Anchor:
    href: str
    start: int  # index in the output where the link text starts
    alts: list[str] = field(default_factory=list)


def _leave_anchor(anchors: list[_Anchor], out: list[str], result: HtmlText) -> None:
    anchor = anchors.pop()
    if anchor.href and len(result.links) < MAX_LINKS:
        text = " ".join("".join(out[anchor.start :]).translate(INVISIBLE).split())
        text = text or " ".join(anchor.alts)
        result.links.append((anchor.href, text[:500]))


def _too_deep(html: str) -> bool:
    """Estimate the nesting depth from the tags alone (cheap, linear)."""
    depth = 0
    for closing, name in _TAG.findall(html):
        if closing:
            depth = max(depth - 1, 0)
        elif name.lower() not in VOID:
            depth += 1
            if depth > MAX_DEPTH:
                return True
    return False


class _Tokenizer(HTMLParser):
    """Linear fallback for pathological nesting: the stdlib tokenizer, no tree."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.result = HtmlText()
        self.skipping = 0
        self.anchor: _Anchor | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag in SKIP:
            self.skipping += 1
        elif tag in BLOCK or tag == "br":
            self.out.append("\n")
        elif tag in CELL:
            self.out.append(" ")
        elif tag == "img" and values.get("alt", "").strip():
            alt = values["alt"].strip()
            if len(self.result.alt_texts) < MAX_ALTS:
                self.result.alt_texts.append(clean_text(alt))
            if self.anchor is not None:
                self.anchor.alts.append(alt)
        elif tag == "a":
            self.anchor = _Anchor(values.get("href", "").strip(), len(self.out))

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP:
            self.skipping = max(self.skipping - 1, 0)
        elif tag in BLOCK:
            self.out.append("\n")
        elif tag == "a" and self.anchor is not None:
            anchors = [self.anchor]
            self.anchor = None
            _leave_anchor(anchors, self.out, self.result)

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(data)


def _tokenized(html: str) -> HtmlText:
    parser = _Tokenizer()
    parser.feed(html[: MAX_TEXT * 5])
    parser.close()
    parser.result.text = clean_text("".join(parser.out))[:MAX_TEXT]
    return parser.result
