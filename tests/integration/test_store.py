"""The store on a real SQLite file and a real PostgreSQL database: what the crawler writes and
what the public pages read back."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, insert, select, update

from aggregator.errors import StoreError
from aggregator.model import FetchState, Item, Source, Tag
from aggregator.store import Store, make_engine
from aggregator.store.schema import ItemRow, ItemTagRow, SourceRow

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
BERLIN_WINTER = timezone(timedelta(hours=1))

LEIPZIG = Source(
    id="leipzig",
    name="Stadtforum Leipzig",
    city="Leipzig",
    homepage="https://stadtforum-leipzig.example/",
    feed="https://stadtforum-leipzig.example/feed/",
)
DRESDEN = Source(
    id="dresden",
    name="Stadtforum Dresden",
    city="Dresden",
    homepage="https://stadtforum-dresden.example/",
    feed="https://stadtforum-dresden.example/feed/",
)
GOERLITZ = Source(
    id="goerlitz",
    name="Görlitzer Forum",
    city="Görlitz",
    homepage="https://forum-goerlitz.example/",
    feed=None,
)


@pytest.fixture
def store(engine: Engine) -> Store:
    store = Store(engine)
    store.sync_sources([LEIPZIG, DRESDEN, GOERLITZ])
    return store


def item(source: Source, n: int, **changes: object) -> Item:
    base = Item(
        source_id=source.id,
        guid=f"{source.id}-{n}",
        url=f"https://{source.id}.example/news/{n}?utm_source=feed",
        canonical_url=f"https://{source.id}.example/news/{n}",
        title=f"Meldung {n} aus {source.city}",
        content_html=f"<p>Inhalt {n}</p>",
        excerpt=f"Inhalt {n}",
        published=T0 + timedelta(hours=n),
        author="Redaktion",
        cities=(source.city,) if source.city else (),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# -- items -------------------------------------------------------------------------------------


def test_recrawl_of_identical_items_changes_nothing(store: Store, engine: Engine) -> None:
    items = [item(LEIPZIG, n) for n in range(5)]
    assert store.upsert_items(items, now=T0) == (5, 0)

    assert store.upsert_items(items, now=T0 + timedelta(hours=1)) == (0, 0)
    reordered = [replace(i, cities=(*reversed(i.cities), "Leipzig")) for i in items]
    assert store.upsert_items(reordered, now=T0 + timedelta(hours=1)) == (0, 0)

    assert store.count_stories() == 5
    with engine.connect() as conn:
        rows = conn.execute(select(ItemRow.first_seen_at, ItemRow.last_seen_at)).all()
    assert {row.first_seen_at for row in rows} == {T0}
    assert {row.last_seen_at for row in rows} == {T0 + timedelta(hours=1)}


def test_edited_item_is_updated_in_place(store: Store) -> None:
    store.upsert_items([item(LEIPZIG, 1)], now=T0)
    [before] = store.stories()

    edited = item(LEIPZIG, 1, title="Meldung 1 (korrigiert)", updated=T0 + timedelta(days=1))
    assert store.upsert_items([edited], now=T0 + timedelta(days=1)) == (0, 1)

    [after] = store.stories()
    assert after.id == before.id == "leipzig:leipzig-1"
    assert after.title == "Meldung 1 (korrigiert)"
    assert after.updated == T0 + timedelta(days=1)
    assert after.first_seen == before.first_seen == T0
    assert store.count_stories() == 1


def test_edit_keeps_the_database_row(store: Store, engine: Engine) -> None:
    store.upsert_items([item(LEIPZIG, 1)], now=T0)
    with engine.connect() as conn:
        row_id = conn.execute(select(ItemRow.id)).scalar_one()
    store.upsert_items([item(LEIPZIG, 1, excerpt="neu")], now=T0 + timedelta(hours=2))
    with engine.connect() as conn:
        rows = conn.execute(select(ItemRow.id, ItemRow.excerpt, ItemRow.first_seen_at)).all()
    assert [tuple(row) for row in rows] == [(row_id, "neu", T0)]


def test_same_guid_twice_in_one_batch_last_wins(store: Store) -> None:
    first = item(LEIPZIG, 1, title="erste Fassung")
    last = item(LEIPZIG, 1, title="letzte Fassung")
    assert store.upsert_items([first, item(LEIPZIG, 2), last], now=T0) == (2, 0)
    titles = {story.title for story in store.stories()}
    assert titles == {"letzte Fassung", "Meldung 2 aus Leipzig"}


def test_same_guid_in_two_sources_are_two_items(store: Store) -> None:
    a = item(LEIPZIG, 1, guid="post-1")
    b = item(DRESDEN, 1, guid="post-1")
    assert store.upsert_items([a, b], now=T0) == (2, 0)
    assert {story.id for story in store.stories()} == {"leipzig:post-1", "dresden:post-1"}


def test_source_and_text_tags_follow_the_item_and_the_editors_stay(
    store: Store, engine: Engine
) -> None:
    first = item(
        LEIPZIG,
        1,
        cities=("Leipzig",),
        tags=(
            Tag("city", "Halle (Saale)", "text", ("Hallenser",)),
            Tag("topic", "denkmalpflege", "text", ("Abriss", "Gründerzeithaus")),
        ),
    )
    store.upsert_items([first], now=T0)
    with engine.begin() as conn:
        item_id = conn.execute(select(ItemRow.id)).scalar_one()
        conn.execute(
            insert(ItemTagRow),
            [
                {"item_id": item_id, "kind": "city", "value": "Markkleeberg", "origin": "editor",
                 "removed": False},
                # the editor took "wohnen" away: whatever the tagger finds later, it stays away
                {"item_id": item_id, "kind": "topic", "value": "wohnen", "origin": "editor",
                 "removed": True},
            ],
        )  # fmt: skip
        why = conn.execute(
            select(ItemTagRow.why).where(ItemTagRow.value == "denkmalpflege")
        ).scalar_one()
    assert json.loads(why) == ["Abriss", "Gründerzeithaus"]

    changed = replace(
        first,
        title="Neue Fassung",
        tags=(
            Tag("topic", "wohnen", "text", ("Leerstand",)),
            Tag("topic", "beteiligung", "text", ("Petition",)),
            Tag("city", "Leipzig", "text", ("Leipziger",)),  # the source's city: stored once
        ),
    )
    store.upsert_items([changed], now=T0)

    [story] = store.stories()
    assert story.cities == ("Leipzig", "Markkleeberg")
    with engine.connect() as conn:
        tags = set(
            conn.execute(
                select(ItemTagRow.kind, ItemTagRow.value, ItemTagRow.origin, ItemTagRow.removed)
            )
        )
    assert tags == {
        ("city", "Leipzig", "source", False),
        ("city", "Markkleeberg", "editor", False),
        ("topic", "wohnen", "editor", True),
        ("topic", "beteiligung", "text", False),
    }


def test_a_city_the_editor_removed_is_not_shown(store: Store, engine: Engine) -> None:
    tagged = item(LEIPZIG, 1, cities=("Leipzig",), tags=(Tag("city", "Weimar", "text"),))
    store.upsert_items([tagged], now=T0)
    with engine.begin() as conn:
        conn.execute(
            update(ItemTagRow)
            .where(ItemTagRow.value == "Weimar")
            .values(origin="editor", removed=True)
        )
    [story] = store.stories()
    assert story.cities == ("Leipzig",)
    assert store.count_stories(city="Weimar") == 0
    assert [city for city, _count in store.cities()] == ["Leipzig"]


def test_items_of_an_unknown_source_are_refused(store: Store) -> None:
    stranger = replace(LEIPZIG, id="unbekannt")
    with pytest.raises(StoreError, match="unbekannt"):
        store.upsert_items([item(stranger, 1)], now=T0)
    assert store.count_stories() == 0


def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="naive"):
        store.upsert_items([item(LEIPZIG, 1)], now=datetime(2026, 11, 24, 8, 0))
    with pytest.raises(ValueError, match="naive"):
        store.upsert_items([item(LEIPZIG, 1, published=datetime(2026, 11, 24))], now=T0)


def test_many_items_in_one_call(store: Store) -> None:
    items = [item(DRESDEN, n) for n in range(1200)]
    assert store.upsert_items(items, now=T0) == (1200, 0)
    changed = [item(DRESDEN, n, title="neu") if n % 2 else item(DRESDEN, n) for n in range(1200)]
    assert store.upsert_items(changed, now=T0) == (0, 600)
    assert store.count_stories() == 1200
    assert store.fetch_states(["dresden"])["dresden"].item_count == 1200


# -- stories -----------------------------------------------------------------------------------


def test_same_article_at_two_forums_is_one_story(store: Store) -> None:
    shared = "https://lvz.example/artikel/abriss-denkmal"
    store.upsert_items([item(DRESDEN, 1, canonical_url=shared)], now=T0)
    store.upsert_items(
        [item(LEIPZIG, 1, canonical_url=shared), item(GOERLITZ, 1, canonical_url=shared)],
        now=T0 + timedelta(minutes=5),
    )
    store.upsert_items([item(LEIPZIG, 2)], now=T0 + timedelta(minutes=5))

    stories = store.stories()

    assert [story.id for story in stories] == ["leipzig:leipzig-2", "dresden:dresden-1"]
    shared_story = stories[1]
    assert shared_story.source_name == "Stadtforum Dresden"  # seen first
    assert shared_story.source_city == "Dresden"
    assert shared_story.also_at == ("Görlitzer Forum", "Stadtforum Leipzig")
    assert shared_story.cities == ("Dresden", "Görlitz", "Leipzig")
    assert stories[0].also_at == ()
    assert store.count_stories() == 2


def test_same_article_twice_from_one_forum_does_not_list_the_forum_again(store: Store) -> None:
    shared = "https://leipzig.example/news/1"
    store.upsert_items([item(LEIPZIG, 1), item(LEIPZIG, 99, canonical_url=shared)], now=T0)
    [story] = store.stories()
    assert story.id == "leipzig:leipzig-1"  # same first_seen: the lower id is primary
    assert story.also_at == ()


def test_newest_first_and_pagination(store: Store) -> None:
    store.upsert_items([item(LEIPZIG, n) for n in range(10)], now=T0)
    store.upsert_items([item(DRESDEN, n) for n in range(10, 15)], now=T0)

    everything = store.stories()
    assert [s.published for s in everything] == sorted(
        (s.published for s in everything), reverse=True
    )
    assert [s.id for s in everything][:2] == ["dresden:dresden-14", "dresden:dresden-13"]

    pages = [store.stories(limit=4, offset=offset) for offset in range(0, 16, 4)]
    assert [len(page) for page in pages] == [4, 4, 4, 3]
    assert [s.id for page in pages for s in page] == [s.id for s in everything]
    assert store.stories(limit=4, offset=100) == []
    assert store.stories(limit=0) == []


def test_stories_without_content_and_content_on_demand(store: Store) -> None:
    store.upsert_items([item(LEIPZIG, n) for n in range(3)], now=T0)
    store.upsert_items([item(DRESDEN, 7)], now=T0)
    full = store.stories()
    light = store.stories(with_content=False)
    assert [s.id for s in light] == [s.id for s in full]
    assert {s.content_html for s in light} == {""}
    assert [replace(s, content_html="") for s in full] == light
    wanted = ["leipzig:leipzig-2", "dresden:dresden-7", "leipzig:gibt-es-nicht"]
    assert store.contents(wanted) == {
        "leipzig:leipzig-2": "<p>Inhalt 2</p>",
        "dresden:dresden-7": "<p>Inhalt 7</p>",
    }
    assert store.contents([]) == {}


def test_same_publication_time_orders_by_first_seen_then_id(store: Store) -> None:
    same = T0 + timedelta(days=3)
    store.upsert_items([item(LEIPZIG, 1, published=same)], now=T0)
    store.upsert_items([item(DRESDEN, 1, published=same)], now=T0 + timedelta(hours=1))
    store.upsert_items([item(LEIPZIG, 2, published=same), item(LEIPZIG, 3, published=same)], T0)
    ids = [story.id for story in store.stories()]
    assert ids == [
        "dresden:dresden-1",
        "leipzig:leipzig-3",
        "leipzig:leipzig-2",
        "leipzig:leipzig-1",
    ]


def test_city_filter_and_city_list(store: Store) -> None:
    shared = "https://presse.example/stadtumbau"
    store.upsert_items([item(LEIPZIG, n) for n in range(3)], now=T0)
    store.upsert_items([item(DRESDEN, 1), item(DRESDEN, 2, canonical_url=shared)], now=T0)
    store.upsert_items([item(GOERLITZ, 1, canonical_url=shared)], now=T0 + timedelta(hours=1))

    goerlitz = store.stories(city="Görlitz")
    assert [story.id for story in goerlitz] == ["dresden:dresden-2"]  # primary from Dresden
    assert goerlitz[0].also_at == ("Görlitzer Forum",)
    assert store.count_stories(city="Görlitz") == 1
    assert [s.id for s in store.stories(city="Leipzig", limit=2)] == [
        "leipzig:leipzig-2",
        "leipzig:leipzig-1",
    ]
    assert store.count_stories(city="Leipzig") == 3
    assert store.stories(city="Zittau") == []
    assert store.count_stories(city="Zittau") == 0
    assert store.cities() == [("Dresden", 2), ("Görlitz", 1), ("Leipzig", 3)]


def test_cities_sort_in_german_order(store: Store) -> None:
    names = ["Zittau", "Altenburg", "Weißenfels", "Görlitz", "Halle (Saale)", "Grimma"]
    store.upsert_items([item(LEIPZIG, n, cities=(name,)) for n, name in enumerate(names)], now=T0)
    assert [city for city, _ in store.cities()] == [
        "Altenburg",
        "Görlitz",
        "Grimma",
        "Halle (Saale)",
        "Weißenfels",
        "Zittau",
    ]


def test_story_timestamps_are_aware_utc(store: Store) -> None:
    published = datetime(2026, 11, 24, 9, 30, tzinfo=BERLIN_WINTER)
    store.upsert_items(
        [item(LEIPZIG, 1, published=published, updated=published + timedelta(hours=1))],
        now=datetime(2026, 11, 24, 12, 0, tzinfo=BERLIN_WINTER),
    )
    [story] = store.stories()
    assert story.published == datetime(2026, 11, 24, 8, 30, tzinfo=UTC)
    assert story.updated == datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    assert story.first_seen == datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
    for value in (story.published, story.updated, story.first_seen):
        assert value is not None and value.tzinfo is UTC


# -- sources and fetch state -------------------------------------------------------------------


def test_fetch_state_round_trip(store: Store) -> None:
    state = FetchState(
        source_id="leipzig",
        url=LEIPZIG.feed,
        etag='W/"abc"',
        last_modified="Tue, 24 Nov 2026 08:00:00 GMT",
        last_fetched_at=datetime(2026, 11, 24, 10, 0, tzinfo=BERLIN_WINTER),
        last_success_at=T0,
        next_fetch_at=T0 + timedelta(hours=1),
        consecutive_failures=2,
        last_status="failed",
        last_error="timeout",
        last_error_message="no answer within 20 s",
        moved_to="https://stadtforum-leipzig.example/neu/feed/",
    )
    store.save_fetch_state(state)
    store.upsert_items([item(LEIPZIG, 1), item(LEIPZIG, 2)], now=T0)

    loaded = store.fetch_states(["leipzig"])["leipzig"]

    assert loaded == replace(
        state, last_fetched_at=datetime(2026, 11, 24, 9, 0, tzinfo=UTC), item_count=2
    )
    for value in (loaded.last_fetched_at, loaded.last_success_at, loaded.next_fetch_at):
        assert value is not None and value.tzinfo is UTC


def test_fetch_states_of_all_sources_start_empty(store: Store) -> None:
    states = store.fetch_states()
    assert set(states) == {"leipzig", "dresden", "goerlitz"}
    assert states["dresden"] == FetchState(source_id="dresden", url=DRESDEN.feed)
    assert states["goerlitz"].url is None
    assert store.fetch_states(["dresden", "nowhere"]).keys() == {"dresden"}


def test_fetch_state_of_an_unknown_source_is_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="nowhere"):
        store.save_fetch_state(FetchState(source_id="nowhere"))


def test_stale_fetch_state_of_a_replaced_feed_url_keeps_no_validators(store: Store) -> None:
    store.save_fetch_state(
        FetchState(
            source_id="leipzig",
            url="https://old.example/feed",
            etag='"old"',
            next_fetch_at=T0 + timedelta(days=1),
            last_status="ok",
            last_success_at=T0,
        )
    )
    state = store.fetch_states(["leipzig"])["leipzig"]
    assert (state.etag, state.next_fetch_at) == (None, None)
    assert (state.last_status, state.last_success_at) == ("ok", T0)


def test_sync_keeps_removed_sources_and_their_items(store: Store, engine: Engine) -> None:
    store.upsert_items([item(DRESDEN, 1), item(LEIPZIG, 1)], now=T0)
    store.save_fetch_state(FetchState(source_id="dresden", url=DRESDEN.feed, etag='"x"'))

    store.sync_sources([LEIPZIG, GOERLITZ])

    with engine.connect() as conn:
        in_config = dict(conn.execute(select(SourceRow.id, SourceRow.in_config)).all())
    assert in_config == {"leipzig": True, "dresden": False, "goerlitz": True}
    assert {story.source_id for story in store.stories()} == {"dresden", "leipzig"}
    assert store.fetch_states(["dresden"])["dresden"].etag == '"x"'

    store.sync_sources([LEIPZIG, GOERLITZ, DRESDEN])  # back in the config
    with engine.connect() as conn:
        assert conn.execute(
            select(SourceRow.in_config).where(SourceRow.id == "dresden")
        ).scalar_one()


def test_sync_updates_config_fields_but_not_fetch_state(store: Store, engine: Engine) -> None:
    state = FetchState(
        source_id="leipzig",
        url=LEIPZIG.feed,
        etag='"e1"',
        last_modified="Tue, 24 Nov 2026 08:00:00 GMT",
        next_fetch_at=T0,
        consecutive_failures=1,
    )
    store.save_fetch_state(state)
    renamed = replace(LEIPZIG, name="Stadtforum Leipzig e. V.", interval_minutes=120)

    store.sync_sources([renamed, DRESDEN, GOERLITZ])

    assert store.fetch_states(["leipzig"])["leipzig"] == state
    store.upsert_items([item(LEIPZIG, 1)], now=T0)
    assert store.stories()[0].source_name == "Stadtforum Leipzig e. V."
    with engine.connect() as conn:
        interval = conn.execute(
            select(SourceRow.interval_minutes).where(SourceRow.id == "leipzig")
        ).scalar_one()
    assert interval == 120


def test_sync_with_a_new_feed_url_forgets_the_old_validators(store: Store) -> None:
    store.save_fetch_state(
        FetchState(
            source_id="leipzig",
            url=LEIPZIG.feed,
            etag='"e1"',
            last_modified="Tue, 24 Nov 2026 08:00:00 GMT",
            next_fetch_at=T0 + timedelta(hours=1),
            last_success_at=T0,
            moved_to="https://stadtforum-leipzig.example/neu/feed/",
        )
    )
    moved = replace(LEIPZIG, feed="https://stadtforum-leipzig.example/neu/feed/")

    store.sync_sources([moved, DRESDEN, GOERLITZ])

    state = store.fetch_states(["leipzig"])["leipzig"]
    assert state.url == moved.feed
    assert (state.etag, state.last_modified, state.next_fetch_at, state.moved_to) == (
        None,
        None,
        None,
        None,
    )
    assert state.last_success_at == T0


# -- crawl runs --------------------------------------------------------------------------------


def test_crawl_runs_are_recorded(store: Store) -> None:
    assert store.latest_crawl_run() is None
    store.record_crawl_run(T0, T0 + timedelta(seconds=40), 7, 2, 1, 12, 3)
    run_id = store.record_crawl_run(
        T0 + timedelta(hours=1), T0 + timedelta(hours=1, seconds=30), 8, 1, 1, 4, 0
    )
    run = store.latest_crawl_run()
    assert run is not None
    assert run.id == run_id
    assert (run.started_at, run.finished_at) == (
        T0 + timedelta(hours=1),
        T0 + timedelta(hours=1, seconds=30),
    )
    assert run.started_at.tzinfo is UTC
    assert (run.sources_ok, run.sources_not_modified, run.sources_failed) == (8, 1, 1)
    assert (run.items_new, run.items_updated) == (4, 0)


def test_two_crawlers_writing_at_once_do_not_lock_each_other_out(
    store: Store, database_url: str
) -> None:
    second = make_engine(database_url)  # like a second crawler process
    errors: list[BaseException] = []

    def crawl(target: Store, source: Source) -> None:
        try:
            for n in range(40):
                target.upsert_items([item(source, n), item(source, n + 1000)], now=T0)
                target.save_fetch_state(FetchState(source_id=source.id, url=source.feed))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=crawl, args=(store, LEIPZIG)),
        threading.Thread(target=crawl, args=(Store(second), DRESDEN)),
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        second.dispose()
    assert errors == []
    assert store.count_stories() == 160
