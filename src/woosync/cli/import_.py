"""``woosync import``: pull products from a store into the local catalog; cron-ready.

Never prompts without a terminal (secrets then come from the environment or the keyring), holds the
store's run lock (``--wait SECONDS`` queues behind another run, else exit code 6), and ``--quiet`` /
``--log-file`` keep a cron job's mail and log short.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from woosync.cli.import_views import Report, StoreImport, render, run_line
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
    WooIdsAliasOption,
    exit_if_failed,
    failure_logged,
    one_spelling,
    parse_ids,
    start_run,
)
from woosync.core.errors import spell_params


@with_option_groups
def import_command(
    ctx: typer.Context,
    connection: ConnectionsOption = None,
    woo_ids: Annotated[
        str | None,
        typer.Option(
            "--woo-id",
            metavar="IDS",
            help="Only these WooCommerce product ids, e.g. 456,457.",
            show_default=False,
        ),
    ] = None,
    woo_ids_alias: WooIdsAliasOption = None,
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
            help="A field changed both in the catalog and in the store since the last sync (or "
            "different on both sides before its first sync): "
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
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose",
            help="List every product, unchanged and skipped ones too (default: only what "
            "changed or failed).",
        ),
    ] = False,
    run: RunOptions = RunOptions(),
) -> None:
    """Import products from WooCommerce stores into the local catalog (cron-ready)."""
    from woosync.cli.flags import flag_of
    from woosync.services.imports.options import ImportRequest, parse_since
    from woosync.services.imports.run import import_products
    from woosync.services.stores import several

    state = start_run(ctx, run)
    output = state.output
    woo_ids = one_spelling(woo_ids, woo_ids_alias, "--woo-id", "--woo-ids")
    ids = parse_ids(woo_ids, "--woo-id", noun="WooCommerce product id", example="456,457")
    since_time = parse_since(since) if since is not None else None
    db = state.db(create=not dry_run)
    settings: dict[str, Any] = {
        "woo_ids": ids,
        "update_existing": update_existing,
        "use_mapping": not no_mapping,
        "since": since_time,
        "incremental": incremental,
        "dry_run": dry_run,
        "restore_removed": restore_removed,
        "concurrency": concurrency,
        "on_conflict": on_conflict.strip().lower(),
        "link_without_sku": link_without_sku,
    }
    if several(connection):

        def job(connection_id: int) -> StoreImport:
            report = Report(output.json_mode, flag_of, dry_run, verbose)
            with failure_logged("woosync.import", f"import from connection {connection_id}"):
                result = import_products(
                    db,
                    ImportRequest(connection_id, **settings),
                    on_product=report.add,
                    lock_wait=run.wait,
                )
            return StoreImport(result, report)

        runs = run_stores(
            db,
            connection,
            job,
            failed=lambda r: bool(r.result.failed_count or (strict and r.result.warnings)),
            parallel=parallel_stores,
        )
        render_stores(
            output,
            runs,
            lambda r: run_line(r.result),
            lambda r: r.report.problems(),
            lambda r: [spell_params(warning, flag_of) for warning in r.result.warnings],
            shape=lambda r: r.report.document(r.result),
            details=lambda r: r.report.lines,
        )
        return
    report = Report(output.json_mode, flag_of, dry_run, verbose)
    with (
        failure_logged("woosync.import", "import"),
        output.progress("Importing products", None) as advance,
    ):
        result = import_products(
            db,
            ImportRequest(single(connection), **settings),
            on_product=report.add,
            progress=advance,
            lock_wait=run.wait,
        )
    render(output, result, report)
    exit_if_failed(result.failed_count or (strict and result.warnings))


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
