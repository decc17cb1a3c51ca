"""Affiliate and redirect links name the shop they lead to, not the network."""

from __future__ import annotations

import lxml.html
import pytest

from spiders.extract.affiliates import unwrap_link
from spiders.extract.page import extract_reports

SHAPES = [
    # Awin
    "https://www.awin1.com/cread.php?awinmid=6302&awinaffid=12345&ued=https%3A%2F%2Fwww.asos.com%2Fwomen%2F",
    # Rakuten Advertising (LinkShare)
    "https://click.linksynergy.com/deeplink?id=AbC&mid=2149&murl=https%3A%2F%2Fwww.asos.com%2F",
    # CJ
    "https://www.anrdoezrs.net/click-100-200?url=https%3A%2F%2Fwww.asos.com%2Fsale",
    "https://www.jdoqocy.com/click-1-2?url=https://www.asos.com/",
    # Impact
    "https://asos.pxf.io/c/1234/5678/910?u=https%3A%2F%2Fwww.asos.com%2Fmen%2F",
    "https://imp.sjv.io/c/1/2/3?subId1=x&u=https%3A%2F%2Fasos.com",
    # ShareASale: no scheme in urllink
    "https://shareasale.com/r.cfm?b=1&u=2&m=3&urllink=www.asos.com%2Fbags&afftrack=",
    # Skimlinks, Sovrn/VigLink
    "https://go.skimresources.com/?id=123X456&xs=1&url=https%3A%2F%2Fwww.asos.com%2F",
    "https://redirect.viglink.com/?key=abc&u=https%3A%2F%2Fwww.asos.com%2F",
    # Partnerize: the destination is a path segment
    "https://prf.hn/click/camref:1100l3/destination:https%3A%2F%2Fwww.asos.com%2Fdresses",
    # TradeDoubler, Webgains
    "https://clk.tradedoubler.com/click?p=1&a=2&g=3&url=https%3A%2F%2Fwww.asos.com%2F",
    "https://track.webgains.com/click.html?wgcampaignid=1&wgprogramid=2&wgtarget=https://www.asos.com/",
    # a network link inside Google's redirector, encoded twice
    "https://www.google.com/url?q=https%3A%2F%2Fwww.awin1.com%2Fcread.php%3Fued%3Dhttps%253A%252F%252Fwww.asos.com%252F",
]


@pytest.mark.parametrize("url", SHAPES)
def test_network_redirect_shapes_unwrap_to_the_shop(url: str):
    assert "asos.com" in (unwrap_link(url).split("/")[2])


def test_ordinary_links_are_left_alone():
    for url in (
        "https://www.asos.com/search?q=dress",
        "https://blog.example.org/?url=https://www.asos.com/",  # a common word on any host
        "https://www.awin1.com/cread.php?awinmid=1",  # no destination: stays the network
    ):
        assert unwrap_link(url) == url


def test_a_store_linked_through_a_network_gets_its_own_domain():
    html = f"""<html><head><title>Abandoned cart codes</title></head><body><ul>
      <li><a href="{SHAPES[0]}">ASOS</a> — 10% — within 24 hours</li>
      <li><a href="{SHAPES[9].replace("asos", "quietfoxsocks")}">Quiet Fox Socks</a> — 5% — after 3 days</li>
    </ul></body></html>"""
    found = extract_reports(lxml.html.fromstring(html), "https://blog.example.org/p")
    assert [(r.retailer_name, r.retailer_domain) for r in found] == [
        ("ASOS", "asos.com"),
        ("Quiet Fox Socks", "quietfoxsocks.com"),
    ]
