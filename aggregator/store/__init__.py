"""Storage: SQLAlchemy schema, queries and Alembic migrations (SQLite or PostgreSQL).

db.py          make_engine, transaction, upgrade / needs_upgrade / current_revision
schema.py      typed models of the tables; UTCDateTime
repository.py  Store: sources, fetch state, items, stories, crawl runs
migrations/    Alembic environment and revisions (shipped inside the package)
"""

from aggregator.store.db import current_revision, make_engine, needs_upgrade, upgrade
from aggregator.store.repository import CrawlRun, Store

__all__ = ["CrawlRun", "Store", "current_revision", "make_engine", "needs_upgrade", "upgrade"]
