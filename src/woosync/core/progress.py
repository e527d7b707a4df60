"""Progress as the services report it, without knowing who shows it (or whether anyone does).

A long run (export, import) takes a :class:`Progress` and says which phase it is in and how far it
got; the CLI passes one that draws a labelled bar with counts, rate and ETA on a terminal
(``cli.render.Output.progress``), tests and ``woosync serve`` pass :data:`NO_PROGRESS` or their own.
A ``Progress`` is also callable as ``progress(n)`` (= ``advance(n)``), the older one-function form.

    def export_products(..., progress: Progress = NO_PROGRESS) -> ...:
        progress.phase(Phase.READING, total=None)     # the store's products, page by page
        progress.advance(len(page))
        progress.phase(Phase.SENDING, total=len(items))
        ...
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol, runtime_checkable


class Phase(StrEnum):
    """The phases of a run, each shown with its own label, count, rate and ETA."""

    READING = "reading the store's products"
    PLANNING = "planning"
    SENDING = "sending"
    RECORDING = "recording"


@runtime_checkable
class Progress(Protocol):
    def phase(self, phase: Phase | str, total: int | None = None) -> None:
        """A phase begins (the one before ends); ``total`` None while it is not known."""

    def set_total(self, total: int) -> None:
        """The current phase's total, once it is known."""

    def advance(self, count: int = 1) -> None:
        """``count`` more items of the current phase are done."""

    def __call__(self, count: int) -> None:
        """The same as :meth:`advance`."""


class NoProgress:
    """Progress that nobody watches."""

    def phase(self, phase: Phase | str, total: int | None = None) -> None:
        return None

    def set_total(self, total: int) -> None:
        return None

    def advance(self, count: int = 1) -> None:
        return None

    def __call__(self, count: int) -> None:
        return None


NO_PROGRESS: Progress = NoProgress()
