"""What the domain stores share: their base class, IN lists in chunks, the check for aware
times, and INSERT … ON CONFLICT in the engine's dialect."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

# Bound parameters per IN list: far below the limits of SQLite (32766) and PostgreSQL (65535).
CHUNK = 500


class DomainStore:
    """A store of one domain on a migrated database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine


def dialect_insert(engine: Engine, table: type[Any]) -> Any:
    """INSERT with ON CONFLICT, which both dialects speak (SQLite since 3.24). The dialect
    modules are imported on first use: a SQLite installation never loads PostgreSQL's."""
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table)


def require_aware(value: datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"naive datetime {value.isoformat()} given; pass an aware datetime")


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def id_filters(ids: list[str] | None) -> Iterator[Sequence[str] | None]:
    if ids is None:
        yield None
    else:
        yield from chunks(ids)
