"""The ElementTree fast path must read a feed exactly as the feedparser path does.

Every case is parsed both ways (`_parse_xml(..., fast_path=False)` is feedparser alone) and the
results compared; the cases the fast path is meant for also assert that it took them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregator.model import ParsedFeed
from aggregator.parse.fastxml import read_common_feed
from aggregator.parse.feeds import _parse_xml, _split_content_type, _strip_leading_noise

FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"
URL = "https://www.stadtforum-leipzig.de/feed/"

RSS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" '
    'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/" '
    'xmlns:wfw="http://wellformedweb.org/CommentAPI/"><channel>'
    "<title>Stadtforum Leipzig</title><link>https://www.stadtforum-leipzig.de</link>"
    '<atom:link href="https://www.stadtforum-leipzig.de/feed/" rel="self" '
    'type="application/rss+xml"/><sy:updatePeriod>hourly</sy:updatePeriod>'
)
ATOM_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
    'xml:base="https://stadtforum-chemnitz.de/">'
    "<title>Stadtforum Chemnitz</title><id>tag:stadtforum-chemnitz.de,2010:news</id>"
    "<updated>2024-05-30T20:00:00+02:00</updated>"
)

FAST_CASES = {
    "rss with image and editor": RSS_HEAD
    + "<image><url>https://x.de/i.png</url><title>Bild</title><link>https://x.de/</link></image>"
    "<managingEditor>info@x.de (Redaktion)</managingEditor><ttl>30</ttl>"
    "<item><title>Eins</title><link>https://x.de/1</link><guid>https://x.de/?p=1</guid>"
    "<author>jl@x.de (Jens Lehmann)</author><category>A</category><category>B</category>"
    "<wfw:commentRss>https://x.de/1/feed/</wfw:commentRss></item></channel></rss>",
    "rss permalink guid without link": RSS_HEAD
    + "<item><title>Zwei</title><guid>/2024/05/zwei/</guid><dc:date>2024-05-01</dc:date>"
    "<dc:creator>Anna</dc:creator></item></channel></rss>",
    "rss guid not a permalink": RSS_HEAD
    + '<item><title>Drei</title><guid isPermaLink="false">/x/3</guid></item></channel></rss>',
    "rss empty link and guid": RSS_HEAD
    + "<item><title>Vier</title><link></link><guid>https://x.de/4</guid></item>"
    "</channel></rss>",
    "rss escaped ampersands in link": RSS_HEAD
    + "<item><title>Fünf</title><link>https://x.de/?a=1&amp;amp;b=2&amp;c=3</link></item>"
    "</channel></rss>",
    "rss wordpress.com post-id": RSS_HEAD.replace(
        "<channel>", '<channel xmlns:wp="com-wordpress:feed-additions:1">'
    )
    + "<item><title>Sechs</title><link>https://x.de/6</link>"
    '<post-id xmlns="com-wordpress:feed-additions:1">6</post-id>'
    "<wp:extra><wp:inner>x</wp:inner></wp:extra></item></channel></rss>",
    "rss mojibake and C1 controls": RSS_HEAD
    + "<item><title>GÃ¶rlitz \u0084Zitat\u0093</title><link>https://x.de/7</link>"
    "<description>Stra\u00c3\u009fe</description></item></channel></rss>",
    "rss media thumbnail": RSS_HEAD.replace(
        "<channel>", '<channel xmlns:media="http://search.yahoo.com/mrss/">'
    )
    + '<item><title>Bild</title><link>https://x.de/b</link><media:thumbnail url="https://x.de/t.jpg"/>'
    '<media:content url="https://x.de/g.jpg" medium="image"/></item></channel></rss>',
    "rss author email only": RSS_HEAD
    + "<item><title>Acht</title><link>https://x.de/8</link><author>jl@x.de</author></item>"
    "</channel></rss>",
    "rss content before description": RSS_HEAD
    + "<item><title>Neun</title><link>https://x.de/9</link>"
    "<content:encoded><![CDATA[<p>Voll</p>]]></content:encoded>"
    "<description>Kurz</description></item><item><title>Zehn</title>"
    "<content:encoded><![CDATA[<p>Nur voll</p>]]></content:encoded></item></channel></rss>",
    "atom basics": ATOM_HEAD + '<author><name>Forum</name></author><link href="/"/>'
    '<entry xml:base="neuigkeiten/"><title type="html">A &amp;amp; &lt;b&gt;B&lt;/b&gt;</title>'
    '<id>tag:x,2024:1</id><link href="a.html"/><link rel="alternate" type="text/html" '
    'href="b.html" xml:base="/anders/"/><link rel="self" href="self.xml"/>'
    "<published>2024-05-01T10:00:00+02:00</published><updated>2024-05-02T10:00:00Z</updated>"
    "<summary>Kurz &amp; gut</summary>"
    '<content type="html">&lt;p&gt;Lang&lt;/p&gt;</content>'
    "<category term='x'/><author><name>Jens</name><email>jl@x.de</email></author></entry>"
    "</feed>",
    "atom id as link": ATOM_HEAD
    + "<entry><id>https://stadtforum-chemnitz.de/n/1.html</id><title>Eins</title>"
    '<content type="text">Nur &lt;Text&gt;</content></entry>'
    '<entry><title>Zwei</title><id>tag:x,2024:2</id><link rel="enclosure" href="a.mp3"/>'
    "</entry></feed>",
}

DECLINED_CASES = {
    "rss with doctype": RSS_HEAD.replace("<rss", '<!DOCTYPE rss [<!ENTITY s "Leipzig">]><rss')
    + "<item><title>&s;</title></item></channel></rss>",
    "rss media element": RSS_HEAD.replace(
        "<channel>", '<channel xmlns:media="http://search.yahoo.com/mrss/">'
    )
    + "<item><title>M</title><media:title>Anders</media:title></item></channel></rss>",
    "rss markup in description": RSS_HEAD
    + "<item><title>X</title><description><p>roh</p></description></item></channel></rss>",
    "atom xhtml": ATOM_HEAD + '<entry><title>X</title><id>i</id><content type="xhtml">'
    '<div xmlns="http://www.w3.org/1999/xhtml"><p>Hi</p></div></content></entry></feed>',
    "rss dublin core prefix on a wrong URI": RSS_HEAD.replace(
        "<channel>", '<channel xmlns:dcx="http://purl.org/dc/elements/1.1">'
    ).replace('xmlns:dc="http://purl.org/dc/elements/1.1/"', 'xmlns:dc="http://purl.org/dc/"')
    + "<item><title>X</title><dc:creator>Anna</dc:creator></item></channel></rss>",
    "rss two titles": RSS_HEAD + "<item><title>X</title><title>Y</title></item></channel></rss>",
}


def both_ways(body: bytes, content_type: str | None) -> tuple[ParsedFeed, ParsedFeed]:
    body = _strip_leading_noise(body)
    _, charset = _split_content_type(content_type)
    fast = _parse_xml(body, url=URL, charset=charset)
    slow = _parse_xml(body, url=URL, charset=charset, fast_path=False)
    return fast, slow


@pytest.mark.parametrize("name", sorted(FAST_CASES))
def test_fast_path_takes_and_matches_feedparser(name: str) -> None:
    body = FAST_CASES[name].encode("utf-8")

    assert read_common_feed(body, url=URL, charset=None) is not None
    fast, slow = both_ways(body, "application/rss+xml")
    assert fast == slow
    assert fast.entries


@pytest.mark.parametrize("name", sorted(DECLINED_CASES))
def test_fast_path_declines_what_it_is_unsure_of(name: str) -> None:
    body = DECLINED_CASES[name].encode("utf-8")

    assert read_common_feed(body, url=URL, charset=None) is None


@pytest.mark.parametrize(
    ("name", "taken"),
    [
        ("wordpress-rss2.xml", True),
        ("atom10.xml", False),  # one entry has XHTML content
        ("xss.xml", True),
        ("wrong-charset.xml", True),
        ("wrong-charset-latin1.xml", False),  # not valid in its declared charset
        ("bozo-truncated.xml", False),
        ("rss091.xml", False),  # DOCTYPE
        ("rss10-rdf.xml", False),
        ("atom03.xml", False),
    ],
)
def test_golden_feeds_read_the_same_both_ways(name: str, taken: bool) -> None:
    body = (FEEDS / name).read_bytes()

    fast, slow = both_ways(body, None)

    assert fast == slow
    assert (read_common_feed(body, url=URL, charset=None) is not None) == taken
