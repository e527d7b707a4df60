"""The export's phases as a :class:`Progress` hears them (see :func:`run.export_products`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
        self._held: list[tuple[Callable[..., None], tuple[Any, ...]]] | None = None

    def hold(self) -> None:
        """Keep what is heard from now on (the next chunk is planned while the last writes are
        in flight) until :meth:`resume`; :meth:`replay` tells it after the sending phase."""
        self._held = []

    def resume(self) -> list[tuple[Callable[..., None], tuple[Any, ...]]]:
        """Stop keeping; what was kept (for :meth:`replay`)."""
        held, self._held = self._held or [], None
        return held

    def replay(self, held: list[tuple[Callable[..., None], tuple[Any, ...]]]) -> None:
        for call, args in held:
            call(*args)

    def _kept(self, call: Callable[..., None], *args: Any) -> bool:
        if self._held is None:
            return False
        self._held.append((call, args))
        return True

    def start(self, chosen: int) -> None:
        """``chosen`` products will be planned (counted before the first chunk is read)."""
        self.total = chosen

    def enter(self, phase: Phase | str, total: int | None = None) -> None:
        if self._kept(self.enter, phase, total):
            return
        self.progress.phase(phase, total)
        self.current = phase

    def planning(self) -> None:
        if self._kept(self.planning):
            return
        if self.current is None:
            # met again after a chunk is sent: the total was given the first time
            self.enter(Phase.PLANNING, self.total)
            self.total = None if self.total is None else 0

    def planned(self, count: int) -> None:
        """``count`` products planned to be written: planning has done with them (they count as
        finished once sent)."""
        if self._kept(self.planned, count):
            return
        self.planning()
        if count:
            self.progress.advance(count)

    def pause(self) -> None:
        if self._kept(self.pause):
            return
        self.current = None

    def __call__(self, count: int) -> None:
        """``count`` more products finished (in planning: left out, unchanged or failed)."""
        if self._kept(self.__call__, count):
            return
        self.planning()
        if self.counts is not None:
            self.counts(count)
