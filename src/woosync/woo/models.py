"""Plain results the client hands back: store facts, batch answers, request counters."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class StoreInfo:
    """What a connection test reports. Versions are ``None`` when the key may not read them."""

    store_name: str
    wp_version: str | None
    woo_version: str | None
    store_url: str
    home_url: str | None = None  # the address the site reports for itself (OAuth signs against it)


@dataclass
class BatchResult:
    """A ``/batch`` answer exactly as the store gave it; items may carry an ``"error"`` object.

    A failed create comes back as ``{"id": 0, "error": {...}}``; a failed update or delete keeps the
    id that was sent.
    """

    create: list[dict[str, Any]] = field(default_factory=list)
    update: list[dict[str, Any]] = field(default_factory=list)
    delete: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> BatchResult:
        def items(name: str) -> list[dict[str, Any]]:
            value = body.get(name) or []
            return [item for item in value if isinstance(item, dict)]

        return cls(create=items("create"), update=items("update"), delete=items("delete"))

    @property
    def errors(self) -> list[tuple[str, dict[str, Any]]]:
        """``(kind, item)`` for every item the store refused, in answer order."""
        return [
            (kind, item)
            for kind in ("create", "update", "delete")
            for item in getattr(self, kind)
            if item.get("error")
        ]


class ClientStats:
    """Counters for one client: HTTP attempts sent, by method, and how many were retries."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.by_method: dict[str, int] = {}
        self.retries = 0

    def count_request(self, method: str) -> None:
        with self._lock:
            self.requests += 1
            self.by_method[method] = self.by_method.get(method, 0) + 1

    def count_retry(self) -> None:
        with self._lock:
            self.retries += 1

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": self.requests,
                "byMethod": dict(self.by_method),
                "retries": self.retries,
            }

    def __repr__(self) -> str:
        return f"ClientStats({self.as_dict()})"
