"""What a demo site is and how it is registered in sources.yaml: by its feed, or by a news page.

Kept apart from `sites.py` (the feed sites) and `scraped.py` (the sites without a feed) so that
both can describe their sites without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FeedAt:
    """Registered with `feed:`: the aggregator reads this feed."""

    path: str  # path (and query) on the demo server


@dataclass(frozen=True, slots=True)
class ScrapeAt:
    """Registered with `scrape:`: the aggregator reads this news page (and `max_pages` of it)."""

    path: str  # path (and query) on the demo server
    max_pages: int | None = None  # None: the aggregator's default (one page)


@dataclass(frozen=True, slots=True)
class DemoSite:
    """One demo member site and its entry in sources.yaml."""

    id: str
    name: str
    city: str | None
    prefix: str  # path prefix on the demo server, e.g. "/leipzig/"
    registered: FeedAt | ScrapeAt  # what sources.yaml points the aggregator at
    demonstrates: str  # one German line for `make demo`; "{delay}" is the slow site's delay
    tagline: str
    interval: int | None = None  # minutes; None: the aggregator's default
    enabled: bool = True

    @property
    def feed(self) -> str | None:
        """The feed path as registered, or None for a site that is scraped."""
        return self.registered.path if isinstance(self.registered, FeedAt) else None

    @property
    def scrape(self) -> ScrapeAt | None:
        return self.registered if isinstance(self.registered, ScrapeAt) else None

    @property
    def feed_path(self) -> str:
        """The feed path of a feed site; a scraped site has none (ValueError)."""
        if not isinstance(self.registered, FeedAt):
            raise ValueError(f"demo site {self.id} has no feed: it is scraped")
        return self.registered.path

    def entry(self, base_url: str) -> dict[str, object]:
        """The sources.yaml entry (id, name, city, homepage, feed | scrape, [interval], enabled)."""
        base = base_url.rstrip("/")
        entry: dict[str, object] = {
            "id": self.id,
            "name": self.name,
            "city": self.city,
            "homepage": base + self.prefix,
        }
        if isinstance(self.registered, FeedAt):
            entry["feed"] = base + self.registered.path
        else:
            scrape: dict[str, object] = {"url": base + self.registered.path}
            if self.registered.max_pages is not None:
                scrape["max_pages"] = self.registered.max_pages
            entry["scrape"] = scrape
        if self.interval is not None:
            entry["interval"] = self.interval
        entry["enabled"] = self.enabled
        return entry
