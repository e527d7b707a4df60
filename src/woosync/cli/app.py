"""The ``woosync`` command: global options, command groups, and the one place errors become exit codes.

Command modules are thin: parse options, call one service, render. Heavy libraries (SQLAlchemy,
httpx, keyring) are imported inside the code paths that need them so ``--help`` stays fast.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from woosync import __version__
from woosync.cli.command_tree import LazyCommands, builders, help_as_written
from woosync.cli.context import AppContext, JsonFlag, app_context
from woosync.cli.flags import flag_of
from woosync.core.errors import DatabaseError, WoosyncError
from woosync.core.exit_codes import ExitCode

LOG_LEVELS = ("debug", "info", "warning", "error")

# Click's UsageError (bad option, missing argument, unknown command), found through the public
# typer.BadParameter so that it does not matter whether Typer vendors Click or uses it.
_USAGE_ERROR: type[Exception] = next(
    cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "UsageError"
)


# The ``code`` of an error under --json: a stable name of its kind, by the first class in the
# exception's MRO found here (names, so that --help imports no HTTP client), else by exit code.
_ERROR_KINDS = {
    "WooAuthError": "store_unauthorized",
    "WooTransportError": "store_unreachable",
    "StoreError": "store_error",
    "LockedError": "locked",
    "SecretsError": "secrets_unavailable",
    "DatabaseError": "database_unusable",
    "NotFoundError": "not_found",
    "ConflictError": "conflict",
    "ValidationError": "usage",
}


def error_kind(exc: BaseException, exit_code: int) -> str:
    """``not_found``, ``usage``, ``conflict``, ... for ``exc`` (see the README's exit codes)."""
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    if not isinstance(exc, WoosyncError):
        return "usage" if isinstance(exc, _USAGE_ERROR) else "internal_error"
    for cls in type(exc).__mro__:
        if cls.__name__ in _ERROR_KINDS:
            return _ERROR_KINDS[cls.__name__]
    try:
        return ExitCode(exit_code).name.lower()
    except ValueError:
        return "failed"


def _json_requested(options: list[str]) -> bool:
    """``--json``, ``--format json`` or ``--format=json`` among the options."""
    if "--json" in options or "--format=json" in options:
        return True
    return any(
        option == "--format" and following.lower() == "json"
        for option, following in itertools.pairwise(options)
    )


class WoosyncGroup(TyperGroup):
    """Turns every :class:`WoosyncError` and usage error into one line on stderr and its exit code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        help_as_written(self)
        self.commands = LazyCommands(self.commands, builders(app))

    def make_context(self, info_name: str | None, args: list[str], *a: Any, **kw: Any) -> Any:
        # A usage error can come before a command's own --json is parsed: remember it was given.
        options = args[: args.index("--")] if "--" in args else args
        self.json_requested = _json_requested(options)
        try:
            return super().make_context(info_name, args, *a, **kw)
        except _USAGE_ERROR as exc:  # an unknown or bad global option
            _usage_fail(exc, self.json_requested)

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            result = super().invoke(ctx)
            _note_missing_database(ctx)
            return result
        except _USAGE_ERROR as exc:  # parsing a sub-command's options and arguments
            _usage_fail(exc, getattr(self, "json_requested", False))
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except WoosyncError as exc:
            _fail(ctx, exc.render(flag_of), exc.exit_code, exc)
        except KeyboardInterrupt as exc:
            _fail(ctx, "interrupted", ExitCode.INTERRUPTED, exc)
        except BrokenPipeError:
            _reader_gone()
        except Exception as exc:
            if isinstance(exc, OverflowError) and "SQLite INTEGER" in str(exc):
                # a number past SQLite's integers that no option check caught: a typing mistake
                _fail(ctx, f"a number is too large (ids go up to {2**63 - 1})", ExitCode.USAGE, exc)
            problem = _database_problem(ctx, exc)
            if problem is not None:
                unusable = DatabaseError(problem)  # its --json code: database_unusable
                unusable.__cause__ = exc
                _fail(ctx, problem, ExitCode.DATABASE, unusable)
            # a bug: say so briefly, the traceback is behind --debug
            _fail(ctx, f"internal error: {type(exc).__name__}: {exc}", ExitCode.FAILURE, exc)
        finally:
            if isinstance(ctx.obj, AppContext):
                ctx.obj.close()


def _reader_gone() -> None:
    """stdout's reader went away (``woosync products list | head -1``): stop quietly, as a
    pipe's writer does, with exit code 1 (the output was cut), never an internal error. Python
    flushes stdout again on exit: point it at /dev/null so that flush has nowhere to fail."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    raise typer.Exit(ExitCode.FAILURE)


def _note_missing_database(ctx: typer.Context) -> None:
    """A read command that found no database says so on stderr, after its (empty) result; a failed
    one prints only its error line."""
    state = ctx.obj if isinstance(ctx.obj, AppContext) else None
    if state is not None and state.missing_database is not None:
        state.output.info(
            f"note: there is no database at {state.missing_database} yet "
            "(the first command that adds something creates it)"
        )


def _database_problem(ctx: typer.Context, exc: BaseException) -> str | None:
    """``the database X cannot be used: attempt to write a readonly database`` when SQLite itself
    refused (read-only file or folder, a corrupt page found mid-run, a full disk), else None.

    Constraint violations are not the database's fault and stay internal errors.
    """
    import sqlite3

    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, sqlite3.Error):
        cause = getattr(cause, "orig", None) or cause.__cause__
    if type(cause) not in (sqlite3.OperationalError, sqlite3.DatabaseError):
        return None
    state = ctx.obj if isinstance(ctx.obj, AppContext) else None
    where = f" {state.database_path()}" if state is not None else ""
    return f"the database{where} cannot be used: {cause}"


def _usage_fail(exc: Exception, json_requested: bool = False) -> None:
    """Click's usage message, box and all, as one line: ``error: <problem> (try '... -h' ...)``."""
    if type(exc).__name__ == "NoArgsIsHelpError":  # a group run without a command: its help
        raise exc
    context: Any = getattr(exc, "ctx", None)
    format_message = getattr(exc, "format_message", None)
    message = " ".join((format_message() if format_message else str(exc)).split())
    message += _argument_hint(exc, context)
    if context is not None and context.help_option_names:
        message += f" (try '{context.command_path} {context.help_option_names[0]}' for help)"
    root = context.find_root().obj if context is not None else None
    state = root if isinstance(root, AppContext) else AppContext()
    if json_requested:
        state.json_mode = True
    code = int(getattr(exc, "exit_code", ExitCode.USAGE))
    state.output.failure(message, code=error_kind(exc, code), exit_code=code)
    raise typer.Exit(code)


def _argument_hint(exc: Exception, context: Any) -> str:
    """``--connection 1`` given to a command that takes the connection as its argument (``export
    --connection 1`` runs on one; ``export-mapping create 1`` manages its mappings): say how."""
    option = getattr(exc, "option_name", None)
    if type(exc).__name__ != "NoSuchOption" or option not in ("--connection", "-c"):
        return ""
    params = getattr(getattr(context, "command", None), "params", None) or []
    if any(p.name == "connection" and p.param_type_name == "argument" for p in params):
        return f"; the connection is an argument here: {context.command_path} CONNECTION ..."
    return ""


def _fail(ctx: typer.Context, message: str, code: int, exc: BaseException) -> None:
    state = ctx.obj if isinstance(ctx.obj, AppContext) else AppContext()
    if getattr(ctx.command, "json_requested", False):
        state.json_mode = True
    from woosync.core.logging import scrub

    if state.debug:  # scrubbed: an exception in the chain may quote a secret it was handed
        import traceback

        sys.stderr.write(scrub("".join(traceback.format_exception(exc))))

    text = scrub(message)
    if not state.debug and not isinstance(exc, WoosyncError):
        text += " (run with --debug for details)"
    state.output.failure(text, code=error_kind(exc, code), exit_code=int(code))
    ctx.exit(int(code))


app = typer.Typer(
    cls=WoosyncGroup,
    name="woosync",
    help="Run several WooCommerce stores from one local product catalog.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"woosync {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option("--db", help="SQLite database file (env: WOOSYNC_DB).", show_default=False),
    ] = None,
    json_mode: Annotated[bool, typer.Option("--json", help="Print results as JSON.")] = False,
    log_level: Annotated[
        str | None,
        typer.Option(
            "--log-level", metavar="LEVEL", help="debug, info, warning or error (env: LOG_LEVEL)."
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = None,
) -> None:
    level = (log_level or os.environ.get("LOG_LEVEL") or "warning").lower()
    if level not in LOG_LEVELS:
        raise typer.BadParameter(f"use one of {', '.join(LOG_LEVELS)}", param_hint="--log-level")
    ctx.obj = AppContext(db_path=db, json_mode=json_mode, debug=debug, log_level=level)
    from woosync.core.logging import configure_logging

    configure_logging(level)
    _apply_settings(ctx)


# The commands whose --concurrency default is the ``concurrency`` setting.
CONCURRENCY_COMMANDS = ("export", "import")


def _apply_settings(ctx: typer.Context) -> None:
    """The settings the CLI applies itself (``woosync config``): the output format, and option
    defaults through Click's ``default_map`` (an option given on the command line still wins).
    A broken setting does not stop ``config`` itself, so it can always be repaired."""
    from woosync.core import settings

    if ctx.invoked_subcommand == "config":
        with contextlib.suppress(WoosyncError):
            ctx.obj.json_mode = ctx.obj.json_mode or settings.get("format") == "json"
        return
    if settings.get("format") == "json":
        ctx.obj.json_mode = True
    concurrency = settings.value("concurrency")
    if concurrency.source != "default":
        ctx.default_map = {
            name: {"concurrency": concurrency.value} for name in CONCURRENCY_COMMANDS
        }


@app.command("path")
def path_command(ctx: typer.Context, json_flag: JsonFlag = False) -> None:
    """Print the path of the database woosync uses."""
    from woosync.core.paths import default_db_path

    state = app_context(ctx, json_flag)
    path = str(state.db_path or default_db_path())
    state.output.emit({"path": path}, human=lambda console: console.print(path, highlight=False))


def main() -> None:
    """The ``woosync`` script: run the command, then end the process (cli/process_exit.py)."""
    from woosync.cli.process_exit import exit_code_of, leave

    try:
        app(prog_name="woosync")
    except SystemExit as stop:
        leave(exit_code_of(stop))
    leave(0)
