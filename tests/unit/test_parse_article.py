"""Article pages → ArticleMeta: structured data first, then the text; hostile pages survive."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from aggregator.errors import ParseError
from aggregator.parse.article import ArticleMeta, read_article

DATA = Path(__file__).parent.parent / "data" / "article"
CET = timezone(timedelta(hours=1))
CEST = timezone(timedelta(hours=2))


def read(name: str, url: str, content_type: str | None = None) -> ArticleMeta:
    return read_article((DATA / name).read_bytes(), url=url, content_type=content_type)


def test_wordpress_with_yoast_graph() -> None:
    url = "https://www.stadtforum-leipzig.de/2025/11/abriss-der-brauerei-droht/"
    assert read("wordpress-yoast.html", url, "text/html; charset=UTF-8") == ArticleMeta(
        title="Abriss der Brauerei an der Karl-Heine-Straße droht",
        published=datetime(2025, 11, 24, 10, 15, tzinfo=CET),
        updated=datetime(2025, 11, 26, 18, 2, 11, tzinfo=CET),
        excerpt=(
            "Der Eigentümer hat den Abriss der denkmalgeschützten Brauerei beantragt. Das "
            "Stadtforum fordert einen Erhalt des Sudhauses und eine öffentliche Anhörung."
        ),
        image="https://www.stadtforum-leipzig.de/wp-content/uploads/2025/11/brauerei-sudhaus.jpg",
        canonical_url=url,
        date_source="json-ld",
    )


def test_typo3_news_detail_dates_from_time_and_relative_urls_from_base() -> None:
    url = "https://www.stadtforum-chemnitz.de/aktuelles/detail/neue-nutzung-fuer-den-wasserturm?cHash=abc"
    assert read("typo3-news.html", url) == ArticleMeta(
        title="Neue Nutzung für den Wasserturm am Kaßberg",
        published=datetime(2025, 10, 14),
        updated=None,
        excerpt=(
            "Für den leerstehenden Wasserturm auf dem Kaßberg liegen drei Konzepte vor. "
            "Das Stadtforum lädt zur Diskussion ein."
        ),
        image="https://www.stadtforum-chemnitz.de/fileadmin/_processed_/5/a/csm_wasserturm_3c2b1a.jpg",
        canonical_url="https://www.stadtforum-chemnitz.de/aktuelles/detail/neue-nutzung-fuer-den-wasserturm",
        date_source="time",
    )


def test_jimdo_blog_post_time_beside_the_text_and_empty_description() -> None:
    url = "https://www.aktionskreis-goerlitz.de/2025/09/03/rundgang-durch-die-g%C3%B6rlitzer-altstadt/"
    assert read("jimdo-blog.html", url) == ArticleMeta(
        title="Rundgang durch die Görlitzer Altstadt",
        published=datetime(2025, 9, 3, 18, 30, tzinfo=CEST),
        updated=None,
        excerpt=(
            "Beim Rundgang des Aktionskreises am vergangenen Samstag ging es um die "
            "leerstehenden Gründerzeithäuser an der Berliner Straße und um die Frage, wie die "
            "Stadt ihre Eigentümer zum Handeln bewegen kann."
        ),
        image=(
            "https://image.jimcdn.com/app/cms/image/transf/dimension=1920x400:format=jpg/path/"
            "s8a1b2c3d4e5f6a7/image/i1234567890abcdef/version/1693732000/image.jpg"
        ),
        canonical_url=url,
        date_source="time",
    )


def test_hand_made_latin1_page_with_only_a_dateline() -> None:
    meta = read("handmade-leipzig.html", "http://www.stadtforum-leipzig.de/brauerei.htm")
    assert meta == ArticleMeta(
        title="Brauerei",
        published=datetime(2025, 11, 24),
        updated=None,
        excerpt=(
            "Das Stadtforum Leipzig wendet sich gegen den Abriss der Brauerei. Gemeinsam mit dem "
            "Denkmalnetz Sachsen fordern wir eine öffentliche Anhörung im Stadtrat und ein "
            "Gutachten zum Zustand des Sudhauses."
        ),
        image="http://www.stadtforum-leipzig.de/bilder/brauerei.jpg",  # not the 1×1 spacer
        canonical_url=None,
        date_source="text",
    )


def test_an_invitation_whose_only_date_is_the_event_is_undated() -> None:
    meta = read("invitation.html", "https://www.netzwerk-stadtforen.de/einladung/")
    assert (meta.title, meta.published, meta.updated, meta.date_source, meta.image) == (
        "Einladung zum 12. Vernetzungstreffen",
        None,
        None,
        None,
        None,  # the logo is no lead image
    )


def test_stand_is_an_update_not_a_publication() -> None:
    meta = read("stand.html", "https://www.netzwerk-stadtforen.de/mitglieder/")
    assert (meta.title, meta.published, meta.updated, meta.date_source, meta.excerpt) == (
        "Unsere Mitglieder",
        None,
        datetime(2025, 12, 1),
        None,
        "Die Stadtforen und Initiativen im Netzwerk Stadtforen Mitteldeutschland.",
    )


def test_phone_numbers_and_an_address_are_no_dates() -> None:
    meta = read("contact.html", "http://www.kuratorium-altstadt-pirna.de/kontakt/")
    assert (meta.title, meta.published, meta.updated, meta.date_source) == (
        "Kontakt",
        None,
        None,
        None,
    )
    assert meta.excerpt == "Kuratorium Altstadt Pirna e. V. Obere Burgstraße 1 01796 Pirna"


def page(head: str = "", body: str = "") -> bytes:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>".encode()


URL = "https://www.stadtforum-gotha.de/2024/04/28/fruehjahrsputz/"


def test_order_opengraph_before_meta_before_time_before_text() -> None:
    body = (
        '<article><h1>T</h1><time datetime="2024-04-26">26.04.2024</time>'
        "<p>Gotha, 25.04.2024</p></article>"
    )
    og = '<meta property="article:published_time" content="2024-04-28T08:00:00Z">'
    meta = '<meta name="DC.date.issued" content="2024-04-27">'
    assert read_article(page(og + meta, body), url=URL).date_source == "opengraph"
    assert read_article(page(meta, body), url=URL).published == datetime(2024, 4, 27)
    assert read_article(page(meta, body), url=URL).date_source == "meta"
    assert read_article(page("", body), url=URL).published == datetime(2024, 4, 26)
    text_only = body.replace('<time datetime="2024-04-26">26.04.2024</time>', "")
    result = read_article(page("", text_only), url=URL)
    assert (result.published, result.date_source) == (datetime(2024, 4, 25), "text")


def test_a_time_marked_published_beats_an_earlier_plain_time_and_updated_is_separate() -> None:
    body = (
        '<article><h1>T</h1><time datetime="2024-04-01">1. April</time>'
        '<time class="updated" datetime="2024-05-02">2. Mai</time>'
        '<time class="entry-date published" datetime="2024-04-28">28. April</time></article>'
    )
    meta = read_article(page("", body), url=URL)
    assert (meta.published, meta.updated) == (datetime(2024, 4, 28), datetime(2024, 5, 2))


def test_json_ld_in_a_list_with_a_trailing_comma_and_a_zero_date() -> None:
    ld = (
        '<script type="application/ld+json">[{"@type":"Organization","name":"X"},'
        '{"@type":["BlogPosting"],"headline":"Frühjahrsputz im Schlosspark",'
        '"datePublished":"0000-00-00","dateModified":"2024-04-29T10:00:00+02:00",},]</script>'
        '<script type="application/ld+json">'
        '{"@type":"WebPage","datePublished":"2024-04-28"}</script>'
    )
    meta = read_article(page(ld, "<p>x</p>"), url=URL)
    assert (meta.title, meta.published, meta.updated, meta.date_source) == (
        "Frühjahrsputz im Schlosspark",
        datetime(2024, 4, 28),
        datetime(2024, 4, 29, 10, tzinfo=CEST),
        "json-ld",
    )


def test_broken_json_ld_is_read_by_pattern_or_skipped() -> None:
    ld = (
        '<script type="application/ld+json">{"@type":"NewsArticle",'
        '"datePublished":"2024-04-28T09:00:00+02:00", "headline": "A" "B"</script>'
    )
    meta = read_article(page(ld, "<p>x</p>"), url=URL)
    assert (meta.published, meta.date_source) == (
        datetime(2024, 4, 28, 9, tzinfo=CEST),
        "json-ld",
    )
    deep = '<script type="application/ld+json">' + "[" * 100_000 + "</script>"
    assert read_article(page(deep, "<h1>Titel</h1>"), url=URL).title == "Titel"


def test_hostile_urls_are_dropped() -> None:
    head = (
        '<link rel="canonical" href="javascript:alert(1)">'
        '<meta property="og:image" content="javascript:alert(1)">'
        '<meta property="og:url" content="https://evil.example/steal">'
    )
    meta = read_article(
        page(head, '<article><img src="data:image/gif;base64,R0lG"></article>'), url=URL
    )
    assert (meta.canonical_url, meta.image) == (None, None)


def test_canonical_on_the_bare_domain_or_a_subdomain_is_the_same_site() -> None:
    head = '<link rel="canonical" href="https://stadtforum-gotha.de/2024/04/28/fruehjahrsputz/">'
    assert read_article(page(head), url=URL).canonical_url == (
        "https://stadtforum-gotha.de/2024/04/28/fruehjahrsputz/"
    )


def test_title_tag_without_the_site_name() -> None:
    head = "<title>Frühjahrsputz | Stadtforum Gotha</title>"
    assert read_article(page(head), url=URL).title == "Frühjahrsputz"
    head = (
        "<title>Stadtforum Gotha » Frühjahrsputz</title>"
        '<meta property="og:site_name" content="Stadtforum Gotha">'
    )
    assert read_article(page(head), url=URL).title == "Frühjahrsputz"
    head = "<title>Leipzig - Halle: neue S-Bahn</title>"
    assert read_article(page(head), url=URL).title == "Leipzig - Halle: neue S-Bahn"


def test_excerpt_is_cut_near_300_characters_and_skips_the_cookie_banner() -> None:
    long = "Der Schlosspark wurde am Samstag gemeinsam gereinigt. " * 10
    body = (
        '<div class="cookie-banner"><p>Wir verwenden Cookies, damit diese Website gut '
        "funktioniert und wir sie verbessern können.</p></div>"
        f"<main><p>Kurz.</p><p>{long}</p></main>"
    )
    excerpt = read_article(page("", body), url=URL).excerpt
    assert excerpt == (
        "Der Schlosspark wurde am Samstag gemeinsam gereinigt. " * 5 + "Der Schlosspark wurde am …"
    )


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"version": "https://jsonfeed.org/version/1.1"}', "application/json"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>', "text/xml"),
        (b"%PDF-1.7 ...", None),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"Nur Text, kein HTML.", "text/plain"),
        (b"<html><body>x</body></html>", "application/pdf"),
    ],
)
def test_a_body_that_is_not_html_is_a_parse_error(content: bytes, content_type: str | None) -> None:
    with pytest.raises(ParseError) as raised:
        read_article(content, url=URL, content_type=content_type)
    assert raised.value.reason == "not_html"
    assert URL in raised.value.message


@pytest.mark.parametrize(("content", "content_type"), [(b"", None), (b"   \n", "text/html")])
def test_an_empty_body_is_an_empty_page(content: bytes, content_type: str | None) -> None:
    with pytest.raises(ParseError) as raised:
        read_article(content, url=URL, content_type=content_type)
    assert raised.value.reason == "empty_page"
    assert URL in raised.value.message


def test_charset_from_the_header_and_from_meta() -> None:
    body = "<html><head><title>Baulücke in der Südvorstadt</title></head></html>"
    assert (
        read_article(
            body.encode("cp1252"), url=URL, content_type="text/html; charset=windows-1252"
        ).title
        == "Baulücke in der Südvorstadt"
    )
    meta = '<html><head><meta charset="iso-8859-1"><title>Baulücke – Straße</title></head></html>'
    assert read_article(meta.encode("cp1252"), url=URL).title == "Baulücke – Straße"
    assert (
        read_article(meta.encode("cp1252"), url=URL, content_type="text/html; charset=bogus").title
        == "Baulücke – Straße"
    )


def test_ten_thousand_nested_divs_and_a_huge_page() -> None:
    nested = page(
        "<title>Tief</title>", "<div>" * 10_000 + "Leipzig, 24.11.2025" + "</div>" * 10_000
    )
    meta = read_article(nested, url=URL)
    assert meta.title == "Tief"
    spans = page("<title>Spannen</title>", "<span>" * 50_000 + "<div></div>" * 50_000)
    assert read_article(spans, url=URL).title == "Spannen"
    huge = page("<title>Groß</title>", "<p>Gotha, 24.11.2025</p>" + "<p>Text</p>" * 500_000)
    meta = read_article(huge, url=URL)
    assert (meta.title, meta.published) == ("Groß", datetime(2025, 11, 24))
