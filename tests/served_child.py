"""``woosync sandbox serve`` in a child process: started, read until it is serving, stopped by a
signal, and never left behind (killed when it does not stop in time, the test then failing)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

STOP_WITHIN = 20.0  # seconds; generous for a loaded machine, a stop takes well under one


@contextmanager
def served(
    home: Path, *args: str, preexec_fn: Callable[[], object] | None = None
) -> Iterator[subprocess.Popen[str]]:
    """``woosync ARGS`` (``sandbox serve ...``) running; killed on the way out if still alive."""
    env = {**os.environ, "WOOSYNC_HOME": str(home)}
    child = subprocess.Popen(
        [sys.executable, "-m", "woosync", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=preexec_fn,
    )
    try:
        yield child
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()


def read_until_serving(child: subprocess.Popen[str]) -> str:
    """stderr up to and with the "Press Ctrl-C to stop." line: by then the signal handlers are in
    place and the store answers."""
    assert child.stderr is not None
    shown = ""
    while "Ctrl-C" not in (line := child.stderr.readline()):
        assert line, f"sandbox serve ended before serving: {shown}"
        shown += line
    return shown + line


def stop(child: subprocess.Popen[str], signum: int = signal.SIGINT) -> tuple[str, str]:
    """Send ``signum`` and wait for the child to exit: (stdout, stderr). A child still running
    after ``STOP_WITHIN`` seconds is killed and the test fails."""
    child.send_signal(signum)
    try:
        return child.communicate(timeout=STOP_WITHIN)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise AssertionError(
            f"sandbox serve did not stop within {STOP_WITHIN} s of {signum}"
        ) from None
