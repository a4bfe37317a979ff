"""Engines and migrations on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from aggregator.errors import StoreError
from aggregator.store import current_revision, make_engine, needs_upgrade, upgrade
from aggregator.store.db import SCHEMA_REVISION, head_revision
from aggregator.store.schema import Base


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def test_upgrade_creates_the_schema_on_an_empty_database(engine: Engine) -> None:
    assert needs_upgrade(engine)
    assert current_revision(engine) is None

    upgrade(engine)

    assert current_revision(engine) == head_revision() == SCHEMA_REVISION == "0009"
    assert not needs_upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {
        *("sources", "items", "item_tags", "crawl_runs", "alembic_version"),
        *("digests", "digest_entries", "subscribers", "mail_sends"),
        *("editors", "editor_sessions", "app_secrets"),
    } <= tables


def test_upgrade_twice_changes_nothing(engine: Engine) -> None:
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision()


def test_migrations_create_exactly_the_models(engine: Engine) -> None:
    upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_unknown_newer_revision_is_a_clear_error(engine: Engine) -> None:
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError, match=r"9999.*update the aggregator"):
        needs_upgrade(engine)
    with pytest.raises(StoreError, match="9999"):
        upgrade(engine)


def test_sqlite_file_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "agg.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
        assert path.is_file()
    finally:
        engine.dispose()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_postgresql_is_a_store_error_without_the_password() -> None:
    url = f"postgresql+psycopg://aggregator:s3cret-Pw@127.0.0.1:{_closed_port()}/news"
    engine = make_engine(url)
    try:
        with pytest.raises(StoreError) as caught:
            upgrade(engine)
    finally:
        engine.dispose()
    message = str(caught.value)
    assert "s3cret-Pw" not in message
    assert "127.0.0.1" in message
    assert "\n" not in message
    assert message.startswith("cannot connect to database postgresql+psycopg://aggregator:***@")


def test_sqlite_in_a_folder_that_cannot_exist_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot create the folder"):
        make_engine(f"sqlite:///{blocker / 'db' / 'agg.db'}")


@pytest.mark.parametrize(
    "url",
    [
        "mysql://user:pw@localhost/db",
        "not a url at all",
        "postgresql+nodriver://user:pw@localhost/db",
        "postgresql+psycopg2://user:pw@localhost/db",  # driver not installed
    ],
)
def test_unusable_urls_are_store_errors(url: str) -> None:
    with pytest.raises(StoreError) as caught:
        make_engine(url)
    assert ":pw@" not in str(caught.value)


def test_two_processes_may_upgrade_at_the_same_time(database_url: str) -> None:
    engines = [make_engine(database_url) for _ in range(3)]
    errors: list[BaseException] = []

    def run(engine: Engine) -> None:
        try:
            upgrade(engine)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        assert current_revision(engines[0]) == head_revision()
    finally:
        for engine in engines:
            engine.dispose()


def test_upgrade_from_0002_keeps_items_and_gives_each_its_canonical_url_as_cluster_key(
    engine: Engine,
) -> None:
    from alembic import command

    from aggregator.store.db import _alembic_config, transaction

    with transaction(engine, write=True) as connection:
        command.upgrade(_alembic_config(connection), "0002")
    with transaction(engine, write=True) as connection:
        connection.execute(
            text(
                "INSERT INTO sources (id, name, homepage, interval_minutes, enabled, in_config, "
                "consecutive_failures) VALUES ('leipzig', 'L', 'https://l.example/', 60, "
                ":yes, :yes, 0)"
            ),
            {"yes": True},
        )
        connection.execute(
            text(
                "INSERT INTO items (source_id, guid, url, canonical_url, title, content_html, "
                "excerpt, published_at, first_seen_at, last_seen_at, content_hash) VALUES "
                "('leipzig', 'g1', 'https://l.example/a?utm_source=x', 'https://l.example/a', "
                "'T', '', '', :at, :at, :at, 'h')"
            ),
            {"at": "2026-11-01 10:00:00"},
        )
        connection.execute(
            text("INSERT INTO item_tags (item_id, kind, value, origin) VALUES (1, 'city', "
                 "'Leipzig', 'source')")
        )  # fmt: skip
    upgrade(engine)
    with engine.connect() as connection:
        row = connection.execute(text("SELECT cluster_key, cluster_pinned FROM items")).one()
        tag = connection.execute(text("SELECT why, removed FROM item_tags")).one()
    assert tuple(row) == ("https://l.example/a", False)
    assert tuple(tag) == (None, False)


def test_downgrade_to_0002_and_up_again_keeps_items_and_tags(engine: Engine) -> None:
    from alembic import command

    from aggregator.store.db import _alembic_config, transaction

    upgrade(engine)
    with transaction(engine, write=True) as connection:
        connection.execute(
            text(
                "INSERT INTO sources (id, name, homepage, interval_minutes, enabled, in_config, "
                "consecutive_failures) VALUES ('l', 'L', 'https://l.example/', 60, :y, :y, 0)"
            ),
            {"y": True},
        )
        connection.execute(
            text(
                "INSERT INTO items (source_id, guid, url, canonical_url, title, content_html, "
                "excerpt, published_at, first_seen_at, last_seen_at, content_hash, cluster_key) "
                "VALUES ('l', 'g', 'https://l.example/a', 'https://l.example/a', 'T', '', '', "
                ":at, :at, :at, 'h', 'k')"
            ),
            {"at": "2026-11-01 10:00:00"},
        )
        item_id = connection.execute(text("SELECT id FROM items")).scalar_one()
        connection.execute(
            text(
                "INSERT INTO item_tags (item_id, kind, value, origin, why) VALUES "
                "(:i, 'topic', 'wohnen', 'text', :why)"
            ),
            {"i": item_id, "why": '["Leerstand"]'},
        )
    with transaction(engine, write=True) as connection:
        command.downgrade(_alembic_config(connection), "0002")
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM items")).scalar_one() == 1
        assert connection.execute(text("SELECT count(*) FROM item_tags")).scalar_one() == 1
        key = connection.execute(text("SELECT cluster_key FROM items")).scalar_one()
    assert key == "https://l.example/a"  # back to the exact rule
