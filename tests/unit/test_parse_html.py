"""The gate from untrusted bytes to a lexbor tree: charsets, BOMs, what is not HTML, nesting."""

from __future__ import annotations

from datetime import datetime

import pytest

from aggregator.errors import ParseError
from aggregator.model import ScrapeRules
from aggregator.parse.article import read_article
from aggregator.parse.html import base_url, decode_html, html_tree, same_site
from aggregator.parse.scrape import read_list_page

URL = "https://www.stadtforum-gotha.de/aktuelles/"
TEXT = "Baulücke in der Südvorstadt – „Schloß“ für 5 €"


def page(text: str = TEXT, head: str = "") -> str:
    return f"<html><head>{head}<title>{text}</title></head><body><p>{text}</p></body></html>"


def title_of(text: str) -> str:
    node = html_tree(text).css_first("title")
    assert node is not None
    return node.text()


# --- charsets -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (page().encode("utf-8"), "text/html; charset=utf-8"),
        (page().encode("utf-8"), None),  # undeclared, valid UTF-8
        (page().encode("cp1252"), 'text/html; charset="windows-1252"'),
        (page().encode("cp1252"), "text/html; charset=ISO-8859-1"),  # read as windows-1252
        (page().encode("cp1252"), "text/html; charset=latin1"),
        (page(head='<meta charset="iso-8859-1">').encode("cp1252"), "text/html"),
        (
            page(
                head='<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
            ).encode("cp1252"),
            None,
        ),
        # an unknown header charset counts as none: <meta> decides
        (page(head='<meta charset="windows-1252">').encode("cp1252"), "text/html; charset=bogus"),
        (page().encode("cp1252"), None),  # undeclared; "ß“" alone looks like UTF-8: windows-1252
        # says UTF-8 but is windows-1252 (old hand-made pages)
        (page(head='<meta charset="utf-8">').encode("cp1252"), None),
        (b"\xef\xbb\xbf" + page().encode("utf-8"), "text/html; charset=windows-1252"),  # BOM wins
        (b"\xff\xfe" + page().encode("utf-16-le"), "text/html"),
        (b"\xfe\xff" + page().encode("utf-16-be"), None),
    ],
)
def test_charset(content: bytes, content_type: str | None) -> None:
    assert title_of(decode_html(content, url=URL, content_type=content_type)) == TEXT


def test_the_header_charset_wins_over_meta() -> None:
    content = page(head='<meta charset="utf-8">').encode("cp1252")
    text = decode_html(content, url=URL, content_type="text/html; charset=windows-1252")
    assert title_of(text) == TEXT


def test_a_stray_byte_in_a_utf8_page_is_replaced_not_the_whole_page_misread() -> None:
    content = page("Straße in Görlitz").encode() + b"<p id=alt>Gr\xfc\xdfe</p>"  # 1252 "üß"
    tree = html_tree(decode_html(content, url=URL))
    assert [node.text() for node in tree.css("title, #alt")] == [
        "Straße in Görlitz",
        "Gr\ufffd\ufffde",
    ]


def test_a_windows_1252_page_with_one_accidental_utf8_lookalike_is_windows_1252() -> None:
    content = "<p>„Schloß“ in Görlitz, Füße, Bäume</p>".encode("cp1252")  # "ß“" is valid UTF-8
    assert decode_html(content, url=URL) == "<p>„Schloß“ in Görlitz, Füße, Bäume</p>"


def test_a_character_cut_at_max_bytes_is_replaced() -> None:
    content = "<html><title>Gotha</title><p>Schloß".encode()  # "ß" is the last two bytes
    text = decode_html(content, url=URL, max_bytes=len(content) - 1)
    assert text.endswith("Schlo\ufffd")


# --- what is not HTML ---------------------------------------------------------------------------


@pytest.mark.parametrize(("content", "content_type"), [(b"", None), (b" \r\n\t ", "text/html")])
def test_an_empty_body_is_an_empty_page(content: bytes, content_type: str | None) -> None:
    with pytest.raises(ParseError) as raised:
        decode_html(content, url=URL, content_type=content_type)
    assert raised.value.reason == "empty_page"
    assert raised.value.message == f"the page {URL} is empty"


@pytest.mark.parametrize(
    ("content", "content_type", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "application/pdf", "binary data"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", None, "binary data"),
        (b"\x1f\x8b\x08\x00", "text/html", "binary data"),  # gzip sent as HTML
        (b"<html>\x00\x00\x00\x00", "text/html", "binary data"),
        (b'  {"items": []}', "application/json", "JSON"),
        (b'[{"id": 1}]', "text/html", "JSON"),
        (b'<?xml version="1.0"?><rss version="2.0"/>', "text/xml", "a feed or other XML"),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"></feed>', "text/html", "a feed or other XML"),
        (b'<?xml version="1.0"?><urlset></urlset>', None, "a feed or other XML"),
        (b"<html><body>x</body></html>", "application/pdf", "not HTML by its content type"),
        (b"<html><body>x</body></html>", "image/png", "not HTML by its content type"),
        (b"Nur Text, kein HTML.", "text/plain", "not HTML: no markup at its start"),
        (b"Datum;Titel\n24.11.2025;Fest", "text/csv", "not HTML: no markup at its start"),
        (b"Nur Text, kein HTML.", None, "not HTML: no markup at its start"),
    ],
)  # fmt: skip
def test_not_html(content: bytes, content_type: str | None, kind: str) -> None:
    with pytest.raises(ParseError) as raised:
        decode_html(content, url=URL, content_type=content_type)
    assert raised.value.reason == "not_html"
    shown = (content_type or "none given").split(";")[0]
    assert raised.value.message == f"{URL} is not an HTML page ({kind}; content type {shown})"


@pytest.mark.parametrize(
    ("content", "content_type", "expected"),
    [
        (b"<p>24.11.2025 | Fest</p>", "text/html", "<p>24.11.2025 | Fest</p>"),  # no <html>
        (b'<?xml version="1.0"?><!DOCTYPE html><p>x', "text/html",
         '<?xml version="1.0"?><!DOCTYPE html><p>x'),
        (b"<html><title>Feeds</title><rss >", None, "<html><title>Feeds</title><rss >"),
        (b"<!-- CMS -->\n<div>x</div>", "application/octet-stream", "<!-- CMS -->\n<div>x</div>"),
        (b"<html><body>x</body></html>", "application/xhtml+xml", "<html><body>x</body></html>"),
        (b"\xef\xbb\xbf  <!DOCTYPE html><p>x \n", "text/html", "  <!DOCTYPE html><p>x"),
        (b"\xff\xfe" + "<p>Straße</p>".encode("utf-16-le"), None, "<p>Straße</p>"),  # NULs
    ],
)  # fmt: skip
def test_html_in_odd_wrappings_is_html(
    content: bytes, content_type: str | None, expected: str
) -> None:
    assert decode_html(content, url=URL, content_type=content_type) == expected


# --- nesting ------------------------------------------------------------------------------------


def test_a_hundred_thousand_nested_divs_are_cut_and_what_comes_before_is_read() -> None:
    html = page("Vor der Falle") + "<div>" * 100_000 + "Tief unten" + "</div>" * 100_000
    tree = html_tree(html)  # uncut, lexbor would take half a minute
    assert tree.css_first("title").text() == "Vor der Falle"  # type: ignore[union-attr]
    assert "Tief unten" not in (tree.body.text() if tree.body else "")
    assert len(tree.css("div")) < 100_000


def test_list_items_and_article_metadata_before_a_nesting_trap_are_found() -> None:
    trap = "<div>" * 100_000 + '<article><h2><a href="/b">Danach</a></h2></article>'
    body = f"""<html><head><title>Aktuelles</title>
    <meta property="article:published_time" content="2025-11-24T10:00:00+01:00"></head><body>
    <article><h2><a href="/a">Altstadtfest</a></h2><time datetime="2025-11-24">24.11.</time>
    </article>{trap}</body></html>""".encode()
    listed = read_list_page(body, url=URL, rules=ScrapeRules(url=URL))
    assert [(e.title, e.link) for e in listed.entries] == [
        ("Altstadtfest", "https://www.stadtforum-gotha.de/a")
    ]
    meta = read_article(body, url=URL)
    assert meta.title == "Aktuelles"
    assert meta.published is not None and meta.published.replace(tzinfo=None) == datetime(
        2025, 11, 24, 10
    )


def test_nesting_in_scripts_comments_and_void_tags_is_not_counted() -> None:
    noise = "<script>for(i=0;i<n;i++){a<b}</script>" * 2_000 + "<!-- <div> -->" * 2_000
    flat = "<p>Absatz<br><img src=x.png>" * 10_000
    html = page("Flach") + noise + flat + "<p id=ende>Ende</p>"
    tree = html_tree(html)
    assert tree.css_first("#ende") is not None  # nothing cut


def test_deep_but_affordable_nesting_is_kept_whole() -> None:
    html = "<div>" * 2_000 + "<p id=unten>unten</p>" + "</div>" * 2_000
    node = html_tree(html).css_first("#unten")
    assert node is not None and node.text() == "unten"


@pytest.mark.parametrize(
    "tail",
    [
        "<script>" + "<div>" * 50_000,  # never closed: the rest is script text
        "<!--" + "<div>" * 50_000,  # never closed: the rest is a comment
    ],
)
def test_unclosed_raw_text_and_comments_end_the_scan(tail: str) -> None:
    tree = html_tree(page("Anfang") + tail)
    assert tree.css_first("title").text() == "Anfang"  # type: ignore[union-attr]
    assert tree.css("div") == []


# --- URLs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("", URL),
        ('<base href="/archiv/">', "https://www.stadtforum-gotha.de/archiv/"),
        ('<base href="https://cdn.example.de/x/">', "https://cdn.example.de/x/"),
        ('<base href="javascript:alert(1)">', URL),
        ('<base target="_blank">', URL),
    ],
)
def test_base_url(head: str, expected: str) -> None:
    assert base_url(html_tree(page(head=head)), URL) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("https://www.stadtforum-gotha.de/a", "http://stadtforum-gotha.de/b", True),
        ("https://blog.stadtforum-gotha.de/a", "https://stadtforum-gotha.de/", True),
        ("https://stadtforum-gotha.de./a", "https://STADTFORUM-GOTHA.DE/", True),
        ("https://stadtforum-gotha.de/", "https://gotha.de/", False),
        ("https://stadtforum-gotha.de/", "https://andere-seite.de/", False),
        ("https://stadtforum-gotha.de/", "/relativ", False),
        ("https://[::1", "https://stadtforum-gotha.de/", False),
    ],
)
def test_same_site(a: str, b: str, expected: bool) -> None:
    assert same_site(a, b) is expected
