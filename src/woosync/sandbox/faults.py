"""Fault injection: latency, server errors, 429s, stalls, dropped connections, a rate limit.

Every random choice comes from one ``random.Random(seed)``, so a run with the same seed and the same
request order sees the same faults.
"""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Faults:
    """What goes wrong, and how often. Mutable while the store runs (``store.faults.x = ...``).

    - ``latency_ms`` fixed delay per request, plus up to ``latency_jitter_ms`` at random;
      ``per_item_ms`` server time per product or variation written: each item of a ``/batch``
      request and each single create, update or delete (a real WooCommerce 11 store spends about
      16-33 ms per product of a batch create).
    - ``error_rates`` maps 500/502/503 to the fraction of requests answered with it (an HTML page, as
      a proxy in front of a broken PHP would send); nothing is applied.
    - ``rate_429`` fraction of requests answered 429 with ``Retry-After: retry_after``.
    - ``stall_rate`` fraction of requests that are processed (writes land) but whose answer never
      comes: the server holds the connection ``stall_seconds`` (set it past the client's timeout),
      then closes it.
    - ``drop_rate`` fraction of requests whose connection is closed before anything is done.
    - ``rate_limit`` requests allowed per ``rate_limit_window`` seconds (0 = no limit); over it
      the answer is 429 with ``Retry-After`` set to the seconds left in the window.
    """

    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    per_item_ms: float = 0.0
    error_rates: dict[int, float] = field(default_factory=dict)
    rate_429: float = 0.0
    retry_after: int = 1
    stall_rate: float = 0.0
    stall_seconds: float = 35.0
    drop_rate: float = 0.0
    rate_limit: int = 0
    rate_limit_window: float = 1.0


class DroppedConnection(Exception):
    """The server closes the connection without an answer (served mode catches it)."""


class StalledConnection(DroppedConnection):
    """The answer was held past the client's timeout, then the connection closed."""


@dataclass(frozen=True)
class Decision:
    """What the fault layer decided for one request, drawn before it is handled."""

    drop: bool = False
    status: int | None = None  # 429 / 5xx answered instead of handling the request
    retry_after: int | None = None
    stall: bool = False
    delay_seconds: float = 0.0
    reason: str | None = None  # "rate_limit" when the 429 comes from the rate limit


class FaultInjector:
    """Draws the fault decision for each request; thread-safe and reproducible from ``seed``."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._window_start = time.monotonic()
        self._window_count = 0

    def decide(self, faults: Faults) -> Decision:
        with self._lock:
            rnd = self._random.random
            # Draw every roll on every request so one setting never shifts another's sequence.
            drop_roll, error_roll, roll_429, stall_roll, jitter_roll = (rnd() for _ in range(5))
            limited = self._over_rate_limit(faults)
        if limited is not None:
            return Decision(status=429, retry_after=limited, reason="rate_limit")
        if drop_roll < faults.drop_rate:
            return Decision(drop=True)
        threshold = 0.0
        for status in sorted(faults.error_rates):
            threshold += faults.error_rates[status]
            if error_roll < threshold:
                return Decision(status=status)
        if roll_429 < faults.rate_429:
            return Decision(status=429, retry_after=faults.retry_after)
        delay = (faults.latency_ms + jitter_roll * faults.latency_jitter_ms) / 1000.0
        return Decision(stall=stall_roll < faults.stall_rate, delay_seconds=delay)

    def _over_rate_limit(self, faults: Faults) -> int | None:
        if faults.rate_limit <= 0:
            return None
        now = time.monotonic()
        if now - self._window_start >= faults.rate_limit_window:
            self._window_start = now
            self._window_count = 0
        self._window_count += 1
        if self._window_count <= faults.rate_limit:
            return None
        left = faults.rate_limit_window - (now - self._window_start)
        return max(1, math.ceil(left))


ERROR_PAGES = {
    429: "429 Too Many Requests",
    500: "500 Internal Server Error",
    502: "502 Bad Gateway",
    503: "503 Service Temporarily Unavailable",
    504: "504 Gateway Time-out",
}


def error_page(status: int) -> bytes:
    """The HTML page nginx sends for an error status (not JSON: that is the point)."""
    title = ERROR_PAGES.get(status, f"{status} Error")
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    ).encode()
