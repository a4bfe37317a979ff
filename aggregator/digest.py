"""The weekly digest service: draft a week's digest from the stories first seen in it.

The pure rules (weeks, ranking, what a re-draft keeps) are in `weekly.py`; the storage, the
editor's edits and approval in `store/digests.py`; the web page and feed in `publish/digest.py`;
the mail in `digest_mail.py`.
"""

from __future__ import annotations

from datetime import datetime

from aggregator.model import Digest
from aggregator.store.digests import DigestError, Digests
from aggregator.weekly import DEFAULT_MAX_ENTRIES, draft_entries, parse_week


def draft_digest(
    digests: Digests, week: str, now: datetime, *, max_entries: int = DEFAULT_MAX_ENTRIES
) -> Digest:
    """The draft of `week` ("2026-W48"), created or brought up to date.

    A new draft holds the week's stories (first seen in it) in rank order, at most `max_entries`.
    Re-drafting keeps the editor's edits and appends the stories new since; an approved digest
    is never re-drafted (`DigestError` reason "approved"). A concurrent edit between reading and
    saving raises `StaleDigest`: call again.
    """
    parse_week(week)
    existing = digests.get(week)
    if existing is not None and existing.status == "approved":
        raise DigestError("approved", f"digest {week} is approved and is not drafted again")
    entries = draft_entries(
        existing.entries if existing is not None else (),
        digests.candidates(week),
        max_entries=max_entries,
    )
    return digests.save_draft(
        week, entries, now, expected_version=existing.version if existing is not None else None
    )


__all__ = ["draft_digest"]
