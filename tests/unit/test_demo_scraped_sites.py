"""The demo sites without a feed: every page a scraper will ask for is served, and the items
`expected_scraped_items` promises really stand on the list pages as promised.

Routes are called directly (no socket); tests/integration/test_demo_network.py does the same
over loopback HTTP.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import feedparser
import pytest

from aggregator.demo import stories as stories_module
from aggregator.demo.content import BERLIN, MONTHS, Calendar
from aggregator.demo.httpserver import Request, Response, Route
from aggregator.demo.scraped import (
    COMMENT_FEED_PATH,
    DATED_BLOCKS,
    DISCOVERABLE_SITE,
    DOKUWIKI,
    JIMDO,
    PLUS_BLOCKS,
    SCRAPED_SITES,
    TYPO3,
    WORDPRESS,
    ExpectedItem,
)
from aggregator.demo.sites import SITES, build_routes, demo_sources, expected_scraped_items
from aggregator.demo.stories import DataFileError, load_stories

NOW = datetime(2026, 3, 15, 11, 30, tzinfo=UTC)
BASE = "http://127.0.0.1:8123"
DATA_FILES = {
    "stadt-fuer-alle": WORDPRESS,
    "entwicklungsforum-dresden": TYPO3,
    "freiraum-zittau": JIMDO,
    "stadtforum-freiberg": DATED_BLOCKS,
    "ig-altes-magdeburg": PLUS_BLOCKS,
    "schiesshaus-chronik": DOKUWIKI,
    "denkmalnetz-sachsen": DISCOVERABLE_SITE,
}


@pytest.fixture(scope="module")
def routes() -> dict[str, Route]:
    return build_routes(NOW, BASE)


@pytest.fixture(scope="module")
def expected() -> dict[str, list[ExpectedItem]]:
    return expected_scraped_items(NOW, BASE)


def get(routes: dict[str, Route], url: str, **headers: str) -> Response:
    """What FixtureServer would answer for `url` (a path or an absolute URL on BASE)."""
    parts = urlsplit(url if url.startswith("http") else BASE + url)
    assert f"{parts.scheme}://{parts.netloc}" == BASE, url
    route = routes.get(parts.path)
    if route is None:
        return Response(404, b"not found")
    if isinstance(route, Response):
        return route
    return route(
        Request("GET", parts.path, parts.query, {k.lower(): v for k, v in headers.items()})
    )


INLINE_TAG = re.compile(r"</?(?:a|b|bdi|em|font|i|span|strong|time)\b[^>]*>")


def visible_text(body: bytes) -> str:
    """The page's text as a reader sees it: tags gone (inline ones without a gap), entities
    decoded, spaces collapsed."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", body.decode(), flags=re.DOTALL)
    text = re.sub(r"<[^>]+>", " ", INLINE_TAG.sub("", text))
    return " ".join(unescape(text).split())


def shown_date(site_id: str, day: datetime) -> str:
    """How each list page writes a date."""
    month = MONTHS[day.month - 1]
    if site_id == WORDPRESS.id:
        return f"{day.day}. {month} {day.year}"
    if site_id == JIMDO.id:
        return f"{day.day:02d} {month[:3]} {day.year}"
    if site_id == PLUS_BLOCKS.id:
        return f"{day.day}. {month.upper()} {day.year} //"
    return f"{day:%d.%m.%Y}"


def page_of(routes: dict[str, Route], path: str) -> str:
    response = get(routes, path)
    assert response.status == 200, path
    return visible_text(response.body)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.alternates: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and found.get("rel") == "alternate":
            self.alternates.append(found)


# --- the data files ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(DATA_FILES))
def test_each_data_file_loads_four_to_eight_past_stories_with_every_placeholder_filled(
    name: str,
) -> None:
    stories = load_stories(name, Calendar(NOW))
    assert 4 <= len(stories) <= 8
    for story in stories:
        assert NOW - timedelta(days=44) < story.published < NOW
        assert story.updated is None or story.published < story.updated < NOW
        for text in (story.title, story.body, *story.teaser):
            assert not re.search(r"\{[a-z_]+:[a-z]+\}", text), text
    assert any(ch in "äöüÄÖÜß" for s in stories for ch in s.title + s.body)


def test_event_placeholders_become_german_dates_after_now() -> None:
    (invitation,) = [
        s
        for s in load_stories("stadtforum-freiberg", Calendar(NOW))
        if s.slug == "einladung-stadtgespraech-wohnen"
    ]
    # `stadtgespraech: {ahead: 9, weekday: 3}`: the Thursday on or after 24 March 2026
    assert "Am 26. März laden wir alle Interessierten um 19 Uhr" in " ".join(
        invitation.body.split()
    )


def test_a_story_dated_today_or_later_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = {
        "stories": [
            {"slug": "x", "title": "X", "published": {"ago": 0}, "teaser": "t", "body": "<p>b</p>"}
        ]
    }
    monkeypatch.setattr(stories_module, "_raw", lambda name: raw)
    with pytest.raises(DataFileError, match=r"story 1: published: .*never lie in the future"):
        load_stories("kaputt", Calendar(NOW))


def test_an_unknown_event_in_a_text_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = {
        "stories": [
            {
                "slug": "x",
                "title": "X",
                "published": {"ago": 2},
                "teaser": "Wir treffen uns {fest:when}.",
                "body": "<p>b</p>",
            }
        ]
    }
    monkeypatch.setattr(stories_module, "_raw", lambda name: raw)
    with pytest.raises(DataFileError, match=r"unknown event \{fest:…\}"):
        load_stories("kaputt", Calendar(NOW))


# --- registration ------------------------------------------------------------------------------


def test_new_sites_have_unique_ids_and_say_how_they_are_registered() -> None:
    ids = [site.id for site in SITES]
    assert len(ids) == len(set(ids))
    assert len({site.prefix for site in SITES}) == len(SITES)
    assert all(site.scrape is not None and site.feed is None for site in SCRAPED_SITES)
    assert DISCOVERABLE_SITE.feed == "/denkmalnetz/x/aktuelles/nachrichten.rss"
    with pytest.raises(ValueError, match="has no feed"):
        _ = WORDPRESS.feed_path


def test_sources_entries_of_scraped_sites_carry_scrape_instead_of_feed() -> None:
    by_id = {entry["id"]: entry for entry in demo_sources(BASE)}
    assert by_id["leipzig-stadt-fuer-alle"] == {
        "id": "leipzig-stadt-fuer-alle",
        "name": "Leipzig – Stadt für alle",
        "city": "Leipzig",
        "homepage": f"{BASE}/stadtfueralle/",
        "scrape": {"url": f"{BASE}/stadtfueralle/aktuelles/", "max_pages": 2},
        "enabled": True,
    }
    assert by_id["weimar-schiesshaus-chronik"]["scrape"] == {
        "url": f"{BASE}/weimar-wiki/doku.php?id=chronik"
    }
    assert by_id["denkmalnetz-sachsen"]["feed"] == f"{BASE}/denkmalnetz/x/aktuelles/nachrichten.rss"
    assert "scrape" not in by_id["denkmalnetz-sachsen"]
    assert set(expected_scraped_items(NOW, BASE)) == {site.id for site in SCRAPED_SITES}


# --- every page is served ----------------------------------------------------------------------


@pytest.mark.parametrize("site", [*SCRAPED_SITES, DISCOVERABLE_SITE], ids=lambda s: s.id)
def test_home_and_registered_page_are_served_as_german_sample_html(
    routes: dict[str, Route], site: Any
) -> None:
    home = get(routes, site.prefix)
    assert home.status == 200
    assert home.headers["Content-Type"] == "text/html; charset=utf-8"
    assert re.search(r'<html lang="de[-"]', home.body.decode())
    assert "Beispielinhalt der Demo" in home.body.decode()
    registered = get(routes, site.registered.path)
    assert registered.status == 200
    assert registered.headers["Content-Type"] == (
        "application/rss+xml; charset=utf-8" if site.feed else "text/html; charset=utf-8"
    )


def test_every_expected_link_is_served_with_an_etag_and_answers_304(
    routes: dict[str, Route], expected: dict[str, list[ExpectedItem]]
) -> None:
    links = {item.link for items in expected.values() for item in items}
    assert len(links) >= 30
    for link in links:
        response = get(routes, link)
        assert response.status == 200, link
        assert response.headers["Content-Type"] == "text/html; charset=utf-8", link
        assert "Beispielinhalt der Demo" in unescape(response.body.decode()), link
        etag = response.headers["ETag"]
        again = get(routes, link, **{"If-None-Match": etag})
        assert (again.status, again.body) == (304, b""), link


def test_no_expected_publication_date_lies_in_the_future(
    expected: dict[str, list[ExpectedItem]],
) -> None:
    local_now = NOW.astimezone(BERLIN).replace(tzinfo=None)
    dates = [item.published for items in expected.values() for item in items]
    assert all(d is not None and d.tzinfo is None for d in dates)
    assert all(d is not None and local_now - timedelta(days=44) < d < local_now for d in dates)


# where each list page writes an item's date: (pattern of a shown date, after the title?)
DATE_PLACES = {
    WORDPRESS.id: (r"\d{1,2}\. [A-Za-zä]+ \d{4}", True),
    TYPO3.id: (r"\d\d\.\d\d\.\d{4}", True),
    JIMDO.id: (r"\d\d [A-Za-zä]{3} \d{4}", True),
    DATED_BLOCKS.id: (r"\d\d\.\d\d\.\d{4}", False),
    PLUS_BLOCKS.id: (r"\d{1,2}\. [A-ZÄ]+ \d{4} //", False),
    DOKUWIKI.id: (r"\d\d\.\d\d\.\d{4}", False),
}


@pytest.mark.parametrize("site", SCRAPED_SITES, ids=lambda s: s.id)
def test_each_expected_item_stands_on_its_list_page_with_its_date(
    routes: dict[str, Route], expected: dict[str, list[ExpectedItem]], site: Any
) -> None:
    items = expected[site.id]
    assert 4 <= len(items) <= 8
    pages = [site.registered.path] + (
        ["/stadtfueralle/aktuelles/page/2/"] if site is WORDPRESS else []
    )
    text = " ".join(page_of(routes, path) for path in pages)
    pattern, after = DATE_PLACES[site.id]
    position = 0
    for item in items:
        assert item.published is not None
        at = text.find(item.title, position)
        assert at >= 0, f"{item.title!r} not on the list page(s) in order"
        position = at + len(item.title)
        if after:
            date = re.search(pattern, text[position:])
            assert date, item.title
            shown = date.group(0)
        else:
            shown = re.findall(pattern, text[:at])[-1]
        assert shown == shown_date(site.id, item.published), item.title


# --- each pattern shows what it promises ---------------------------------------------------------


def test_wordpress_has_two_list_pages_of_posts_and_no_working_feed(
    routes: dict[str, Route], expected: dict[str, list[ExpectedItem]]
) -> None:
    first = get(routes, "/stadtfueralle/aktuelles/").body.decode()
    second = get(routes, "/stadtfueralle/aktuelles/page/2/").body.decode()
    assert first.count('<article id="post-') == 5
    assert second.count('<article id="post-') == 2
    assert (
        f'<div class="nav-previous"><a href="{BASE}/stadtfueralle/aktuelles/page/2/">'
        "Ältere Beiträge</a></div>" in first
    )
    assert "nav-previous" not in second
    items = expected[WORDPRESS.id]
    newest = items[0]
    assert newest.published == datetime(2026, 3, 13, 18, 30)
    assert (
        '<time class="entry-date published" datetime="2026-03-13T18:30:00+01:00">'
        "13. März 2026</time>" in first
    )
    assert "&#8222;Konzeptvergabe statt Höchstgebot&#8220;" in first  # wptexturize'd
    assert '<time class="updated" datetime="' in first  # one post was edited later
    for dead in ("/stadtfueralle/feed/", "/stadtfueralle/comments/feed/"):
        assert get(routes, dead).status == 404
    assert f'href="{BASE}/stadtfueralle/feed/"' in get(routes, "/stadtfueralle/").body.decode()


def test_wordpress_article_carries_yoast_json_ld_with_date_published(
    routes: dict[str, Route], expected: dict[str, list[ExpectedItem]]
) -> None:
    for item in expected[WORDPRESS.id]:
        body = get(routes, item.link).body.decode()
        match = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', body, re.S)
        assert match, item.link
        graph = json.loads(match.group(1))["@graph"]
        article = next(node for node in graph if node["@type"] == "Article")
        published = datetime.fromisoformat(article["datePublished"])
        assert published.utcoffset() == timedelta(0)  # Yoast writes UTC
        assert published.astimezone(BERLIN).replace(tzinfo=None) == item.published
        assert article["headline"] == item.title


def test_typo3_list_and_detail_pages_agree_on_the_date(
    routes: dict[str, Route], expected: dict[str, list[ExpectedItem]]
) -> None:
    listing = get(routes, "/entwicklungsforum/aktuelles").body.decode()
    assert listing.count('class="article articletype-0 news-list-item"') == 6
    assert '<div class="news-list-view" id="news-container-57">' in listing
    for item in expected[TYPO3.id]:
        assert item.published is not None
        iso = item.published.replace(tzinfo=BERLIN).isoformat()
        assert re.search(rf'<time itemprop="datePublished"\s+datetime="{re.escape(iso)}">', listing)
        detail = get(routes, item.link).body.decode()
        assert f'<meta property="article:published_time" content="{iso}">' in detail
        assert '<meta property="og:type" content="article">' in detail


def test_jimdo_blog_gives_only_dates(
    routes: dict[str, Route], expected: dict[str, list[ExpectedItem]]
) -> None:
    blog = get(routes, "/freiraum/blog/").body.decode()
    assert blog.count('<div class="n clearover j-blogarticle">') == 5
    assert '<div class="blogselection">' in blog
    newest = expected[JIMDO.id][0]
    assert newest.published == datetime(2026, 3, 12)
    assert (
        '<time class="datetime" datetime="2026-03-12"><span class="day-word">Do</span> '
        '<span class="day">12</span> <span class="mon">Mär</span> <span class="yr">2026</span>'
        "</time>" in blog
    )
    article = get(routes, newest.link).body.decode()
    assert 'class="j-blog-headline j-blog-post--headline"' in article
    assert 'datetime="2026-03-12"' in article


def test_freiberg_blocks_with_and_without_more_link(
    routes: dict[str, Route], expected: dict[str, list[ExpectedItem]]
) -> None:
    items = expected[DATED_BLOCKS.id]
    home = f"{BASE}/freiberg/"
    assert [item.link == home for item in items] == [False, False, True, False, True, False]
    assert items[0] == ExpectedItem(
        "ABRISS DER ALTEN SPINNEREI VORERST GESTOPPT",
        f"{BASE}/freiberg/aktuelles/spinnerei-abriss-gestoppt.html",
        datetime(2026, 3, 13),
    )
    page = get(routes, "/freiberg/").body.decode()
    assert (
        '<p class="ueberschrift"><strong>13.03.2026 | ABRISS DER ALTEN SPINNEREI VORERST '
        "GESTOPPT</strong></p>" in page
    )
    assert page.count(">mehr</a>") == 4
    assert 'href="aktuelles/spinnerei-abriss-gestoppt.html"' in page  # relative to the page


def test_freiberg_articles_date_only_in_the_text_and_one_names_an_event(
    routes: dict[str, Route], expected: dict[str, list[ExpectedItem]]
) -> None:
    linked = [item for item in expected[DATED_BLOCKS.id] if item.link != f"{BASE}/freiberg/"]
    for item in linked:
        assert item.published is not None
        body = get(routes, item.link).body.decode()
        assert f"<p>Freiberg, {item.published:%d.%m.%Y}</p>" in body
        assert "<time" not in body
        assert "published_time" not in body
    invitation = visible_text(get(routes, linked[1].link).body)
    assert "Freiberg, 09.03.2026" in invitation
    assert "Am 26. März laden wir alle Interessierten" in invitation  # an event after now
    infotafeln = get(routes, linked[2].link).body.decode()
    assert "Tel. 03731 20 45 17" in infotafeln
    assert "Obermarkt 16" in infotafeln


def test_magdeburg_blocks_are_separated_by_plus_lines_with_entities(
    routes: dict[str, Route], expected: dict[str, list[ExpectedItem]]
) -> None:
    page = get(routes, "/magdeburg/home.htm").body.decode()
    assert page.count(">+++</font></p>") == len(expected[PLUS_BLOCKS.id]) - 1
    assert (
        "<b>11. M&Auml;RZ 2026 // Breiter Weg: Fassadenwettbewerb f&uuml;r die Nordseite</b>"
        in page
    )
    assert "&bdquo;Magdeburger Barockh&auml;user&ldquo;" in page
    assert not re.search(r"[äöüß„“–]", page)
    unlinked = [i.title for i in expected[PLUS_BLOCKS.id] if i.link == f"{BASE}/magdeburg/home.htm"]
    assert unlinked == [
        "Vortrag über die verlorene Altstadt – Saal war voll",
        "Stammtisch jetzt immer am ersten Mittwoch",
    ]


def test_dokuwiki_chronicle_rows_oldest_first_per_section(
    routes: dict[str, Route], expected: dict[str, list[ExpectedItem]]
) -> None:
    page = get(routes, "/weimar-wiki/doku.php?id=chronik").body.decode()
    assert '<div id="dokuwiki__top" class="site dokuwiki mode_show tpl_dokuwiki">' in page
    assert page.count('<table class="inline">') == 2
    items = expected[DOKUWIKI.id]
    assert [i.published.day if i.published else None for i in items] == [9, 23, 9, 16, 20, 2, 12]
    assert items[3] == ExpectedItem(
        "Die BI übergibt 2.300 Unterschriften an den Oberbürgermeister",
        f"{BASE}/weimar-wiki/doku.php?id=chronik:unterschriften-uebergeben",
        datetime(2026, 2, 16),
    )
    assert (
        '<td class="col1">Die BI übergibt <a href="/weimar-wiki/doku.php?id=chronik:'
        'unterschriften-uebergeben" class="wikilink1"' in page
    )
    subpage = get(routes, items[3].link).body.decode()
    assert "Zuletzt geändert: 2026/02/17 10:30" in subpage  # an update date, not the row's date
    assert get(routes, "/weimar-wiki/doku.php?id=gibt:es:nicht").status == 404
    assert get(routes, "/weimar-wiki/").status == 200


def test_discoverable_feed_is_named_only_by_the_home_page_after_a_comment_feed(
    routes: dict[str, Route],
) -> None:
    parser = _Links()
    parser.feed(get(routes, "/denkmalnetz/").body.decode())
    assert [(a["type"], a["href"]) for a in parser.alternates] == [
        ("application/rss+xml", BASE + COMMENT_FEED_PATH),
        ("application/rss+xml", BASE + "/denkmalnetz/x/aktuelles/nachrichten.rss"),
    ]
    assert "Kommentar" in (parser.alternates[0]["title"] or "")
    for common in ("feed/", "rss.xml", "atom.xml", "feed.xml", "index.rdf", "index.php"):
        assert get(routes, f"/denkmalnetz/{common}").status == 404, common
    news = feedparser.parse(get(routes, "/denkmalnetz/x/aktuelles/nachrichten.rss").body)
    assert news.version == "rss20" and not news.bozo
    assert [e.title for e in news.entries][:2] == [
        "Denkmalliste: 120 Streichungen geplant?",
        "Gutshaus in Mittelsachsen sucht neue Eigentümer – Besichtigung möglich",
    ]
    for entry in news.entries:
        assert get(routes, entry.link).status == 200, entry.link
    comments = feedparser.parse(get(routes, COMMENT_FEED_PATH).body)
    assert len(comments.entries) == 2
    assert all(e.title.startswith("Kommentar zu: ") for e in comments.entries)
    assert all(get(routes, e.link.split("#")[0]).status == 200 for e in comments.entries)
