"""The weekly digest on the public site: one page per approved issue, the archive, an Atom feed.

    digest/2026-W48.html     one issue (a stable URL)
    digest/index.html        the archive, newest issue first (always there: the nav links it)
    digest/feed.xml          Atom, one entry per approved issue with its full content

Pure: digests in, (path, content) pairs out. Only approved digests are published; a draft handed
in by mistake is left out. `issue_view` is also what the mail renders (`digest_mail.py`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from feedgen.feed import FeedGenerator
from jinja2 import Environment

from aggregator import CONTACT_URL, NETWORK_NAME, __version__
from aggregator.model import Digest, DigestEntry
from aggregator.normalize import clean_text
from aggregator.publish.feeds import ATOM_TYPE, GENERATOR
from aggregator.publish.german import german_date, iso_berlin, slugify
from aggregator.templating import environment
from aggregator.urls import is_http_url
from aggregator.weekly import parse_week, sections, week_label

DIGEST_NAME = "Stadtforen-Wochenschau"
ARCHIVE_HEADING = "Wochenschau"
ARCHIVE_DESCRIPTION = (
    "Die wichtigsten Meldungen der Stadtforen einer Woche, von der Redaktion ausgewählt."
)
FOLDER = "digest/"
_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, CONTACT_URL + "#wochenschau")

Output = tuple[str, str | bytes]


@dataclass(frozen=True, slots=True)
class EntryView:
    headline: str
    url: str | None  # None when not http(s): the headline is then no link
    text: str
    forums: str  # "Stadtforum Leipzig, Stadtforum Dresden"
    cities: str


@dataclass(frozen=True, slots=True)
class SectionView:
    heading: str
    anchor: str  # id of the heading, unique within the issue
    entries: tuple[EntryView, ...]


@dataclass(frozen=True, slots=True)
class IssueView:
    """What a page, the feed and the mail show of one digest; plain text, escaped by templates."""

    week: str
    path: str  # "2026-W48.html", relative to digest/
    title: str  # "Stadtforen-Wochenschau KW 48/2026"
    label: str  # "KW 48/2026"
    period: str  # "23. November 2026 bis 29. November 2026"
    intro: tuple[str, ...]  # paragraphs
    sections: tuple[SectionView, ...]
    count: int  # entries shown
    published_iso: str | None
    published_text: str | None


def issue_title(week: str) -> str:
    number, year = week_label(week)
    return f"{DIGEST_NAME} KW {number}/{year}"


def issue_view(digest: Digest, topic_labels: Mapping[str, str]) -> IssueView:
    """The view of `digest`: included entries only, grouped as the digest says."""
    number, year = week_label(digest.week)
    start, end = parse_week(digest.week)
    shown = []
    used: set[str] = set()
    for section in sections(digest, topic_labels):
        anchor = _anchor(section.heading, used)
        shown.append(
            SectionView(
                heading=clean_text(section.heading),
                anchor=anchor,
                entries=tuple(_entry_view(e) for e in section.entries),
            )
        )
    paragraphs = [clean_text(p.strip()) for p in digest.intro.replace("\r\n", "\n").split("\n\n")]
    return IssueView(
        week=digest.week,
        path=f"{digest.week}.html",
        title=issue_title(digest.week),
        label=f"KW {number}/{year}",
        period=f"{german_date(start)} bis {german_date(end - timedelta(days=1))}",
        intro=tuple(p for p in paragraphs if p),
        sections=tuple(shown),
        count=sum(len(s.entries) for s in shown),
        published_iso=iso_berlin(digest.approved_at) if digest.approved_at else None,
        published_text=german_date(digest.approved_at) if digest.approved_at else None,
    )


def _entry_view(entry: DigestEntry) -> EntryView:
    return EntryView(
        headline=clean_text(entry.headline),
        url=clean_text(entry.url) if is_http_url(entry.url) else None,
        text=clean_text(entry.text),
        forums=clean_text(", ".join(entry.sources)),
        cities=clean_text(", ".join(entry.cities)),
    )


def _anchor(heading: str, used: set[str]) -> str:
    base = "thema-" + (slugify(heading) or "weiteres")
    anchor, n = base, 1
    while anchor in used:
        n += 1
        anchor = f"{base}-{n}"
    used.add(anchor)
    return anchor


def published_digests(digests: Sequence[Digest]) -> list[Digest]:
    """The approved digests, newest week first (drafts are never published)."""
    approved = [d for d in digests if d.status == "approved"]
    return sorted(approved, key=lambda d: parse_week(d.week)[0], reverse=True)


def render_digest_pages(
    digests: Sequence[Digest],
    *,
    base_url: str,
    now: datetime,
    topic_labels: Mapping[str, str],
    common: Mapping[str, object],
    env: Environment | None = None,
) -> Iterator[Output]:
    """The issue pages, the archive and the feed. `common`: the site's shared template values
    (network name, build time, latest digest); `base_url` ends with "/"."""
    env = env or environment("digest")
    issues = [issue_view(d, topic_labels) for d in published_digests(digests)]
    folder_url = base_url + FOLDER
    feed_link = {"type": ATOM_TYPE, "title": f"Atom-Feed {DIGEST_NAME}", "href": "feed.xml"}
    page = env.get_template("issue.html")
    for index, issue in enumerate(issues):
        newer = issues[index - 1] if index > 0 else None
        older = issues[index + 1] if index + 1 < len(issues) else None
        yield (
            FOLDER + issue.path,
            page.render(
                **common,
                root="../",
                title=f"{issue.title} – {NETWORK_NAME}",
                description=f"{issue.title}: {issue.period}",
                alternates=[feed_link],
                section="digest",
                current="true",
                issue=issue,
                newer=newer,
                older=older,
            ),
        )
    yield (
        FOLDER + "index.html",
        env.get_template("archive.html").render(
            **common,
            root="../",
            title=f"{ARCHIVE_HEADING} – {NETWORK_NAME}",
            description=ARCHIVE_DESCRIPTION,
            alternates=[feed_link],
            section="digest",
            current="page",
            heading=ARCHIVE_HEADING,
            intro=ARCHIVE_DESCRIPTION,
            issues=issues,
        ),
    )
    yield FOLDER + "feed.xml", digest_feed(issues, folder_url, now, env)


def digest_feed(
    issues: Sequence[IssueView], folder_url: str, now: datetime, env: Environment
) -> bytes:
    """Atom 1.0: one entry per issue, its whole content as HTML."""
    content = env.get_template("content.html")
    fg = FeedGenerator()
    fg.id(folder_url + "index.html")
    fg.title(f"{DIGEST_NAME} – {NETWORK_NAME}")
    fg.subtitle(ARCHIVE_DESCRIPTION)
    fg.language("de")
    fg.author({"name": NETWORK_NAME, "uri": CONTACT_URL})
    fg.generator(GENERATOR, version=__version__, uri=CONTACT_URL)
    fg.updated(now.astimezone(UTC))
    fg.link(
        [
            {"href": folder_url + "feed.xml", "rel": "self", "type": ATOM_TYPE},
            {"href": folder_url + "index.html", "rel": "alternate", "type": "text/html"},
        ],
        replace=True,
    )
    for issue in issues:
        fe = fg.add_entry(order="append")
        fe.id(uuid.uuid5(_ID_NAMESPACE, issue.week).urn)
        fe.title(issue.title)
        fe.link(href=folder_url + issue.path, rel="alternate", type="text/html")
        moment = datetime.fromisoformat(issue.published_iso) if issue.published_iso else now
        fe.published(moment.astimezone(UTC))
        fe.updated(moment.astimezone(UTC))
        fe.summary(issue.period)
        fe.content(content.render(issue=issue), type="html")
    return bytes(fg.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True))


__all__ = [
    "DIGEST_NAME",
    "IssueView",
    "issue_title",
    "issue_view",
    "published_digests",
    "render_digest_pages",
]
