"""``woosync export``, ``woosync update`` and ``woosync delete``: push local products to a store
(the spec's *Export products*, *Update product* and *Delete product*: ARCHITECTURE.md, operations
table)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from woosync.cli.confirm import confirm_removal
from woosync.cli.context import YesFlag
from woosync.cli.multi_store import (
    ConnectionsOption,
    ParallelStoresOption,
    render_stores,
    run_stores,
    single,
)
from woosync.cli.option_groups import with_option_groups
from woosync.cli.options import (
    ConnectionOption,
    ProductOption,
    RunOptions,
    emit_result,
    exit_if_failed,
    failure_logged,
    parse_ids,
    parse_names,
    print_capped_table,
    report_failures,
    start_run,
)

if TYPE_CHECKING:
    from rich.console import Console

    from woosync.cli.render import Output

SHOWN = 50  # rows of a human table; --json has them all

FieldsOption = Annotated[
    str | None,
    typer.Option(
        "--fields",
        metavar="NAMES",
        help="Fields to export, e.g. name,sku,price (default: the active export mapping).",
    ),
]


def _render_result(output: Output, result: dict[str, Any]) -> None:
    report_failures(
        output,
        [
            f"product {r['productId']}: {r.get('message', 'failed')}"
            for r in result["results"]
            if r["status"] == "error"
        ],
        SHOWN,
    )

    def human(console: Console) -> None:
        rows = [
            [
                r["productId"],
                r["wooProductId"] or "",
                r["status"],
                _exported(r),
                r["lastExportedAt"] or "",
            ]
            for r in result["results"]
        ]
        print_capped_table(
            console,
            output,
            ["Product", "Woo ID", "Status", "Exported fields", "Last exported"],
            rows,
            limit=SHOWN,
        )
        console.print(f"{_result_line(result)} (connection {result['connectionId']})")

    emit_result(output, result, human)


def _result_line(result: dict[str, Any]) -> str:
    excluded = result.get("excludedCount", 0)
    return f"{result['syncedCount']} synced, {result['failedCount']} failed" + (
        f", {excluded} excluded from this store" if excluded else ""
    )


def _plan_line(plan: dict[str, Any]) -> str:
    summary = plan["summary"]
    excluded = summary.get("excluded", 0)
    return (
        f"{summary['create']} to create, {summary['update']} to update, "
        f"{summary['unchanged']} unchanged, {summary['error']} with errors"
        + (f", {excluded} excluded from this store" if excluded else "")
        + " (dry run: nothing was written)"
    )


def _excluded_warnings(result: dict[str, Any], named: bool) -> list[str]:
    """A product named with --products/--sku that the store does not take gets a warning (so it is
    not silently dropped); with --all the count in the summary line says it."""
    if not named:
        return []
    warnings = []
    for entry in result.get("excluded", []):
        undo = (
            "edit the store's mapping file to take it"
            if entry["reason"] == "selection"
            else "add --include to export it again"
        )
        warnings.append(
            f"product {entry['productId']} ({entry['sku']}) not exported: {entry['message']}; {undo}"
        )
    return warnings


def _problems(result: dict[str, Any]) -> list[str]:
    if result.get("dryRun"):
        return [
            f"product {p['productId']}: {p.get('message', 'error')}"
            for p in result["products"]
            if p["action"] == "error"
        ]
    return [
        f"product {r['productId']}: {r.get('message', 'failed')}"
        for r in result["results"]
        if r["status"] == "error"
    ]


def _exported(result: dict[str, Any]) -> str:
    if result["status"] == "error":
        return "(failed, see the error above)"
    return ", ".join(result["exportedFields"]) or "(no change)"


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "[]"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _render_plan(output: Output, plan: dict[str, Any]) -> None:
    def human(console: Console) -> None:
        rows: list[list[Any]] = []
        for product in plan["products"]:
            if product["action"] == "unchanged" and not product.get("heldConflicts"):
                continue
            action = product["action"]
            if product.get("restoreFromTrash"):
                action += " (restore from trash)"
            head = [product["productId"], product["sku"], action]
            if product["action"] == "error":
                rows.append([*head, "", product.get("message", "")])
                continue
            for index, change in enumerate(product.get("fields", [])):
                old = _show(change["old"]) if product["action"] == "update" else ""
                arrow = f"{old} -> {_show(change['new'])}" if old else _show(change["new"])
                cells = head if index == 0 else ["", "", ""]
                rows.append([*cells, change["field"], arrow])
            for problem in product.get("missing", []):
                rows.append(["", "", "", "", problem])
            for field in product.get("heldConflicts", []):
                rows.append(
                    [*head, field, "left out: in conflict (woosync sync-status --conflicts)"]
                )
        print_capped_table(
            console,
            output,
            ["Product", "SKU", "Action", "Field", "Old -> new"],
            rows,
            limit=SHOWN * 4,
            what="rows",
            title=f"Export plan for connection {plan['connectionId']} (dry run)",
        )
        for created in plan["wouldCreate"]:
            console.print(f"would create {created['kind']} {created['name']!r} in the store")
        for entry in plan.get("excluded", [])[:SHOWN]:
            console.print(
                f"left out: product {entry['productId']} ({entry['sku']}): {entry['message']}",
                markup=False,
                highlight=False,
            )
        console.print(_plan_line(plan))

    emit_result(output, plan, human)


@with_option_groups
def export_command(
    ctx: typer.Context,
    connection: ConnectionsOption = None,
    products: Annotated[
        str | None,
        typer.Option("--products", "-p", metavar="IDS", help="Local product ids, e.g. 101,102."),
    ] = None,
    sku: Annotated[
        str | None, typer.Option("--sku", metavar="SKUS", help="Product SKUs, e.g. A-1,B-2.")
    ] = None,
    all_products: Annotated[
        bool, typer.Option("--all", help="Every product in the catalog.")
    ] = False,
    retry_failed: Annotated[
        bool,
        typer.Option(
            "--retry-failed",
            help="The products whose last export to this store failed or was interrupted.",
        ),
    ] = False,
    fields: FieldsOption = None,
    partial: Annotated[
        bool,
        typer.Option(
            "--partial",
            help="Send only fields changed since the last export; unchanged products cost nothing.",
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Show what would be created and changed; write nothing."),
    ] = False,
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, max=16, help="Batch requests in flight.")
    ] = 4,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, max=100, help="Products per batch request.")
    ] = 100,
    no_create_terms: Annotated[
        bool,
        typer.Option(
            "--no-create-terms",
            help="Do not create missing categories, tags, attributes or terms (those products fail).",
        ),
    ] = False,
    restore_trashed: Annotated[
        bool,
        typer.Option(
            "--restore-trashed",
            help="When a trashed store product holds a SKU, restore it and update it.",
        ),
    ] = False,
    allow_empty: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-empty",
            metavar="FIELD",
            help="Let an empty local value clear FIELD in the store (repeatable).",
        ),
    ] = None,
    include: Annotated[
        bool,
        typer.Option(
            "--include",
            help="Export the products named with --products/--sku even if they were deleted from "
            "or excluded from this store (they are included again from now on).",
        ),
    ] = False,
    parallel_stores: ParallelStoresOption = 1,
    run: RunOptions = RunOptions(),
) -> None:
    """Export products to WooCommerce stores (idempotent; --partial sends only changes)."""
    from woosync.services.export.run import count_products, export_products
    from woosync.services.stores import several

    state = start_run(ctx, run)
    output = state.output
    product_ids = parse_ids(products, "--products", noun="product id", example="101,102")
    skus = parse_names(sku, "--sku")
    field_names = parse_names(fields, "--fields")
    db = state.db(create=not dry_run)
    options: dict[str, Any] = {
        "product_ids": product_ids,
        "skus": skus,
        "all_products": all_products,
        "retry_failed": retry_failed,
        "fields": field_names,
        "partial": partial,
        "dry_run": dry_run,
        "concurrency": concurrency,
        "batch_size": batch_size,
        "create_terms": not no_create_terms,
        "restore_trashed": restore_trashed,
        "allow_empty": allow_empty or (),
        "include": include,
        "lock_wait": run.wait,
    }
    named = bool(product_ids or skus)
    if several(connection):

        def job(connection_id: int) -> dict[str, Any]:
            with failure_logged("woosync.export", f"export to connection {connection_id}"):
                return export_products(db, connection_id, **options)

        runs = run_stores(
            db,
            connection,
            job,
            failed=lambda r: bool(r["summary"]["error"] if dry_run else r["failedCount"]),
            parallel=parallel_stores,
        )
        render_stores(
            output,
            runs,
            _plan_line if dry_run else _result_line,
            _problems,
            lambda result: _excluded_warnings(result, named),
        )
        return
    one = single(connection)
    total = (
        count_products(
            db,
            one,
            product_ids=product_ids,
            skus=skus,
            all_products=all_products,
            retry_failed=retry_failed,
        )
        if output.interactive and not dry_run
        else None
    )
    with (
        failure_logged("woosync.export", "export"),
        output.progress("Exporting products", total if not dry_run else None) as advance,
    ):
        result = export_products(db, one, progress=advance, **options)
    for warning in _excluded_warnings(result, named):
        output.warn(warning)
    if dry_run:
        _render_plan(output, result)
        exit_if_failed(result["summary"]["error"])
        return
    _render_result(output, result)
    exit_if_failed(result["failedCount"])


@with_option_groups
def update_command(
    ctx: typer.Context,
    product: ProductOption,
    connection: ConnectionOption = None,
    fields: FieldsOption = None,
    run: RunOptions = RunOptions(),
) -> None:
    """Push one synced product's changed fields to a store (it must have been exported before)."""
    from woosync.services.export.run import update_product

    state = start_run(ctx, run)
    output = state.output
    field_names = parse_names(fields, "--fields")
    with failure_logged("woosync.export", f"update of product {product}"):
        result = update_product(
            state.db(), connection, product, fields=field_names, lock_wait=run.wait
        )
    failed = result["status"] == "error"
    if failed:
        output.error(f"product {product}: {result.get('message', 'failed')}")

    def human(console: Console) -> None:
        if failed:
            return
        fields = ", ".join(result["exportedFields"]) or "nothing changed"
        console.print(
            f"product {result['productId']} -> store product {result['wooProductId']}: {fields}"
        )

    emit_result(output, result, human)
    exit_if_failed(failed)


@with_option_groups
def delete_command(
    ctx: typer.Context,
    product: ProductOption,
    connection: ConnectionOption = None,
    yes: YesFlag = False,
    run: RunOptions = RunOptions(),
) -> None:
    """Delete a product from a store for good (not to the trash) and keep it out of that store."""
    from woosync.services.export.run import delete_product

    state = start_run(ctx, run)
    output = state.output
    confirm_removal(
        output,
        f"product {product} from the store",
        f"Delete product {product} from the store permanently?",
        yes=yes,
    )
    with failure_logged("woosync.export", f"delete of product {product}"):
        result = delete_product(state.db(), connection, product, lock_wait=run.wait)
    if not result["success"]:
        output.warn(f"{result['message']}; the sync record was removed")
    output.info(
        f"product {product} stays out of later exports to this store "
        f"(to send it again: woosync export{_connection_part(connection)} --products {product} --include)"
    )

    def human(console: Console) -> None:
        if result["success"]:
            console.print(f"deleted product {product} from the store")

    emit_result(output, result, human)
    exit_if_failed(not result["success"])


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)
    app.command("update")(update_command)
    app.command("delete")(delete_command)


def _connection_part(connection: str | None) -> str:
    import shlex

    return f" --connection {shlex.quote(connection)}" if connection else ""
