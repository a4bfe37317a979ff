"""After a crawl stored new items: each joins the story it tells, among the items of the last 14
days (`dedup.DEFAULT_WINDOW`). The rule is `aggregator.dedup`'s; this module reads the window from
the store and writes back the cluster key of each new item that joined an older story.

Only new items change: a story's key, and its representative (the earliest item), stay as they
are when a later item joins it, and a key the editor pinned is never touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit

from aggregator.dedup import DEFAULT_WINDOW, DedupDoc, cluster
from aggregator.store.curation import Curation, WindowItem


def cluster_new_items(curation: Curation, new_since: datetime) -> int:
    """Cluster the items first seen at or after `new_since`; returns how many joined a story."""
    window = curation.window(new_since - DEFAULT_WINDOW)
    return curation.set_cluster_keys(cluster_keys(window, new_since))


def cluster_keys(window: Sequence[WindowItem], new_since: datetime) -> dict[int, str]:
    """The new items that join an older story (or another new one), with that story's key."""
    docs = [
        DedupDoc(
            id=str(w.id),
            source_id=w.source_id,
            title=w.title,
            text=w.text,
            url=w.canonical_url,
            guid=w.guid,
            first_seen=w.first_seen,
            published=w.published,
            own_site=_host(w.url) == _host(w.homepage),
        )
        for w in window
    ]
    representative = cluster(docs)
    key_of = {str(w.id): w.cluster_key for w in window}
    keys: dict[int, str] = {}
    for w in window:
        if w.first_seen < new_since or w.pinned:
            continue
        leader = representative[str(w.id)]
        if leader != str(w.id) and key_of[leader] != w.cluster_key:
            keys[w.id] = key_of[leader]
    return keys


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")
