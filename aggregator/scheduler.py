"""The long-running process behind `aggregator run`: crawl what is due, publish what changed.

APScheduler runs one job, every `check_every_s` seconds: ask the database which sources are due
(their `next_fetch_at`, so a restart picks up exactly where the last process stopped), crawl them,
and publish when anything changed. sources.yaml is read again on every tick, so an edit takes
effect without a restart; a broken edit is logged and the last good list is kept.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Sequence
from datetime import timedelta
from types import FrameType
from typing import TYPE_CHECKING

from apscheduler.schedulers.background import BackgroundScheduler

from aggregator.config import load_config
from aggregator.crawl import CrawlReport
from aggregator.errors import AggregatorError, ConfigError
from aggregator.fetch.robots import RobotsCache
from aggregator.model import Source
from aggregator.runtime import crawl_once, publish_once, utc_now
from aggregator.settings import Settings
from aggregator.store.repository import Store

if TYPE_CHECKING:
    from aggregator.tagging.topics import Taxonomy

log = logging.getLogger(__name__)


class Runner:
    """One tick = crawl the due sources, publish if something changed."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        sources: Sequence[Source],
        stop: threading.Event | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.sources = list(sources)
        self.taxonomy: Taxonomy | None = None  # sources.yaml's `topics:`, read with the sources
        self.stop = stop or threading.Event()  # set: the crawl in progress stops fetching
        self._lock = threading.Lock()
        self.robots = RobotsCache()  # robots.txt of scraped sites, kept across ticks
        self.published_change: tuple[int, int] | None = None  # latest_change() when published

    def reload_sources(self) -> None:
        try:
            config = load_config(
                self.settings.config, allow_private=self.settings.allow_private_urls
            )
            self.sources, self.taxonomy = config.sources, config.taxonomy
        except ConfigError as exc:
            for line in exc.problems:
                log.error("%s (keeping the last valid list of sources)", line)

    def tick(self) -> None:
        """One crawl and publish. Never raises: whatever goes wrong is logged, the next tick
        runs as scheduled (a scheduler job that raised would only be logged by APScheduler, and
        `run` must not depend on that)."""
        with self._lock:  # never two crawls at once in this process, even if started by hand
            try:
                self._tick()
            except Exception as exc:
                log.error("crawl tick failed: unexpected %s: %s", type(exc).__name__, exc)
                log.debug("crawl tick failed", exc_info=True)

    def _tick(self) -> None:
        self.reload_sources()
        try:
            report = crawl_once(
                self.settings,
                self.store,
                self.sources,
                stop=self.stop.is_set,
                robots=self.robots,
                taxonomy=self.taxonomy,
            )
        except AggregatorError as exc:
            log.error("crawl failed: %s", exc)
            return
        self.report(report)

    def report(self, report: CrawlReport) -> None:
        """Log a crawl's result; publish when this or another crawler sharing the database
        stored something new since the last publish (also after an interrupted crawl)."""
        if report.outcomes:
            log.info("crawl: %s", report.summary())
        else:
            log.debug("nothing due")
        for failure in report.failures:
            log.warning("%s failed: %s", failure.source_id, failure.message)
        change = self.store.latest_change()
        if report.changed or change != self.published_change:
            self.publish(change)

    def publish(self, change: tuple[int, int] | None = None) -> None:
        """Publish; `change` is `store.latest_change()` read before (read here when None)."""
        try:
            if change is None:
                change = self.store.latest_change()
            result, seconds = publish_once(self.settings, self.store, self.sources, self.taxonomy)
            self.published_change = change
        except AggregatorError as exc:
            log.error("publish failed: %s", exc)
            return
        except Exception as exc:  # a bug must not end `run`: the last good site stays served
            log.error("publish failed: unexpected %s: %s", type(exc).__name__, exc)
            log.debug("publish failed", exc_info=True)
            return
        log.info("published %d stories to %s in %.1f s", result.stories, result.out_dir, seconds)


def run_forever(runner: Runner) -> None:
    """Tick until `runner.stop` is set (SIGINT/SIGTERM); the current tick finishes its writes."""
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        runner.tick,
        "interval",
        seconds=runner.settings.check_every_s,
        next_run_time=utc_now() + timedelta(seconds=runner.settings.check_every_s),
        max_instances=1,
        coalesce=True,
        id="crawl-due-sources",
    )
    scheduler.start()
    try:
        runner.stop.wait()
    finally:
        log.info("stopping: letting the current crawl finish its writes")
        scheduler.shutdown(wait=True)


def install_stop_handlers(stop: threading.Event) -> None:
    def handle(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
