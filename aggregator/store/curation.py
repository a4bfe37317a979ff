"""What makes stories out of items, kept in the database: story clusters and tags, as the crawl
sets them and as the editor corrects them.

The rules live in pure modules (`aggregator.dedup` decides what is one story, `aggregator.
tagging` what an item is about); this module only reads what they need and stores what they
decided. An editor's decision wins for good: a cluster key the editor set (`merge`, `split`) is
pinned and never changed by clustering, and a tag the editor set or removed stays as the editor
left it through every crawl and re-tagging.

Items are named as the public feeds name them: "source_id:guid" (`Story.id`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, bindparam, delete, false, func, insert, select, update
from sqlalchemy.sql.elements import ColumnElement

from aggregator.errors import StoreError
from aggregator.model import Tag, TagKind
from aggregator.store.db import transaction
from aggregator.store.schema import ItemRow, ItemTagRow, SourceRow

RETAG_BATCH = 500


@dataclass(frozen=True, slots=True)
class WindowItem:
    """An item as clustering sees it."""

    id: int
    source_id: str
    title: str
    text: str
    url: str
    canonical_url: str
    guid: str
    first_seen: datetime
    published: datetime
    cluster_key: str
    pinned: bool
    homepage: str


@dataclass(frozen=True, slots=True)
class TaggableItem:
    id: int
    title: str
    text: str
    source_city: str | None


class Curation:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- clustering -----------------------------------------------------------------------------

    def window(self, since: datetime) -> list[WindowItem]:
        """Every item first seen at or after `since`, oldest first."""
        return self._window_items(ItemRow.first_seen_at >= since)

    def items_after(self, item_id: int) -> list[WindowItem]:
        """Every item with an id above `item_id` (stored since it), oldest first."""
        return self._window_items(ItemRow.id > item_id)

    def _window_items(self, condition: ColumnElement[bool]) -> list[WindowItem]:
        query = (
            select(
                ItemRow.id,
                ItemRow.source_id,
                ItemRow.title,
                ItemRow.excerpt,
                ItemRow.url,
                ItemRow.canonical_url,
                ItemRow.guid,
                ItemRow.first_seen_at,
                ItemRow.published_at,
                ItemRow.cluster_key,
                ItemRow.cluster_pinned,
                SourceRow.homepage,
            )
            .join(SourceRow, SourceRow.id == ItemRow.source_id)
            .where(condition)
            .order_by(ItemRow.first_seen_at, ItemRow.id)
        )
        with transaction(self.engine) as conn:
            rows: list[Any] = list(conn.execute(query))
        return [WindowItem(*row) for row in rows]

    def set_cluster_keys(self, keys: Mapping[int, str]) -> int:
        """Give items their cluster's key; an item the editor pinned keeps its own. Returns how
        many items changed."""
        changes = [{"b_id": item_id, "b_key": key} for item_id, key in keys.items()]
        if not changes:
            return 0
        statement = (
            update(ItemRow)
            .where(
                ItemRow.id == bindparam("b_id"),
                ItemRow.cluster_pinned == false(),
                ItemRow.cluster_key != bindparam("b_key"),
            )
            .values(cluster_key=bindparam("b_key"))
            .execution_options(synchronize_session=False)
        )
        with transaction(self.engine, write=True) as conn:
            result = conn.execute(statement, changes)
        return max(int(result.rowcount or 0), 0)

    # -- the editor's corrections ----------------------------------------------------------------

    def merge(self, story_id: str, into: str) -> int:
        """`story_id`'s whole story joins `into`'s story, for good; returns the items moved."""
        with transaction(self.engine, write=True) as conn:
            moving = self._item(conn, story_id)
            target = self._item(conn, into)
            old_key = conn.execute(
                select(ItemRow.cluster_key).where(ItemRow.id == moving)
            ).scalar_one()
            new_key = conn.execute(
                select(ItemRow.cluster_key).where(ItemRow.id == target)
            ).scalar_one()
            conn.execute(update(ItemRow).where(ItemRow.id == target).values(cluster_pinned=True))
            if old_key == new_key:
                return 0
            result = conn.execute(
                update(ItemRow)
                .where(ItemRow.cluster_key == old_key)
                .values(cluster_key=new_key, cluster_pinned=True)
            )
            return int(result.rowcount or 0)

    def split(self, story_id: str) -> str:
        """`story_id` leaves its story and stands alone, for good; returns its new key."""
        with transaction(self.engine, write=True) as conn:
            item_id = self._item(conn, story_id)
            key = f"redaktion:{item_id}"
            conn.execute(
                update(ItemRow)
                .where(ItemRow.id == item_id)
                .values(cluster_key=key, cluster_pinned=True)
            )
        return key

    def set_tag(self, story_id: str, kind: TagKind, value: str, *, removed: bool = False) -> int:
        """The editor sets (or, with `removed`, takes away) a tag of a story: of every item that
        tells it (a story shows the tags of all its items). Returns how many items."""
        with transaction(self.engine, write=True) as conn:
            item_id = self._item(conn, story_id)
            key = select(ItemRow.cluster_key).where(ItemRow.id == item_id).scalar_subquery()
            members = list(
                conn.execute(select(ItemRow.id).where(ItemRow.cluster_key == key)).scalars()
            )
            conn.execute(
                delete(ItemTagRow).where(
                    ItemTagRow.item_id.in_(members),
                    ItemTagRow.kind == kind,
                    ItemTagRow.value == value,
                )
            )
            conn.execute(
                insert(ItemTagRow),
                [
                    {
                        "item_id": member,
                        "kind": kind,
                        "value": value,
                        "origin": "editor",
                        "why": None,
                        "removed": removed,
                    }
                    for member in members
                ],
            )
        return len(members)

    def tags_of(self, story_id: str) -> list[tuple[Tag, bool]]:
        """An item's tags with `removed`, for the editor to see."""
        with transaction(self.engine) as conn:
            item_id = self._item(conn, story_id)
            rows = conn.execute(
                select(
                    ItemTagRow.kind,
                    ItemTagRow.value,
                    ItemTagRow.origin,
                    ItemTagRow.why,
                    ItemTagRow.removed,
                )
                .where(ItemTagRow.item_id == item_id)
                .order_by(ItemTagRow.kind, ItemTagRow.value)
            ).all()
        return [
            (Tag(kind, value, origin, tuple(json.loads(why)) if why else ()), bool(removed))  # type: ignore[arg-type]
            for kind, value, origin, why, removed in rows
        ]

    # -- re-tagging -----------------------------------------------------------------------------

    def count_items(self) -> int:
        with transaction(self.engine) as conn:
            return int(conn.execute(select(func.count()).select_from(ItemRow)).scalar_one())

    def taggable(self, batch: int = RETAG_BATCH) -> Iterator[list[TaggableItem]]:
        """Every item with what tagging reads, in batches by id."""
        last = 0
        while True:
            with transaction(self.engine) as conn:
                rows = conn.execute(
                    select(ItemRow.id, ItemRow.title, ItemRow.excerpt, SourceRow.city)
                    .join(SourceRow, SourceRow.id == ItemRow.source_id)
                    .where(ItemRow.id > last)
                    .order_by(ItemRow.id)
                    .limit(batch)
                ).all()
            if not rows:
                return
            last = rows[-1][0]
            yield [TaggableItem(*row) for row in rows]

    def replace_tags(self, tags: Mapping[int, Sequence[Tag]]) -> None:
        """Replace the source and text tags of these items; the editor's stay and win."""
        if not tags:
            return
        rows: list[dict[str, Any]] = []
        for item_id, item_tags in tags.items():
            seen: set[tuple[str, str]] = set()
            for tag in item_tags:
                if tag.origin == "editor" or (tag.kind, tag.value) in seen:
                    continue
                seen.add((tag.kind, tag.value))
                rows.append(
                    {
                        "item_id": item_id,
                        "kind": tag.kind,
                        "value": tag.value,
                        "origin": tag.origin,
                        "why": json.dumps(list(tag.why), ensure_ascii=False) if tag.why else None,
                        "removed": False,
                    }
                )
        ids = list(tags)
        with transaction(self.engine, write=True) as conn:
            editor = {
                (item_id, kind, value)
                for item_id, kind, value in conn.execute(
                    select(ItemTagRow.item_id, ItemTagRow.kind, ItemTagRow.value).where(
                        ItemTagRow.item_id.in_(ids), ItemTagRow.origin == "editor"
                    )
                )
            }
            conn.execute(
                delete(ItemTagRow).where(
                    ItemTagRow.item_id.in_(ids), ItemTagRow.origin.in_(("source", "text"))
                )
            )
            fresh = [r for r in rows if (r["item_id"], r["kind"], r["value"]) not in editor]
            if fresh:
                conn.execute(insert(ItemTagRow), fresh)

    # -- helpers --------------------------------------------------------------------------------

    @staticmethod
    def _item(conn: Any, story_id: str) -> int:
        source_id, sep, guid = story_id.partition(":")
        if not sep or not source_id or not guid:
            raise StoreError(f"{story_id!r} is not an item id (source_id:guid, as in the feeds)")
        found = conn.execute(
            select(ItemRow.id).where(and_(ItemRow.source_id == source_id, ItemRow.guid == guid))
        ).scalar_one_or_none()
        if found is None:
            raise StoreError(f"no item {story_id!r}")
        return int(found)
