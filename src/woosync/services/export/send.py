"""The send stage of export: writes through ``/products/batch``, ``concurrency`` requests in flight.

The batch size halves after a failed batch and doubles back (up to the size asked for) after fast
ones; it carries over from chunk to chunk. A batch that times out or fails with 5xx/413/429 is
checked against the store (a create it may have applied is looked up by SKU before anything is
sent again, so nothing is created twice; updates learn the image ids they may have uploaded) and
split; a lone product is given up after a few attempts; after ``MAX_FAILURE_STREAK`` failed
batches in a row the store counts as down and nothing more is sent in this run. A per-item error
marks only that product. Each batch answered is booked at once (``book.py``).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from woosync.core.timeutil import clock
from woosync.services.export import book, decide, match
from woosync.services.export.images import ImageClaims, forget_images, recover_images
from woosync.services.export.state import CREATE, UPDATE, Item, Run
from woosync.woo import BatchResult
from woosync.woo.errors import WooAuthError, WooHTTPError, WooTransportError

log = logging.getLogger("woosync.export")

FAST_BATCH_SECONDS = 5.0  # a batch answered quicker than this lets the batch size grow back
MAX_FAILURE_STREAK = 8  # this many failed batches in a row: the store is down, stop the run
RETRY_PAUSE = 0.25  # seconds, doubled per failure in a row (capped at 5 s)


class Sender:
    """Sends the writes of one run, chunk after chunk (the batch size and the store's health
    carry over)."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.size = run.options.batch_size
        self.streak = 0
        self.down: BaseException | None = None  # the store failed too often: send nothing more

    def send_all(self, items: Sequence[Item]) -> None:
        """Send every item's write; each ends ``done`` with success or an error (booked)."""
        queue: deque[Item] = deque(items)
        if self.down is not None:
            self._give_up(queue, ImageClaims(self.run), self.down)
            return
        claims = ImageClaims(self.run)
        in_flight: dict[Future[BatchResult], tuple[list[Item], float]] = {}
        concurrency = self.run.options.concurrency
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            while queue or in_flight:
                while queue and len(in_flight) < concurrency:
                    chunk = self._next_chunk(queue, claims)
                    if chunk:
                        in_flight[pool.submit(self._send, chunk)] = (chunk, clock().monotonic())
                if not in_flight:
                    continue
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    chunk, started = in_flight.pop(future)
                    try:
                        result = future.result()
                    except Exception as exc:  # a WooError, or anything unexpected from the client
                        self._failed(chunk, exc, queue, claims)
                        continue
                    self.streak = 0
                    fast = clock().monotonic() - started < FAST_BATCH_SECONDS
                    if fast and self.size < self.run.options.batch_size:
                        self.size = min(self.run.options.batch_size, self.size * 2)
                    again = self._answered(chunk, result)  # learns the image ids first
                    queue.extendleft(reversed(claims.release(chunk)))
                    queue.extend(again)

    def _failed(
        self, chunk: list[Item], exc: BaseException, queue: deque[Item], claims: ImageClaims
    ) -> None:
        self.streak += 1
        self.size = max(1, len(chunk) // 2)
        requeue = self._batch_failed(chunk, exc)
        requeue += claims.release(chunk)
        for item in reversed(requeue):
            queue.appendleft(item)
        if self.streak >= MAX_FAILURE_STREAK:
            self.down = exc
            self._give_up(queue, claims, exc)
        elif requeue:
            clock().sleep(min(RETRY_PAUSE * 2 ** (self.streak - 1), 5.0))

    def _next_chunk(self, queue: deque[Item], claims: ImageClaims) -> list[Item]:
        """Up to ``size`` products to send together; one whose image URL another write in flight
        sends by ``src`` waits for that answer (:class:`ImageClaims`)."""
        chunk: list[Item] = []
        while queue and len(chunk) < self.size:
            item = queue.popleft()
            if item.done or item.payload is None:
                continue
            if claims.claim(item):
                chunk.append(item)
        return chunk

    def _send(self, chunk: list[Item]) -> BatchResult:
        creates = [i.payload or {} for i in chunk if i.action == CREATE]
        updates = [{"id": i.woo_id, **(i.payload or {})} for i in chunk if i.action == UPDATE]
        return self.run.client.batch("/products/batch", create=creates, update=updates)

    def _answered(self, chunk: list[Item], result: BatchResult) -> list[Item]:
        """Apply one batch answer; returns the items to send again."""
        run = self.run
        succeeded: list[tuple[Item, dict[str, Any]]] = []
        failed_creates: list[Item] = []
        unknown_creates: list[Item] = []
        relink: list[Item] = []
        again: list[Item] = []
        creates = [i for i in chunk if i.action == CREATE]
        updates = [i for i in chunk if i.action == UPDATE]
        for items, answers in ((creates, result.create), (updates, result.update)):
            for index, item in enumerate(items):
                answer = answers[index] if index < len(answers) else None
                if answer is None:  # not in the answer: treat like a lost answer
                    item.message = "the store's batch answer has no entry for this product"
                    (unknown_creates if item.action == CREATE else again).append(item)
                    continue
                error = answer.get("error")
                trashed = answer.get("status") == "trash" and item.action == UPDATE
                if not error and trashed and not item.restore:  # updated but still in the trash
                    decide.in_trash(run, item)
                    if not item.done:
                        decide.build(run, item)
                        again.append(item)
                    continue
                if not error:
                    succeeded.append((item, answer))
                    continue
                code = str(error.get("code") or "")
                message = f"{code}: {error.get('message', '')}".strip(": ")
                if code == "woocommerce_product_invalid_image_id" and not item.image_retry:
                    # an image id we cached is gone from the store (nothing was written, a
                    # create included): send the URLs again
                    forget_images(run, item)
                    again.append(item)
                elif item.action == CREATE:
                    item.message = message
                    failed_creates.append(item)
                elif code == "woocommerce_rest_product_invalid_id" and not item.relinked:
                    relink.append(item)
                else:
                    item.fail(message)
        for item, answer in succeeded:
            book.succeeded(run, item, answer)
        again += match.recover_creates(run, failed_creates, applied_unknown=False)
        again += match.recover_creates(run, unknown_creates, applied_unknown=True)
        again += match.relink(run, relink)
        self._finish([i for i in chunk if i.done])
        return again

    def _batch_failed(self, chunk: list[Item], exc: BaseException) -> list[Item]:
        """A whole batch request failed: find what the store applied, then split and retry."""
        message = str(exc)
        status = exc.status if isinstance(exc, WooHTTPError) else 0
        retriable = isinstance(exc, WooTransportError) or status >= 500 or status in (413, 429)
        if isinstance(exc, WooAuthError) or not retriable:
            for item in chunk:
                item.fail(message)
            self._finish(chunk)
            return []
        log.info("batch of %d failed (%s); checking what the store applied", len(chunk), message)
        creates = [i for i in chunk if i.action == CREATE]
        for item in creates:
            item.message = message
        again = (
            match.recover_creates(self.run, creates, applied_unknown=True)
            if status != 413
            else creates
        )
        updates = [i for i in chunk if i.action == UPDATE and not i.done]
        if status != 413:
            recover_images(self.run, updates)
        again += updates
        for item in again:
            if len(chunk) == 1:
                item.attempts += 1
                if item.attempts >= match.MAX_SINGLE_ATTEMPTS:
                    item.fail(message)
        self._finish([i for i in chunk if i.done])
        return [i for i in again if not i.done]

    def _give_up(self, queue: deque[Item], claims: ImageClaims, exc: BaseException) -> None:
        rest = [i for i in [*queue, *claims.drop_waiters()] if not i.done]
        queue.clear()
        for item in rest:
            item.fail(f"not sent: the store failed {MAX_FAILURE_STREAK} batches in a row ({exc})")
        self._finish(rest)

    def _finish(self, items: list[Item]) -> None:
        book.book(self.run, items)
        self.run.report(len(items))
