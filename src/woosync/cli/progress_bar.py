"""The terminal's progress bar: one line per phase of a run, with its label, done/total, rate and
ETA (``cli.render.Output.progress`` hands it to the services as a ``core.progress.Progress``)."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from woosync.core.progress import Phase


class RateColumn(ProgressColumn):
    """Items per second (``120/s``), blank until there is a rate."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f}/s")


class CountColumn(ProgressColumn):
    """``done/total``, or just ``done`` while the total is unknown."""

    def __init__(self) -> None:
        super().__init__()
        self._both = MofNCompleteColumn()

    def render(self, task: Task) -> Text:
        if task.total is None:
            return Text(f"{int(task.completed):,}")
        return self._both.render(task)


class PhaseBar:
    """Implements ``core.progress.Progress`` with Rich: each phase gets its own line, finished
    phases stay visible (with their final count) until the run ends."""

    def __init__(self, console: Console, description: str, total: int | None) -> None:
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            CountColumn(),
            RateColumn(),
            TimeRemainingColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task: TaskID | None = None
        self._first = (description, total)

    def __enter__(self) -> PhaseBar:
        self._progress.__enter__()
        self.phase(*self._first)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._progress.__exit__(kind, error, trace)

    def phase(self, phase: Phase | str, total: int | None = None) -> None:
        if self._task is not None:
            task = next(t for t in self._progress.tasks if t.id == self._task)
            if not task.completed and self._progress.tasks == [task]:
                self._progress.remove_task(self._task)  # the command's label, before any phase
            elif task.total is None:
                self._progress.update(self._task, total=task.completed)
            if task.id in self._progress.task_ids:
                self._progress.stop_task(self._task)
        label = str(phase)
        label = label[:1].upper() + label[1:]
        again = next((t for t in self._progress.tasks if t.description == label), None)
        if again is None:
            self._task = self._progress.add_task(label, total=total)
            return
        # a phase met again (an export plans and sends chunk after chunk): its line resumes, its
        # known total grows by this round's
        grown = None if total is None or again.total is None else again.total + total
        if total is not None and again.total is None:
            grown = int(again.completed) + total
        again.total = grown  # Progress.update cannot set an unknown (None) total
        again.stop_time = None
        self._task = again.id

    def set_total(self, total: int) -> None:
        if self._task is not None:
            self._progress.update(self._task, total=total)

    def advance(self, count: int = 1) -> None:
        if self._task is not None and count:
            self._progress.advance(self._task, count)

    def __call__(self, count: int) -> None:
        self.advance(count)
