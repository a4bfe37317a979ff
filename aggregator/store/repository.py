"""Store: the one class the crawler, the publisher and the web app use, composed of the domain
stores (sources.py, items.py, stories.py, runs.py).

Every method is one short transaction and raises `StoreError` when the database fails. Writes
are batched (one SELECT, one bulk INSERT, one bulk UPDATE per call), so a crawl of hundreds of
sources and a publish of tens of thousands of items stay fast on SQLite.
"""

from __future__ import annotations

from aggregator.store.items import Items, content_hash
from aggregator.store.runs import CrawlRun, CrawlRuns
from aggregator.store.sources import Sources
from aggregator.store.stories import Stories, german_sort_key

__all__ = ["CrawlRun", "Store", "content_hash", "german_sort_key"]


class Store(Sources, Items, Stories, CrawlRuns):
    """Storage of sources, fetch state, items, stories and crawl runs on a migrated database."""
