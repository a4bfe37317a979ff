"""One crawl: the due sources → fetch → parse → normalize → store, all sources concurrently.

This is the only place that chains the stages (STYLE.md: one orchestrator per job). A source that
fails is recorded with its reason and backs off; it never stops the others, and its stored items
stay. The clock is passed in.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal, Protocol

from aggregator import pacing
from aggregator.errors import FetchError, ParseError, SourceError
from aggregator.fetch import Fetcher, FetchResult, FetchSettings
from aggregator.model import FetchState, Item, Source
from aggregator.normalize import normalize_entry
from aggregator.parse.feeds import parse_feed
from aggregator.store.repository import Store

log = logging.getLogger(__name__)

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
    async with Fetcher(fetch_settings) as fetcher:
        tasks = [
            asyncio.create_task(_crawl_one(s, states.get(s.id), fetcher, store, clock, rng))
            for s in due
        ]
        watcher = asyncio.create_task(_cancel_on(stop, tasks)) if stop else None
        for next_done in asyncio.as_completed(tasks):
            try:
                outcome = await next_done
            except asyncio.CancelledError:
                continue  # stopped before its writes began: it stays due
            outcomes.append(outcome)
            if progress:
                progress.source_done(outcome)
        if watcher:
            watcher.cancel()
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
        items, ttl, warning = await asyncio.to_thread(_read, source, result, clock())
    except SourceError as exc:
        return _failed(source, previous, exc, store, clock(), rng)
    now = clock()
    new, updated = store.upsert_items(items, now)
    next_at = pacing.after_success(source, now, max_age_s=result.max_age, ttl_minutes=ttl)
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
            last_error_message=warning,
            moved_to=result.permanent_redirect,
        )
    )
    return SourceOutcome(
        source.id,
        "ok",
        new=new,
        updated=updated,
        entries=len(items),
        warning=warning,
        moved_to=result.permanent_redirect,
        next_fetch_at=next_at,
    )


def _read(
    source: Source, result: FetchResult, now: datetime
) -> tuple[list[Item], int | None, str | None]:
    """Parse and normalize one body (runs in a worker thread)."""
    assert source.feed is not None
    try:
        feed = parse_feed(result.content, url=result.final_url, content_type=result.content_type)
    except SourceError:
        raise
    except Exception as exc:  # a parser bug on hostile input must not stop the crawl
        log.exception("parser crashed on %s", source.id)
        raise ParseError(
            "parser_error", f"the parser failed on {result.final_url}: {exc!r}"
        ) from exc
    items = []
    for entry in feed.entries:
        item = normalize_entry(entry, source=source, feed_url=result.final_url, now=now)
        if item is not None:
            items.append(item)
    return items, feed.ttl_minutes, feed.warning


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
