"""The demo sites without a working feed, one per scraping pattern, and one whose feed only its
home page names.

Each site renders the sample stories of its data file (`demo/data/*.yaml`, see `stories.py`) the
way its CMS does, so that the scraper meets the real markup:

    leipzig-stadt-fuer-alle     WordPress, feed 404: article.post, <time datetime>, two list pages
    dresden-entwicklungsforum   TYPO3 tx_news list, detail pages with og: / article:published_time
    zittau-freiraum             Jimdo blog: .j-blogarticle, dates without a time
    freiberg-stadtforum         hand-made "TT.MM.JJJJ | TITEL" blocks, dates on article pages
                                only in the text (and one event date that is not the date)
    magdeburg-altes-magdeburg   old static page: "21. DEZEMBER 2015 // Titel" blocks and "+++"
    weimar-schiesshaus-chronik  DokuWiki chronicle: tables of "TT.MM.JJJJ | text with links"
    denkmalnetz-sachsen         a feed at an odd path, named only by the home page's
                                <link rel="alternate"> (after a comment feed)

Pure: `now` and `base_url` in, routes out. `expected_scraped_items` says what a correct scraper
must read from the first six, computed from the same data as the pages.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from functools import partial
from html import escape
from urllib.parse import parse_qs

from aggregator.demo.content import BERLIN, Calendar
from aggregator.demo.demosite import DemoSite, FeedAt, ScrapeAt
from aggregator.demo.formats import FeedItem, FeedMeta, rss2
from aggregator.demo.httpserver import Request, Response, Route, conditional
from aggregator.demo.stories import Story, load_stories

__all__ = [
    "COMMENT_FEED_PATH",
    "DISCOVERABLE_SITE",
    "SCRAPED_SITES",
    "ExpectedItem",
    "expected_scraped_items",
    "scraped_routes",
]

HTML = "text/html; charset=utf-8"
SAMPLE_NOTE = (
    "Beispielinhalt der Demo: Diese Seite gehört zum Demo-Netzwerk des Stadtforen-Aggregators. "
    "Alle Beiträge, Personen, Zitate und Termine sind erfunden."
)

WORDPRESS = DemoSite(
    "leipzig-stadt-fuer-alle",
    "Leipzig – Stadt für alle",
    "Leipzig",
    "/stadtfueralle/",
    ScrapeAt("/stadtfueralle/aktuelles/", max_pages=2),
    "WordPress ohne funktionierenden Feed (/feed/ antwortet 404): article.post mit "
    "<time datetime>, „Ältere Beiträge“ auf eine zweite Listenseite, Beitragsseiten mit "
    "JSON-LD (Yoast)",
    "Initiative für eine soziale und gemeinwohlorientierte Stadtentwicklung",
)
TYPO3 = DemoSite(
    "dresden-entwicklungsforum",
    "Entwicklungsforum Dresden e. V.",
    "Dresden",
    "/entwicklungsforum/",
    ScrapeAt("/entwicklungsforum/aktuelles"),
    "TYPO3-Nachrichtenliste (tx_news) ohne Feed; Detailseiten mit og:- und "
    "article:published_time-Angaben",
    "Bürgerschaftliches Forum für Stadtentwicklung und Baukultur in Dresden",
)
JIMDO = DemoSite(
    "zittau-freiraum",
    "FreiRaum Zittau",
    "Zittau",
    "/freiraum/",
    ScrapeAt("/freiraum/blog/"),
    "Jimdo-Blog (.j-blogarticle), Datum ohne Uhrzeit",
    "Raum für Ideen in der Zittauer Innenstadt",
)
DATED_BLOCKS = DemoSite(
    "freiberg-stadtforum",
    "Stadtforum Freiberg",
    "Freiberg",
    "/freiberg/",
    ScrapeAt("/freiberg/"),
    "handgemachte Startseite mit Blöcken „TT.MM.JJJJ | TITEL“, teils mit „mehr“-Link, teils "
    "ohne; Beitragsseiten nennen das Datum nur im Text, eine auch einen Veranstaltungstermin",
    "Bürgerinnen und Bürger für die Bergstadt Freiberg",
)
PLUS_BLOCKS = DemoSite(
    "magdeburg-altes-magdeburg",
    "IG Altes Magdeburg",
    "Magdeburg",
    "/magdeburg/",
    ScrapeAt("/magdeburg/home.htm"),
    "alte statische Seite: „21. DEZEMBER 2015 // Titel“, Blöcke durch „+++“ getrennt, "
    "Umlaute als HTML-Entitäten",
    "Interessengemeinschaft für das historische Magdeburg",
)
DOKUWIKI = DemoSite(
    "weimar-schiesshaus-chronik",
    "BI „Rettet das Schießhausgelände jetzt!“ – Chronik",
    "Weimar",
    "/weimar-wiki/",
    ScrapeAt("/weimar-wiki/doku.php?id=chronik"),
    "DokuWiki-Chronik: Tabellen „TT.MM.JJJJ | Text mit Links“ unter Abschnittsüberschriften, "
    "älteste zuerst; Unterseiten nennen nur ihr Änderungsdatum",
    "Wiki der Bürgerinitiative für den Erhalt des Schießhausgeländes",
)
DISCOVERABLE_SITE = DemoSite(
    "denkmalnetz-sachsen",
    "Denkmalnetz Sachsen",
    None,
    "/denkmalnetz/",
    FeedAt("/denkmalnetz/x/aktuelles/nachrichten.rss"),
    "Feed an ungewöhnlicher Adresse, nur über <link rel=\"alternate\"> der Startseite zu "
    "finden (vor ihm steht dort ein Kommentar-Feed)",
    "Vereine und Initiativen für die Denkmale Sachsens",
)
COMMENT_FEED_PATH = "/denkmalnetz/x/aktuelles/kommentare.rss"

SCRAPED_SITES: tuple[DemoSite, ...] = (WORDPRESS, TYPO3, JIMDO, DATED_BLOCKS, PLUS_BLOCKS, DOKUWIKI)


@dataclass(frozen=True, slots=True)
class ExpectedItem:
    """One item as a correct scraper reads it from a list page."""

    title: str  # exactly as shown (entities decoded, whitespace collapsed)
    link: str  # absolute: the article page, or the list page for an item without a link
    published: datetime | None  # naive Berlin wall-clock time; a date alone is 00:00


@dataclass(frozen=True, slots=True)
class _Listed:
    """One story as its list page shows it."""

    story: Story
    title: str  # as shown
    list_path: str  # the list page it stands on
    article: str | None  # path (and query) of its article page; None: listed without a link
    timed: bool  # the site gives a time of day, not only a date


@dataclass(frozen=True, slots=True)
class _Pattern:
    site: DemoSite
    data: str  # data file stem
    listing: Callable[[Sequence[Story]], list[_Listed]]
    render: Callable[[Sequence[_Listed], str], dict[str, Route]]  # (listed, base) → routes


def scraped_routes(calendar: Calendar, base: str) -> dict[str, Route]:
    """Every page (and the two feeds) of the sites in this module."""
    routes: dict[str, Route] = {}
    for pattern in _PATTERNS:
        stories = load_stories(pattern.data, calendar)
        routes.update(pattern.render(pattern.listing(stories), base))
    routes.update(_discoverable(calendar, base))
    return routes


def expected_scraped_items(now: datetime, base_url: str) -> dict[str, list[ExpectedItem]]:
    """Source id → the items a correct scraper reads, in page order across the list pages."""
    calendar = Calendar(now)
    base = base_url.rstrip("/")
    expected: dict[str, list[ExpectedItem]] = {}
    for pattern in _PATTERNS:
        listed = pattern.listing(load_stories(pattern.data, calendar))
        expected[pattern.site.id] = [
            ExpectedItem(
                title=" ".join(item.title.split()),
                link=base + (item.article or item.list_path),
                published=_wall_clock(item.story.published, timed=item.timed),
            )
            for item in listed
        ]
    return expected


# --- shared pieces ---------------------------------------------------------------------------

_MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)
_MONTHS_SHORT = ("Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez")
_DAYS_SHORT = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")


def _wall_clock(moment: datetime, *, timed: bool) -> datetime:
    local = moment.astimezone(BERLIN).replace(tzinfo=None)
    return local if timed else datetime.combine(local.date(), time())


def _local(moment: datetime) -> datetime:
    return moment.astimezone(BERLIN)


def _iso_local(moment: datetime) -> str:
    return _local(moment).isoformat(timespec="seconds")


def _iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _dmy(moment: datetime) -> str:
    return f"{_local(moment):%d.%m.%Y}"


def _long_date(moment: datetime) -> str:
    day = _local(moment)
    return f"{day.day}. {_MONTHS[day.month - 1]} {day.year}"


def _x(text: str) -> str:
    return escape(text, quote=True)


def _paragraphs(texts: Sequence[str]) -> str:
    return "\n".join(f"<p>{_x(' '.join(text.split()))}</p>" for text in texts)


def _slug(text: str) -> str:
    """A WordPress-style slug of a category or author name."""
    text = text.lower()
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, plain)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def _tagged(body: bytes, content_type: str = HTML, status: int = 200) -> Response:
    return Response(status, body, {"Content-Type": content_type, "ETag": _etag(body)})


def _served(body: bytes, content_type: str = HTML) -> Route:
    """A page with an ETag that answers a matching If-None-Match with 304."""
    return partial(conditional, _tagged(body, content_type))


def _by_date(stories: Sequence[Story]) -> list[Story]:
    return sorted(stories, key=lambda story: story.published, reverse=True)


# --- (a) WordPress without a working feed ------------------------------------------------------

_WP_PER_PAGE = 5


def _wp_list_path(page: int) -> str:
    first = WORDPRESS.registered.path
    return first if page == 1 else f"{first}page/{page}/"


def _wp_article(story: Story) -> str:
    return f"{WORDPRESS.prefix}{_local(story.published):%Y/%m/%d}/{story.slug}/"


def _wordpress_listing(stories: Sequence[Story]) -> list[_Listed]:
    return [
        _Listed(story, story.title, _wp_list_path(1 + index // _WP_PER_PAGE), _wp_article(story), True)
        for index, story in enumerate(_by_date(stories))
    ]


def _texturized(text: str) -> str:
    """Escaped as WordPress's wptexturize writes typographic quotes and dashes."""
    text = _x(text)
    for char, entity in (("„", "&#8222;"), ("“", "&#8220;"), ("”", "&#8221;"), ("–", "&#8211;")):
        text = text.replace(char, entity)
    return text


def _wordpress(listed: Sequence[_Listed], base: str) -> dict[str, Route]:
    site = WORDPRESS
    home = base + site.prefix
    ids = {item.story.slug: 100 + (len(listed) - i) * 7 for i, item in enumerate(listed)}
    recent = "\n".join(
        f'<li><a href="{base}{item.article}">{_texturized(item.title)}</a></li>'
        for item in listed[:5]
    )
    widget = (
        '<section id="recent-posts-2" class="widget widget_recent_entries">\n'
        '<h2 class="widget-title">Neueste Beiträge</h2>\n<ul>\n' + recent + "\n</ul>\n</section>"
    )

    def page(title: str, body_class: str, main: str, head: str = "") -> bytes:
        return f"""<!DOCTYPE html>
<html lang="de-DE">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name='robots' content='index, follow, max-image-preview:large, max-snippet:-1' />
<title>{_texturized(title)}</title>
{head}<link rel="alternate" type="application/rss+xml" title="{_x(site.name)} &raquo; Feed" href="{home}feed/" />
<link rel="alternate" type="application/rss+xml" title="{_x(site.name)} &raquo; Kommentar-Feed" href="{home}comments/feed/" />
<meta name="generator" content="WordPress 6.5.2" />
</head>
<body class="{body_class}">
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#primary">Zum Inhalt springen</a>
<header id="masthead" class="site-header">
<div class="site-branding">
<p class="site-title"><a href="{home}" rel="home">{_texturized(site.name)}</a></p>
<p class="site-description">{_x(site.tagline)}</p>
</div>
<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">
<li class="menu-item"><a href="{home}">Start</a></li>
<li class="menu-item"><a href="{base}{_wp_list_path(1)}">Aktuelles</a></li>
</ul></nav>
</header>
<div id="content" class="site-content">
<main id="primary" class="site-main">
{main}
</main>
<aside id="secondary" class="widget-area">
{widget}
</aside>
</div>
<footer id="colophon" class="site-footer"><div class="site-info"><p>{SAMPLE_NOTE}</p></div></footer>
</div>
</body>
</html>
""".encode()

    def posted_on(item: _Listed) -> str:
        story = item.story
        url = base + (item.article or "")
        updated = (
            f'<time class="updated" datetime="{_iso_local(story.updated)}">'
            f"{_long_date(story.updated)}</time>"
            if story.updated
            else ""
        )
        author = story.author or "Redaktion"
        return (
            f'<div class="entry-meta">\n<span class="posted-on">Veröffentlicht am <a href="{url}" '
            f'rel="bookmark"><time class="entry-date published" datetime="'
            f'{_iso_local(story.published)}">{_long_date(story.published)}</time>{updated}</a>'
            f'</span><span class="byline"> von <span class="author vcard"><a class="url fn n" '
            f'href="{home}author/{_slug(author)}/">{_x(author)}</a></span></span>\n</div>'
        )

    def classes(item: _Listed) -> str:
        cats = " ".join(f"category-{_slug(c)}" for c in item.story.categories)
        number = ids[item.story.slug]
        return (
            f"post-{number} post type-post status-publish format-standard hentry {cats}".strip()
        )

    def cat_links(item: _Listed) -> str:
        links = ", ".join(
            f'<a href="{home}category/{_slug(c)}/" rel="category tag">{_x(c)}</a>'
            for c in item.story.categories
        )
        return f'<footer class="entry-footer"><span class="cat-links">Veröffentlicht in {links}</span></footer>'

    routes: dict[str, Route] = {}
    pages = sorted({item.list_path for item in listed}, key=lambda p: (len(p), p))
    for number, path in enumerate(pages, start=1):
        blocks = []
        for item in (i for i in listed if i.list_path == path):
            url = base + (item.article or "")
            blocks.append(
                f'<article id="post-{ids[item.story.slug]}" class="{classes(item)}">\n'
                f'<header class="entry-header">\n<h2 class="entry-title"><a href="{url}" '
                f'rel="bookmark">{_texturized(item.title)}</a></h2>\n{posted_on(item)}\n'
                f'</header>\n<div class="entry-summary">\n<p>'
                f"{_x(' '.join(item.story.teaser[0].split()))} [&hellip;]</p>\n</div>\n"
                f"{cat_links(item)}\n</article>"
            )
        links = []
        if number < len(pages):
            links.append(
                f'<div class="nav-previous"><a href="{base}{pages[number]}">Ältere Beiträge</a></div>'
            )
        if number > 1:
            links.append(
                f'<div class="nav-next"><a href="{base}{pages[number - 2]}">Neuere Beiträge</a></div>'
            )
        nav = (
            '<nav class="navigation posts-navigation" aria-label="Beiträge">\n'
            '<h2 class="screen-reader-text">Beitragsnavigation</h2>\n'
            f'<div class="nav-links">{"".join(links)}</div>\n</nav>'
        )
        heading = '<header class="page-header"><h1 class="page-title">Aktuelles</h1></header>'
        suffix = "" if number == 1 else f" – Seite {number}"
        body_class = "blog hfeed" + ("" if number == 1 else f" paged paged-{number}")
        routes[path] = _served(
            page(
                f"Aktuelles{suffix} – {site.name}",
                body_class,
                heading + "\n" + "\n".join(blocks) + "\n" + nav,
            )
        )

    for item in listed:
        story = item.story
        url = base + (item.article or "")
        modified = story.updated or story.published
        graph = {
            "@context": "https://schema.org",
            "@graph": [
                {
                    "@type": "Article",
                    "@id": f"{url}#article",
                    "isPartOf": {"@id": url},
                    "author": {"name": story.author or "Redaktion", "@id": f"{home}#/schema/person/{_slug(story.author or 'Redaktion')}"},
                    "headline": story.title,
                    "datePublished": _iso_utc(story.published),
                    "dateModified": _iso_utc(modified),
                    "mainEntityOfPage": {"@id": url},
                    "publisher": {"@id": f"{home}#organization"},
                    "articleSection": list(story.categories),
                    "inLanguage": "de",
                },
                {
                    "@type": "WebPage",
                    "@id": url,
                    "url": url,
                    "name": f"{story.title} - {site.name}",
                    "isPartOf": {"@id": f"{home}#website"},
                    "datePublished": _iso_utc(story.published),
                    "dateModified": _iso_utc(modified),
                    "inLanguage": "de",
                },
                {
                    "@type": "WebSite",
                    "@id": f"{home}#website",
                    "url": home,
                    "name": site.name,
                    "publisher": {"@id": f"{home}#organization"},
                    "inLanguage": "de",
                },
                {"@type": "Organization", "@id": f"{home}#organization", "name": site.name, "url": home},
            ],
        }
        ld = json.dumps(graph, ensure_ascii=False).replace("</", "<\\/")
        modified_meta = (
            f'<meta property="article:modified_time" content="{_iso_utc(story.updated)}" />\n'
            if story.updated
            else ""
        )
        head = (
            "<!-- This site is optimized with the Yoast SEO plugin v22.6 - "
            "https://yoast.com/wordpress/plugins/seo/ -->\n"
            f'<link rel="canonical" href="{url}" />\n'
            '<meta property="og:locale" content="de_DE" />\n'
            '<meta property="og:type" content="article" />\n'
            f'<meta property="og:title" content="{_x(story.title)} - {_x(site.name)}" />\n'
            f'<meta property="og:description" content="{_x(" ".join(story.teaser[0].split()))}" />\n'
            f'<meta property="og:url" content="{url}" />\n'
            f'<meta property="og:site_name" content="{_x(site.name)}" />\n'
            f'<meta property="article:published_time" content="{_iso_utc(story.published)}" />\n'
            f"{modified_meta}"
            f'<meta name="author" content="{_x(story.author or "Redaktion")}" />\n'
            f'<script type="application/ld+json" class="yoast-schema-graph">{ld}</script>\n'
            "<!-- / Yoast SEO plugin. -->\n"
        )
        number = ids[story.slug]
        main = (
            f'<article id="post-{number}" class="{classes(item)}">\n'
            f'<header class="entry-header">\n<h1 class="entry-title">{_texturized(item.title)}</h1>\n'
            f"{posted_on(item)}\n</header>\n"
            f'<div class="entry-content">\n{story.body}\n</div>\n{cat_links(item)}\n</article>'
        )
        body_class = (
            f"post-template-default single single-post postid-{number} single-format-standard"
        )
        routes[item.article or ""] = _served(
            page(f"{story.title} – {site.name}", body_class, main, head)
        )

    front = (
        '<article id="post-2" class="post-2 page type-page status-publish hentry">\n'
        '<header class="entry-header"><h1 class="entry-title">Willkommen</h1></header>\n'
        '<div class="entry-content">\n'
        "<p>Wir sind ein offenes Bündnis von Mieterinnen und Mietern, Hausprojekten und "
        "Stadtteilinitiativen. Wir setzen uns für bezahlbaren Wohnraum, eine gemeinwohlorientierte "
        "Bodenpolitik und mehr Mitsprache in der Stadtentwicklung ein.</p>\n"
        f'<p><a href="{base}{_wp_list_path(1)}">Zu unseren Beiträgen</a></p>\n</div>\n</article>'
    )
    routes[site.prefix] = _served(page(site.name, "home page-template-default page page-id-2", front))
    not_found = page(
        f"Seite nicht gefunden – {site.name}",
        "error404 hfeed",
        '<section class="error-404 not-found"><header class="page-header"><h1 class="page-title">'
        "Hoppla! Diese Seite kann nicht gefunden werden.</h1></header></section>",
    )
    for dead in (f"{site.prefix}feed/", f"{site.prefix}comments/feed/"):
        routes[dead] = Response(404, not_found, {"Content-Type": HTML})
    return routes


# --- (b) TYPO3 news list (tx_news) -------------------------------------------------------------


def _typo3_article(story: Story) -> str:
    return f"{TYPO3.registered.path}/detail/{story.slug}"


def _typo3_listing(stories: Sequence[Story]) -> list[_Listed]:
    path = TYPO3.registered.path
    return [_Listed(s, s.title, path, _typo3_article(s), True) for s in _by_date(stories)]


def _typo3(listed: Sequence[_Listed], base: str) -> dict[str, Route]:
    site = TYPO3
    list_path = site.registered.path

    def page(title: str, page_id: int, main: str, head: str = "") -> bytes:
        current = ' class="nav-item active"' if page_id == 12 else ' class="nav-item"'
        return f"""<!DOCTYPE html>
<html lang="de">
<head>

<meta charset="utf-8">
<!--
	This website is powered by TYPO3 - inspiring people to share!
	TYPO3 is a free open source Content Management Framework initially created by Kasper Skaarhoj and licensed under GNU/GPL.
	Information and contribution at https://typo3.org/
-->

<title>{_x(title)}</title>
<meta name="generator" content="TYPO3 CMS">
<meta name="viewport" content="width=device-width, initial-scale=1">
{head}</head>
<body id="p{page_id}" class="page-{page_id} pagelevel-1 language-0 backendlayout-default layout-default">
<div id="top"></div>
<div class="body-bg">
<header class="navbar navbar-mainnavigation">
<a class="navbar-brand" href="{site.prefix}" title="{_x(site.name)}">{_x(site.name)}</a>
<nav><ul class="navbar-nav">
<li class="nav-item"><a class="nav-link" href="{site.prefix}" title="Start">Start</a></li>
<li{current}><a class="nav-link" href="{list_path}" title="Aktuelles">Aktuelles</a></li>
</ul></nav>
</header>
<div id="page-content">
<main class="section section-default">
<!--TYPO3SEARCH_begin-->
{main}
<!--TYPO3SEARCH_end-->
</main>
</div>
<footer class="section footer-section"><div class="container"><p>{SAMPLE_NOTE}</p></div></footer>
</div>
</body>
</html>
""".encode()

    blocks = []
    for item in listed:
        story, link = item.story, item.article or ""
        category = story.categories[0] if story.categories else "Allgemein"
        blocks.append(
            f"""<!--
	=====================
		Partials/List/Item.html
-->
<div class="article articletype-0 news-list-item" itemscope="itemscope" itemtype="http://schema.org/Article">
<div class="header">
<h3><a title="{_x(item.title)}" href="{link}"><span itemprop="headline">{_x(item.title)}</span></a></h3>
</div>
<div class="teaser-text">
<div itemprop="description">{_paragraphs(story.teaser)}</div>
<a class="more" title="{_x(item.title)}" href="{link}">Weiterlesen</a>
</div>
<div class="footer">
<p>
<span class="news-list-date"><time itemprop="datePublished" datetime="{_iso_local(story.published)}">{_dmy(story.published)}</time></span>
<span class="news-list-category">{_x(category)}</span>
</p>
</div>
</div>"""
        )
    main = (
        '<div id="c57" class="frame frame-default frame-type-news_pi1 frame-layout-0">\n'
        '<header><h1 class="element-header">Aktuelles</h1></header>\n'
        '<div class="news">\n<div class="news-list-view" id="news-container-57">\n'
        + "\n".join(blocks)
        + "\n</div>\n</div>\n</div>"
    )
    routes: dict[str, Route] = {list_path: _served(page(f"Aktuelles: {site.name}", 12, main))}

    for item in listed:
        story, url = item.story, base + (item.article or "")
        summary = " ".join(" ".join(story.teaser).split())
        head = (
            f'<meta name="description" content="{_x(summary)}">\n'
            f'<meta property="og:title" content="{_x(story.title)}">\n'
            '<meta property="og:type" content="article">\n'
            f'<meta property="og:url" content="{url}">\n'
            f'<meta property="og:description" content="{_x(summary)}">\n'
            f'<meta property="og:site_name" content="{_x(site.name)}">\n'
            f'<meta property="article:published_time" content="{_iso_local(story.published)}">\n'
            f'<link rel="canonical" href="{url}">\n'
        )
        main = f"""<div id="c58" class="frame frame-default frame-type-news_pi1 frame-layout-0">
<div class="news news-single">
<div class="article" itemscope="itemscope" itemtype="http://schema.org/Article">
<div class="header"><h1 itemprop="headline">{_x(story.title)}</h1></div>
<div class="footer"><p><span class="news-list-date"><time itemprop="datePublished" datetime="{_iso_local(story.published)}">{_dmy(story.published)}</time></span></p></div>
<div class="teaser-text" itemprop="description">{_paragraphs(story.teaser)}</div>
<div class="news-text-wrap" itemprop="articleBody">
{story.body}
</div>
<div class="news-backlink-wrap"><a href="{list_path}">Zurück</a></div>
</div>
</div>
</div>"""
        routes[item.article or ""] = _served(page(f"{story.title}: {site.name}", 13, main, head))

    home = (
        '<div id="c12" class="frame frame-default frame-type-text frame-layout-0">\n'
        f'<header><h1 class="element-header">{_x(site.name)}</h1></header>\n'
        "<p>Das Entwicklungsforum ist ein offener Verein von Bürgerinnen und Bürgern, "
        "Planerinnen und Architekten. Wir begleiten die Stadtentwicklung Dresdens mit "
        "Werkstattgesprächen, Stellungnahmen und Ausstellungen.</p>\n"
        f'<p><a href="{list_path}">Alle Meldungen</a></p>\n</div>'
    )
    routes[site.prefix] = _served(page(f"Start: {site.name}", 1, home))
    return routes


# --- (c) Jimdo blog ----------------------------------------------------------------------------


def _jimdo_article(story: Story) -> str:
    return f"{JIMDO.prefix}{_local(story.published):%Y/%m/%d}/{story.slug}/"


def _jimdo_listing(stories: Sequence[Story]) -> list[_Listed]:
    path = JIMDO.registered.path
    return [_Listed(s, s.title, path, _jimdo_article(s), False) for s in _by_date(stories)]


def _jimdo_date(moment: datetime) -> str:
    day = _local(moment)
    return (
        f'<time class="datetime" datetime="{day:%Y-%m-%d}"><span class="day-word">'
        f"{_DAYS_SHORT[day.weekday()]}</span> <span class=\"day\">{day.day:02d}</span> "
        f'<span class="mon">{_MONTHS_SHORT[day.month - 1]}</span> '
        f'<span class="yr">{day.year}</span></time>'
    )


def _jimdo(listed: Sequence[_Listed], base: str) -> dict[str, Route]:
    site = JIMDO
    blog = site.registered.path

    def page(title: str, page_class: str, main: str, current: str, og_type: str = "website") -> bytes:
        def nav_item(path: str, label: str) -> str:
            if path == current:
                return (
                    '<li class="jmd-nav__list-item-0 cc-nav-current j-nav-current '
                    f'jmd-nav__item--current"><a href="{path}" class="cc-nav-current '
                    f'j-nav-current jmd-nav__link--current" data-link-title="{label}">{label}</a></li>'
                )
            return (
                f'<li class="jmd-nav__list-item-0"><a href="{path}" data-link-title="{label}">'
                f"{label}</a></li>"
            )

        return f"""<!DOCTYPE html>
<html lang="de-DE">
<head>
<meta http-equiv="X-UA-Compatible" content="IE=edge"/>
<meta charset="UTF-8"/>
<title>{_x(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<meta name="robots" content="index, follow, archive"/>
<meta property="og:title" content="{_x(title)}"/>
<meta property="og:type" content="{og_type}"/>
</head>
<body class="body cc-page {page_class} j-m-blogSelection-styles j-m-text-styles cc-pagemode-default cc-content-parent">
<div id="cc-website">
<div id="cc-inner" class="cc-content-parent">
<header class="jtpl-header"><div class="jtpl-title"><a href="{site.prefix}">{_x(site.name)}</a></div></header>
<nav id="cc-nav" class="j-nav"><ul class="cc-nav-level-0 j-nav-level-0">
{nav_item(site.prefix, "Start")}
{nav_item(blog, "Blog")}
</ul></nav>
<div id="content_area" data-container="content">
<div id="content_start"></div>
{main}
</div>
<div id="contentfooter" data-container="footer"><div class="j-meta-links"><p>{SAMPLE_NOTE}</p></div></div>
</div>
</div>
</body>
</html>
""".encode()

    articles = []
    for number, item in enumerate(listed):
        story, link = item.story, item.article or ""
        articles.append(
            f"""<div class="n clearover j-blogarticle">
<a href="{link}" class="j-blog-header"><h2 class="j-blog-headline">{_x(item.title)}</h2></a>
{_jimdo_date(story.published)}
<div id="cc-matrix-25025{number:02d}"><div id="cc-m-94976{number:02d}" class="j-module n j-text">
{_paragraphs(story.teaser)}
</div></div>
<a class="blogreadmore" href="{link}">Mehr lesen</a>
</div>"""
        )
    main = (
        '<div id="cc-matrix-2501" class="j-module n j-blogSelection">\n<div class="blogselection">\n'
        + "\n".join(articles)
        + "\n</div>\n</div>"
    )
    routes: dict[str, Route] = {
        blog: _served(page(f"Blog - {site.name}", "cc-page-blog", main, blog))
    }
    for number, item in enumerate(listed):
        story, link = item.story, item.article or ""
        main = f"""<div class="n j-blog-meta j-blog-post--header">
<div class="j-text j-module n">
<a href="{link}" class="j-blog-header"><h1 class="j-blog-headline j-blog-post--headline">{_x(story.title)}</h1></a>
<span class="j-text j-blog-post--date">{_jimdo_date(story.published)}</span>
</div>
</div>
<div class="post j-blog-content">
<div id="cc-matrix-26025{number:02d}"><div id="cc-m-95976{number:02d}" class="j-module n j-text">
{story.body}
</div></div>
</div>"""
        routes[link] = _served(
            page(f"{story.title} - {site.name}", "cc-page-blog-post", main, blog, "article")
        )
    home = (
        '<div id="cc-matrix-2400"><div id="cc-m-9400" class="j-module n j-text">\n'
        f"<h1>{_x(site.name)}</h1>\n"
        "<p>Wir beleben leere Läden und Häuser in der Zittauer Innenstadt: mit Werkstätten, "
        "Ausstellungen, Kino und allem, was Menschen zusammenbringt.</p>\n"
        f'<p><a href="{blog}">Neues aus dem FreiRaum</a></p>\n</div></div>'
    )
    routes[site.prefix] = _served(page(site.name, "cc-page-index", home, site.prefix))
    return routes


# --- (d) hand-made page: "TT.MM.JJJJ | TITEL" blocks -------------------------------------------


def _freiberg_article(story: Story) -> str:
    return f"{DATED_BLOCKS.prefix}aktuelles/{story.slug}.html"


def _freiberg_listing(stories: Sequence[Story]) -> list[_Listed]:
    path = DATED_BLOCKS.registered.path
    return [
        _Listed(s, s.title, path, _freiberg_article(s) if s.linked else None, False)
        for s in _by_date(stories)
    ]


def _freiberg(listed: Sequence[_Listed], base: str) -> dict[str, Route]:
    site = DATED_BLOCKS

    def page(title: str, main: str) -> bytes:
        return f"""<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<title>{_x(title)}</title>
<meta name="description" content="{_x(site.tagline)}">
</head>
<body>
<div id="rahmen">
<div id="kopf">
<p class="logo"><a href="{site.prefix}">{_x(site.name)}</a></p>
<p class="motto">{_x(site.tagline)}</p>
</div>
<div id="menue"><a href="{site.prefix}">Aktuelles</a></div>
<div id="inhalt">
{main}
</div>
<div id="fuss"><p>{SAMPLE_NOTE}</p></div>
</div>
</body>
</html>
""".encode()

    blocks = []
    for item in listed:
        story = item.story
        paragraphs = [" ".join(p.split()) for p in story.teaser]
        texts = [_x(p) for p in paragraphs]
        if item.article is not None:
            relative = item.article.removeprefix(site.prefix)
            texts[-1] += f' <a href="{relative}">mehr</a>'
        blocks.append(
            f'<p class="ueberschrift"><strong>{_dmy(story.published)} | {_x(item.title)}</strong></p>\n'
            + "\n".join(f"<p>{text}</p>" for text in texts)
        )
    main = "<h1>Aktuelles</h1>\n" + "\n<hr>\n".join(blocks)
    routes: dict[str, Route] = {site.prefix: _served(page(site.name, main))}
    for item in listed:
        if item.article is None:
            continue
        story = item.story
        main = (
            f"<h1>{_x(item.title)}</h1>\n<p>Freiberg, {_dmy(story.published)}</p>\n"
            f'{story.body}\n<p><a href="../">zurück zur Startseite</a></p>'
        )
        routes[item.article] = _served(page(f"{item.title} – {site.name}", main))
    return routes


# --- (e) old static page: "21. DEZEMBER 2015 // Titel" and "+++" --------------------------------


def _magdeburg_article(story: Story) -> str:
    return f"{PLUS_BLOCKS.prefix}aktuell/{story.slug}.htm"


def _magdeburg_listing(stories: Sequence[Story]) -> list[_Listed]:
    path = PLUS_BLOCKS.registered.path
    return [
        _Listed(s, s.title, path, _magdeburg_article(s) if s.linked else None, False)
        for s in _by_date(stories)
    ]


_ENTITIES = {
    "ä": "&auml;",
    "ö": "&ouml;",
    "ü": "&uuml;",
    "Ä": "&Auml;",
    "Ö": "&Ouml;",
    "Ü": "&Uuml;",
    "ß": "&szlig;",
    "„": "&bdquo;",
    "“": "&ldquo;",
    "–": "&ndash;",
}


def _entities(html: str) -> str:
    """Non-ASCII letters as named entities, as old HTML editors wrote them."""
    return "".join(_ENTITIES.get(char, char) for char in html)


def _caps_date(moment: datetime) -> str:
    day = _local(moment)
    return f"{day.day}. {_MONTHS[day.month - 1].upper()} {day.year}"


def _magdeburg(listed: Sequence[_Listed], base: str) -> dict[str, Route]:
    site = PLUS_BLOCKS
    news = site.registered.path

    def page(title: str, column: str, home: str) -> bytes:
        html = f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html lang="de">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{_x(title)}</title>
</head>
<body bgcolor="#FFFFF0" text="#000000" link="#800000" vlink="#800000">
<table width="760" border="0" cellpadding="0" cellspacing="0" align="center">
<tr><td colspan="2" bgcolor="#800000"><font face="Georgia, Times" size="6" color="#FFFFF0">{_x(site.name)}</font></td></tr>
<tr>
<td width="160" valign="top" bgcolor="#EEE8D5"><font face="Verdana, Arial" size="2">
<a href="{home}">Aktuelles</a><br>
</font></td>
<td width="600" valign="top">
{column}
</td>
</tr>
<tr><td colspan="2"><font face="Verdana, Arial" size="1">{SAMPLE_NOTE}</font></td></tr>
</table>
</body>
</html>
"""
        return _entities(html).encode()

    blocks = []
    for item in listed:
        story = item.story
        teaser = "<br>\n".join(_x(" ".join(p.split())) for p in story.teaser)
        more = ""
        if item.article is not None:
            more = f' <a href="{item.article.removeprefix(site.prefix)}">mehr...</a>'
        blocks.append(
            f'<p><font face="Verdana, Arial" size="2"><b>{_caps_date(story.published)} // '
            f"{_x(item.title)}</b><br>\n{teaser}{more}</font></p>"
        )
    separator = '\n<p align="center"><font face="Verdana, Arial" size="2">+++</font></p>\n'
    routes: dict[str, Route] = {
        news: _served(page(f"{site.name} - Aktuelles", separator.join(blocks), "home.htm"))
    }
    for item in listed:
        if item.article is None:
            continue
        story = item.story
        column = (
            f'<p><font face="Verdana, Arial" size="2"><b>{_caps_date(story.published)} // '
            f"{_x(item.title)}</b></font></p>\n{story.body}\n"
            '<p><font face="Verdana, Arial" size="2"><a href="../home.htm">zur&uuml;ck</a></font></p>'
        )
        routes[item.article] = _served(page(f"{site.name} - {story.title}", column, "../home.htm"))
    welcome = (
        '<p><font face="Verdana, Arial" size="3">Herzlich willkommen bei der IG Altes Magdeburg!'
        "</font></p>\n<p><font face=\"Verdana, Arial\" size=\"2\">Wir setzen uns seit vielen "
        "Jahren für die Reste der historischen Altstadt ein.</font></p>\n"
        '<p><font face="Verdana, Arial" size="2"><a href="home.htm">weiter zu den '
        "Neuigkeiten</a></font></p>"
    )
    routes[site.prefix] = _served(page(site.name, welcome, "home.htm"))
    return routes


# --- (f) DokuWiki chronicle --------------------------------------------------------------------

_WIKI_LINK = re.compile(r"\[\[([^\]]+)\]\]")
_DOKU = DOKUWIKI.prefix + "doku.php"


def _wiki_page(story: Story) -> str:
    return f"chronik:{story.slug}"


def _dokuwiki_listing(stories: Sequence[Story]) -> list[_Listed]:
    """The chronicle's rows: by section in order of first appearance, each oldest first."""
    sections: dict[str, list[Story]] = {}
    for story in stories:
        if story.section is None:
            raise ValueError(f"chronicle row {story.slug} names no section")
        if story.linked != bool(_WIKI_LINK.search(story.title)):
            raise ValueError(f"chronicle row {story.slug}: [[…]] in the title iff linked")
        sections.setdefault(story.section, []).append(story)
    path = DOKUWIKI.registered.path
    return [
        _Listed(
            s,
            _WIKI_LINK.sub(r"\1", s.title),
            path,
            f"{_DOKU}?id={_wiki_page(s)}" if s.linked else None,
            False,
        )
        for rows in sections.values()
        for s in sorted(rows, key=lambda story: story.published)
    ]


def _dokuwiki(listed: Sequence[_Listed], base: str) -> dict[str, Route]:
    site = DOKUWIKI
    wiki_name = "Schießhausgelände-Wiki"

    def link(page_id: str, text: str) -> str:
        return (
            f'<a href="{_DOKU}?id={page_id}" class="wikilink1" title="{page_id}" '
            f'data-wiki-id="{page_id}">{text}</a>'
        )

    def page(page_id: str, content: str, changed: datetime, status: int = 200) -> Response:
        body = f"""<!DOCTYPE html>
<html lang="de" dir="ltr" class="no-js">
<head>
    <meta charset="utf-8" />
    <title>{page_id} [{wiki_name}]</title>
    <meta name="generator" content="DokuWiki"/>
    <meta name="robots" content="index,follow"/>
    <link rel="start" href="{site.prefix}"/>
    <link rel="canonical" href="{base}{_DOKU}?id={page_id}"/>
    <meta name="viewport" content="width=device-width,initial-scale=1" />
</head>
<body>
<div id="dokuwiki__site"><div id="dokuwiki__top" class="site dokuwiki mode_show tpl_dokuwiki">
<div id="dokuwiki__header"><div class="pad group">
<div class="headings group">
<h1 class="logo">{link("start", f"<span>{wiki_name}</span>")}</h1>
<p class="claim">{_x(site.tagline)}</p>
</div>
<div class="breadcrumbs"><div class="youarehere"><span class="bchead">Sie befinden sich hier: </span><span class="home"><bdi>{link("start", "start")}</bdi></span> » <bdi><span class="curid">{link(page_id, page_id)}</span></bdi></div></div>
</div></div>
<div class="wrapper group">
<div id="dokuwiki__content"><div class="pad group">
<div class="pageId"><span>{page_id}</span></div>
<div class="page group">
<!-- wikipage start -->
{content}
<!-- wikipage stop -->
</div>
<div class="docInfo"><bdi>{page_id.replace(":", "/")}.txt</bdi> · Zuletzt geändert: {_local(changed):%Y/%m/%d %H:%M} von <bdi>bi-redaktion</bdi></div>
</div></div>
</div>
<div id="dokuwiki__footer"><div class="pad"><p>{SAMPLE_NOTE}</p></div></div>
</div></div>
</body>
</html>
""".encode()
        return _tagged(body, status=status)

    def cell(story: Story) -> str:
        text = _x(" ".join(story.title.split()))
        return _WIKI_LINK.sub(lambda m: link(_wiki_page(story), m.group(1)), text)

    last_change = max((i.story.updated or i.story.published) for i in listed)
    parts = [
        '<h1 class="sectionedit1" id="chronik">Chronik</h1>\n<div class="level1">\n'
        "<p>Was bisher geschah: die wichtigsten Ereignisse rund um das Schießhausgelände, "
        "älteste zuerst.</p>\n</div>"
    ]
    sections: dict[str, list[_Listed]] = {}
    for item in listed:
        sections.setdefault(item.story.section or "", []).append(item)
    edit = 2
    for title, items in sections.items():
        anchor = _slug(title).replace("-", "_")
        rows = "\n".join(
            f'<tr class="row{n}"><td class="col0">{_dmy(i.story.published)}</td>'
            f'<td class="col1">{cell(i.story)}</td></tr>'
            for n, i in enumerate(items, start=1)
        )
        parts.append(
            f'<h2 class="sectionedit{edit}" id="{anchor}">{_x(title)}</h2>\n<div class="level2">\n'
            f'<div class="table sectionedit{edit + 1}"><table class="inline">\n'
            '<thead><tr class="row0"><th class="col0">Datum</th><th class="col1">Was geschah'
            f"</th></tr></thead>\n{rows}\n</table></div>\n</div>"
        )
        edit += 2
    pages: dict[str, Response] = {"chronik": page("chronik", "\n".join(parts), last_change)}
    for item in listed:
        if item.article is None:
            continue
        story = item.story
        heading = story.headline or item.title
        content = (
            f'<h1 class="sectionedit1" id="{story.slug}">{_x(heading)}</h1>\n'
            f'<div class="level1">\n{story.body}\n<p>Zurück zur {link("chronik", "Chronik")}</p>\n</div>'
        )
        pages[_wiki_page(story)] = page(_wiki_page(story), content, story.updated or story.published)
    start = (
        '<h1 class="sectionedit1" id="rettet_das_schiesshausgelaende_jetzt">Rettet das '
        "Schießhausgelände jetzt!</h1>\n<div class=\"level1\">\n<p>Die Bürgerinitiative setzt "
        "sich dafür ein, dass das Schießhausgelände in Weimar ein öffentlicher Park bleibt.</p>\n"
        f"<p>Alles Wichtige steht in unserer {link('chronik', 'Chronik')}.</p>\n</div>"
    )
    pages["start"] = page("start", start, last_change)
    missing = page(
        "fehlt",
        '<h1 class="sectionedit1" id="diese_seite_existiert_noch_nicht">Diese Seite existiert '
        "noch nicht</h1>\n<div class=\"level1\"><p>Sie sind einem Link zu einer Seite gefolgt, "
        "die noch nicht existiert.</p></div>",
        last_change,
        status=404,
    )

    def serve(request: Request) -> Response:
        page_id = parse_qs(request.query).get("id", ["start"])[0]
        found = pages.get(page_id)
        return missing if found is None else conditional(found, request)

    return {site.prefix: partial(conditional, pages["start"]), _DOKU: serve}


# --- (g) a feed only the home page names -------------------------------------------------------


def _discoverable(calendar: Calendar, base: str) -> dict[str, Route]:
    site = DISCOVERABLE_SITE
    feed_path = site.feed_path
    stories = _by_date(load_stories("denkmalnetz-sachsen", calendar))
    comments = _by_date(load_stories("denkmalnetz-kommentare", calendar))
    home = base + site.prefix

    def article_path(story: Story) -> str:
        return f"{site.prefix}aktuelles/{story.slug}.html"

    def page(title: str, main: str, head: str = "") -> bytes:
        return f"""<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<title>{_x(title)}</title>
<link rel="alternate" type="application/rss+xml" title="{_x(site.name)} » Kommentar-Feed" href="{base}{COMMENT_FEED_PATH}">
<link rel="alternate" type="application/rss+xml" title="{_x(site.name)} » Nachrichten" href="{base}{feed_path}">
{head}</head>
<body>
<header><p class="site-title"><a href="{site.prefix}">{_x(site.name)}</a></p><p class="tagline">{_x(site.tagline)}</p></header>
<main>
{main}
</main>
<footer><p>{SAMPLE_NOTE}</p></footer>
</body>
</html>
""".encode()

    blocks = "\n".join(
        f'<div class="meldung">\n<h3><a href="{article_path(s)}">{_x(s.title)}</a></h3>\n'
        f'<p class="datum">{_dmy(s.published)}</p>\n{_paragraphs(s.teaser)}\n</div>'
        for s in stories
    )
    routes: dict[str, Route] = {
        site.prefix: _served(page(site.name, f"<h1>{_x(site.name)}</h1>\n<h2>Nachrichten</h2>\n{blocks}"))
    }
    for story in stories:
        main = (
            f'<article class="meldung">\n<h1>{_x(story.title)}</h1>\n<p class="datum">'
            f'<time datetime="{_iso_local(story.published)}">{_dmy(story.published)}</time></p>\n'
            f"{story.body}\n</article>"
        )
        routes[article_path(story)] = _served(page(f"{story.title} – {site.name}", main))

    by_title = {story.title: story for story in stories}

    def item(story: Story, url: str) -> FeedItem:
        return FeedItem(
            id=url,
            url=url,
            title=story.title,
            content_html=story.body,
            summary=" ".join(" ".join(story.teaser).split()),
            published=story.published,
            author=story.author,
            categories=story.categories,
            id_is_permalink=True,
        )

    def meta(title: str, path: str, posts: Sequence[Story]) -> FeedMeta:
        return FeedMeta(
            title=title,
            home_url=home,
            feed_url=base + path,
            description=f"{site.tagline} (Beispielinhalt der Demo)",
            updated=max(p.published for p in posts),
            author=site.name,
        )

    news = rss2(
        meta(f"{site.name} – Nachrichten", feed_path, stories),
        [item(s, base + article_path(s)) for s in stories],
        wordpress=False,
    )
    comment_items = []
    for number, comment in enumerate(comments, start=1):
        target = by_title.get(comment.title.removeprefix("Kommentar zu: "))
        if target is None:
            raise ValueError(f"comment {comment.slug} names no story of the site")
        comment_items.append(item(comment, f"{base}{article_path(target)}#kommentar-{number}"))
    comment_feed = rss2(
        meta(f"{site.name} – Kommentare", COMMENT_FEED_PATH, comments), comment_items, wordpress=False
    )
    rss = "application/rss+xml; charset=utf-8"
    routes[feed_path] = _served(news, rss)
    routes[COMMENT_FEED_PATH] = _served(comment_feed, rss)
    return routes


_PATTERNS: tuple[_Pattern, ...] = (
    _Pattern(WORDPRESS, "stadt-fuer-alle", _wordpress_listing, _wordpress),
    _Pattern(TYPO3, "entwicklungsforum-dresden", _typo3_listing, _typo3),
    _Pattern(JIMDO, "freiraum-zittau", _jimdo_listing, _jimdo),
    _Pattern(DATED_BLOCKS, "stadtforum-freiberg", _freiberg_listing, _freiberg),
    _Pattern(PLUS_BLOCKS, "ig-altes-magdeburg", _magdeburg_listing, _magdeburg),
    _Pattern(DOKUWIKI, "schiesshaus-chronik", _dokuwiki_listing, _dokuwiki),
)
