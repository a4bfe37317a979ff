"""parse_feed: what a crawl gets back for the bodies member sites really serve."""

from __future__ import annotations

import gzip
import zlib
from datetime import UTC, datetime, timedelta, timezone

import pytest

from aggregator.errors import ParseError, SourceError
from aggregator.parse import parse_feed

URL = "https://www.stadtforum-leipzig.de/feed/"


def rss(items: str, *, channel_extra: str = "", declaration: str = "UTF-8") -> bytes:
    return (
        f'<?xml version="1.0" encoding="{declaration}"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>Stadtforum Leipzig</title><link>https://www.stadtforum-leipzig.de/</link>"
        f"{channel_extra}{items}</channel></rss>"
    ).encode()


ITEM = (
    "<item><title>Abriss in Leutzsch</title><link>/2024/05/abriss/</link>"
    '<guid isPermaLink="false">p-1</guid><pubDate>Tue, 28 May 2024 17:12:44 +0200</pubDate>'
    "<description>Kurz</description><content:encoded><![CDATA[<p>Lang</p>]]></content:encoded>"
    "</item>"
)


def test_rss_entry_fields() -> None:
    feed = parse_feed(rss(ITEM), url=URL, content_type="application/rss+xml; charset=UTF-8")

    assert feed.title == "Stadtforum Leipzig"
    assert feed.link == "https://www.stadtforum-leipzig.de/"
    assert feed.warning is None
    (entry,) = feed.entries
    assert entry.guid == "p-1"
    assert entry.link == "https://www.stadtforum-leipzig.de/2024/05/abriss/"  # resolved
    assert entry.title == "Abriss in Leutzsch"
    assert entry.content_html == "<p>Lang</p>"
    assert entry.summary_html == "Kurz"
    assert entry.published == datetime(2024, 5, 28, 17, 12, 44, tzinfo=timezone(timedelta(hours=2)))
    assert entry.updated is None


def test_rss_ttl_is_kept() -> None:
    assert parse_feed(rss("", channel_extra="<ttl>90</ttl>"), url=URL).ttl_minutes == 90
    assert parse_feed(rss("", channel_extra="<ttl>bald</ttl>"), url=URL).ttl_minutes is None
    assert parse_feed(rss(""), url=URL).ttl_minutes is None


def test_valid_feed_without_items_is_empty_not_an_error() -> None:
    feed = parse_feed(rss(""), url=URL)

    assert feed.entries == ()
    assert feed.warning is None


@pytest.mark.parametrize("body", [b"", b"   \n\t", b"\xef\xbb\xbf\n"])
def test_empty_body(body: bytes) -> None:
    with pytest.raises(ParseError) as raised:
        parse_feed(body, url=URL)

    assert raised.value.reason == "empty"
    assert isinstance(raised.value, SourceError)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (
            b"<!DOCTYPE html><html><head><title>Start</title></head><body>Hallo</body></html>",
            "text/html; charset=utf-8",
        ),
        (b"<html><body><p>Kein Feed</p></body></html>", "application/rss+xml"),  # lies
        (
            b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            b"<url><loc>https://x.de/</loc></url></urlset>",
            "application/xml",
        ),
        (b"Hallo Welt", "text/plain"),
        (b"https://www.stadtforum-leipzig.de/feed/", None),  # never fetched: bytes are data
    ],
)
def test_not_a_feed(body: bytes, content_type: str | None) -> None:
    with pytest.raises(ParseError) as raised:
        parse_feed(body, url=URL, content_type=content_type)

    assert raised.value.reason == "not_a_feed"
    assert "\n" not in raised.value.message


def test_html_page_message_says_what_to_do() -> None:
    with pytest.raises(ParseError, match="HTML page, not a feed"):
        parse_feed(b"<!doctype html><html><body></body></html>", url=URL)


RSS_BODY = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
    b"<item><title>Eintrag</title><link>https://x.de/1</link></item></channel></rss>"
)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (gzip.compress(RSS_BODY), "gzip-compressed data the server did not declare"),
        (zlib.compress(RSS_BODY), "zlib-compressed data the server did not declare"),
        (zlib.compress(RSS_BODY)[2:], "binary data, not text"),  # raw deflate
        (b"\x00\x01\x02PK\x03\x04", "binary data, not text"),
        ("Größe: keine Meldungen".encode("latin-1"), "the body starts with 'Größe: keine"),
    ],
)
def test_a_body_that_is_not_text_is_described_not_quoted(body: bytes, says: str) -> None:
    """Compressed data without Content-Encoding (feedparser's own corpus serves some) used to be
    quoted as mojibake: "the body starts with '\ufffdIKMMQ\ufffd\ufffd…'"."""
    with pytest.raises(ParseError) as raised:
        parse_feed(body, url=URL, content_type="text/xml")

    assert raised.value.reason == "not_a_feed"
    assert raised.value.message.startswith(f"neither XML nor JSON: {says}")
    assert "\ufffd" not in raised.value.message


def test_unreadable_xml_is_malformed_with_line_number() -> None:
    body = b'<?xml version="1.0"?>\n<foo>\n<<< kaputt'

    with pytest.raises(ParseError) as raised:
        parse_feed(body, url=URL, content_type="application/xml")

    assert raised.value.reason == "malformed"
    assert raised.value.message.startswith("not well-formed XML at line 3:")


def test_truncated_feed_yields_what_is_readable_with_a_warning() -> None:
    body = rss(ITEM + ITEM.replace("p-1", "p-2"))[:-40]  # cut inside the second item

    feed = parse_feed(body, url=URL)

    assert [entry.guid for entry in feed.entries] == ["p-1", "p-2"]
    assert feed.warning is not None
    assert feed.warning.startswith("not well-formed XML at line 2:")


def test_leading_blank_lines_do_not_make_a_feed_bozo() -> None:
    feed = parse_feed(b"\xef\xbb\xbf\n\n  " + rss(ITEM), url=URL)

    assert feed.warning is None
    assert len(feed.entries) == 1


def test_utf8_declared_as_latin1_is_read_as_utf8_with_a_warning() -> None:
    body = rss(ITEM.replace("Leutzsch", "Görlitz"), declaration="ISO-8859-1")

    feed = parse_feed(body, url=URL, content_type="text/xml")

    assert feed.entries[0].title == "Abriss in Görlitz"
    assert feed.warning == (
        "wrong charset declaration: declared as ISO-8859-1, but the content is UTF-8"
    )


def test_http_charset_latin1_for_utf8_body_is_corrected() -> None:
    body = rss(ITEM.replace("Leutzsch", "Görlitz"))

    feed = parse_feed(body, url=URL, content_type="application/rss+xml; charset=ISO-8859-1")

    assert feed.entries[0].title == "Abriss in Görlitz"
    assert feed.warning is not None and "ISO-8859-1" in feed.warning


def test_real_latin1_is_read_without_warning() -> None:
    body = rss(ITEM.replace("Leutzsch", "Görlitz"), declaration="ISO-8859-1")
    body = body.decode("utf-8").encode("iso-8859-1")

    feed = parse_feed(body, url=URL, content_type="text/xml")

    assert feed.entries[0].title == "Abriss in Görlitz"
    assert feed.warning is None


def test_latin1_declared_as_utf8_is_repaired_with_a_warning() -> None:
    body = rss(ITEM.replace("Leutzsch", "Görlitz")).decode("utf-8").encode("iso-8859-1")

    feed = parse_feed(body, url=URL)

    assert feed.entries[0].title == "Abriss in Görlitz"
    assert feed.warning is not None
    assert feed.warning.startswith("wrong charset declaration: document declared as utf-8")


def test_text_xml_without_charset_follows_the_xml_declaration() -> None:
    """RFC 3023 said US-ASCII here; RFC 7303 (and every browser) says: the declaration."""
    feed = parse_feed(rss(ITEM.replace("Leutzsch", "Görlitz")), url=URL, content_type="text/xml")

    assert feed.entries[0].title == "Abriss in Görlitz"
    assert feed.warning is None


def test_feed_served_as_text_html_is_read_without_warning() -> None:
    feed = parse_feed(rss(ITEM), url=URL, content_type="text/html; charset=UTF-8")

    assert len(feed.entries) == 1
    assert feed.warning is None


def test_atom_entry_fields() -> None:
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://stadtforum-chemnitz.de/news/">
<title>Stadtforum Chemnitz</title>
<entry><title type="text">A &lt;b&gt; B</title><id>tag:x,2024:1</id>
<link rel="alternate" href="eintrag.html"/><link rel="enclosure" href="/a.mp3"/>
<updated>2024-05-12T09:00:00Z</updated><published>2024-05-11T09:00:00+02:00</published>
<author><name>Jens Lehmann</name><email>jl@example.org</email></author>
<summary type="html">&lt;p&gt;Kurz&lt;/p&gt;</summary>
<content type="text">x &lt; y</content></entry>
</feed>"""

    (entry,) = parse_feed(body, url="https://stadtforum-chemnitz.de/atom.xml").entries

    assert entry.link == "https://stadtforum-chemnitz.de/news/eintrag.html"
    assert entry.title == "A &lt;b&gt; B"  # Atom type="text": plain text, escaped as HTML
    assert entry.summary_html == "<p>Kurz</p>"
    assert entry.content_html == "x &lt; y"
    assert entry.author == "Jens Lehmann"
    assert entry.updated == datetime(2024, 5, 12, 9, 0, tzinfo=UTC)
    assert entry.published is not None and entry.published.utcoffset() == timedelta(hours=2)


def test_rss_title_with_escaped_markup_is_taken_as_html() -> None:
    body = rss(
        ITEM.replace("Abriss in Leutzsch", "Abriss &amp;amp; Neubau &lt;b&gt;jetzt&lt;/b&gt;")
    )

    (entry,) = parse_feed(body, url=URL).entries

    assert entry.title == "Abriss &amp; Neubau <b>jetzt</b>"


def test_json_feed_is_recognised_by_content_type_or_body() -> None:
    body = b'{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": []}'

    assert parse_feed(body, url=URL).title == "T"
    assert parse_feed(b"\xef\xbb\xbf  " + body, url=URL).title == "T"
    assert parse_feed(body, url=URL, content_type="application/feed+json").title == "T"


def test_json_content_type_with_xml_body_is_read_as_xml() -> None:
    feed = parse_feed(rss(ITEM), url=URL, content_type="application/json")

    assert len(feed.entries) == 1


def test_invalid_json_is_malformed_with_position() -> None:
    with pytest.raises(ParseError) as raised:
        parse_feed(b'{"version": "https://jsonfeed.org/version/1.1",\n "items": [,]}', url=URL)

    assert raised.value.reason == "malformed"
    assert raised.value.message.startswith("invalid JSON at line 2 column 12:")


@pytest.mark.parametrize(
    "body",
    [
        b'{"title": "kein Feed"}',
        b'{"version": "https://jsonfeed.org/version/2", "items": []}',
        b'{"version": 1, "items": []}',
    ],
)
def test_json_without_a_known_version_is_not_a_feed(body: bytes) -> None:
    with pytest.raises(ParseError) as raised:
        parse_feed(body, url=URL)

    assert raised.value.reason == "not_a_feed"


def test_json_top_level_array_is_not_a_feed() -> None:
    with pytest.raises(ParseError) as raised:
        parse_feed(b"[1, 2]", url=URL, content_type="application/json")

    assert raised.value.reason == "not_a_feed"


def test_json_feed_1_0_author_and_1_1_authors() -> None:
    body = b"""{"version": "https://jsonfeed.org/version/1", "items": [
      {"id": 7, "url": "https://x.de/a", "content_text": "Zeile 1\\nZeile <2>",
       "author": {"name": "Helmut Voigt"}, "date_modified": "2024-04-22T07:45:00+02:00"},
      {"id": "b", "external_url": "https://x.de/b", "title": "T & U",
       "authors": [{"name": "A"}, {"url": "https://x.de/"}, {"name": "B"}]}]}"""

    first, second = parse_feed(body, url=URL).entries

    assert first.guid == "7"
    assert first.content_html == "<p>Zeile 1<br>Zeile &lt;2&gt;</p>"
    assert first.author == "Helmut Voigt"
    assert first.published is None and first.updated is not None
    assert second.link == "https://x.de/b"
    assert second.title == "T &amp; U"  # plain text in JSON Feed, escaped as HTML
    assert second.author == "A, B"
