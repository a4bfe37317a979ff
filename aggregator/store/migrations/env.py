"""Alembic environment of the aggregator's database.

The program calls `aggregator.store.db.upgrade(engine)`, which hands its open connection over in
``config.attributes["connection"]``. For developers, the Alembic command line works too:

    alembic -c aggregator/store/alembic.ini revision --autogenerate -m "what changed"

with the database taken from AGGREGATOR_DATABASE_URL (default: sqlite:///data/aggregator.db).
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from aggregator.store.db import make_engine
from aggregator.store.schema import Base

DEFAULT_URL = "sqlite:///data/aggregator.db"

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return os.environ.get("AGGREGATOR_DATABASE_URL") or DEFAULT_URL


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.begin() as own_connection:
            _run(own_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
