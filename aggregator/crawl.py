"""One crawl: the due sources → fetch → parse → normalize → store, all sources concurrently.

This is the only place that chains the stages (STYLE.md: one orchestrator per job). A source that
fails is recorded with its reason and backs off; it never stops the others, and its stored items
stay. The clock is passed in.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
import os
import random
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal, Protocol

from aggregator import pacing
from aggregator.errors import FetchError, SourceError
from aggregator.fetch import Fetcher, FetchResult, FetchSettings
from aggregator.model import FetchState, Source
from aggregator.reading import FeedRead, read_feed
from aggregator.store.repository import Store

log = logging.getLogger(__name__)

PARALLEL_PARSE_MIN_SOURCES = 24  # below this, starting worker processes costs more than it saves
MAX_PARSER_PROCESSES = 4

Clock = Callable[[], datetime]
Status = Literal["ok", "not_modified", "failed"]


@dataclass(frozen=True)
class SourceOutcome:
    source_id: str
    status: Status
    new: int = 0
    updated: int = 0
    entries: int = 0
    reason: str | None = None  # failure reason code
    message: str | None = None  # failure message, one line
    warning: str | None = None  # read, but the feed had problems
    moved_to: str | None = None  # permanent redirect seen: update sources.yaml
    next_fetch_at: datetime | None = None


@dataclass(frozen=True)
class CrawlReport:
    started_at: datetime
    finished_at: datetime
    outcomes: tuple[SourceOutcome, ...]
    interrupted: bool = False  # stopped before every due source was read

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def new(self) -> int:
        return sum(o.new for o in self.outcomes)

    @property
    def updated(self) -> int:
        return sum(o.updated for o in self.outcomes)

    @property
    def changed(self) -> bool:
        return self.new + self.updated > 0

    @property
    def failures(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def summary(self) -> str:
        return (
            f"{len(self.outcomes)} sources: {self.count('ok')} ok, "
            f"{self.count('not_modified')} not modified, {self.count('failed')} failed; "
            f"items: {self.new} new, {self.updated} updated"
            + ("; interrupted, the rest stays due" if self.interrupted else "")
        )


class Progress(Protocol):
    def started(self, total: int) -> None: ...

    def source_done(self, outcome: SourceOutcome) -> None: ...


def due_sources(
    sources: Sequence[Source],
    states: dict[str, FetchState],
    now: datetime,
    *,
    force: bool = False,
    only: Sequence[str] = (),
) -> list[Source]:
    chosen = [s for s in sources if not only or s.id in only]
    if force:
        return [s for s in chosen if s.enabled and s.feed]
    return [s for s in chosen if pacing.is_due(s, states.get(s.id), now)]


async def crawl(
    sources: Sequence[Source],
    store: Store,
    fetch_settings: FetchSettings,
    *,
    clock: Clock,
    force: bool = False,
    only: Sequence[str] = (),
    progress: Progress | None = None,
    rng: random.Random | None = None,
    stop: Callable[[], bool] | None = None,
) -> CrawlReport:
    """Crawl the sources that are due (all enabled ones with `force`).

    When `stop()` turns true, sources still fetching are cancelled; a source's writes happen
    without an await in between, so a cancel never cuts them in half.
    """
    started = clock()
    store.sync_sources(sources)
    states = store.fetch_states()
    due = due_sources(sources, states, started, force=force, only=only)
    if progress:
        progress.started(len(due))
    outcomes: list[SourceOutcome] = []
    rng = rng or random.Random()
    parsers = _Parsers(len(due))
    try:
        async with Fetcher(fetch_settings) as fetcher:
            tasks = [
                asyncio.create_task(
                    _crawl_one(s, states.get(s.id), fetcher, store, clock, rng, parsers)
                )
                for s in due
            ]
            watcher = asyncio.create_task(_cancel_on(stop, tasks)) if stop else None
            try:
                for next_done in asyncio.as_completed(tasks):
                    try:
                        outcome = await next_done
                    except asyncio.CancelledError:
                        continue  # stopped before its writes began: it stays due
                    outcomes.append(outcome)
                    if progress:
                        progress.source_done(outcome)
            finally:  # normally all done; after a StoreError the others must not go on
                for task in [*tasks, *([watcher] if watcher else [])]:
                    task.cancel()
    finally:
        parsers.close()
    report = CrawlReport(
        started,
        clock(),
        tuple(sorted(outcomes, key=lambda o: o.source_id)),
        interrupted=len(outcomes) < len(due),
    )
    if due:
        store.record_crawl_run(
            report.started_at,
            report.finished_at,
            report.count("ok"),
            report.count("not_modified"),
            report.count("failed"),
            report.new,
            report.updated,
        )
    return report


class _Parsers:
    """Where feed bodies are parsed: a thread, or worker processes when there is much to parse.

    Parsing is the crawl's CPU work and holds the GIL; with many sources other cores help. The
    processes start on the first body to parse, so an all-304 crawl starts none.
    """

    def __init__(self, sources: int) -> None:
        workers = min(os.cpu_count() or 1, MAX_PARSER_PROCESSES)
        self.workers = workers if sources >= PARALLEL_PARSE_MIN_SOURCES and workers > 1 else 0
        self.pool: ProcessPoolExecutor | None = None

    async def run(self, call: Callable[[], FeedRead]) -> FeedRead:
        if self.workers and self.pool is None:
            context = multiprocessing.get_context("spawn")  # no fork of a threaded process
            self.pool = ProcessPoolExecutor(self.workers, mp_context=context)
        return await asyncio.get_running_loop().run_in_executor(self.pool, call)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


async def _cancel_on(stop: Callable[[], bool], tasks: list[asyncio.Task[SourceOutcome]]) -> None:
    while not stop():
        await asyncio.sleep(0.2)
    for task in tasks:
        task.cancel()


async def _crawl_one(
    source: Source,
    state: FetchState | None,
    fetcher: Fetcher,
    store: Store,
    clock: Clock,
    rng: random.Random,
    parsers: _Parsers,
) -> SourceOutcome:
    assert source.feed is not None  # due_sources only hands out sources with a feed
    previous = state or FetchState(source_id=source.id)
    if previous.url != source.feed:  # a new feed URL: its old validators mean nothing
        previous = replace(previous, url=source.feed, etag=None, last_modified=None)
    try:
        result = await fetcher.fetch(
            source.feed, etag=previous.etag, last_modified=previous.last_modified
        )
        if result.status == 304:
            return _not_modified(source, previous, result, store, clock())
        read = await parsers.run(
            functools.partial(
                read_feed,
                result.content,
                url=result.final_url,
                content_type=result.content_type,
                source=source,
                now=clock(),
            )
        )
    except SourceError as exc:
        return _failed(source, previous, exc, store, clock(), rng)
    except Exception as exc:  # a bug met by one source's data must not stop the others
        log.exception("reading %s failed", source.id)
        error = SourceError("internal_error", f"reading {source.feed} failed: {exc!r}")
        return _failed(source, previous, error, store, clock(), rng)
    now = clock()
    new, updated = store.upsert_items(read.items, now)
    next_at = pacing.after_success(
        source, now, max_age_s=result.max_age, ttl_minutes=read.ttl_minutes
    )
    store.save_fetch_state(
        replace(
            previous,
            etag=result.etag,
            last_modified=result.last_modified,
            last_fetched_at=now,
            last_success_at=now,
            next_fetch_at=next_at,
            consecutive_failures=0,
            last_status="ok",
            last_error=None,
            last_error_message=read.warning,
            moved_to=result.permanent_redirect,
        )
    )
    return SourceOutcome(
        source.id,
        "ok",
        new=new,
        updated=updated,
        entries=len(read.items),
        warning=read.warning,
        moved_to=result.permanent_redirect,
        next_fetch_at=next_at,
    )


def _not_modified(
    source: Source, previous: FetchState, result: FetchResult, store: Store, now: datetime
) -> SourceOutcome:
    next_at = pacing.after_success(source, now, max_age_s=result.max_age)
    store.save_fetch_state(
        replace(
            previous,
            etag=result.etag or previous.etag,
            last_modified=result.last_modified or previous.last_modified,
            last_fetched_at=now,
            last_success_at=now,
            next_fetch_at=next_at,
            consecutive_failures=0,
            last_status="not_modified",
            last_error=None,
            last_error_message=None,
            moved_to=result.permanent_redirect,
        )
    )
    return SourceOutcome(
        source.id, "not_modified", moved_to=result.permanent_redirect, next_fetch_at=next_at
    )


def _failed(
    source: Source,
    previous: FetchState,
    exc: SourceError,
    store: Store,
    now: datetime,
    rng: random.Random,
) -> SourceOutcome:
    failures = previous.consecutive_failures + 1
    retry_after = exc.retry_after if isinstance(exc, FetchError) else None
    next_at = pacing.after_failure(source, now, failures, retry_after_s=retry_after, rng=rng)
    store.save_fetch_state(
        replace(
            previous,
            last_fetched_at=now,
            next_fetch_at=next_at,
            consecutive_failures=failures,
            last_status="failed",
            last_error=exc.reason,
            last_error_message=exc.message,
        )
    )
    return SourceOutcome(
        source.id, "failed", reason=exc.reason, message=exc.message, next_fetch_at=next_at
    )
