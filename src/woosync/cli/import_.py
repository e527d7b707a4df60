"""``woosync import``: pull products from a store into the local catalog; cron-ready.

Never prompts without a terminal (secrets then come from the environment or the keyring), holds the
store's run lock (``--wait SECONDS`` queues behind another run, else exit code 6), and ``--quiet`` /
``--log-file`` keep a cron job's mail and log short.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from woosync.cli.context import JsonFlag, app_context
from woosync.core.errors import ValidationError
from woosync.core.exit_codes import ExitCode

if TYPE_CHECKING:
    from rich.console import Console

    from woosync.cli.render import Output

SHOWN_PROBLEMS = 20


def _parse_ids(text: str | None) -> list[int] | None:
    if text is None:
        return None
    ids: list[int] = []
    for part in text.replace(" ", ",").split(","):
        if not part:
            continue
        if not part.isdigit() or int(part) < 1:
            raise ValidationError(
                f"--woo-ids: {part!r} is not a WooCommerce product id",
                hint="give ids separated by commas, e.g. --woo-ids 456,457",
            )
        ids.append(int(part))
    if not ids:
        raise ValidationError("--woo-ids is empty", hint="e.g. --woo-ids 456,457")
    return ids


def configure_run_logging(level: str, log_file: Path | None) -> None:
    """Logs to stderr at ``level``; with ``log_file`` the file also gets the INFO run lines."""
    from woosync.core.logging import configure_logging

    if log_file is None:
        configure_logging(level)
        return
    requested = getattr(logging, level.upper())
    configure_logging("info" if requested > logging.INFO else level, str(log_file))
    for handler in logging.getLogger("woosync").handlers:
        if not isinstance(handler, logging.FileHandler):
            handler.setLevel(requested)


def _render(output: Output, result: dict[str, Any], quiet: bool) -> None:
    problems = [p for p in result["products"] if p["status"] in ("failed", "skipped")]
    failed = [p for p in problems if p["status"] == "failed"]
    for warning in result["warnings"]:
        output.warn(warning)
    for entry in failed[:SHOWN_PROBLEMS]:
        output.error(
            f"store product {entry['wooProductId']} {entry['sku'] or '(no SKU)'}: "
            f"{entry.get('message', 'failed')}"
        )
    if len(failed) > SHOWN_PROBLEMS:
        output.error(f"... and {len(failed) - SHOWN_PROBLEMS} more failed (see --json)")
    if quiet and not output.json_mode:
        return

    def human(console: Console) -> None:
        verb = "would be " if result["dryRun"] else ""
        skipped = [p for p in problems if p["status"] == "skipped"]
        if skipped:
            rows = [
                [p["wooProductId"], p["sku"], p["productId"] or "", p.get("message", "")]
                for p in skipped[:SHOWN_PROBLEMS]
            ]
            console.print(
                output.table(["Woo ID", "SKU", "Local ID", "Skipped because"], rows, title=None)
            )
            if len(skipped) > SHOWN_PROBLEMS:
                console.print(f"... and {len(skipped) - SHOWN_PROBLEMS} more skipped (see --json)")
        console.print(
            f"{result['importedCount']} {verb}imported, {result['updatedCount']} {verb}updated, "
            f"{result['unchangedCount']} unchanged, {result['skippedCount']} skipped, "
            f"{result['failedCount']} failed"
            + (" (dry run: nothing was written)" if result["dryRun"] else "")
        )

    output.emit(result, human=human)


def import_command(
    ctx: typer.Context,
    connection: Annotated[
        str | None,
        typer.Option(
            "--connection", "-c", help="Connection id or name (default: the default one)."
        ),
    ] = None,
    woo_ids: Annotated[
        str | None,
        typer.Option("--woo-ids", help="Only these WooCommerce product ids, e.g. 456,457."),
    ] = None,
    update_existing: Annotated[
        bool,
        typer.Option(
            "--update-existing", help="Update products already in the catalog (else skip them)."
        ),
    ] = False,
    no_mapping: Annotated[
        bool,
        typer.Option("--no-mapping", help="Ignore the active import mapping; use the default one."),
    ] = False,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="TIME",
            help="Only products changed after TIME (2025-12-11T10:00:00Z, or an age: 90m, 6h, 2d).",
        ),
    ] = None,
    incremental: Annotated[
        bool,
        typer.Option(
            "--incremental",
            help="Only products changed since the last --incremental run (per-connection bookmark).",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would happen; write nothing.")
    ] = False,
    concurrency: Annotated[
        int, typer.Option("--concurrency", help="Page requests in flight (1-16).")
    ] = 4,
    wait: Annotated[
        float,
        typer.Option(
            "--wait",
            metavar="SECONDS",
            help="If another run holds this store, wait up to SECONDS (else exit 6 at once).",
        ),
    ] = 0.0,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="Print nothing unless something failed (for cron)."),
    ] = False,
    log_file: Annotated[
        Path | None,
        typer.Option("--log-file", metavar="PATH", help="Append the run's log lines to PATH."),
    ] = None,
    json_flag: JsonFlag = False,
) -> None:
    """Import products from a WooCommerce store into the local catalog (cron-ready)."""
    from woosync.services.importer import import_products, parse_since

    state = app_context(ctx, json_flag)
    if quiet:
        state.quiet = True
    configure_run_logging(state.log_level, log_file)
    output = state.output
    ids = _parse_ids(woo_ids)
    since_time = parse_since(since) if since is not None else None
    if wait < 0:
        raise ValidationError("--wait must not be negative", hint="e.g. --wait 300")
    with output.progress("Importing products", None) as advance:
        result = import_products(
            state.store(),
            connection,
            woo_ids=ids,
            update_existing=update_existing,
            use_mapping=not no_mapping,
            since=since_time,
            incremental=incremental,
            dry_run=dry_run,
            concurrency=concurrency,
            lock_wait=wait,
            progress=advance,
        )
    _render(output, result, quiet)
    if result["failedCount"]:
        raise typer.Exit(int(ExitCode.FAILURE))


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
