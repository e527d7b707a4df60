"""Progress that tells the truth: a labelled line per phase with counts, rate and ETA on a
terminal; nothing on a pipe or with --quiet."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.progress import ProgressColumn

from woosync.cli.progress_bar import PhaseBar
from woosync.cli.render import Output
from woosync.core.progress import NO_PROGRESS, Phase, Progress


def test_each_phase_gets_its_label_count_and_total() -> None:
    console = Console(file=io.StringIO(), force_terminal=True, width=120)
    with PhaseBar(console, "Exporting products", None) as bar:
        assert isinstance(bar, Progress)
        bar.phase(Phase.READING)
        bar.advance(250)
        bar(50)  # the older one-function form
        bar.phase(Phase.SENDING, total=300)
        bar.advance(120)
        tasks = bar._progress.tasks
        rendered = [
            column.render(tasks[1])
            for column in bar._progress.columns[3:5]
            if isinstance(column, ProgressColumn)
        ]
    # the command's own label gives way to the first phase the service names
    assert [task.description for task in tasks] == ["Reading the store's products", "Sending"]
    # a finished phase keeps its count (its unknown total becomes what was done)
    assert (tasks[0].completed, tasks[0].total) == (300, 300)
    assert (tasks[1].completed, tasks[1].total) == (120, 300)
    assert str(rendered[0]) == "120/300"


def test_a_phase_met_again_resumes_its_line() -> None:
    console = Console(file=io.StringIO(), force_terminal=True, width=120)
    with PhaseBar(console, "Exporting products", None) as bar:
        for planned, sent in ((4, 3), (1, 2)):  # two chunks, each planned then sent
            bar.phase(Phase.PLANNING)
            bar.advance(planned)
            bar.phase(Phase.SENDING, total=sent)
            bar.advance(sent)
        tasks = bar._progress.tasks
    assert [(t.description, t.completed, t.total) for t in tasks] == [
        ("Planning", 5, 5),
        ("Sending", 5, 5),
    ]


def test_no_bar_on_a_pipe_with_quiet_or_json(monkeypatch: pytest.MonkeyPatch) -> None:
    for output in (Output(), Output(quiet=True), Output(json_mode=True)):
        with output.progress("Importing products") as progress:
            assert progress is NO_PROGRESS
            progress.phase(Phase.PLANNING, 3)
            progress(3)
    monkeypatch.setattr(Output, "interactive", property(lambda _self: True))
    with Output().progress("Importing products", 10) as progress:
        assert isinstance(progress, PhaseBar)
