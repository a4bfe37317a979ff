"""Composition of the services from settings: open the store, crawl once, publish once.

Shared by the CLI, the scheduler and the demo so that each of them does the same thing.
Every side effect (database, network, filesystem, clock) is set up here and passed inward.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from time import perf_counter
from typing import TYPE_CHECKING

from aggregator.config import Config, load_config
from aggregator.crawl import CrawlReport, Progress, crawl
from aggregator.errors import StoreError
from aggregator.fetch import FetchSettings
from aggregator.model import Source
from aggregator.settings import Settings
from aggregator.store.db import current_revision, make_engine, needs_upgrade, upgrade
from aggregator.store.repository import Store

if TYPE_CHECKING:
    from aggregator.fetch.politeness import ScrapeSettings
    from aggregator.fetch.robots import RobotsCache
    from aggregator.publish import PublishReport
    from aggregator.tagging.topics import Taxonomy, Topic


log = logging.getLogger(__name__)

# One build at a time in this process: each would swap the output folder atomically anyway, but
# two at once cost twice the work and the later swap could carry the older state.
_PUBLISHING = threading.Lock()


def utc_now() -> datetime:
    """The one wall clock of the application; services receive it as `clock`."""
    return datetime.now(UTC)


def open_store(settings: Settings, *, auto_upgrade: bool = True) -> Store:
    """Open the database; an empty one gets the schema, an outdated one is refused."""
    engine = make_engine(settings.database_url)
    if needs_upgrade(engine):
        if current_revision(engine) is None and auto_upgrade:
            upgrade(engine)
        else:
            raise StoreError(
                "the database schema is older than this version of the aggregator: "
                "run `aggregator db upgrade` first"
            )
    return Store(engine)


def load_sources(settings: Settings, store: Store, config: Config | None = None) -> Config:
    """Every source: sources.yaml's (`config` when already read) and the registered ones in the
    database (`aggregator.registry`). ConfigError on a clash of ids or URLs between the two."""
    from aggregator.registry import merge

    if config is None:
        config = load_config(settings.config, allow_private=settings.allow_private_urls)
    registered = registered_sources(settings, store)
    return Config(
        merge(config.sources, registered, config_name=str(settings.config)), config.taxonomy
    )


def registered_sources(settings: Settings, store: Store) -> list[Source]:
    """The registered sources; one whose stored entry no longer validates is left out with an
    error in the log (the others are crawled)."""
    from aggregator.errors import ConfigError
    from aggregator.registry import entry_source
    from aggregator.store.registry import Registry

    sources = []
    for entry in Registry(store.engine).entries():
        try:
            sources.append(entry_source(entry, allow_private=settings.allow_private_urls))
        except ConfigError as exc:
            for line in exc.problems:
                log.error("registered source %r skipped: %s", entry.get("id"), line)
    return sources


def fetch_settings(settings: Settings) -> FetchSettings:
    return FetchSettings(
        connect_timeout=settings.connect_timeout,
        total_timeout=settings.timeout,
        max_bytes=settings.max_bytes,
        global_limit=settings.concurrency,
        allow_private_addresses=settings.allow_private_urls,
    )


def scrape_settings(settings: Settings) -> ScrapeSettings:
    from aggregator.fetch.politeness import ScrapeSettings

    return ScrapeSettings(
        host_spacing_s=settings.host_spacing_s, articles_per_run=settings.articles_per_run
    )


def crawl_once(
    settings: Settings,
    store: Store,
    sources: Sequence[Source] | None = None,
    *,
    force: bool = False,
    only: Sequence[str] = (),
    progress: Progress | None = None,
    stop: Callable[[], bool] | None = None,
    robots: RobotsCache | None = None,
    taxonomy: Taxonomy | None = None,
) -> CrawlReport:
    """Crawl once. `taxonomy` goes with `sources` when they are given; otherwise both are read
    from sources.yaml and the registry."""
    if sources is None:
        config = load_sources(settings, store)
        sources, taxonomy = config.sources, config.taxonomy
    return asyncio.run(
        crawl(
            sources,
            store,
            fetch_settings(settings),
            clock=utc_now,
            force=force,
            only=only,
            progress=progress,
            stop=stop,
            lease_s=settings.crawl_lease_s,
            parse_workers=None if settings.parse_workers < 0 else settings.parse_workers,
            scrape=scrape_settings(settings),
            robots=robots,
            taxonomy=taxonomy,
        )
    )


def publish_once(
    settings: Settings,
    store: Store,
    sources: Sequence[Source] | None = None,
    taxonomy: Taxonomy | None = None,
) -> tuple[PublishReport, float]:
    """Publish every stored story and every approved digest; returns the report and the
    seconds it took."""
    from aggregator.tagging.topics import default_taxonomy

    started = perf_counter()
    if sources is None:
        config = load_sources(settings, store)
        sources, taxonomy = config.sources, config.taxonomy
    topics = (taxonomy or default_taxonomy()).topics
    with _PUBLISHING:  # a crawl tick and a digest release: one build after the other
        return _publish(settings, store, sources, topics, started)


def _publish(
    settings: Settings,
    store: Store,
    sources: Sequence[Source],
    topics: Sequence[Topic],
    started: float,
) -> tuple[PublishReport, float]:
    from aggregator.publish import publish_site  # Jinja2 and feedgen: not needed by a crawl
    from aggregator.store.digests import Digests

    states = store.fetch_states()
    digests = Digests(store.engine).approved()
    report = publish_site(
        store.stories(with_content=False),  # the pages show excerpts; the feeds ask for content
        [(s, states.get(s.id)) for s in sources],
        settings.output_dir,
        base_url=settings.base_url,
        now=utc_now(),
        load_content=store.contents,
        topics=[(topic.key, topic.label) for topic in topics],
        digests=digests,
    )
    return report, perf_counter() - started
