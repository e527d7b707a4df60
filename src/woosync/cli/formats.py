"""Output formats of every command that prints records, as wp-cli has them.

``--format table|json|csv|tsv|yaml|ids|count`` (``--json`` is ``--format json``), ``--limit N`` and
``--all``, declared once (:class:`ListOptions`, an option group) and printed once
(:func:`show_listing`):

- ``table``: on a terminal, a table that fits its width. Values are wrapped, never cut with an
  ellipsis; when even wrapped columns do not fit, columns are left out in the order their
  :attr:`Column.drop` says (highest first) and a note on stderr names them. On a pipe, plain rows:
  a header line and tab-separated values (wp-cli's table on a pipe), no box, nothing cut.
  Shows ``DEFAULT_LIMIT`` rows unless ``--limit``/``--all`` say otherwise, and says how many it
  left out.
- ``json``: the command's JSON (the spec's shapes), streamed a record at a time; ``yaml`` the same
  data as YAML. Every row unless ``--limit`` asks for fewer (then a note on stderr says how many
  more there are): a script is never handed a silently shortened list.
- ``csv`` / ``tsv``: a header of field names (the JSON's), then every row (``--limit`` applies),
  with machine values as the JSON has them: ``true``/``false``, an empty field for null, ISO 8601
  times, lists and objects as compact JSON (:func:`machine_text`); the table's words (``yes``,
  ``never``, ``-``) stay in the table. ``ids``: the ids separated by spaces; ``count``: the number
  of rows (all of them), which is the number of ids ``ids`` prints.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

import typer

from woosync.cli.context import AppContext, JsonFlag, app_context
from woosync.cli.render import tsv_field
from woosync.core.errors import ValidationError
from woosync.core.ids import SQLITE_MAX_INTEGER

if TYPE_CHECKING:
    from woosync.cli.render import Output

FORMATS = ("table", "json", "csv", "tsv", "yaml", "ids", "count")
DEFAULT_LIMIT = 100  # rows a table shows unless --limit or --all; every listing the same
MIN_COLUMN = 10  # a column narrower than this wraps too much to be read: it is left out first
FORMAT_HELP = "table, json, csv, tsv, yaml, ids or count (default: table; --json is --format json)."

Row = TypeVar("Row")


def _format(value: str | None) -> str | None:
    if value is None:
        return None
    chosen = value.strip().lower()
    if chosen not in FORMATS:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(FORMATS)}")
    return chosen


FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format", metavar="FORMAT", callback=_format, help=FORMAT_HELP, show_default=False
    ),
]
LimitOption = Annotated[
    int | None,
    typer.Option(
        "--limit",
        metavar="N",
        min=0,
        max=SQLITE_MAX_INTEGER,
        help=f"Show at most N rows (default: {DEFAULT_LIMIT} in a table, all in other formats; "
        "0: all).",
        show_default=False,
    ),
]
AllRowsOption = Annotated[bool, typer.Option("--all", help="Show every row, however many.")]


@dataclass(frozen=True)
class ListOptions:
    """The options of every listing: ``listing: ListOptions = ListOptions()``."""

    format: FormatOption = None
    limit: LimitOption = None
    all_rows: AllRowsOption = False
    json_flag: JsonFlag = False


@dataclass(frozen=True)
class ListFormat:
    """The format and row limit in force (``limit`` None: every row)."""

    name: str
    limit: int | None


def list_format(ctx: typer.Context, options: ListOptions) -> tuple[AppContext, ListFormat]:
    """The invocation's context and the listing format: ``--format`` wins, then ``--json`` (the
    command's or the global one, or the ``format`` setting), else ``table``. ``--format json``
    also makes errors JSON, like ``--json``."""
    if options.all_rows and options.limit is not None:
        raise ValidationError("give either --limit or --all, not both")
    state = app_context(ctx, options.json_flag)
    name = options.format or ("json" if state.json_mode else _setting())
    state.json_mode = name == "json"
    if options.all_rows:
        limit = None
    elif options.limit is not None:
        limit = options.limit or None  # --limit 0: every row, as --all
    else:
        limit = DEFAULT_LIMIT if name == "table" else None
    return state, ListFormat(name, limit)


def _setting() -> str:
    """The ``format`` setting (``woosync config set format csv``), else ``table``."""
    from woosync.core import settings
    from woosync.core.errors import WoosyncError

    try:
        chosen = str(settings.get("format"))
    except WoosyncError:  # a broken config file: `config` must still run to repair it
        return "table"
    return chosen if chosen in FORMATS else "table"


@dataclass(frozen=True)
class Column(Generic[Row]):
    """A column of a listing: its table header, its field name (csv/tsv), how to read its machine
    value (the JSON's: a bool, None, a number, text, a list), when a too-narrow terminal leaves it
    out (``drop``: higher first; 0 never), and, when the table says it in words (``never`` for
    None, an indented SKU), how the table reads it (``human``)."""

    header: str
    key: str
    value: Callable[[Row], object]
    drop: int = 0
    human: Callable[[Row], object] | None = None

    def text(self, row: Row) -> str:
        """The table's text of this column in ``row``."""
        return cell_text((self.human or self.value)(row))


@dataclass(frozen=True)
class Listing(Generic[Row]):
    """Rows to print (an iterable: read once, as they come) and how to print them."""

    columns: Sequence[Column[Row]]
    rows: Iterable[Row]
    json_of: Callable[[Row], Any]  # one row's JSON (the command's shape)
    id_of: Callable[[Row], object] | None = None  # for --format ids
    title: str | None = None
    empty: str = "Nothing to list."
    what: str = "rows"
    total: int | None = None  # when the rows are one page of more (the service counted them)


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        from woosync.core.timeutil import iso

        return str(iso(value))
    if isinstance(value, list | tuple):
        return ", ".join(cell_text(item) for item in value)
    return str(value)


def machine_text(value: object) -> str:
    """A value in csv/tsv as the JSON has it: ``true``/``false``, empty for null, a time in ISO
    8601, a list or an object as compact JSON, anything else as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        from woosync.core.timeutil import iso

        return str(iso(value))
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return str(value)


def show_listing(output: Output, chosen: ListFormat, listing: Listing[Row]) -> int:
    """Print ``listing`` in ``chosen``; return how many rows there were in all. Rows are written
    as they are read (only a terminal's table, which measures its columns, holds its rows)."""
    output.emitted = True
    if chosen.name == "count":
        every = listing.total if listing.total is not None else sum(1 for _ in listing.rows)
        output.write(f"{every}\n")
        return every
    counted = _Counted(listing.rows, chosen.limit)
    if chosen.name == "json":
        output.write_pieces(_json_array(counted, listing.json_of))
    elif chosen.name == "yaml":
        output.write_pieces(_yaml_list(counted, listing.json_of))
    elif chosen.name in ("csv", "tsv"):
        _separated(output, listing.columns, counted, chosen.name)
    elif chosen.name == "ids":
        ids = (cell_text((listing.id_of or listing.json_of)(row)) for row in counted)
        output.write_pieces(_spaced(ids))
    elif output.stdout_is_terminal:
        print_table(
            output, listing.columns, list(counted), title=listing.title, empty=listing.empty
        )
    else:
        _plain_rows(output, listing.columns, counted, listing.empty)
    count = counted.total() if listing.total is None else max(listing.total, counted.shown)
    if count > counted.shown:
        more = f"showing {counted.shown} of {count} {listing.what} (--all shows every one"
        if chosen.name == "table":
            output.note(f"{more}, --limit N the first N)")
        else:
            output.note(f"{more})")
    return count


class _Counted(Generic[Row]):
    """The first ``limit`` rows (iterate once), then :meth:`total` counts them all."""

    def __init__(self, rows: Iterable[Row], limit: int | None) -> None:
        self._rows = iter(rows)
        self._limit = limit
        self.shown = 0

    def __iter__(self) -> Iterator[Row]:
        for row in self._rows:
            self.shown += 1
            yield row
            if self._limit is not None and self.shown >= self._limit:
                return

    def total(self) -> int:
        return self.shown + sum(1 for _ in self._rows)


def _spaced(ids: Iterable[str]) -> Iterator[str]:
    first = True
    for text in ids:
        yield text if first else " " + text
        first = False
    if not first:
        yield "\n"


def _json_array(rows: Iterable[Row], json_of: Callable[[Row], Any]) -> Iterator[str]:
    empty = True
    for row in rows:
        text = json.dumps(json_of(row), indent=2, ensure_ascii=False, default=str)
        yield ("[\n" if empty else ",\n") + "  " + text.replace("\n", "\n  ")
        empty = False
    yield "[]\n" if empty else "\n]\n"


def _yaml_list(rows: Iterable[Row], json_of: Callable[[Row], Any]) -> Iterator[str]:
    empty = True
    for row in rows:
        yield yaml_text([json.loads(json.dumps(json_of(row), default=str))])
        empty = False
    if empty:
        yield "[]\n"


def yaml_text(data: Any) -> str:
    """``data`` (JSON-shaped) as block YAML, keys in their order, text as written."""
    import yaml

    return str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False))


def _separated(
    output: Output, columns: Sequence[Column[Row]], rows: Iterable[Row], name: str
) -> None:
    if name == "csv":
        writer = csv.writer(_Lines(output), lineterminator="\n")
        writer.writerow([column.key for column in columns])
        for row in rows:
            writer.writerow([machine_text(column.value(row)) for column in columns])
        output.flush()
        return

    def lines() -> Iterator[str]:
        yield "\t".join(column.key for column in columns) + "\n"
        for row in rows:
            yield "\t".join(tsv_field(machine_text(c.value(row))) for c in columns) + "\n"

    output.write_pieces(lines())


class _Lines:
    def __init__(self, output: Output) -> None:
        self.output = output

    def write(self, text: str) -> None:
        self.output.write(text, flush=False)


# tables -------------------------------------------------------------------------------------------
def print_table(
    output: Output,
    columns: Sequence[Column[Row]],
    rows: Sequence[Row],
    *,
    title: str | None = None,
    empty: str = "Nothing to list.",
) -> None:
    """Rows as a table that fits the terminal (see the module), or plain rows on a pipe."""
    if not rows:
        output.info(empty)
        return
    if not output.stdout_is_terminal:
        _plain_rows(output, columns, rows, empty)
        return
    cells = [[column.text(row) for column in columns] for row in rows]
    headers = [column.header for column in columns]
    kept = fitting_columns(columns, cells, output.out.width)
    left_out = [column.header for index, column in enumerate(columns) if index not in kept]
    output.out.print(
        output.table(
            [headers[index] for index in kept],
            [[line[index] for index in kept] for line in cells],
            title=title,
        )
    )
    if left_out:
        output.note(
            f"left out to fit {output.out.width} columns: {', '.join(left_out)} "
            "(a wider terminal, or --format csv, shows them)"
        )


def run_table(
    output: Output,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    title: str | None = None,
) -> None:
    """A run's table (export results, import conflicts ...): a table on a terminal; on a pipe,
    as a listing's: its title on a line, a header line and tab-separated values, nothing cut
    (both :meth:`Output.table`)."""
    cells = [[cell_text(value) for value in row] for row in rows]
    output.out.print(output.table(list(headers), cells, title=title))


def _plain_rows(
    output: Output, columns: Sequence[Column[Row]], rows: Iterable[Row], empty: str
) -> None:
    """A pipe's table (wp-cli's): a header line and tab-separated values, nothing cut; when
    there are no rows, nothing on stdout and ``empty`` on stderr."""
    written = False

    def lines() -> Iterator[str]:
        nonlocal written
        for row in rows:
            if not written:
                yield "\t".join(column.header for column in columns) + "\n"
                written = True
            yield "\t".join(tsv_field(column.text(row)) for column in columns) + "\n"

    output.write_pieces(lines())
    if not written:
        output.info(empty)


def fitting_columns(
    columns: Sequence[Column[Any]], cells: Sequence[Sequence[str]], width: int
) -> list[int]:
    """The indexes of the columns kept in ``width``: each needs its widest value or, when that is
    wider, at least ``MIN_COLUMN`` (or its header) and wraps; columns are left out by ``drop``,
    highest first, until the rest fit."""
    needs = []
    for index, column in enumerate(columns):
        widest = max((len(line[index]) for line in cells), default=0)
        needs.append(min(max(widest, len(column.header)), max(MIN_COLUMN, len(column.header))))
    kept = list(range(len(columns)))
    droppable = sorted(
        (index for index, column in enumerate(columns) if column.drop > 0),
        key=lambda index: (-columns[index].drop, -index),
    )
    while droppable and sum(needs[i] for i in kept) + 3 * len(kept) + 1 > width:
        kept.remove(droppable.pop(0))
    return kept
