"""Fixtures and hooks for the whole suite.

In CI (`AGGREGATOR_CI=1`, set by `.ci/run`) a PostgreSQL or browser test that skips is a
failure: a green run must mean those tests ran, not that their server or browser was missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

CI_ENV = "AGGREGATOR_CI"
REQUIRED_IN_CI = ("postgres", "browser")


def _strict() -> bool:
    return os.environ.get(CI_ENV, "") not in ("", "0")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report: pytest.TestReport = yield
    if report.skipped and _strict():
        needed = [m for m in REQUIRED_IN_CI if item.get_closest_marker(m) is not None]
        if needed:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
            report.outcome = "failed"
            report.longrepr = (
                f"{item.nodeid}: a {'/'.join(needed)} test was skipped in CI ({CI_ENV}=1): {reason}"
            )
    return report
