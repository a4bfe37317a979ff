"""`run`'s weekly digest job and daily housekeeping: what they do, when they fire, and that a
job that raises does not stop its next run (in the style of test_runner_ticks.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine

import aggregator.digest
import aggregator.scheduler
from aggregator.mail.newsletter import Newsletter
from aggregator.model import Item, Source
from aggregator.scheduler import AUTO_EDITOR, Runner, add_jobs
from aggregator.settings import Settings
from aggregator.store import Store
from aggregator.store.digests import Digests
from aggregator.store.editors import Editors
from aggregator.store.registrations import Registrations
from aggregator.store.subscribers import Subscribers
from aggregator.weekly import BERLIN
from tests.mailserver import MailServer

WEEK = "2026-W48"
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
JOB_TIME = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)  # Monday 06:00 in Berlin, week 49
BASE = "https://stadtforen.example.org/"
SECRET = "j" * 40
LEIPZIG = Source(
    "leipzig", "Stadtforum Leipzig", "Leipzig", "https://l.example/", "https://l.example/f"
)
SOURCES_YAML = (
    "sources:\n  - id: leipzig\n    name: Stadtforum Leipzig\n    city: Leipzig\n"
    "    homepage: https://l.example/\n    feed: https://l.example/f\n"
)


def item(key: str, title: str) -> Item:
    return Item(
        source_id="leipzig",
        guid=key,
        url=f"https://l.example/{key}",
        canonical_url=f"https://l.example/{key}",
        title=title,
        content_html="",
        excerpt=f"Kurztext zu {title}",
        published=MONDAY,
        cities=("Leipzig",),
    )


@pytest.fixture
def store(engine: Engine) -> Store:
    s = Store(engine)
    s.sync_sources([LEIPZIG])
    s.upsert_items([item("bahnhof", "Neuer Bahnhofsvorplatz in Leipzig")], now=MONDAY)
    s.upsert_items([item("park", "Parkfest im Clara-Zetkin-Park")], now=MONDAY + timedelta(days=2))
    return s


@pytest.fixture
def at_job_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(aggregator.scheduler, "utc_now", lambda: JOB_TIME)
    yield


def settings_of(tmp_path: Path, **values: Any) -> Settings:
    config = tmp_path / "sources.yaml"
    config.write_text(SOURCES_YAML, encoding="utf-8")
    return Settings(
        config=config, output_dir=tmp_path / "public", base_url=BASE, mail_secret=SECRET, **values
    )


def confirmed_subscriber(engine: Engine, email: str) -> None:
    newsletter = Newsletter(engine, base_url=BASE, secret=SECRET)
    result = newsletter.subscribe(email, JOB_TIME - timedelta(days=1))
    assert result.confirm_url is not None
    assert newsletter.confirm(result.confirm_url.rsplit("/", 1)[1], JOB_TIME)


@pytest.mark.usefixtures("at_job_time")
def test_the_weekly_job_drafts_the_previous_week_and_sends_nothing(
    tmp_path: Path, store: Store
) -> None:
    with MailServer() as server:
        confirmed_subscriber(store.engine, "leserin@example.org")
        runner = Runner(settings_of(tmp_path, smtp_port=server.port), store, [LEIPZIG])
        runner.digest_job()
        digest = Digests(store.engine).get(WEEK)
        assert digest is not None and digest.status == "draft"
        assert [e.title for e in digest.entries] == [
            "Parkfest im Clara-Zetkin-Park",
            "Neuer Bahnhofsvorplatz in Leipzig",
        ]
        assert server.messages == []
        assert not (tmp_path / "public").exists()


@pytest.mark.usefixtures("at_job_time")
def test_auto_approve_approves_and_releases_the_draft(tmp_path: Path, store: Store) -> None:
    with MailServer() as server:
        confirmed_subscriber(store.engine, "leserin@example.org")
        settings = settings_of(tmp_path, smtp_port=server.port, digest_auto_approve=True)
        runner = Runner(settings, store, [LEIPZIG])
        runner.digest_job()
        digest = Digests(store.engine).get(WEEK)
        assert digest is not None
        assert (digest.status, digest.approved_by, digest.approved_at) == (
            "approved",
            AUTO_EDITOR,
            JOB_TIME,
        )
        page = tmp_path / "public" / "digest" / f"{WEEK}.html"
        assert "Parkfest im Clara-Zetkin-Park" in page.read_text(encoding="utf-8")
        assert server.recipients() == ["leserin@example.org"]
        assert server.messages[0]["Subject"] == "Stadtforen-Wochenschau KW 48/2026"

        runner.digest_job()  # again (e.g. a restart): approved already, nothing sent twice
        assert len(server.messages) == 1


@pytest.mark.usefixtures("at_job_time")
def test_auto_approve_leaves_an_empty_week_a_draft(tmp_path: Path, engine: Engine) -> None:
    store = Store(engine)
    store.sync_sources([LEIPZIG])
    runner = Runner(settings_of(tmp_path, digest_auto_approve=True), store, [LEIPZIG])
    runner.digest_job()
    digest = Digests(engine).get(WEEK)
    assert digest is not None and (digest.status, digest.entries) == ("draft", ())


@pytest.mark.usefixtures("at_job_time")
def test_a_digest_job_that_raises_does_not_stop_the_next(
    tmp_path: Path,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    real = aggregator.digest.draft_digest
    calls: list[int] = []

    def draft_digest(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise OverflowError("int too large to convert")
        return real(*args, **kwargs)

    monkeypatch.setattr(aggregator.digest, "draft_digest", draft_digest)
    runner = Runner(settings_of(tmp_path), store, [LEIPZIG])
    with caplog.at_level(logging.ERROR, logger="aggregator.scheduler"):
        runner.digest_job()  # must not raise
    assert "digest job failed: unexpected OverflowError: int too large" in caplog.text
    assert Digests(store.engine).get(WEEK) is None
    runner.digest_job()
    assert len(calls) == 2
    digest = Digests(store.engine).get(WEEK)
    assert digest is not None and len(digest.entries) == 2


@pytest.mark.usefixtures("at_job_time")
def test_housekeeping_deletes_expired_sign_ups_and_sessions_only(
    tmp_path: Path, store: Store
) -> None:
    engine = store.engine
    newsletter = Newsletter(engine, base_url=BASE, secret=SECRET)
    newsletter.subscribe("alt@example.org", JOB_TIME - timedelta(days=8))
    newsletter.subscribe("neu@example.org", JOB_TIME - timedelta(days=1))
    confirmed_subscriber(engine, "leserin@example.org")
    editors = Editors(engine)
    anna = editors.add("anna", "$argon2id$v=19$m=65536,t=3,p=4$x$y", JOB_TIME - timedelta(days=9))
    editors.open_session(anna.id, "h-old", "c1", JOB_TIME - timedelta(days=9), JOB_TIME)
    editors.open_session(
        anna.id, "h-live", "c2", JOB_TIME - timedelta(hours=1), JOB_TIME + timedelta(days=6)
    )
    registrations = Registrations(engine)
    for days in (8, 1):
        registrations.create(
            kind="new", source_id=f"forum-{days}", name="Forum", city=None,
            homepage="https://forum.example/", definition={}, contact_email="a@example.org",
            description=None, preview=None, confirm_hash=f"h{days}",
            now=JOB_TIME - timedelta(days=days),
        )  # fmt: skip
    runner = Runner(settings_of(tmp_path), store, [LEIPZIG])
    runner.housekeeping_job()
    assert [r.source_id for r in registrations.listing(("unconfirmed",))] == ["forum-1"]
    subscribers = Subscribers(engine)
    assert subscribers.find("alt@example.org") is None
    assert subscribers.counts() == {"pending": 1, "confirmed": 1}
    idle = timedelta(hours=12)
    assert editors.session("h-old", JOB_TIME, idle) is None
    assert editors.session("h-live", JOB_TIME, idle) is not None


def test_a_housekeeping_job_that_raises_is_logged(
    tmp_path: Path, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    runner = Runner(settings_of(tmp_path), store, [LEIPZIG])
    runner.store = Store(_broken_engine())
    with caplog.at_level(logging.ERROR, logger="aggregator.scheduler"):
        runner.housekeeping_job()  # must not raise
    assert "housekeeping job failed" in caplog.text


def _broken_engine() -> Engine:
    from sqlalchemy import create_engine

    return create_engine("sqlite:////nonexistent-folder/none.db")


def next_fire(settings: Settings, job_id: str, now: datetime) -> datetime | None:
    scheduler = BackgroundScheduler(timezone="UTC")
    add_jobs(scheduler, Runner(settings, Store(_broken_engine()), []))
    job = scheduler.get_job(job_id)
    if job is None:
        return None
    fire: datetime | None = job.trigger.get_next_fire_time(None, now)
    return fire


def test_the_weekly_job_fires_at_its_schedule_in_berlin_time() -> None:
    wednesday = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    fire = next_fire(Settings(), "weekly-digest", wednesday)
    assert fire == datetime(2026, 11, 30, 6, 0, tzinfo=BERLIN)
    # summer time: 06:00 in Berlin is 04:00 UTC
    fire = next_fire(Settings(), "weekly-digest", datetime(2026, 6, 3, 12, 0, tzinfo=UTC))
    assert fire is not None and fire.astimezone(UTC) == datetime(2026, 6, 8, 4, 0, tzinfo=UTC)
    fire = next_fire(Settings(digest_schedule="Sun 23:15"), "weekly-digest", wednesday)
    assert fire == datetime(2026, 11, 29, 23, 15, tzinfo=BERLIN)
    assert next_fire(Settings(digest_schedule="off"), "weekly-digest", wednesday) is None
    housekeeping = next_fire(Settings(), "housekeeping", wednesday)
    assert housekeeping == datetime(2026, 11, 26, 4, 30, tzinfo=BERLIN)


def test_a_weekly_draft_missed_while_stopped_is_drafted_at_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, store: Store
) -> None:
    """APScheduler keeps its jobs in memory: a process down on Monday at 06:00 drafts at start."""
    tuesday = JOB_TIME + timedelta(days=1)  # week 49: week 48's draft was due on Monday
    monkeypatch.setattr(aggregator.scheduler, "utc_now", lambda: tuesday)
    runner = Runner(settings_of(tmp_path), store, [LEIPZIG])
    scheduler = BackgroundScheduler(timezone="UTC")
    add_jobs(scheduler, runner)
    catch_up = scheduler.get_job("weekly-digest-catch-up")
    assert catch_up is not None
    assert catch_up.trigger.get_next_fire_time(None, tuesday) == tuesday + timedelta(seconds=30)
    catch_up.func()
    digest = Digests(store.engine).get(WEEK)
    assert digest is not None and digest.status == "draft"

    again = BackgroundScheduler(timezone="UTC")  # a restart after that: nothing to catch up
    add_jobs(again, runner)
    assert again.get_job("weekly-digest-catch-up") is None
    early = JOB_TIME - timedelta(hours=1)  # Monday 05:00 in Berlin: not due yet, not missed
    assert not runner.digest_missed(("mon", 6, 0), early)


def test_the_health_alerts_run_as_their_own_job_every_ten_minutes() -> None:
    scheduler = BackgroundScheduler(timezone="UTC")
    add_jobs(scheduler, Runner(Settings(), Store(_broken_engine()), []))
    job = scheduler.get_job("health-alerts")
    assert job is not None
    assert job.trigger.interval == timedelta(minutes=10)
    assert job.func.__name__ == "health_alerts_job"


def test_a_health_alerts_job_that_raises_is_logged(
    tmp_path: Path, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    runner = Runner(settings_of(tmp_path), store, [LEIPZIG])
    runner.store = Store(_broken_engine())
    with caplog.at_level(logging.ERROR, logger="aggregator.scheduler"):
        runner.health_alerts_job()  # must not raise
    assert "health alerts failed" in caplog.text
