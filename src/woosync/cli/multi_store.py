"""``--connection`` repeatable or ``all`` (``export``, ``import``, ``sync-status``): one run per store.

With one ``--connection`` (or none) a command prints exactly what it always printed. With several,
or ``all``, it prints one line per store (stdout; the products changed, or a dry run's plan lines, under it) and each store's problems (stderr, prefixed with
the store), ``--json`` the envelope of :func:`woosync.services.stores.envelope`, and exits with the
worst store's code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from woosync.cli.options import emit_result

if TYPE_CHECKING:
    from rich.console import Console

    from woosync.cli.render import Output
    from woosync.db.engine import Database
    from woosync.services.stores import StoreRun

Result = TypeVar("Result")

ConnectionsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--connection",
        "-c",
        help="Connection id, name or store URL (default: the default one); repeat it for several "
        "stores, "
        "or 'all' for every active one.",
    ),
]
ParallelStoresOption = Annotated[
    int,
    typer.Option(
        "--parallel-stores",
        metavar="N",
        min=1,
        max=8,
        help="With several stores: run N at a time (default 1: one after another).",
    ),
]


def single(refs: Sequence[str] | None) -> str | None:
    """The one connection asked for (None: the default), or None for several (see :func:`several`)."""
    return refs[0] if refs else None


def run_stores(
    db: Database,
    refs: Sequence[str] | None,
    job: Callable[[int], Result],
    *,
    failed: Callable[[Result], bool],
    parallel: int,
) -> list[StoreRun[Result]]:
    from woosync.services.stores import resolve_connections, run_per_store

    targets = resolve_connections(db, refs)
    return run_per_store(targets, job, failed=failed, parallel=parallel)


def render_stores(
    output: Output,
    runs: Sequence[StoreRun[Result]],
    line: Callable[[Result], str],
    problems: Callable[[Result], list[str]],
    warnings: Callable[[Result], list[str]] = lambda _result: [],
    shape: Callable[[Result], Any] = lambda result: result,
    details: Callable[[Result], Sequence[str]] = lambda _result: (),
) -> None:
    """Each store's warnings and problems on stderr (prefixed with the store), one line per store
    on stdout, followed by its ``details`` indented (``--json``: the envelope, each store's result made by ``shape``; its long lists
    may be spooled: :mod:`woosync.cli.json_stream`), then exit with the worst store's code."""
    from woosync.cli.flags import flag_of
    from woosync.cli.json_stream import emit
    from woosync.core.errors import spell_params
    from woosync.services.stores import envelope, worst_exit

    for run in runs:
        if run.error is not None:  # its parameters as this shell's flags (--fields)
            run.error.message = spell_params(run.error.message, flag_of)
            if run.error.hint:
                run.error.hint = spell_params(run.error.hint, flag_of)
    for run in runs:
        name = f"{run.target.store_name} (connection {run.target.connection_id})"
        if run.error is not None:
            hint = f" ({run.error.hint})" if run.error.hint else ""
            output.error(f"{name}: {run.error.message}{hint}")
        elif run.result is not None:
            for warning in warnings(run.result):
                output.warn(f"{name}: {warning}")
            for problem in problems(run.result):
                output.error(f"{name}: {problem}")

    def human(console: Console) -> None:
        for run in runs:
            name = f"{run.target.store_name} (connection {run.target.connection_id})"
            if run.result is not None:
                text = line(run.result)
            else:
                text = f"not run: {run.error.message if run.error else 'unknown'}"
            console.print(f"{name}: {text} [exit {run.exit_code}]", markup=False, highlight=False)
            for detail in details(run.result) if run.result is not None else ():
                console.print(f"  {detail}", markup=False, highlight=False, soft_wrap=True)

    if output.json_mode:
        emit(output, envelope(runs, shape))
    else:
        emit_result(output, envelope(runs, shape), human)
    code = worst_exit(runs)
    if code:
        raise typer.Exit(code)
