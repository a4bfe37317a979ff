"""The editor's corrections and re-tagging on SQLite and PostgreSQL: they survive every crawl."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from aggregator.errors import StoreError
from aggregator.model import Item, Source, Tag
from aggregator.store import Store
from aggregator.store.curation import Curation

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
LEIPZIG = Source(
    "leipzig", "Stadtforum Leipzig", "Leipzig", "https://l.example/", "https://l.example/feed"
)
NETZ = Source("netz", "Netzwerk", None, "https://n.example/", "https://n.example/feed")


def item(source: Source, n: int, **extra: object) -> Item:
    values: dict[str, object] = dict(
        source_id=source.id,
        guid=f"g{n}",
        url=f"https://{source.id}.example/{n}",
        canonical_url=f"https://{source.id}.example/{n}",
        title=f"Meldung {n}",
        content_html="",
        excerpt=f"Text {n}",
        published=T0 + timedelta(hours=n),
        cities=(source.city,) if source.city else (),
    )
    values.update(extra)
    return Item(**values)  # type: ignore[arg-type]


@pytest.fixture
def store(engine: Engine) -> Store:
    s = Store(engine)
    s.sync_sources([LEIPZIG, NETZ])
    return s


def test_merge_and_split_are_kept_through_clustering_and_crawls(store: Store) -> None:
    curation = Curation(store.engine)
    store.upsert_items([item(LEIPZIG, 1), item(NETZ, 2)], now=T0)
    assert len(store.stories()) == 2
    assert curation.merge("netz:g2", "leipzig:g1") == 1
    [story] = store.stories()
    assert story.id == "leipzig:g1" and story.also_at == ("Netzwerk",)
    # clustering later tries to undo it: the editor's decision is pinned
    window = {w.id: w for w in curation.window(T0 - timedelta(days=1))}
    assert all(w.pinned for w in window.values())
    assert curation.set_cluster_keys({w.id: f"other-{w.id}" for w in window.values()}) == 0
    # a re-crawl with changed text keeps the story together
    store.upsert_items([item(NETZ, 2, title="Meldung 2, neu")], now=T0 + timedelta(hours=1))
    assert len(store.stories()) == 1
    curation.split("netz:g2")
    assert {s.id for s in store.stories()} == {"leipzig:g1", "netz:g2"}


def test_clustering_sets_keys_of_unpinned_items_only(store: Store) -> None:
    curation = Curation(store.engine)
    store.upsert_items([item(LEIPZIG, 1), item(NETZ, 2)], now=T0)
    ids = [w.id for w in curation.window(T0)]
    assert curation.set_cluster_keys({ids[1]: "https://leipzig.example/1"}) == 1
    [story] = store.stories()
    assert story.also_at == ("Netzwerk",)
    assert curation.set_cluster_keys({ids[1]: "https://leipzig.example/1"}) == 0  # no change


def test_editor_tags_survive_retagging_and_crawls(store: Store) -> None:
    curation = Curation(store.engine)
    tagged = item(LEIPZIG, 1, tags=(Tag("topic", "wohnen", "text", ("Leerstand",)),))
    store.upsert_items([tagged], now=T0)
    curation.set_tag("leipzig:g1", "topic", "wohnen", removed=True)
    curation.set_tag("leipzig:g1", "city", "Markkleeberg")
    [(item_id, *_rest)] = [(w.id,) for w in curation.window(T0)]
    # re-tagging finds wohnen again, and Halle; the editor's removal and addition stay
    curation.replace_tags(
        {
            item_id: (
                Tag("city", "Leipzig", "source"),
                Tag("city", "Halle (Saale)", "text", ("Hallenser",)),
                Tag("topic", "wohnen", "text", ("Leerstand",)),
            )
        }
    )
    store.upsert_items([replace_title(tagged)], now=T0 + timedelta(hours=1))  # a crawl
    shown = {(t.kind, t.value, t.origin, removed) for t, removed in curation.tags_of("leipzig:g1")}
    assert shown == {
        ("city", "Leipzig", "source", False),
        ("city", "Markkleeberg", "editor", False),
        ("topic", "wohnen", "editor", True),
    }
    [story] = store.stories()
    assert story.topics == () and story.cities == ("Leipzig", "Markkleeberg")


def replace_title(original: Item) -> Item:
    from dataclasses import replace

    return replace(original, title="Meldung 1, neu gefasst")


def test_unknown_items_are_clear_errors(store: Store) -> None:
    curation = Curation(store.engine)
    with pytest.raises(StoreError, match="no item 'leipzig:nix'"):
        curation.split("leipzig:nix")
    with pytest.raises(StoreError, match="not an item id"):
        curation.set_tag("ohne-doppelpunkt", "city", "Leipzig")
