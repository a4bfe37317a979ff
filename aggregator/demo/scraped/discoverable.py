"""Pattern (g): a site whose feed lives at an odd path and is named only by its home page's
`<link rel="alternate">`, after a comment feed that discovery must skip.
"""

from __future__ import annotations

from collections.abc import Sequence

from aggregator.demo.content import Calendar
from aggregator.demo.demosite import DemoSite, FeedAt
from aggregator.demo.formats import FeedItem, FeedMeta, rss2
from aggregator.demo.httpserver import Route
from aggregator.demo.scraped.common import (
    SAMPLE_NOTE,
    by_date,
    dmy,
    esc,
    iso_local,
    paragraphs,
    served,
)
from aggregator.demo.stories import Story, load_stories

SITE = DemoSite(
    "denkmalnetz-sachsen",
    "Denkmalnetz Sachsen",
    None,
    "/denkmalnetz/",
    FeedAt("/denkmalnetz/x/aktuelles/nachrichten.rss"),
    'Feed an ungewöhnlicher Adresse, nur über <link rel="alternate"> der Startseite zu '
    "finden (vor ihm steht dort ein Kommentar-Feed)",
    "Vereine und Initiativen für die Denkmale Sachsens",
)

COMMENT_FEED_PATH = "/denkmalnetz/x/aktuelles/kommentare.rss"


def routes(calendar: Calendar, base: str) -> dict[str, Route]:
    site = SITE
    feed_path = site.feed_path
    stories = by_date(load_stories("denkmalnetz-sachsen", calendar))
    comments = by_date(load_stories("denkmalnetz-kommentare", calendar))
    home = base + site.prefix

    def article_path(story: Story) -> str:
        return f"{site.prefix}aktuelles/{story.slug}.html"

    def alternate(title: str, href: str) -> str:
        return (
            f'<link rel="alternate" type="application/rss+xml" title="{esc(title)}" href="{href}">'
        )

    def page(title: str, main: str, head: str = "") -> bytes:
        return f"""<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<title>{esc(title)}</title>
{alternate(f"{site.name} » Kommentar-Feed", base + COMMENT_FEED_PATH)}
{alternate(f"{site.name} » Nachrichten", base + feed_path)}
{head}</head>
<body>
<header><p class="site-title"><a href="{site.prefix}">{esc(site.name)}</a></p>
<p class="tagline">{esc(site.tagline)}</p></header>
<main>
{main}
</main>
<footer><p>{SAMPLE_NOTE}</p></footer>
</body>
</html>
""".encode()

    blocks = "\n".join(
        f'<div class="meldung">\n<h3><a href="{article_path(s)}">{esc(s.title)}</a></h3>\n'
        f'<p class="datum">{dmy(s.published)}</p>\n{paragraphs(s.teaser)}\n</div>'
        for s in stories
    )
    routes: dict[str, Route] = {
        site.prefix: served(
            page(site.name, f"<h1>{esc(site.name)}</h1>\n<h2>Nachrichten</h2>\n{blocks}")
        )
    }
    for story in stories:
        main = (
            f'<article class="meldung">\n<h1>{esc(story.title)}</h1>\n<p class="datum">'
            f'<time datetime="{iso_local(story.published)}">{dmy(story.published)}</time></p>\n'
            f"{story.body}\n</article>"
        )
        routes[article_path(story)] = served(page(f"{story.title} – {site.name}", main))

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
        meta(f"{site.name} – Kommentare", COMMENT_FEED_PATH, comments),
        comment_items,
        wordpress=False,
    )
    rss = "application/rss+xml; charset=utf-8"
    routes[feed_path] = served(news, rss)
    routes[COMMENT_FEED_PATH] = served(comment_feed, rss)
    return routes
