"""Page arithmetic for WordPress collections: ``X-WP-Total`` / ``X-WP-TotalPages``, dedup by id.

Pages are requested by number, never by following ``Link``: WordPress builds those URLs from the
request's whole query string, OAuth parameters included, so following one would replay a nonce.
"""

from __future__ import annotations

from typing import Any

import httpx

DEFAULT_ORDER = {"orderby": "id", "order": "asc"}


def page_params(params: dict[str, Any] | None, page: int, per_page: int) -> dict[str, Any]:
    merged = dict(params or {})
    merged["page"] = page
    merged["per_page"] = per_page
    return merged


def listing_params(params: dict[str, Any] | None) -> dict[str, Any]:
    """A stable order for a full read (``orderby=id&order=asc``) unless the caller chose one."""
    merged = dict(params or {})
    if "orderby" not in merged:
        merged.update(DEFAULT_ORDER)
    return merged


def totals(response: httpx.Response, items: list[Any]) -> tuple[int, int]:
    """``(total items, total pages)`` from the headers; a collection without them is one page."""
    total = _int_header(response, "X-WP-Total")
    pages = _int_header(response, "X-WP-TotalPages")
    if total is None:
        total = len(items)
    if pages is None:
        pages = 1 if items else 0
    return total, pages


def _int_header(response: httpx.Response, name: str) -> int | None:
    value = response.headers.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


class Deduplicator:
    """Keeps the first item seen for each id; items without an id are all kept."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.duplicates = 0
        self._seen: set[Any] = set()

    def add(self, page: list[dict[str, Any]]) -> None:
        for item in page:
            key = item.get("id") if isinstance(item, dict) else None
            if key is not None:
                if key in self._seen:
                    self.duplicates += 1
                    continue
                self._seen.add(key)
            self.items.append(item)
