"""Forums' registrations, kept in the database until the editor decides.

    create            a request as the forum confirmed its preview: 'unconfirmed'
    confirm           the contact followed the emailed link: 'pending' (for the editor)
    pending / get     what the editor reviews
    edit              the editor corrects a pending request before approving it
    decide            'approved' or 'rejected' (with a reason for the contact), once

Only a SHA-256 of the confirmation token is stored. The rules (what a valid request is, the
preview, the mails) live in the service that uses this store.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import delete, insert, select, update

from aggregator.errors import StoreError
from aggregator.store.common import DomainStore, require_aware
from aggregator.store.db import transaction
from aggregator.store.schema import RegistrationRow

RegistrationKind = Literal["new", "change"]
RegistrationState = Literal["unconfirmed", "pending", "approved", "rejected"]


class AlreadyDecidedError(StoreError):
    """The registration is no longer pending (another editor decided it, or it never was)."""


@dataclass(frozen=True, slots=True)
class Registration:
    id: int
    kind: str  # RegistrationKind
    state: str  # RegistrationState
    source_id: str
    name: str
    city: str | None
    homepage: str
    definition: dict[str, Any]  # the sources.yaml-style entry
    contact_email: str
    description: str | None
    preview: dict[str, Any] | None
    created_at: datetime
    confirmed_at: datetime | None
    decided_at: datetime | None
    decided_by: str | None
    reason: str | None


_COLUMNS = (
    RegistrationRow.id,
    RegistrationRow.kind,
    RegistrationRow.state,
    RegistrationRow.source_id,
    RegistrationRow.name,
    RegistrationRow.city,
    RegistrationRow.homepage,
    RegistrationRow.definition,
    RegistrationRow.contact_email,
    RegistrationRow.description,
    RegistrationRow.preview,
    RegistrationRow.created_at,
    RegistrationRow.confirmed_at,
    RegistrationRow.decided_at,
    RegistrationRow.decided_by,
    RegistrationRow.reason,
)


def _registration(row: Sequence[Any]) -> Registration:
    values = list(row)
    values[7] = _json(values[7]) or {}
    values[10] = _json(values[10])
    return Registration(*values)


def _json(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


class Registrations(DomainStore):
    def create(
        self,
        *,
        kind: RegistrationKind,
        source_id: str,
        name: str,
        city: str | None,
        homepage: str,
        definition: dict[str, Any],
        contact_email: str,
        description: str | None,
        preview: dict[str, Any] | None,
        confirm_hash: str | None,
        now: datetime,
        state: RegistrationState = "unconfirmed",
    ) -> int:
        require_aware(now)
        with transaction(self.engine, write=True) as conn:
            result = conn.execute(
                insert(RegistrationRow)
                .values(
                    kind=kind,
                    state=state,
                    source_id=source_id,
                    name=name,
                    city=city,
                    homepage=homepage,
                    definition=json.dumps(definition, ensure_ascii=False),
                    contact_email=contact_email,
                    description=description,
                    preview=None if preview is None else json.dumps(preview, ensure_ascii=False),
                    confirm_hash=confirm_hash,
                    created_at=now,
                    confirmed_at=now if state == "pending" else None,
                )
                .returning(RegistrationRow.id)
            )
            return int(result.scalar_one())

    def confirm(self, confirm_hash: str, now: datetime, max_age: timedelta) -> Registration | None:
        """'unconfirmed' → 'pending' for the request with this token hash, if it is younger
        than `max_age`; a second confirmation returns the request unchanged. None: unknown or
        expired."""
        require_aware(now)
        with transaction(self.engine, write=True) as conn:
            row = conn.execute(
                select(*_COLUMNS).where(RegistrationRow.confirm_hash == confirm_hash)
            ).one_or_none()
            if row is None:
                return None
            found = _registration(row)
            if found.state != "unconfirmed":
                return found
            if found.created_at < now - max_age:
                return None
            conn.execute(
                update(RegistrationRow)
                .where(RegistrationRow.id == found.id, RegistrationRow.state == "unconfirmed")
                .values(state="pending", confirmed_at=now)
            )
        return self.get(found.id)

    def get(self, registration_id: int) -> Registration | None:
        with transaction(self.engine) as conn:
            row = conn.execute(
                select(*_COLUMNS).where(RegistrationRow.id == registration_id)
            ).one_or_none()
        return None if row is None else _registration(row)

    def listing(
        self, states: Sequence[RegistrationState] = ("pending",), limit: int = 200
    ) -> list[Registration]:
        """Requests in these states, oldest first."""
        with transaction(self.engine) as conn:
            rows = conn.execute(
                select(*_COLUMNS)
                .where(RegistrationRow.state.in_(list(states)))
                .order_by(RegistrationRow.created_at, RegistrationRow.id)
                .limit(limit)
            ).all()
        return [_registration(row) for row in rows]

    def pending_for(self, source_id: str) -> list[Registration]:
        """Open requests (unconfirmed or pending) naming this source id."""
        with transaction(self.engine) as conn:
            rows = conn.execute(
                select(*_COLUMNS).where(
                    RegistrationRow.source_id == source_id,
                    RegistrationRow.state.in_(["unconfirmed", "pending"]),
                )
            ).all()
        return [_registration(row) for row in rows]

    def edit(
        self,
        registration_id: int,
        *,
        source_id: str,
        name: str,
        city: str | None,
        homepage: str,
        definition: dict[str, Any],
    ) -> None:
        """The editor's corrections of a pending request."""
        with transaction(self.engine, write=True) as conn:
            done = conn.execute(
                update(RegistrationRow)
                .where(RegistrationRow.id == registration_id, RegistrationRow.state == "pending")
                .values(
                    source_id=source_id,
                    name=name,
                    city=city,
                    homepage=homepage,
                    definition=json.dumps(definition, ensure_ascii=False),
                )
            )
            if done.rowcount != 1:
                raise AlreadyDecidedError(f"registration {registration_id} is not pending")

    def decide(
        self,
        registration_id: int,
        state: Literal["approved", "rejected"],
        *,
        editor: str,
        now: datetime,
        reason: str | None = None,
    ) -> None:
        """Mark a pending request decided; `AlreadyDecidedError` when it is not pending (the
        decision of a second editor in parallel does not overwrite the first)."""
        require_aware(now)
        with transaction(self.engine, write=True) as conn:
            done = conn.execute(
                update(RegistrationRow)
                .where(RegistrationRow.id == registration_id, RegistrationRow.state == "pending")
                .values(state=state, decided_at=now, decided_by=editor, reason=reason)
            )
            if done.rowcount != 1:
                raise AlreadyDecidedError(f"registration {registration_id} is not pending")

    def purge_unconfirmed(self, older_than: datetime) -> int:
        """Forget requests nobody confirmed before `older_than`."""
        require_aware(older_than)
        with transaction(self.engine, write=True) as conn:
            result = conn.execute(
                delete(RegistrationRow).where(
                    RegistrationRow.state == "unconfirmed",
                    RegistrationRow.created_at < older_than,
                )
            )
            return int(result.rowcount or 0)
