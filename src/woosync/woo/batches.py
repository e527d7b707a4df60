"""Batch writes: one ``POST .../batch`` request, or many of them ``concurrency`` in flight."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from woosync.core.logging import redact_url
from woosync.woo.api_limits import MAX_BATCH
from woosync.woo.concurrency import in_order
from woosync.woo.errors import WooError
from woosync.woo.models import BatchResult
from woosync.woo.transport import Transport
from woosync.woo.variation_values import BatchKind


class Batches(Transport):
    """``/products/batch``, ``/products/{id}/variations/batch`` and the other batch routes."""

    def batch(
        self,
        path: str,
        *,
        create: Sequence[dict[str, Any]] = (),
        update: Sequence[dict[str, Any]] = (),
        delete: Sequence[dict[str, Any] | int] = (),
    ) -> BatchResult:
        """ONE ``POST {path}`` (e.g. ``/products/batch``); never retried, it may have been applied.

        ``delete`` takes ids or objects with an ``id``. The caller chunks (at most
        :data:`~woosync.woo.api_limits.MAX_BATCH` objects in total, unless the store raised its limit) and inspects every
        item for ``"error"``.
        """
        body: dict[str, list[Any]] = {}
        if create:
            body["create"] = list(create)
        if update:
            body["update"] = list(update)
        if delete:
            body["delete"] = [item["id"] if isinstance(item, dict) else item for item in delete]
        if not body:
            return BatchResult()
        url = self._url(path)
        answer = self._exchange("POST", url, json=body, idempotent=False)[1]
        if not isinstance(answer, dict):
            raise WooError(f"unexpected batch answer from {redact_url(url)}: not an object")
        return BatchResult.from_body(answer)

    def batch_chunks(
        self,
        path: str,
        items: list[dict[str, Any]],
        kind: BatchKind,
        *,
        size: int = MAX_BATCH,
        concurrency: int = 4,
    ) -> Iterator[tuple[list[dict[str, Any]], BatchResult | WooError]]:
        """Send ``items`` as ``kind`` in chunks of ``size``, ``concurrency`` requests in flight.

        Yields ``(chunk sent, BatchResult or the WooError that chunk raised)`` in chunk order, so a
        failed chunk does not stop the others; stop iterating to stop sending.
        """
        if kind not in ("create", "update", "delete"):
            raise ValueError(f"kind must be create, update or delete, not {kind!r}")
        if size < 1:
            raise ValueError("size must be at least 1")
        chunks = [items[start : start + size] for start in range(0, len(items), size)]

        def call(chunk: list[dict[str, Any]]) -> Callable[[], BatchResult | WooError]:
            def send() -> BatchResult | WooError:
                try:
                    return self.batch(path, **{kind: chunk})
                except WooError as exc:
                    return exc

            return send

        with contextlib.closing(in_order([call(c) for c in chunks], concurrency)) as done:
            for chunk, future in zip(chunks, done, strict=True):
                yield chunk, future.result()
