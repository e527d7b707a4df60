"""``woosync products``: the local catalog (add, list, show, edit, remove, and load CSV/JSON/YAML files)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from woosync.cli import products_load, products_remove
from woosync.cli.context import JsonFlag, app_context
from woosync.cli.option_groups import with_option_groups
from woosync.cli.product_options import FieldOptions
from woosync.cli.product_render import LIST_COLUMNS, emit_product, list_rows
from woosync.core.errors import ValidationError
from woosync.core.ids import SQLITE_MAX_INTEGER

if TYPE_CHECKING:
    from rich.console import Console

app = typer.Typer(
    help="The local product catalog: add, list, show, edit, remove, load product files, and "
    "exclude or include products per store.",
    no_args_is_help=True,
)

RefArg = Annotated[
    str,
    typer.Argument(
        help="Product id or SKU (a variation's SKU too; see 'woosync products list').",
        show_default=False,
    ),
]
TABLE_LIMIT = 100  # rows a terminal table shows unless --limit says otherwise


@app.command("add")
@with_option_groups
def add_command(
    ctx: typer.Context,
    options: FieldOptions = FieldOptions(),
    parent: Annotated[
        str | None,
        typer.Option(
            "--parent",
            help="Add a variation of this variable product (its SKU or id): give its options "
            "with --attr, e.g. --attr Size=L; its name is the product's and its options.",
            show_default=False,
        ),
    ] = None,
    json_flag: JsonFlag = False,
) -> None:
    """Add a product to the local catalog (--sku and --name are required), or a variation of a
    variable product (--parent, --sku and its options)."""
    from woosync.services.catalog import add_product

    state = app_context(ctx, json_flag)
    product = add_product(state.db(), options.fields(), parent=parent)
    if product.is_variation:
        state.output.success(
            f"added variation {product.id} ({product.sku}) of {product.parent_sku}"
        )
    else:
        state.output.success(f"added product {product.id} ({product.sku})")
    emit_product(state.output, product)


@app.command("list")
def list_command(
    ctx: typer.Context,
    sku: Annotated[
        list[str] | None,
        typer.Option("--sku", help="Only these SKUs (repeat, or separate with commas)."),
    ] = None,
    search: Annotated[
        str | None,
        typer.Option("--search", help="Part of the name or SKU (any case).", show_default=False),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            max=SQLITE_MAX_INTEGER,
            help=f"Show at most this many (0 for all). Default: {TABLE_LIMIT} in the table, "
            "all with --json.",
            show_default=False,
        ),
    ] = None,
    json_flag: JsonFlag = False,
) -> None:
    """List products by id, with filters; a variable product with its variations below it."""
    from woosync.services.catalog import list_products
    from woosync.shapes.products import products_json

    state = app_context(ctx, json_flag)
    skus = [part for text in sku or [] for part in text.split(",")]
    if limit is None:  # a script reading JSON gets every row unless it asks for fewer
        limit = 0 if state.output.json_mode else TABLE_LIMIT
    page = list_products(state.db(create=False), skus=skus, search=search, limit=limit)
    if len(page.items) < page.total:
        state.output.info(
            f"showing {len(page.items)} of {page.total} products (use --limit 0 for all)"
        )

    def human(console: Console) -> None:
        if not page.items:
            state.output.info("no products: add one with 'woosync products add' or load a file")
            return
        console.print(state.output.table(LIST_COLUMNS, list_rows(page.items)))

    state.output.emit(products_json(page.items), human=human)


@app.command("show")
def show_command(
    ctx: typer.Context,
    product: Annotated[
        str | None,
        typer.Argument(
            help="Product id or SKU, a variation's SKU too (or use --sku).", show_default=False
        ),
    ] = None,
    sku: Annotated[
        str | None,
        typer.Option("--sku", help="Find the product by SKU only.", show_default=False),
    ] = None,
    json_flag: JsonFlag = False,
) -> None:
    """Show one product with its attributes, custom fields and variations (or one variation)."""
    from woosync.services.catalog import show_product

    state = app_context(ctx, json_flag)
    emit_product(state.output, show_product(state.db(create=False), product, sku=sku))


@app.command("edit")
@with_option_groups
def edit_command(
    ctx: typer.Context,
    product: RefArg,
    options: FieldOptions = FieldOptions(),
    unset: Annotated[
        list[str] | None,
        typer.Option(
            "--unset",
            help="Clear a field, or remove an attribute or custom field, by name (repeatable).",
            show_default=False,
        ),
    ] = None,
    json_flag: JsonFlag = False,
) -> None:
    """Change some fields of a product or a variation; other fields, attributes and custom fields
    stay as they are."""
    from woosync.services.catalog import edit_product

    state = app_context(ctx, json_flag)
    fields = options.fields()
    if not fields and not unset:
        raise ValidationError("nothing to change", hint="pass the options to change, or --unset")
    result = edit_product(state.db(), product, fields, unset=unset or [])
    edited = result.product
    what = (
        f"variation {edited.id} ({edited.sku})" if edited.is_variation else f"product {edited.id}"
    )
    if result.changes:
        names = ", ".join(change.field for change in result.changes)
        state.output.success(f"updated {what}: {names}")
    else:
        state.output.info(f"{what} already had these values; nothing changed")
    emit_product(state.output, result.product)


products_remove.register(app)
products_load.register(app)
