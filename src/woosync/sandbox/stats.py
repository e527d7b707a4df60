"""The request log and counters that tests and benchmarks read (``store.stats``)."""

from __future__ import annotations

import threading
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    route: str | None  # route template, e.g. "/wc/v3/products/{id}"; None when no route matched
    status: int | None  # None when the connection was dropped or stalled
    fault: str | None  # "drop", "stall", "429", "rate_limit", "500", ... or None
    items: int  # items in a batch request, 1 otherwise
    duration_ms: float


class Stats:
    """Counters since the last ``reset()``. Read attributes directly or take a ``snapshot()``.

    ``by_route`` is keyed by ``(method, route template)``; ``items_created/updated/deleted`` count
    products written (single and batch); ``image_downloads`` counts ``src`` images fetched.
    """

    LOG_SIZE = 50_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.requests = 0
            self.by_method: Counter[str] = Counter()
            self.by_route: Counter[tuple[str, str]] = Counter()
            self.by_status: Counter[int] = Counter()
            self.faults: Counter[str] = Counter()
            self.items_created = 0
            self.items_updated = 0
            self.items_deleted = 0
            self.image_downloads = 0
            self.log: deque[LoggedRequest] = deque(maxlen=self.LOG_SIZE)

    @property
    def items_written(self) -> int:
        return self.items_created + self.items_updated + self.items_deleted

    def record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self.requests += 1
            self.by_method[entry.method] += 1
            if entry.route is not None:
                self.by_route[(entry.method, entry.route)] += 1
            if entry.status is not None:
                self.by_status[entry.status] += 1
            if entry.fault is not None:
                self.faults[entry.fault] += 1
            self.log.append(entry)

    def count_write(self, kind: str, n: int = 1) -> None:
        with self._lock:
            if kind == "create":
                self.items_created += n
            elif kind == "update":
                self.items_updated += n
            else:
                self.items_deleted += n

    def count_download(self, n: int = 1) -> None:
        with self._lock:
            self.image_downloads += n

    def snapshot(self) -> dict[str, Any]:
        """A JSON-friendly copy of the counters (the log is left out)."""
        with self._lock:
            return {
                "requests": self.requests,
                "by_method": dict(self.by_method),
                "by_route": {f"{m} {r}": n for (m, r), n in sorted(self.by_route.items())},
                "by_status": {str(s): n for s, n in sorted(self.by_status.items())},
                "faults": dict(self.faults),
                "items_created": self.items_created,
                "items_updated": self.items_updated,
                "items_deleted": self.items_deleted,
                "items_written": self.items_written,
                "image_downloads": self.image_downloads,
            }
