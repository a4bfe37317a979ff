"""Pattern (c): a Jimdo blog: `.blogselection .j-blogarticle` with `.j-blog-headline` and a
`time.datetime` that carries the day only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aggregator.demo.demosite import DemoSite, ScrapeAt
from aggregator.demo.httpserver import Route
from aggregator.demo.scraped.common import (
    DAYS_SHORT,
    MONTHS_SHORT,
    SAMPLE_NOTE,
    Listed,
    by_date,
    esc,
    local,
    paragraphs,
    served,
)
from aggregator.demo.stories import Story

DATA = "freiraum-zittau"  # the data file under aggregator/demo/data/

SITE = DemoSite(
    "zittau-freiraum",
    "FreiRaum Zittau",
    "Zittau",
    "/freiraum/",
    ScrapeAt("/freiraum/blog/"),
    "Jimdo-Blog (.j-blogarticle), Datum ohne Uhrzeit",
    "Raum für Ideen in der Zittauer Innenstadt",
)


def _article_path(story: Story) -> str:
    return f"{SITE.prefix}{local(story.published):%Y/%m/%d}/{story.slug}/"


def listing(stories: Sequence[Story]) -> list[Listed]:
    path = SITE.registered.path
    return [Listed(s, s.title, path, _article_path(s), False) for s in by_date(stories)]


def _jimdo_date(moment: datetime) -> str:
    day = local(moment)
    return (
        f'<time class="datetime" datetime="{day:%Y-%m-%d}"><span class="day-word">'
        f'{DAYS_SHORT[day.weekday()]}</span> <span class="day">{day.day:02d}</span> '
        f'<span class="mon">{MONTHS_SHORT[day.month - 1]}</span> '
        f'<span class="yr">{day.year}</span></time>'
    )


def render(listed: Sequence[Listed], base: str) -> dict[str, Route]:
    site = SITE
    blog = site.registered.path

    def page(
        title: str, page_class: str, main: str, current: str, og_type: str = "website"
    ) -> bytes:
        def nav_item(path: str, label: str) -> str:
            if path == current:
                return (
                    '<li class="jmd-nav__list-item-0 cc-nav-current j-nav-current '
                    f'jmd-nav__item--current"><a href="{path}" class="cc-nav-current '
                    f'j-nav-current jmd-nav__link--current" data-link-title="{label}">'
                    f"{label}</a></li>"
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
<title>{esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<meta name="robots" content="index, follow, archive"/>
<meta property="og:title" content="{esc(title)}"/>
<meta property="og:type" content="{og_type}"/>
</head>
<body class="body cc-page {page_class} j-m-blogSelection-styles j-m-text-styles
 cc-pagemode-default cc-content-parent">
<div id="cc-website">
<div id="cc-inner" class="cc-content-parent">
<header class="jtpl-header">
<div class="jtpl-title"><a href="{site.prefix}">{esc(site.name)}</a></div>
</header>
<nav id="cc-nav" class="j-nav"><ul class="cc-nav-level-0 j-nav-level-0">
{nav_item(site.prefix, "Start")}
{nav_item(blog, "Blog")}
</ul></nav>
<div id="content_area" data-container="content">
<div id="content_start"></div>
{main}
</div>
<div id="contentfooter" data-container="footer">
<div class="j-meta-links"><p>{SAMPLE_NOTE}</p></div>
</div>
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
<a href="{link}" class="j-blog-header"><h2 class="j-blog-headline">{esc(item.title)}</h2></a>
{_jimdo_date(story.published)}
<div id="cc-matrix-25025{number:02d}"><div id="cc-m-94976{number:02d}" class="j-module n j-text">
{paragraphs(story.teaser)}
</div></div>
<a class="blogreadmore" href="{link}">Mehr lesen</a>
</div>"""
        )
    main = (
        '<div id="cc-matrix-2501" class="j-module n j-blogSelection">\n'
        '<div class="blogselection">\n' + "\n".join(articles) + "\n</div>\n</div>"
    )
    routes: dict[str, Route] = {
        blog: served(page(f"Blog - {site.name}", "cc-page-blog", main, blog))
    }
    for number, item in enumerate(listed):
        story, link = item.story, item.article or ""
        main = f"""<div class="n j-blog-meta j-blog-post--header">
<div class="j-text j-module n">
<a href="{link}" class="j-blog-header">
<h1 class="j-blog-headline j-blog-post--headline">{esc(story.title)}</h1></a>
<span class="j-text j-blog-post--date">{_jimdo_date(story.published)}</span>
</div>
</div>
<div class="post j-blog-content">
<div id="cc-matrix-26025{number:02d}"><div id="cc-m-95976{number:02d}" class="j-module n j-text">
{story.body}
</div></div>
</div>"""
        routes[link] = served(
            page(f"{story.title} - {site.name}", "cc-page-blog-post", main, blog, "article")
        )
    home = (
        '<div id="cc-matrix-2400"><div id="cc-m-9400" class="j-module n j-text">\n'
        f"<h1>{esc(site.name)}</h1>\n"
        "<p>Wir beleben leere Läden und Häuser in der Zittauer Innenstadt: mit Werkstätten, "
        "Ausstellungen, Kino und allem, was Menschen zusammenbringt.</p>\n"
        f'<p><a href="{blog}">Neues aus dem FreiRaum</a></p>\n</div></div>'
    )
    routes[site.prefix] = served(page(site.name, "cc-page-index", home, site.prefix))
    return routes
