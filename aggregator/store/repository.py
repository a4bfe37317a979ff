"""The store: what the crawler, the publisher and the web app read and write.

Every method is one short transaction and raises `StoreError` when the database fails. Writes
are batched (one SELECT, one bulk INSERT, one bulk UPDATE per call), so a crawl of hundreds of
sources and a publish of tens of thousands of items stay fast on SQLite.

Stories: items with the same canonical URL (the same article reported by several forums) form
one story. Its primary item is the one seen first; the others' forums are listed in `also_at`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Select,
    and_,
    bindparam,
    delete,
    exists,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import aliased

from aggregator.errors import StoreError
from aggregator.limits import bounded_guid
from aggregator.model import FetchState, Item, Source, Story
from aggregator.store.db import transaction
from aggregator.store.schema import CrawlRunRow, ItemRow, ItemTagRow, SourceRow

# Bound parameters per IN list: far below the limits of SQLite (32766) and PostgreSQL (65535).
_CHUNK = 500
_HASH_VERSION = "1"


@dataclass(frozen=True, slots=True)
class CrawlRun:
    """One recorded crawl."""

    id: int
    started_at: datetime
    finished_at: datetime
    sources_ok: int
    sources_not_modified: int
    sources_failed: int
    items_new: int
    items_updated: int


class Store:
    """Storage of sources, fetch state, items and crawl runs on a migrated database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- sources and fetch state -------------------------------------------------------------

    def sync_sources(self, sources: Sequence[Source]) -> None:
        """Make the sources table follow sources.yaml.

        New sources are added, known ones get the config fields, sources no longer configured
        are marked ``in_config = False`` (their items stay). Fetch state is left alone, except
        that a changed feed URL forgets the old URL's validators, schedule and redirect hint.
        """
        wanted = {source.id: source for source in sources}
        config_columns = (
            SourceRow.name,
            SourceRow.city,
            SourceRow.homepage,
            SourceRow.feed_url,
            SourceRow.interval_minutes,
            SourceRow.enabled,
            SourceRow.in_config,
        )
        with transaction(self.engine, write=True) as conn:
            keys = [column.key for column in config_columns]
            stored = {
                row[0]: dict(zip(keys, row[1:], strict=True))
                for row in conn.execute(select(SourceRow.id, *config_columns))
            }
            new_rows: list[dict[str, Any]] = []
            changes: list[dict[str, Any]] = []
            moves: list[str] = []
            for source in wanted.values():
                values: dict[str, Any] = {
                    "name": source.name,
                    "city": source.city,
                    "homepage": source.homepage,
                    "feed_url": source.url,  # what the crawl fetches: feed or news page
                    "interval_minutes": source.interval_minutes,
                    "enabled": source.enabled,
                    "in_config": True,
                }
                if source.id not in stored:
                    new_rows.append({"id": source.id, "consecutive_failures": 0, **values})
                elif stored[source.id] != values:
                    changes.append({"b_id": source.id, **values})
                    if stored[source.id]["feed_url"] != source.url:
                        moves.append(source.id)
            if new_rows:
                # another crawler process may be adding the same new sources right now
                conn.execute(
                    self._dialect_insert(SourceRow).on_conflict_do_nothing(index_elements=["id"]),
                    new_rows,
                )
            if changes:
                conn.execute(update(SourceRow).where(SourceRow.id == bindparam("b_id")), changes)
            for chunk in _chunks(moves):
                # The validators, schedule and redirect hint belonged to the old feed URL.
                conn.execute(
                    update(SourceRow)
                    .where(SourceRow.id.in_(chunk))
                    .values(etag=None, last_modified=None, next_fetch_at=None, moved_to=None)
                )
            gone = [
                source_id
                for source_id, row in stored.items()
                if source_id not in wanted and row["in_config"]
            ]
            for chunk in _chunks(gone):
                conn.execute(
                    update(SourceRow).where(SourceRow.id.in_(chunk)).values(in_config=False)
                )

    def fetch_states(
        self, source_ids: Iterable[str] | None = None, *, with_counts: bool = True
    ) -> dict[str, FetchState]:
        """Fetch state per source id: of the given sources, or of every stored source.

        Without `with_counts` `item_count` stays 0 and the items table is not read (the crawl
        needs no counts, and counting every item on each tick grows with the archive).
        """
        ids = None if source_ids is None else list(dict.fromkeys(source_ids))
        states: dict[str, FetchState] = {}
        with transaction(self.engine) as conn:
            for where in _id_filters(ids):
                counts = (
                    select(ItemRow.source_id, func.count().label("n"))
                    .group_by(ItemRow.source_id)
                    .subquery()
                )
                query = select(
                    SourceRow.id,
                    SourceRow.feed_url,
                    SourceRow.etag,
                    SourceRow.last_modified,
                    SourceRow.last_fetched_at,
                    SourceRow.last_success_at,
                    SourceRow.next_fetch_at,
                    SourceRow.consecutive_failures,
                    SourceRow.last_status,
                    SourceRow.last_error,
                    SourceRow.last_error_message,
                    SourceRow.moved_to,
                    func.coalesce(counts.c.n, 0) if with_counts else literal(0),
                    SourceRow.lease_owner,
                    SourceRow.lease_until,
                )
                if with_counts:
                    query = query.outerjoin(counts, counts.c.source_id == SourceRow.id)
                if where is not None:
                    query = query.where(SourceRow.id.in_(where))
                for row in conn.execute(query):
                    states[row[0]] = FetchState(
                        source_id=row[0],
                        url=row[1],
                        etag=row[2],
                        last_modified=row[3],
                        last_fetched_at=row[4],
                        last_success_at=row[5],
                        next_fetch_at=row[6],
                        consecutive_failures=row[7],
                        last_status=row[8],
                        last_error=row[9],
                        last_error_message=row[10],
                        moved_to=row[11],
                        item_count=int(row[12]),
                        leased_by=row[13],
                        leased_until=row[14],
                    )
        return states

    def save_fetch_state(self, state: FetchState) -> None:
        """Remember what the crawler learnt about a source (`item_count` is not stored).

        A state fetched from a feed URL that the config has replaced in the meantime keeps its
        times and failures but not its validators or schedule: they belong to the old URL.
        """
        with transaction(self.engine, write=True) as conn:
            self._save_states(conn, [state], owner=None)

    def _save_states(
        self, conn: Connection, states: Sequence[FetchState], owner: str | None
    ) -> None:
        """Write fetch states in one statement; release `owner`'s leases on those sources."""
        for state in states:
            for value in (state.last_fetched_at, state.last_success_at, state.next_fetch_at):
                _require_aware(value)
        ids = sorted(state.source_id for state in states)
        feed_urls: dict[str, str | None] = {}
        for chunk in _chunks(ids):
            query = (
                select(SourceRow.id, SourceRow.feed_url)
                .where(SourceRow.id.in_(chunk))
                .order_by(SourceRow.id)  # rows locked in one order by every process: no deadlock
            )
            if conn.dialect.name == "postgresql":
                query = query.with_for_update()  # no other crawler re-leases it meanwhile
            feed_urls.update((source_id, url) for source_id, url in conn.execute(query))
        missing = [source_id for source_id in ids if source_id not in feed_urls]
        if missing:
            raise StoreError(f"no source {missing[0]!r} in the database: sync sources.yaml first")
        rows = []
        for state in states:
            fields = _state_fields(state)
            if state.url is not None and feed_urls[state.source_id] != state.url:
                fields |= {"etag": None, "last_modified": None, "next_fetch_at": None}
            rows.append({"b_id": state.source_id, **fields})
        conn.execute(update(SourceRow).where(SourceRow.id == bindparam("b_id")), rows)
        if owner is not None:
            for chunk in _chunks(ids):
                conn.execute(
                    update(SourceRow)
                    .where(SourceRow.id.in_(chunk), SourceRow.lease_owner == owner)
                    .values(lease_owner=None, lease_until=None)
                )

    # -- crawl leases -------------------------------------------------------------------------

    def claim_sources(
        self,
        source_ids: Sequence[str],
        owner: str,
        now: datetime,
        until: datetime,
        *,
        force: bool = False,
    ) -> list[str]:
        """Lease the given sources to `owner` until `until`; returns the ids it got.

        A source is handed out when it is enabled, has a feed, is due by the database's own
        schedule (unless `force`) and no other crawler holds an unexpired lease on it. The
        check and the claim are one transaction: SQLite's write lock, or PostgreSQL row locks
        taken with SKIP LOCKED, so two crawlers never claim the same source.
        """
        _require_aware(now)
        _require_aware(until)
        claimed: list[str] = []
        with transaction(self.engine, write=True) as conn:
            for chunk in _chunks(list(dict.fromkeys(source_ids))):
                conditions = [
                    SourceRow.id.in_(chunk),
                    SourceRow.enabled.is_(True),
                    SourceRow.feed_url.is_not(None),
                    or_(SourceRow.lease_until.is_(None), SourceRow.lease_until <= now),
                ]
                if not force:
                    conditions.append(
                        or_(SourceRow.next_fetch_at.is_(None), SourceRow.next_fetch_at <= now)
                    )
                query = select(SourceRow.id).where(*conditions)
                if conn.dialect.name == "postgresql":
                    query = query.with_for_update(skip_locked=True)
                got = list(conn.execute(query).scalars())
                if got:
                    conn.execute(
                        update(SourceRow)
                        .where(SourceRow.id.in_(got))
                        .values(lease_owner=owner, lease_until=until)
                    )
                claimed.extend(got)
        return claimed

    def renew_leases(self, owner: str, source_ids: Sequence[str], until: datetime) -> None:
        """Extend `owner`'s leases on sources it is still fetching."""
        _require_aware(until)
        with transaction(self.engine, write=True) as conn:
            for chunk in _chunks(list(source_ids)):
                conn.execute(
                    update(SourceRow)
                    .where(SourceRow.id.in_(chunk), SourceRow.lease_owner == owner)
                    .values(lease_until=until)
                )

    def release_leases(self, owner: str) -> None:
        """Give back every lease `owner` still holds (sources it did not get to fetch)."""
        with transaction(self.engine, write=True) as conn:
            conn.execute(
                update(SourceRow)
                .where(SourceRow.lease_owner == owner)
                .values(lease_owner=None, lease_until=None)
            )

    def save_crawl_results(
        self, results: Sequence[tuple[FetchState, Sequence[Item]]], now: datetime, owner: str
    ) -> list[tuple[int, int]]:
        """Store several sources' items and fetch states in one transaction; returns (new,
        updated) per result. Each source's lease held by `owner` is released.

        One transaction for many sources is what makes an all-304 crawl of hundreds of feeds
        cheap. When it fails, the caller retries the results one by one, so that a row the
        database refuses costs only its own source.
        """
        _require_aware(now)
        counts: list[tuple[int, int]] = []
        with transaction(self.engine, write=True) as conn:
            for _state, items in results:
                counts.append(self._upsert(conn, items, now) if items else (0, 0))
            self._save_states(conn, [state for state, _items in results], owner)
        return counts

    # -- items --------------------------------------------------------------------------------

    def known_links(self, source_id: str, links: Sequence[str]) -> set[str]:
        """Those of `links` that are already the guid or the link of one of the source's items:
        a scraped news page's article pages are fetched only for links not seen before."""
        wanted = list(dict.fromkeys(links))
        by_guid = {bounded_guid(link): link for link in wanted}
        found: set[str] = set()
        with transaction(self.engine) as conn:
            for chunk in _chunks(list(by_guid)):
                rows = conn.execute(
                    select(ItemRow.guid).where(
                        ItemRow.source_id == source_id, ItemRow.guid.in_(chunk)
                    )
                )
                found.update(by_guid[row[0]] for row in rows)
            for chunk in _chunks([link for link in wanted if link not in found]):
                rows = conn.execute(
                    select(ItemRow.url).where(
                        ItemRow.source_id == source_id, ItemRow.url.in_(chunk)
                    )
                )
                found.update(row[0] for row in rows)
        return found

    def upsert_items(self, items: Sequence[Item], now: datetime) -> tuple[int, int]:
        """Store items by (source_id, guid); returns (new, updated).

        An unchanged item only gets ``last_seen_at = now``; a changed one is updated in place
        (same id, same first_seen_at). City tags of origin 'source' follow `Item.cities`; tags of
        other origins (text, editor) are kept. Within one call the last item of a guid wins.
        """
        _require_aware(now)
        if not items:
            return 0, 0
        with transaction(self.engine, write=True) as conn:
            return self._upsert(conn, items, now)

    def _upsert(self, conn: Connection, items: Sequence[Item], now: datetime) -> tuple[int, int]:
        by_source: dict[str, dict[str, Item]] = defaultdict(dict)
        for item in items:
            _require_aware(item.published)
            _require_aware(item.updated)
            by_source[item.source_id][item.guid] = item
        new = updated = 0
        known_sources = set(
            conn.execute(select(SourceRow.id).where(SourceRow.id.in_(list(by_source)))).scalars()
        )
        unknown = sorted(set(by_source) - known_sources)
        if unknown:
            raise StoreError(
                f"items of unknown source {', '.join(unknown)}: sync sources.yaml first"
            )
        for source_id, batch in by_source.items():
            n_new, n_updated = self._upsert_source_batch(conn, source_id, batch, now)
            new += n_new
            updated += n_updated
        return new, updated

    def _upsert_source_batch(
        self, conn: Connection, source_id: str, batch: dict[str, Item], now: datetime
    ) -> tuple[int, int]:
        existing: dict[str, tuple[int, str, datetime]] = {}
        for chunk in _chunks(list(batch)):
            rows = conn.execute(
                select(ItemRow.guid, ItemRow.id, ItemRow.content_hash, ItemRow.published_at).where(
                    ItemRow.source_id == source_id, ItemRow.guid.in_(chunk)
                )
            )
            existing.update((guid, (item_id, digest, at)) for guid, item_id, digest, at in rows)

        inserts: list[dict[str, Any]] = []
        changes: list[dict[str, Any]] = []
        changed: list[tuple[int, Item]] = []
        unchanged: list[int] = []
        for guid, item in batch.items():
            digest = content_hash(item)
            if guid not in existing:
                inserts.append(
                    {
                        "source_id": source_id,
                        "guid": guid,
                        **_item_fields(item),
                        "first_seen_at": now,
                        "last_seen_at": now,
                        "content_hash": digest,
                        "cluster_key": item.canonical_url,  # the exact rule; dedup may join it
                    }
                )
            elif existing[guid][1] != digest:
                changed.append((existing[guid][0], item))
                changes.append(
                    {
                        "b_id": existing[guid][0],
                        **_item_fields(item),
                        # an undated item keeps the date it was first seen
                        "published_at": item.published if item.dated else existing[guid][2],
                        "last_seen_at": now,
                        "content_hash": digest,
                    }
                )
            else:
                unchanged.append(existing[guid][0])

        tags: list[dict[str, Any]] = []
        inserted = 0
        if inserts:
            # RETURNING carries the guid, so the order of the returned rows does not matter.
            # ON CONFLICT DO NOTHING: a row another process inserted since the SELECT above is
            # its to keep (not an error that aborts this transaction), and is not counted here.
            statement = self._dialect_insert(ItemRow).on_conflict_do_nothing(
                index_elements=["source_id", "guid"]
            )
            for item_id, guid in conn.execute(
                statement.returning(ItemRow.id, ItemRow.guid), inserts
            ):
                inserted += 1
                tags.extend(_item_tags(item_id, batch[guid]))
        if changes:
            conn.execute(update(ItemRow).where(ItemRow.id == bindparam("b_id")), changes)
            for chunk in _chunks([item_id for item_id, _ in changed]):
                conn.execute(
                    delete(ItemTagRow).where(
                        ItemTagRow.item_id.in_(chunk), ItemTagRow.origin.in_(("source", "text"))
                    )
                )
            for item_id, item in changed:
                tags.extend(_item_tags(item_id, item))
        if tags:
            # A tag the editor set or removed stays as the editor left it: an editor row wins.
            conn.execute(self._dialect_insert(ItemTagRow).on_conflict_do_nothing(), tags)
        for chunk in _chunks(unchanged):
            conn.execute(update(ItemRow).where(ItemRow.id.in_(chunk)).values(last_seen_at=now))
        return inserted, len(changes)

    def _dialect_insert(self, table: type[Any]) -> Any:
        """INSERT with ON CONFLICT, which both dialects speak (SQLite since 3.24). The dialect
        modules are imported on first use: a SQLite installation never loads PostgreSQL's."""
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects import postgresql

            return postgresql.insert(table)
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(table)

    # -- stories ------------------------------------------------------------------------------

    def stories(
        self,
        *,
        city: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        with_content: bool = True,
    ) -> list[Story]:
        """Stories newest first (by published date, then first seen, then id).

        Without `with_content` their `content_html` is empty (it is most of an item's size and
        only the feeds show it: `contents()` fetches it for the stories that need it).
        """
        if offset < 0 or (limit is not None and limit < 0):
            raise ValueError("limit and offset must not be negative")
        if limit == 0:
            return []
        # The primary item of a story: no item of the same cluster was seen before it.
        # An anti-join rather than a window function, so that the newest page walks the
        # published_at index and stops after `limit` rows instead of ranking every item.
        earlier = aliased(ItemRow, name="earlier")
        other = aliased(ItemRow, name="other")
        is_primary = ~exists().where(
            earlier.cluster_key == ItemRow.cluster_key,
            or_(
                earlier.first_seen_at < ItemRow.first_seen_at,
                and_(earlier.first_seen_at == ItemRow.first_seen_at, earlier.id < ItemRow.id),
            ),
        )
        shared = exists().where(other.cluster_key == ItemRow.cluster_key, other.id != ItemRow.id)
        query = (
            select(
                ItemRow.id,
                ItemRow.source_id,
                ItemRow.guid,
                ItemRow.url,
                ItemRow.cluster_key,
                ItemRow.title,
                ItemRow.content_html if with_content else literal("").label("content_html"),
                ItemRow.excerpt,
                ItemRow.published_at,
                ItemRow.updated_at,
                ItemRow.first_seen_at,
                ItemRow.author,
                SourceRow.name,
                SourceRow.city,
                shared.label("shared"),
            )
            .join(SourceRow, SourceRow.id == ItemRow.source_id)
            .where(is_primary)
            .order_by(ItemRow.published_at.desc(), ItemRow.first_seen_at.desc(), ItemRow.id.desc())
            .offset(offset)
        )
        if city is not None:
            # A story belongs to a city when any item of its group carries the city tag.
            query = query.where(ItemRow.cluster_key.in_(_urls_tagged(city)))
        if limit is not None:
            query = query.limit(limit)

        with transaction(self.engine) as conn:
            rows = conn.execute(query).all()
            # Most stories are told by one item: their tags are found by item id. Stories told
            # by several forums need every item of their group (by cluster key).
            single = [row.id for row in rows if not row.shared]
            groups = list({row.cluster_key for row in rows if row.shared})
            # (kind, value) → removed: a tag the editor removed from any item of a story is gone
            # from the story, whatever its other items carry
            item_tags: dict[int, dict[tuple[str, str], bool]] = defaultdict(dict)
            group_tags: dict[str, dict[tuple[str, str], bool]] = defaultdict(dict)
            carriers: dict[str, set[tuple[str, str]]] = defaultdict(set)
            for chunk in _chunks(single):
                for item_id, kind, value, removed in conn.execute(
                    select(
                        ItemTagRow.item_id, ItemTagRow.kind, ItemTagRow.value, ItemTagRow.removed
                    ).where(ItemTagRow.item_id.in_(chunk))
                ):
                    tags_of = item_tags[item_id]
                    tags_of[(kind, value)] = tags_of.get((kind, value), False) or removed
            for chunk in _chunks(groups):
                for key, kind, value, removed in conn.execute(
                    select(
                        ItemRow.cluster_key, ItemTagRow.kind, ItemTagRow.value, ItemTagRow.removed
                    )
                    .join(ItemTagRow, ItemTagRow.item_id == ItemRow.id)
                    .where(ItemRow.cluster_key.in_(chunk))
                    .distinct()
                ):
                    tags_of = group_tags[key]
                    tags_of[(kind, value)] = tags_of.get((kind, value), False) or removed
                for url, source_id, name in conn.execute(
                    select(ItemRow.cluster_key, ItemRow.source_id, SourceRow.name)
                    .join(SourceRow, SourceRow.id == ItemRow.source_id)
                    .where(ItemRow.cluster_key.in_(chunk))
                    .distinct()
                ):
                    carriers[url].add((source_id, name))

        stories: list[Story] = []
        for row in rows:
            if not row.shared:
                found, others = item_tags.get(row.id, {}), set()
            else:
                found = group_tags.get(row.cluster_key, {})
                others = {
                    name
                    for source_id, name in carriers.get(row.cluster_key, set())
                    if source_id != row.source_id
                }
            stories.append(
                Story(
                    id=f"{row.source_id}:{row.guid}",
                    source_id=row.source_id,
                    source_name=row.name,
                    source_city=row.city,
                    title=row.title,
                    url=row.url,
                    content_html=row.content_html,
                    excerpt=row.excerpt,
                    published=row.published_at,
                    updated=row.updated_at,
                    first_seen=row.first_seen_at,
                    author=row.author,
                    cities=_german_sorted(_shown(found, "city")),
                    also_at=_german_sorted(others),
                    topics=tuple(sorted(_shown(found, "topic"))),
                )
            )
        return stories

    def contents(self, story_ids: Iterable[str]) -> dict[str, str]:
        """The sanitized content of stories by `Story.id` ("source_id:guid")."""
        keys = [tuple(story_id.split(":", 1)) for story_id in story_ids]
        found: dict[str, str] = {}
        with transaction(self.engine) as conn:
            for chunk in _chunks(keys, 200):
                # OR of pairs, not a tuple IN: SQLite answers that with a scan of all items
                match = or_(*(and_(ItemRow.source_id == s, ItemRow.guid == g) for s, g in chunk))
                rows = conn.execute(
                    select(ItemRow.source_id, ItemRow.guid, ItemRow.content_html).where(match)
                )
                found.update((f"{source_id}:{guid}", html) for source_id, guid, html in rows)
        return found

    def count_stories(self, city: str | None = None) -> int:
        """How many stories `stories(city=city)` lists without a limit."""
        query = select(func.count(ItemRow.cluster_key.distinct()))
        if city is not None:
            query = query.where(ItemRow.cluster_key.in_(_urls_tagged(city)))
        with transaction(self.engine) as conn:
            return int(conn.execute(query).scalar_one())

    def cities(self) -> list[tuple[str, int]]:
        """Every city tag with its number of stories, in German alphabetical order."""
        query = (
            select(ItemTagRow.value, func.count(ItemRow.cluster_key.distinct()))
            .join(ItemRow, ItemRow.id == ItemTagRow.item_id)
            .where(ItemTagRow.kind == "city", ItemTagRow.removed == false())
            .group_by(ItemTagRow.value)
        )
        with transaction(self.engine) as conn:
            rows = [(value, int(count)) for value, count in conn.execute(query)]
        return sorted(rows, key=lambda row: german_sort_key(row[0]))

    # -- crawl runs ---------------------------------------------------------------------------

    def record_crawl_run(
        self,
        started_at: datetime,
        finished_at: datetime,
        ok: int,
        not_modified: int,
        failed: int,
        new: int,
        updated: int,
    ) -> int:
        """Remember one crawl and its counts; returns the run's id."""
        _require_aware(started_at)
        _require_aware(finished_at)
        with transaction(self.engine, write=True) as conn:
            run_id = conn.execute(
                insert(CrawlRunRow)
                .values(
                    started_at=started_at,
                    finished_at=finished_at,
                    sources_ok=ok,
                    sources_not_modified=not_modified,
                    sources_failed=failed,
                    items_new=new,
                    items_updated=updated,
                )
                .returning(CrawlRunRow.id)
            ).scalar_one()
        return int(run_id)

    def latest_change(self) -> tuple[int, int]:
        """What the published site depends on, cheaply: the id of the newest crawl run (by any
        crawler process sharing this database) that stored new or updated items, and the number
        of items (a purge lowers it). A publisher compares it with the value at its last
        publish, so that it also publishes what other processes crawled or removed."""
        runs = select(func.max(CrawlRunRow.id)).where(
            CrawlRunRow.items_new + CrawlRunRow.items_updated > 0
        )
        with transaction(self.engine) as conn:
            run_id = conn.execute(runs).scalar_one() or 0
            items = conn.execute(select(func.count()).select_from(ItemRow)).scalar_one()
        return int(run_id), int(items)

    def latest_crawl_run(self) -> CrawlRun | None:
        """The most recently started crawl, or None before the first one."""
        query = (
            select(
                CrawlRunRow.id,
                CrawlRunRow.started_at,
                CrawlRunRow.finished_at,
                CrawlRunRow.sources_ok,
                CrawlRunRow.sources_not_modified,
                CrawlRunRow.sources_failed,
                CrawlRunRow.items_new,
                CrawlRunRow.items_updated,
            )
            .order_by(CrawlRunRow.started_at.desc(), CrawlRunRow.id.desc())
            .limit(1)
        )
        with transaction(self.engine) as conn:
            row = conn.execute(query).one_or_none()
        return None if row is None else CrawlRun(*row)

    # -- a member that leaves -----------------------------------------------------------------

    def purge_source(self, source_id: str, *, dry_run: bool = False) -> int:
        """Delete every item of a source; returns how many (with `dry_run`: would be deleted).

        Their tags go with them (ON DELETE CASCADE). The source's validators, schedule and
        redirect hint are forgotten, so that a source added again is fetched afresh. Items of
        other sources stay, also those of a story this source shared: that story is then told by
        the forum that carries it too. Raises `StoreError` for a source not in the database.
        """
        with transaction(self.engine, write=not dry_run) as conn:
            known = conn.execute(select(SourceRow.id).where(SourceRow.id == source_id)).first()
            if known is None:
                raise StoreError(f"no source {source_id!r} in the database")
            count = conn.execute(
                select(func.count()).select_from(ItemRow).where(ItemRow.source_id == source_id)
            ).scalar_one()
            if not dry_run:
                conn.execute(delete(ItemRow).where(ItemRow.source_id == source_id))
                conn.execute(
                    update(SourceRow)
                    .where(SourceRow.id == source_id)
                    .values(etag=None, last_modified=None, next_fetch_at=None, moved_to=None)
                )
        return int(count)


def content_hash(item: Item) -> str:
    """Fingerprint of everything stored of an item: equal hashes mean nothing to update.

    An undated item's `published` is only the time it was seen, different on every crawl: it
    is left out, so that such an item is not "updated" (and moved to the top) on every crawl.
    """
    parts = (
        _HASH_VERSION,
        item.title,
        item.url,
        item.canonical_url,
        item.content_html,
        item.excerpt,
        _iso(item.published) if item.dated else "undated",
        _iso(item.updated),
        item.author or "",
        "\x1e".join(sorted(set(item.cities))),
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


# Bounds of what a server's headers and our messages may put into a source's row.
_MAX_VALIDATOR = 1024  # an ETag or Last-Modified longer than this is not kept (not sent again)
_MAX_URL = 2048
_MAX_REASON = 64
_MAX_MESSAGE = 1000


def _state_fields(state: FetchState) -> dict[str, Any]:
    """The stored columns of a fetch state, every text bounded: they come from servers."""
    return {
        "etag": _bounded(state.etag, _MAX_VALIDATOR, drop=True),
        "last_modified": _bounded(state.last_modified, _MAX_VALIDATOR, drop=True),
        "last_fetched_at": state.last_fetched_at,
        "last_success_at": state.last_success_at,
        "next_fetch_at": state.next_fetch_at,
        "consecutive_failures": min(max(state.consecutive_failures, 0), 2**31 - 1),
        "last_status": state.last_status,
        "last_error": _bounded(state.last_error, _MAX_REASON),
        "last_error_message": _bounded(state.last_error_message, _MAX_MESSAGE),
        "moved_to": _bounded(state.moved_to, _MAX_URL, drop=True),
    }


def _bounded(text: str | None, limit: int, *, drop: bool = False) -> str | None:
    """`text` if it fits in `limit` characters; else cut (a message) or None (a value that
    would be wrong when cut, like a validator or a URL)."""
    if text is None or len(text) <= limit:
        return text
    return None if drop else text[: limit - 1] + "…"


def _german_sorted(values: set[str]) -> tuple[str, ...]:
    if len(values) < 2:
        return tuple(values)
    return tuple(sorted(values, key=german_sort_key))


@functools.lru_cache(maxsize=4096)
def german_sort_key(text: str) -> tuple[str, str]:
    """Dictionary order as in German (DIN 5007-1): umlauts sort as their base letter."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    base = "".join(char for char in folded if not unicodedata.combining(char))
    return base, text


def _iso(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(UTC).isoformat()


def _item_fields(item: Item) -> dict[str, Any]:
    return {
        "url": item.url,
        "canonical_url": item.canonical_url,
        "title": item.title,
        "content_html": item.content_html,
        "excerpt": item.excerpt,
        "published_at": item.published,
        "updated_at": item.updated,
        "author": item.author,
    }


def _item_tags(item_id: int, item: Item) -> Iterator[dict[str, Any]]:
    """The rows of an item's tags: its source's city, then what the tagger found in the text
    (a city both give is stored once, as the source's)."""
    seen: set[tuple[str, str]] = set()
    for city in dict.fromkeys(item.cities):
        seen.add(("city", city))
        yield {"item_id": item_id, "kind": "city", "value": city, "origin": "source", "why": None}
    for tag in item.tags:
        if (tag.kind, tag.value) in seen:
            continue
        seen.add((tag.kind, tag.value))
        why = json.dumps(list(tag.why), ensure_ascii=False) if tag.why else None
        yield {
            "item_id": item_id,
            "kind": tag.kind,
            "value": tag.value,
            "origin": tag.origin,
            "why": why,
        }


def _shown(tags: dict[tuple[str, str], bool], kind: str) -> set[str]:
    return {value for (k, value), removed in tags.items() if k == kind and not removed}


def _urls_tagged(city: str) -> Select[str]:
    """Cluster keys of the stories of `city`: an item of the story carries the city, and the
    editor has not removed it from any item of the story."""
    removed = aliased(ItemTagRow, name="removed_tag")
    removed_item = aliased(ItemRow, name="removed_item")
    return (
        select(ItemRow.cluster_key)
        .join(ItemTagRow, ItemTagRow.item_id == ItemRow.id)
        .where(
            ItemTagRow.kind == "city",
            ItemTagRow.value == city,
            ItemTagRow.removed == false(),
            ~exists().where(
                removed_item.cluster_key == ItemRow.cluster_key,
                removed.item_id == removed_item.id,
                removed.kind == "city",
                removed.value == city,
                removed.removed == true(),
            ),
        )
    )


def _require_aware(value: datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"naive datetime {value.isoformat()} given; pass an aware datetime")


def _chunks(values: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _id_filters(ids: list[str] | None) -> Iterator[Sequence[str] | None]:
    if ids is None:
        yield None
    else:
        yield from _chunks(ids)
