"""The crawl's page path against a real fixture server on 127.0.0.1 and real databases: news
pages scraped with selectors, article pages read once, robots.txt obeyed, the limits kept.

The demo sites of every pattern the scraper detects by itself are crawled in
`test_demo_scraping.py`; this file checks what the crawl does around the scraper.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape

from sqlalchemy import Engine

from aggregator.crawl import CrawlReport, crawl
from aggregator.demo.httpserver import FixtureServer, Response, Route, conditional
from aggregator.fetch import FetchSettings
from aggregator.fetch.politeness import ScrapeSettings
from aggregator.model import ScrapeRules, Source
from aggregator.store import Store

NOW = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
HTML = {"Content-Type": "text/html; charset=utf-8"}
TEXT = {"Content-Type": "text/plain; charset=utf-8"}
FETCH = FetchSettings(allow_private_addresses=True, connect_timeout=2, total_timeout=10)
RULES = dict(item="div.meldung", title="h2", link="h2 a", date=".datum", excerpt="p.kurz")
Post = tuple[str, str, str | None]  # (slug, title, list date "DD.MM.YYYY" or None)


def list_page(posts: Sequence[Post], older: str | None = None) -> bytes:
    blocks = "".join(
        f'<div class="meldung"><h2><a href="/artikel/{slug}.html">{escape(title)}</a></h2>'
        + (f'<span class="datum">{date}</span>' if date else "")
        + f'<p class="kurz">Kurz: {escape(title)}.</p></div>'
        for slug, title, date in posts
    )
    more = f'<p><a rel="next" href="{older}">ältere Beiträge</a></p>' if older else ""
    return (
        "<!DOCTYPE html><html lang='de'><head><meta charset='utf-8'>"
        "<title>Aktuelles – Stadtforum Beispielstadt</title></head><body>"
        "<nav><a href='/'>Start</a> <a href='/aktuelles/'>Aktuelles</a></nav>"
        f"<main>{blocks}{more}</main><footer>Impressum</footer></body></html>"
    ).encode()


def article(title: str, published: str | None) -> bytes:
    data = (
        '<script type="application/ld+json">'
        + json.dumps(
            {
                "@context": "https://schema.org",
                "@type": "Article",
                "headline": title,
                "datePublished": published,
            }
        )
        + "</script>"
        if published
        else ""
    )
    return (
        "<!DOCTYPE html><html lang='de'><head><meta charset='utf-8'>"
        f"<title>{escape(title)} – Stadtforum Beispielstadt</title>{data}</head><body>"
        f"<article><h1>{escape(title)}</h1><p>Der ganze Text zu {escape(title)}, mit allen "
        "Einzelheiten, die in der Übersicht fehlen.</p></article></body></html>"
    ).encode()


def page(body: bytes, etag: str | None = None) -> Route:
    response = Response(200, body, {**HTML, **({"ETag": etag} if etag else {})})
    return (lambda request: conditional(response, request)) if etag else response


def site(
    posts: Sequence[Post],
    dates: dict[str, str | None] | None = None,
    *,
    robots: bytes = b"User-agent: *\nDisallow:\n",
) -> dict[str, Route]:
    routes: dict[str, Route] = {
        "/robots.txt": Response(200, robots, TEXT),
        "/aktuelles/": page(list_page(posts), etag='"liste-1"'),
    }
    for slug, title, _date in posts:
        published = (dates or {}).get(slug, "2025-11-20T18:30:00+01:00")
        routes[f"/artikel/{slug}.html"] = page(article(title, published))
    return routes


def source(server: FixtureServer, **rules: object) -> Source:
    scrape = ScrapeRules(url=server.url("/aktuelles/"), **{**RULES, **rules})  # type: ignore[arg-type]
    return Source(
        "beispiel", "Stadtforum Beispielstadt", "Leipzig", server.url("/"), None, scrape=scrape
    )


def run(
    sources: Sequence[Source], store: Store, *, articles: int = 20, force: bool = True
) -> CrawlReport:
    return asyncio.run(
        crawl(
            sources,
            store,
            FETCH,
            clock=lambda: NOW,
            force=force,
            parse_workers=0,
            scrape=ScrapeSettings(host_spacing_s=0.0, articles_per_run=articles),
        )
    )


def requests_to(server: FixtureServer, prefix: str) -> list[str]:
    return [r.path for r in server.requests if r.path.startswith(prefix)]


POSTS: list[Post] = [
    ("stadtbad", "Stadtbad: Sanierung beginnt", "24.11.2025"),
    ("bahnhof", "Bahnhof Plagwitz – wie weiter?", None),
    ("markthalle", "Markthalle: Wettbewerb entschieden", "12.11.2025"),
]


def test_a_news_page_is_scraped_with_article_details_and_a_second_crawl_adds_nothing(
    engine: Engine,
) -> None:
    store = Store(engine)
    dates = {"bahnhof": "2025-11-18T10:00:00+01:00", "stadtbad": "2025-11-24T09:15:00+01:00"}
    with FixtureServer(site(POSTS, dates)) as server:
        first = run([source(server)], store)
        second = run([source(server)], store)
        articles = requests_to(server, "/artikel/")
        base = server.url("/")
    (outcome,) = first.outcomes
    assert (outcome.status, outcome.new, outcome.reason) == ("ok", 3, None)
    stories = {s.url: s for s in store.stories()}
    assert set(stories) == {f"{base}artikel/{slug}.html" for slug, _t, _d in POSTS}
    stadtbad = stories[f"{base}artikel/stadtbad.html"]
    assert stadtbad.title == "Stadtbad: Sanierung beginnt"
    # the article's structured date is more precise than the list's day and wins
    assert stadtbad.published == datetime(2025, 11, 24, 8, 15, tzinfo=UTC)
    # the list had no date: the article page gave it
    assert stories[f"{base}artikel/bahnhof.html"].published == datetime(
        2025, 11, 18, 9, 0, tzinfo=UTC
    )
    assert stories[f"{base}artikel/markthalle.html"].published == datetime(
        2025, 11, 20, 17, 30, tzinfo=UTC
    )
    assert stories[f"{base}artikel/markthalle.html"].excerpt == (
        "Kurz: Markthalle: Wettbewerb entschieden."
    )
    # the second crawl: the list page answered 304 (its ETag was kept), no article fetched again
    assert [(o.status, o.new, o.updated) for o in second.outcomes] == [("not_modified", 0, 0)]
    assert sorted(articles) == sorted(f"/artikel/{slug}.html" for slug, _t, _d in POSTS)
    assert store.fetch_states()["beispiel"].item_count == 3


def test_an_article_without_a_date_anywhere_is_stored_undated_at_first_seen(
    engine: Engine,
) -> None:
    store = Store(engine)
    posts: list[Post] = [("ohne", "Ein Beitrag ohne jedes Datum", None)]
    with FixtureServer(site(posts, {"ohne": None})) as server:
        run([source(server)], store)
    (story,) = store.stories()
    assert story.published == NOW  # undated: the time it was first seen


def test_new_items_over_the_article_limit_wait_for_the_next_crawl(engine: Engine) -> None:
    store = Store(engine)
    posts: list[Post] = [(f"p{n}", f"Beitrag Nummer {n}", "20.11.2025") for n in range(5)]
    with FixtureServer(site(posts)) as server:
        counts = [run([source(server)], store, articles=2).outcomes[0] for _ in range(4)]
        fetched = requests_to(server, "/artikel/")
    assert [(o.status, o.new) for o in counts] == [
        ("ok", 2),
        ("ok", 2),
        ("ok", 1),
        ("not_modified", 0),
    ]
    assert counts[0].warning is not None and "3 new items left for the next crawl" in (
        counts[0].warning
    )
    assert sorted(fetched) == sorted(f"/artikel/p{n}.html" for n in range(5))  # each once


def test_an_item_that_drops_off_the_list_is_kept(engine: Engine) -> None:
    store = Store(engine)
    with FixtureServer(site(POSTS)) as server:
        run([source(server)], store)
        server.routes["/aktuelles/"] = page(list_page(POSTS[:1]), etag='"liste-2"')
        report = run([source(server)], store)
    assert [(o.status, o.new, o.updated) for o in report.outcomes] == [("ok", 0, 0)]
    assert len(store.stories()) == 3


def test_older_list_pages_are_followed_up_to_max_pages_and_no_further(engine: Engine) -> None:
    store = Store(engine)
    routes = site([])
    for n in range(1, 60):  # an endless "ältere Beiträge" chain
        posts: list[Post] = [(f"s{n}", f"Seite {n}: ein Beitrag", "01.11.2025")]
        routes[f"/liste/{n}"] = page(list_page(posts, older=f"/liste/{n + 1}"))
        routes[f"/artikel/s{n}.html"] = page(article(f"Seite {n}: ein Beitrag", None))
    with FixtureServer(routes) as server:
        scraped = source(server, max_pages=4)
        scraped = Source(
            scraped.id,
            scraped.name,
            scraped.city,
            scraped.homepage,
            None,
            scrape=ScrapeRules(**{**RULES, "url": server.url("/liste/1"), "max_pages": 4}),  # type: ignore[arg-type]
        )
        (outcome,) = run([scraped], store).outcomes
        lists = requests_to(server, "/liste/")
    assert (outcome.status, outcome.new) == ("ok", 4)
    assert lists == ["/liste/1", "/liste/2", "/liste/3", "/liste/4"]


def test_robots_txt_forbidding_the_news_page_fails_the_source_and_keeps_its_items(
    engine: Engine,
) -> None:
    store = Store(engine)
    with FixtureServer(site(POSTS)) as server:
        run([source(server)], store)
        server.routes["/robots.txt"] = Response(
            200, b"User-agent: *\nDisallow: /aktuelles/\n", TEXT
        )
        report = asyncio.run(
            crawl(
                [source(server)],
                store,
                FETCH,
                clock=lambda: NOW,
                force=True,
                parse_workers=0,
                scrape=ScrapeSettings(host_spacing_s=0.0),
            )
        )
        lists = requests_to(server, "/aktuelles/")
    (outcome,) = report.outcomes
    assert (outcome.status, outcome.reason) == ("failed", "robots_disallowed")
    assert outcome.message is not None and "forbids" in outcome.message
    assert lists == ["/aktuelles/"]  # only the first crawl asked for it
    assert len(store.stories()) == 3


def test_robots_txt_forbidding_article_pages_keeps_what_the_list_shows(engine: Engine) -> None:
    store = Store(engine)
    robots = b"User-agent: *\nDisallow: /artikel/\n"
    with FixtureServer(site(POSTS, robots=robots)) as server:
        (outcome,) = run([source(server)], store).outcomes
        articles = requests_to(server, "/artikel/")
    assert (outcome.status, outcome.new) == ("ok", 3)
    assert articles == []
    assert outcome.warning is not None and "forbids" in outcome.warning
    titles = {s.title: s for s in store.stories()}
    assert titles["Stadtbad: Sanierung beginnt"].published == datetime(
        2025, 11, 23, 23, 0, tzinfo=UTC
    )  # the list's day, midnight in Berlin


def test_a_story_in_one_members_feed_and_anothers_news_page_is_one_story(
    engine: Engine,
) -> None:
    store = Store(engine)
    routes = site(POSTS)
    with FixtureServer(routes) as server:
        link = server.url("/artikel/markthalle.html")
        feed = (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Netzwerk</title>'
            "<link>https://netzwerk.example/</link><description>d</description>"
            f"<item><title>Markthalle: Wettbewerb entschieden</title><link>{link}?utm_source=rss"
            "</link><pubDate>Thu, 20 Nov 2025 18:00:00 +0100</pubDate></item></channel></rss>"
        ).encode()
        server.routes["/netzwerk.xml"] = Response(
            200, feed, {"Content-Type": "application/rss+xml"}
        )
        network = Source(
            "netzwerk", "NETZWERK", None, "https://netzwerk.example/", server.url("/netzwerk.xml")
        )
        run([network], store)
        run([source(server)], store)
    markthalle = [s for s in store.stories() if "Markthalle" in s.title]
    assert len(markthalle) == 1
    assert markthalle[0].also_at == ("Stadtforum Beispielstadt",)


def test_a_huge_news_page_is_read_up_to_the_size_cap(engine: Engine) -> None:
    store = Store(engine)
    padding = "<!-- " + "x" * 200_000 + " -->"
    body = list_page(POSTS).replace(b"<footer>", padding.encode() + b"<footer>")
    with FixtureServer({**site(POSTS), "/aktuelles/": page(body)}) as server:
        small = FetchSettings(
            allow_private_addresses=True, connect_timeout=2, total_timeout=10, max_bytes=60_000
        )
        report = asyncio.run(
            crawl(
                [source(server)],
                store,
                small,
                clock=lambda: NOW,
                force=True,
                parse_workers=0,
                scrape=ScrapeSettings(host_spacing_s=0.0),
            )
        )
    (outcome,) = report.outcomes
    assert (outcome.status, outcome.new) == ("ok", 3)
    assert outcome.warning is not None and "only its first part was read" in outcome.warning


def test_a_page_source_and_feed_sources_share_one_crawl(engine: Engine) -> None:
    """Both kinds through the same orchestrator, fetch state and outcome."""
    store = Store(engine)
    with FixtureServer(site(POSTS)) as server:
        feed = (
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>'
            b"<link>https://f.example/</link><description>d</description>"
            b"<item><title>Ein Feedbeitrag</title><link>https://f.example/1</link></item>"
            b"</channel></rss>"
        )
        server.routes["/f.xml"] = Response(200, feed, {"Content-Type": "application/rss+xml"})
        feeds = Source(
            "feed", "Feedforum", "Halle (Saale)", "https://f.example/", server.url("/f.xml")
        )
        report = run([feeds, source(server)], store)
        states = store.fetch_states()
    assert [(o.source_id, o.status, o.new) for o in report.outcomes] == [
        ("beispiel", "ok", 3),
        ("feed", "ok", 1),
    ]
    assert states["beispiel"].url == server.url("/aktuelles/")
    assert states["beispiel"].etag == '"liste-1"' and states["beispiel"].last_status == "ok"


BAD_PAGES = {
    "empty_page": b"",
    # the relaunch: the same news, other markup; the configured selectors find nothing
    "no_items": (
        b"<!DOCTYPE html><html><head><title>Aktuelles</title></head><body><main>"
        b"<section class='news-neu'><h3><a href='/artikel/stadtbad.html'>Stadtbad</a></h3>"
        b"</section></main></body></html>"
    ),
    "login_wall": (
        b"<!DOCTYPE html><html><head><title>Anmelden</title></head><body><form method='post'>"
        b"<label>Benutzername <input name='user'></label><label>Passwort "
        b"<input type='password' name='pw'></label><button>Anmelden</button></form></body></html>"
    ),
}
ERROR_PAGE = (
    "<!DOCTYPE html><html><head><title>Fehler</title></head><body><h1>Interner Fehler</h1>"
    "<p>Die Seite kann gerade nicht angezeigt werden. Bitte versuchen Sie es später.</p>"
    "</body></html>"
).encode()


def test_bad_pages_fail_the_source_with_a_reason_and_keep_its_items(engine: Engine) -> None:
    store = Store(engine)
    with FixtureServer(site(POSTS)) as server:
        run([source(server)], store)
        found = {}
        for reason, body in [*BAD_PAGES.items(), ("error_page", ERROR_PAGE)]:
            server.routes["/aktuelles/"] = Response(200, body, HTML)
            (outcome,) = run([source(server)], store).outcomes
            found[reason] = (outcome.status, outcome.reason)
    assert found == {
        "empty_page": ("failed", "empty_page"),
        "no_items": ("failed", "no_items"),
        "login_wall": ("failed", "login_wall"),
        "error_page": ("failed", "no_items"),  # a 200 that is an error page shows no items
    }
    assert len(store.stories()) == 3
    state = store.fetch_states()["beispiel"]
    assert state.consecutive_failures == 4 and state.item_count == 3


def test_the_auto_detection_failing_is_no_items_never_an_empty_success(engine: Engine) -> None:
    store = Store(engine)
    with FixtureServer({"/aktuelles/": Response(200, ERROR_PAGE, HTML)}) as server:
        plain = Source(
            "beispiel",
            "Stadtforum Beispielstadt",
            "Leipzig",
            server.url("/"),
            None,
            scrape=ScrapeRules(url=server.url("/aktuelles/")),
        )
        (outcome,) = run([plain], store).outcomes
    assert (outcome.status, outcome.reason) == ("failed", "no_items")
    assert outcome.message is not None and "no news items found" in outcome.message


def test_a_robots_txt_that_is_an_html_error_page_does_not_stop_scraping(engine: Engine) -> None:
    store = Store(engine)
    error = b"<!DOCTYPE html><html><body><h1>404</h1><p>Disallow: /</p></body></html>"
    routes = site(POSTS)
    routes["/robots.txt"] = Response(200, error, HTML)
    with FixtureServer(routes) as server:
        (outcome,) = run([source(server)], store).outcomes
    assert (outcome.status, outcome.new) == ("ok", 3)
