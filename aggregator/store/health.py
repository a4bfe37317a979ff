"""Source health from the database: figures per source, held items and their release, and the
bookkeeping of the health mails (`failing_since` / `alert_sent_at` of the sources table).

    SourceHealthStore(engine)
        .stats(sources, now)                  -> [health.SourceStats], in the given order
        .held_items(source_id, limit)         -> [HeldItem], newest first
        .release_held(source_id)              -> how many items are shown again
        .claim_alert(source_id, since, now)   the alert of this failure period: True for the
                                              one caller that may send it
        .claim_recovery(source_id, sent_at)   the recovery mail: True for the one caller
        .undo_alert / .undo_recovery          a claimed mail that could not be sent
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, false, func, or_, select, true, update

from aggregator.health import SourceStats
from aggregator.model import Source
from aggregator.store.common import DomainStore, chunks, require_aware
from aggregator.store.db import transaction
from aggregator.store.schema import ItemRow, SourceRow

FOUND_WINDOW = timedelta(days=30)  # "items found in the last 30 days" (status page)
MONTH_WINDOW = timedelta(days=90)  # items per month, over three months


@dataclass(frozen=True, slots=True)
class HeldItem:
    id: int
    title: str
    url: str
    published: datetime
    first_seen: datetime


class SourceHealthStore(DomainStore):
    def stats(self, sources: Sequence[Source], now: datetime) -> list[SourceStats]:
        """The figures of `sources` (a source never synced has only its definition)."""
        require_aware(now)
        ids = list(dict.fromkeys(source.id for source in sources))
        rows: dict[str, Any] = {}
        counts: dict[str, Any] = {}
        with transaction(self.engine) as conn:
            for chunk in chunks(ids):
                for row in conn.execute(_source_query().where(SourceRow.id.in_(chunk))):
                    rows[row.id] = row
                for row in conn.execute(_count_query(now).where(ItemRow.source_id.in_(chunk))):
                    counts[row.source_id] = row
        return [_stats(source, rows.get(source.id), counts.get(source.id)) for source in sources]

    def held_items(self, source_id: str, limit: int = 100) -> list[HeldItem]:
        query = (
            select(
                ItemRow.id, ItemRow.title, ItemRow.url, ItemRow.published_at, ItemRow.first_seen_at
            )
            .where(ItemRow.source_id == source_id, ItemRow.held == true())
            .order_by(ItemRow.published_at.desc(), ItemRow.id.desc())
            .limit(limit)
        )
        with transaction(self.engine) as conn:
            return [HeldItem(*row) for row in conn.execute(query)]

    def release_held(self, source_id: str) -> int:
        """Show a source's held items (the editor looked at them); returns how many."""
        with transaction(self.engine, write=True) as conn:
            result = conn.execute(
                update(ItemRow)
                .where(ItemRow.source_id == source_id, ItemRow.held == true())
                .values(held=False)
            )
            return int(result.rowcount or 0)

    # -- health mails: each claimed by one conditional UPDATE, so that two processes running
    # the alert job at once send it once

    def claim_alert(self, source_id: str, failing_since: datetime, now: datetime) -> bool:
        require_aware(now)
        with transaction(self.engine, write=True) as conn:
            result = conn.execute(
                update(SourceRow)
                .where(
                    SourceRow.id == source_id,
                    SourceRow.failing_since == failing_since,
                    or_(SourceRow.alert_sent_at.is_(None), SourceRow.alert_sent_at < failing_since),
                )
                .values(alert_sent_at=now)
            )
            return bool(result.rowcount)

    def undo_alert(self, source_id: str, claimed_at: datetime, previous: datetime | None) -> None:
        with transaction(self.engine, write=True) as conn:
            conn.execute(
                update(SourceRow)
                .where(SourceRow.id == source_id, SourceRow.alert_sent_at == claimed_at)
                .values(alert_sent_at=previous)
            )

    def claim_recovery(self, source_id: str, alert_sent_at: datetime) -> bool:
        with transaction(self.engine, write=True) as conn:
            result = conn.execute(
                update(SourceRow)
                .where(SourceRow.id == source_id, SourceRow.alert_sent_at == alert_sent_at)
                .values(alert_sent_at=None)
            )
            return bool(result.rowcount)

    def undo_recovery(self, source_id: str, alert_sent_at: datetime) -> None:
        with transaction(self.engine, write=True) as conn:
            conn.execute(
                update(SourceRow)
                .where(SourceRow.id == source_id, SourceRow.alert_sent_at.is_(None))
                .values(alert_sent_at=alert_sent_at)
            )


def _source_query() -> Any:
    return select(
        SourceRow.id,
        SourceRow.origin,
        SourceRow.contact_email,
        SourceRow.last_fetched_at,
        SourceRow.last_success_at,
        SourceRow.last_status,
        SourceRow.last_error,
        SourceRow.last_error_message,
        SourceRow.consecutive_failures,
        SourceRow.moved_to,
        SourceRow.failing_since,
        SourceRow.alert_sent_at,
    )


def _count_query(now: datetime) -> Any:
    shown = ItemRow.held == false()
    return select(
        ItemRow.source_id,
        func.count().label("items"),
        func.sum(case((ItemRow.held == true(), 1), else_=0)).label("held"),
        func.max(case((shown, ItemRow.published_at), else_=None)).label("newest"),
        func.sum(case((ItemRow.first_seen_at >= now - FOUND_WINDOW, 1), else_=0)).label("found"),
        func.sum(case((and_(shown, ItemRow.published_at >= now - MONTH_WINDOW), 1), else_=0)).label(
            "recent"
        ),
    ).group_by(ItemRow.source_id)


def _stats(source: Source, row: Any, counts: Any) -> SourceStats:
    values: dict[str, Any] = {}
    if row is not None:
        values = {
            "origin": row.origin,
            "contact_email": row.contact_email,
            "last_fetched_at": row.last_fetched_at,
            "last_success_at": row.last_success_at,
            "last_status": row.last_status,
            "last_error": row.last_error,
            "last_error_message": row.last_error_message,
            "consecutive_failures": row.consecutive_failures or 0,
            "moved_to": row.moved_to,
            "failing_since": row.failing_since,
            "alert_sent_at": row.alert_sent_at,
        }
    if counts is not None:
        newest = counts.newest
        if newest is not None and not isinstance(newest, datetime):  # SQLite's max() is text
            newest = datetime.fromisoformat(str(newest))
        if newest is not None and newest.tzinfo is None:
            newest = newest.replace(tzinfo=UTC)
        values |= {
            "items": int(counts.items),
            "held": int(counts.held or 0),
            "newest_published": newest,
            "found_30_days": int(counts.found or 0),
            "published_90_days": int(counts.recent or 0),
        }
    return SourceStats(
        source_id=source.id,
        name=source.name,
        kind=source.kind,
        url=source.url,
        enabled=source.enabled,
        **values,
    )
