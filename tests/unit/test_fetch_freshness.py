"""Cache-Control max-age and Retry-After read into numbers (pure: strings in, numbers out)."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest

from aggregator.fetch import freshness
from aggregator.fetch.freshness import MAX_DELTA_SECONDS, parse_max_age, parse_retry_after

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("max-age=3600", 3600),
        ("public, max-age=1800", 1800),
        ("Public, MAX-AGE=60, must-revalidate", 60),
        ('max-age="120"', 120),  # quoted form, which recipients should accept
        ("max-age = 300", 300),
        ("s-maxage=600", None),  # for shared caches only
        ("s-maxage=600, max-age=60", 60),
        ("max-age=60, max-age=30", 30),  # duplicated: the shorter one
        ("private", None),
        ("no-store", None),
        ("no-store, max-age=3600", None),
        ("max-age=3600, no-store", None),
        ("no-cache", 0),
        ("no-cache, max-age=3600", 0),
        ('no-cache="Set-Cookie", max-age=3600', 3600),  # only about that header field
        ('private="x, max-age=5", max-age=90', 90),  # a comma inside a quoted value
        ("max-age=-5", None),
        ("max-age=abc", None),
        ("max-age=12abc", None),
        ("max-age=", None),
        ("max-age", None),
        ("max-age=99999999999999999999", MAX_DELTA_SECONDS),
        ("max-age=0", 0),
        (",,, max-age=10 ,,", 10),
    ],
)
def test_parse_max_age(header: str | None, expected: int | None) -> None:
    assert parse_max_age(header) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("120", 120.0),
        (" 0 ", 0.0),
        ("soon", None),
        ("-5", None),
        ("1.5", None),
        ("١٢٠", None),  # Arabic-Indic digits are not delay-seconds
        ("99999999999999999999", float(MAX_DELTA_SECONDS)),
        ("Tue, 24 Nov 2026 09:02:00 GMT", 120.0),  # IMF-fixdate
        ("Tuesday, 24-Nov-26 09:01:00 GMT", 60.0),  # obsolete RFC 850 form
        ("Tue Nov 24 09:00:30 2026", 30.0),  # obsolete asctime form, GMT by definition
        ("Tue, 24 Nov 2026 08:00:00 GMT", 0.0),  # in the past: no need to wait
        ("Tue, 32 Nov 2026 09:00:00 GMT", None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, NOW) == expected


def test_retry_after_date_is_relative_to_now_in_any_zone() -> None:
    later = NOW + timedelta(hours=2)
    header = format_datetime(later, usegmt=True)
    berlin_now = NOW.astimezone(timezone(timedelta(hours=1)))  # CET
    assert parse_retry_after(header, berlin_now) == 7200.0


def test_retry_after_needs_an_aware_now() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_retry_after("120", datetime(2026, 11, 24, 9, 0))


def test_freshness_is_pure() -> None:
    """It imports only the standard library: no httpx, no clock of its own."""
    source = Path(freshness.__file__).read_text(encoding="utf-8")
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module.split(".")[0])
    assert modules <= {"__future__", "re", "datetime", "email"}
    assert ".now(" not in source
