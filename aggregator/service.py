"""The long-running service behind `aggregator run` (and `aggregator demo`), composed here so
that the CLI only parses and prints: the first crawl and publish, the web server (published
site, editor area, newsletter forms: one ASGI app), then the scheduled jobs until stopped.

The web server is bound before the first crawl, so a busy port fails at once. A digest an
editor approves is released (published and mailed) in a background thread, one at a time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from aggregator.crawl import CrawlReport, Progress
from aggregator.errors import AggregatorError
from aggregator.model import Source
from aggregator.runtime import crawl_once, publish_once, utc_now
from aggregator.scheduler import Runner, install_stop_handlers, run_forever
from aggregator.settings import Settings
from aggregator.store.repository import Store

if TYPE_CHECKING:
    from aggregator.web.server import WebServer

log = logging.getLogger(__name__)


class BackgroundQueue:
    """Runs `job(key)` for each submitted key in one worker thread, one after the other, so
    that the web request that asked for it does not wait; logs each failure with `hint`
    (a format string of the key: how an operator redoes it)."""

    def __init__(self, job: Callable[[str], None], *, name: str, what: str, hint: str) -> None:
        self._job = job
        self._what = what
        self._hint = hint
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)

    def submit(self, key: str) -> None:
        self._executor.submit(self._run, key)

    def _run(self, key: str) -> None:
        try:
            self._job(key)
        except Exception as exc:  # logged with the command that redoes it
            log.error("%s %s failed: %s; %s", self._what, key, describe(exc), self._hint % key)
            log.debug("%s %s failed", self._what, key, exc_info=True)

    def shutdown(self, *, drop_queued: bool = True) -> None:
        """Wait for the job in progress; the queued ones are dropped unless `drop_queued` is
        False."""
        self._executor.shutdown(wait=True, cancel_futures=drop_queued)


class BackgroundReleases(BackgroundQueue):
    """Releases approved digests (publish, then mail) one at a time; a release that fails or
    is dropped at shutdown is resumed by `aggregator digest send --week W`."""

    def __init__(self, release: Callable[[str], None]) -> None:
        super().__init__(
            release,
            name="release",
            what="releasing digest",
            hint="resume with `aggregator digest send --week %s`",
        )

    def submit(self, week: str) -> None:
        log.info("digest %s approved: releasing it in the background", week)
        super().submit(week)


class BackgroundCrawls(BackgroundQueue):
    """Crawls a source the editor just approved at once (not at its next due time)."""

    def __init__(self, crawl: Callable[[str], None]) -> None:
        super().__init__(
            crawl, name="first-crawl", what="first crawl of", hint="run `aggregator crawl %s`"
        )

    def submit(self, source_id: str) -> None:
        log.info("source %s approved: crawling it now", source_id)
        super().submit(source_id)


def bind_web_server(
    settings: Settings,
    store: Store,
    on_digest_approved: Callable[[str], None] | None = None,
    on_source_added: Callable[[str], None] | None = None,
) -> WebServer:
    """The web app on `settings.host:port`, bound now, serving once started.
    `on_digest_approved(week)`: called after an editor approved a digest;
    `on_source_added(source_id)`: after an editor approved a forum's registration."""
    from aggregator.web.app import create_app
    from aggregator.web.context import WebContext
    from aggregator.web.server import WebServer

    context = WebContext(
        settings,
        store.engine,
        utc_now,
        on_digest_approved=on_digest_approved,
        on_source_added=on_source_added,
    )
    app = create_app(settings.output_dir, context)
    try:
        return WebServer(app, settings.host, settings.port)
    except OSError as exc:
        raise AggregatorError(
            f"cannot listen on {settings.host}:{settings.port}: {exc.strerror} "
            "(set --port or AGGREGATOR_PORT)"
        ) from None


def run_service(
    settings: Settings,
    store: Store,
    sources: Sequence[Source],
    *,
    serve: bool,
    once: bool = False,
    progress: Progress | None = None,
    on_crawl: Callable[[CrawlReport], None] | None = None,
    after_publish: Callable[[Runner], None] | None = None,
    say: Callable[[str], None] = print,
) -> None:
    """Crawl and publish once; then (unless `once`) serve and keep crawling until stopped.
    `after_publish(runner)` runs after the first crawl and publish (the demo's digest).

    A failure of the first crawl or publish does not end the service (the scheduled ticks
    retry, the last published site is served); with `once` it is raised."""
    stop = threading.Event()
    if not once:
        install_stop_handlers(stop)  # from here on Ctrl-C lets the current writes finish
    runner = Runner(settings, store, sources, stop)
    releases = BackgroundReleases(runner.release)
    first_crawls = BackgroundCrawls(runner.crawl_new_source)
    try:
        server = (
            bind_web_server(settings, store, releases.submit, first_crawls.submit)
            if serve and not once
            else None
        )
        _first_run(settings, runner, once, progress, on_crawl, after_publish, say)
        if once or stop.is_set():
            if server:
                server.stop()
            return
        if server:
            server.start()
            say(f"serving {settings.output_dir}/ on {server.url} (Ctrl-C stops)")
        say(f"crawling due sources every {settings.check_every_s} s")
        try:
            run_forever(runner)
        finally:
            if server:
                server.stop()
    finally:
        first_crawls.shutdown()
        releases.shutdown()
    say("stopped")


def _first_run(
    settings: Settings,
    runner: Runner,
    once: bool,
    progress: Progress | None,
    on_crawl: Callable[[CrawlReport], None] | None,
    after_publish: Callable[[Runner], None] | None,
    say: Callable[[str], None],
) -> None:
    store, stop = runner.store, runner.stop
    try:
        report = crawl_once(settings, store, runner.sources, progress=progress, stop=stop.is_set)
        if on_crawl is not None:
            on_crawl(report)
        change = store.latest_change()
        published, seconds = publish_once(settings, runner.store, runner.sources)
        runner.published_change = change
        say(f"published {published.stories} stories to {settings.output_dir}/ in {seconds:.1f} s")
    except Exception as exc:
        if once:
            raise
        log.debug("first crawl failed", exc_info=True)
        say(f"error: first crawl and publish failed: {describe(exc)}")
        return
    if after_publish is not None:
        after_publish(runner)


def describe(exc: BaseException) -> str:
    """One line for an error: its own message when it is ours, else its type and text."""
    from aggregator.errors import ConfigError

    if isinstance(exc, ConfigError):
        return "; ".join(exc.problems)
    if isinstance(exc, AggregatorError):
        return str(exc)
    return f"unexpected {type(exc).__name__}: {exc}"
