"""Editor accounts and sessions in the database (tables `editors`, `editor_sessions`).

Storage only: names arrive normalized and passwords arrive hashed (`aggregator.editors` does
both); sessions are found by the hash of their token, never by the token itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.engine import RowMapping

from aggregator.errors import AggregatorError
from aggregator.store.db import transaction
from aggregator.store.schema import EditorRow, EditorSessionRow


class EditorExistsError(AggregatorError):
    """An editor of that name exists already."""


@dataclass(frozen=True, slots=True)
class Editor:
    id: int
    name: str
    created_at: datetime
    disabled: bool


@dataclass(frozen=True, slots=True)
class EditorSession:
    """A signed-in editor, as a request sees it."""

    editor_id: int
    editor_name: str
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


def _editor(row: RowMapping) -> Editor:
    return Editor(row["id"], row["name"], row["created_at"], row["disabled"])


_EDITOR_COLUMNS = (EditorRow.id, EditorRow.name, EditorRow.created_at, EditorRow.disabled)


class Editors:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- accounts -----------------------------------------------------------------------------

    def add(self, name: str, password_hash: str, now: datetime) -> Editor:
        """A new, enabled account; EditorExistsError if the name is taken."""
        with transaction(self.engine, write=True) as conn:
            taken = conn.execute(select(EditorRow.id).where(EditorRow.name == name)).first()
            if taken is not None:
                raise EditorExistsError(f"an editor named {name!r} exists already")
            new_id = conn.execute(
                insert(EditorRow)
                .values(name=name, password_hash=password_hash, created_at=now, disabled=False)
                .returning(EditorRow.id)
            ).scalar_one()
        return Editor(new_id, name, now, False)

    def get(self, name: str) -> Editor | None:
        with transaction(self.engine) as conn:
            row = conn.execute(select(*_EDITOR_COLUMNS).where(EditorRow.name == name)).first()
        return None if row is None else _editor(row._mapping)

    def credentials(self, name: str) -> tuple[Editor, str] | None:
        """The account and its password hash, for signing in."""
        with transaction(self.engine) as conn:
            row = conn.execute(
                select(*_EDITOR_COLUMNS, EditorRow.password_hash).where(EditorRow.name == name)
            ).first()
        return None if row is None else (_editor(row._mapping), row.password_hash)

    def all(self) -> list[Editor]:
        with transaction(self.engine) as conn:
            rows = conn.execute(select(*_EDITOR_COLUMNS).order_by(EditorRow.name)).all()
        return [_editor(row._mapping) for row in rows]

    def set_password_hash(self, editor_id: int, password_hash: str) -> None:
        with transaction(self.engine, write=True) as conn:
            conn.execute(
                update(EditorRow)
                .where(EditorRow.id == editor_id)
                .values(password_hash=password_hash)
            )

    def set_disabled(self, editor_id: int, disabled: bool) -> None:
        """Disabling also ends every session of the account."""
        with transaction(self.engine, write=True) as conn:
            conn.execute(
                update(EditorRow).where(EditorRow.id == editor_id).values(disabled=disabled)
            )
            if disabled:
                conn.execute(
                    delete(EditorSessionRow).where(EditorSessionRow.editor_id == editor_id)
                )

    # --- sessions -----------------------------------------------------------------------------

    def open_session(
        self,
        editor_id: int,
        token_hash: str,
        csrf_token: str,
        now: datetime,
        expires_at: datetime,
    ) -> None:
        with transaction(self.engine, write=True) as conn:
            conn.execute(
                insert(EditorSessionRow).values(
                    token_hash=token_hash,
                    editor_id=editor_id,
                    csrf_token=csrf_token,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=expires_at,
                )
            )

    def session(self, token_hash: str, now: datetime, idle: timedelta) -> EditorSession | None:
        """The live session of `token_hash`: not past its end, not idle longer than `idle`,
        its editor not disabled."""
        query = (
            select(
                EditorSessionRow.editor_id,
                EditorRow.name,
                EditorSessionRow.csrf_token,
                EditorSessionRow.created_at,
                EditorSessionRow.last_seen_at,
                EditorSessionRow.expires_at,
            )
            .join(EditorRow, EditorRow.id == EditorSessionRow.editor_id)
            .where(
                EditorSessionRow.token_hash == token_hash,
                EditorSessionRow.expires_at > now,
                EditorSessionRow.last_seen_at > now - idle,
                EditorRow.disabled.is_(False),
            )
        )
        with transaction(self.engine) as conn:
            row = conn.execute(query).first()
        return None if row is None else EditorSession(*row)

    def touch(self, token_hash: str, now: datetime) -> None:
        """Mark the session used at `now` (its idle time starts again)."""
        with transaction(self.engine, write=True) as conn:
            conn.execute(
                update(EditorSessionRow)
                .where(EditorSessionRow.token_hash == token_hash)
                .values(last_seen_at=now)
            )

    def close_session(self, token_hash: str) -> bool:
        with transaction(self.engine, write=True) as conn:
            result = conn.execute(
                delete(EditorSessionRow).where(EditorSessionRow.token_hash == token_hash)
            )
        return result.rowcount > 0

    def close_sessions(self, editor_id: int) -> int:
        """End every session of one editor (e.g. after a password change)."""
        with transaction(self.engine, write=True) as conn:
            result = conn.execute(
                delete(EditorSessionRow).where(EditorSessionRow.editor_id == editor_id)
            )
        return int(result.rowcount)

    def purge_sessions(self, now: datetime, idle: timedelta) -> int:
        """Delete the sessions that can no longer be used."""
        with transaction(self.engine, write=True) as conn:
            result = conn.execute(
                delete(EditorSessionRow).where(
                    (EditorSessionRow.expires_at <= now)
                    | (EditorSessionRow.last_seen_at <= now - idle)
                )
            )
        return int(result.rowcount)
