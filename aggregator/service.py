"""The long-running service behind `aggregator run` (and `aggregator demo`), composed here so
that the CLI only parses and prints: the first crawl and publish, the web server (published
site, editor area, newsletter forms: one ASGI app), then the scheduled jobs until stopped.

The web server is bound before the first crawl, so a busy port fails at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
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


def bind_web_server(settings: Settings, store: Store) -> WebServer:
    """The web app on `settings.host:port`, bound now, serving once started."""
    from aggregator.web.app import create_app
    from aggregator.web.context import WebContext
    from aggregator.web.server import WebServer

    app = create_app(settings.output_dir, WebContext(settings, store.engine, utc_now))
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
    say: Callable[[str], None] = print,
) -> None:
    """Crawl and publish once; then (unless `once`) serve and keep crawling until stopped.

    A failure of the first crawl or publish does not end the service (the scheduled ticks
    retry, the last published site is served); with `once` it is raised."""
    stop = threading.Event()
    if not once:
        install_stop_handlers(stop)  # from here on Ctrl-C lets the current writes finish
    server = bind_web_server(settings, store) if serve and not once else None
    runner = Runner(settings, store, sources, stop)
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
    say("stopped")


def describe(exc: BaseException) -> str:
    """One line for an error: its own message when it is ours, else its type and text."""
    from aggregator.errors import ConfigError

    if isinstance(exc, ConfigError):
        return "; ".join(exc.problems)
    if isinstance(exc, AggregatorError):
        return str(exc)
    return f"unexpected {type(exc).__name__}: {exc}"
