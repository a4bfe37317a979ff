"""Pattern (e): an old static page of "21. DEZEMBER 2015 // Titel" blocks separated by "+++".

One table column, `<font>` tags, umlauts and typographic quotes as named HTML entities.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aggregator.demo.content import MONTHS
from aggregator.demo.demosite import DemoSite, ScrapeAt
from aggregator.demo.httpserver import Route
from aggregator.demo.scraped.common import (
    SAMPLE_NOTE,
    Listed,
    by_date,
    esc,
    local,
    served,
)
from aggregator.demo.stories import Story

DATA = "ig-altes-magdeburg"  # the data file under aggregator/demo/data/

SITE = DemoSite(
    "magdeburg-altes-magdeburg",
    "IG Altes Magdeburg",
    "Magdeburg",
    "/magdeburg/",
    ScrapeAt("/magdeburg/home.htm"),
    "alte statische Seite: „21. DEZEMBER 2015 // Titel“, Blöcke durch „+++“ getrennt, "
    "Umlaute als HTML-Entitäten",
    "Interessengemeinschaft für das historische Magdeburg",
)


def _article_path(story: Story) -> str:
    return f"{SITE.prefix}aktuell/{story.slug}.htm"


def listing(stories: Sequence[Story]) -> list[Listed]:
    path = SITE.registered.path
    return [
        Listed(s, s.title, path, _article_path(s) if s.linked else None, False)
        for s in by_date(stories)
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
    day = local(moment)
    return f"{day.day}. {MONTHS[day.month - 1].upper()} {day.year}"


def render(listed: Sequence[Listed], base: str) -> dict[str, Route]:
    site = SITE
    news = site.registered.path

    def page(title: str, column: str, home: str) -> bytes:
        html = f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html lang="de">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{esc(title)}</title>
</head>
<body bgcolor="#FFFFF0" text="#000000" link="#800000" vlink="#800000">
<table width="760" border="0" cellpadding="0" cellspacing="0" align="center">
<tr><td colspan="2" bgcolor="#800000">
<font face="Georgia, Times" size="6" color="#FFFFF0">{esc(site.name)}</font></td></tr>
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
        teaser = "<br>\n".join(esc(" ".join(p.split())) for p in story.teaser)
        more = ""
        if item.article is not None:
            more = f' <a href="{item.article.removeprefix(site.prefix)}">mehr...</a>'
        blocks.append(
            f'<p><font face="Verdana, Arial" size="2"><b>{_caps_date(story.published)} // '
            f"{esc(item.title)}</b><br>\n{teaser}{more}</font></p>"
        )
    separator = '\n<p align="center"><font face="Verdana, Arial" size="2">+++</font></p>\n'
    routes: dict[str, Route] = {
        news: served(page(f"{site.name} - Aktuelles", separator.join(blocks), "home.htm"))
    }
    for item in listed:
        if item.article is None:
            continue
        story = item.story
        column = (
            f'<p><font face="Verdana, Arial" size="2"><b>{_caps_date(story.published)} // '
            f"{esc(item.title)}</b></font></p>\n{story.body}\n"
            '<p><font face="Verdana, Arial" size="2">'
            '<a href="../home.htm">zur&uuml;ck</a></font></p>'
        )
        routes[item.article] = served(page(f"{site.name} - {story.title}", column, "../home.htm"))
    welcome = (
        '<p><font face="Verdana, Arial" size="3">Herzlich willkommen bei der IG Altes Magdeburg!'
        '</font></p>\n<p><font face="Verdana, Arial" size="2">Wir setzen uns seit vielen '
        "Jahren für die Reste der historischen Altstadt ein.</font></p>\n"
        '<p><font face="Verdana, Arial" size="2"><a href="home.htm">weiter zu den '
        "Neuigkeiten</a></font></p>"
    )
    routes[site.prefix] = served(page(site.name, welcome, "home.htm"))
    return routes
