"""The database schema as typed SQLAlchemy models.

    sources      one row per member forum: config fields from sources.yaml + fetch state
                 + the crawl lease (which process is fetching it, until when)
    items        stored items, unique per (source_id, guid)
    item_tags    city/topic tags of an item, with their origin (source, text, editor)
    crawl_runs   one row per crawl, with its counts
    editors          editor accounts of the web area (argon2id password hashes)
    editor_sessions  signed-in editors: a hash of the session token, the CSRF token, times

Alembic migrations (``migrations/versions``) create exactly these tables; a test compares the
migrated database with these models. Change a model only together with a new migration.

Every timestamp column is a `UTCDateTime`: aware datetimes go in (converted to UTC), aware UTC
datetimes come out, on SQLite (which has no time zones) and PostgreSQL (``timestamptz``) alike.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so that migrations can refer to them (and SQLite batch mode works).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

TAG_KINDS = ("city", "topic")
TAG_ORIGINS = ("source", "text", "editor")


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is stored as UTC and always read back as an aware UTC datetime.

    PostgreSQL stores ``timestamp with time zone``; SQLite stores the UTC wall time as text (whose
    lexical order is the chronological order). Naive datetimes are refused: their zone is unknown.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} given; pass an aware datetime")
        value = value.astimezone(UTC)
        if dialect.name == "postgresql":
            return value
        return value.replace(tzinfo=None)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):  # pragma: no cover - a driver returning text
            value = datetime.fromisoformat(str(value))
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), str: String()}


class SourceRow(Base):
    """A member forum: the config fields as last synced from sources.yaml, and its fetch state."""

    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(primary_key=True)
    name: Mapped[str]
    city: Mapped[str | None]
    homepage: Mapped[str]
    feed_url: Mapped[str | None]
    interval_minutes: Mapped[int]
    enabled: Mapped[bool]
    # False once the source is no longer in sources.yaml; its items stay.
    in_config: Mapped[bool] = mapped_column(default=True, server_default=true())

    # Fetch state (see model.FetchState); never touched by a config sync except on a URL change.
    etag: Mapped[str | None]
    last_modified: Mapped[str | None]
    last_fetched_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    next_fetch_at: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    last_status: Mapped[str | None]
    last_error: Mapped[str | None]
    last_error_message: Mapped[str | None] = mapped_column(Text)
    moved_to: Mapped[str | None]

    # Crawl lease: the crawler process that is fetching this source right now, and until when
    # its claim holds. A process that dies leaves an expired lease, which any other may take.
    lease_owner: Mapped[str | None]
    lease_until: Mapped[datetime | None]


class ItemRow(Base):
    """A stored item; (source_id, guid) identifies it across crawls."""

    __tablename__ = "items"
    __table_args__ = (UniqueConstraint("source_id", "guid"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"))
    guid: Mapped[str]
    url: Mapped[str]
    canonical_url: Mapped[str] = mapped_column(index=True)
    title: Mapped[str]
    content_html: Mapped[str] = mapped_column(Text)
    excerpt: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime | None]
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    author: Mapped[str | None]
    content_hash: Mapped[str]
    # One story, one key: the canonical URL at first, a near-duplicate cluster's key later
    cluster_key: Mapped[str] = mapped_column(index=True, server_default="")
    cluster_pinned: Mapped[bool] = mapped_column(default=False, server_default=false())


class ItemTagRow(Base):
    """A tag of an item. Origin 'source' tags are rewritten by each crawl; others are kept."""

    __tablename__ = "item_tags"
    __table_args__ = (
        CheckConstraint("kind IN ('city', 'topic')", name="kind"),
        CheckConstraint("origin IN ('source', 'text', 'editor')", name="origin"),
        # Stories of a city: value first, so that "all city tags" does not pick this index.
        Index(None, "value", "kind"),
    )

    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(primary_key=True)
    value: Mapped[str] = mapped_column(primary_key=True)
    origin: Mapped[str]
    why: Mapped[str | None] = mapped_column(Text)  # JSON list of the words that matched
    removed: Mapped[bool] = mapped_column(default=False, server_default=false())  # by the editor


class CrawlRunRow(Base):
    """One crawl of all due sources, with its counts."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    sources_ok: Mapped[int]
    sources_not_modified: Mapped[int]
    sources_failed: Mapped[int]
    items_new: Mapped[int]
    items_updated: Mapped[int]


# --- Editors (issue 13): accounts and sessions of the editor area /redaktion/ ----------------


class EditorRow(Base):
    """An editor account; `disabled` keeps the name (and its history) but refuses every login."""

    __tablename__ = "editors"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(unique=True)
    password_hash: Mapped[str]
    created_at: Mapped[datetime]
    disabled: Mapped[bool] = mapped_column(default=False, server_default=false())


class EditorSessionRow(Base):
    """A signed-in browser. Only the SHA-256 of the session token is stored: a leaked table does
    not let anyone sign in. The CSRF token belongs to the session and dies with it."""

    __tablename__ = "editor_sessions"

    token_hash: Mapped[str] = mapped_column(primary_key=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("editors.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str]
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)  # the absolute end (created + max)


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


SOURCES = _table("sources")
ITEMS = _table("items")
ITEM_TAGS = _table("item_tags")
CRAWL_RUNS = _table("crawl_runs")
EDITORS = _table("editors")
EDITOR_SESSIONS = _table("editor_sessions")
