"""Weekly digests: drafts, the editor's edits, approval, the archive.

Every edit names the version of the digest the editor saw (`expected_version`) and bumps it; an
edit naming another version raises `StaleDigest`, so two editors never silently overwrite each
other. An approved digest is frozen: edits and re-drafts raise `DigestError("approved", …)`.
Each method is one short transaction; database failures raise `StoreError`.

Entries are snapshots: the title, blurb, forums, cities and topics of the story as they were
when drafted, so the archive stays as it was approved even when items change or are purged.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    delete,
    exists,
    false,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import aliased

from aggregator.errors import AggregatorError
from aggregator.model import Digest, DigestEntry, DigestGrouping
from aggregator.store.db import transaction
from aggregator.store.schema import DigestEntryRow, DigestRow, ItemRow, ItemTagRow, SourceRow
from aggregator.urls import url_problem
from aggregator.weekly import Candidate, parse_week

MAX_HEADLINE = 300
MAX_BLURB = 2000
MAX_INTRO = 5000
MAX_URL = 2000
MAX_CANDIDATES = 10_000  # stories of one week looked at; far more than any week brings
GROUPINGS: tuple[DigestGrouping, ...] = ("topic", "city")
_CHUNK = 500


class DigestError(AggregatorError):
    """A digest edit was refused. `reason`: "not_found", "approved", "too_long", "empty",
    "bad_url", "bad_grouping", "exists" or "stale"."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        self.message = message
        super().__init__(message)


class StaleDigest(DigestError):  # noqa: N818 (the name the contract gives)
    """The digest changed since the editor loaded it (another edit bumped its version)."""

    def __init__(self, week: str, expected: int, current: int) -> None:
        self.week = week
        self.expected = expected
        self.current = current
        super().__init__(
            "stale",
            f"digest {week} is at version {current}, not {expected}: "
            "it was changed meanwhile, reload it",
        )


class Digests:
    """The digests table and its entries, on a migrated database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- reading -------------------------------------------------------------------------------

    def get(self, week: str) -> Digest | None:
        with transaction(self.engine) as conn:
            found = _load(conn, select(DigestRow).where(DigestRow.week == week))
        return found[0] if found else None

    def latest_approved(self) -> Digest | None:
        found = self.approved(limit=1)
        return found[0] if found else None

    def approved(self, limit: int | None = None) -> list[Digest]:
        """The approved digests (the archive), newest week first."""
        query = (
            select(DigestRow)
            .where(DigestRow.status == "approved")
            .order_by(DigestRow.week.desc())
            .limit(limit)
        )
        with transaction(self.engine) as conn:
            return _load(conn, query)

    def all(self) -> list[Digest]:
        """Every digest, drafts too, newest week first."""
        with transaction(self.engine) as conn:
            return _load(conn, select(DigestRow).order_by(DigestRow.week.desc()))

    def candidates(self, week: str) -> list[Candidate]:
        """The stories whose first item was first seen in `week` (Europe/Berlin), one per
        cluster, with every forum, city and topic of the cluster (tags an editor removed from
        any of its items left out)."""
        start, end = parse_week(week)
        earlier = aliased(ItemRow, name="earlier")
        is_primary = ~exists().where(  # held items (a relaunch) are left out until released
            earlier.cluster_key == ItemRow.cluster_key,
            earlier.held == false(),
            or_(
                earlier.first_seen_at < ItemRow.first_seen_at,
                and_(earlier.first_seen_at == ItemRow.first_seen_at, earlier.id < ItemRow.id),
            ),
        )
        query = (
            select(
                ItemRow.id,
                ItemRow.cluster_key,
                ItemRow.title,
                ItemRow.excerpt,
                ItemRow.url,
                ItemRow.first_seen_at,
            )
            .where(
                ItemRow.first_seen_at >= start,
                ItemRow.first_seen_at < end,
                is_primary,
                ItemRow.held == false(),
            )
            .order_by(ItemRow.first_seen_at.desc(), ItemRow.id.desc())
            .limit(MAX_CANDIDATES)
        )
        with transaction(self.engine) as conn:
            rows = conn.execute(query).all()
            keys = [row.cluster_key for row in rows]
            forums: dict[str, set[str]] = defaultdict(set)
            last_seen: dict[str, datetime] = {}
            tags: dict[str, dict[tuple[str, str], bool]] = defaultdict(dict)
            for chunk in _chunks(keys):
                for key, name, seen in conn.execute(
                    select(ItemRow.cluster_key, SourceRow.name, ItemRow.first_seen_at)
                    .join(SourceRow, SourceRow.id == ItemRow.source_id)
                    .where(ItemRow.cluster_key.in_(chunk), ItemRow.held == false())
                ):
                    forums[key].add(name)
                    if seen < end and (key not in last_seen or seen > last_seen[key]):
                        last_seen[key] = seen
                for key, kind, value, removed in conn.execute(
                    select(
                        ItemRow.cluster_key, ItemTagRow.kind, ItemTagRow.value, ItemTagRow.removed
                    )
                    .join(ItemTagRow, ItemTagRow.item_id == ItemRow.id)
                    .where(ItemRow.cluster_key.in_(chunk))
                ):
                    found = tags[key]
                    found[(kind, value)] = found.get((kind, value), False) or removed
        return [
            Candidate(
                cluster_key=row.cluster_key,
                item_id=row.id,
                title=row.title,
                blurb=row.excerpt,
                url=row.url,
                sources=tuple(sorted(forums[row.cluster_key], key=_german_key)),
                cities=_shown(tags[row.cluster_key], "city"),
                topics=_shown(tags[row.cluster_key], "topic"),
                first_seen=row.first_seen_at,
                last_seen=last_seen.get(row.cluster_key, row.first_seen_at),
            )
            for row in rows
        ]

    # -- drafting ------------------------------------------------------------------------------

    def save_draft(
        self,
        week: str,
        entries: Sequence[DigestEntry],
        now: datetime,
        *,
        expected_version: int | None,
    ) -> Digest:
        """Create the draft of `week` (`expected_version` None: it must not exist yet) or replace
        the entries of the existing draft (which must still be at `expected_version`). Entries
        with an id update their row, the others are inserted, rows not named are deleted."""
        parse_week(week)
        with transaction(self.engine, write=True) as conn:
            if expected_version is None:
                if conn.execute(select(DigestRow.id).where(DigestRow.week == week)).first():
                    raise DigestError("exists", f"digest {week} exists already")
                digest_id = conn.execute(
                    insert(DigestRow)
                    .values(
                        week=week,
                        status="draft",
                        grouping="topic",
                        intro="",
                        version=1,
                        created_at=now,
                        updated_at=now,
                    )
                    .returning(DigestRow.id)
                ).scalar_one()
            else:
                digest_id = _digest_id(conn, week)
                _bump(conn, digest_id, expected_version, now)
            keep = [entry.id for entry in entries if entry.id is not None]
            conn.execute(
                delete(DigestEntryRow).where(
                    DigestEntryRow.digest_id == digest_id, DigestEntryRow.id.not_in(keep)
                )
            )
            for entry in entries:
                fields = _entry_fields(entry)
                if entry.id is None:
                    conn.execute(insert(DigestEntryRow).values(digest_id=digest_id, **fields))
                else:
                    conn.execute(
                        update(DigestEntryRow)
                        .where(DigestEntryRow.id == entry.id, DigestEntryRow.digest_id == digest_id)
                        .values(**fields)
                    )
            return _load(conn, select(DigestRow).where(DigestRow.id == digest_id))[0]

    # -- the editor's edits: each checks and bumps the version ---------------------------------

    def set_included(
        self, entry_id: int, included: bool, *, expected_version: int, now: datetime
    ) -> None:
        self._edit_entry(entry_id, expected_version, now, included=included)

    def set_headline(
        self, entry_id: int, text: str | None, *, expected_version: int, now: datetime
    ) -> None:
        """An own headline for the entry; None restores the story's title."""
        text = _checked_text(text, MAX_HEADLINE, "headline", required=True)
        self._edit_entry(entry_id, expected_version, now, headline_override=text)

    def set_blurb(
        self, entry_id: int, text: str | None, *, expected_version: int, now: datetime
    ) -> None:
        """An own text for the entry; None restores the story's excerpt."""
        text = _checked_text(text, MAX_BLURB, "text", required=False)
        self._edit_entry(entry_id, expected_version, now, blurb_override=text)

    def move(
        self, entry_id: int, new_position: int, *, expected_version: int, now: datetime
    ) -> None:
        """Move the entry to `new_position` (0 = first; clamped to the list), shifting the rest."""
        with transaction(self.engine, write=True) as conn:
            digest_id = _digest_of_entry(conn, entry_id)
            _bump(conn, digest_id, expected_version, now)
            order = list(
                conn.execute(
                    select(DigestEntryRow.id)
                    .where(DigestEntryRow.digest_id == digest_id)
                    .order_by(DigestEntryRow.position, DigestEntryRow.id)
                ).scalars()
            )
            order.remove(entry_id)
            order.insert(max(0, min(new_position, len(order))), entry_id)
            for position, row_id in enumerate(order):
                conn.execute(
                    update(DigestEntryRow)
                    .where(DigestEntryRow.id == row_id)
                    .values(position=position)
                )

    def set_intro(self, week: str, text: str, *, expected_version: int, now: datetime) -> None:
        intro = _checked_text(text, MAX_INTRO, "intro", required=False) or ""
        self._edit_digest(week, expected_version, now, intro=intro)

    def set_grouping(
        self, week: str, grouping: str, *, expected_version: int, now: datetime
    ) -> None:
        if grouping not in GROUPINGS:
            raise DigestError("bad_grouping", f"grouping must be topic or city, not {grouping!r}")
        self._edit_digest(week, expected_version, now, grouping=grouping)

    def add_manual(
        self,
        week: str,
        title: str,
        url: str,
        text: str,
        *,
        expected_version: int,
        now: datetime,
    ) -> int:
        """Add an item of the editor's own at the end; returns its entry id."""
        title = _checked_text(title, MAX_HEADLINE, "headline", required=True) or ""
        text = _checked_text(text, MAX_BLURB, "text", required=False) or ""
        url = url.strip()
        if len(url) > MAX_URL or url_problem(url):
            raise DigestError("bad_url", f"not an absolute http(s) URL: {url[:100]!r}")
        with transaction(self.engine, write=True) as conn:
            digest_id = _digest_id(conn, week)
            _bump(conn, digest_id, expected_version, now)
            last = conn.execute(
                select(func.max(DigestEntryRow.position)).where(
                    DigestEntryRow.digest_id == digest_id
                )
            ).scalar_one()
            manual = DigestEntry(
                id=None,
                position=0 if last is None else last + 1,
                cluster_key=None,
                item_id=None,
                title=title,
                blurb=text,
                url=url,
                manual=True,
            )
            return int(
                conn.execute(
                    insert(DigestEntryRow)
                    .values(digest_id=digest_id, **_entry_fields(manual))
                    .returning(DigestEntryRow.id)
                ).scalar_one()
            )

    def approve(
        self, week: str, editor_name: str, now: datetime, *, expected_version: int | None = None
    ) -> Digest:
        """Approve the draft of `week`: from now on it is published and never changed.
        Without `expected_version` (the operator's CLI) the current version is approved."""
        editor_name = _checked_text(editor_name, 200, "editor name", required=True) or ""
        with transaction(self.engine, write=True) as conn:
            digest_id = _digest_id(conn, week)
            if expected_version is None:
                expected_version = conn.execute(
                    select(DigestRow.version).where(DigestRow.id == digest_id)
                ).scalar_one()
            _bump(conn, digest_id, expected_version, now)
            conn.execute(
                update(DigestRow)
                .where(DigestRow.id == digest_id)
                .values(status="approved", approved_at=now, approved_by=editor_name)
            )
            return _load(conn, select(DigestRow).where(DigestRow.id == digest_id))[0]

    def _edit_entry(
        self, entry_id: int, expected_version: int, now: datetime, **values: Any
    ) -> None:
        with transaction(self.engine, write=True) as conn:
            digest_id = _digest_of_entry(conn, entry_id)
            _bump(conn, digest_id, expected_version, now)
            conn.execute(
                update(DigestEntryRow).where(DigestEntryRow.id == entry_id).values(**values)
            )

    def _edit_digest(self, week: str, expected_version: int, now: datetime, **values: Any) -> None:
        with transaction(self.engine, write=True) as conn:
            digest_id = _digest_id(conn, week)
            _bump(conn, digest_id, expected_version, now)
            conn.execute(update(DigestRow).where(DigestRow.id == digest_id).values(**values))


def _digest_id(conn: Connection, week: str) -> int:
    found = conn.execute(select(DigestRow.id).where(DigestRow.week == week)).scalar_one_or_none()
    if found is None:
        raise DigestError("not_found", f"no digest for week {week}")
    return int(found)


def _digest_of_entry(conn: Connection, entry_id: int) -> int:
    found = conn.execute(
        select(DigestEntryRow.digest_id).where(DigestEntryRow.id == entry_id)
    ).scalar_one_or_none()
    if found is None:
        raise DigestError("not_found", f"no digest entry {entry_id}")
    return int(found)


def _bump(conn: Connection, digest_id: int, expected_version: int, now: datetime) -> None:
    """Bump the version of a draft that is at `expected_version`, or say why not."""
    result = conn.execute(
        update(DigestRow)
        .where(
            DigestRow.id == digest_id,
            DigestRow.version == expected_version,
            DigestRow.status == "draft",
        )
        .values(version=DigestRow.version + 1, updated_at=now)
    )
    if result.rowcount == 1:
        return
    week, status, version = conn.execute(
        select(DigestRow.week, DigestRow.status, DigestRow.version).where(DigestRow.id == digest_id)
    ).one()
    if status == "approved":
        raise DigestError("approved", f"digest {week} is approved and can no longer be changed")
    raise StaleDigest(week, expected_version, version)


def _checked_text(text: str | None, limit: int, what: str, *, required: bool) -> str | None:
    if text is None:
        return None
    text = text.strip()
    if required and not text:
        raise DigestError("empty", f"the {what} must not be empty")
    if len(text) > limit:
        raise DigestError("too_long", f"the {what} has {len(text)} characters, at most {limit}")
    return text


def _entry_fields(entry: DigestEntry) -> dict[str, Any]:
    return {
        "position": entry.position,
        "cluster_key": entry.cluster_key,
        "item_id": entry.item_id,
        "title": entry.title,
        "blurb": entry.blurb,
        "url": entry.url,
        "sources": json.dumps(list(entry.sources), ensure_ascii=False),
        "cities": json.dumps(list(entry.cities), ensure_ascii=False),
        "topics": json.dumps(list(entry.topics), ensure_ascii=False),
        "first_seen_at": entry.first_seen,
        "included": entry.included,
        "headline_override": entry.headline_override,
        "blurb_override": entry.blurb_override,
        "manual": entry.manual,
    }


def _load(conn: Connection, query: Any) -> list[Digest]:
    rows = conn.execute(query).all()
    entries: dict[int, list[DigestEntry]] = defaultdict(list)
    for chunk in _chunks([row.id for row in rows]):
        for e in conn.execute(
            select(DigestEntryRow)
            .where(DigestEntryRow.digest_id.in_(chunk))
            .order_by(DigestEntryRow.position, DigestEntryRow.id)
        ):
            entries[e.digest_id].append(
                DigestEntry(
                    id=e.id,
                    position=e.position,
                    cluster_key=e.cluster_key,
                    item_id=e.item_id,
                    title=e.title,
                    blurb=e.blurb,
                    url=e.url,
                    sources=tuple(json.loads(e.sources)),
                    cities=tuple(json.loads(e.cities)),
                    topics=tuple(json.loads(e.topics)),
                    first_seen=e.first_seen_at,
                    included=e.included,
                    headline_override=e.headline_override,
                    blurb_override=e.blurb_override,
                    manual=e.manual,
                )
            )
    return [
        Digest(
            id=row.id,
            week=row.week,
            status=row.status,
            grouping=row.grouping,
            intro=row.intro,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
            approved_at=row.approved_at,
            approved_by=row.approved_by,
            entries=tuple(entries[row.id]),
        )
        for row in rows
    ]


def _shown(tags: dict[tuple[str, str], bool], kind: str) -> tuple[str, ...]:
    values = [value for (k, value), removed in tags.items() if k == kind and not removed]
    return tuple(sorted(values, key=_german_key if kind == "city" else None))


_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


def _german_key(text: str) -> tuple[str, str]:
    return text.casefold().translate(_FOLD), text


def _chunks(values: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


__all__ = ["DigestError", "Digests", "StaleDigest"]
