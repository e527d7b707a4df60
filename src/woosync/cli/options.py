"""What the run commands share (``export``, ``update``, ``delete``, ``import``, ``sync-status``).

Options: ``--connection``, ``--product``, and :class:`RunOptions`, the group every run command ends
with (``--wait``, ``--quiet``, ``--log-file``, ``--json``; spread into the command's options by
:func:`~woosync.cli.option_groups.with_option_groups`, applied by :func:`start_run`).
Parsing: id and name lists. Rendering: failure lines on stderr, tables capped at a number of rows,
a result that ``--quiet`` keeps off the terminal, and exit code 1 when something failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from woosync.cli.context import AppContext, JsonFlag, app_context
from woosync.core.errors import ValidationError, WoosyncError
from woosync.core.exit_codes import ExitCode
from woosync.core.ids import SQLITE_MAX_INTEGER, id_from_text

if TYPE_CHECKING:
    from rich.console import Console

    from woosync.cli.render import Output
    from woosync.db.engine import Database


def _not_negative_wait(value: float) -> float:
    if value < 0:
        raise ValidationError("--wait must not be negative", hint="e.g. --wait 300")
    return value


ConnectionOption = Annotated[
    str | None,
    typer.Option(
        "--connection", "-c", help="Connection id, name or store URL (default: the default one)."
    ),
]
WaitOption = Annotated[
    float,
    typer.Option(
        "--wait",
        metavar="SECONDS",
        callback=_not_negative_wait,
        help="If another run holds this store, wait up to SECONDS (else exit 6 at once).",
    ),
]
ProductOption = Annotated[
    int | None,
    typer.Option(
        "--product",
        "-p",
        metavar="ID",
        min=1,
        max=SQLITE_MAX_INTEGER,
        help="Local product id (or give --sku).",
        show_default=False,
    ),
]
OneSkuOption = Annotated[
    str | None,
    typer.Option(
        "--sku", metavar="SKU", help="The product's SKU, instead of --product.", show_default=False
    ),
]
ProductIdsOption = Annotated[
    str | None,
    typer.Option(
        "--product",
        "-p",
        metavar="IDS",
        help="Local product ids, separated by commas.",
        show_default=False,
    ),
]
SkuOption = Annotated[
    str | None,
    typer.Option(
        "--sku",
        metavar="SKUS",
        help="Products by SKU, separated by commas (case-insensitive).",
        show_default=False,
    ),
]
# Old spellings that still work but are left out of --help (one vocabulary: --product, --woo-id).
ProductsAliasOption = Annotated[
    str | None, typer.Option("--products", metavar="IDS", hidden=True, show_default=False)
]
WooIdsAliasOption = Annotated[
    str | None, typer.Option("--woo-ids", metavar="IDS", hidden=True, show_default=False)
]


def one_spelling(value: str | None, alias_value: str | None, flag: str, alias: str) -> str | None:
    """The value of ``flag`` given under either of its spellings (``--product`` or ``--products``);
    both at once is a usage error, as the one option would have kept only the last."""
    if value is not None and alias_value is not None:
        raise ValidationError(
            f"{alias} is another spelling of {flag}: give {flag} once",
            hint=f"e.g. {flag} 101,102",
        )
    return value if value is not None else alias_value


WooIdOption = Annotated[
    int | None,
    typer.Option(
        "--woo-id",
        metavar="ID",
        min=1,
        max=SQLITE_MAX_INTEGER,
        help="The product's id in the store.",
        show_default=False,
    ),
]
QuietOption = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        help="Print only what went wrong, on stderr: no progress, no table (for cron).",
    ),
]
LogFileOption = Annotated[
    Path | None,
    typer.Option("--log-file", metavar="PATH", help="Append the run's log lines to PATH."),
]


@dataclass(frozen=True)
class RunOptions:
    """The options every run command ends with: ``run: RunOptions = RunOptions()``."""

    wait: WaitOption = 0.0
    quiet: QuietOption = False
    log_file: LogFileOption = None
    json_flag: JsonFlag = False


# set-up -------------------------------------------------------------------------------------------
def start_run(ctx: typer.Context, run: RunOptions) -> AppContext:
    """The invocation's context with ``--json`` and ``--quiet`` applied, logging set up."""
    state = app_context(ctx, run.json_flag)
    if run.quiet:
        state.quiet = True
        state.output.quiet = True
    configure_run_logging(state.log_level, run.log_file, quiet=state.quiet)
    return state


def configure_run_logging(level: str, log_file: Path | None, *, quiet: bool = False) -> None:
    """Logs to stderr at ``level`` (at least ERROR when ``quiet``); ``log_file`` also gets INFO."""
    from woosync.core.logging import configure_logging

    requested = getattr(logging, level.upper())
    on_stderr = max(requested, logging.ERROR) if quiet else requested
    in_file = min(requested, logging.INFO)
    lowest = min(on_stderr, in_file) if log_file is not None else on_stderr
    try:
        configure_logging(logging.getLevelName(lowest).lower(), str(log_file) if log_file else None)
    except OSError as exc:
        raise ValidationError(
            f"--log-file {log_file}: {exc.strerror or exc}",
            hint="give a file in a folder that exists and that you can write to",
        ) from None
    for handler in logging.getLogger("woosync").handlers:
        handler.setLevel(in_file if isinstance(handler, logging.FileHandler) else on_stderr)


@contextmanager
def failure_logged(logger_name: str, what: str) -> Iterator[None]:
    """A run that fails (locked, store down, no secret ...) says so in ``--log-file`` too.

    The error reaches stderr once, through the CLI's error handler; here it goes to the log files
    only, so a cron job's log shows why a run did nothing, not just the runs that worked.
    """
    try:
        yield
    except WoosyncError as exc:
        _to_log_files(logger_name, f"{what} failed: {exc}")
        raise
    except KeyboardInterrupt:
        _to_log_files(logger_name, f"{what} interrupted")
        raise


def _to_log_files(logger_name: str, message: str) -> None:
    logger = logging.getLogger(logger_name)
    record = logger.makeRecord(logger_name, logging.ERROR, __file__, 0, message, (), None)
    for handler in logging.getLogger("woosync").handlers:
        if isinstance(handler, logging.FileHandler):
            handler.handle(record)  # its filters redact, as for every other line


# parsing ------------------------------------------------------------------------------------------
def one_product(db: Database, product: int | None, sku: str | None) -> int:
    """The local product chosen by ``--product ID`` or ``--sku SKU`` (exactly one of them)."""
    if (product is None) == (sku is None):
        raise ValidationError(
            "give the product: --product ID or --sku SKU", hint="e.g. --product 101 or --sku MUG-1"
        )
    if product is not None:
        return product
    from woosync.services.catalog.lookup import get_product_by_sku

    with db.session() as session:
        return int(get_product_by_sku(session, str(sku).strip()).id or 0)


def parse_ids(text: str | None, option: str, *, noun: str, example: str) -> list[int] | None:
    """``"101, 102"`` -> ``[101, 102]``; ``None`` when the option was not given."""
    if text is None:
        return None
    ids: list[int] = []
    for part in text.replace(" ", ",").split(","):
        if not part:
            continue
        number = id_from_text(part)
        if number is None:
            raise ValidationError(
                f"{option}: {part!r} is not a {noun}",
                hint=f"give ids from 1 to {SQLITE_MAX_INTEGER} separated by commas, "
                f"e.g. {option} {example}",
            )
        ids.append(number)
    if not ids:
        raise ValidationError(f"{option} is empty", hint=f"e.g. {option} {example}")
    return ids


def parse_names(text: str | None, option: str) -> list[str] | None:
    """``"A-1, B-2"`` -> ``["A-1", "B-2"]``; ``None`` when the option was not given."""
    if text is None:
        return None
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise ValidationError(f"{option} is empty", hint=f"e.g. {option} A,B")
    return names


# rendering ----------------------------------------------------------------------------------------
def report_failures(output: Output, messages: Sequence[str], limit: int) -> None:
    """One ``error:`` line on stderr per failure, at most ``limit`` of them."""
    for message in messages[:limit]:
        output.error(message)
    if len(messages) > limit:
        output.error(f"... and {len(messages) - limit} more failed (see --json)")


def print_capped_table(
    console: Console,
    output: Output,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    limit: int,
    what: str = "",
    title: str | None = None,
) -> None:
    """A table of the first ``limit`` rows (none when empty) and a line counting the rest."""
    if rows:
        console.print(output.table(columns, rows[:limit], title=title))
    if len(rows) > limit:
        console.print(f"... and {len(rows) - limit} more{' ' + what if what else ''} (see --json)")


def emit_result(output: Output, result: Any, human: Callable[[Console], None]) -> None:
    """``output.emit``, except that ``--quiet`` prints no human result (``--json`` still does)."""
    if output.quiet and not output.json_mode:
        return
    output.emit(result, human=human)


def emit_line_result(output: Output, result: Any, text: str) -> None:
    """``emit_result`` for a result whose human form is the one line ``text``."""
    if output.quiet and not output.json_mode:
        return
    output.emit_line(result, text)


def exit_if_failed(failed: object) -> None:
    """Exit code 1 when ``failed`` is true (a count, or a flag) after the result was printed."""
    if failed:
        raise typer.Exit(int(ExitCode.FAILURE))
