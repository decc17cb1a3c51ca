"""A realistic-size corpus: the bench corpus's mail wrapped the way ESPs send it.

Real retailer mail is tens of kilobytes of HTML around a few sentences: a
`<style>` block with resets and media queries, a hidden preheader padded with
zero-width joiners, layout tables nested three or four deep with inline CSS on
every cell, a header and navigation, product-recommendation grids, social and
legal footers, and every link rewritten through the ESP's click tracker with a
long opaque token. This module builds that around each message of
`corpus.iter_messages` (its own text stays in the middle, so retailer, kind
and offer are decided from the same words), as multipart/alternative with a
quoted-printable HTML part and a plain part listing the links, the way ESPs
do. Personal mail and the labelled fixtures keep their own shape and size;
personal mail is a larger share than in the quick corpus (about one message
in six, like a shopper's real inbox).

The same (count, seed) always gives the same bytes; the mean message is about
90 KB, the median 105 KB (see `describe`).

    for data in iter_realistic(1000): ...
    cached_realistic_mbox(20_000)
"""

from __future__ import annotations

import email
import random
from collections.abc import Iterator
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

from corpus import MboxInfo, Mix, cached_mbox, iter_messages

from tracker.demo.mail import UTF8

VERSION = 1
MIX = Mix(fixture=0.10, lookalike=0.03, personal=0.16, repacked=0.08)
ESP_HOSTS = ("click.e.mailhub.example", "links.news.sendwave.example", "t.msg.relaybird.example")
WORDS = [
    "linen",
    "summer",
    "classic",
    "everyday",
    "organic",
    "slim",
    "relaxed",
    "merino",
    "weekend",
    "travel",
    "heritage",
    "soft",
    "studio",
    "outdoor",
    "ceramic",
    "vintage",
    "tailored",
    "cotton",
    "cosy",
    "premium",
]
ITEMS = [
    "shirt",
    "tote",
    "lamp",
    "mug",
    "jacket",
    "scarf",
    "sneaker",
    "vase",
    "blanket",
    "candle",
    "chair",
    "planter",
]


def iter_realistic(count: int, seed: int = 7) -> Iterator[bytes]:
    """`count` messages as bytes (LF line endings), deterministic for (count, seed)."""
    rng = random.Random(seed * 7919 + 1)
    for data in iter_messages(count, seed, MIX):
        msg = email.message_from_bytes(data)
        if _is_retail(msg):
            yield _wrap(rng, msg).as_bytes().replace(b"\r\n", b"\n")
        else:
            yield data


def describe(count: int, seed: int = 7) -> dict:
    """Messages, bytes and the size spread of the corpus (for the bench's row)."""
    sizes = sorted(len(d) for d in iter_realistic(count, seed))
    return {
        "messages": len(sizes),
        "bytes": sum(sizes),
        "mean_kb": round(sum(sizes) / len(sizes) / 1000, 1),
        "median_kb": round(sizes[len(sizes) // 2] / 1000, 1),
        "p90_kb": round(sizes[int(len(sizes) * 0.9)] / 1000, 1),
    }


def cached_realistic_mbox(count: int, seed: int = 7) -> MboxInfo:
    """The realistic corpus as one mbox, generated once into the temp dir."""
    return cached_mbox(count, seed, f"realistic-v{VERSION}", iter_realistic)


def _is_retail(msg: Message) -> bool:
    """Mail a shop's ESP sent: it has an HTML part or unsubscribe headers."""
    has_html = any(p.get_content_type() == "text/html" for p in msg.walk())
    return has_html or "List-Unsubscribe" in msg


def _texts(msg: Message) -> tuple[str, str]:
    plain = html = ""
    for part in msg.walk():
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        payload = part.get_payload(decode=True) or b""
        text = payload.decode(part.get_content_charset() or "utf-8", "replace")
        if part.get_content_type() == "text/html" and not html:
            html = text
        elif part.get_content_type() == "text/plain" and not plain:
            plain = text
    return plain, html


def _inner(html: str, plain: str) -> str:
    """The message's own content: its HTML body's inside, or its text as paragraphs."""
    if html:
        low = html.lower()
        start, end = low.find("<body"), low.rfind("</body>")
        if start >= 0 and end > start:
            return html[html.index(">", start) + 1 : end]
        return html
    paragraphs = (p.strip() for p in plain.split("\n\n"))
    return "".join(f"<p>{p}</p>" for p in paragraphs if p)


def _token(rng: random.Random, n: int) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return "".join(rng.choice(alphabet) for _ in range(n))


def _tracked(rng: random.Random, host: str, target: str) -> str:
    """An ESP click-tracking URL: opaque, long, the target only inside the token."""
    return f"https://{host}/ls/click?upn={_token(rng, rng.randrange(180, 420))}&t={target}"


def _style_block(rng: random.Random) -> str:
    rules = [
        "body,table,td,a{-webkit-text-size-adjust:100%;-ms-text-size-adjust:100%}",
        "table,td{mso-table-lspace:0pt;mso-table-rspace:0pt;border-collapse:collapse}",
        "img{-ms-interpolation-mode:bicubic;border:0;outline:none;text-decoration:none}",
    ]
    for i in range(rng.randrange(120, 280)):
        prop = rng.choice(("padding", "font-size", "line-height", "width", "margin"))
        rules.append(
            f".c{i}-{_token(rng, 5)}{{{prop}:{rng.randrange(2, 40)}px!important;"
            f"color:#{rng.randrange(0xFFFFFF):06x};font-family:Helvetica,Arial,sans-serif}}"
        )
    media = "".join(
        f".m{i}{{width:100%!important;display:block!important;padding:{i}px!important}}"
        for i in range(rng.randrange(20, 50))
    )
    return f'<style type="text/css">{"".join(rules)}@media only screen and (max-width:600px){{{media}}}</style>'


def _cell(style: str, content: str) -> str:
    return (
        f'<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">'
        f'<tr><td class="mobile-full" style="{style}">{content}</td></tr></table>'
    )


def _td_style(rng: random.Random) -> str:
    return (
        f"padding:{rng.randrange(4, 30)}px {rng.randrange(4, 30)}px;"
        f"font-family:'Helvetica Neue',Helvetica,Arial,sans-serif;font-size:{rng.randrange(11, 18)}px;"
        f"line-height:{rng.randrange(14, 26)}px;color:#{rng.randrange(0xFFFFFF):06x};"
        f"background-color:#{rng.randrange(0xFFFFFF):06x};text-align:center;mso-line-height-rule:exactly"
    )


def _product_grid(rng: random.Random, host: str, shop: str) -> str:
    cells = []
    for _ in range(rng.randrange(8, 20)):
        name = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {rng.choice(ITEMS)}"
        slug = name.lower().replace(" ", "-")
        link = _tracked(rng, host, f"{shop}/products/{slug}")
        price = f"{rng.randrange(9, 240)}.{rng.choice(('00', '50', '95', '99'))}"
        image = f"https://cdn.{shop}/images/{_token(rng, 24)}.jpg?w=280&h=280&fit=crop"
        content = (
            f'<a href="{link}" target="_blank" style="text-decoration:none;color:#222222">'
            f'<img src="{image}" width="140" height="140" alt="{name}" style="display:block;border:0"></a>'
            f'<p style="margin:6px 0 0 0;font-size:13px">{name}</p>'
            f'<p style="margin:2px 0 0 0;font-size:13px;font-weight:bold">{price}</p>'
            f'<a href="{link}" style="display:inline-block;padding:6px 12px;border:1px solid #222">Shop now</a>'
        )
        cells.append(f'<td width="50%" valign="top" style="{_td_style(rng)}">{content}</td>')
    rows = "".join(f"<tr>{''.join(cells[i : i + 2])}</tr>" for i in range(0, len(cells), 2))
    heading = _cell(_td_style(rng), '<h2 style="margin:0">You might also like</h2>')
    return heading + f'<table role="presentation" width="100%">{rows}</table>'


def _footer(rng: random.Random, host: str, shop: str) -> str:
    social = "".join(
        f'<a href="{_tracked(rng, host, f"social.example/{net}/{shop}")}">'
        f'<img src="https://cdn.{shop}/icons/{net}.png" width="24" height="24" alt="{net}"></a> '
        for net in ("instagram", "facebook", "pinterest", "tiktok", "youtube")
    )
    legal = " ".join(
        f"{rng.choice(WORDS)} {rng.choice(ITEMS)} terms apply to offers shown while stocks last."
        for _ in range(rng.randrange(20, 50))
    )
    links = " | ".join(
        f'<a href="{_tracked(rng, host, f"{shop}/{page}")}" style="color:#888888">{page.title()}</a>'
        for page in ("help", "returns", "stores", "privacy", "preferences", "unsubscribe")
    )
    return _cell(_td_style(rng), social) + _cell(
        _td_style(rng), f'<p style="font-size:11px">{legal}</p><p>{links}</p>'
    )


def _wrap(rng: random.Random, msg: Message) -> Message:
    plain, html = _texts(msg)
    sender = msg.get("From", "shop@shop.example")
    shop = sender.rsplit("@", 1)[-1].strip("> ").lower() or "shop.example"
    host = rng.choice(ESP_HOSTS)
    nav = " ".join(
        f'<a href="{_tracked(rng, host, f"{shop}/{part}")}" style="color:#222;text-decoration:none;'
        f'font-weight:bold;padding:0 8px">{part.title()}</a>'
        for part in ("new", "women", "men", "home", "sale", "stores")
    )
    preheader = (
        '<div style="display:none;font-size:1px;color:#ffffff;line-height:1px;max-height:0;'
        f'max-width:0;opacity:0;overflow:hidden;mso-hide:all">{msg.get("Subject", "")}'
        + "&zwnj;&nbsp;" * rng.randrange(80, 160)
        + "</div>"
    )
    logo = f'<img src="https://cdn.{shop}/logo.png" width="160" alt="{shop}" style="display:block">'
    body = (
        preheader
        + _cell(_td_style(rng), logo)
        + _cell(_td_style(rng), nav)
        + _cell(_td_style(rng), _cell(_td_style(rng), _inner(html, plain)))
        + "".join(_product_grid(rng, host, shop) for _ in range(rng.randrange(2, 6)))
        + _footer(rng, host, shop)
        + f'<img src="https://{host}/wf/open?upn={_token(rng, 300)}" width="1" height="1" alt="">'
    )
    page = (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'{_style_block(rng)}</head><body style="margin:0;padding:0">'
        f'<center><table role="presentation" width="600" align="center">'
        f"<tr><td>{body}</td></tr></table></center></body></html>"
    )
    links = "\n".join(
        f"{part.title()}: {_tracked(rng, host, f'{shop}/{part}')}"
        for part in ("new", "sale", "help", "unsubscribe")
    )
    out = MIMEMultipart("alternative", boundary=f"=_esp_{rng.getrandbits(64):016x}")
    out.attach(
        MIMEText((plain or "View this email in your browser.") + "\n\n" + links, "plain", UTF8)
    )
    out.attach(MIMEText(page, "html", UTF8))
    for name, value in msg.items():
        if not name.lower().startswith(("content-", "mime-version")):
            out[name] = value
    return out
