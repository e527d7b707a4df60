"""``woosync import``: pull products from a store into the local catalog; cron-ready.

Never prompts without a terminal (secrets then come from the environment or the keyring), holds the
store's run lock (``--wait SECONDS`` queues behind another run, else exit code 6), and ``--quiet`` /
``--log-file`` keep a cron job's mail and log short.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from woosync.cli.multi_store import (
    ConnectionsOption,
    ParallelStoresOption,
    render_stores,
    run_stores,
    single,
)
from woosync.cli.option_groups import with_option_groups
from woosync.cli.options import (
    RunOptions,
    emit_result,
    exit_if_failed,
    failure_logged,
    parse_ids,
    print_capped_table,
    report_failures,
    start_run,
)

if TYPE_CHECKING:
    from rich.console import Console

    from woosync.cli.render import Output

SHOWN_PROBLEMS = 20


def _render(output: Output, result: dict[str, Any]) -> None:
    for warning in result["warnings"]:
        output.warn(warning)
    report_failures(
        output,
        [
            f"store product {p['wooProductId']} {p['sku'] or '(no SKU)'}: "
            f"{p.get('message', 'failed')}"
            for p in result["products"]
            if p["status"] == "failed"
        ],
        SHOWN_PROBLEMS,
    )

    def human(console: Console) -> None:
        skipped = [
            [p["wooProductId"], p["sku"], p["productId"] or "", p.get("message", "")]
            for p in result["products"]
            if p["status"] == "skipped"
        ]
        print_capped_table(
            console,
            output,
            ["Woo ID", "SKU", "Local ID", "Skipped because"],
            skipped,
            limit=SHOWN_PROBLEMS,
            what="skipped",
        )
        conflicts = [
            [
                c["wooProductId"],
                c["sku"],
                c["field"],
                shown_value(c["catalog"]),
                shown_value(c["store"]),
            ]
            for c in result["conflicts"]
        ]
        print_capped_table(
            console,
            output,
            ["Woo ID", "SKU", "Field", "Catalog", "Store"],
            conflicts,
            limit=SHOWN_PROBLEMS,
            what="conflicts",
            title="Conflicts: changed on both sides since the last sync, neither overwritten",
        )
        if result.get("restoredSkus"):
            console.print(
                "restored (had been removed locally): " + ", ".join(result["restoredSkus"]),
                markup=False,
                highlight=False,
            )
        console.print(_line(result))

    emit_result(output, result, human)


def shown_value(value: Any, width: int = 60) -> str:
    """A catalog or store value in one table cell (long text cut)."""
    if isinstance(value, list):
        text = " | ".join(str(item) for item in value)
    elif isinstance(value, dict):
        text = ", ".join(f"{k}={v}" for k, v in value.items() if v not in (None, ""))
    else:
        text = "" if value is None else str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _line(result: dict[str, Any]) -> str:
    verb = "would be " if result["dryRun"] else ""
    return (
        f"{result['importedCount']} {verb}imported, {result['updatedCount']} {verb}updated, "
        f"{result['unchangedCount']} unchanged, {result['skippedCount']} skipped, "
        f"{result['failedCount']} failed"
        + (f", {result['conflictCount']} conflicts" if result["conflictCount"] else "")
        + (" (dry run: nothing was written)" if result["dryRun"] else "")
    )


def _problems(result: dict[str, Any]) -> list[str]:
    return [
        f"store product {p['wooProductId']} {p['sku'] or '(no SKU)'}: {p.get('message', 'failed')}"
        for p in result["products"]
        if p["status"] == "failed"
    ]


@with_option_groups
def import_command(
    ctx: typer.Context,
    connection: ConnectionsOption = None,
    woo_ids: Annotated[
        str | None,
        typer.Option(
            "--woo-id",
            "--woo-ids",
            metavar="IDS",
            help="Only these WooCommerce product ids, e.g. 456,457.",
            show_default=False,
        ),
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
    on_conflict: Annotated[
        str,
        typer.Option(
            "--on-conflict",
            metavar="SIDE",
            help="A field changed both in the catalog and in the store since the last sync: "
            "skip (keep both, report it), catalog (keep the catalog's; the next export sends it) "
            "or store (take the store's).",
        ),
    ] = "skip",
    link_without_sku: Annotated[
        bool,
        typer.Option(
            "--link-without-sku",
            help="Import store products without a SKU, linked by store id, under the SKU "
            "woo-<connection>-<store id> (else they are skipped with a warning).",
        ),
    ] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Exit 1 when the run has warnings (skipped SKU-less products, conflicts).",
        ),
    ] = False,
    restore_removed: Annotated[
        bool,
        typer.Option(
            "--restore-removed",
            help="Import products removed from the catalog too (else skipped: removed locally).",
        ),
    ] = False,
    parallel_stores: ParallelStoresOption = 1,
    run: RunOptions = RunOptions(),
) -> None:
    """Import products from WooCommerce stores into the local catalog (cron-ready)."""
    from woosync.services.imports.run import import_products, parse_since
    from woosync.services.stores import several

    state = start_run(ctx, run)
    output = state.output
    ids = parse_ids(woo_ids, "--woo-id", noun="WooCommerce product id", example="456,457")
    since_time = parse_since(since) if since is not None else None
    db = state.db(create=not dry_run)
    options: dict[str, Any] = {
        "woo_ids": ids,
        "update_existing": update_existing,
        "use_mapping": not no_mapping,
        "since": since_time,
        "incremental": incremental,
        "dry_run": dry_run,
        "restore_removed": restore_removed,
        "concurrency": concurrency,
        "lock_wait": run.wait,
        "on_conflict": on_conflict.strip().lower(),
        "link_without_sku": link_without_sku,
    }
    if several(connection):

        def job(connection_id: int) -> dict[str, Any]:
            with failure_logged("woosync.import", f"import from connection {connection_id}"):
                return import_products(db, connection_id, **options)

        runs = run_stores(
            db,
            connection,
            job,
            failed=lambda r: bool(r["failedCount"] or (strict and r["warnings"])),
            parallel=parallel_stores,
        )
        render_stores(output, runs, _line, _problems, lambda r: list(r["warnings"]))
        return
    with (
        failure_logged("woosync.import", "import"),
        output.progress("Importing products", None) as advance,
    ):
        result = import_products(db, single(connection), progress=advance, **options)
    _render(output, result)
    exit_if_failed(result["failedCount"] or (strict and result["warnings"]))


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
