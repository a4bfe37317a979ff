"""New items join the stories they tell while the crawl stores them, among the items of the last
14 days (`dedup.DEFAULT_WINDOW`). The rule is `aggregator.dedup`'s; this module reads the window
from the store, feeds `dedup.DuplicateIndex` and writes back the cluster key of each new item that
joined an older story (or another new one).

    clusterer = StoryClusterer(Curation(engine), crawl_started)
    clusterer.add_new()   # after each written batch: the items stored since the last call

The first call loads the window once: its older items enter the index with the story they are
stored in (`add_known`: the editor's merges and splits included, nothing is compared again).
Later calls read only the items with a higher id than any seen. Only new items change: a story's
key, and its representative (the earliest item), stay as they are when a later item joins it,
and a key the editor pinned is never touched.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from aggregator.dedup import DEFAULT_WINDOW, DedupDoc, DuplicateIndex, representative_order
from aggregator.store.curation import Curation, WindowItem

_DOC_ID = "item:"  # index ids of items; stored cluster keys are URLs or "redaktion:N"


class StoryClusterer:
    def __init__(
        self, curation: Curation, started: datetime, window: timedelta = DEFAULT_WINDOW
    ) -> None:
        self.curation = curation
        self.started = started
        self.window = window
        self.index: DuplicateIndex | None = None
        self.high_water = 0  # the highest item id read so far
        self.founders: dict[str, str] = {}  # index id of a new item that began a story -> its key
        self.joined = 0

    def add_new(self) -> int:
        """Cluster the items stored since the last call; returns how many joined a story."""
        if self.index is None:
            self.index = DuplicateIndex(self.window)
            window = self.curation.window(self.started - self.window)
            for item in window:
                if item.first_seen < self.started:
                    self.index.add_known(_doc(item), item.cluster_key)
            new = [item for item in window if item.first_seen >= self.started]
            self.high_water = max((item.id for item in window), default=0)
        else:
            new = self.curation.items_after(self.high_water)
            self.high_water = max((item.id for item in new), default=self.high_water)
        joined = self.curation.set_cluster_keys(self._keys(self.index, new))
        self.joined += joined
        return joined

    def _keys(self, index: DuplicateIndex, items: Iterable[WindowItem]) -> dict[int, str]:
        """The new items that join a story, with that story's key."""
        keys: dict[int, str] = {}
        for doc, item in sorted(((_doc(i), i) for i in items), key=_order):
            cluster = index.add(doc)
            if cluster == doc.id:
                self.founders[doc.id] = item.cluster_key
                continue
            key = self.founders.get(cluster, cluster)  # a new story's key, or an older one's
            if not item.pinned and key != item.cluster_key:
                keys[item.id] = key
        return keys


def _order(pair: tuple[DedupDoc, WindowItem]) -> tuple[object, ...]:
    return representative_order(pair[0])


def _doc(item: WindowItem) -> DedupDoc:
    return DedupDoc(
        id=f"{_DOC_ID}{item.id}",
        source_id=item.source_id,
        title=item.title,
        text=item.text,
        url=item.canonical_url,
        guid=item.guid,
        first_seen=item.first_seen,
        published=item.published,
        own_site=_host(item.url) == _homepage_host(item.homepage),
    )


@functools.lru_cache(maxsize=1024)
def _homepage_host(url: str) -> str:
    """`_host` of a source's homepage: the same few for thousands of items."""
    return _host(url)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")
