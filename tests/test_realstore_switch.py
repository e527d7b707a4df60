"""``WOOSYNC_REALSTORE`` decides whether tests/realstore runs: skipped with one line saying why, or an
error when CI requires the store and it cannot be set up. Runs pytest on that folder in a subprocess
(no store is set up in either case)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_realstore_suite(**env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WOOSYNC_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "tests/realstore", "-q", "-p", "no:cacheprovider"],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_skip_says_why_once_for_the_whole_folder() -> None:
    result = run_realstore_suite(WOOSYNC_REALSTORE="skip")
    assert result.returncode == 0, result.stdout + result.stderr
    skipped = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(skipped) == 1, result.stdout
    assert "real WooCommerce store not set up: WOOSYNC_REALSTORE=skip" in skipped[0]
    assert " passed" not in result.stdout and " failed" not in result.stdout


def test_require_makes_a_store_that_cannot_be_set_up_an_error() -> None:
    result = run_realstore_suite(
        WOOSYNC_REALSTORE="require", WOOSYNC_REALSTORE_SETUP="/nonexistent/setup.sh"
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "WOOSYNC_REALSTORE=require, but /nonexistent/setup.sh not found" in result.stdout
    assert " error" in result.stdout.splitlines()[-1] and "skipped" not in result.stdout


def test_an_unknown_setting_is_an_error_not_a_silent_skip() -> None:
    result = run_realstore_suite(WOOSYNC_REALSTORE="yes")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "WOOSYNC_REALSTORE=yes: use require, skip, or leave it unset" in result.stdout
