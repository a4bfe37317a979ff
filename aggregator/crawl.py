"""One crawl: the due sources → fetch → parse → normalize → store, all sources concurrently.

This is the only place that chains the stages (STYLE.md: one orchestrator per job). The clock is
passed in.

Isolation: whatever goes wrong while one source is handled (fetch, parse, normalize, pacing,
store, a parser process that dies) is recorded on that source as a reason code and a one-line
message (the traceback goes to the debug log); the source backs off and every other source
finishes and is stored. Its stored items stay.

Several crawlers, one database: the crawl first *claims* the due sources it will fetch (a lease
in the sources table, renewed while it works, released as each source is written); a source
leased by another process is left to it, and the lease of a process that died expires. Database
work runs in a worker thread, never on the event loop, and results are written in batches: one
transaction for all the sources that finished while the previous batch was being written.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import logging
import multiprocessing
import os
import random
import secrets
import socket
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, Protocol, TypeVar
from urllib.parse import urlsplit

from aggregator import pacing
from aggregator.errors import FetchError, ParseError, SourceError, StoreError
from aggregator.fetch import Fetcher, FetchResult, FetchSettings
from aggregator.model import FetchState, Item, Source
from aggregator.store.repository import Store

if TYPE_CHECKING:
    from aggregator.clustering import StoryClusterer
    from aggregator.fetch.politeness import ScrapeSettings
    from aggregator.fetch.robots import RobotsCache
    from aggregator.reading import SourceRead
    from aggregator.scraping import PageTools
    from aggregator.tagging.topics import Taxonomy

    Reader = Callable[..., SourceRead]  # read_feed's signature; tests inject faulty ones

log = logging.getLogger(__name__)

PARALLEL_PARSE_MIN_SOURCES = 24  # below this, starting worker processes costs more than it saves
MAX_PARSER_PROCESSES = 4
LEASE_S = 120.0  # a claim on a source lasts this long unless renewed (every LEASE_S / 4)
WRITE_BATCH = 250  # results written in one transaction at most
WRITE_BATCH_ITEMS = 1000  # … and items, so that a first crawl's batches stay small in memory
# Sources between the start of their fetch and the end of their write, per allowed fetch: the
# bodies and items they hold are the crawl's memory, so fetching must not outrun parsing and
# writing (500 bodies of up to max_bytes waiting for two parser processes).
IN_PROGRESS_PER_FETCH = 2
WRITE_LINGER_S = 0.05  # a batch waits this long for more results (fewer, larger transactions)
MESSAGE_LIMIT = 300  # characters of an unexpected error's text kept in the one-line message

Clock = Callable[[], datetime]
Status = Literal["ok", "not_modified", "failed"]
_P = ParamSpec("_P")
_T = TypeVar("_T")


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
        return [s for s in chosen if s.enabled and s.url]
    return [s for s in chosen if pacing.is_due(s, states.get(s.id), now)]


def _across_hosts(sources: Sequence[Source]) -> list[Source]:
    """The sources in an order that takes turns between hosts (round robin): the sources in
    progress at one time are on different hosts, so the one-request-per-host rule does not idle
    them, and no host gets its feeds asked for back to back."""
    by_host: dict[str, list[Source]] = {}
    for source in sources:
        by_host.setdefault(urlsplit(source.url or "").netloc.lower(), []).append(source)
    queues = list(by_host.values())
    return [
        queue[turn]
        for turn in range(max(map(len, queues), default=0))
        for queue in queues
        if turn < len(queue)
    ]


def crawler_id() -> str:
    """Who holds a lease: host, process and a random part (pids repeat across machines)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


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
    reader: Reader | None = None,
    parse_workers: int | None = None,
    lease_s: float = LEASE_S,
    owner: str | None = None,
    scrape: ScrapeSettings | None = None,
    robots: RobotsCache | None = None,
    taxonomy: Taxonomy | None = None,
) -> CrawlReport:
    """Crawl the sources that are due (all enabled ones with `force`) and not claimed by another
    crawler sharing the database.

    When `stop()` turns true, sources still fetching are cancelled (they stay due); a source whose
    result has been handed to the writer is written completely. `reader` turns a body into items
    (default `read_feed`; it must be picklable for the parser processes); `parse_workers`
    overrides how many parser processes are used (0: parse in a thread). `scrape` sets the
    politeness of news-page sources; `robots` is a robots.txt cache to share across crawls.
    `taxonomy`: the topics to tag items with (sources.yaml's `topics:`; None: the packaged one).
    """
    if lease_s <= 0:
        raise ValueError("lease_s must be positive")
    started = clock()
    owner = owner or crawler_id()
    await _db(functools.partial(store.sync_sources, sources))
    states = await _db(functools.partial(store.fetch_states, with_counts=False))
    candidates = due_sources(sources, states, started, force=force, only=only)
    lease = timedelta(seconds=lease_s)
    claimed: set[str] = set()
    if candidates:
        claimed = set(
            await _db(
                functools.partial(
                    store.claim_sources,
                    [s.id for s in candidates],
                    owner,
                    started,
                    started + lease,
                    force=force,
                )
            )
        )
    due = [s for s in candidates if s.id in claimed]
    if len(due) < len(candidates):
        log.info("%d due sources are being fetched by another crawler", len(candidates) - len(due))
    if progress:
        progress.started(len(due))
    outcomes: list[SourceOutcome] = []
    parsers = _Parsers(len(due), parse_workers)
    clustering = _Clustering(store, started)
    writer = _Writer(store, owner, clock, on_new=clustering.kick)
    pending = {s.id for s in due}
    writing: set[asyncio.Task[SourceOutcome]] = set()
    tasks: list[asyncio.Task[SourceOutcome]] = []
    helpers: list[asyncio.Task[None]] = []
    try:
        async with Fetcher(fetch_settings) as fetcher:
            job = _Job(
                fetcher,
                parsers,
                writer,
                clock,
                rng or random.Random(),
                reader or _reader(),
                writing,
                asyncio.Semaphore(IN_PROGRESS_PER_FETCH * fetch_settings.global_limit),
                _page_tools_for(due, fetcher, parsers, scrape, robots, taxonomy),
                taxonomy,
            )
            helpers.append(asyncio.create_task(writer.run()))
            helpers.append(asyncio.create_task(_renew(store, owner, pending, lease, clock)))
            tasks = [
                asyncio.create_task(_crawl_one(s, states.get(s.id), job))
                for s in _across_hosts(due)
            ]
            if stop:
                helpers.append(asyncio.create_task(_cancel_on(stop, tasks, writing)))
            for next_done in asyncio.as_completed(tasks):
                try:
                    outcome = await next_done
                except asyncio.CancelledError:
                    continue  # stopped before its writes began: it stays due
                pending.discard(outcome.source_id)
                outcomes.append(outcome)
                if progress:
                    progress.source_done(outcome)
    finally:
        try:
            for task in tasks:
                if task not in writing:
                    task.cancel()
            await writer.close()  # what was handed to the writer is written
            for helper in helpers:
                helper.cancel()
            await asyncio.gather(*tasks, *helpers, return_exceptions=True)
        finally:  # even when the crawl itself is cancelled: no parser process outlives it
            parsers.close()
            try:
                await clustering.finish()  # what was written joins its stories
            finally:
                await _db_quietly("releasing leases", store.release_leases, owner)
    report = CrawlReport(
        started,
        clock(),
        tuple(sorted(outcomes, key=lambda o: o.source_id)),
        interrupted=len(outcomes) < len(due),
    )
    if due:
        await _db_quietly(
            "recording the crawl run",
            store.record_crawl_run,
            report.started_at,
            report.finished_at,
            report.count("ok"),
            report.count("not_modified"),
            report.count("failed"),
            report.new,
            report.updated,
        )
    return report


class _Clustering:
    """New items join the stories they tell while the crawl goes on (`clustering.
    StoryClusterer`): after each written batch with new items, one background thread clusters
    what was stored since its last run, so that the comparing overlaps the fetching and
    parsing instead of following it. Loaded only when a crawl stores something new; a failure
    is logged and costs only the clustering (the items are stored).

    (A clustering process of its own, free of the crawler's interpreter lock, was measured on
    this 2-core machine: no faster, 60 MB more. See bench/crawl.py.)"""

    def __init__(self, store: Store, started: datetime) -> None:
        self.store = store
        self.started = started
        self.executor: ThreadPoolExecutor | None = None
        self.clusterer: StoryClusterer | None = None
        self.runs: list[concurrent.futures.Future[int]] = []
        self.failed = False

    def kick(self) -> None:
        """Cluster what was stored since the last run, soon (one run waiting is enough)."""
        if self.failed:
            return
        if self.runs and not self.runs[-1].running() and not self.runs[-1].done():
            return  # a run that has not begun yet will see this batch too
        if self.executor is None:
            self.executor = ThreadPoolExecutor(1, thread_name_prefix="clustering")
        self.runs.append(self.executor.submit(self._add_new))

    def _add_new(self) -> int:
        if self.clusterer is None:
            from aggregator.clustering import StoryClusterer
            from aggregator.store.curation import Curation

            self.clusterer = StoryClusterer(Curation(self.store.engine), self.started)
        return self.clusterer.add_new()

    def _failed(self, exc: BaseException) -> None:
        if not self.failed:
            log.error("clustering the new stories failed: %s", _one_line(exc))
            log.debug("clustering failed", exc_info=exc)
        self.failed = True

    async def finish(self) -> None:
        """Wait for the runs in progress; then the thread ends (at once when cancelled: the run
        in progress still finishes its writes)."""
        if self.executor is None:
            return
        joined = 0
        try:
            for run in self.runs:
                try:
                    joined += await asyncio.wrap_future(run)
                except Exception as exc:
                    self._failed(exc)
        finally:
            self.executor.shutdown(wait=False, cancel_futures=True)
        if joined:
            log.info("%d new items joined a story told before", joined)


def _reader() -> Reader:
    """read_feed, imported when a crawl starts rather than with this module: `aggregator crawl`
    with nothing due never loads feedparser, nh3 or BeautifulSoup. A parser process unpickles
    it by reference to `aggregator.reading`, so it imports that module alone, not the crawl's
    database and HTTP libraries."""
    from aggregator.reading import read_feed

    return read_feed


async def _db(call: Callable[[], _T]) -> _T:
    """Database work off the event loop: fetches in flight go on while SQLite or PostgreSQL
    answer."""
    return await asyncio.to_thread(call)


async def _db_quietly(
    what: str, call: Callable[_P, Any], *args: _P.args, **kwargs: _P.kwargs
) -> None:
    """Database work at the end of a crawl whose failure must not hide the crawl's report."""
    try:
        await asyncio.to_thread(call, *args, **kwargs)
    except Exception as exc:
        log.error("%s failed: %s", what, _one_line(exc))
        log.debug("%s failed", what, exc_info=True)


async def _renew(
    store: Store, owner: str, pending: set[str], lease: timedelta, clock: Clock
) -> None:
    """Keep the leases on the sources still being fetched from expiring."""
    while True:
        await asyncio.sleep(lease.total_seconds() / 4)
        if pending:
            await _db_quietly(
                "renewing leases", store.renew_leases, owner, sorted(pending), clock() + lease
            )


async def _cancel_on(
    stop: Callable[[], bool],
    tasks: list[asyncio.Task[SourceOutcome]],
    writing: set[asyncio.Task[SourceOutcome]],
) -> None:
    while not stop():
        await asyncio.sleep(0.2)
    for task in tasks:
        if task not in writing:  # a result already handed to the writer is written whole
            task.cancel()


@dataclass(frozen=True)
class _Job:
    """What every source's crawl shares."""

    fetcher: Fetcher
    parsers: _Parsers
    writer: _Writer
    clock: Clock
    rng: random.Random
    reader: Reader
    writing: set[asyncio.Task[SourceOutcome]]
    in_progress: asyncio.Semaphore
    pages: PageTools | None  # the page path's tools; None when no news page is due
    taxonomy: Taxonomy | None = None


POOL_EXIT_GRACE_S = 5.0  # a parser process ends this long after its pool is shut down


class _Parsers:
    """Where feed bodies are parsed: a thread, or worker processes when there is much to parse.

    Parsing is the crawl's CPU work and holds the GIL; with many sources other cores help. The
    processes start on the first body to parse, so an all-304 crawl starts none. A pool whose
    process died (a body that crashes or exhausts the parser) is replaced; after that the pool
    parses one body at a time, so that a body that kills its process again costs only its own
    source (reason `parser_crashed`), not the bodies parsed beside it.
    """

    def __init__(self, sources: int, workers: int | None = None) -> None:
        if workers is None:
            workers = min(os.cpu_count() or 1, MAX_PARSER_PROCESSES)
            workers = workers if sources >= PARALLEL_PARSE_MIN_SOURCES and workers > 1 else 0
        self.workers = max(workers, 0)
        self.pool: ProcessPoolExecutor | None = None
        self._one_at_a_time: asyncio.Lock | None = None

    async def run(self, call: Callable[[], _T], url: str) -> _T:
        loop = asyncio.get_running_loop()
        if not self.workers:
            return await loop.run_in_executor(None, call)
        for _attempt in range(2):
            async with self._one_at_a_time or contextlib.nullcontext():
                pool = self._pool()
                try:
                    return await loop.run_in_executor(pool, call)
                except BrokenProcessPool:
                    self._replace(pool)
        raise ParseError("parser_crashed", f"the parser process died while reading {url}")

    def _pool(self) -> ProcessPoolExecutor:
        if self.pool is None:
            context = multiprocessing.get_context("spawn")  # no fork of a threaded process
            self.pool = ProcessPoolExecutor(self.workers, mp_context=context)
        return self.pool

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        if self.pool is broken:
            log.warning("a parser process died; starting a new pool")
            _end_pool(broken)
            self.pool = None
            self._one_at_a_time = self._one_at_a_time or asyncio.Lock()

    def close(self) -> None:
        if self.pool is not None:
            _end_pool(self.pool)
            self.pool = None


def _end_pool(pool: ProcessPoolExecutor, grace_s: float = POOL_EXIT_GRACE_S) -> None:
    """Shut `pool` down and make sure its processes end. A worker that never gets the pool's
    stop message (seen after a sibling process died: the stop goes through a queue the broken
    pool no longer feeds) would wait for work for ever, and the pool's manager thread would
    wait for it, keeping the interpreter from exiting. Nothing is lost: every result the crawl
    asked for has arrived or failed when this runs."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # CPython's own
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(grace_s)
        if process.is_alive():
            process.terminate()
            process.join(grace_s)


class _Writer:
    """Writes the sources' results from one task, a batch per transaction, off the event loop.

    Results that arrive while a batch is being written form the next batch. When a batch fails,
    its results are written one by one, so that a row the database refuses fails only its source.
    """

    def __init__(
        self, store: Store, owner: str, clock: Clock, on_new: Callable[[], None] | None = None
    ) -> None:
        self.store = store
        self.owner = owner
        self.clock = clock
        self.on_new = on_new  # called after a batch that stored new items
        self.queue: list[tuple[FetchState, tuple[Item, ...], asyncio.Future[tuple[int, int]]]] = []
        self.wakeup = asyncio.Event()
        self.closing = False
        self.done = asyncio.Event()

    async def write(
        self,
        state: FetchState,
        items: tuple[Item, ...] = (),
        queued: Callable[[], None] | None = None,
    ) -> tuple[int, int]:
        """Store `items` and `state`; returns (new, updated); raises what the database raised.
        `queued` is called once the result is in the queue."""
        if self.done.is_set():
            raise StoreError("the crawl's writer has stopped")
        future: asyncio.Future[tuple[int, int]] = asyncio.get_running_loop().create_future()
        self.queue.append((state, items, future))
        self.wakeup.set()
        if queued is not None:
            queued()
        return await future

    async def run(self) -> None:
        try:
            while not (self.closing and not self.queue):
                await self.wakeup.wait()
                if not self.closing and len(self.queue) < WRITE_BATCH:
                    await asyncio.sleep(WRITE_LINGER_S)
                self.wakeup.clear()
                while self.queue:
                    await self._flush(self._next_batch())
        finally:
            self.done.set()
            for _state, _items, future in self.queue:
                if not future.done():
                    future.set_exception(StoreError("the crawl stopped before this was written"))

    def _next_batch(
        self,
    ) -> list[tuple[FetchState, tuple[Item, ...], asyncio.Future[tuple[int, int]]]]:
        size = items = 0
        while size < len(self.queue) and size < WRITE_BATCH and items < WRITE_BATCH_ITEMS:
            items += len(self.queue[size][1])
            size += 1
        batch, self.queue = self.queue[:size], self.queue[size:]
        return batch

    async def close(self) -> None:
        self.closing = True
        self.wakeup.set()
        if not self.done.is_set():
            await self.done.wait()

    async def _flush(
        self, batch: list[tuple[FetchState, tuple[Item, ...], asyncio.Future[tuple[int, int]]]]
    ) -> None:
        try:
            counts = await asyncio.to_thread(
                self.store.save_crawl_results,
                [(state, items) for state, items, _future in batch],
                self.clock(),
                self.owner,
            )
        except Exception as exc:
            if len(batch) > 1:
                for one in batch:
                    await self._flush([one])
                return
            if not batch[0][2].done():
                batch[0][2].set_exception(exc)
            return
        for (_state, _items, future), count in zip(batch, counts, strict=True):
            if not future.done():
                future.set_result(count)
        if self.on_new is not None and any(new for new, _updated in counts):
            self.on_new()


async def _crawl_one(source: Source, state: FetchState | None, job: _Job) -> SourceOutcome:
    """Fetch, read and store one source; every failure becomes its outcome, never an exception."""
    async with _Slot(job.in_progress) as slot:
        return await _crawl_one_now(source, state, job, slot)


class _Slot:
    """A place among the sources in progress, given back at the end or as soon as what is left
    to do holds no memory (a result without items, waiting only for its write)."""

    def __init__(self, semaphore: asyncio.Semaphore) -> None:
        self.semaphore = semaphore
        self.held = False

    async def __aenter__(self) -> _Slot:
        await self.semaphore.acquire()
        self.held = True
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release()

    def release(self) -> None:
        if self.held:
            self.held = False
            self.semaphore.release()


async def _crawl_one_now(
    source: Source, state: FetchState | None, job: _Job, slot: _Slot
) -> SourceOutcome:
    url = source.url
    assert url is not None  # due_sources only hands out sources with a feed or a news page
    previous = state or FetchState(source_id=source.id)
    if previous.url != url:  # a new URL: its old validators mean nothing
        previous = replace(previous, url=url, etag=None, last_modified=None)
    stage = "fetch"
    try:
        if source.kind == "page":
            from aggregator.scraping import read_news_page

            stage = "scrape"
            page = await read_news_page(source, previous, _page_tools(source, job), now=job.clock())
            result, read = page.result, page.read
        else:
            result = await job.fetcher.fetch(
                url, etag=previous.etag, last_modified=previous.last_modified
            )
            stage = "parse"
            read = None if result.not_modified else await _parse_feed(source, result, job)
        stage = "store"
        return await _succeeded(source, previous, result, read, job, slot)
    except SourceError as exc:
        error = exc
    except StoreError as exc:
        error = SourceError("store_error", f"storing {source.id} failed: {_one_line(exc)}")
    except Exception as exc:  # a bug met by one source's data must not stop the others
        log.warning("%s: unexpected %s during %s", source.id, type(exc).__name__, stage)
        log.debug("%s: %s failed", source.id, stage, exc_info=True)
        error = SourceError("internal_error", f"{stage} of {url} failed: {_one_line(exc)}")
    return await _failed(source, previous, error, job, slot)


async def _parse_feed(source: Source, result: FetchResult, job: _Job) -> SourceRead:
    """The feed path after its one conditional GET: the fresh body parsed."""
    return await job.parsers.run(
        functools.partial(
            job.reader,
            result.content,
            url=result.final_url,
            content_type=result.content_type,
            source=source,
            now=job.clock(),
            **({"taxonomy": job.taxonomy} if job.taxonomy is not None else {}),
        ),
        result.final_url,
    )


def _page_tools_for(
    due: Sequence[Source],
    fetcher: Fetcher,
    parsers: _Parsers,
    settings: ScrapeSettings | None,
    cache: RobotsCache | None,
    taxonomy: Taxonomy | None = None,
) -> PageTools | None:
    """The tools of the page path, when a news page is due: a crawl of feeds only never loads
    the scraping libraries."""
    if not any(source.kind == "page" for source in due):
        return None
    from aggregator.fetch.politeness import HostSpacing, ScrapeSettings
    from aggregator.fetch.robots import Robots
    from aggregator.scraping import PageTools

    settings = settings or ScrapeSettings()
    return PageTools(
        fetcher,
        Robots(fetcher, cache),
        HostSpacing(settings.host_spacing_s),
        settings,
        run=parsers.run,
        taxonomy=taxonomy,
    )


def _page_tools(source: Source, job: _Job) -> PageTools:
    """The page path's tools for one source: its stored links are asked of the database."""
    assert job.pages is not None  # set whenever a news page is due

    async def known(links: Sequence[str]) -> set[str]:
        return await _db(functools.partial(job.writer.store.known_links, source.id, links))

    return replace(job.pages, known=known)


async def _succeeded(
    source: Source,
    previous: FetchState,
    result: FetchResult,
    read: SourceRead | None,
    job: _Job,
    slot: _Slot,
) -> SourceOutcome:
    """The one success path of both kinds of source: fresh content (`read`) or not modified
    (None). A read that left part of the source for later keeps no validators, so the next
    crawl reads it again even if it has not changed."""
    now = job.clock()
    ttl = read.ttl_minutes if read else None
    next_at = pacing.after_success(source, now, max_age_s=result.max_age, ttl_minutes=ttl)
    modified = read is not None
    status: Status = "ok" if modified else "not_modified"
    keep = read is None or read.complete
    state = replace(
        previous,
        etag=(result.etag if keep else None) or (None if modified else previous.etag),
        last_modified=(result.last_modified if keep else None)
        or (None if modified else previous.last_modified),
        last_fetched_at=now,
        last_success_at=now,
        next_fetch_at=next_at,
        consecutive_failures=0,
        last_status=status,
        last_error=None,
        last_error_message=read.warning if read else None,
        moved_to=result.permanent_redirect,
    )
    items = read.items if read else ()
    new, updated = await _write(job, slot, state, items)
    return SourceOutcome(
        source.id,
        status,
        new=new,
        updated=updated,
        entries=len(items),
        warning=read.warning if read else None,
        moved_to=result.permanent_redirect,
        next_fetch_at=next_at,
    )


async def _failed(
    source: Source, previous: FetchState, exc: SourceError, job: _Job, slot: _Slot
) -> SourceOutcome:
    now = job.clock()
    failures = previous.consecutive_failures + 1
    retry_after = exc.retry_after if isinstance(exc, FetchError) else None
    next_at = pacing.after_failure(source, now, failures, retry_after_s=retry_after, rng=job.rng)
    state = replace(
        previous,
        last_fetched_at=now,
        next_fetch_at=next_at,
        consecutive_failures=failures,
        last_status="failed",
        last_error=exc.reason,
        last_error_message=exc.message,
    )
    try:
        await _write(job, slot, state)
    except Exception as store_exc:  # the failure itself could not be recorded: say so, go on
        log.error("%s: recording its failure failed: %s", source.id, _one_line(store_exc))
    return SourceOutcome(
        source.id, "failed", reason=exc.reason, message=exc.message, next_fetch_at=next_at
    )


async def _write(
    job: _Job, slot: _Slot, state: FetchState, items: tuple[Item, ...] = ()
) -> tuple[int, int]:
    """Hand a source's result to the writer. From here on a stop does not cancel the source (the
    write completes), and a result without items gives its slot back once it is queued."""
    task = asyncio.current_task()
    if task is not None:
        job.writing.add(task)
    return await job.writer.write(state, items, None if items else slot.release)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    if not isinstance(exc, (SourceError, StoreError)):
        text = f"{type(exc).__name__}: {text}"
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"
