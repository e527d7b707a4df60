"""Plain results the client hands back: store facts, batch answers and their item errors,
request counters."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from woosync.core.logging import scrub
from woosync.woo.errors import WooError, WooHTTPError, plain_message

DUPLICATE_SKU = "product_invalid_sku"  # "Invalid or duplicated SKU.", with the holder's id


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


@dataclass(frozen=True, slots=True)
class ItemError:
    """Why the store refused one object of a batch (or the request that carried it).

    ``resource_id`` is the object that holds what was asked for (the holder of a duplicate SKU,
    an existing term); ``unique_sku`` the SKU the store suggests instead.
    """

    code: str
    message: str
    status: int | None = None
    resource_id: int | None = None
    unique_sku: str | None = None

    @classmethod
    def from_answer(cls, error: Mapping[str, Any]) -> ItemError:
        """``{"code", "message", "data": {"status", "resource_id", "unique_sku"}}`` of a batch item."""
        data = error.get("data")
        data = data if isinstance(data, Mapping) else {}
        resource = data.get("resource_id")
        unique = data.get("unique_sku")
        status = data.get("status")
        return cls(
            code=str(error.get("code") or "error"),
            message=scrub(plain_message(str(error.get("message") or ""))),
            status=int(status) if isinstance(status, int) else None,
            resource_id=int(resource) if isinstance(resource, int) and resource else None,
            unique_sku=str(unique) if unique else None,
        )

    @classmethod
    def from_exception(cls, exc: WooError) -> ItemError:
        """The error of a whole request, for each object it carried."""
        if isinstance(exc, WooHTTPError):
            found = cls.from_answer({"code": exc.code, "message": exc.message, "data": exc.data})
            return cls(found.code, found.message, exc.status, found.resource_id, found.unique_sku)
        return cls(code="woosync_no_answer", message=str(exc))

    @property
    def duplicate_sku(self) -> bool:
        return self.code == DUPLICATE_SKU

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.message else self.code
