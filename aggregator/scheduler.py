"""The long-running process behind `aggregator run`: crawl what is due, publish what changed.

APScheduler runs the jobs:
- every `check_every_s` seconds: ask the database which sources are due (their
  `next_fetch_at`, so a restart picks up exactly where the last process stopped), crawl them,
  and publish when anything changed. sources.yaml is read again on every tick, so an edit takes
  effect without a restart; a broken edit is logged and the last good list is kept.
- weekly at `digest_schedule` (Europe/Berlin, default Monday 06:00): draft the previous week's
  digest; with `digest_auto_approve`, approve it and release it (publish and mail).
- daily: delete unconfirmed newsletter addresses whose link expired and dead editor sessions.

Every job survives any exception (logged); the next run of each job happens as scheduled.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from types import FrameType
from typing import TYPE_CHECKING

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

from aggregator.crawl import CrawlReport
from aggregator.errors import AggregatorError, ConfigError, StoreError
from aggregator.fetch.robots import RobotsCache
from aggregator.model import Source
from aggregator.runtime import crawl_once, load_sources, publish_once, utc_now
from aggregator.settings import DAYS, Settings, parse_digest_schedule
from aggregator.store.repository import Store
from aggregator.weekly import BERLIN

if TYPE_CHECKING:
    from aggregator.tagging.topics import Taxonomy

log = logging.getLogger(__name__)

AUTO_EDITOR = "automatisch"  # approved_by of a digest the weekly job approved itself
HOUSEKEEPING_AT = (4, 30)  # daily, Europe/Berlin: a quiet hour
HEALTH_ALERTS_EVERY_S = 600  # the alert and recovery mails: their own job, so a slow SMTP
# server never delays a crawl tick
CATCH_UP_DELAY_S = 30  # a weekly draft missed while stopped: after the first crawl has begun


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
            config = load_sources(self.settings, self.store)
            self.sources, self.taxonomy = config.sources, config.taxonomy
        except ConfigError as exc:
            for line in exc.problems:
                log.error("%s (keeping the last valid list of sources)", line)
        except StoreError as exc:
            log.error("cannot read the registered sources: %s (keeping the last list)", exc)

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

    def crawl_new_source(self, source_id: str) -> None:
        """Crawl one source now, due or not (one the editor just approved), and publish what
        it brought. Never raises (a background job): failures are logged."""
        with self._lock:
            try:
                self.reload_sources()
                report = crawl_once(
                    self.settings,
                    self.store,
                    self.sources,
                    force=True,
                    only=[source_id],
                    stop=self.stop.is_set,
                    robots=self.robots,
                    taxonomy=self.taxonomy,
                )
                self.report(report)
            except Exception as exc:
                log.error("first crawl of %s failed: %s: %s", source_id, type(exc).__name__, exc)
                log.debug("first crawl of %s failed", source_id, exc_info=True)

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

    # -- the weekly digest and the daily housekeeping ----------------------------------------

    def digest_job(self) -> None:
        """Draft the previous week's digest (auto-approve: approve and release it). Never
        raises."""
        _guarded("digest job", self._digest_job)

    def digest_missed(self, schedule: tuple[str, int, int], now: datetime) -> bool:
        """Whether this week's scheduled draft time has passed and the digest the weekly job
        drafts is not there: the process was down at that moment (APScheduler keeps its jobs
        in memory only), so it is drafted at start instead. Never raises: False on doubt."""
        from aggregator.store.digests import Digests
        from aggregator.weekly import parse_week, previous_week, week_of

        day, hour, minute = schedule
        monday = parse_week(week_of(now))[0].astimezone(BERLIN)
        due = (monday + timedelta(days=DAYS.index(day))).replace(hour=hour, minute=minute)
        if due > now:
            return False
        try:
            return Digests(self.store.engine).get(previous_week(now)) is None
        except Exception as exc:
            log.error("digest catch-up: cannot read the digests: %s", exc)
            return False

    def _digest_job(self) -> None:
        from aggregator.digest import draft_digest
        from aggregator.store.digests import Digests
        from aggregator.weekly import previous_week

        now = utc_now()
        week = previous_week(now)
        digests = Digests(self.store.engine)
        existing = digests.get(week)
        if existing is not None and existing.status == "approved":
            log.info("digest %s: already approved by %s", week, existing.approved_by)
            return
        digest = draft_digest(digests, week, now, max_entries=self.settings.digest_max_entries)
        included = sum(1 for entry in digest.entries if entry.included)
        log.info(
            "digest %s: drafted, %d entries (%d included)", week, len(digest.entries), included
        )
        if not self.settings.digest_auto_approve:
            return
        if included == 0:
            log.warning("digest %s: nothing to send, not approved automatically", week)
            return
        digests.approve(week, AUTO_EDITOR, now, expected_version=digest.version)
        log.info("digest %s: approved automatically; releasing it", week)
        self.release(week)

    def release(self, week: str) -> None:
        """Publish and send the approved digest of `week` (see `release.release_digest`)."""
        from aggregator.release import release_digest

        self.reload_sources()
        release_digest(
            self.settings, self.store, week, utc_now(), sources=self.sources, taxonomy=self.taxonomy
        )

    def health_alerts_job(self) -> None:
        """Mail the editor and the forum about a source failing for a day, and about its
        recovery (once each; `alerts.send_health_alerts`). Never raises."""
        _guarded("health alerts", self._health_alerts_job)

    def _health_alerts_job(self) -> None:
        from aggregator.alerts import send_health_alerts
        from aggregator.mail.smtp import SmtpConfig

        report = send_health_alerts(
            self.settings,
            self.store.engine,
            SmtpConfig.from_settings(self.settings),
            utc_now(),
            sources=self.sources,
        )
        for source_id in report.alerts:
            log.warning(
                "source %s has failed for %d h: alert mailed",
                source_id,
                self.settings.alert_after_h,
            )
        for source_id in report.recoveries:
            log.info("source %s is read again: recovery mailed", source_id)
        if report.failed:
            log.warning("health mails not sent for %s (retried)", ", ".join(report.failed))

    def housekeeping_job(self) -> None:
        """Delete expired unconfirmed subscribers and registrations, and editor sessions. Never
        raises."""
        _guarded("housekeeping job", self._housekeeping_job)

    def _housekeeping_job(self) -> None:
        from aggregator.mail.newsletter import CONFIRM_VALID
        from aggregator.onboarding import purge_unconfirmed
        from aggregator.store.editors import Editors
        from aggregator.store.subscribers import Subscribers

        now = utc_now()
        addresses = Subscribers(self.store.engine).purge_unconfirmed(now, CONFIRM_VALID)
        idle = timedelta(seconds=self.settings.editor_session_idle_s)
        sessions = Editors(self.store.engine).purge_sessions(now, idle)
        requests = purge_unconfirmed(self.store.engine, now)
        log.info(
            "housekeeping: %d unconfirmed addresses, %d unconfirmed registrations and %d editor "
            "sessions deleted",
            addresses,
            requests,
            sessions,
        )


def _guarded(name: str, job: Callable[[], None]) -> None:
    """Run `job`; log whatever it raises (APScheduler would only log it, less clearly)."""
    try:
        job()
    except AggregatorError as exc:
        log.error("%s failed: %s", name, exc)
    except Exception as exc:
        log.error("%s failed: unexpected %s: %s", name, type(exc).__name__, exc)
        log.debug("%s failed", name, exc_info=True)


def add_jobs(scheduler: BaseScheduler, runner: Runner) -> None:
    """The crawl tick, the weekly digest (unless its schedule is "off"), the health alerts and
    the housekeeping."""
    settings = runner.settings
    scheduler.add_job(
        runner.tick,
        "interval",
        seconds=settings.check_every_s,
        next_run_time=utc_now() + timedelta(seconds=settings.check_every_s),
        max_instances=1,
        coalesce=True,
        id="crawl-due-sources",
    )
    schedule = parse_digest_schedule(settings.digest_schedule)
    if schedule is not None:
        day, hour, minute = schedule
        scheduler.add_job(
            runner.digest_job,
            CronTrigger(day_of_week=day, hour=hour, minute=minute, timezone=BERLIN),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=3600,  # late (a busy or suspended process) but still drafted
            id="weekly-digest",
        )
        now = utc_now()
        if runner.digest_missed(schedule, now):
            log.info("the weekly digest was due while the aggregator was not running: drafting")
            scheduler.add_job(
                runner.digest_job,
                "date",
                run_date=now + timedelta(seconds=CATCH_UP_DELAY_S),
                id="weekly-digest-catch-up",
            )
    scheduler.add_job(
        runner.health_alerts_job,
        "interval",
        seconds=HEALTH_ALERTS_EVERY_S,
        next_run_time=utc_now() + timedelta(seconds=HEALTH_ALERTS_EVERY_S),
        max_instances=1,
        coalesce=True,
        id="health-alerts",
    )
    hour, minute = HOUSEKEEPING_AT
    scheduler.add_job(
        runner.housekeeping_job,
        CronTrigger(hour=hour, minute=minute, timezone=BERLIN),
        max_instances=1,
        coalesce=True,
        misfire_grace_time=3600,
        id="housekeeping",
    )


def run_forever(runner: Runner) -> None:
    """Run the jobs until `runner.stop` is set (SIGINT/SIGTERM); the current tick finishes its
    writes."""
    scheduler = BackgroundScheduler(timezone="UTC")
    add_jobs(scheduler, runner)
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
