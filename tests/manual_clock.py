"""A clock the test moves by hand (no test sleeps or patches ``time``): see the ``clock`` fixture."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from woosync.core.timeutil import Clock

START = datetime(2025, 12, 11, 9, 0, 0, tzinfo=UTC)


class ManualClock(Clock):
    """Time stands still until :meth:`advance` or :meth:`set` moves it; :meth:`sleep` returns at
    once, moves the clock by the pause and records it in :attr:`sleeps`. Calling the clock gives
    :meth:`now`, so it is also the sandbox store's clock (``SandboxStore(clock=clock)``): the store
    and woosync then share one time."""

    def __init__(self, start: datetime = START) -> None:
        self._lock = threading.Lock()
        self._now = start
        self._elapsed = 0.0
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def __call__(self) -> datetime:
        return self.now()

    def monotonic(self) -> float:
        with self._lock:
            return self._elapsed

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
        self.advance(seconds=seconds)

    def advance(self, **delta: float) -> None:
        """Move time on by ``timedelta(**delta)`` (``seconds=2``, ``days=1``, ...)."""
        step = timedelta(**delta)
        with self._lock:
            self._now += step
            self._elapsed += step.total_seconds()

    def set(self, moment: datetime) -> None:
        """Jump the wall clock to ``moment`` (the monotonic counter does not go back)."""
        with self._lock:
            self._elapsed += max(0.0, (moment - self._now).total_seconds())
            self._now = moment
