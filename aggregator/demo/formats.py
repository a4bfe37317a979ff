"""Feed writers for the demo sites: RSS 2.0, Atom 1.0, RSS 1.0 (RDF) and JSON Feed 1.1.

Written by hand on purpose (not with feedgen): the demo must reproduce what small member sites
really serve — WordPress's CDATA blocks, `dc:creator`, dates without a zone — which a correct
feed library would never produce. Pure: values in, bytes out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape, unescape
from typing import Literal
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")

DateStyle = Literal["utc", "berlin", "naive"]

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class FeedMeta:
    title: str
    home_url: str
    feed_url: str  # absolute: the self link
    description: str
    updated: datetime  # aware
    author: str
    language: str = "de-DE"


@dataclass(frozen=True, slots=True)
class FeedItem:
    id: str
    url: str
    title: str
    content_html: str
    summary: str  # plain text
    published: datetime  # aware
    updated: datetime | None = None
    author: str | None = None
    categories: tuple[str, ...] = ()
    id_is_permalink: bool = False
    text_only: bool = False  # JSON Feed: carry `content_text` instead of `content_html`


def plain_text(html: str, limit: int | None = None) -> str:
    """The visible text of our own sample HTML (scripts dropped), optionally cut at a word."""
    text = re.sub(r"<script\b.*?</script>", " ", html, flags=re.DOTALL | re.IGNORECASE)
    text = unescape(re.sub(r"<[^>]+>", " ", text))
    text = " ".join(text.split())
    if limit is not None and len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " […]"
    return text


def rfc822(moment: datetime, style: DateStyle = "utc") -> str:
    """An RSS date: '+0000' (WordPress), Berlin offset, or — as broken sites do — no zone."""
    local = moment.astimezone(UTC if style == "utc" else BERLIN)
    text = (
        f"{_DAYS[local.weekday()]}, {local.day:02d} {_MONTHS[local.month - 1]} {local.year} "
        f"{local:%H:%M:%S}"
    )
    return text if style == "naive" else f"{text} {local:%z}"


def rfc3339(moment: datetime, *, zulu: bool = False) -> str:
    if zulu:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.astimezone(BERLIN).isoformat(timespec="seconds")


def _x(text: str) -> str:
    return escape(text, quote=True)


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def rss2(
    meta: FeedMeta,
    items: Sequence[FeedItem],
    *,
    wordpress: bool = True,
    dates: DateStyle = "utc",
    ttl: int | None = None,
) -> bytes:
    """RSS 2.0. `wordpress`: content:encoded + dc:creator + CDATA, as WordPress writes it;
    otherwise a hand-made feed with the escaped HTML in <description>."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom"'
        ' xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">',
        "<channel>",
        f"\t<title>{_x(meta.title)}</title>",
        f'\t<atom:link href="{_x(meta.feed_url)}" rel="self" type="application/rss+xml" />',
        f"\t<link>{_x(meta.home_url)}</link>",
        f"\t<description>{_x(meta.description)}</description>",
        f"\t<lastBuildDate>{rfc822(meta.updated, dates)}</lastBuildDate>",
        f"\t<language>{meta.language}</language>",
    ]
    if ttl is not None:
        out.append(f"\t<ttl>{ttl}</ttl>")
    if wordpress:
        out += [
            "\t<sy:updatePeriod>hourly</sy:updatePeriod>",
            "\t<sy:updateFrequency>1</sy:updateFrequency>",
            "\t<generator>https://wordpress.org/?v=6.5.2</generator>",
        ]
    for item in items:
        permalink = "true" if item.id_is_permalink else "false"
        out += [
            "\t<item>",
            f"\t\t<title>{_x(item.title)}</title>",
            f"\t\t<link>{_x(item.url)}</link>",
        ]
        if wordpress and item.author:
            out.append(f"\t\t<dc:creator>{_cdata(item.author)}</dc:creator>")
        out.append(f"\t\t<pubDate>{rfc822(item.published, dates)}</pubDate>")
        out += [f"\t\t<category>{_cdata(c)}</category>" for c in item.categories]
        out.append(f'\t\t<guid isPermaLink="{permalink}">{_x(item.id)}</guid>')
        if wordpress:
            out += [
                f"\t\t<description>{_cdata(item.summary)}</description>",
                f"\t\t<content:encoded>{_cdata(item.content_html)}</content:encoded>",
            ]
        else:
            out.append(f"\t\t<description>{_x(item.content_html)}</description>")
        out.append("\t</item>")
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out).encode()


def atom(meta: FeedMeta, items: Sequence[FeedItem]) -> bytes:
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{meta.language[:2]}">',
        f"  <title>{_x(meta.title)}</title>",
        f"  <subtitle>{_x(meta.description)}</subtitle>",
        f'  <link rel="self" type="application/atom+xml" href="{_x(meta.feed_url)}"/>',
        f'  <link rel="alternate" type="text/html" href="{_x(meta.home_url)}"/>',
        f"  <id>{_x(meta.home_url)}</id>",
        f"  <updated>{rfc3339(meta.updated)}</updated>",
        f"  <author><name>{_x(meta.author)}</name></author>",
    ]
    for item in items:
        out += [
            "  <entry>",
            f"    <title>{_x(item.title)}</title>",
            f'    <link rel="alternate" type="text/html" href="{_x(item.url)}"/>',
            f"    <id>{_x(item.id)}</id>",
            f"    <published>{rfc3339(item.published)}</published>",
            f"    <updated>{rfc3339(item.updated or item.published)}</updated>",
        ]
        if item.author:
            out.append(f"    <author><name>{_x(item.author)}</name></author>")
        out += [f'    <category term="{_x(c)}"/>' for c in item.categories]
        out += [
            f'    <summary type="text">{_x(item.summary)}</summary>',
            f'    <content type="html">{_x(item.content_html)}</content>',
            "  </entry>",
        ]
    out += ["</feed>", ""]
    return "\n".join(out).encode()


def rdf(meta: FeedMeta, items: Sequence[FeedItem]) -> bytes:
    """RSS 1.0: items listed in the channel's rdf:Seq, dates as dc:date."""
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">',
        f'  <channel rdf:about="{_x(meta.feed_url)}">',
        f"    <title>{_x(meta.title)}</title>",
        f"    <link>{_x(meta.home_url)}</link>",
        f"    <description>{_x(meta.description)}</description>",
        f"    <dc:language>{meta.language[:2]}</dc:language>",
        f"    <dc:date>{rfc3339(meta.updated, zulu=True)}</dc:date>",
        "    <items>",
        "      <rdf:Seq>",
        *(f'        <rdf:li rdf:resource="{_x(item.url)}"/>' for item in items),
        "      </rdf:Seq>",
        "    </items>",
        "  </channel>",
    ]
    for item in items:
        out += [
            f'  <item rdf:about="{_x(item.url)}">',
            f"    <title>{_x(item.title)}</title>",
            f"    <link>{_x(item.url)}</link>",
            f"    <description>{_x(item.content_html)}</description>",
            f"    <dc:date>{rfc3339(item.published, zulu=True)}</dc:date>",
        ]
        if item.author:
            out.append(f"    <dc:creator>{_x(item.author)}</dc:creator>")
        out += [f"    <dc:subject>{_x(c)}</dc:subject>" for c in item.categories]
        out.append("  </item>")
    out += ["</rdf:RDF>", ""]
    return "\n".join(out).encode()


def json_feed(meta: FeedMeta, items: Sequence[FeedItem]) -> bytes:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    entries: list[dict[str, object]] = []
    for item in items:
        entry: dict[str, object] = {"id": item.id, "url": item.url, "title": item.title}
        if item.text_only:
            entry["content_text"] = plain_text(item.content_html)
        else:
            entry["content_html"] = item.content_html
            entry["summary"] = item.summary
        entry["date_published"] = rfc3339(item.published)
        if item.updated:
            entry["date_modified"] = rfc3339(item.updated)
        if item.author:
            entry["authors"] = [{"name": item.author}]
        if item.categories:
            entry["tags"] = list(item.categories)
        entry["language"] = meta.language
        entries.append(entry)
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": meta.title,
        "home_page_url": meta.home_url,
        "feed_url": meta.feed_url,
        "description": meta.description,
        "language": meta.language,
        "authors": [{"name": meta.author}],
        "items": entries,
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()
