"""The secrets in newsletter links (pure).

A confirmation token is random and sent once; only its SHA-256 is stored. An unsubscribe token
must be in every mail, so it is derived, not stored: "<id>.<HMAC-SHA256(secret, id)>". A copy
of the database alone lets nobody unsubscribe others; the secret (a setting) is not in it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

_UNSUBSCRIBE = re.compile(r"([1-9][0-9]{0,17})\.([A-Za-z0-9_-]{43})")
_CONFIRM = re.compile(r"[A-Za-z0-9_-]{43}")


def new_confirm_token() -> str:
    return secrets.token_urlsafe(32)  # 43 characters


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def looks_like_confirm_token(token: str) -> bool:
    return _CONFIRM.fullmatch(token) is not None


def _mac(secret: str, subscriber_id: int) -> str:
    digest = hmac.new(
        secret.encode(), f"unsubscribe:{subscriber_id}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def unsubscribe_token(secret: str, subscriber_id: int) -> str:
    return f"{subscriber_id}.{_mac(secret, subscriber_id)}"


def subscriber_of(secret: str, token: str) -> int | None:
    """The subscriber id an unsubscribe token names, or None if it is not genuine."""
    match = _UNSUBSCRIBE.fullmatch(token)
    if match is None:
        return None
    subscriber_id = int(match.group(1))
    if not hmac.compare_digest(match.group(2), _mac(secret, subscriber_id)):
        return None
    return subscriber_id


# --- a forum's status page: /quelle/<source id>/<key> ----------------------------------------

STATUS_PATH = "/quelle"


def source_status_key(secret: str, source_id: str) -> str:
    """The secret part of a source's status link: HMAC-SHA256(secret, "status:<id>"). Derived,
    not stored, so that every mail to the forum carries the same working link."""
    digest = hmac.new(secret.encode(), f"status:{source_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def source_status_path(secret: str, source_id: str) -> str:
    return f"{STATUS_PATH}/{source_id}/{source_status_key(secret, source_id)}"


def is_source_status_key(secret: str, source_id: str, key: str) -> bool:
    if len(key) != 43 or len(source_id) > 64:
        return False
    return hmac.compare_digest(key, source_status_key(secret, source_id))


def source_status_url(base_url: str, secret: str, source_id: str) -> str:
    """The status link as mailed: the site's base URL (with its path) and the status path."""
    return base_url.rstrip("/") + source_status_path(secret, source_id)
