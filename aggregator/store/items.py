"""Items: which links a source already has, and the batched upsert of a crawl's items with
their tags; `content_hash`, the fingerprint that tells an unchanged item from a changed one."""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select, update

from aggregator.errors import StoreError
from aggregator.limits import bounded_guid
from aggregator.model import Item
from aggregator.relaunch import MIN_THRESHOLD, REDATE_TOLERANCE, Incoming, Known, relaunch_verdict
from aggregator.store.common import DomainStore, chunks, dialect_insert, require_aware
from aggregator.store.db import transaction
from aggregator.store.schema import ItemRow, ItemTagRow, SourceRow

log = logging.getLogger(__name__)

_HASH_VERSION = "1"


class Items(DomainStore):
    """Items by (source_id, guid) and their tags."""

    def known_links(self, source_id: str, links: Sequence[str]) -> set[str]:
        """Those of `links` that are already the guid or the link of one of the source's items:
        a scraped news page's article pages are fetched only for links not seen before."""
        wanted = list(dict.fromkeys(links))
        by_guid = {bounded_guid(link): link for link in wanted}
        found: set[str] = set()
        with transaction(self.engine) as conn:
            for chunk in chunks(list(by_guid)):
                rows = conn.execute(
                    select(ItemRow.guid).where(
                        ItemRow.source_id == source_id, ItemRow.guid.in_(chunk)
                    )
                )
                found.update(by_guid[row[0]] for row in rows)
            for chunk in chunks([link for link in wanted if link not in found]):
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
        require_aware(now)
        if not items:
            return 0, 0
        with transaction(self.engine, write=True) as conn:
            return self._upsert(conn, items, now)

    def _upsert(self, conn: Connection, items: Sequence[Item], now: datetime) -> tuple[int, int]:
        by_source: dict[str, dict[str, Item]] = defaultdict(dict)
        for item in items:
            require_aware(item.published)
            require_aware(item.updated)
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
        for chunk in chunks(list(batch)):
            rows = conn.execute(
                select(ItemRow.guid, ItemRow.id, ItemRow.content_hash, ItemRow.published_at).where(
                    ItemRow.source_id == source_id, ItemRow.guid.in_(chunk)
                )
            )
            existing.update((guid, (item_id, digest, at)) for guid, item_id, digest, at in rows)

        hold = _relaunch_hold(conn, source_id, batch, existing)
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
                        "held": guid in hold,
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
            statement = dialect_insert(self.engine, ItemRow).on_conflict_do_nothing(
                index_elements=["source_id", "guid"]
            )
            for item_id, guid in conn.execute(
                statement.returning(ItemRow.id, ItemRow.guid), inserts
            ):
                inserted += 1
                tags.extend(_item_tags(item_id, batch[guid]))
        if changes:
            conn.execute(update(ItemRow).where(ItemRow.id == bindparam("b_id")), changes)
            redated = [item_id for item_id, item in changed if item.guid in hold]
            for chunk in chunks(redated):
                conn.execute(update(ItemRow).where(ItemRow.id.in_(chunk)).values(held=True))
            for chunk in chunks([item_id for item_id, _ in changed]):
                conn.execute(
                    delete(ItemTagRow).where(
                        ItemTagRow.item_id.in_(chunk), ItemTagRow.origin.in_(("source", "text"))
                    )
                )
            for item_id, item in changed:
                tags.extend(_item_tags(item_id, item))
        if tags:
            # A tag the editor set or removed stays as the editor left it: an editor row wins.
            conn.execute(dialect_insert(self.engine, ItemTagRow).on_conflict_do_nothing(), tags)
        for chunk in chunks(unchanged):
            conn.execute(update(ItemRow).where(ItemRow.id.in_(chunk)).values(last_seen_at=now))
        return inserted, len(changes)


def _relaunch_hold(
    conn: Connection,
    source_id: str,
    batch: dict[str, Item],
    existing: dict[str, tuple[int, str, datetime]],
) -> frozenset[str]:
    """The guids of this fetch to store held: all its new and re-dated items when it re-issued
    or re-dated many of the source's old items (`aggregator.relaunch`), else none. The stored
    items are asked about only when enough of the fetch could be re-issues."""
    new = [guid for guid in batch if guid not in existing]
    moved = [
        guid
        for guid, (_id, _hash, published) in existing.items()
        if batch[guid].dated and abs(batch[guid].published - published) > REDATE_TOLERANCE
    ]
    if len(new) + len(moved) < MIN_THRESHOLD:
        return frozenset()
    count = conn.execute(
        select(func.count()).select_from(ItemRow).where(ItemRow.source_id == source_id)
    ).scalar_one()
    if not count:
        return frozenset()
    urls: set[str] = set()
    titles: set[str] = set()
    of_source = ItemRow.source_id == source_id
    for chunk in chunks(list({batch[guid].canonical_url for guid in new})):
        urls.update(
            conn.scalars(
                select(ItemRow.canonical_url).where(of_source, ItemRow.canonical_url.in_(chunk))
            )
        )
    for chunk in chunks(list({batch[guid].title for guid in new})):
        titles.update(
            conn.scalars(select(ItemRow.title).where(of_source, ItemRow.title.in_(chunk)))
        )
    incoming = [
        Incoming(guid, item.canonical_url, item.title, item.published, item.dated)
        for guid, item in batch.items()
    ]
    known = Known(
        int(count),
        urls=urls,
        titles=titles,
        published={guid: published for guid, (_id, _hash, published) in existing.items()},
    )
    verdict = relaunch_verdict(incoming, known)
    if verdict.relaunch:
        log.warning(
            "%s: %d old items re-issued and %d re-dated at once (a relaunch?): %d items held "
            "until an editor releases them",
            source_id,
            len(verdict.reissued),
            len(verdict.redated),
            len(verdict.hold),
        )
    return verdict.hold


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


# One encoder for all tags: `json.dumps` with options builds a new one per call (a first crawl
# writes ~80,000 tags).
_why_json = json.JSONEncoder(ensure_ascii=False).encode


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
        why = _why_json(list(tag.why)) if tag.why else None
        yield {
            "item_id": item_id,
            "kind": tag.kind,
            "value": tag.value,
            "origin": tag.origin,
            "why": why,
        }
