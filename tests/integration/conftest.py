"""Fixtures of the integration tests: real databases.

`database_url` runs a test twice: on a fresh SQLite file, and on a fresh throwaway PostgreSQL
database created through AGGREGATOR_TEST_DATABASE_URL (an admin URL, e.g.
postgresql+psycopg://postgres:postgres@127.0.0.1:5432/postgres). Without that variable the
PostgreSQL run is skipped.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from aggregator.store.db import make_engine, upgrade

TEST_DATABASE_ENV = "AGGREGATOR_TEST_DATABASE_URL"


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database that exists for this test only."""
    if request.param == "sqlite":
        # A folder that does not exist yet: the store creates it.
        yield f"sqlite:///{tmp_path / 'data' / 'aggregator.db'}"
        return
    admin_url = os.environ.get(TEST_DATABASE_ENV)
    if not admin_url:
        pytest.skip(f"{TEST_DATABASE_ENV} is not set (a PostgreSQL admin URL)")
    name = f"agg_test_{secrets.token_hex(6)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated engine on `database_url` (SQLite and PostgreSQL), disposed afterwards."""
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()
