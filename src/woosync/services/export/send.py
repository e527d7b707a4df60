"""The send stage of export: writes through ``/products/batch``, ``concurrency`` requests in flight.

The batch size halves after a failed batch and doubles back (up to the size asked for) after fast
ones; it carries over from chunk to chunk. A batch that times out or fails with 5xx/413/429 is
checked against the store (a create it may have applied is looked up by SKU before anything is
sent again, so nothing is created twice; updates learn the image ids they may have uploaded) and
split; a lone product is given up after a few attempts; after ``MAX_FAILURE_STREAK`` failed
batches in a row the store counts as down and nothing more is sent in this run. A per-item error
marks only that product. Answers are booked in groups (``BOOK_GROUP`` products a transaction,
``book.py``), and always before the database is asked which store products are linked. The requests in
flight carry over from :meth:`Sender.feed` to the next call, so the run plans its next chunk
while a chunk's last writes are answered.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from woosync.core.timeutil import clock, utcnow
from woosync.services.export import book, decide, match
from woosync.services.export.images import ImageClaims, forget_images, recover_images
from woosync.services.export.state import CREATE, UPDATE, Item, Run
from woosync.woo import BatchResult
from woosync.woo.errors import WooAuthError, WooHTTPError, WooTransportError

log = logging.getLogger("woosync.export")

FAST_BATCH_SECONDS = 5.0  # a batch answered quicker than this lets the batch size grow back
MAX_FAILURE_STREAK = 8  # this many failed batches in a row: the store is down, stop the run
RETRY_PAUSE = 0.25  # seconds, doubled per failure in a row (capped at 5 s)
BOOK_GROUP = 500  # answered products whose sync records are written in one transaction


class Sender:
    """Sends the writes of one run, chunk after chunk (the batch size, the store's health, the
    image URLs claimed and the requests in flight carry over): :meth:`feed` returns once a
    chunk's last writes are in flight, so the next chunk is planned while they are answered;
    :meth:`finish` waits for given items; use as a context manager (the threads end with it)."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.size = run.options.batch_size
        self.streak = 0
        self.down: BaseException | None = None  # the store failed too often: send nothing more
        self.queue: deque[Item] = deque()
        self.claims = ImageClaims(run)
        self.in_flight: dict[Future[BatchResult], tuple[list[Item], float]] = {}
        self._pool: ThreadPoolExecutor | None = None
        self.unbooked: list[Item] = []  # finished, their sync records not written yet

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.book()  # what was answered is booked, even when the run is interrupted
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None

    def feed(self, items: Sequence[Item]) -> None:
        """Queue the items' writes and send until each is in a request (at most ``concurrency``
        in flight; answers that come meanwhile are booked). Some may still be in flight, or wait
        for an image URL another write sends: :meth:`finish` waits for them."""
        self.queue.extend(items)
        if self.down is not None:
            self._give_up(self.down)
        else:
            self._pump(lambda: not self.queue)
        self.book()  # the next chunk is planned against the records of every answer so far

    def finish(self, items: Sequence[Item]) -> None:
        """Send and book until every one of ``items`` is done (or nothing is left to send)."""
        self._pump(lambda: all(item.done for item in items))
        self.book()

    def book(self) -> None:
        """Write the sync records of the products finished since the last call (one transaction;
        answers are booked in groups of ``BOOK_GROUP``, and always before the database is asked
        which store products are linked: a chunk is planned, a lost create is looked up)."""
        if self.unbooked or self.run.registry.dirty:
            items, self.unbooked = self.unbooked, []
            book.book(self.run, items)

    def outstanding(self) -> int:
        """Writes sent or queued but not answered yet."""
        waiting = sum(len(chunk) for chunk, _ in self.in_flight.values())
        return waiting + len(self.queue) + self.claims.waiting()

    def _pump(self, enough: Callable[[], bool]) -> None:
        concurrency = self.run.options.concurrency
        while self.queue or self.in_flight:
            while self.queue and len(self.in_flight) < concurrency:
                chunk = self._next_chunk(self.queue, self.claims)
                if chunk:
                    if self._pool is None:
                        self._pool = ThreadPoolExecutor(max_workers=concurrency)
                    future = self._pool.submit(self._send, chunk)
                    self.in_flight[future] = (chunk, clock().monotonic())
            if enough() or not self.in_flight:
                return
            done, _ = wait(self.in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                chunk, started = self.in_flight.pop(future)
                try:
                    result = future.result()
                except Exception as exc:  # a WooError, or anything unexpected from the client
                    self._failed(chunk, exc, self.queue, self.claims)
                    continue
                self.streak = 0
                fast = clock().monotonic() - started < FAST_BATCH_SECONDS
                if fast and self.size < self.run.options.batch_size:
                    self.size = min(self.run.options.batch_size, self.size * 2)
                again = self._answered(chunk, result)  # learns the image ids first
                self.queue.extendleft(reversed(self.claims.release(chunk)))
                self.queue.extend(again)

    def _failed(
        self, chunk: list[Item], exc: BaseException, queue: deque[Item], claims: ImageClaims
    ) -> None:
        self.book()
        self.streak += 1
        self.size = max(1, len(chunk) // 2)
        requeue = self._batch_failed(chunk, exc)
        requeue += claims.release(chunk)
        for item in reversed(requeue):
            queue.appendleft(item)
        if self.streak >= MAX_FAILURE_STREAK:
            self.down = exc
            self._give_up(exc)
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
        now = utcnow()  # the batch's records share one time (encoded once when written)
        for item, answer in succeeded:
            book.succeeded(run, item, answer, now)
        if failed_creates or unknown_creates or relink:
            self._finish([i for i in chunk if i.done])  # booked before the store is searched
            self.book()
            chunk = [i for i in chunk if not i.done]
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

    def _give_up(self, exc: BaseException) -> None:
        rest = [i for i in [*self.queue, *self.claims.drop_waiters()] if not i.done]
        self.queue.clear()
        for item in rest:
            item.fail(f"not sent: the store failed {MAX_FAILURE_STREAK} batches in a row ({exc})")
        self._finish(rest)

    def _finish(self, items: list[Item]) -> None:
        self.unbooked += items
        self.run.report(len(items))
        if len(self.unbooked) >= BOOK_GROUP:
            self.book()
