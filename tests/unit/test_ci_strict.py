"""In CI a skipped PostgreSQL or browser test fails the run; elsewhere it stays a skip."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CONFTEST = Path(__file__).parents[1] / "conftest.py"
SAMPLE = """
import pytest

@pytest.mark.postgres
def test_needs_postgres():
    pytest.skip("no PostgreSQL here")

@pytest.mark.browser
@pytest.mark.skipif(True, reason="no chromium here")
def test_needs_browser():
    pass

def test_plain_skip():
    pytest.skip("unrelated")
"""
INI = "[pytest]\nmarkers =\n    postgres: x\n    browser: y\n"


def run_inner(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    shutil.copy(CONFTEST, tmp_path / "conftest.py")
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    (tmp_path / "pytest.ini").write_text(INI)
    env = {k: v for k, v in os.environ.items() if k != "AGGREGATOR_CI"}
    if ci is not None:
        env["AGGREGATOR_CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )


@pytest.mark.parametrize("ci", [None, "0"])
def test_outside_ci_a_missing_service_is_a_skip(tmp_path: Path, ci: str | None) -> None:
    result = run_inner(tmp_path, ci)
    assert result.returncode == 0, result.stdout
    assert "3 skipped" in result.stdout


def test_in_ci_a_skipped_postgres_or_browser_test_fails(tmp_path: Path) -> None:
    result = run_inner(tmp_path, "1")
    assert result.returncode == 1, result.stdout
    # the skipif marker skips during setup, which pytest reports as an error
    assert "1 failed, 1 skipped, 1 error" in result.stdout
    assert "postgres test was skipped in CI" in result.stdout
    assert "browser test was skipped in CI" in result.stdout
