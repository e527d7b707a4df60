"""The export's phases as a :class:`Progress` hears them (see :func:`run.export_products`)."""

from __future__ import annotations

from collections.abc import Callable

from woosync.core.progress import NO_PROGRESS, Phase, Progress

VARIATIONS = "sending variations"  # the export's phase after its products


class Phases:
    """The export's phases for a :class:`Progress` (a plain callable only hears the counts):
    planning counts the products finished without a write (unchanged, failed, left out),
    sending a chunk's writes (its total known), then the variations. Planning resumes at the
    next count after a chunk is sent, so no empty phase trails the last chunk."""

    def __init__(self, progress: Progress | Callable[[int], None] | None) -> None:
        self.counts = progress
        self.progress = progress if isinstance(progress, Progress) else NO_PROGRESS
        self.current: Phase | str | None = None

    def enter(self, phase: Phase | str, total: int | None = None) -> None:
        self.progress.phase(phase, total)
        self.current = phase

    def planning(self) -> None:
        if self.current is None:
            self.enter(Phase.PLANNING)

    def pause(self) -> None:
        self.current = None

    def __call__(self, count: int) -> None:
        self.planning()
        if self.counts is not None:
            self.counts(count)
