"""``woosync export``, ``woosync update`` and ``woosync delete``: push local products to a store
(spec operations 18, 20 and 21)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from woosync.cli.confirm import confirm_removal
from woosync.cli.context import YesFlag
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
        console.print(
            f"{result['syncedCount']} synced, {result['failedCount']} failed "
            f"(connection {result['connectionId']})"
        )

    emit_result(output, result, human)


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
        summary = plan["summary"]
        console.print(
            f"{summary['create']} to create, {summary['update']} to update, "
            f"{summary['unchanged']} unchanged, {summary['error']} with errors "
            "(dry run: nothing was written)"
        )

    emit_result(output, plan, human)


@with_option_groups
def export_command(
    ctx: typer.Context,
    connection: ConnectionOption = None,
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
    run: RunOptions = RunOptions(),
) -> None:
    """Export products to a WooCommerce store (idempotent; --partial sends only changes)."""
    from woosync.services.export import count_products, export_products

    state = start_run(ctx, run)
    output = state.output
    product_ids = parse_ids(products, "--products", noun="product id", example="101,102")
    skus = parse_names(sku, "--sku")
    field_names = parse_names(fields, "--fields")
    store = state.store()
    total = (
        count_products(
            store,
            connection,
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
        result = export_products(
            store,
            connection,
            product_ids=product_ids,
            skus=skus,
            all_products=all_products,
            retry_failed=retry_failed,
            fields=field_names,
            partial=partial,
            dry_run=dry_run,
            concurrency=concurrency,
            batch_size=batch_size,
            create_terms=not no_create_terms,
            restore_trashed=restore_trashed,
            allow_empty=allow_empty or (),
            progress=advance,
            lock_wait=run.wait,
        )
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
    from woosync.services.export import update_product

    state = start_run(ctx, run)
    output = state.output
    field_names = parse_names(fields, "--fields")
    with failure_logged("woosync.export", f"update of product {product}"):
        result = update_product(
            state.store(), connection, product, fields=field_names, lock_wait=run.wait
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
    """Delete a product from a store for good (not to the trash); the local product stays."""
    from woosync.services.export import delete_product

    state = start_run(ctx, run)
    output = state.output
    confirm_removal(
        output,
        f"product {product} from the store",
        f"Delete product {product} from the store permanently?",
        yes=yes,
    )
    with failure_logged("woosync.export", f"delete of product {product}"):
        result = delete_product(state.store(), connection, product, lock_wait=run.wait)
    if not result["success"]:
        output.warn(f"{result['message']}; the sync record was removed")

    def human(console: Console) -> None:
        if result["success"]:
            console.print(f"deleted product {product} from the store")

    emit_result(output, result, human)
    exit_if_failed(not result["success"])


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)
    app.command("update")(update_command)
    app.command("delete")(delete_command)
