"""Reading collections: one page, or every page of a collection (``concurrency`` in flight)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from woosync.core.logging import redact_url
from woosync.woo.api_limits import MAX_PER_PAGE
from woosync.woo.concurrency import in_order
from woosync.woo.errors import WooError
from woosync.woo.pagination import Deduplicator, listing_params, page_params, totals
from woosync.woo.transport import Transport

log = logging.getLogger("woosync.woo")


Page = tuple[list[dict[str, Any]], int, int]


class Listing(Transport):
    """Collections of the REST API, read by page number (never by following ``Link``).

    ``store_time``: the latest time a listing's ``Date`` header gave (the store's clock; ``None``
    before any, or when the store sends none)."""

    store_time: datetime | None = None

    def get_page(
        self, path: str, params: dict[str, Any] | None, page: int, per_page: int = MAX_PER_PAGE
    ) -> Page:
        """One page: ``(items, X-WP-Total, X-WP-TotalPages)``."""
        url = self._url(path)
        response, body = self._exchange("GET", url, params=page_params(params, page, per_page))
        self._note_store_time(response)
        if not isinstance(body, list):
            raise WooError(f"expected a list from {redact_url(url)}, got {type(body).__name__}")
        if len(body) >= per_page and "X-WP-TotalPages" not in response.headers:
            # Without it a full page looks like the whole collection: never list silently short.
            raise WooError(
                f"{redact_url(url)} answered a full page without X-WP-Total/X-WP-TotalPages, "
                "so the number of pages is unknown",
                hint="a proxy, cache or security plugin in front of WordPress strips these "
                "headers; let them through",
                url=redact_url(url),
            )
        total, pages = totals(response, body)
        return body, total, pages

    def _note_store_time(self, response: httpx.Response) -> None:
        try:
            moment = parsedate_to_datetime(response.headers.get("Date") or "")
        except (TypeError, ValueError, IndexError):
            return
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        if self.store_time is None or moment > self.store_time:
            self.store_time = moment  # (pages in flight at once: any of their times will do)

    def list_all(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        per_page: int = MAX_PER_PAGE,
        concurrency: int = 4,
        on_page: Callable[[list[dict[str, Any]]], None] | None = None,
    ) -> list[dict[str, Any]]:
        """Every item of a collection, ordered by id unless ``params`` set ``orderby``.

        Page 1 tells how many pages there are; the rest are fetched ``concurrency`` at a time and
        put back in page order; duplicate ids are dropped. When the totals show the collection
        changed during the read (an item deleted shifts the later pages, so one may be missed)
        it is read once more; ``on_page`` sees only the first read.
        """
        params = listing_params(params)
        items, problem = self._read_collection(path, params, per_page, concurrency, on_page)
        if problem is None:
            return items
        log.warning("%s changed while it was read (%s); reading it again", path, problem)
        items, problem = self._read_collection(path, params, per_page, concurrency, None)
        if problem is not None:
            log.warning("%s is still changing (%s); using %d items", path, problem, len(items))
        return items

    def _read_collection(
        self,
        path: str,
        params: dict[str, Any],
        per_page: int,
        concurrency: int,
        on_page: Callable[[list[dict[str, Any]]], None] | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        first, total, pages = self.get_page(path, params, 1, per_page)
        seen = Deduplicator()
        seen.add(first)
        if on_page is not None:
            on_page(first)
        reported = {total}
        last_fetched = 1
        while pages > last_fetched:
            numbers = range(last_fetched + 1, pages + 1)
            calls = [self._page_call(path, params, number, per_page) for number in numbers]
            with contextlib.closing(in_order(calls, concurrency)) as done:
                for future in done:
                    items, page_total, page_count = future.result()
                    seen.add(items)
                    if on_page is not None:
                        on_page(items)
                    reported.add(page_total)
                    total = page_total
                    pages = max(pages, page_count)  # it grew: fetch the new pages too
            last_fetched = numbers[-1]
        problem = None
        if len(reported) > 1:
            problem = f"X-WP-Total went {' -> '.join(str(t) for t in sorted(reported))}"
        elif len(seen.items) != total:
            problem = f"got {len(seen.items)} distinct items, X-WP-Total says {total}"
        if seen.duplicates:
            log.debug("%s: dropped %d duplicate items", path, seen.duplicates)
        return seen.items, problem

    def _page_call(
        self, path: str, params: dict[str, Any], page: int, per_page: int
    ) -> Callable[[], Page]:
        return lambda: self.get_page(path, params, page, per_page)
