"""New items join their stories batch by batch (`clustering.StoryClusterer`), on SQLite and
PostgreSQL: the window's stored stories are taken as they are, editor merges included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from aggregator.clustering import StoryClusterer
from aggregator.model import Item, Source
from aggregator.store import Store
from aggregator.store.curation import Curation

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
LEIPZIG = Source(
    "leipzig", "Stadtforum Leipzig", "Leipzig", "https://l.example/", "https://l.example/f"
)
NETZ = Source("netz", "Netzwerk", None, "https://n.example/", "https://n.example/f")
DRESDEN = Source(
    "dresden", "Stadtforum Dresden", "Dresden", "https://d.example/", "https://d.example/f"
)
POSTAMT = (
    "Das Stadtforum Leipzig hat eine Petition gegen den Abriss des ehemaligen Postamts in "
    "Gohlis gestartet. Das Gebäude von 1903 steht unter Denkmalschutz, der Eigentümer hat "
    "dennoch einen Abrissantrag gestellt. Unterschreiben Sie bis 31. März online."
)
RADWEG = (
    "Der Stadtrat hat den Radweg an der Karl-Heine-Straße beschlossen. Die Bauarbeiten sollen "
    "im Frühjahr beginnen, die Parkplätze entlang des Kanals fallen weg, Bäume bleiben stehen."
)


def item(source: Source, slug: str, title: str, text: str, hours: int = 0) -> Item:
    url = f"{source.homepage}{slug}/"
    return Item(
        source_id=source.id, guid=url, url=url, canonical_url=url, title=title,
        content_html="", excerpt=text, published=T0 + timedelta(hours=hours),
    )  # fmt: skip


@pytest.fixture
def store(engine: Engine) -> Store:
    s = Store(engine)
    s.sync_sources([LEIPZIG, NETZ, DRESDEN])
    return s


def test_items_of_later_batches_join_the_stories_of_earlier_ones(store: Store) -> None:
    clusterer = StoryClusterer(Curation(store.engine), T0)
    store.upsert_items([item(LEIPZIG, "postamt", "Petition für das Postamt Gohlis", POSTAMT)], T0)
    assert clusterer.add_new() == 0  # one item: a story of its own
    store.upsert_items(
        [item(NETZ, "postamt", "Petition für das Postamt Gohlis", POSTAMT, hours=2),
         item(NETZ, "radweg", "Radweg an der Karl-Heine-Straße beschlossen", RADWEG, hours=2)],
        T0 + timedelta(minutes=5),
    )  # fmt: skip
    assert clusterer.add_new() == 1  # the copy of the press release joins; the Radweg does not
    assert clusterer.add_new() == 0  # nothing stored since
    stories = {s.title: s for s in store.stories()}
    assert set(stories) == {
        "Petition für das Postamt Gohlis", "Radweg an der Karl-Heine-Straße beschlossen"
    }  # fmt: skip
    assert stories["Petition für das Postamt Gohlis"].source_id == "leipzig"  # the earliest
    assert stories["Petition für das Postamt Gohlis"].also_at == ("Netzwerk",)


def test_a_new_crawl_takes_the_stored_stories_as_they_are(store: Store) -> None:
    curation = Curation(store.engine)
    store.upsert_items(
        [item(LEIPZIG, "postamt", "Petition für das Postamt Gohlis", POSTAMT),
         item(NETZ, "radweg", "Radweg an der Karl-Heine-Straße beschlossen", RADWEG, hours=1)],
        T0,
    )  # fmt: skip
    # the editor decided these are one story, which the rule alone would never find
    curation.merge("netz:https://n.example/radweg/", "leipzig:https://l.example/postamt/")
    later = T0 + timedelta(days=1)
    store.upsert_items(
        [item(DRESDEN, "radweg", "Radweg an der Karl-Heine-Straße beschlossen", RADWEG, 25)], later
    )
    assert StoryClusterer(curation, later).add_new() == 1
    [story] = store.stories()
    assert story.source_id == "leipzig"
    assert set(story.also_at) == {"Netzwerk", "Stadtforum Dresden"}


def test_the_crawl_clusters_batch_by_batch(store: Store) -> None:
    """`crawl._Clustering`: each kick clusters what was stored since the last; `finish` waits
    for the runs."""
    import asyncio

    from aggregator.crawl import _Clustering

    clustering = _Clustering(store, T0)
    store.upsert_items(
        [item(LEIPZIG, "postamt", "Petition gegen Abriss des Postamts", POSTAMT)], T0
    )
    clustering.kick()
    store.upsert_items(
        [item(NETZ, "post", "Petition gegen Abriss des Postamts", POSTAMT, 1)],
        T0 + timedelta(hours=1),
    )
    clustering.kick()
    asyncio.run(clustering.finish())

    assert not clustering.failed
    assert len({s.id for s in store.stories()}) == 1  # the second item joined the first's story


def test_a_failing_clustering_costs_only_the_clustering(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import asyncio
    import logging

    from aggregator.crawl import _Clustering
    from aggregator.store.db import make_engine

    broken = Store(make_engine(f"sqlite:///{tmp_path / 'not-migrated.db'}"))  # no tables
    clustering = _Clustering(broken, T0)
    with caplog.at_level(logging.ERROR, logger="aggregator.crawl"):
        clustering.kick()
        clustering.kick()
        asyncio.run(clustering.finish())  # does not raise
    assert clustering.failed
    assert caplog.text.count("clustering the new stories failed") == 1
