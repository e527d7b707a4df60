"""Time: the clock woosync reads, and UTC timestamps printed in the spec's ``...000Z`` form.

Every service reads time through :func:`clock` -- wall time (:meth:`Clock.now`, aware UTC), a
monotonic counter for durations (:meth:`Clock.monotonic`) and pauses (:meth:`Clock.sleep`) --
never through ``time`` or ``datetime.now`` directly. The clock is the real one unless a caller
(a test, a benchmark, later ``woosync serve``) installs another for a block with :func:`use_clock`;
it holds for every thread, so a run's worker threads see the same time as the run. Network
deadlines (``woo/limits.py``, httpx's timeouts) stay on real time: they bound real sockets.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime


class Clock:
    """The real clock. Subclass it to control time (tests: ``tests/manual_clock.py``)."""

    def now(self) -> datetime:
        """Wall time, aware UTC."""
        return datetime.now(UTC)

    def monotonic(self) -> float:
        """Seconds on a counter that never goes back (for durations only)."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Pause this thread (a retry's back-off, a pause after a failed batch)."""
        time.sleep(seconds)


SYSTEM_CLOCK = Clock()


class _Installed:
    """The clock in use (one for the process: worker threads must see the run's clock)."""

    lock = threading.Lock()
    current: Clock = SYSTEM_CLOCK


def clock() -> Clock:
    """The clock woosync reads now: the real one unless :func:`use_clock` installed another."""
    return _Installed.current


@contextmanager
def use_clock(replacement: Clock) -> Iterator[Clock]:
    """Make ``replacement`` the clock every service reads until the block ends."""
    with _Installed.lock:
        previous, _Installed.current = _Installed.current, replacement
    try:
        yield replacement
    finally:
        with _Installed.lock:
            _Installed.current = previous


def utcnow() -> datetime:
    """Now, aware UTC, to the millisecond (what the spec's timestamps show)."""
    now = clock().now()
    return now.replace(microsecond=(now.microsecond // 1000) * 1000)


def iso(value: datetime | None) -> str | None:
    """``2025-12-11T10:00:00.000Z``; naive values are taken as UTC; ``None`` stays ``None``."""
    if value is None:
        return None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> datetime:
    """Parse ISO-8601 (``Z``, an offset, or naive = UTC) into an aware UTC datetime."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
