"""The demo network as a running server: every demo site on one `FixtureServer` on 127.0.0.1.

    with DemoNetwork() as net:                       # now = the wall clock, slow site waits 2.5 s
        net.write_sources(Path("demo/sources.yaml"))  # a sources.yaml pointing at the sites
        for line in net.describe():
            print(line)
        ...                                          # crawl, publish, look at public/

The port is free-chosen on each start, so URLs (and the written sources.yaml) change from run to
run. This is the edge that owns the socket; the pages and feeds themselves come from `sites.py`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import yaml

from aggregator.demo.httpserver import FixtureServer, Request
from aggregator.demo.sites import SITES, SLOW_DELAY_S, DemoSite, build_routes, demo_sources

__all__ = ["DemoNetwork"]

_HEADER = """\
# sources.yaml of the demo network, written by aggregator.demo.network.DemoNetwork.
# Every source below is a fictional sample site ("Beispielinhalt der Demo") served on
# {base_url} only while the demo runs; the port changes on every run, so this file is
# rewritten each time. Do not copy it into the real sources.yaml.
# Keys: id, name, city (null: network-wide), homepage, then either feed (the feed URL) or
# scrape (url: the news page to scrape, max_pages: list pages to follow), interval (minutes,
# optional), enabled.

"""


class DemoNetwork:
    """Serve all demo sites on 127.0.0.1 while started (or inside a `with` block)."""

    def __init__(self, now: datetime | None = None, *, slow_delay_s: float = SLOW_DELAY_S) -> None:
        """`now` dates the sample posts (default: the wall clock at construction);
        `slow_delay_s` is how long the slow site (Chemnitz) waits before it answers."""
        if now is not None and now.tzinfo is None:
            raise ValueError("now must be timezone-aware (e.g. datetime.now(UTC))")
        if slow_delay_s < 0:
            raise ValueError("slow_delay_s must not be negative")
        self.now = now if now is not None else datetime.now(UTC)
        self.slow_delay_s = slow_delay_s
        self._server: FixtureServer | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> DemoNetwork:
        if self._server is not None:
            raise RuntimeError("the demo network is already running")
        server = FixtureServer()  # binds a free port now, so base_url is known before serving
        server.routes.update(
            build_routes(self.now, server.base_url, slow_delay_s=self.slow_delay_s)
        )
        self._server = server.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> DemoNetwork:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- what it serves ----------------------------------------------------------------------

    @property
    def server(self) -> FixtureServer:
        if self._server is None:
            raise RuntimeError("the demo network is not running: call start() or use `with`")
        return self._server

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def sites(self) -> tuple[DemoSite, ...]:
        return SITES

    def site(self, site_id: str) -> DemoSite:
        for site in SITES:
            if site.id == site_id:
                return site
        raise KeyError(site_id)

    def feed_url(self, site_id: str) -> str:
        """The feed URL as registered in sources.yaml (for Dresden: the old, redirecting one).

        ValueError for a site that is registered for scraping: it has no feed."""
        return self.url(self.site(site_id).feed_path)

    def registered_url(self, site_id: str) -> str:
        """What sources.yaml points the aggregator at: the feed, or the news page to scrape."""
        return self.url(self.site(site_id).registered.path)

    @property
    def requests(self) -> list[Request]:
        """Every request the server has answered so far, oldest first."""
        return self.server.requests

    def sources(self) -> list[dict[str, object]]:
        """The sources.yaml entries of all demo sites, pointing at this running server."""
        return demo_sources(self.base_url)

    def write_sources(self, path: Path) -> Path:
        """Write a sources.yaml (`sources:` list, one commented entry per site) and return it."""
        lines = [_HEADER.format(base_url=self.base_url), "sources:\n"]
        for site, entry in zip(SITES, self.sources(), strict=True):
            lines.append(f"  # {self._what(site)}\n")
            dumped = yaml.safe_dump(
                [entry], allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000
            )
            lines.extend(f"  {line}\n" for line in dumped.splitlines())
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(lines), encoding="utf-8")
        return path

    def describe(self) -> list[str]:
        """One German line per site: who it is, what it demonstrates, and its feed URL (or the
        news page it is scraped from)."""
        return [
            f"{site.name} ({site.city or 'überregional'}): {self._what(site)} – "
            f"{'' if site.feed else 'liest Seite '}{self.registered_url(site.id)}"
            for site in SITES
        ]

    def _what(self, site: DemoSite) -> str:
        return site.demonstrates.replace("{delay}", f"{self.slow_delay_s:g}")
