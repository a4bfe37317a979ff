"""The demo member sites as a route table for `FixtureServer`: pure, builds bytes, opens no socket.

Each site lives under its own path prefix (`/leipzig/`, `/chemnitz/` …) with a small German home
page, one page per post and its feed; each shows one thing the aggregator must cope with (see
`DemoSite.demonstrates`). The sites without a working feed, registered for scraping, and the one
whose feed only its home page names come from `scraped.py`. Everything depends only on `now` and
`base_url`, so two calls with the same arguments serve the same bytes.

    build_routes(now, base_url)            → {path: Route} for FixtureServer
    demo_sources(base_url)                 → the sources.yaml entries of all demo sites
    expected_scraped_items(now, base_url)  → what a correct scraper reads from the scraped sites
"""

from __future__ import annotations

import hashlib
import struct
import uuid
import zlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from urllib.parse import parse_qs

from aggregator.demo import content
from aggregator.demo.content import BERLIN, SHARED_STORY_PATH, Calendar, Post
from aggregator.demo.demosite import DemoSite, FeedAt, ScrapeAt
from aggregator.demo.formats import FeedItem, FeedMeta, atom, json_feed, plain_text, rdf, rss2
from aggregator.demo.httpserver import Request, Response, Route, conditional
from aggregator.demo.scraped import (
    COMMENT_FEED_PATH,
    DISCOVERABLE_SITE,
    SCRAPED_SITES,
    ExpectedItem,
    expected_scraped_items,
    scraped_routes,
)

__all__ = [
    "COMMENT_FEED_PATH",
    "SHARED_STORY_PATH",
    "SITES",
    "SLOW_DELAY_S",
    "DemoSite",
    "ExpectedItem",
    "FeedAt",
    "ScrapeAt",
    "build_routes",
    "demo_sources",
    "expected_scraped_items",
]

SLOW_DELAY_S = 2.5  # the slow site's wait before answering: visible, well under a 10 s timeout
MOVED_FEED_PATH = "/dresden/feed.xml"  # where Dresden's old feed URL redirects to

RSS = "application/rss+xml; charset=UTF-8"
HTML = "text/html; charset=utf-8"


SITES: tuple[DemoSite, ...] = (
    DemoSite(
        "leipzig-stadtforum",
        "Stadtforum Leipzig",
        "Leipzig",
        "/leipzig/",
        FeedAt("/leipzig/feed/"),
        "WordPress-RSS 2.0 mit content:encoded, dc:creator, Kategorien, relativen Links und "
        "Bildern, utm-Parametern und <script>/onclick zum Bereinigen; ETag/Last-Modified "
        "(304), Cache-Control max-age=600, gzip",
        "Bürgerinitiative für Stadtentwicklung, Denkmalpflege und Baukultur in Leipzig",
        interval=30,
    ),
    DemoSite(
        "netzwerk-stadtforen",
        "NETZWERK Stadtforen Mitteldeutschland",
        None,
        "/netzwerk/",
        FeedAt("/netzwerk/feed/"),
        "netzwerkweite Quelle ohne Stadt; trägt dieselbe Einladung wie Leipzig (dort mit "
        "utm-Parametern) → „auch bei: …“",
        "Städte erhalten – Bürger beteiligen",
    ),
    DemoSite(
        "chemnitz-stadtforum",
        "Stadtforum Chemnitz",
        "Chemnitz",
        "/chemnitz/",
        FeedAt("/chemnitz/feed/"),
        "langsamer Server: der Feed antwortet erst nach {delay} s",
        "Für eine lebendige Innenstadt und den Erhalt der Chemnitzer Baukultur",
    ),
    DemoSite(
        "altenburg-stadtforum",
        "Stadtforum Altenburg",
        "Altenburg",
        "/altenburg/",
        FeedAt("/altenburg/?feed=rss2"),
        "RSS 2.0 mit <ttl>120</ttl> und Datumsangaben ohne Zeitzone (WordPress mit ?p=-Links)",
        "Bürgerinnen und Bürger für die Altstadt von Altenburg",
    ),
    DemoSite(
        "goerlitz-aktionskreis",
        "Aktionskreis für Görlitz e. V.",
        "Görlitz",
        "/goerlitz/",
        FeedAt("/goerlitz/atom.xml"),
        "Atom 1.0; nur Last-Modified (304 auf If-Modified-Since)",
        "Bürgerforen und Engagement für die Görlitzer Altstadt",
    ),
    DemoSite(
        "halle-aki",
        "Arbeitskreis Innenstadt e. V. (AKI)",
        "Halle (Saale)",
        "/halle/",
        FeedAt("/halle/index.rdf"),
        "RSS 1.0 (RDF) mit dc:date",
        "Für eine lebenswerte Innenstadt von Halle (Saale)",
        interval=240,
    ),
    DemoSite(
        "weimar-schiesshaus",
        "BI „Rettet das Schießhausgelände jetzt!“",
        "Weimar",
        "/weimar/",
        FeedAt("/weimar/feed.json"),
        "JSON Feed 1.1 (ein Eintrag nur mit content_text)",
        "Bürgerinitiative für den Erhalt des Schießhausgeländes in Weimar",
    ),
    DemoSite(
        "dresden-dresdens-erben",
        "Dresdens Erben e. V.",
        "Dresden",
        "/dresden/",
        FeedAt("/dresden/neues/rss.xml"),
        "Feed umgezogen: die alte Adresse antwortet 301 auf " + MOVED_FEED_PATH,
        "Bürgerverein für das bauliche Erbe Dresdens",
    ),
    DemoSite(
        "pirna-kuratorium",
        "Kuratorium Altstadt Pirna e. V.",
        "Pirna",
        "/pirna/",
        FeedAt("/pirna/feed/"),
        "Feed mitten in einem Eintrag abgeschnitten: die lesbaren Einträge zählen",
        "Für den Erhalt der Pirnaer Altstadt",
    ),
    DemoSite(
        "zittau-stadtforum",
        "Stadtforum Zittau",
        "Zittau",
        "/zittau/",
        FeedAt("/zittau/index.php?format=feed&type=rss"),
        "kaputt: liefert seine HTML-Startseite statt eines Feeds",
        "Bürgerinnen und Bürger für Zittau",
    ),
    DemoSite(
        "gotha-stadtforum",
        "Stadtforum Gotha",
        "Gotha",
        "/gotha/",
        FeedAt("/gotha/feed/"),
        "Serverfehler: der Feed antwortet 500",
        "Stadtentwicklung und Baukultur in Gotha",
    ),
    DemoSite(
        "weissenfels-buerger",
        "Bürger für Weißenfels",
        "Weißenfels",
        "/weissenfels/",
        FeedAt("/weissenfels/index.php?format=feed&type=rss"),
        "abgeschaltet (enabled: false): wird nicht abgerufen",
        "Bürgerverein für Weißenfels",
        enabled=False,
    ),
    *SCRAPED_SITES,
    DISCOVERABLE_SITE,
)

_BY_ID = {site.id: site for site in SITES}


def demo_sources(base_url: str) -> list[dict[str, object]]:
    """The sources.yaml entries (id, name, city, homepage, feed | scrape, [interval], enabled)."""
    return [site.entry(base_url) for site in SITES]


def build_routes(
    now: datetime, base_url: str, *, slow_delay_s: float = SLOW_DELAY_S
) -> dict[str, Route]:
    """Every page and feed of the demo network, keyed by path (FixtureServer ignores queries)."""
    cal = Calendar(now)
    base = base_url.rstrip("/")
    routes: dict[str, Route] = {
        "/": _html(_index_page(slow_delay_s)),
        "/robots.txt": Response(
            200, b"User-agent: *\nDisallow:\n", {"Content-Type": "text/plain; charset=utf-8"}
        ),
    }
    builders: Sequence[Callable[[Calendar, str], dict[str, Route]]] = (
        _leipzig,
        _netzwerk,
        _altenburg,
        _goerlitz,
        _halle,
        _weimar,
        _dresden,
        _pirna,
        _zittau,
        _gotha,
        _weissenfels,
    )
    for build in builders:
        routes.update(build(cal, base))
    routes.update(_chemnitz(cal, base, slow_delay_s))
    routes.update(scraped_routes(cal, base))
    return routes


# --- building blocks -----------------------------------------------------------------------


def _html(body: bytes, status: int = 200) -> Response:
    return Response(status, body, {"Content-Type": HTML})


def _feed(body: bytes, content_type: str, **options: float) -> Response:
    return Response(200, body, {"Content-Type": content_type}, delay_s=options.get("delay", 0.0))


def _page(
    site: DemoSite,
    title: str,
    main: str,
    *,
    feed: tuple[str, str] | None = None,
    head: str = "",
) -> bytes:
    alternate = (
        f'<link rel="alternate" type="{feed[0]}" title="{escape(site.name)}" href="{feed[1]}">\n'
        if feed
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
{alternate}{head}</head>
<body>
<header>
<p class="site-title"><a href="{site.prefix}">{escape(site.name)}</a></p>
<p class="tagline">{escape(site.tagline)}</p>
<nav><a href="{site.prefix}">Start</a> · <a href="/">alle Demo-Seiten</a></nav>
</header>
<main>
{main}
</main>
<footer>
<p>Beispielinhalt der Demo: Diese Seite gehört zum Demo-Netzwerk des Stadtforen-Aggregators.
Alle Beiträge, Personen, Zitate und Termine sind erfunden.</p>
</footer>
</body>
</html>
""".encode()


def _de_date(moment: datetime) -> str:
    return f"{moment.astimezone(BERLIN):%d.%m.%Y}"


def _home(
    site: DemoSite,
    entries: Sequence[tuple[Post, str]],
    *,
    feed: tuple[str, str] | None,
    dated: bool = True,
) -> bytes:
    blocks = []
    for post, link in entries:
        when = (
            f'<p class="date"><time datetime="{post.published.isoformat()}">'
            f"{_de_date(post.published)}</time></p>\n"
            if dated
            else ""
        )
        blocks.append(
            f'<article>\n<h2><a href="{escape(link)}">{escape(post.title)}</a></h2>\n'
            f"{when}<p>{escape(plain_text(post.body, 180))}</p>\n</article>"
        )
    main = f"<h1>{escape(site.name)}</h1>\n<h2>Aktuelles</h2>\n" + "\n".join(blocks)
    return _page(site, f"{site.name} – Aktuelles", main, feed=feed)


def _article(
    site: DemoSite, post: Post, url: str, *, feed: tuple[str, str] | None, dated: bool = True
) -> bytes:
    head = (
        f'<link rel="canonical" href="{escape(url)}">\n'
        f'<meta property="og:title" content="{escape(post.title)}">\n'
        f'<meta property="og:site_name" content="{escape(site.name)}">\n'
    )
    meta = ""
    if dated:
        head += f'<meta property="article:published_time" content="{post.published.isoformat()}">\n'
        meta = (
            f'<p class="meta"><time datetime="{post.published.isoformat()}">'
            f"{Calendar.date(post.published)}</time> · {escape(post.author)}</p>\n"
        )
    main = f"<article>\n<h1>{escape(post.title)}</h1>\n{meta}{post.body}\n</article>"
    return _page(site, f"{post.title} – {site.name}", main, feed=feed, head=head)


def _item(
    post: Post,
    base: str,
    path: str,
    item_id: str,
    *,
    permalink_id: bool = False,
    text_only: bool = False,
) -> FeedItem:
    return FeedItem(
        id=item_id,
        url=base + (post.link or path),
        title=post.title,
        content_html=post.body,
        summary=plain_text(post.body, 200),
        published=post.published,
        updated=post.updated,
        author=post.author,
        categories=post.categories,
        id_is_permalink=permalink_id,
        text_only=text_only,
    )


def _meta(site: DemoSite, base: str, posts: Sequence[Post], feed_path: str) -> FeedMeta:
    return FeedMeta(
        title=site.name,
        home_url=base + site.prefix,
        feed_url=base + feed_path,
        description=f"{site.tagline} (Beispielinhalt der Demo)",
        updated=max(p.updated or p.published for p in posts),
        author=site.name,
    )


def _wp_id(index: int, count: int) -> int:
    """WordPress post ids: newer posts have larger ids."""
    return 100 + (count - index) * 7


def _wp_path(prefix: str, post: Post, pattern: str = "%Y/%m/%d") -> str:
    return f"{prefix}{post.published.astimezone(BERLIN).strftime(pattern)}/{post.slug}/"


def _uuid_id(site: DemoSite, post: Post) -> str:
    """A port-independent id, stable across demo runs."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"demo:{site.id}/{post.slug}").urn


def _pages(
    site: DemoSite,
    base: str,
    entries: Sequence[tuple[Post, str]],
    feed: tuple[str, str] | None,
    *,
    dated: bool = True,
) -> dict[str, Route]:
    """The home page and one page per post that lives on this site at a plain path."""
    routes: dict[str, Route] = {site.prefix: _html(_home(site, entries, feed=feed, dated=dated))}
    for post, path in entries:
        if post.link is None and "?" not in path:
            routes[path] = _html(_article(site, post, base + path, feed=feed, dated=dated))
    return routes


def _extra_pages(site: DemoSite, pages: dict[str, tuple[str, str]]) -> dict[str, Route]:
    return {
        path: _html(_page(site, f"{title} – {site.name}", f"<h1>{escape(title)}</h1>\n{body}"))
        for path, (title, body) in pages.items()
    }


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def _http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain one-colour PNG: the demo's stand-in for an uploaded photo."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    raw = (b"\x00" + bytes(rgb) * width) * height
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _index_page(slow_delay_s: float) -> bytes:
    rows = "\n".join(
        f'<li><a href="{site.prefix}">{escape(site.name)}</a>'
        f"{' (' + escape(site.city) + ')' if site.city else ''}: "
        f"{escape(site.demonstrates.replace('{delay}', f'{slow_delay_s:g}'))}</li>"
        for site in SITES
    )
    return f"""<!DOCTYPE html>
<html lang="de">
<head><meta charset="utf-8"><title>Demo-Netzwerk der Stadtforen</title></head>
<body>
<h1>Demo-Netzwerk der Stadtforen</h1>
<p>Beispielseiten von Mitgliedsforen, lokal auf 127.0.0.1 ausgeliefert. Alle Inhalte sind
erfunden (Beispielinhalt der Demo).</p>
<ul>
{rows}
</ul>
</body>
</html>
""".encode()


# --- the sites -----------------------------------------------------------------------------


def _leipzig(cal: Calendar, base: str) -> dict[str, Route]:
    site = _BY_ID["leipzig-stadtforum"]
    posts = content.leipzig(cal)
    entries = [(p, _wp_path(site.prefix, p)) for p in posts]
    items = [
        _item(p, base, path, f"{base}{site.prefix}?p={_wp_id(i, len(posts))}")
        for i, (p, path) in enumerate(entries)
    ]
    meta = _meta(site, base, posts, site.feed_path)
    body = rss2(meta, items)
    feed = Response(
        200,
        body,
        {
            "Content-Type": RSS,
            "ETag": _etag(body),
            "Last-Modified": _http_date(meta.updated),
            "Cache-Control": "max-age=600",
            "Vary": "Accept-Encoding",
        },
        gzip=True,
    )

    def serve_feed(request: Request) -> Response:
        return conditional(feed, request)

    links = [(p, p.link or path) for p, path in entries]
    routes = _pages(site, base, links, ("application/rss+xml", site.feed_path))
    routes.update(_extra_pages(site, content.leipzig_pages()))
    routes[site.feed_path] = serve_feed
    routes["/leipzig/wp-content/uploads/demo/sperlingsgasse-14.png"] = Response(
        200, _png(120, 80, (176, 160, 140)), {"Content-Type": "image/png"}
    )
    return routes


def _netzwerk(cal: Calendar, base: str) -> dict[str, Route]:
    site = _BY_ID["netzwerk-stadtforen"]
    posts = content.netzwerk(cal)
    entries = [(p, p.path or _wp_path(site.prefix, p, "%Y")) for p in posts]
    items = [
        _item(p, base, path, f"{base}{site.prefix}?p={_wp_id(i, len(posts))}")
        for i, (p, path) in enumerate(entries)
    ]
    body = rss2(_meta(site, base, posts, site.feed_path), items)
    routes = _pages(site, base, entries, ("application/rss+xml", site.feed_path))
    routes[site.feed_path] = _feed(body, RSS)
    return routes


def _chemnitz(cal: Calendar, base: str, delay: float) -> dict[str, Route]:
    site = _BY_ID["chemnitz-stadtforum"]
    posts = content.chemnitz(cal)
    entries = [(p, _wp_path(site.prefix, p, "%Y/%m")) for p in posts]
    items = [
        _item(p, base, path, f"{base}{site.prefix}?p={_wp_id(i, len(posts))}")
        for i, (p, path) in enumerate(entries)
    ]
    body = rss2(_meta(site, base, posts, site.feed_path), items, dates="berlin")
    routes = _pages(site, base, entries, ("application/rss+xml", site.feed_path))
    routes[site.feed_path] = _feed(body, "text/xml; charset=UTF-8", delay=delay)
    return routes


def _altenburg(cal: Calendar, base: str) -> dict[str, Route]:
    """Plain WordPress permalinks: home, posts and feed all live at /altenburg/?…"""
    site = _BY_ID["altenburg-stadtforum"]
    posts = content.altenburg(cal)
    ids = [_wp_id(i, len(posts)) for i in range(len(posts))]
    entries = [(p, f"{site.prefix}?p={n}") for p, n in zip(posts, ids, strict=True)]
    items = [_item(p, base, path, base + path, permalink_id=True) for p, path in entries]
    feed_body = rss2(_meta(site, base, posts, site.feed_path), items, dates="naive", ttl=120)
    alternate = ("application/rss+xml", site.feed_path)
    feed = _feed(feed_body, RSS)
    home = _html(_home(site, entries, feed=alternate))
    articles = {
        str(n): _html(_article(site, p, base + path, feed=alternate))
        for (p, path), n in zip(entries, ids, strict=True)
    }

    def serve(request: Request) -> Response:
        query = parse_qs(request.query)
        if "feed" in query:
            return feed
        if "p" in query:
            return articles.get(query["p"][0], _html(_not_found(site), 404))
        return home

    return {site.prefix: serve}


def _goerlitz(cal: Calendar, base: str) -> dict[str, Route]:
    site = _BY_ID["goerlitz-aktionskreis"]
    posts = content.goerlitz(cal)
    entries = [(p, f"{site.prefix}buergerforum/{p.slug}/") for p in posts]
    items = [_item(p, base, path, _uuid_id(site, p)) for p, path in entries]
    meta = _meta(site, base, posts, site.feed_path)
    feed = Response(  # Last-Modified only, no ETag: conditional() then uses If-Modified-Since
        200,
        atom(meta, items),
        {
            "Content-Type": "application/atom+xml; charset=utf-8",
            "Last-Modified": _http_date(meta.updated),
        },
    )

    def serve_feed(request: Request) -> Response:
        return conditional(feed, request)

    routes = _pages(site, base, entries, ("application/atom+xml", site.feed_path))
    routes.update(_extra_pages(site, content.goerlitz_pages()))
    routes[site.feed_path] = serve_feed
    return routes


def _halle(cal: Calendar, base: str) -> dict[str, Route]:
    site = _BY_ID["halle-aki"]
    posts = content.halle(cal)
    entries = [(p, f"{site.prefix}aktuell/{p.slug}.html") for p in posts]
    items = [_item(p, base, path, base + path) for p, path in entries]
    body = rdf(_meta(site, base, posts, site.feed_path), items)
    routes = _pages(site, base, entries, ("application/rdf+xml", site.feed_path))
    routes[site.feed_path] = _feed(body, "application/rdf+xml; charset=utf-8")
    return routes


_TEXT_ONLY = frozenset({"baumfaellungen-gestoppt"})


def _weimar(cal: Calendar, base: str) -> dict[str, Route]:
    site = _BY_ID["weimar-schiesshaus"]
    posts = content.weimar(cal)
    entries = [(p, f"{site.prefix}chronik/{p.slug}/") for p in posts]
    items = [
        _item(p, base, path, _uuid_id(site, p), text_only=p.slug in _TEXT_ONLY)
        for p, path in entries
    ]
    body = json_feed(_meta(site, base, posts, site.feed_path), items)
    routes = _pages(site, base, entries, ("application/feed+json", site.feed_path))
    routes[site.feed_path] = _feed(body, "application/feed+json; charset=utf-8")
    return routes


def _dresden(cal: Calendar, base: str) -> dict[str, Route]:
    site = _BY_ID["dresden-dresdens-erben"]
    posts = content.dresden(cal)
    entries = [(p, f"{site.prefix}neues/{p.slug}.htm") for p in posts]
    items = [_item(p, base, path, base + path, permalink_id=True) for p, path in entries]
    body = rss2(_meta(site, base, posts, MOVED_FEED_PATH), items, wordpress=False)
    routes = _pages(site, base, entries, ("application/rss+xml", MOVED_FEED_PATH))
    routes[MOVED_FEED_PATH] = _feed(body, RSS)
    routes[site.feed_path] = Response(
        301,
        b"Moved Permanently",
        {"Location": base + MOVED_FEED_PATH, "Content-Type": "text/plain; charset=utf-8"},
    )
    return routes


PIRNA_READABLE_ENTRIES = 4  # entries before the cut; the fifth is cut off inside its content


def _pirna(cal: Calendar, base: str) -> dict[str, Route]:
    site = _BY_ID["pirna-kuratorium"]
    posts = content.pirna(cal)
    entries = [(p, _wp_path(site.prefix, p)) for p in posts]
    items = [
        _item(p, base, path, f"{base}{site.prefix}?p={_wp_id(i, len(posts))}")
        for i, (p, path) in enumerate(entries)
    ]
    full = rss2(_meta(site, base, posts, site.feed_path), items).decode()
    start = 0
    for _ in range(PIRNA_READABLE_ENTRIES + 1):
        start = full.index("<item>", start) + 1
    cut = full.index("<content:encoded>", start) + 40  # mid-sentence, inside the CDATA block
    routes = _pages(site, base, entries, ("application/rss+xml", site.feed_path))
    routes[site.feed_path] = _feed(full[:cut].encode(), RSS)
    return routes


def _zittau(cal: Calendar, base: str) -> dict[str, Route]:
    """Joomla without a feed: every index.php URL that is not an article gets the home page."""
    site = _BY_ID["zittau-stadtforum"]
    posts = content.zittau(cal)
    entries = [
        (p, f"{site.prefix}index.php?option=com_content&view=article&id={p.slug}") for p in posts
    ]
    alternate = ("application/rss+xml", site.feed_path)
    home = _html(_home(site, entries, feed=alternate, dated=False))
    articles = {
        p.slug: _html(_article(site, p, base + path, feed=alternate, dated=False))
        for p, path in entries
    }

    def serve(request: Request) -> Response:
        query = parse_qs(request.query)
        if query.get("view") == ["article"]:
            return articles.get(query.get("id", [""])[0], home)
        return home

    return {site.prefix: home, f"{site.prefix}index.php": serve}


def _gotha(cal: Calendar, base: str) -> dict[str, Route]:
    site = _BY_ID["gotha-stadtforum"]
    posts = content.gotha(cal)
    entries = [(p, _wp_path(site.prefix, p)) for p in posts]
    routes = _pages(site, base, entries, ("application/rss+xml", site.feed_path))
    routes[site.feed_path] = _html(
        b'<!DOCTYPE html>\n<html lang="de"><head><meta charset="utf-8">'
        b"<title>Datenbankfehler</title></head>\n<body><h1>Fehler beim Aufbau einer "
        b"Datenbankverbindung</h1></body></html>\n",
        500,
    )
    return routes


def _weissenfels(cal: Calendar, base: str) -> dict[str, Route]:
    site = _BY_ID["weissenfels-buerger"]
    posts = content.weissenfels(cal)
    entries = [(p, f"{site.prefix}index.php/aktuelles/{p.slug}") for p in posts]
    items = [_item(p, base, path, base + path, permalink_id=True) for p, path in entries]
    feed = _feed(rss2(_meta(site, base, posts, site.feed_path), items, wordpress=False), RSS)
    routes = _pages(site, base, entries, ("application/rss+xml", site.feed_path))
    home = routes[site.prefix]

    def serve(request: Request) -> Response:
        if parse_qs(request.query).get("format") == ["feed"]:
            return feed
        return home if isinstance(home, Response) else home(request)

    routes[f"{site.prefix}index.php"] = serve
    return routes


def _not_found(site: DemoSite) -> bytes:
    return _page(site, "Seite nicht gefunden", "<h1>Seite nicht gefunden</h1>")
