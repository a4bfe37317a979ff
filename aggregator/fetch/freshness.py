"""How long a server wants us to stay away: Cache-Control max-age and Retry-After as numbers.

Pure: takes header values (and `now` for HTTP dates) and returns numbers. No httpx, no clock, no
I/O, so the scheduler can use it too and tests need nothing but strings.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# RFC 9111 §1.2.2: a delta-seconds too large to represent is taken as 2^31.
MAX_DELTA_SECONDS = 2**31

# One Cache-Control directive: a token, optionally "=" and a token or a quoted string.
_DIRECTIVE = re.compile(
    r"""([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*(?:=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s"]*)))?"""
)
_DIGITS = re.compile(r"[0-9]+")


def parse_max_age(cache_control: str | None) -> int | None:
    """Seconds a response stays fresh according to its Cache-Control header, or None.

    None when the header is absent, says nothing about freshness, or says `no-store`. A bare
    `no-cache` means "revalidate every time", i.e. 0. When `max-age` appears more than once
    (invalid per RFC 9111), the smallest value is used: better to ask again too early than too
    late. `s-maxage` is for shared caches and is ignored.
    """
    if not cache_control:
        return None
    ages: list[int] = []
    no_cache = False
    for match in _DIRECTIVE.finditer(cache_control):
        name = match.group(1).lower()
        value = match.group(2) if match.group(2) is not None else match.group(3)
        if name == "no-store":
            return None
        if name == "no-cache" and not value:
            no_cache = True
        elif name == "max-age" and value is not None and _DIGITS.fullmatch(value):
            ages.append(min(int(value), MAX_DELTA_SECONDS))
    if no_cache:
        return 0
    return min(ages) if ages else None


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait according to a Retry-After header (delay-seconds or HTTP-date), or None.

    `now` must be timezone-aware; an HTTP-date in the past gives 0. Unreadable values give None
    (the caller then falls back to its own back-off).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if _DIGITS.fullmatch(text):
        return float(min(int(text), MAX_DELTA_SECONDS))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # HTTP dates are always GMT; asctime and "-0000" come out naive
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())
