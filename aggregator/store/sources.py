"""Sources: the sync with sources.yaml, fetch state, crawl leases, a crawl's results (items
and fetch states in one transaction) and the purge of a member that leaves."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, literal, or_, select, update

from aggregator.errors import StoreError
from aggregator.model import FetchState, Item, Source
from aggregator.store.common import chunks, dialect_insert, id_filters, require_aware
from aggregator.store.db import transaction
from aggregator.store.items import Items
from aggregator.store.schema import ItemRow, SourceRow


class Sources(Items):
    """Sources and their fetch state. It builds on `Items`: `save_crawl_results` stores items
    and fetch states in one transaction."""

    def sync_sources(self, sources: Sequence[Source]) -> None:
        """Make the sources table follow sources.yaml (the sources of origin 'config'; the
        registered ones are `store.registry`'s).

        New sources are added, known ones get the config fields, sources no longer configured
        are marked ``in_config = False`` (their items stay). Fetch state is left alone, except
        that a changed feed URL forgets the old URL's validators, schedule and redirect hint.
        """
        wanted = {source.id: source for source in sources if source.origin == "config"}
        config_columns = (
            SourceRow.name,
            SourceRow.city,
            SourceRow.homepage,
            SourceRow.feed_url,
            SourceRow.interval_minutes,
            SourceRow.enabled,
            SourceRow.in_config,
            SourceRow.contact_email,
        )
        with transaction(self.engine, write=True) as conn:
            keys = [column.key for column in config_columns]
            stored = {
                row[0]: dict(zip(keys, row[1:], strict=True))
                for row in conn.execute(
                    select(SourceRow.id, *config_columns).where(SourceRow.origin == "config")
                )
            }
            registered = set(
                conn.scalars(select(SourceRow.id).where(SourceRow.origin == "registry"))
            )
            clash = sorted(registered & set(wanted))
            if clash:  # `registry.merge` refuses this before; a bypass must not take them over
                raise StoreError(
                    f"source '{clash[0]}' is a registered source: sources.yaml cannot redefine it"
                )
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
                    "contact_email": source.contact,
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
                    dialect_insert(self.engine, SourceRow).on_conflict_do_nothing(
                        index_elements=["id"]
                    ),
                    new_rows,
                )
            if changes:
                conn.execute(update(SourceRow).where(SourceRow.id == bindparam("b_id")), changes)
            for chunk in chunks(moves):
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
            for chunk in chunks(gone):
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
            for where in id_filters(ids):
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
                require_aware(value)
        ids = sorted(state.source_id for state in states)
        feed_urls: dict[str, str | None] = {}
        failing_since: dict[str, datetime | None] = {}
        for chunk in chunks(ids):
            query = (
                select(SourceRow.id, SourceRow.feed_url, SourceRow.failing_since)
                .where(SourceRow.id.in_(chunk))
                .order_by(SourceRow.id)  # rows locked in one order by every process: no deadlock
            )
            if conn.dialect.name == "postgresql":
                query = query.with_for_update()  # no other crawler re-leases it meanwhile
            for source_id, url, since in conn.execute(query):
                feed_urls[source_id] = url
                failing_since[source_id] = since
        missing = [source_id for source_id in ids if source_id not in feed_urls]
        if missing:
            raise StoreError(f"no source {missing[0]!r} in the database: sync sources.yaml first")
        rows = []
        for state in states:
            fields = _state_fields(state) | _failure_period(state, failing_since[state.source_id])
            if state.url is not None and feed_urls[state.source_id] != state.url:
                fields |= {"etag": None, "last_modified": None, "next_fetch_at": None}
            rows.append({"b_id": state.source_id, **fields})
        conn.execute(update(SourceRow).where(SourceRow.id == bindparam("b_id")), rows)
        if owner is not None:
            for chunk in chunks(ids):
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
        require_aware(now)
        require_aware(until)
        claimed: list[str] = []
        with transaction(self.engine, write=True) as conn:
            for chunk in chunks(list(dict.fromkeys(source_ids))):
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
        require_aware(until)
        with transaction(self.engine, write=True) as conn:
            for chunk in chunks(list(source_ids)):
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
        require_aware(now)
        counts: list[tuple[int, int]] = []
        with transaction(self.engine, write=True) as conn:
            for _state, items in results:
                counts.append(self._upsert(conn, items, now) if items else (0, 0))
            self._save_states(conn, [state for state, _items in results], owner)
        return counts

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


def _failure_period(state: FetchState, since: datetime | None) -> dict[str, Any]:
    """`failing_since` after this fetch: set by the first failure after a success, kept by
    the failures that follow, cleared by a success (the health alerts read it)."""
    if state.last_status == "failed":
        return {"failing_since": since or state.last_fetched_at}
    if state.last_status in ("ok", "not_modified"):
        return {"failing_since": None}
    return {"failing_since": since}


def _bounded(text: str | None, limit: int, *, drop: bool = False) -> str | None:
    """`text` if it fits in `limit` characters; else cut (a message) or None (a value that
    would be wrong when cut, like a validator or a URL)."""
    if text is None or len(text) <= limit:
        return text
    return None if drop else text[: limit - 1] + "…"
