"""Engines, transactions and schema migrations.

`make_engine` opens SQLite (the embedded default: WAL, foreign keys on, a busy timeout) or
PostgreSQL (via psycopg). `upgrade` brings the schema to the newest Alembic revision; the
migration scripts ship inside the package, so this works from an installed wheel too.

Alembic is imported only when a migration has to run or an unknown revision must be explained:
every command checks the schema, and importing Alembic costs more than a whole all-304 crawl.
`SCHEMA_REVISION` names the newest migration (a test holds it equal to Alembic's head).

Every error of the database is raised as `StoreError` with a one-line message that names the
database URL without its password.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import ConnectionPoolEntry

from aggregator.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

# The newest revision in migrations/versions: the schema that schema.py describes.
SCHEMA_REVISION = "0009"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
PG_CONNECT_TIMEOUT_S = 10
# Key of the PostgreSQL advisory lock that serializes concurrent `upgrade` calls.
_PG_MIGRATION_LOCK = 0x5354_4146  # "STAF"
# Execution option that makes SQLite start a write transaction with BEGIN IMMEDIATE.
_WRITE_OPTION = "aggregator_write"


def safe_url(url: URL | str) -> str:
    """The URL as text with its password masked, fit for messages and logs."""
    if isinstance(url, str):
        try:
            url = make_url(url)
        except ArgumentError:
            return "<unparsable database URL>"
    return url.render_as_string(hide_password=True)


def make_engine(url: str) -> Engine:
    """An engine for `url`: ``sqlite:///path/to/file.db`` or ``postgresql+psycopg://…``.

    Nothing is connected yet; the first use raises `StoreError` when the database is unreachable.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(
            "invalid database URL: use sqlite:///path/to/file.db "
            "or postgresql+psycopg://user:password@host/dbname"
        ) from exc
    backend = parsed.get_backend_name()
    try:
        if backend == "sqlite":
            return _sqlite_engine(parsed)
        if backend in ("postgresql", "postgres"):
            return _postgresql_engine(parsed)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise StoreError(
            f"cannot use database {safe_url(parsed)}: {_reason(exc)} "
            "(supported: sqlite:///… and postgresql+psycopg://…)"
        ) from exc
    raise StoreError(
        f"unsupported database {safe_url(parsed)}: use sqlite:///path/to/file.db "
        "or postgresql+psycopg://user:password@host/dbname"
    )


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        folder = Path(database).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the folder {folder} for database {safe_url(url)}: "
                f"{exc.strerror or exc}"
            ) from exc
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        # Take over BEGIN from the sqlite3 module (its legacy mode would run SELECTs outside
        # the transaction); see "Enabling Non-Legacy SQLite Transactional Modes" in SQLAlchemy.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            _use_wal(cursor)
            cursor.execute("PRAGMA synchronous = NORMAL")  # safe with WAL, no fsync per commit
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A writer takes the write lock up front: a deferred transaction that reads first and
        # writes later could fail with "database is locked" without waiting for busy_timeout.
        write = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _use_wal(cursor: sqlite3.Cursor) -> None:
    """Switch the database to WAL unless it is already (a persistent setting). The switch needs
    the database to itself and, unlike other statements, does not wait for busy_timeout: when
    several processes open a new database at once, the ones that lose the race retry."""
    if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
        return
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _postgresql_engine(url: URL) -> Engine:
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return create_engine(
        url,
        pool_pre_ping=True,  # a long-running scheduler survives a server restart
        connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S},
    )


def _reason(exc: BaseException) -> str:
    """The first line of the driver's message (SQLAlchemy adds SQL and links below it)."""
    cause: BaseException = exc
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        cause = exc.orig
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    return lines[0] if lines else type(cause).__name__


def _scrub(message: str, url: URL) -> str:
    if url.password:
        message = message.replace(str(url.password), "***")
    return message


@contextmanager
def transaction(engine: Engine, *, write: bool = False) -> Iterator[Connection]:
    """One short transaction; committed when the block ends, rolled back on an exception.

    `write=True` takes SQLite's write lock at BEGIN. SQLAlchemy errors become `StoreError`.
    """
    try:
        connection = engine.connect()
    except SQLAlchemyError as exc:
        raise StoreError(
            _scrub(f"cannot connect to database {safe_url(engine.url)}: {_reason(exc)}", engine.url)
        ) from exc
    with connection:
        if write:
            connection.execution_options(**{_WRITE_OPTION: True})
        try:
            with connection.begin():
                yield connection
        except SQLAlchemyError as exc:
            raise StoreError(
                _scrub(f"database error in {safe_url(engine.url)}: {_reason(exc)}", engine.url)
            ) from exc


def _alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The newest revision the migration scripts of this program know (imports Alembic)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def _current(connection: Connection) -> str | None:
    """The revision recorded in alembic_version, read without Alembic; None when never migrated."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(rows) > 1:  # branched histories: none here, but Alembic would allow it
        raise StoreError(f"database has several schema revisions {sorted(rows)}")
    return str(rows[0]) if rows else None


def _check_known(revision: str | None, engine: Engine) -> None:
    if revision is None or revision == SCHEMA_REVISION:
        return
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    script = ScriptDirectory.from_config(_alembic_config())
    try:
        known = script.get_revision(revision) is not None
    except CommandError:
        known = False
    if not known:
        raise StoreError(
            f"database {safe_url(engine.url)} has schema revision {revision}, which this version "
            "of the aggregator does not know: update the aggregator"
        )


def current_revision(engine: Engine) -> str | None:
    """The schema revision of the database; None when it was never migrated."""
    with transaction(engine) as connection:
        return _current(connection)


def needs_upgrade(engine: Engine) -> bool:
    """True when `upgrade` would change the schema (also for an empty database)."""
    with transaction(engine) as connection:
        revision = _current(connection)
    _check_known(revision, engine)
    return revision != SCHEMA_REVISION


def upgrade(engine: Engine) -> None:
    """Run the Alembic migrations up to the newest revision, in one transaction.

    Safe to call from several processes at once: on PostgreSQL an advisory lock and on SQLite
    the write lock let one of them migrate while the others wait and then find nothing to do.
    """
    from alembic import command
    from alembic.util import CommandError

    with transaction(engine, write=True) as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
            )
        _check_known(_current(connection), engine)
        try:
            command.upgrade(_alembic_config(connection), "head")
        except CommandError as exc:
            raise StoreError(
                f"cannot migrate database {safe_url(engine.url)}: {_reason(exc)}"
            ) from exc


__all__ = [
    "SCHEMA_REVISION",
    "current_revision",
    "head_revision",
    "make_engine",
    "needs_upgrade",
    "safe_url",
    "transaction",
    "upgrade",
]
