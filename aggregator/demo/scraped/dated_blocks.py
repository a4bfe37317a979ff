"""Pattern (d): a hand-made home page of "TT.MM.JJJJ | TITEL" blocks (as the Stadtforum Leipzig's).

No wrapping element per item: a bold heading line, one or two paragraphs, an `<hr>`; some blocks
end in a relative "mehr" link, some have none. Article pages give the date only in the text
("Freiberg, 24.11.2025"), one also an event date that is not its date.
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
    served,
)
from aggregator.demo.stories import Story

DATA = "stadtforum-freiberg"  # the data file under aggregator/demo/data/

SITE = DemoSite(
    "freiberg-stadtforum",
    "Stadtforum Freiberg",
    "Freiberg",
    "/freiberg/",
    ScrapeAt("/freiberg/"),
    "handgemachte Startseite mit Blöcken „TT.MM.JJJJ | TITEL“, teils mit „mehr“-Link, teils "
    "ohne; Beitragsseiten nennen das Datum nur im Text, eine auch einen Veranstaltungstermin",
    "Bürgerinnen und Bürger für die Bergstadt Freiberg",
)


def _article_path(story: Story) -> str:
    return f"{SITE.prefix}aktuelles/{story.slug}.html"


def listing(stories: Sequence[Story]) -> list[Listed]:
    path = SITE.registered.path
    return [
        Listed(s, s.title, path, _article_path(s) if s.linked else None, False)
        for s in by_date(stories)
    ]


def render(listed: Sequence[Listed], base: str) -> dict[str, Route]:
    site = SITE

    def page(title: str, main: str) -> bytes:
        return f"""<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<title>{esc(title)}</title>
<meta name="description" content="{esc(site.tagline)}">
</head>
<body>
<div id="rahmen">
<div id="kopf">
<p class="logo"><a href="{site.prefix}">{esc(site.name)}</a></p>
<p class="motto">{esc(site.tagline)}</p>
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
        texts = [esc(p) for p in paragraphs]
        if item.article is not None:
            relative = item.article.removeprefix(site.prefix)
            texts[-1] += f' <a href="{relative}">mehr</a>'
        blocks.append(
            f'<p class="ueberschrift"><strong>{dmy(story.published)} | '
            f"{esc(item.title)}</strong></p>\n" + "\n".join(f"<p>{text}</p>" for text in texts)
        )
    main = "<h1>Aktuelles</h1>\n" + "\n<hr>\n".join(blocks)
    routes: dict[str, Route] = {site.prefix: served(page(site.name, main))}
    for item in listed:
        if item.article is None:
            continue
        story = item.story
        main = (
            f"<h1>{esc(item.title)}</h1>\n<p>Freiberg, {dmy(story.published)}</p>\n"
            f'{story.body}\n<p><a href="../">zurück zur Startseite</a></p>'
        )
        routes[item.article] = served(page(f"{item.title} – {site.name}", main))
    return routes
