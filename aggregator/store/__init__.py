"""Storage: SQLAlchemy schema, queries and Alembic migrations (SQLite or PostgreSQL).

db.py          make_engine, transaction, upgrade / needs_upgrade / current_revision
schema.py      typed models of the tables; UTCDateTime
repository.py  Store: the facade every caller uses, composed of the domain stores below
sources.py     Sources: sync with sources.yaml, fetch state, leases, crawl results, purge
items.py       Items: known links, the batched upsert with tags; content_hash
stories.py     Stories: stories, contents, counts, cities, latest_change
runs.py        CrawlRuns: recorded crawls; CrawlRun
common.py      what they share: DomainStore, chunks, require_aware, dialect_insert
curation.py    Curation: clusters and tags as the crawl sets them and the editor corrects them
migrations/    Alembic environment and revisions (shipped inside the package)
"""

from aggregator.store.db import current_revision, make_engine, needs_upgrade, upgrade
from aggregator.store.repository import CrawlRun, Store

__all__ = ["CrawlRun", "Store", "current_revision", "make_engine", "needs_upgrade", "upgrade"]
