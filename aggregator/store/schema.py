"""The database schema as typed SQLAlchemy models.

    sources      one row per member forum: config fields from sources.yaml + fetch state
                 + the crawl lease (which process is fetching it, until when)
    items        stored items, unique per (source_id, guid)
    item_tags    city/topic tags of an item, with their origin (source, text, editor)
    crawl_runs   one row per crawl, with its counts
    subscribers  newsletter subscribers: address, status, confirmation token hash, times
    mail_sends   the send log: one row per (digest week, subscriber)
    editors          editor accounts of the web area (argon2id password hashes)
    editor_sessions  signed-in editors: a hash of the session token, the CSRF token, times
    registrations    forums' requests to join (or to change their feed URL): the form's data,
                     the preview shown, the confirmation token hash, the editor's decision

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
    text,
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

    # Where the source is declared (migration 0008): 'config' (sources.yaml, changed only
    # there) or 'registry' (registered through the web form or `aggregator sources add`, stored
    # here: `definition` holds its sources.yaml-style entry as JSON).
    origin: Mapped[str] = mapped_column(default="config", server_default="config")
    definition: Mapped[str | None] = mapped_column(Text)
    contact_email: Mapped[str | None]
    description: Mapped[str | None] = mapped_column(Text)
    registered_at: Mapped[datetime | None]
    # Health alerts: the first failure since the last success, and when the "fails for 24 h"
    # mail went out (cleared by the recovery mail): one mail each, not one per crawl.
    failing_since: Mapped[datetime | None]
    alert_sent_at: Mapped[datetime | None]

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
    __table_args__ = (
        UniqueConstraint("source_id", "guid"),
        # Only the few held items, by source (migration 0009). Never an index on `held` itself:
        # SQLite, without statistics, would pick it for the story queries' cluster tests.
        Index(
            "ix_items_held_source",
            "source_id",
            # as SQLAlchemy writes `held == true()`, so that the planner sees the match
            sqlite_where=text("held = 1"),
            postgresql_where=text("held"),
        ),
    )

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
    # Held back from the public pages, feeds and the digest until the editor releases it: one
    # of many old items a source suddenly re-issued (a CMS relaunch). Migration 0008.
    held: Mapped[bool] = mapped_column(default=False, server_default=false())


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


# --- mail: newsletter subscribers and the send log (migration 0005) ---------------------------

SUBSCRIBER_STATUSES = ("pending", "confirmed", "bounced")
SEND_STATUSES = ("sending", "sent", "failed")


class SubscriberRow(Base):
    """A newsletter address. Pending until the emailed link is confirmed; an unsubscribe deletes
    the row. Only a hash of the confirmation token is kept (the link itself is the secret)."""

    __tablename__ = "subscribers"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'confirmed', 'bounced')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(unique=True)  # normalized (see aggregator.mail.addresses)
    status: Mapped[str]
    confirm_hash: Mapped[str | None] = mapped_column(unique=True)
    created_at: Mapped[datetime]
    confirm_sent_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    bounced_at: Mapped[datetime | None]


class MailSendRow(Base):
    """One digest's delivery to one subscriber: "sending" is written before the SMTP DATA,
    "sent" after the server accepted it; "failed" after the retries ran out (tried again by the
    next delivery)."""

    __tablename__ = "mail_sends"
    __table_args__ = (CheckConstraint("status IN ('sending', 'sent', 'failed')", name="status"),)

    digest_week: Mapped[str] = mapped_column(primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    status: Mapped[str]
    message_id: Mapped[str]  # kept across retries: a repeated copy has the same Message-ID
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    updated_at: Mapped[datetime]
    error: Mapped[str | None] = mapped_column(Text)


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
SUBSCRIBERS = _table("subscribers")
MAIL_SENDS = _table("mail_sends")


# -- digests (the weekly "Wochenschau", migration 0004) ----------------------------------------

DIGEST_STATUSES = ("draft", "approved")
DIGEST_GROUPINGS = ("topic", "city")


class DigestRow(Base):
    """The digest of one ISO week; `version` is bumped by every edit (optimistic locking)."""

    __tablename__ = "digests"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'approved')", name="status"),
        CheckConstraint("grouping IN ('topic', 'city')", name="grouping"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    week: Mapped[str] = mapped_column(unique=True)  # "2026-W48"
    status: Mapped[str]
    grouping: Mapped[str]
    intro: Mapped[str] = mapped_column(Text)
    version: Mapped[int]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    approved_at: Mapped[datetime | None]
    approved_by: Mapped[str | None]


class DigestEntryRow(Base):
    """One entry of a digest: a snapshot of the story when drafted, and the editor's edits."""

    __tablename__ = "digest_entries"
    __table_args__ = (UniqueConstraint("digest_id", "cluster_key"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    cluster_key: Mapped[str | None]  # None for a manual item
    # the story's first item; None for a manual item or when the item was purged since
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(Text)
    blurb: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text)
    sources: Mapped[str] = mapped_column(Text)  # JSON list of forum names
    cities: Mapped[str] = mapped_column(Text)  # JSON list
    topics: Mapped[str] = mapped_column(Text)  # JSON list of topic keys
    first_seen_at: Mapped[datetime | None]
    included: Mapped[bool]
    headline_override: Mapped[str | None] = mapped_column(Text)
    blurb_override: Mapped[str | None] = mapped_column(Text)
    manual: Mapped[bool]


# --- Secrets the application generates for itself (migration 0007) ---------------------------


class AppSecretRow(Base):
    """A random key made on first use and shared by every process on this database."""

    __tablename__ = "app_secrets"

    name: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[str] = mapped_column(String)
    created_at: Mapped[datetime]


# --- Registrations of forums (migration 0008) -------------------------------------------------

REGISTRATION_KINDS = ("new", "change")
REGISTRATION_STATES = ("unconfirmed", "pending", "approved", "rejected")


class RegistrationRow(Base):
    """A forum's request: to join ('new'), or to change its feed URL ('change', from its
    status page). 'unconfirmed' until the contact follows the emailed link, then 'pending' for
    the editor, then 'approved' or 'rejected'. Only a hash of the confirmation token is kept."""

    __tablename__ = "registrations"
    __table_args__ = (
        CheckConstraint("kind IN ('new', 'change')", name="kind"),
        CheckConstraint(
            "state IN ('unconfirmed', 'pending', 'approved', 'rejected')", name="state"
        ),
        Index(None, "state", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    kind: Mapped[str]
    state: Mapped[str]
    source_id: Mapped[str]  # the proposed id ('new') or the source to change ('change')
    name: Mapped[str]
    city: Mapped[str | None]
    homepage: Mapped[str] = mapped_column(Text)
    definition: Mapped[str] = mapped_column(Text)  # JSON: the sources.yaml-style entry
    contact_email: Mapped[str]
    description: Mapped[str | None] = mapped_column(Text)
    preview: Mapped[str | None] = mapped_column(Text)  # JSON: items and problems as shown
    confirm_hash: Mapped[str | None] = mapped_column(index=True)
    created_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None]
    reason: Mapped[str | None] = mapped_column(Text)  # of a rejection, for the contact


DIGESTS = _table("digests")
DIGEST_ENTRIES = _table("digest_entries")
EDITORS = _table("editors")
EDITOR_SESSIONS = _table("editor_sessions")
APP_SECRETS = _table("app_secrets")
REGISTRATIONS = _table("registrations")
