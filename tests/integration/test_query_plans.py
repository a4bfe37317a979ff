"""SQLite's query plans for the reads of every page, feed and tick: a correlated subquery
("is there an earlier item of this story?") must look rows up by an index, never scan.

SQLite keeps no statistics, so it picks among usable indexes by their shape alone. An index on
a column that nearly every row shares (the `held` flag of migration 0008) was chosen over the
one on `cluster_key`: every story then scanned every item, and a publish of 13,000 stories took
minutes. These tests read the plans SQLite makes for the statements the store really runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from aggregator.model import Item, Source
from aggregator.store import Store, make_engine
from aggregator.store.db import upgrade
from aggregator.store.digests import Digests
from aggregator.store.health import SourceHealthStore

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
SOURCES = [
    Source(f"forum-{n}", f"Forum {n}", city, f"https://forum{n}.example/", None)
    for n, city in enumerate(["Leipzig", "Dresden", "Chemnitz"])
]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    engine = make_engine(f"sqlite:///{tmp_path / 'plans.db'}")
    upgrade(engine)
    store = Store(engine)
    store.sync_sources(SOURCES)
    items = [
        Item(
            source_id=SOURCES[n % 3].id,
            guid=f"g{n}",
            url=f"https://forum{n % 3}.example/{n}",
            # every fourth story is told by two forums (one canonical URL)
            canonical_url=f"https://presse.example/{n - n % 4 if n % 4 < 2 else n}",
            title=f"Meldung {n}",
            content_html=f"<p>Text {n}</p>",
            excerpt=f"Text {n}",
            published=T0 - timedelta(hours=n),
            cities=(SOURCES[n % 3].city or "Leipzig",),
        )
        for n in range(200)
    ]
    store.upsert_items(items, T0)
    yield store
    engine.dispose()


def captured_plans(engine: Engine, read: Any) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """Run `read`, then ask SQLite for the plan of every SELECT it executed."""
    statements: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        if sql.lstrip().upper().startswith("SELECT") and not many:
            statements.append((sql, params))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        read()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    plans = []
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        for sql, params in statements:
            rows = raw.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
            plans.append((sql, [(row[0], row[1], row[3]) for row in rows]))
    return plans


# Flags that nearly every row shares: an index search keyed by them alone reads the whole table.
FLAGS = {"held", "removed", "cluster_pinned", "kind"}


def slow_steps(plan: list[tuple[int, int, str]]) -> list[str]:
    """Steps that read every row: a scan inside a correlated subquery (once per outer row),
    or an index search keyed by flags alone."""
    parents = {node: parent for node, parent, _detail in plan}
    correlated = {node for node, _parent, detail in plan if detail.startswith("CORRELATED")}

    def inside(node: int) -> bool:
        while node in parents:
            node = parents[node]
            if node in correlated:
                return True
        return False

    slow = []
    for node, _parent, detail in plan:
        key = re.search(r"\((.*)\)$", detail) if detail.startswith("SEARCH") else None
        terms = key.group(1).split(" AND ") if key else []
        columns = {re.split(r"[=<>]", term)[0].strip() for term in terms}
        if (detail.startswith("SCAN") and inside(node)) or (columns and columns <= FLAGS):
            slow.append(detail)
    return slow


READS: dict[str, Callable[[Store], object]] = {
    "newest page": lambda store: store.stories(limit=50, with_content=False),
    "every story": lambda store: store.stories(),
    "a city's page": lambda store: store.stories(city="Dresden", limit=50),
    "story count": lambda store: store.count_stories(),
    "city count": lambda store: store.count_stories(city="Chemnitz"),
    "cities": lambda store: store.cities(),
    "publish check": lambda store: store.latest_change(),
    "digest candidates": lambda store: Digests(store.engine).candidates("2026-W48"),
    "source health": lambda store: SourceHealthStore(store.engine).stats(SOURCES, T0),
    "held items": lambda store: SourceHealthStore(store.engine).held_items("forum-1"),
}


@pytest.mark.parametrize("name", list(READS))
def test_no_read_walks_every_item(store: Store, name: str) -> None:
    plans = captured_plans(store.engine, lambda: READS[name](store))
    assert plans, f"{name}: no SELECT was captured"
    for sql, plan in plans:
        assert not slow_steps(plan), (sql, plan)


def test_the_story_tests_look_up_by_cluster_key(store: Store) -> None:
    plans = captured_plans(store.engine, lambda: store.stories(limit=50))
    details = [detail for _sql, plan in plans for _n, _p, detail in plan]
    assert any("earlier USING INDEX ix_items_cluster_key" in d for d in details), details
    assert not any("ix_items_held" in d for d in details), details


def test_the_held_index_holds_only_held_items(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE items SET held = 1 WHERE id % 10 = 0"))
        indexed = conn.execute(
            text("SELECT count(*) FROM items INDEXED BY ix_items_held_source WHERE held = 1")
        ).scalar_one()
    assert indexed == 20
    assert store.latest_change()[1] == 180
