"""Pattern (b): a TYPO3 news list (tx_news) without a feed.

`.news-list-view .article.news-list-item` blocks with `h3 a`, `.teaser-text` and
`.news-list-date time`; detail pages with `og:` meta and `article:published_time`.
"""

from __future__ import annotations

from collections.abc import Sequence

from aggregator.demo.demosite import DemoSite, ScrapeAt
from aggregator.demo.httpserver import Route
from aggregator.demo.scraped.common import (
    SAMPLE_NOTE,
    Listed,
    by_date,
    dmy,
    esc,
    iso_local,
    paragraphs,
    served,
)
from aggregator.demo.stories import Story

DATA = "entwicklungsforum-dresden"  # the data file under aggregator/demo/data/

SITE = DemoSite(
    "dresden-entwicklungsforum",
    "Entwicklungsforum Dresden e. V.",
    "Dresden",
    "/entwicklungsforum/",
    ScrapeAt("/entwicklungsforum/aktuelles"),
    "TYPO3-Nachrichtenliste (tx_news) ohne Feed; Detailseiten mit og:- und "
    "article:published_time-Angaben",
    "Bürgerschaftliches Forum für Stadtentwicklung und Baukultur in Dresden",
)


def _article_path(story: Story) -> str:
    return f"{SITE.registered.path}/detail/{story.slug}"


def listing(stories: Sequence[Story]) -> list[Listed]:
    path = SITE.registered.path
    return [Listed(s, s.title, path, _article_path(s), True) for s in by_date(stories)]


def render(listed: Sequence[Listed], base: str) -> dict[str, Route]:
    site = SITE
    list_path = site.registered.path

    def page(title: str, page_id: int, main: str, head: str = "") -> bytes:
        current = ' class="nav-item active"' if page_id == 12 else ' class="nav-item"'
        return f"""<!DOCTYPE html>
<html lang="de">
<head>

<meta charset="utf-8">
<!--
	This website is powered by TYPO3 - inspiring people to share!
	TYPO3 is a free open source Content Management Framework initially created by Kasper Skaarhoj
	and licensed under GNU/GPL.
	Information and contribution at https://typo3.org/
-->

<title>{esc(title)}</title>
<meta name="generator" content="TYPO3 CMS">
<meta name="viewport" content="width=device-width, initial-scale=1">
{head}</head>
<body id="p{page_id}"
 class="page-{page_id} pagelevel-1 language-0 backendlayout-default layout-default">
<div id="top"></div>
<div class="body-bg">
<header class="navbar navbar-mainnavigation">
<a class="navbar-brand" href="{site.prefix}" title="{esc(site.name)}">{esc(site.name)}</a>
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
<h3><a title="{esc(item.title)}" href="{link}">
<span itemprop="headline">{esc(item.title)}</span></a></h3>
</div>
<div class="teaser-text">
<div itemprop="description">{paragraphs(story.teaser)}</div>
<a class="more" title="{esc(item.title)}" href="{link}">Weiterlesen</a>
</div>
<div class="footer">
<p>
<span class="news-list-date"><time itemprop="datePublished"
 datetime="{iso_local(story.published)}">{dmy(story.published)}</time></span>
<span class="news-list-category">{esc(category)}</span>
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
    routes: dict[str, Route] = {list_path: served(page(f"Aktuelles: {site.name}", 12, main))}

    for item in listed:
        story, url = item.story, base + (item.article or "")
        summary = " ".join(" ".join(story.teaser).split())
        head = (
            f'<meta name="description" content="{esc(summary)}">\n'
            f'<meta property="og:title" content="{esc(story.title)}">\n'
            '<meta property="og:type" content="article">\n'
            f'<meta property="og:url" content="{url}">\n'
            f'<meta property="og:description" content="{esc(summary)}">\n'
            f'<meta property="og:site_name" content="{esc(site.name)}">\n'
            f'<meta property="article:published_time" content="{iso_local(story.published)}">\n'
            f'<link rel="canonical" href="{url}">\n'
        )
        main = f"""<div id="c58" class="frame frame-default frame-type-news_pi1 frame-layout-0">
<div class="news news-single">
<div class="article" itemscope="itemscope" itemtype="http://schema.org/Article">
<div class="header"><h1 itemprop="headline">{esc(story.title)}</h1></div>
<div class="footer"><p><span class="news-list-date"><time itemprop="datePublished"
 datetime="{iso_local(story.published)}">{dmy(story.published)}</time></span></p></div>
<div class="teaser-text" itemprop="description">{paragraphs(story.teaser)}</div>
<div class="news-text-wrap" itemprop="articleBody">
{story.body}
</div>
<div class="news-backlink-wrap"><a href="{list_path}">Zurück</a></div>
</div>
</div>
</div>"""
        routes[item.article or ""] = served(page(f"{story.title}: {site.name}", 13, main, head))

    home = (
        '<div id="c12" class="frame frame-default frame-type-text frame-layout-0">\n'
        f'<header><h1 class="element-header">{esc(site.name)}</h1></header>\n'
        "<p>Das Entwicklungsforum ist ein offener Verein von Bürgerinnen und Bürgern, "
        "Planerinnen und Architekten. Wir begleiten die Stadtentwicklung Dresdens mit "
        "Werkstattgesprächen, Stellungnahmen und Ausstellungen.</p>\n"
        f'<p><a href="{list_path}">Alle Meldungen</a></p>\n</div>'
    )
    routes[site.prefix] = served(page(f"Start: {site.name}", 1, home))
    return routes
