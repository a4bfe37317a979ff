"""The pages and feeds of the public site, as (relative path, content) pairs. Pure: no I/O.

    index.html, seite/2.html …            all stories, newest first, page_size a page; at most
                                          per_source_per_day of one forum a day (fairness.py)
    stadt/index.html                      the cities
    stadt/<slug>/index.html, seite/N.html one city's stories
    stadt/<slug>/feed.xml atom.xml feed.json
    thema/index.html                      the topics of the taxonomy
    thema/<key>/index.html, seite/N.html  one topic's stories, and its feed.xml atom.xml feed.json
    feed.xml atom.xml feed.json           the network's feeds (latest feed_size stories, the
                                          same fair share as index.html)
    quellen.html quellen.opml             the member forums and their health
    404.html                              links by absolute path: it is served at any depth

Every story is turned into a small view (dates formatted, cities resolved) once; the pages then
render those views. Links between pages are relative, so the site works under any base path and
from a plain folder; only the feeds (and 404.html) need `base_url`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import urlsplit

from aggregator import CONTACT_URL, NETWORK_NAME
from aggregator.model import Digest, FetchState, Source, Story
from aggregator.normalize import clean_text
from aggregator.publish import digest as digest_pages
from aggregator.publish import feeds
from aggregator.publish.fairness import DEFAULT_PER_SOURCE_PER_DAY, fair_indices
from aggregator.publish.german import german_date, german_datetime, iso_berlin, slugify, status_text
from aggregator.templating import environment
from aggregator.urls import url_problem

SITE_HEADING = "Nachrichten aus den Stadtforen"
SITE_DESCRIPTION = (
    "Meldungen der Stadtforen und Bürgerinitiativen in Sachsen, Sachsen-Anhalt und Thüringen "
    "zu Stadtentwicklung, Denkmalpflege und Baukultur."
)
NO_CITY = "Netzwerkweit"

Output = tuple[str, str | bytes]


@dataclass(frozen=True, slots=True)
class CityLink:
    name: str
    slug: str


@dataclass(frozen=True, slots=True)
class TopicLink:
    label: str  # "Denkmalpflege"
    slug: str  # the topic key, "denkmalpflege"


@dataclass(slots=True)
class Topic:
    label: str
    slug: str
    stories: list[int] = field(default_factory=list)  # indices into the story list


@dataclass(frozen=True, slots=True)
class StoryView:
    """What a page shows of one story; every field is plain text, escaped by the template."""

    title: str
    url: str | None  # None when the stored link is not http(s): the title is then not a link
    forum: str
    also_at: str
    date_iso: str
    date_text: str
    excerpt: str
    cities: tuple[CityLink, ...]
    topics: tuple[TopicLink, ...] = ()


@dataclass(frozen=True, slots=True)
class FeedLinks:
    """The three feeds of a page, hrefs relative to that page."""

    name: str  # "Leipzig" or "aller Stadtforen": the link text is "RSS-Feed <name>"
    rss: str
    atom: str
    json: str

    def alternates(self) -> list[dict[str, str]]:
        return [
            {"type": feeds.RSS_TYPE, "title": f"RSS-Feed {self.name}", "href": self.rss},
            {"type": feeds.ATOM_TYPE, "title": f"Atom-Feed {self.name}", "href": self.atom},
            {"type": feeds.JSON_TYPE, "title": f"JSON-Feed {self.name}", "href": self.json},
        ]


@dataclass(frozen=True, slots=True)
class Pager:
    page: int
    pages: int
    newer: str | None  # href of the page before (rel=prev)
    older: str | None  # href of the page after (rel=next)


@dataclass(slots=True)
class City:
    name: str
    slug: str
    stories: list[int] = field(default_factory=list)  # indices into the story list
    members: list[Source] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One member on the sources page."""

    name: str
    city: CityLink | None
    homepage: str | None
    feed: str | None
    feed_note: str  # shown instead of the feed link when there is none to offer
    news_page: str | None  # the page read in place of a feed (scraped sources)
    last_success_iso: str | None
    last_success_text: str | None
    status_kind: str
    status: str
    items: int


def normalize_base_url(base_url: str) -> str:
    """The base URL with exactly one trailing slash; it must be absolute http(s)."""
    if url_problem(base_url):
        raise ValueError(f"base_url must be an absolute http(s) URL, not {base_url!r}")
    return base_url.rstrip("/") + "/"


# Given story ids, their content_html: for stories handed over without it (they are many, and
# only the feeds show content).
ContentLoader = Callable[[Sequence[str]], Mapping[str, str]]


class Site:
    """Renders the whole site from the stories and the members."""

    def __init__(
        self,
        stories: Sequence[Story],
        members: Sequence[tuple[Source, FetchState | None]],
        *,
        base_url: str,
        now: datetime,
        page_size: int = 50,
        feed_size: int = 50,
        load_content: ContentLoader | None = None,
        per_source_per_day: int = DEFAULT_PER_SOURCE_PER_DAY,
        topics: Sequence[tuple[str, str]] = (),
        digests: Sequence[Digest] = (),
    ) -> None:
        if page_size < 1 or feed_size < 1:
            raise ValueError("page_size and feed_size must be at least 1")
        self.stories = stories
        # What the network pages and feeds show: indices into `stories` (city pages show all).
        self.network = fair_indices(stories, per_source_per_day)
        self.load_content = load_content
        # Text with a character no XML or HTML document may hold (a control character …) would
        # stop the whole publish: the feeds clean the stories they carry, the views below the
        # fields the pages show, and the members are cleaned here.
        self.members = [(feeds.printable_source(source), state) for source, state in members]
        self.base_url = normalize_base_url(base_url)
        self.now = now
        self.page_size = page_size
        self.feed_size = feed_size
        self.sources = {source.id: source for source, _ in self.members}
        self.env = environment()
        self.cities: dict[str, City] = {}
        self._city_links: dict[str, CityLink] = {}
        # the taxonomy's topics, in its order; a story's tag of a topic no longer in it is not shown
        self.topics: dict[str, Topic] = {
            key: Topic(clean_text(label), key) for key, label in topics if slugify(key) == key
        }
        for source, _ in self.members:
            city = self._city(source.city)
            if city is not None:
                self.cities[city.slug].members.append(source)
        self.views = [self._view(i, story) for i, story in enumerate(stories)]
        everything = len(self.network) == len(stories)
        self.network_views = self.views if everything else [self.views[i] for i in self.network]
        # the approved digests (drafts are never published), newest first; the latest one is
        # shown beside the front page's news
        self.digests = digest_pages.published_digests(digests)
        self.topic_labels = {key: topic.label for key, topic in self.topics.items()}
        latest = (
            digest_pages.issue_view(self.digests[0], self.topic_labels) if self.digests else None
        )
        self.common = {
            "network": NETWORK_NAME,
            "network_url": CONTACT_URL,
            "built_iso": iso_berlin(now),
            "built_text": german_datetime(now),
            "latest_digest": latest,
        }

    # ---------------------------------------------------------------- views

    def _city(self, name: str | None) -> CityLink | None:
        """The link of a city by name, registering the city on first sight."""
        if not name:
            return None
        try:
            return self._city_links[name]
        except KeyError:
            pass
        key, name = name, clean_text(name)
        slug = slugify(name) or f"ort-{len(self._city_links) + 1}"
        known = self.cities.get(slug)
        if known is None:
            known = self.cities[slug] = City(name=name, slug=slug)
        link = self._city_links[key] = CityLink(known.name, known.slug)
        return link

    def _view(self, index: int, story: Story) -> StoryView:
        links: list[CityLink] = []
        for name in feeds.story_cities(story):
            link = self._city(name)
            if link is not None and link not in links:
                links.append(link)
                self.cities[link.slug].stories.append(index)
        topics: list[TopicLink] = []
        for key in story.topics:
            topic = self.topics.get(key)
            if topic is not None:
                topics.append(TopicLink(topic.label, topic.slug))
                topic.stories.append(index)
        return StoryView(
            title=clean_text(story.title),
            url=clean_text(story.url) if feeds.is_web_url(story.url) else None,
            forum=clean_text(story.source_name),
            also_at=clean_text(", ".join(story.also_at)),
            date_iso=iso_berlin(story.published),
            date_text=german_date(story.published),
            excerpt=clean_text(story.excerpt),
            cities=tuple(links),
            topics=tuple(topics),
        )

    # ---------------------------------------------------------------- the whole site

    def render(self) -> Iterator[Output]:
        """Every file of the site as (path relative to the output folder, text or bytes)."""
        yield from self._news_pages()
        latest = [self.stories[i] for i in self.network[: self.feed_size]]
        yield from self._feeds("", latest, self._network_feed_info())
        yield from self._city_pages()
        yield self._cities_index()
        yield from self._topic_pages()
        yield self._topics_index()
        yield self._sources_page()
        yield from digest_pages.render_digest_pages(
            self.digests,
            base_url=self.base_url,
            now=self.now,
            topic_labels=self.topic_labels,
            common=self.common,
        )
        yield (
            "quellen.opml",
            feeds.opml(self.members, self.now, title=f"Quellen – {NETWORK_NAME}"),
        )
        yield self._not_found()

    def _network_feed_info(self) -> feeds.FeedInfo:
        return feeds.FeedInfo(
            title=f"{SITE_HEADING} – {NETWORK_NAME}",
            description=SITE_DESCRIPTION,
            home_url=self.base_url,
            folder_url=self.base_url,
        )

    def _feeds(
        self, folder: str, stories: Sequence[Story], info: feeds.FeedInfo
    ) -> Iterator[Output]:
        if self.load_content is not None:  # stories came without content: fetch the feeds'
            contents = self.load_content([story.id for story in stories])
            stories = [replace(s, content_html=contents.get(s.id, "")) for s in stories]
        rss, atom = feeds.rss_and_atom(info, stories, self.sources, self.now)
        yield folder + "feed.xml", rss
        yield folder + "atom.xml", atom
        yield folder + "feed.json", feeds.json_feed(info, stories, self.sources)

    def _render(self, template: str, **context: object) -> str:
        return self.env.get_template(template).render(**self.common, **context)

    # ---------------------------------------------------------------- story lists

    def _news_pages(self) -> Iterator[Output]:
        yield from self._story_pages(
            folder="",
            depth=0,
            views=self.network_views,
            heading=SITE_HEADING,
            intro=SITE_DESCRIPTION,
            feed_name="aller Stadtforen",
            extra_feeds=None,
            section="news",
            cities=sorted(self.cities.values(), key=lambda c: c.slug),
            members=(),
        )

    def _story_pages(
        self,
        *,
        folder: str,
        depth: int,
        views: Sequence[StoryView],
        heading: str,
        intro: str,
        feed_name: str,
        extra_feeds: FeedLinks | None,
        section: str,
        cities: Sequence[City],
        members: Sequence[Source],
    ) -> Iterator[Output]:
        """index.html and seite/N.html of one story list; depth = folders below the site root."""
        template = self.env.get_template("list.html")
        size = self.page_size
        pages = max(1, -(-len(views) // size))
        for page in range(1, pages + 1):
            first = page == 1
            root = "../" * (depth + (0 if first else 1))
            here = "" if first else "../"  # from this page to the list's own folder
            own = FeedLinks(feed_name, here + "feed.xml", here + "atom.xml", here + "feed.json")
            other = None
            if extra_feeds is not None:
                other = FeedLinks(
                    extra_feeds.name,
                    root + extra_feeds.rss,
                    root + extra_feeds.atom,
                    root + extra_feeds.json,
                )
            alternates = own.alternates() + (other.alternates() if other else [])
            pager = Pager(
                page=page,
                pages=pages,
                newer=None if first else (here + "index.html" if page == 2 else f"{page - 1}.html"),
                older=None
                if page == pages
                else (f"seite/{page + 1}.html" if first else f"{page + 1}.html"),
            )
            title = heading if first else f"{heading}, Seite {page} von {pages}"
            text = template.render(
                **self.common,
                root=root,
                title=f"{title} – {NETWORK_NAME}",
                description=intro,
                alternates=alternates,
                section=section,
                current="page" if first and folder == "" else "true",
                heading=heading,
                intro=intro,
                stories=views[(page - 1) * size : page * size],
                pager=pager,
                feeds=own,
                other_feeds=other,
                cities=cities if first else (),
                members=members if first else (),
            )
            yield (folder + ("index.html" if first else f"seite/{page}.html")), text

    # ---------------------------------------------------------------- cities

    def _city_pages(self) -> Iterator[Output]:
        for city in self.cities.values():
            yield from self._tag_pages(
                folder=f"stadt/{city.slug}/",
                name=city.name,
                heading=f"Nachrichten aus {city.name}",
                intro=f"Meldungen der Stadtforen im Netzwerk, die {city.name} betreffen.",
                stories=city.stories,
                section="cities",
                members=sorted(city.members, key=lambda s: s.name.casefold()),
            )

    def _tag_pages(
        self,
        *,
        folder: str,
        name: str,
        heading: str,
        intro: str,
        stories: Sequence[int],
        section: str,
        members: Sequence[Source] = (),
    ) -> Iterator[Output]:
        """The pages and feeds of one city or topic: its stories (indices into `stories`)."""
        yield from self._story_pages(
            folder=folder,
            depth=2,
            views=[self.views[i] for i in stories],
            heading=heading,
            intro=intro,
            feed_name=name,
            extra_feeds=FeedLinks("aller Stadtforen", "feed.xml", "atom.xml", "feed.json"),
            section=section,
            cities=(),
            members=members,
        )
        info = feeds.FeedInfo(
            title=f"{name}: {SITE_HEADING} – {NETWORK_NAME}",
            description=intro,
            home_url=f"{self.base_url}{folder}index.html",
            folder_url=self.base_url + folder,
        )
        yield from self._feeds(folder, [self.stories[i] for i in stories[: self.feed_size]], info)

    def _cities_index(self) -> Output:
        cities = sorted(self.cities.values(), key=lambda c: c.slug)
        text = self._render(
            "cities.html",
            root="../",
            title=f"Städte – {NETWORK_NAME}",
            description="Die Städte der Stadtforen im Netzwerk, jede mit eigener Seite und Feeds.",
            alternates=FeedLinks(
                "aller Stadtforen", "../feed.xml", "../atom.xml", "../feed.json"
            ).alternates(),
            section="cities",
            current="page",
            cities=[(c, len(c.stories)) for c in cities],
        )
        return "stadt/index.html", text

    # ---------------------------------------------------------------- topics

    def _topic_pages(self) -> Iterator[Output]:
        for topic in self.topics.values():
            yield from self._tag_pages(
                folder=f"thema/{topic.slug}/",
                name=topic.label,
                heading=f"Thema: {topic.label}",
                intro=f"Meldungen der Stadtforen im Netzwerk zum Thema {topic.label}.",
                stories=topic.stories,
                section="topics",
            )

    def _topics_index(self) -> Output:
        text = self._render(
            "topics.html",
            root="../",
            title=f"Themen – {NETWORK_NAME}",
            description="Die Themen der Stadtforen, jedes mit eigener Seite und Feeds.",
            alternates=FeedLinks(
                "aller Stadtforen", "../feed.xml", "../atom.xml", "../feed.json"
            ).alternates(),
            section="topics",
            current="page",
            topics=[(t, len(t.stories)) for t in self.topics.values()],
        )
        return "thema/index.html", text

    # ---------------------------------------------------------------- members

    def _source_groups(self) -> list[tuple[str, str, CityLink | None, list[SourceRow]]]:
        """The members grouped by city (cities A–Z, network-wide ones last), names A–Z.

        Each group is (heading, id slug, city link or None, rows).
        """
        groups: dict[str, tuple[CityLink | None, list[SourceRow]]] = {}
        for source, state in self.members:
            kind, status = status_text(source, state)
            status = clean_text(status)  # it quotes the Location of a redirect
            success = state.last_success_at if state is not None else None
            city = self._city(source.city)
            row = SourceRow(
                name=source.name,
                city=city,
                homepage=source.homepage if feeds.is_web_url(source.homepage) else None,
                feed=feeds.public_feed(source, state),
                feed_note="kein Feed; die Nachrichtenseite wird gelesen"
                if not source.feed
                else "Feed-Adresse noch nicht bestätigt",
                news_page=source.scrape.url
                if source.scrape is not None and feeds.is_web_url(source.scrape.url)
                else None,
                last_success_iso=iso_berlin(success) if success else None,
                last_success_text=german_datetime(success) if success else None,
                status_kind=kind,
                status=status,
                items=state.item_count if state is not None else 0,
            )
            groups.setdefault(city.slug if city else "", (city, []))[1].append(row)
        ordered = sorted(groups.items(), key=lambda g: (g[0] == "", g[0]))
        return [
            (
                city.name if city else NO_CITY,
                slug or "netzwerkweit",
                city,
                sorted(rows, key=lambda r: r.name.casefold()),
            )
            for slug, (city, rows) in ordered
        ]

    def _sources_page(self) -> Output:
        groups = self._source_groups()
        text = self._render(
            "sources.html",
            root="",
            title=f"Quellen – {NETWORK_NAME}",
            description="Die Mitglieder des Netzwerks, ihre Feeds und ob sie gelesen werden.",
            alternates=FeedLinks(
                "aller Stadtforen", "feed.xml", "atom.xml", "feed.json"
            ).alternates(),
            section="sources",
            current="page",
            groups=groups,
            count=len(self.members),
        )
        return "quellen.html", text

    def _not_found(self) -> Output:
        root = urlsplit(self.base_url).path or "/"
        text = self._render(
            "404.html",
            root=root,
            title=f"Seite nicht gefunden – {NETWORK_NAME}",
            description="Diese Seite gibt es nicht.",
            alternates=FeedLinks(
                "aller Stadtforen", root + "feed.xml", root + "atom.xml", root + "feed.json"
            ).alternates(),
            section=None,
            current=None,
        )
        return "404.html", text


def render_site(
    stories: Sequence[Story],
    members: Sequence[tuple[Source, FetchState | None]],
    *,
    base_url: str,
    now: datetime,
    page_size: int = 50,
    feed_size: int = 50,
    per_source_per_day: int = DEFAULT_PER_SOURCE_PER_DAY,
) -> Iterator[Output]:
    """Every file of the site (but the static assets) as (relative path, content)."""
    site = Site(
        stories,
        members,
        base_url=base_url,
        now=now,
        page_size=page_size,
        feed_size=feed_size,
        per_source_per_day=per_source_per_day,
    )
    return site.render()
