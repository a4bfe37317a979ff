"""Pattern (a): a WordPress blog whose feed is switched off (/feed/ answers 404).

List pages of `article.post` blocks with `h2.entry-title a` and `<time class="entry-date
published" datetime>`, "Ältere Beiträge" (`.nav-previous a`) to a second page, a recent-posts
widget beside them; article pages with Yoast's JSON-LD `@graph` (`datePublished` in UTC).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from aggregator.demo.demosite import DemoSite, ScrapeAt
from aggregator.demo.httpserver import Response, Route
from aggregator.demo.scraped.common import (
    HTML,
    SAMPLE_NOTE,
    Listed,
    by_date,
    esc,
    iso_local,
    iso_utc,
    local,
    long_date,
    served,
    slug,
)
from aggregator.demo.stories import Story

DATA = "stadt-fuer-alle"  # the data file under aggregator/demo/data/

SITE = DemoSite(
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


_WP_PER_PAGE = 5


def _wp_list_path(page: int) -> str:
    first = SITE.registered.path
    return first if page == 1 else f"{first}page/{page}/"


def _article_path(story: Story) -> str:
    return f"{SITE.prefix}{local(story.published):%Y/%m/%d}/{story.slug}/"


def listing(stories: Sequence[Story]) -> list[Listed]:
    return [
        Listed(
            story, story.title, _wp_list_path(1 + index // _WP_PER_PAGE), _article_path(story), True
        )
        for index, story in enumerate(by_date(stories))
    ]


def _texturized(text: str) -> str:
    """Escaped as WordPress's wptexturize writes typographic quotes and dashes."""
    text = esc(text)
    for char, entity in (("„", "&#8222;"), ("“", "&#8220;"), ("”", "&#8221;"), ("–", "&#8211;")):
        text = text.replace(char, entity)
    return text


def render(listed: Sequence[Listed], base: str) -> dict[str, Route]:
    theme = _Theme(listed, base)
    pages = sorted({item.list_path for item in listed}, key=lambda p: (len(p), p))
    routes: dict[str, Route] = {
        path: served(theme.list_page(number, pages)) for number, path in enumerate(pages, 1)
    }
    for item in listed:
        routes[item.article or ""] = served(theme.article_page(item))
    routes[SITE.prefix] = served(theme.front_page())
    not_found = theme.page(
        f"Seite nicht gefunden – {SITE.name}",
        "error404 hfeed",
        '<section class="error-404 not-found"><header class="page-header"><h1 class="page-title">'
        "Hoppla! Diese Seite kann nicht gefunden werden.</h1></header></section>",
    )
    for dead in (f"{SITE.prefix}feed/", f"{SITE.prefix}comments/feed/"):
        routes[dead] = Response(404, not_found, {"Content-Type": HTML})
    return routes


class _Theme:
    """The blog's theme (an underscores-style one): list, article and front pages."""

    def __init__(self, listed: Sequence[Listed], base: str) -> None:
        self.base = base
        self.home = base + SITE.prefix
        self.ids = {item.story.slug: 100 + (len(listed) - i) * 7 for i, item in enumerate(listed)}
        self.listed = listed
        recent = "\n".join(
            f'<li><a href="{base}{item.article}">{_texturized(item.title)}</a></li>'
            for item in listed[:5]
        )
        self.widget = (
            '<section id="recent-posts-2" class="widget widget_recent_entries">\n'
            '<h2 class="widget-title">Neueste Beiträge</h2>\n<ul>\n'
            + recent
            + "\n</ul>\n</section>"
        )

    def page(self, title: str, body_class: str, main: str, head: str = "") -> bytes:
        site, home, base, widget = SITE, self.home, self.base, self.widget
        return f"""<!DOCTYPE html>
<html lang="de-DE">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name='robots' content='index, follow, max-image-preview:large, max-snippet:-1' />
<title>{_texturized(title)}</title>
{head}<link rel="alternate" type="application/rss+xml" title="{esc(site.name)} &raquo; Feed"
 href="{home}feed/" />
<link rel="alternate" type="application/rss+xml"
 title="{esc(site.name)} &raquo; Kommentar-Feed" href="{home}comments/feed/" />
<meta name="generator" content="WordPress 6.5.2" />
</head>
<body class="{body_class}">
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#primary">Zum Inhalt springen</a>
<header id="masthead" class="site-header">
<div class="site-branding">
<p class="site-title"><a href="{home}" rel="home">{_texturized(site.name)}</a></p>
<p class="site-description">{esc(site.tagline)}</p>
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

    def list_page(self, number: int, pages: Sequence[str]) -> bytes:
        """List page `number` (from 1) of `pages`, with "Ältere/Neuere Beiträge" links."""
        blocks = []
        for item in (i for i in self.listed if i.list_path == pages[number - 1]):
            url = self.base + (item.article or "")
            blocks.append(
                f'<article id="post-{self.ids[item.story.slug]}" class="{self.classes(item)}">\n'
                f'<header class="entry-header">\n<h2 class="entry-title"><a href="{url}" '
                f'rel="bookmark">{_texturized(item.title)}</a></h2>\n{self.posted_on(item)}\n'
                f'</header>\n<div class="entry-summary">\n<p>'
                f"{esc(' '.join(item.story.teaser[0].split()))} [&hellip;]</p>\n</div>\n"
                f"{self.cat_links(item)}\n</article>"
            )
        links = []
        if number < len(pages):
            links.append(
                f'<div class="nav-previous"><a href="{self.base}{pages[number]}">'
                "Ältere Beiträge</a></div>"
            )
        if number > 1:
            links.append(
                f'<div class="nav-next"><a href="{self.base}{pages[number - 2]}">'
                "Neuere Beiträge</a></div>"
            )
        nav = (
            '<nav class="navigation posts-navigation" aria-label="Beiträge">\n'
            '<h2 class="screen-reader-text">Beitragsnavigation</h2>\n'
            f'<div class="nav-links">{"".join(links)}</div>\n</nav>'
        )
        heading = '<header class="page-header"><h1 class="page-title">Aktuelles</h1></header>'
        suffix = "" if number == 1 else f" – Seite {number}"
        body_class = "blog hfeed" + ("" if number == 1 else f" paged paged-{number}")
        main = heading + "\n" + "\n".join(blocks) + "\n" + nav
        return self.page(f"Aktuelles{suffix} – {SITE.name}", body_class, main)

    def article_page(self, item: Listed) -> bytes:
        story, number = item.story, self.ids[item.story.slug]
        main = (
            f'<article id="post-{number}" class="{self.classes(item)}">\n'
            '<header class="entry-header">\n'
            f'<h1 class="entry-title">{_texturized(item.title)}</h1>\n'
            f"{self.posted_on(item)}\n</header>\n"
            f'<div class="entry-content">\n{story.body}\n</div>\n{self.cat_links(item)}\n</article>'
        )
        body_class = (
            f"post-template-default single single-post postid-{number} single-format-standard"
        )
        head = _yoast_head(story, self.base + (item.article or ""), self.home)
        return self.page(f"{story.title} – {SITE.name}", body_class, main, head)

    def front_page(self) -> bytes:
        front = (
            '<article id="post-2" class="post-2 page type-page status-publish hentry">\n'
            '<header class="entry-header"><h1 class="entry-title">Willkommen</h1></header>\n'
            '<div class="entry-content">\n'
            "<p>Wir sind ein offenes Bündnis von Mieterinnen und Mietern, Hausprojekten und "
            "Stadtteilinitiativen. Wir setzen uns für bezahlbaren Wohnraum, eine "
            "gemeinwohlorientierte Bodenpolitik und mehr Mitsprache in der Stadtentwicklung "
            "ein.</p>\n"
            f'<p><a href="{self.base}{_wp_list_path(1)}">Zu unseren Beiträgen</a></p>\n'
            "</div>\n</article>"
        )
        return self.page(SITE.name, "home page-template-default page page-id-2", front)

    def posted_on(self, item: Listed) -> str:
        story = item.story
        url = self.base + (item.article or "")
        updated = (
            f'<time class="updated" datetime="{iso_local(story.updated)}">'
            f"{long_date(story.updated)}</time>"
            if story.updated
            else ""
        )
        author = story.author or "Redaktion"
        return (
            f'<div class="entry-meta">\n<span class="posted-on">Veröffentlicht am <a href="{url}" '
            f'rel="bookmark"><time class="entry-date published" datetime="'
            f'{iso_local(story.published)}">{long_date(story.published)}</time>{updated}</a>'
            f'</span><span class="byline"> von <span class="author vcard"><a class="url fn n" '
            f'href="{self.home}author/{slug(author)}/">{esc(author)}</a></span></span>\n</div>'
        )

    def classes(self, item: Listed) -> str:
        cats = " ".join(f"category-{slug(c)}" for c in item.story.categories)
        number = self.ids[item.story.slug]
        return f"post-{number} post type-post status-publish format-standard hentry {cats}".strip()

    def cat_links(self, item: Listed) -> str:
        links = ", ".join(
            f'<a href="{self.home}category/{slug(c)}/" rel="category tag">{esc(c)}</a>'
            for c in item.story.categories
        )
        return (
            '<footer class="entry-footer"><span class="cat-links">'
            f"Veröffentlicht in {links}</span></footer>"
        )


def _yoast_head(story: Story, url: str, home: str) -> str:
    """Yoast SEO's head: canonical link, og: and article: meta, the JSON-LD graph (dates UTC)."""
    site = SITE
    modified = story.updated or story.published
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "Article",
                "@id": f"{url}#article",
                "isPartOf": {"@id": url},
                "author": {
                    "name": story.author or "Redaktion",
                    "@id": f"{home}#/schema/person/{slug(story.author or 'Redaktion')}",
                },
                "headline": story.title,
                "datePublished": iso_utc(story.published),
                "dateModified": iso_utc(modified),
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
                "datePublished": iso_utc(story.published),
                "dateModified": iso_utc(modified),
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
            {
                "@type": "Organization",
                "@id": f"{home}#organization",
                "name": site.name,
                "url": home,
            },
        ],
    }
    summary = " ".join(story.teaser[0].split())
    ld = json.dumps(graph, ensure_ascii=False).replace("</", "<\\/")
    modified_meta = (
        f'<meta property="article:modified_time" content="{iso_utc(story.updated)}" />\n'
        if story.updated
        else ""
    )
    return (
        "<!-- This site is optimized with the Yoast SEO plugin v22.6 - "
        "https://yoast.com/wordpress/plugins/seo/ -->\n"
        f'<link rel="canonical" href="{url}" />\n'
        '<meta property="og:locale" content="de_DE" />\n'
        '<meta property="og:type" content="article" />\n'
        f'<meta property="og:title" content="{esc(story.title)} - {esc(site.name)}" />\n'
        f'<meta property="og:description" content="{esc(summary)}" />\n'
        f'<meta property="og:url" content="{url}" />\n'
        f'<meta property="og:site_name" content="{esc(site.name)}" />\n'
        f'<meta property="article:published_time" content="{iso_utc(story.published)}" />\n'
        f"{modified_meta}"
        f'<meta name="author" content="{esc(story.author or "Redaktion")}" />\n'
        f'<script type="application/ld+json" class="yoast-schema-graph">{ld}</script>\n'
        "<!-- / Yoast SEO plugin. -->\n"
    )
