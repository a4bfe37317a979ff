"""Pattern (f): a DokuWiki chronicle (`doku.php?id=chronik`).

`div.dokuwiki`, sections with headings, each a table whose rows are "TT.MM.JJJJ | text with
links", oldest first. Linked rows have a wiki page of their own that names only its last change
("Zuletzt geändert: …"), an update date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from urllib.parse import parse_qs

from aggregator.demo.demosite import DemoSite, ScrapeAt
from aggregator.demo.httpserver import Request, Response, Route, conditional
from aggregator.demo.scraped.common import (
    SAMPLE_NOTE,
    Listed,
    dmy,
    esc,
    local,
    slug,
    tagged,
)
from aggregator.demo.stories import Story

DATA = "schiesshaus-chronik"  # the data file under aggregator/demo/data/

SITE = DemoSite(
    "weimar-schiesshaus-chronik",
    "BI „Rettet das Schießhausgelände jetzt!“ – Chronik",
    "Weimar",
    "/weimar-wiki/",
    ScrapeAt("/weimar-wiki/doku.php?id=chronik"),
    "DokuWiki-Chronik: Tabellen „TT.MM.JJJJ | Text mit Links“ unter Abschnittsüberschriften, "
    "älteste zuerst; Unterseiten nennen nur ihr Änderungsdatum",
    "Wiki der Bürgerinitiative für den Erhalt des Schießhausgeländes",
)


_WIKI_LINK = re.compile(r"\[\[([^\]]+)\]\]")
_DOKU = SITE.prefix + "doku.php"


def _wiki_page(story: Story) -> str:
    return f"chronik:{story.slug}"


def listing(stories: Sequence[Story]) -> list[Listed]:
    """The chronicle's rows: by section in order of first appearance, each oldest first."""
    sections: dict[str, list[Story]] = {}
    for story in stories:
        if story.section is None:
            raise ValueError(f"chronicle row {story.slug} names no section")
        if story.linked != bool(_WIKI_LINK.search(story.title)):
            raise ValueError(f"chronicle row {story.slug}: [[…]] in the title iff linked")
        sections.setdefault(story.section, []).append(story)
    path = SITE.registered.path
    return [
        Listed(
            s,
            _WIKI_LINK.sub(r"\1", s.title),
            path,
            f"{_DOKU}?id={_wiki_page(s)}" if s.linked else None,
            False,
        )
        for rows in sections.values()
        for s in sorted(rows, key=lambda story: story.published)
    ]


def render(listed: Sequence[Listed], base: str) -> dict[str, Route]:
    site = SITE
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
<p class="claim">{esc(site.tagline)}</p>
</div>
<div class="breadcrumbs"><div class="youarehere">
<span class="bchead">Sie befinden sich hier: </span>
<span class="home"><bdi>{link("start", "start")}</bdi></span> » <bdi><span class="curid">
{link(page_id, page_id)}</span></bdi></div></div>
</div></div>
<div class="wrapper group">
<div id="dokuwiki__content"><div class="pad group">
<div class="pageId"><span>{page_id}</span></div>
<div class="page group">
<!-- wikipage start -->
{content}
<!-- wikipage stop -->
</div>
<div class="docInfo"><bdi>{page_id.replace(":", "/")}.txt</bdi> ·
Zuletzt geändert: {local(changed):%Y/%m/%d %H:%M} von <bdi>bi-redaktion</bdi></div>
</div></div>
</div>
<div id="dokuwiki__footer"><div class="pad"><p>{SAMPLE_NOTE}</p></div></div>
</div></div>
</body>
</html>
""".encode()
        return tagged(body, status=status)

    def cell(story: Story) -> str:
        text = esc(" ".join(story.title.split()))
        return _WIKI_LINK.sub(lambda m: link(_wiki_page(story), m.group(1)), text)

    last_change = max((i.story.updated or i.story.published) for i in listed)
    parts = [
        '<h1 class="sectionedit1" id="chronik">Chronik</h1>\n<div class="level1">\n'
        "<p>Was bisher geschah: die wichtigsten Ereignisse rund um das Schießhausgelände, "
        "älteste zuerst.</p>\n</div>"
    ]
    sections: dict[str, list[Listed]] = {}
    for item in listed:
        sections.setdefault(item.story.section or "", []).append(item)
    edit = 2
    for title, items in sections.items():
        anchor = slug(title).replace("-", "_")
        rows = "\n".join(
            f'<tr class="row{n}"><td class="col0">{dmy(i.story.published)}</td>'
            f'<td class="col1">{cell(i.story)}</td></tr>'
            for n, i in enumerate(items, start=1)
        )
        parts.append(
            f'<h2 class="sectionedit{edit}" id="{anchor}">{esc(title)}</h2>\n<div class="level2">\n'
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
            f'<h1 class="sectionedit1" id="{story.slug}">{esc(heading)}</h1>\n'
            f'<div class="level1">\n{story.body}\n'
            f"<p>Zurück zur {link('chronik', 'Chronik')}</p>\n</div>"
        )
        pages[_wiki_page(story)] = page(
            _wiki_page(story), content, story.updated or story.published
        )
    start = (
        '<h1 class="sectionedit1" id="rettet_das_schiesshausgelaende_jetzt">Rettet das '
        'Schießhausgelände jetzt!</h1>\n<div class="level1">\n<p>Die Bürgerinitiative setzt '
        "sich dafür ein, dass das Schießhausgelände in Weimar ein öffentlicher Park bleibt.</p>\n"
        f"<p>Alles Wichtige steht in unserer {link('chronik', 'Chronik')}.</p>\n</div>"
    )
    pages["start"] = page("start", start, last_change)
    missing = page(
        "fehlt",
        '<h1 class="sectionedit1" id="diese_seite_existiert_noch_nicht">Diese Seite existiert '
        'noch nicht</h1>\n<div class="level1"><p>Sie sind einem Link zu einer Seite gefolgt, '
        "die noch nicht existiert.</p></div>",
        last_change,
        status=404,
    )

    def serve(request: Request) -> Response:
        page_id = parse_qs(request.query).get("id", ["start"])[0]
        found = pages.get(page_id)
        return missing if found is None else conditional(found, request)

    return {site.prefix: partial(conditional, pages["start"]), _DOKU: serve}
