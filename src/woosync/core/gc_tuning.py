"""Fewer passes of the cycle collector during a bulk run (an import or an export), and while a
command starts.

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
# Start-up imports (Typer and Rich; SQLAlchemy, SQLModel and pydantic for most commands) allocate
# some 150,000 objects that live as long as the process: with the default threshold the collector
# ran about 200 times over them, one full pass included, about 0.05-0.07 s of CPU per command.
START_UP_THRESHOLD = 200_000


class _StartUp:
    """The thresholds before :func:`quiet_start_up`, while it holds, and whether its end freezes
    what start-up allocated."""

    saved: tuple[int, int, int] | None = None
    freeze: bool = False


def quiet_start_up(*, freeze: bool = False) -> None:
    """Run the young collection only every :data:`START_UP_THRESHOLD` allocations until
    :func:`end_start_up` (the ``woosync`` script, before it imports the CLI). Never undone, the
    collector still runs, only rarely: cycles are never kept without bound.

    ``freeze`` (the script only, never a library's caller): :func:`end_start_up` moves every object
    alive then (the modules, classes and tables imported, some 200,000 objects that live as long as
    the process) out of the collector's sight (``gc.freeze``), so that no later pass scans them
    again: the first pass after start-up went over all of them, about 0.035 s of CPU per command
    that opens the database. Garbage cycles made while starting are never freed then; they are
    made once, before any product is read, so they are bounded."""
    if _StartUp.saved is None:
        previous = gc.get_threshold()
        _StartUp.saved = (previous[0], previous[1], previous[2])
        _StartUp.freeze = freeze
        gc.set_threshold(max(START_UP_THRESHOLD, previous[0]), *previous[1:])


def end_start_up() -> None:
    """The thresholds from before :func:`quiet_start_up` again (the command opened the database,
    or a bulk run begins), what start-up allocated frozen when it was asked for; nothing when
    start-up is over already."""
    if _StartUp.saved is not None:
        if _StartUp.freeze:
            gc.freeze()
        gc.set_threshold(*_StartUp.saved)
        _StartUp.saved = None
        _StartUp.freeze = False


@contextmanager
def fewer_gc_passes(young: int = YOUNG_THRESHOLD) -> Iterator[None]:
    """Run the cycle collector's young collection every ``young`` allocations (never more often
    than it already runs) inside the block; the previous thresholds come back when the block ends,
    however it ends. Thresholds are process-wide: a thread running meanwhile shares them."""
    end_start_up()
    previous = gc.get_threshold()
    gc.set_threshold(max(young, previous[0]), *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)
