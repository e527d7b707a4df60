"""``woosync products``: the local catalog (add, list, show, edit, remove, and load CSV/JSON/YAML files)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from woosync.cli import products_load, products_remove
from woosync.cli.context import JsonFlag, app_context
from woosync.cli.formats import Column, Listing, ListOptions, list_format, show_listing
from woosync.cli.option_groups import with_option_groups
from woosync.cli.product_options import FieldOptions
from woosync.cli.product_render import emit_product
from woosync.core.errors import ValidationError

if TYPE_CHECKING:
    from woosync.services.catalog.views import ProductView

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
    from woosync.services.catalog.commands import add_product

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
@with_option_groups
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
    listing: ListOptions = ListOptions(),
) -> None:
    """List products by id, with filters; a variable product with its variations below it.

    json, yaml, csv and tsv hold every field, in the layout 'products load' reads: a catalog
    listed to a file (or a spreadsheet) loads back unchanged."""
    from woosync.services.catalog.commands import list_products
    from woosync.shapes.products import products_json

    state, chosen = list_format(ctx, listing)
    skus = [part for text in sku or [] for part in text.split(",")]
    limit = 1 if chosen.name == "count" else chosen.limit or 0
    page = list_products(state.db(create=False), skus=skus, search=search, limit=limit)
    if chosen.name in ("json", "yaml", "csv", "tsv"):  # every field, as load takes them
        if len(page.items) < page.total:
            state.output.note(
                f"showing {len(page.items)} of {page.total} products (--all shows every one)"
            )
        if chosen.name == "json":
            state.output.emit(products_json(page.items))
        elif chosen.name == "yaml":
            from woosync.cli.formats import yaml_text

            state.output.write(yaml_text(products_json(page.items)))
        else:
            delimiter = "\t" if chosen.name == "tsv" else ","
            state.output.write(_catalog_csv(products_json(page.items), delimiter))
        return
    nest = chosen.name == "table"
    show_listing(state.output, chosen, _product_listing(page.items, page.rows, nest=nest))


def _catalog_csv(products: list[dict[str, Any]], delimiter: str) -> str:
    """The products as a product CSV file (``files.product_csv.catalog_rows``: the layout
    ``products load`` reads, WooCommerce's exporter's), made whole before anything is printed:
    a product CSV cannot hold is an error, not half a file."""
    import csv
    import io

    from woosync.files.product_csv import catalog_rows

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerows(catalog_rows(products))
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class _ListRow:
    """A row of ``products list``: a product, or one of a variable product's variations."""

    view: ProductView
    variation: bool = False


def _rows(items: list[ProductView]) -> list[_ListRow]:
    rows: list[_ListRow] = []
    for item in items:
        rows.append(_ListRow(item))
        rows += [_ListRow(variation, True) for variation in item.variations]
    return rows


def _quantity(row: _ListRow) -> int | str:
    """The stock quantity of a product that manages its stock (else nothing to count)."""
    view = row.view
    return view.stock_quantity if view.manage_stock and view.stock_quantity is not None else ""


def _product_listing(
    items: list[ProductView], total: int, *, nest: bool = True
) -> Listing[_ListRow]:
    """Products (a variable product's variations below it) in any ``--format``; ``--format
    json``/``yaml`` is :func:`products_json` (variations nested). A table (``nest``) indents a
    variation's SKU and names it by its options; csv, tsv and the rest give the values as they
    are (no indent in a SKU) and the variation's ``parentSku``."""
    from woosync.cli.product_render import options_text

    def sku(row: _ListRow) -> str:
        return f"  {row.view.sku}" if row.variation and nest else row.view.sku

    def name(row: _ListRow) -> str:
        if row.variation and nest:
            return "  " + options_text(row.view)
        return row.view.name

    columns: list[Column[_ListRow]] = [
        Column("ID", "id", lambda row: row.view.id),
        Column("SKU", "sku", sku),
        Column("Name", "name", name),
        Column("Price", "price", lambda row: row.view.price),
        Column("Sale", "salePrice", lambda row: row.view.sale_price, drop=2),
        Column("Stock", "stockStatus", lambda row: row.view.stock_status, drop=1),
        Column("Qty", "stockQuantity", _quantity, drop=1),
        Column("Status", "status", lambda row: row.view.status, drop=3),
    ]
    if not nest:
        columns.append(Column("Parent", "parentSku", lambda row: row.view.parent_sku))
    return Listing(
        columns,
        _rows(items),
        json_of=lambda row: row.view.id,
        id_of=lambda row: row.view.id,
        empty="no products: add one with 'woosync products add' or load a file",
        what="products and variations",
        total=total,
    )


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
    from woosync.services.catalog.commands import show_product

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
    from woosync.services.catalog.commands import edit_product

    state = app_context(ctx, json_flag)
    fields = options.fields()
    if not fields and not unset:
        raise ValidationError("nothing to change", hint="pass the options to change, or --unset")
    result = edit_product(state.db(), product, fields, unset=unset or [])
    edited = result.product
    what = (
        f"variation {edited.id} ({edited.sku})"
        if edited.is_variation
        else f"product {edited.id} ({edited.sku})"
    )
    if result.changes:
        names = ", ".join(change.field for change in result.changes)
        state.output.success(f"updated {what}: {names}")
    else:
        state.output.info(f"{what} already had these values; nothing changed")
    emit_product(state.output, result.product)


products_remove.register(app)
products_load.register(app)
