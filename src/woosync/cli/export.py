"""``woosync export``, ``woosync update`` and ``woosync delete``: push local products to a store
(the spec's *Export products*, *Update product* and *Delete product*: ARCHITECTURE.md, operations
table)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Annotated

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
    OneSkuOption,
    ProductOption,
    ProductsAliasOption,
    RunOptions,
    emit_result,
    exit_if_failed,
    failure_logged,
    one_product,
    one_spelling,
    parse_ids,
    parse_names,
    start_run,
)

if TYPE_CHECKING:
    from rich.console import Console


FieldsOption = Annotated[
    str | None,
    typer.Option(
        "--fields",
        metavar="NAMES",
        help="Fields to export, e.g. name,sku,price (default: the active export mapping).",
    ),
]


@with_option_groups
def export_command(
    ctx: typer.Context,
    connection: ConnectionsOption = None,
    products: Annotated[
        str | None,
        typer.Option("--product", "-p", metavar="IDS", help="Local product ids, e.g. 101,102."),
    ] = None,
    products_alias: ProductsAliasOption = None,
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
            help=(
                "Send only fields changed since the last export; unchanged products cost "
                "nothing; a field the store changed too is held as a conflict, not overwritten."
            ),
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
            help="Export the products named with --product/--sku even if they were deleted from "
            "or excluded from this store (they are included again from now on).",
        ),
    ] = False,
    prune_variations: Annotated[
        bool,
        typer.Option(
            "--prune-variations",
            help="Delete the store variations of the variable products exported that the "
            "catalog does not have (by default they are left).",
        ),
    ] = False,
    parallel_stores: ParallelStoresOption = 1,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose",
            help="List every product, unchanged ones too (default: only what changed or failed).",
        ),
    ] = False,
    run: RunOptions = RunOptions(),
) -> None:
    """Export products to WooCommerce stores (idempotent; --partial sends only changes)."""
    from woosync.cli.export_views import Outcome, PlanView, ResultsView
    from woosync.cli.flags import flag_of
    from woosync.cli.run_counts import counts_line
    from woosync.services.export.dry_run import plan_export
    from woosync.services.export.request import ExportRequest
    from woosync.services.export.run import count_products, export_products
    from woosync.services.stores import several

    state = start_run(ctx, run)
    output = state.output
    products = one_spelling(products, products_alias, "--product", "--products")
    product_ids = parse_ids(products, "--product", noun="product id", example="101,102")
    skus = parse_names(sku, "--sku")
    field_names = parse_names(fields, "--fields")
    db = state.db(create=not dry_run)
    if field_names:
        from woosync.services.field_names import check_field_names

        check_field_names(db, field_names)
    with failure_logged("woosync.export", "export"):
        request = ExportRequest(
            single(connection),
            product_ids=product_ids or (),
            skus=skus or (),
            all_products=all_products,
            retry_failed=retry_failed,
            fields=field_names,
            partial=partial,
            concurrency=concurrency,
            batch_size=batch_size,
            create_terms=not no_create_terms,
            restore_trashed=restore_trashed,
            allow_empty=allow_empty or (),
            include=include,
            prune_variations=prune_variations,
        )
    named = bool(product_ids or skus)
    if several(connection):

        def job(connection_id: int) -> Outcome:
            one = replace(request, connection=connection_id)
            with failure_logged("woosync.export", f"export to connection {connection_id}"):
                if dry_run:
                    planned = PlanView(output, flag_of, named, verbose)
                    plan = plan_export(
                        db, one, on_product=planned.add, on_excluded=planned.left_out.add
                    )
                    return planned.outcome(plan)
                results = ResultsView(output, flag_of, named, verbose)
                done = export_products(
                    db,
                    one,
                    on_result=results.add,
                    on_excluded=results.left_out.add,
                    lock_wait=run.wait,
                    quiet_results=results.wants_unchanged,
                )
                return results.outcome(done)

        runs = run_stores(db, connection, job, failed=lambda o: o.failed, parallel=parallel_stores)
        render_stores(
            output,
            runs,
            lambda o: counts_line(o.document["counts"], dry_run),
            lambda o: o.problems,
            lambda o: o.warnings,
            shape=lambda o: o.document,
            details=lambda o: o.details,
        )
        return
    total = count_products(db, request) if output.interactive else None
    if dry_run:
        planned = PlanView(output, flag_of, named, verbose)
        with (
            failure_logged("woosync.export", "export"),
            output.progress("Planning the export", total) as advance,
        ):
            plan = plan_export(
                db,
                request,
                progress=advance,
                on_product=planned.add,
                on_excluded=planned.left_out.add,
            )
        planned.render(plan)
        exit_if_failed(plan.summary.error)
        return
    results = ResultsView(output, flag_of, named, verbose)
    with (
        failure_logged("woosync.export", "export"),
        output.progress("Exporting products", total) as advance,
    ):
        result = export_products(
            db,
            request,
            progress=advance,
            on_result=results.add,
            on_excluded=results.left_out.add,
            lock_wait=run.wait,
            quiet_results=results.wants_unchanged,
        )
    results.render(result)
    exit_if_failed(result.failed_count)


@with_option_groups
def update_command(
    ctx: typer.Context,
    product: ProductOption = None,
    sku: OneSkuOption = None,
    connection: ConnectionOption = None,
    fields: FieldsOption = None,
    run: RunOptions = RunOptions(),
) -> None:
    """Push one synced product's changed fields to a store (it must have been exported before)."""
    from woosync.cli.flags import flag_of
    from woosync.core.errors import spell_params
    from woosync.services.export import notices
    from woosync.services.export.run import update_product
    from woosync.shapes import export as shapes

    state = start_run(ctx, run)
    output = state.output
    field_names = parse_names(fields, "--fields")
    if field_names:
        from woosync.services.field_names import check_field_names

        check_field_names(state.db(), field_names)
    product = one_product(state.db(), product, sku)
    with failure_logged("woosync.export", f"update of product {product}"):
        result = update_product(
            state.db(), connection, product, fields=field_names, lock_wait=run.wait
        )
    shaped = shapes.product_result(result, flag_of)
    if result.failed:
        output.error(f"product {product}: {shaped['message']}")
    if result.held_conflicts:  # changed in the store too since the last sync: not sent
        what = "variation" if result.parent_product_id is not None else "product"
        subject = f"{what} {result.product_id}"
        warning = notices.held_conflicts_warning(1, result.connection_id, subject=subject)
        output.warn(spell_params(warning, flag_of))

    def human(console: Console) -> None:
        if result.failed:
            return
        fields = ", ".join(result.exported_fields) or "nothing changed"
        if result.held_conflicts:
            fields += f" (held in conflict: {', '.join(result.held_conflicts)})"
        if result.parent_product_id is not None:
            subject = f"variation {result.product_id} of product {result.parent_product_id}"
            where = f"store variation {result.woo_product_id}"
        else:
            subject, where = (
                f"product {result.product_id}",
                f"store product {result.woo_product_id}",
            )
        console.print(f"{subject} -> {where}: {fields}")

    emit_result(output, shaped, human)
    exit_if_failed(result.failed)


@with_option_groups
def delete_command(
    ctx: typer.Context,
    product: ProductOption = None,
    sku: OneSkuOption = None,
    connection: ConnectionOption = None,
    yes: YesFlag = False,
    run: RunOptions = RunOptions(),
) -> None:
    """Delete a product from a store for good (not to the trash) and keep it out of that store."""
    from woosync.services.export.run import delete_product
    from woosync.shapes import export as shapes

    state = start_run(ctx, run)
    output = state.output
    product = one_product(state.db(), product, sku)
    confirm_removal(
        output,
        f"product {product} from the store",
        f"Delete product {product} from the store permanently?",
        yes=yes,
    )
    with failure_logged("woosync.export", f"delete of product {product}"):
        result = delete_product(state.db(), connection, product, lock_wait=run.wait)
    if not result.success:
        output.warn(f"{result.message}; the sync record was removed")
    output.info(
        f"product {product} stays out of later exports to this store "
        f"(to send it again: woosync export{_connection_part(connection)} --product {product} --include)"
    )

    def human(console: Console) -> None:
        if result.success:
            console.print(f"deleted product {product} from the store")

    emit_result(output, shapes.delete_result(result), human)
    exit_if_failed(not result.success)


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)
    app.command("update")(update_command)
    app.command("delete")(delete_command)


def _connection_part(connection: str | None) -> str:
    import shlex

    return f" --connection {shlex.quote(connection)}" if connection else ""
