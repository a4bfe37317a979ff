"""Source health in the database (SQLite and PostgreSQL): the failure period the crawl keeps,
the figures per source, the relaunch rule at the items' insert, held items left out of the
stories and the digest until released, and the mails' claims."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from aggregator.model import FetchState, Item, Source
from aggregator.store import Store
from aggregator.store.digests import Digests
from aggregator.store.health import SourceHealthStore
from aggregator.weekly import week_of

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
LEIPZIG = Source(
    "leipzig", "Stadtforum Leipzig", "Leipzig", "https://l.example/", "https://l.example/feed/"
)
WEIMAR = Source(
    "weimar",
    "Weimarer Forum",
    "Weimar",
    "https://w.example/",
    None,
)


@pytest.fixture
def store(engine: Engine) -> Store:
    store = Store(engine)
    store.sync_sources([LEIPZIG, WEIMAR])
    return store


def post(n: int, *, guid: str | None = None, published: datetime | None = None) -> Item:
    return Item(
        source_id="leipzig",
        guid=guid or f"alt-{n}",
        url=f"https://l.example/{n}",
        canonical_url=f"https://l.example/{n}",
        title=f"Beitrag {n}: Sanierung am Markt",
        content_html="",
        excerpt=f"Text {n}",
        published=published or T0 - timedelta(days=200 - n),
        cities=("Leipzig",),
    )


def state(status: str, at: datetime, failures: int = 0) -> FetchState:
    return FetchState(
        source_id="leipzig",
        url=LEIPZIG.feed,
        last_fetched_at=at,
        last_success_at=at if status != "failed" else None,
        consecutive_failures=failures,
        last_status=status,
        last_error="http_503" if status == "failed" else None,
    )


def test_failing_since_is_the_first_failure_after_a_success(store: Store) -> None:
    health = SourceHealthStore(store.engine)

    def failing_since() -> datetime | None:
        return health.stats([LEIPZIG], T0)[0].failing_since

    store.save_fetch_state(state("ok", T0))
    assert failing_since() is None
    store.save_fetch_state(state("failed", T0 + timedelta(hours=1), 1))
    assert failing_since() == T0 + timedelta(hours=1)
    store.save_crawl_results([(state("failed", T0 + timedelta(hours=2), 2), ())], T0, "me")
    assert failing_since() == T0 + timedelta(hours=1)  # the period goes on
    store.save_fetch_state(state("not_modified", T0 + timedelta(hours=3)))
    assert failing_since() is None
    store.save_fetch_state(state("failed", T0 + timedelta(hours=4), 1))
    assert failing_since() == T0 + timedelta(hours=4)  # a new period


def test_stats_per_source(store: Store) -> None:
    now = T0 + timedelta(days=1)
    store.upsert_items([post(n) for n in range(5)], T0 - timedelta(days=60))
    store.upsert_items([post(10, published=T0 - timedelta(days=10)), post(11, published=T0)], T0)
    store.save_fetch_state(
        replace(state("ok", T0), moved_to="https://l.example/neu/feed/", etag='"x"')
    )
    leipzig, weimar = SourceHealthStore(store.engine).stats([LEIPZIG, WEIMAR], now)
    assert (leipzig.source_id, leipzig.kind, leipzig.url) == ("leipzig", "feed", LEIPZIG.feed)
    assert leipzig.items == 7
    assert leipzig.held == 0
    assert leipzig.newest_published == T0
    assert leipzig.found_30_days == 2  # first seen within 30 days
    assert leipzig.published_90_days == 2
    assert leipzig.last_status == "ok"
    assert leipzig.http_status == 200
    assert leipzig.moved_to == "https://l.example/neu/feed/"
    assert (weimar.items, weimar.newest_published, weimar.last_status) == (0, None, None)
    assert weimar.kind == "feed" and weimar.url is None


def test_forty_re_issued_items_are_held_until_released(store: Store) -> None:
    store.upsert_items([post(n) for n in range(40)], T0 - timedelta(days=30))
    before = store.latest_change()
    # the relaunch: the same 40 posts under new guids and new URLs, dated today, and one new post
    relaunch = [
        replace(
            post(n, guid=f"neu-{n}", published=T0),
            url=f"https://l.example/neu/{n}",
            canonical_url=f"https://l.example/neu/{n}",
        )
        for n in range(40)
    ]
    fresh = replace(post(99, guid="neu-99", published=T0), title="Stammtisch im Dezember")
    assert store.upsert_items([*relaunch, fresh], T0) == (41, 0)

    health = SourceHealthStore(store.engine)
    [stats] = health.stats([LEIPZIG], T0)
    assert (stats.items, stats.held) == (81, 41)
    assert stats.newest_published == T0 - timedelta(days=200 - 39)  # of the items shown
    titles = [story.title for story in store.stories()]
    assert len(titles) == 40
    assert "Stammtisch im Dezember" not in titles
    assert store.count_stories() == 40
    assert store.count_stories("Leipzig") == 40
    assert store.cities() == [("Leipzig", 40)]
    assert store.latest_change()[1] == before[1]  # nothing new to publish
    week = week_of(T0)
    assert Digests(store.engine).candidates(week) == []  # nothing first seen this week shows
    held = health.held_items("leipzig")
    assert len(held) == 41
    assert {h.title for h in held} >= {"Stammtisch im Dezember", "Beitrag 0: Sanierung am Markt"}

    assert health.release_held("leipzig") == 41
    assert health.release_held("leipzig") == 0
    assert len(store.stories()) == 81
    assert store.latest_change()[1] == before[1] + 41
    assert len(Digests(store.engine).candidates(week)) == 41
    assert health.stats([LEIPZIG], T0)[0].held == 0


def test_re_dated_items_are_held_and_an_ordinary_update_is_not(store: Store) -> None:
    store.upsert_items([post(n) for n in range(20)], T0 - timedelta(days=30))
    # one post corrected: nothing held
    store.upsert_items([replace(post(3), title="Beitrag 3: korrigiert")], T0)
    assert SourceHealthStore(store.engine).stats([LEIPZIG], T0)[0].held == 0
    redated = [post(n, published=T0 + timedelta(minutes=n)) for n in range(12)]
    assert store.upsert_items(redated, T0 + timedelta(hours=1)) == (0, 12)
    assert SourceHealthStore(store.engine).stats([LEIPZIG], T0)[0].held == 12
    shown = [story.title for story in store.stories()]
    assert len(shown) == 8
    assert all(int(title.split()[1].rstrip(":")) >= 12 for title in shown)


def test_a_first_crawl_of_many_old_items_is_not_held(store: Store) -> None:
    store.upsert_items([post(n) for n in range(40)], T0)
    assert SourceHealthStore(store.engine).stats([LEIPZIG], T0)[0].held == 0
    assert len(store.stories()) == 40


def test_each_health_mail_is_claimed_once(store: Store) -> None:
    health = SourceHealthStore(store.engine)
    store.save_fetch_state(state("failed", T0, 1))
    now = T0 + timedelta(hours=24)
    assert health.claim_alert("leipzig", T0, now)
    assert not health.claim_alert("leipzig", T0, now)
    assert health.stats([LEIPZIG], now)[0].alert_sent_at == now
    health.undo_alert("leipzig", now, None)
    assert health.stats([LEIPZIG], now)[0].alert_sent_at is None
    assert health.claim_alert("leipzig", T0, now)
    assert health.claim_recovery("leipzig", now)
    assert not health.claim_recovery("leipzig", now)
    health.undo_recovery("leipzig", now)
    assert health.stats([LEIPZIG], now)[0].alert_sent_at == now
