"""The export's phases as a :class:`Progress` hears them (see :func:`run.export_products`)."""

from __future__ import annotations

from collections.abc import Callable

from woosync.core.progress import NO_PROGRESS, Phase, Progress

VARIATIONS = "sending variations"  # the export's phase after its products


class Phases:
    """The export's phases for a :class:`Progress` (a plain callable only hears the products
    finished): planning counts every product chosen once its plan is known (left out, unchanged,
    failed, or to be written), its total the number chosen (:meth:`start`); sending counts a
    chunk's writes as they are answered (its total known), then the variations. Planning resumes
    at the next count after a chunk is sent, so no empty phase trails the last chunk."""

    def __init__(self, progress: Progress | Callable[[int], None] | None) -> None:
        self.counts = progress
        self.progress = progress if isinstance(progress, Progress) else NO_PROGRESS
        self.current: Phase | str | None = None
        self.total: int | None = None  # planning's, until it is first entered

    def start(self, chosen: int) -> None:
        """``chosen`` products will be planned (counted before the first chunk is read)."""
        self.total = chosen

    def enter(self, phase: Phase | str, total: int | None = None) -> None:
        self.progress.phase(phase, total)
        self.current = phase

    def planning(self) -> None:
        if self.current is None:
            # met again after a chunk is sent: the total was given the first time
            self.enter(Phase.PLANNING, self.total)
            self.total = None if self.total is None else 0

    def planned(self, count: int) -> None:
        """``count`` products planned to be written: planning has done with them (they count as
        finished once sent)."""
        self.planning()
        if count:
            self.progress.advance(count)

    def pause(self) -> None:
        self.current = None

    def __call__(self, count: int) -> None:
        """``count`` more products finished (in planning: left out, unchanged or failed)."""
        self.planning()
        if self.counts is not None:
            self.counts(count)
