"""The service releases approved digests in a background worker: one at a time, in order, a
failure logged with how to resume, the next release unaffected."""

from __future__ import annotations

import logging
import threading

import pytest

from aggregator.mail.smtp import TransientMailError
from aggregator.service import BackgroundReleases


def test_releases_run_one_at_a_time_in_order_and_survive_failures(
    caplog: pytest.LogCaptureFixture,
) -> None:
    started: list[str] = []
    active = [0]
    most_active = [0]
    lock = threading.Lock()
    first_may_finish = threading.Event()

    def release(week: str) -> None:
        with lock:
            started.append(week)
            active[0] += 1
            most_active[0] = max(most_active[0], active[0])
        try:
            if week == "2026-W47":
                first_may_finish.wait(10)
            if week == "2026-W48":
                raise TransientMailError("cannot connect to SMTP server 127.0.0.1:25")
        finally:
            with lock:
                active[0] -= 1

    releases = BackgroundReleases(release)
    with caplog.at_level(logging.INFO, logger="aggregator.service"):
        releases.submit("2026-W47")
        releases.submit("2026-W48")
        releases.submit("2026-W49")
        first_may_finish.set()
        releases.shutdown(drop_queued=False)

    assert started == ["2026-W47", "2026-W48", "2026-W49"]
    assert most_active == [1]
    assert (
        "releasing digest 2026-W48 failed: cannot connect to SMTP server 127.0.0.1:25; "
        "resume with `aggregator digest send --week 2026-W48`"
    ) in caplog.text
    assert "digest 2026-W49 approved: releasing it in the background" in caplog.text
