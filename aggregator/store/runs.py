"""Crawl runs: the record of each crawl and its counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select

from aggregator.store.common import DomainStore, require_aware
from aggregator.store.db import transaction
from aggregator.store.schema import CrawlRunRow


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


class CrawlRuns(DomainStore):
    """Recorded crawls."""

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
        require_aware(started_at)
        require_aware(finished_at)
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
