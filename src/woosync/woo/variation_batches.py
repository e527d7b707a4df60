"""Writing variations: ``/products/{id}/variations/batch``, several parents in flight.

:meth:`VariationBatches.write_variations` sends creates, updates and deletes of variations with
the rules product batches follow:

- at most :data:`~woosync.woo.api_limits.MAX_BATCH` objects a request, one request in flight per
  parent and up to ``concurrency`` parents at once (the API's floor: one request per parent);
- the batch size halves after a failed request and grows back after fast answers;
- a request that failed in a way that may have been applied (a timeout, a dropped connection,
  5xx, 429) is never resent blindly: before a create goes again, the parent's variations are
  listed and a variation with its SKU (or, without a SKU, its option set) is taken as the
  create's answer; updates are resent (idempotent: a stock change by `inventory_delta` goes again
  as the quantity it makes); a delete already applied answers
  "invalid id" on the resend and counts as done;
- a lone write whose request keeps failing is given up after :data:`MAX_SINGLE_ATTEMPTS`; after
  :data:`MAX_FAILURE_STREAK` failed requests in a row every write still waiting is given up;
- a per-item error (a duplicate SKU with ``resource_id`` and ``unique_sku``, an invalid id, ...)
  fails only that write, as :class:`~woosync.woo.models.ItemError`;
- a :class:`VariationGate` may hold writes back (and rewrite them) before each request: the
  export's image claims, so a new image URL is sent by ``src`` once and by its media id after.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from queue import SimpleQueue
from typing import Any, Protocol

from woosync.woo.api_limits import MAX_BATCH
from woosync.woo.batches import Batches
from woosync.woo.concurrency import MAX_CONNECTIONS
from woosync.woo.errors import WooAuthError, WooError, WooHTTPError, WooTransportError
from woosync.woo.models import BatchResult, ItemError
from woosync.woo.variation_values import (
    VariationOutcome,
    VariationWrite,
    fold_sku,
    store_option_set,
    variations_path,
)
from woosync.woo.variations import Variations

# VariationWrite and VariationOutcome live in variation_values (no HTTP there); named here too
__all__ = [
    "INVALID_VARIATION_ID",
    "VariationBatches",
    "VariationGate",
    "VariationOutcome",
    "VariationWrite",
]

log = logging.getLogger("woosync.woo")

FAST_BATCH_SECONDS = 5.0  # a request answered quicker than this lets the batch size grow back
MAX_SINGLE_ATTEMPTS = 3  # a lone write whose request keeps failing is given up after this many
MAX_FAILURE_STREAK = 8  # this many failed requests in a row: the store is down, stop
INVALID_VARIATION_ID = "woocommerce_rest_product_variation_invalid_id"


@dataclass(slots=True)
class _Pending:
    write: VariationWrite
    attempts: int = 0  # failed requests that held this write alone
    maybe_landed: bool = False  # a request holding this create may have been applied


class VariationGate(Protocol):
    """Asked before each request which of a parent's next writes go in it."""

    def admit(
        self, parent_id: int, writes: Sequence[VariationWrite]
    ) -> list[VariationWrite | None]:
        """For each of ``writes`` (the next ones queued for ``parent_id``), the write as it goes
        now (possibly rewritten), or None: it stays queued until another request is answered."""
        ...


def _retriable(exc: BaseException) -> bool:
    if isinstance(exc, WooAuthError):
        return False
    if isinstance(exc, WooTransportError):
        return True
    status = exc.status if isinstance(exc, WooHTTPError) else 0
    return status >= 500 or status in (413, 429)


class VariationBatches(Variations, Batches):
    """``write_variations``: variation batches with adaptive size, retries and recovery."""

    def write_variations(
        self,
        writes: Iterable[VariationWrite],
        *,
        size: int = MAX_BATCH,
        concurrency: int = 4,
        gate: VariationGate | None = None,
    ) -> Iterator[list[VariationOutcome]]:
        """Send ``writes``; yields the outcomes of each finished request (or recovery) as they
        come, so the caller can book them per batch (before the next requests are made up, so
        ``gate`` sees what was booked). Every write ends in exactly one outcome."""
        run = _VariationRun(self, max(1, min(size, MAX_BATCH)), concurrency, gate)
        return run.send(writes)


_Answer = tuple[list[VariationOutcome], list[_Pending]]


class _VariationRun:
    """One call of :meth:`VariationBatches.write_variations`."""

    def __init__(
        self,
        client: VariationBatches,
        size: int,
        concurrency: int,
        gate: VariationGate | None = None,
    ) -> None:
        self.client = client
        self.gate = gate
        self.max_size = size
        self.size = size
        self.concurrency = max(1, min(concurrency, MAX_CONNECTIONS))
        self.queues: dict[int, deque[_Pending]] = {}
        self.streak = 0

    def send(self, writes: Iterable[VariationWrite]) -> Iterator[list[VariationOutcome]]:
        for write in writes:
            self.queues.setdefault(write.parent_id, deque()).append(_Pending(write))
        # parents with writes waiting and no request in flight, in order (a parent whose
        # request came back with writes left goes first again)
        ready = deque(self.queues)
        busy: dict[Future[_Answer], tuple[int, list[_Pending], float]] = {}
        # finished requests in the order they finish (cheaper than concurrent.futures.wait,
        # which sets up a waiter on every request in flight for each one that finishes)
        finished: SimpleQueue[Future[_Answer]] = SimpleQueue()
        held: list[int] = []  # parents the gate holds back until another answer
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="woosync-var") as pool:
            while busy or ready or held:
                ready.extendleft(reversed(held))
                held.clear()
                while ready and len(busy) < self.concurrency:
                    parent_id = ready.popleft()
                    queue = self.queues[parent_id]
                    if queue:
                        chunk = self._next_chunk(parent_id, queue, gated=True)
                        if not chunk:
                            held.append(parent_id)
                            continue
                        future = pool.submit(self._send, parent_id, chunk)
                        busy[future] = (parent_id, chunk, time.monotonic())
                        future.add_done_callback(finished.put)
                if not busy and held:  # no answer can come to free them: send as queued
                    parent_id = held.pop(0)
                    chunk = self._next_chunk(parent_id, self.queues[parent_id], gated=False)
                    future = pool.submit(self._send, parent_id, chunk)
                    busy[future] = (parent_id, chunk, time.monotonic())
                    future.add_done_callback(finished.put)
                if not busy:
                    continue
                future = finished.get()
                parent_id, chunk, started = busy.pop(future)
                outcomes = self._finished(future, parent_id, chunk, started)
                if self.queues[parent_id]:
                    ready.appendleft(parent_id)
                if outcomes:
                    yield outcomes
                if self.streak >= MAX_FAILURE_STREAK:
                    rest = self._give_up(future.exception())
                    if rest:
                        yield rest

    def _next_chunk(self, parent_id: int, queue: deque[_Pending], *, gated: bool) -> list[_Pending]:
        """The parent's next request: up to ``size`` writes, those the gate holds back left
        queued (first again next time)."""
        chunk = [queue.popleft() for _ in range(min(self.size, len(queue)))]
        if self.gate is None or not gated:
            return chunk
        admitted = self.gate.admit(parent_id, [p.write for p in chunk])
        kept: list[_Pending] = []
        later: list[_Pending] = []
        for pending, write in zip(chunk, admitted, strict=True):
            if write is None:
                later.append(pending)
            else:
                pending.write = write
                kept.append(pending)
        queue.extendleft(reversed(later))
        return kept

    # one request ------------------------------------------------------------------------------
    def _send(self, parent_id: int, chunk: list[_Pending]) -> _Answer:
        """In a worker: recover creates that may have landed, then send the rest in one request.
        Returns the outcomes and the writes to send again (the answer lacked them)."""
        outcomes: list[VariationOutcome] = []
        if any(p.maybe_landed for p in chunk):
            outcomes, chunk = self._recover(parent_id, chunk)
        if not chunk:
            return outcomes, []
        by_kind: dict[str, list[_Pending]] = {"create": [], "update": [], "delete": []}
        for pending in chunk:
            by_kind[pending.write.action].append(pending)
        result = self.client.batch(
            variations_path(parent_id) + "/batch",
            create=[dict(p.write.payload) for p in by_kind["create"]],
            update=[{**p.write.payload, "id": p.write.variation_id} for p in by_kind["update"]],
            delete=[int(p.write.variation_id or 0) for p in by_kind["delete"]],
        )
        answered, again = self._answered(parent_id, by_kind, result)
        return outcomes + answered, again

    def _answered(
        self, parent_id: int, by_kind: dict[str, list[_Pending]], result: BatchResult
    ) -> _Answer:
        outcomes: list[VariationOutcome] = []
        again: list[_Pending] = []
        for kind, answers in (
            ("create", result.create),
            ("update", result.update),
            ("delete", result.delete),
        ):
            for index, pending in enumerate(by_kind[kind]):
                answer = answers[index] if index < len(answers) else None
                if answer is None:  # the answer lacks it: as good as lost
                    pending.maybe_landed = pending.write.action == "create"
                    pending.write = pending.write.resendable()
                    pending.attempts += 1
                    if pending.attempts >= MAX_SINGLE_ATTEMPTS:
                        outcomes.append(self._lost_for_good(parent_id, pending, _missing_answer()))
                    else:
                        again.append(pending)
                    continue
                outcomes.append(self._item(pending, answer))
        return outcomes, again

    def _item(self, pending: _Pending, answer: dict[str, Any]) -> VariationOutcome:
        error = answer.get("error")
        write = pending.write
        if not isinstance(error, Mapping):
            return VariationOutcome(write, answer=answer)
        item_error = ItemError.from_answer(error)
        if write.action == "delete" and item_error.code == INVALID_VARIATION_ID:
            # gone already (a resend of a delete whose first answer was lost, or deleted by hand)
            return VariationOutcome(write, answer={"id": write.variation_id}, recovered=True)
        return VariationOutcome(write, error=item_error)

    def _recover(
        self, parent_id: int, chunk: list[_Pending]
    ) -> tuple[list[VariationOutcome], list[_Pending]]:
        """Creates that may have landed, looked up under their parent before any resend: by SKU,
        else by option set. Returns (outcomes of those found, what is still to send)."""
        candidates = [p for p in chunk if p.maybe_landed]
        held = self.client.list_variations(parent_id) if candidates else []
        by_sku = {fold_sku(v.get("sku")): v for v in held if v.get("sku")}
        by_options = {store_option_set(v): v for v in held}
        found: list[VariationOutcome] = []
        rest: list[_Pending] = []
        for pending in chunk:
            write = pending.write
            hit = None
            if pending.maybe_landed:
                key = fold_sku(write.sku)
                hit = by_sku.get(key) if key else by_options.get(write.option_set)
            if hit is not None:
                log.info(
                    "variation %s of #%d had landed; not sending it again", write.sku, parent_id
                )
                found.append(VariationOutcome(write, answer=hit, recovered=True))
            else:
                pending.maybe_landed = False
                rest.append(pending)
        return found, rest

    # after a request --------------------------------------------------------------------------
    def _finished(
        self,
        future: Future[_Answer],
        parent_id: int,
        chunk: list[_Pending],
        started: float,
    ) -> list[VariationOutcome]:
        exc = future.exception()
        if exc is None:
            self.streak = 0
            if time.monotonic() - started < FAST_BATCH_SECONDS and self.size < self.max_size:
                self.size = min(self.max_size, self.size * 2)
            outcomes, again = future.result()
            self.queues[parent_id].extendleft(reversed(again))
            return outcomes
        if not isinstance(exc, WooError):
            raise exc  # a bug, not the store: let it show
        if not _retriable(exc):
            error = ItemError.from_exception(exc)
            return [VariationOutcome(p.write, error=error) for p in chunk]
        return self._failed(exc, parent_id, chunk)

    def _failed(
        self, exc: WooError, parent_id: int, chunk: list[_Pending]
    ) -> list[VariationOutcome]:
        """A whole request failed in a way worth retrying: halve the size, send it again."""
        self.streak += 1
        self.size = max(1, len(chunk) // 2)
        status = exc.status if isinstance(exc, WooHTTPError) else 0
        log.info(
            "variation batch of %d for #%d failed (%s); it goes again", len(chunk), parent_id, exc
        )
        given_up: list[VariationOutcome] = []
        again: list[_Pending] = []
        for pending in chunk:
            if status != 413 and pending.write.action == "create":
                pending.maybe_landed = True  # look it up before it goes again
            pending.write = pending.write.resendable()  # a stock change is not applied twice
            if len(chunk) == 1 and status != 429:  # refused for now is not a failed attempt
                pending.attempts += 1
            if pending.attempts >= MAX_SINGLE_ATTEMPTS:
                error = ItemError.from_exception(exc)
                given_up.append(self._lost_for_good(parent_id, pending, error))
            else:
                again.append(pending)
        self.queues[parent_id].extendleft(reversed(again))
        if again and self.streak < MAX_FAILURE_STREAK:
            self._pause(exc)
        return given_up

    def _lost_for_good(
        self, parent_id: int, pending: _Pending, error: ItemError
    ) -> VariationOutcome:
        """A write given up: a create that may have landed gets one last lookup."""
        if pending.maybe_landed:
            try:
                found, _rest = self._recover(parent_id, [pending])
            except WooError:
                found = []
            if found:
                return found[0]
        return VariationOutcome(pending.write, error=error)

    def _pause(self, exc: WooError) -> None:
        retry_after = exc.retry_after if isinstance(exc, WooHTTPError) else None
        self.client.pause_before_retry(self.streak, retry_after)

    def _give_up(self, exc: BaseException | None) -> list[VariationOutcome]:
        message = f"not sent: the store failed {MAX_FAILURE_STREAK} requests in a row ({exc})"
        error = ItemError(code="woosync_store_down", message=message)
        rest = [p for queue in self.queues.values() for p in queue]
        for queue in self.queues.values():
            queue.clear()
        return [VariationOutcome(p.write, error=error) for p in rest]


def _missing_answer() -> ItemError:
    return ItemError(
        code="woosync_no_answer",
        message="the store's batch answer has no entry for this variation",
    )
