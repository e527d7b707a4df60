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
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from woosync.core.timeutil import clock, utcnow
from woosync.services.export import book, decide, match
from woosync.services.export.images import ImageClaims, forget_images, recover_images
from woosync.services.export.state import CREATE, UPDATE, Item, Run
from woosync.services.sync import stock
from woosync.woo import BatchResult
from woosync.woo.errors import WooAuthError, WooHTTPError, WooTransportError
from woosync.woo.models import ItemError

log = logging.getLogger("woosync.export")

FAST_BATCH_SECONDS = 5.0  # a batch answered quicker than this lets the batch size grow back
MAX_FAILURE_STREAK = 8  # this many failed batches in a row: the store is down, stop the run
RETRY_PAUSE = 0.25  # seconds, doubled per failure in a row (capped at 5 s)
BOOK_GROUP = 500  # answered products whose sync records are written in one transaction
LOOK_AHEAD = 5  # batches formed ahead per request allowed in flight


class Sender:
    """Sends the writes of one run, chunk after chunk (the batch size, the store's health, the
    image URLs claimed and the requests in flight carry over): :meth:`feed` returns once a
    chunk's last writes are in flight or formed into batches, so the next chunk is planned while
    they are answered; :meth:`queue_ahead` puts the next chunk's writes behind them, so they go
    out as the last ones are answered (the store never waits for a chunk to drain);
    :meth:`finish` waits for given items; use as a context manager (the threads end with it).

    Batches are formed ahead (``LOOK_AHEAD`` per request allowed in flight), and a request that
    is answered starts the next formed batch from its own thread: the store is kept busy while
    this thread books answers or plans the next chunk. A failed request starts nothing, and the
    batches formed ahead are formed again at the smaller size."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.size = run.options.batch_size
        self.streak = 0
        self.down: BaseException | None = None  # the store failed too often: send nothing more
        self.queue: deque[Item] = deque()
        self.claims = ImageClaims(run)
        self.in_flight: dict[Future[BatchResult], tuple[list[Item], float]] = {}
        self.ready: deque[list[Item]] = deque()  # batches formed, not sent yet
        self._running = 0  # requests sent and not answered yet
        self._failing = 0  # requests that failed, not yet dealt with by the run's thread
        self._closed = False  # nothing more is started (the run ends or the store is down)
        self._lock = threading.RLock()  # in_flight, ready, _running: the senders start batches
        self._pool: ThreadPoolExecutor | None = None
        self.unbooked: list[Item] = []  # finished, their sync records not written yet
        # queue_ahead: the product ids of the writes queued ahead, and how many of them finished
        # before their chunk's feed (told then: the progress hears a chunk once it is entered)
        self.ahead: set[int] = set()
        self.ahead_done = 0

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._closed = True  # an interrupted run starts nothing more
        try:
            self._harvest()
            self.book()  # what was answered is booked, even when the run is interrupted
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None

    def _harvest(self) -> None:
        """On the way out of an interrupted run: the answers that had come but were not dealt
        with (a request started by another's answer may fail first) are dealt with as they came;
        nothing is waited for."""
        for future, (chunk, _started) in list(self.in_flight.items()):
            if not future.done() or future.cancelled() or future.exception() is not None:
                continue
            del self.in_flight[future]
            try:
                self._answered(chunk, future.result())
            except Exception:  # the run is ending anyway: what could be booked is booked
                log.exception("an answer could not be booked on the way out")

    def queue_ahead(self, items: Sequence[Item]) -> None:
        """Queue the next chunk's writes behind those still in flight, to be sent as requests
        come free while :meth:`finish` waits for the last ones; :meth:`feed` for the same items
        follows (it tells how many finished meanwhile)."""
        self.queue.extend(items)
        self.ahead = {item.product_id for item in items}

    def feed(self, items: Sequence[Item]) -> None:
        """Queue the items' writes (unless :meth:`queue_ahead` did) and send until each is in a
        request or a batch formed (at most ``concurrency`` in flight; answers that come meanwhile
        are booked). Some may still be in flight, formed, or wait for an image URL another write
        sends: :meth:`finish` waits for them."""
        if self.ahead:
            done, self.ahead, self.ahead_done = self.ahead_done, set(), 0
            self.run.report(done)
        else:
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
        """Writes sent, formed or queued but not answered yet."""
        with self._lock:
            waiting = sum(len(chunk) for chunk, _ in self.in_flight.values())
            waiting += sum(len(chunk) for chunk in self.ready)
        return waiting + len(self.queue) + self.claims.waiting()

    def _pump(self, enough: Callable[[], bool]) -> None:
        while self.queue or self.ready or self.in_flight:
            self._form()
            self._start()
            if enough() or not self.in_flight:
                return
            with self._lock:
                sent = list(self.in_flight)
            done, _ = wait(sent, return_when=FIRST_COMPLETED)
            # answers first, failures after: one that ends the run leaves none unbooked
            for future in sorted(done, key=lambda f: f.exception() is not None):
                with self._lock:
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

    def _form(self) -> None:
        """Form batches from the queue: one per request that may go out now, and, at the full
        batch size, ``LOOK_AHEAD`` more per request allowed in flight (after a failure the size
        grows back answer by answer, so nothing is formed ahead at a size about to change). A
        batch formed ahead stops before a product that sends an image URL a batch formed or in
        flight sends: it goes once that answer has taught the URL's id, as it would have."""
        concurrency = self.run.options.concurrency
        ahead = LOOK_AHEAD * concurrency if self._settled() else 0
        blocked: set[str] | None = None
        while self.queue:
            with self._lock:
                formed = len(self.ready) + len(self.in_flight)
            if formed >= concurrency + ahead:
                return
            if formed >= concurrency and blocked is None:
                blocked = self._sent_srcs()
            chunk = self._next_chunk(self.queue, self.claims, blocked)
            if not chunk:
                return
            with self._lock:
                self.ready.append(chunk)

    def _sent_srcs(self) -> set[str]:
        """The image URLs sent by ``src`` in the batches formed or in flight."""
        with self._lock:
            chunks = [*self.ready, *(chunk for chunk, _ in self.in_flight.values())]
        return {src for chunk in chunks for item in chunk for src in _srcs(item)}

    def _settled(self) -> bool:
        """The batch size is the one asked for (not growing back after a failure)."""
        return self.size >= self.run.options.batch_size

    def _start(self) -> None:
        """Send formed batches while fewer than ``concurrency`` requests are in flight (at a
        size growing back, counting those answered but not yet booked, as each answer grows it),
        and none failed that this thread has not dealt with."""
        concurrency = self.run.options.concurrency
        with self._lock:
            while self.ready and not self._closed and not self._failing:
                busy = self._running if self._settled() else len(self.in_flight)
                if busy >= concurrency:
                    return
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(max_workers=concurrency)
                chunk = self.ready.popleft()
                self._running += 1
                future = self._pool.submit(self._send_then_next, chunk)
                self.in_flight[future] = (chunk, clock().monotonic())

    def _send_then_next(self, chunk: list[Item]) -> BatchResult:
        """Send one batch (in a sending thread); once it is answered, the next formed batch goes
        out at once, unless this one failed or the size is growing back (the run's thread then
        decides the size and what goes again)."""
        try:
            result = self._send(chunk)
        except BaseException:
            with self._lock:
                self._running -= 1
                self._failing += 1
            raise
        with self._lock:
            self._running -= 1
            if self._settled():
                self._start()
        return result

    def _unform(self) -> None:
        """The batches formed ahead go back to the front of the queue (formed again later)."""
        with self._lock:
            formed = [item for chunk in self.ready for item in chunk]
            self.ready.clear()
        self.queue.extendleft(reversed(formed))

    def _failed(
        self, chunk: list[Item], exc: BaseException, queue: deque[Item], claims: ImageClaims
    ) -> None:
        with self._lock:
            self._failing -= 1
        self._unform()  # formed at the size that failed
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

    def _next_chunk(
        self, queue: deque[Item], claims: ImageClaims, blocked: set[str] | None = None
    ) -> list[Item]:
        """Up to ``size`` products to send together; one whose image URL another write in flight
        sends by ``src`` waits for that answer (:class:`ImageClaims`). With ``blocked`` (a batch
        formed ahead: the URLs sent by ``src`` before it), the batch ends before a product that
        sends one of them."""
        chunk: list[Item] = []
        while queue and len(chunk) < self.size:
            if blocked is not None:
                srcs = _srcs(queue[0])
                if not blocked.isdisjoint(srcs):
                    break
                blocked.update(srcs)
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
                    stock.as_quantity(item.payload, item.values)  # never a change twice
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
                refused = ItemError.from_answer(error)  # scrubbed, as plain text
                code, message = refused.code, str(refused)
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
        for item in updates:  # a stock change may have landed: the quantity goes instead
            stock.as_quantity(item.payload, item.values)
        again += updates
        for item in again:
            if len(chunk) == 1:
                item.attempts += 1
                if item.attempts >= match.MAX_SINGLE_ATTEMPTS:
                    item.fail(message)
        self._finish([i for i in chunk if i.done])
        return [i for i in again if not i.done]

    def _give_up(self, exc: BaseException) -> None:
        with self._lock:
            self._closed = True
        self._unform()
        rest = [i for i in [*self.queue, *self.claims.drop_waiters()] if not i.done]
        self.queue.clear()
        for item in rest:
            item.fail(f"not sent: the store failed {MAX_FAILURE_STREAK} batches in a row ({exc})")
        self._finish(rest)

    def _finish(self, items: list[Item]) -> None:
        self.unbooked += items
        ahead = sum(item.product_id in self.ahead for item in items) if self.ahead else 0
        self.ahead_done += ahead
        self.run.report(len(items) - ahead)
        if len(self.unbooked) >= BOOK_GROUP:
            self.book()


def _srcs(item: Item) -> list[str]:
    """The image URLs the item's body sends by ``src``."""
    images = (item.payload or {}).get("images") or ()
    return [str(image["src"]) for image in images if "src" in image]
