"""Registered sources in the database (origin 'registry'): add, change, enable, hand over.

sources.yaml's sources (origin 'config') are synced by `Sources.sync_sources` and never
changed here: every method refuses them with `NotRegisteredError`. An id is unique across both
origins: adding a source whose id exists in any form is `SourceExistsError`, never an override.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from aggregator.errors import StoreError
from aggregator.model import Source
from aggregator.registry import source_entry
from aggregator.store.common import DomainStore, dialect_insert, require_aware
from aggregator.store.db import transaction
from aggregator.store.schema import SourceRow


class SourceExistsError(StoreError):
    """A source with this id (or, for `add`, this URL) is already known."""


class NotRegisteredError(StoreError):
    """The source is not a registered one: sources.yaml's entries change only there."""


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """What the database knows of a source beyond its definition."""

    id: str
    origin: str  # 'config' | 'registry'
    in_config: bool
    contact_email: str | None
    description: str | None
    registered_at: datetime | None


class Registry(DomainStore):
    def entries(self) -> list[dict[str, Any]]:
        """The sources.yaml-style entries of every registered source, by id."""
        with transaction(self.engine) as conn:
            rows = conn.execute(
                select(SourceRow.id, SourceRow.definition, SourceRow.contact_email)
                .where(SourceRow.origin == "registry")
                .order_by(SourceRow.id)
            ).all()
        entries = []
        for source_id, definition, contact in rows:
            try:
                entry = json.loads(definition or "")
            except ValueError:
                entry = None
            if not isinstance(entry, dict) or entry.get("id") != source_id:
                entry = {"id": source_id}  # validation names what is missing
            if contact:
                entry["contact"] = contact  # kept in its column (the registration's address)
            entries.append(entry)
        return entries

    def records(self) -> dict[str, SourceRecord]:
        with transaction(self.engine) as conn:
            rows = conn.execute(
                select(
                    SourceRow.id,
                    SourceRow.origin,
                    SourceRow.in_config,
                    SourceRow.contact_email,
                    SourceRow.description,
                    SourceRow.registered_at,
                )
            ).all()
        return {row[0]: SourceRecord(*row) for row in rows}

    def record(self, source_id: str) -> SourceRecord | None:
        return self.records().get(source_id)

    def add(
        self,
        source: Source,
        *,
        now: datetime,
        contact_email: str | None = None,
        description: str | None = None,
    ) -> None:
        """Register `source`; `SourceExistsError` when its id is taken (in either origin) or its
        URL is already some source's."""
        require_aware(now)
        values = _columns(source)
        contact_email = contact_email or source.contact
        with transaction(self.engine, write=True) as conn:
            owner = _url_owner(conn, source)
            if owner is not None:
                raise SourceExistsError(f"{source.url} is already read as source '{owner}'")
            inserted = conn.execute(
                dialect_insert(self.engine, SourceRow)
                .values(
                    id=source.id,
                    consecutive_failures=0,
                    origin="registry",
                    contact_email=contact_email,
                    description=description,
                    registered_at=now,
                    **values,
                )
                .on_conflict_do_nothing(index_elements=["id"])
                .returning(SourceRow.id)
            )
            if inserted.scalar_one_or_none() is None:
                raise SourceExistsError(f"a source with the id '{source.id}' exists already")

    def change(self, source: Source) -> None:
        """Replace a registered source's definition (URL, interval, name …). A new URL forgets
        the old one's validators, schedule and redirect hint, as a sources.yaml change does."""
        with transaction(self.engine, write=True) as conn:
            current = self._registered(conn, source.id)
            owner = _url_owner(conn, source)
            if owner is not None and owner != source.id:
                raise SourceExistsError(f"{source.url} is already read as source '{owner}'")
            values = _columns(source)
            if source.contact is not None:
                values["contact_email"] = source.contact
            if current.feed_url != source.url:
                values |= {
                    "etag": None,
                    "last_modified": None,
                    "next_fetch_at": None,
                    "moved_to": None,
                }
            conn.execute(update(SourceRow).where(SourceRow.id == source.id).values(**values))

    def set_contact(self, source_id: str, contact_email: str | None) -> None:
        with transaction(self.engine, write=True) as conn:
            self._registered(conn, source_id)
            conn.execute(
                update(SourceRow)
                .where(SourceRow.id == source_id)
                .values(contact_email=contact_email)
            )

    def remove(self, source_id: str) -> None:
        """Take a source out of the registry; its row, fetch state and items stay. It is no
        longer crawled, and sources.yaml may now declare it (the next sync takes it over)."""
        with transaction(self.engine, write=True) as conn:
            self._registered(conn, source_id)
            conn.execute(
                update(SourceRow)
                .where(SourceRow.id == source_id)
                .values(origin="config", in_config=False, definition=None)
            )

    def _registered(self, conn: Connection, source_id: str) -> Any:
        row = conn.execute(
            select(SourceRow.origin, SourceRow.feed_url).where(SourceRow.id == source_id)
        ).one_or_none()
        if row is None:
            raise NotRegisteredError(f"no source '{source_id}'")
        if row.origin != "registry":
            raise NotRegisteredError(
                f"source '{source_id}' is declared in sources.yaml: change it there"
            )
        return row


def _columns(source: Source) -> dict[str, Any]:
    return {
        "name": source.name,
        "city": source.city,
        "homepage": source.homepage,
        "feed_url": source.url,
        "interval_minutes": source.interval_minutes,
        "enabled": source.enabled,
        "in_config": True,
        # the contact lives in its own column, as for sources.yaml's sources
        "definition": json.dumps(source_entry(replace(source, contact=None)), ensure_ascii=False),
    }


def _url_owner(conn: Connection, source: Source) -> str | None:
    """The id of a current source that already reads `source`'s URL (compared canonically)."""
    if source.url is None:
        return None
    from aggregator.urls import canonical_url

    wanted = canonical_url(source.url)
    rows = conn.execute(
        select(SourceRow.id, SourceRow.feed_url).where(
            SourceRow.in_config, SourceRow.feed_url.is_not(None)
        )
    )
    for source_id, url in rows:
        if url and source_id != source.id and canonical_url(url) == wanted:
            return str(source_id)
    return None
