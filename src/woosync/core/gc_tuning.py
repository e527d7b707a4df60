"""Fewer passes of the cycle collector during a bulk run (an import or an export).

    with fewer_gc_passes():
        ...  # allocate millions of short-lived objects

A run over 10,000 products allocates millions of short-lived objects (rows, values, payloads, the
store's JSON answers) that reference counting frees. With CPython's default threshold (a young
collection every 700 net allocations) the cycle collector kept moving the live ones to the oldest
generation and then scanning the whole heap again and again: about a quarter of the client CPU of an
export, and 0.80 -> 0.66 s of an import's in-process CPU. Cycles are still collected, only in fewer
passes; rarer passes than every 20,000 allocations saved no more CPU and kept more garbage alive
(peak memory).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 20_000


@contextmanager
def fewer_gc_passes(young: int = YOUNG_THRESHOLD) -> Iterator[None]:
    """Run the cycle collector's young collection every ``young`` allocations (never more often
    than it already runs) inside the block; the previous thresholds come back when the block ends,
    however it ends. Thresholds are process-wide: a thread running meanwhile shares them."""
    previous = gc.get_threshold()
    gc.set_threshold(max(young, previous[0]), *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)
