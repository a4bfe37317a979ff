"""Editor accounts: names, passwords (argon2id), signing in, sessions.

Used by the CLI (`aggregator editor …`) and the editor area of the web app (`web/auth.py`).

    add_editor / change_password / disable_editor     account management
    authenticate(editors, name, password)              the account, or None (same cost either way)
    open_session / session_for / close_session         a browser's session token

A session token is 32 random bytes, URL-safe; the database keeps only its SHA-256, so a copy of
the table signs nobody in. Each session has its own CSRF token, compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from aggregator.errors import AggregatorError
from aggregator.store.editors import Editor, Editors, EditorSession

MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # argon2 takes any length; a megabyte "password" is a cost, not a secret
NAME_PATTERN = re.compile(r"[\w.-]{1,64}")  # letters (umlauts too), digits, . _ -
HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (argon2-cffi's defaults)


class EditorError(AggregatorError):
    """A name or password that cannot be used, or an editor that does not exist."""


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    idle: timedelta = timedelta(hours=12)  # unused this long: signed out
    max_age: timedelta = timedelta(days=7)  # signed out this long after signing in, used or not
    touch_every: timedelta = timedelta(minutes=1)  # write last_seen at most this often


def normalize_name(name: str) -> str:
    """The stored form of an editor name: NFKC, trimmed, case-folded; EditorError if unusable."""
    normal = unicodedata.normalize("NFKC", name).strip().casefold()
    if not NAME_PATTERN.fullmatch(normal):
        raise EditorError(
            f"editor name {name!r}: 1 to 64 letters, digits, '.', '_' or '-' (no spaces)"
        )
    return normal


def password_problem(password: str) -> str | None:
    """Why `password` cannot be used, or None."""
    if len(password) < MIN_PASSWORD:
        return f"the password must have at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"the password must have at most {MAX_PASSWORD} characters"
    return None


def _checked_password(password: str) -> str:
    problem = password_problem(password)
    if problem:
        raise EditorError(problem)
    return password


def add_editor(
    editors: Editors, name: str, password: str, now: datetime, hasher: PasswordHasher = HASHER
) -> Editor:
    """A new account (EditorExistsError if the name is taken)."""
    normal = normalize_name(name)
    return editors.add(normal, hasher.hash(_checked_password(password)), now)


def _existing(editors: Editors, name: str) -> Editor:
    editor = editors.get(normalize_name(name))
    if editor is None:
        raise EditorError(f"no editor named {name!r}")
    return editor


def change_password(
    editors: Editors, name: str, password: str, hasher: PasswordHasher = HASHER
) -> Editor:
    """A new password; every session of the account ends."""
    editor = _existing(editors, name)
    editors.set_password_hash(editor.id, hasher.hash(_checked_password(password)))
    editors.close_sessions(editor.id)
    return editor


def disable_editor(editors: Editors, name: str) -> Editor:
    """No more logins for `name`; its sessions end at once."""
    editor = _existing(editors, name)
    editors.set_disabled(editor.id, True)
    return editor


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash(secrets.token_urlsafe(16))


def authenticate(
    editors: Editors, name: str, password: str, hasher: PasswordHasher = HASHER
) -> Editor | None:
    """The enabled account whose password this is, or None.

    An unknown or disabled name costs one argon2 verification as well (of a dummy hash), so the
    answer time does not tell which names exist. A hash made with older parameters is replaced
    by one with the current parameters on success.
    """
    try:
        normal = normalize_name(name)
    except EditorError:
        normal = None
    found = editors.credentials(normal) if normal is not None else None
    if found is None or found[0].disabled or len(password) > MAX_PASSWORD:
        _verify(hasher, _dummy_hash(hasher), password[:MAX_PASSWORD])
        return None
    editor, stored = found
    if not _verify(hasher, stored, password):
        return None
    if hasher.check_needs_rehash(stored):
        editors.set_password_hash(editor.id, hasher.hash(password))
    return editor


def _verify(hasher: PasswordHasher, stored: str, password: str) -> bool:
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    """What the database keeps of a session token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(
    editors: Editors, editor: Editor, now: datetime, policy: SessionPolicy = SessionPolicy()
) -> tuple[str, EditorSession]:
    """A new session: the token for the cookie, and the session (with its CSRF token)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = now + policy.max_age
    editors.open_session(editor.id, token_hash(token), csrf, now, expires)
    return token, EditorSession(editor.id, editor.name, csrf, now, now, expires)


def session_for(
    editors: Editors, token: str, now: datetime, policy: SessionPolicy = SessionPolicy()
) -> EditorSession | None:
    """The live session of a cookie's token (its idle time starts again), or None."""
    if not token or len(token) > 256:
        return None
    hashed = token_hash(token)
    session = editors.session(hashed, now, policy.idle)
    if session is not None and now - session.last_seen_at >= policy.touch_every:
        editors.touch(hashed, now)
    return session


def close_session(editors: Editors, token: str) -> bool:
    return editors.close_session(token_hash(token))


def same_token(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a submitted CSRF token with the session's."""
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
