"""The digest schedule and auto-approve settings: parsed, validated with a clear error."""

from __future__ import annotations

import pytest

from aggregator.errors import ConfigError
from aggregator.settings import Settings, parse_digest_schedule


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("mon 06:00", ("mon", 6, 0)),
        ("  Sun   23:59 ", ("sun", 23, 59)),
        ("fri 7:05", ("fri", 7, 5)),
        ("OFF", None),
    ],
)
def test_schedules_that_parse(text: str, parsed: tuple[str, int, int] | None) -> None:
    assert parse_digest_schedule(text) == parsed


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("montag 06:00", 'expected "<day> HH:MM" like "mon 06:00", or "off"'),
        ("mon", 'expected "<day> HH:MM" like "mon 06:00", or "off"'),
        ("mon 6", 'expected "<day> HH:MM" like "mon 06:00", or "off"'),
        ("mo. 06:00", 'expected "<day> HH:MM" like "mon 06:00", or "off"'),
        ("mit 06:00", "the day must be one of mon tue wed thu fri sat sun"),
        ("mon 24:00", "the time must be between 00:00 and 23:59"),
        ("tue 12:60", "the time must be between 00:00 and 23:59"),
    ],
)
def test_a_bad_schedule_is_a_config_error_naming_the_variable(text: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"AGGREGATOR_DIGEST_SCHEDULE": text})
    assert list(caught.value.problems) == [f"AGGREGATOR_DIGEST_SCHEDULE={text!r}: {problem}"]


def test_defaults_and_environment() -> None:
    assert (Settings().digest_schedule, Settings().digest_auto_approve) == ("mon 06:00", False)
    settings = Settings.from_env(
        {"AGGREGATOR_DIGEST_SCHEDULE": "off", "AGGREGATOR_DIGEST_AUTO_APPROVE": "yes"}
    )
    assert (settings.digest_schedule, settings.digest_auto_approve) == ("off", True)
