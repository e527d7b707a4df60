"""Running calls a few at a time while handing their results back in order."""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from typing import TypeVar

T = TypeVar("T")

MAX_CONNECTIONS = 16  # the pool size; concurrency above it would only queue for a connection


def in_order(
    calls: Iterable[Callable[[], T]], concurrency: int
) -> Generator[Future[T], None, None]:
    """Run ``calls`` with at most ``concurrency`` in flight; yield their futures in order.

    Closing the generator early cancels what has not started and waits for what has.
    """
    workers = max(1, min(concurrency, MAX_CONNECTIONS))
    pending: deque[Future[T]] = deque()
    queue = iter(calls)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="woosync-woo")
    try:
        for call in itertools.islice(queue, workers):
            pending.append(pool.submit(call))
        while pending:
            oldest = pending.popleft()
            wait_for([oldest])
            following = next(queue, None)
            if following is not None:
                pending.append(pool.submit(following))
            yield oldest
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True)
