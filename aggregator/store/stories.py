"""Stories as the publisher and the web app read them: pages of stories, their contents,
counts, the cities, and `latest_change` (whether there is anything new to publish).

Items in the same cluster (the same article reported by several forums) form one story. Its
primary item is the one seen first; the others' forums are listed in `also_at`.
"""

from __future__ import annotations

import functools
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Select, and_, exists, false, func, literal, or_, select, true
from sqlalchemy.orm import aliased

from aggregator.model import Story
from aggregator.store.common import DomainStore, chunks
from aggregator.store.db import transaction
from aggregator.store.schema import CrawlRunRow, ItemRow, ItemTagRow, SourceRow


class Stories(DomainStore):
    """Stories (reads only)."""

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
        # Held items (a relaunch, until an editor releases them) are left out everywhere.
        is_primary = ~exists().where(
            earlier.cluster_key == ItemRow.cluster_key,
            earlier.held == false(),
            or_(
                earlier.first_seen_at < ItemRow.first_seen_at,
                and_(earlier.first_seen_at == ItemRow.first_seen_at, earlier.id < ItemRow.id),
            ),
        )
        shared = exists().where(
            other.cluster_key == ItemRow.cluster_key, other.id != ItemRow.id, other.held == false()
        )
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
            .where(is_primary, ItemRow.held == false())
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
            for chunk in chunks(single):
                for item_id, kind, value, removed in conn.execute(
                    select(
                        ItemTagRow.item_id, ItemTagRow.kind, ItemTagRow.value, ItemTagRow.removed
                    ).where(ItemTagRow.item_id.in_(chunk))
                ):
                    tags_of = item_tags[item_id]
                    tags_of[(kind, value)] = tags_of.get((kind, value), False) or removed
            for chunk in chunks(groups):
                for key, kind, value, removed in conn.execute(
                    select(
                        ItemRow.cluster_key, ItemTagRow.kind, ItemTagRow.value, ItemTagRow.removed
                    )
                    .join(ItemTagRow, ItemTagRow.item_id == ItemRow.id)
                    .where(ItemRow.cluster_key.in_(chunk), ItemRow.held == false())
                    .distinct()
                ):
                    tags_of = group_tags[key]
                    tags_of[(kind, value)] = tags_of.get((kind, value), False) or removed
                for url, source_id, name in conn.execute(
                    select(ItemRow.cluster_key, ItemRow.source_id, SourceRow.name)
                    .join(SourceRow, SourceRow.id == ItemRow.source_id)
                    .where(ItemRow.cluster_key.in_(chunk), ItemRow.held == false())
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
            for chunk in chunks(keys, 200):
                # OR of pairs, not a tuple IN: SQLite answers that with a scan of all items
                match = or_(*(and_(ItemRow.source_id == s, ItemRow.guid == g) for s, g in chunk))
                rows = conn.execute(
                    select(ItemRow.source_id, ItemRow.guid, ItemRow.content_html).where(match)
                )
                found.update((f"{source_id}:{guid}", html) for source_id, guid, html in rows)
        return found

    def count_stories(self, city: str | None = None) -> int:
        """How many stories `stories(city=city)` lists without a limit."""
        query = select(func.count(ItemRow.cluster_key.distinct())).where(ItemRow.held == false())
        if city is not None:
            query = query.where(ItemRow.cluster_key.in_(_urls_tagged(city)))
        with transaction(self.engine) as conn:
            return int(conn.execute(query).scalar_one())

    def cities(self) -> list[tuple[str, int]]:
        """Every city tag with its number of stories, in German alphabetical order."""
        query = (
            select(ItemTagRow.value, func.count(ItemRow.cluster_key.distinct()))
            .join(ItemRow, ItemRow.id == ItemTagRow.item_id)
            .where(
                ItemTagRow.kind == "city", ItemTagRow.removed == false(), ItemRow.held == false()
            )
            .group_by(ItemTagRow.value)
        )
        with transaction(self.engine) as conn:
            rows = [(value, int(count)) for value, count in conn.execute(query)]
        return sorted(rows, key=lambda row: german_sort_key(row[0]))

    def latest_change(self) -> tuple[int, int]:
        """What the published site depends on, cheaply: the id of the newest crawl run (by any
        crawler process sharing this database) that stored new or updated items, and the number
        of items shown (a purge lowers it, an editor's release of held items raises it). A
        publisher compares it with the value at its last publish, so that it also publishes what
        other processes crawled, removed or released."""
        runs = select(func.max(CrawlRunRow.id)).where(
            CrawlRunRow.items_new + CrawlRunRow.items_updated > 0
        )
        with transaction(self.engine) as conn:
            run_id = conn.execute(runs).scalar_one() or 0
            # all items less the held ones: two index counts, where "not held" would scan
            items = conn.execute(select(func.count()).select_from(ItemRow)).scalar_one()
            held = conn.execute(
                select(func.count()).select_from(ItemRow).where(ItemRow.held == true())
            ).scalar_one()
        return int(run_id), int(items) - int(held)


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
