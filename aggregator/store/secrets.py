"""Random keys the application makes for itself on first use (`app_secrets`).

    key = app_secret(engine, "mail", now)

The first process to ask creates the key; every later call, in any process sharing the
database, gets the same one (an insert that loses the race reads the winner's).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine

from aggregator.store.common import dialect_insert
from aggregator.store.schema import APP_SECRETS, AppSecretRow

SECRET_BYTES = 32


def app_secret(engine: Engine, name: str, now: datetime) -> str:
    """The secret called `name` (URL-safe text of 32 random bytes), created if missing."""
    insert = dialect_insert(engine, AppSecretRow)
    with engine.begin() as conn:
        conn.execute(
            insert.values(
                name=name, value=secrets.token_urlsafe(SECRET_BYTES), created_at=now
            ).on_conflict_do_nothing(index_elements=["name"])
        )
        value = conn.execute(select(APP_SECRETS.c.value).where(APP_SECRETS.c.name == name))
        return str(value.scalar_one())
