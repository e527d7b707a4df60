"""The one object that writes to the terminal. Results go to stdout, everything else to stderr.

Commands hand it data: ``emit(data, human=...)`` prints ``data`` as JSON under ``--json`` and calls
``human(console)`` otherwise. Tables and progress bars appear only where they make sense.

Text is printed as given: the consoles read no Rich markup unless a call asks for it, and messages
and table cells are plain text, so a SKU or store name such as ``[/b]`` is shown as written instead
of being taken for a style tag (which Rich would reject with an exception).
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from typing import IO, TYPE_CHECKING, Any, cast

from woosync.core.logging import ScrubbingStream, scrub_quoted
from woosync.core.progress import NO_PROGRESS, Progress

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType
    from rich.segment import Segment

_BLOCK = 65536  # characters gathered before a write (write_pieces)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_EMOJI_CODE = re.compile(r":\S*:")  # what Rich could take for an emoji code (``:smile:``)


def _not_a_terminal(stream: Any) -> bool:
    """Whether Rich would surely find ``stream`` no terminal (``Console.is_terminal``: the
    ``TTY_COMPATIBLE`` and ``FORCE_COLOR`` variables first, then ``isatty``). False when unsure:
    the caller then asks Rich."""
    compatible = os.environ.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "0"
    force = os.environ.get("FORCE_COLOR")
    if force is not None:
        return force == ""
    isatty = getattr(stream, "isatty", None)
    try:
        return isatty is not None and not isatty()
    except ValueError:
        return False


def tsv_field(text: str) -> str:
    """A value on one line of one field: tabs, newlines and backslashes escaped."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def visible(text: str) -> str:
    """``text`` with control characters shown escaped (``\\x1b``), never sent to the terminal:
    a store's value with an escape sequence must not recolour or rewrite the screen."""
    if text.isprintable():
        return text
    return _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", text)


class _PlainRows:
    """Text printed exactly as given: no tab expanded, no line wrapped (a Rich ``Text`` does both)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        from rich.segment import Segment

        yield Segment(self.text + "\n")


class Output:
    def __init__(self, *, json_mode: bool = False, quiet: bool = False) -> None:
        self.json_mode = json_mode
        self.quiet = quiet
        self.emitted = False  # a result went to stdout (under --json: its one JSON document)
        # every byte printed passes the redactor: a store's text may quote a key in any form
        self.stdout = cast("IO[str]", ScrubbingStream(lambda: sys.stdout))
        self.stderr = cast("IO[str]", ScrubbingStream(lambda: sys.stderr))

    # the Rich consoles, made (and Rich imported) when first needed: a command whose output is
    # plain lines on a pipe (an unchanged export's summary) never loads Rich
    @cached_property
    def out(self) -> Console:
        from rich.console import Console

        return Console(file=self.stdout, soft_wrap=True, markup=False)

    @cached_property
    def err(self) -> Console:
        from rich.console import Console

        return Console(file=self.stderr, soft_wrap=True, markup=False)

    # results (stdout) -------------------------------------------------------------------------
    def emit(self, data: Any, human: Callable[[Console], None] | None = None) -> None:
        """Print a command's result: JSON under ``--json``, else ``human`` (or JSON if none)."""
        self.emitted = True
        if self.json_mode or human is None:
            text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
            sys.stdout.write(scrub_quoted(text) + "\n")
            sys.stdout.flush()
        else:
            human(self.out)

    def emit_line(self, data: Any, text: str) -> None:
        """``emit`` for a result whose human form is one line, ``text``."""
        if self.json_mode:
            self.emit(data)
        else:
            self.emitted = True
            self.line(text)

    def line(self, text: str) -> None:
        """``text`` on a line of stdout, as ``out.print(text, highlight=False)`` prints it: written
        plainly when stdout is no terminal and Rich would print the text unchanged (printable, no
        ``:emoji:`` code), so Rich is not loaded for it."""
        if (
            "out" not in self.__dict__
            and text.isprintable()
            and _EMOJI_CODE.search(text) is None
            and _not_a_terminal(self.stdout)
        ):
            self.stdout.write(text + "\n")
            self.stdout.flush()
        else:
            self.out.print(text, highlight=False)

    def write(self, text: str, *, flush: bool = True) -> None:
        """Plain text on stdout, as given (redacted, control characters shown escaped)."""
        self.emitted = True
        self.stdout.write(visible(text))
        if flush:
            self.stdout.flush()

    def flush(self) -> None:
        self.stdout.flush()

    def write_pieces(self, pieces: Iterable[str]) -> None:
        """A result written a piece at a time (a streamed JSON document, say)."""
        self.emitted = True
        block: list[str] = []
        size = 0
        try:
            for piece in pieces:  # written in blocks of about 64 KB: a write per piece costs more
                block.append(piece)
                size += len(piece)
                if size >= _BLOCK:
                    self.stdout.write(visible("".join(block)))
                    block, size = [], 0
        finally:  # what came before a failure is out, as if written piece by piece
            self.stdout.write(visible("".join(block)))
            self.stdout.flush()

    @property
    def stdout_is_terminal(self) -> bool:
        """Whether results go to a terminal (tables fit it) rather than a pipe (plain rows)."""
        return self.out.is_terminal

    def table(
        self,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        title: str | None = None,
        fold: bool = True,
    ) -> RenderableType:
        """On a terminal, a Rich table whose values wrap to their column, never cut with an
        ellipsis (unless ``fold`` is false). On a pipe, plain rows as a listing's (wp-cli's): the
        title on a line, a header line and tab-separated values, nothing wrapped or cut."""
        cells = [
            [visible(scrub_quoted("" if cell is None else str(cell))) for cell in row]
            for row in rows
        ]
        from rich.table import Table
        from rich.text import Text

        if not self.stdout_is_terminal:
            lines = [title] if title else []
            lines += [
                "\t".join(tsv_field(cell) for cell in line) for line in [list(columns), *cells]
            ]
            return _PlainRows("\n".join(lines))
        table = Table(
            title=None if title is None else Text(title), show_lines=False, header_style="bold"
        )
        for column in columns:
            table.add_column(Text(column), overflow="fold" if fold else "ellipsis")
        for line in cells:
            table.add_row(*(Text(cell) for cell in line))
        return table

    # messages (stderr) ------------------------------------------------------------------------
    def note(self, message: str) -> None:
        """A remark about a result (rows left out, ...): stderr, not with ``--quiet``."""
        self.info(f"note: {message}")

    def info(self, message: str) -> None:
        if not self.quiet:
            self.err.print(visible(message), highlight=False, markup=False)

    def success(self, message: str) -> None:
        from rich.markup import escape

        if not self.quiet:
            self.err.print(
                f"[green]✓[/green] {escape(visible(message))}", highlight=False, markup=True
            )

    def warn(self, message: str) -> None:
        from rich.markup import escape

        self.err.print(
            f"[yellow]warning:[/yellow] {escape(visible(message))}", highlight=False, markup=True
        )

    def error(self, message: str) -> None:
        from rich.markup import escape

        self.err.print(
            f"[red]error:[/red] {escape(visible(message))}", highlight=False, markup=True
        )

    def failure(self, message: str, *, code: str, exit_code: int) -> None:
        """A command's failure: the line on stderr and, under ``--json``, the error on stdout too
        (``{"error": {"code", "message", "exitCode"}}``) so a script reads one shape either way.
        Not when the command already printed its result (which then says what failed): stdout
        stays one JSON document."""
        self.error(message)
        if self.json_mode and not self.emitted:
            error = {"code": code, "message": message, "exitCode": exit_code}
            text = json.dumps({"error": error}, ensure_ascii=False)
            sys.stdout.write(scrub_quoted(text) + "\n")
            sys.stdout.flush()

    # progress ---------------------------------------------------------------------------------
    @property
    def interactive(self) -> bool:
        if self.json_mode or self.quiet:
            return False
        if "err" not in self.__dict__ and _not_a_terminal(self.stderr):
            return False  # what Rich would say, without loading it
        return self.err.is_terminal

    @contextmanager
    def progress(self, description: str, total: int | None = None) -> Iterator[Progress]:
        """A :class:`~woosync.core.progress.Progress` for a run's services: on a terminal a bar
        per phase, labelled, with done/total, rate and ETA (a spinner and the count while the
        total is unknown); nothing on a pipe, under ``--json`` or with ``--quiet``.
        ``description`` labels the first phase (until the service names one)."""
        if not self.interactive:
            yield NO_PROGRESS
            return
        from woosync.cli.progress_bar import PhaseBar

        with PhaseBar(self.err, description, total) as bar:
            yield bar
