"""``woosync products``: the local catalog (add, list, show, edit, remove, and load CSV/JSON/YAML files)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from woosync.cli.confirm import confirm_removal
from woosync.cli.context import JsonFlag, YesFlag, app_context
from woosync.cli.option_groups import with_option_groups
from woosync.core.errors import ValidationError
from woosync.core.exit_codes import ExitCode
from woosync.core.ids import SQLITE_MAX_INTEGER

if TYPE_CHECKING:
    from rich.console import Console

    from woosync.cli.render import Output

app = typer.Typer(
    help="The local product catalog: add, list, show, edit, remove, load product files, and "
    "exclude or include products per store.",
    no_args_is_help=True,
)

MAX_ERRORS_SHOWN = 50

IdArg = Annotated[
    int,
    typer.Argument(help="Product id (see 'woosync products list').", min=1, max=SQLITE_MAX_INTEGER),
]
ConnectionArg = Annotated[
    str,
    typer.Option(
        "--connection", "-c", help="The store: connection id, name or URL.", show_default=False
    ),
]


def _option(flag: str, help_text: str) -> Any:
    return typer.Option(flag, help=help_text, show_default=False)


Text = str | None
Names = list[str] | None


def _pair(option: str, text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise ValidationError(f"{option} expects NAME=VALUE, got {text!r}")
    return name.strip(), value.strip()


@dataclass
class FieldOptions:
    """The product field options of ``add`` and ``edit``."""

    sku: Annotated[Text, _option("--sku", "SKU (unique).")] = None
    name: Annotated[Text, _option("--name", "Product name.")] = None
    description: Annotated[Text, _option("--description", "Description.")] = None
    status: Annotated[Text, _option("--status", "publish, draft, pending or private.")] = None
    type_: Annotated[Text, _option("--type", "simple, variable, grouped or external.")] = None
    price: Annotated[Text, _option("--price", "Regular price, e.g. 12.50.")] = None
    sale_price: Annotated[Text, _option("--sale-price", "Sale price.")] = None
    weight: Annotated[Text, _option("--weight", "Weight.")] = None
    length: Annotated[Text, _option("--length", "Length.")] = None
    width: Annotated[Text, _option("--width", "Width.")] = None
    height: Annotated[Text, _option("--height", "Height.")] = None
    stock_status: Annotated[
        Text, _option("--stock-status", "instock, outofstock or onbackorder.")
    ] = None
    manage_stock: Annotated[
        bool | None,
        typer.Option(
            "--manage-stock/--no-manage-stock",
            help="Whether the store counts the stock (stock quantity needs it).",
            show_default=False,
        ),
    ] = None
    stock_quantity: Annotated[
        Text, _option("--stock-quantity", "Units in stock, a whole number (may be negative).")
    ] = None
    backorders: Annotated[Text, _option("--backorders", "no, notify or yes.")] = None
    low_stock_amount: Annotated[
        Text, _option("--low-stock-amount", "Low stock threshold, a whole number.")
    ] = None
    sale_from: Annotated[
        Text, _option("--sale-from", "Sale starts: 2026-12-24 or 2026-12-24T10:00:00.")
    ] = None
    sale_to: Annotated[Text, _option("--sale-to", "Sale ends, ISO 8601 like --sale-from.")] = None
    category: Annotated[
        Names, _option("--category", "A category name (repeat; edit replaces the categories).")
    ] = None
    tag: Annotated[Names, _option("--tag", "A tag name (repeat; edit replaces the tags).")] = None
    image: Annotated[
        Names, _option("--image", "An image URL (repeat; edit replaces the images).")
    ] = None
    attr: Annotated[
        Names,
        _option(
            "--attr", "An attribute: NAME=VALUE, or NAME=V1,V2 for several values (repeatable)."
        ),
    ] = None
    custom: Annotated[
        Names,
        _option("--custom", "A custom field: NAME=VALUE, e.g. wholesalePrice=8.50 (repeatable)."),
    ] = None

    def fields(self) -> dict[str, Any]:
        """The field dict of the options given (options left out are not in it)."""
        given = {
            "sku": self.sku,
            "name": self.name,
            "description": self.description,
            "status": self.status,
            "type": self.type_,
            "price": self.price,
            "sale_price": self.sale_price,
            "weight": self.weight,
            "length": self.length,
            "width": self.width,
            "height": self.height,
            "stock_status": self.stock_status,
            "manage_stock": self.manage_stock,
            "stock_quantity": self.stock_quantity,
            "backorders": self.backorders,
            "low_stock_amount": self.low_stock_amount,
            "date_on_sale_from": self.sale_from,
            "date_on_sale_to": self.sale_to,
            "categories": self.category,
            "tags": self.tag,
            "images": self.image,
        }
        fields: dict[str, Any] = {key: value for key, value in given.items() if value is not None}
        for text in self.attr or []:
            attr_name, value = _pair("--attr", text)
            values = [part.strip() for part in value.split(",") if part.strip()]
            key = f"attribute:{attr_name}"
            previous = fields.get(key)
            if previous is not None:  # --attr COLOR=Red --attr COLOR=Blue
                values = [*([previous] if isinstance(previous, str) else previous), *values]
            fields[key] = values[0] if len(values) == 1 and previous is None else values or None
        for text in self.custom or []:
            custom_name, value = _pair("--custom", text)
            fields[f"custom:{custom_name}"] = value
        return fields


# rendering ----------------------------------------------------------------------------------------
def _text(value: Any) -> str:
    if value is None or value == []:
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _dimensions(product: dict[str, Any]) -> str:
    parts = product["dimensions"]
    if not any(parts.values()):
        return ""
    return " x ".join(parts[name] or "-" for name in ("length", "width", "height"))


def _product_table(output: Output, product: dict[str, Any]) -> Any:
    rows: list[tuple[str, str]] = [
        ("ID", _text(product["id"])),
        ("SKU", _text(product["sku"])),
        ("Name", _text(product["name"])),
        ("Status", _text(product["status"])),
        ("Type", _text(product["type"])),
        ("Price", _text(product["price"])),
        ("Sale price", _text(product["sale_price"])),
        ("Weight", _text(product["weight"])),
        ("Dimensions (L x W x H)", _text(_dimensions(product))),
        ("Stock status", _text(product["stock_status"])),
        ("Manage stock", _text(product["manage_stock"])),
        ("Stock quantity", _text(product["stock_quantity"])),
        ("Backorders", _text(product["backorders"])),
        ("Low stock amount", _text(product["low_stock_amount"])),
        ("Sale from", _text(product["date_on_sale_from"])),
        ("Sale to", _text(product["date_on_sale_to"])),
        ("Categories", _text(product["categories"])),
        ("Tags", _text(product["tags"])),
        ("Images", _text(product["images"])),
    ]
    rows += [(f"{_text(name)} (attribute)", _text(v)) for name, v in product["attributes"].items()]
    rows += [(f"{_text(name)} (custom)", _text(v)) for name, v in product["customFields"].items()]
    rows += [
        ("Description", _text(product["description"])),
        ("Created", _text(product["createdAt"])),
        ("Updated", _text(product["updatedAt"])),
    ]
    return output.table(["Field", "Value"], rows)


def _emit_product(output: Output, product: dict[str, Any]) -> None:
    def human(console: Console) -> None:
        console.print(_product_table(output, product))

    output.emit(product, human=human)


def _change_line(change: dict[str, Any]) -> str:
    return f"{change['field']}: {change['old']!r} -> {change['new']!r}"


# commands -----------------------------------------------------------------------------------------
@app.command("add")
@with_option_groups
def add_command(
    ctx: typer.Context, options: FieldOptions = FieldOptions(), json_flag: JsonFlag = False
) -> None:
    """Add a product to the local catalog (--sku and --name are required)."""
    from woosync.services.catalog import add_product

    state = app_context(ctx, json_flag)
    product = add_product(state.db(), options.fields())
    state.output.success(f"added product {product['id']} ({product['sku']})")
    _emit_product(state.output, product)


TABLE_LIMIT = 100  # rows a terminal table shows unless --limit says otherwise


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
    """List products by id, with filters."""
    from woosync.services.catalog import list_products

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
        rows = [
            [
                _text(item["id"]),
                _text(item["sku"]),
                _text(item["name"]),
                _text(item["price"]),
                _text(item["sale_price"]),
                _text(item["stock_status"]),
                _text(item["status"]),
            ]
            for item in page.items
        ]
        columns = ["ID", "SKU", "Name", "Price", "Sale", "Stock", "Status"]
        console.print(state.output.table(columns, rows))

    state.output.emit(page.items, human=human)


@app.command("show")
def show_command(
    ctx: typer.Context,
    product_id: Annotated[
        int | None,
        typer.Argument(
            help="Product id (or use --sku).", show_default=False, min=1, max=SQLITE_MAX_INTEGER
        ),
    ] = None,
    sku: Annotated[
        str | None, typer.Option("--sku", help="Find the product by SKU.", show_default=False)
    ] = None,
    json_flag: JsonFlag = False,
) -> None:
    """Show one product with its attributes and custom fields."""
    from woosync.services.catalog import show_product

    state = app_context(ctx, json_flag)
    _emit_product(state.output, show_product(state.db(create=False), product_id, sku=sku))


@app.command("edit")
@with_option_groups
def edit_command(
    ctx: typer.Context,
    product_id: IdArg,
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
    """Change some fields of a product; other fields, attributes and custom fields stay as they are."""
    from woosync.services.catalog import edit_product

    state = app_context(ctx, json_flag)
    fields = options.fields()
    if not fields and not unset:
        raise ValidationError("nothing to change", hint="pass the options to change, or --unset")
    result = edit_product(state.db(), product_id, fields, unset=unset or [])
    if result.changes:
        names = ", ".join(change.field for change in result.changes)
        state.output.success(f"updated product {product_id}: {names}")
    else:
        state.output.info(f"product {product_id} already had these values; nothing changed")
    _emit_product(state.output, result.product)


@app.command("remove")
def remove_command(
    ctx: typer.Context,
    product_id: IdArg,
    from_stores: Annotated[
        bool,
        typer.Option(
            "--from-stores",
            help="Also delete it (for good) from the stores that hold it, without asking.",
        ),
    ] = False,
    keep_in_stores: Annotated[
        bool,
        typer.Option("--keep-in-stores", help="Leave the stores' copies alone, without asking."),
    ] = False,
    yes: YesFlag = False,
    json_flag: JsonFlag = False,
) -> None:
    """Remove a product and its sync records; a later import does not bring it back.

    On a terminal it asks whether to delete the product from the stores that hold it too.
    """
    from woosync.cli.confirm import stdin_is_terminal
    from woosync.services.catalog import remove_product, show_product
    from woosync.services.removal import delete_from_stores, stores_holding
    from woosync.shapes.export import holder, store_deletion

    if from_stores and keep_in_stores:
        raise ValidationError("--from-stores and --keep-in-stores exclude each other")
    state = app_context(ctx, json_flag)
    output = state.output
    db = state.db()
    target = show_product(db, product_id)
    label = f"product {target['id']} ({target['sku']}) {target['name']!r}"
    question = f"Remove {label} and its sync records?"
    confirm_removal(output, label, question, yes=yes)
    holders = [holder(found) for found in stores_holding(db, product_id)]
    if holders and not (from_stores or keep_in_stores):
        names = ", ".join(h["storeName"] for h in holders)
        if stdin_is_terminal():
            from_stores = typer.confirm(
                f"Delete it from the {len(holders)} store(s) that hold it too ({names})?",
                default=False,
                err=True,
            )
        else:
            output.info(f"the stores keep their copies ({names}); --from-stores deletes them")
    deleted: list[dict[str, Any]] = []
    if from_stores and holders:
        deleted = [store_deletion(entry) for entry in delete_from_stores(db, product_id)]
        for entry in deleted:
            where = f"{entry['storeName']} (connection {entry['connectionId']})"
            if entry["status"] in ("failed", "inactive"):
                output.warn(f"{where}: {entry['message']}")
            elif entry["status"] == "gone":
                output.info(f"{where}: the store no longer had it")
        if any(entry["status"] == "failed" for entry in deleted):
            output.error(
                f"{label} was not removed: some stores still hold it; run the command again"
            )
            kept_back = {key: target[key] for key in ("id", "sku", "name")}
            output.emit(
                {**kept_back, "syncRecordsRemoved": 0, "stores": deleted},
                human=lambda _console: None,
            )
            raise typer.Exit(int(ExitCode.FAILURE))
    removed = remove_product(db, product_id)
    removed["stores"] = deleted
    kept = [
        h
        for h in holders
        if not any(
            d["connectionId"] == h["connectionId"] and d["status"] in ("deleted", "gone")
            for d in deleted
        )
    ]
    output.success(
        f"removed {label} and {removed['syncRecordsRemoved']} sync record(s)"
        + (f"; deleted from {len(holders) - len(kept)} store(s)" if deleted else "")
        + ("; the stores still have their copies" if kept and not deleted else "")
        + "; an import will not bring it back (import --restore-removed does)"
    )
    output.emit(removed, human=lambda _console: None)


@app.command("exclude")
def exclude_command(
    ctx: typer.Context,
    skus: Annotated[list[str], typer.Argument(help="SKUs of the products.", show_default=False)],
    connection: ConnectionArg,
    json_flag: JsonFlag = False,
) -> None:
    """Keep products out of one store: exports leave them out, imports from it skip them.

    The store keeps its copies (woosync stops touching them); 'products include' undoes it.
    """
    from woosync.services.selection import exclude_products

    state = app_context(ctx, json_flag)
    with state.db().session() as session:
        result = exclude_products(session, connection, skus)
    store = f"{result['storeName']} (connection {result['connectionId']})"

    def human(console: Console) -> None:
        for entry in result["excluded"]:
            note = " (already excluded)" if entry["already"] else ""
            console.print(
                f"{entry['sku']}: excluded from {store}{note}", markup=False, highlight=False
            )

    state.output.emit(result, human=human)


@app.command("include")
def include_command(
    ctx: typer.Context,
    skus: Annotated[list[str], typer.Argument(help="SKUs of the products.", show_default=False)],
    connection: ConnectionArg,
    json_flag: JsonFlag = False,
) -> None:
    """Let products excluded from (or deleted from) one store go to it again on its next export."""
    from woosync.services.selection import include_products

    state = app_context(ctx, json_flag)
    with state.db().session() as session:
        result = include_products(session, connection, skus)
    store = f"{result['storeName']} (connection {result['connectionId']})"
    for entry in result["included"]:
        if entry["outsideSelection"]:
            state.output.warn(
                f"{entry['sku']}: still outside the products: selection of {store}'s mapping file"
            )

    def human(console: Console) -> None:
        for entry in result["included"]:
            note = "" if entry["wasExcluded"] else " (was not excluded)"
            console.print(
                f"{entry['sku']}: included in {store}{note}", markup=False, highlight=False
            )

    state.output.emit(result, human=human)


@app.command("load")
def load_command(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="A .csv, .json, .yaml or .yml product file ('-' for stdin).")
    ],
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="csv, json or yaml (default: from the file name)."),
    ] = None,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid",
            help="Load the valid rows and report the invalid ones (exit code 1 if any).",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; change nothing.")
    ] = False,
    decimal_comma: Annotated[
        bool,
        typer.Option(
            "--decimal-comma",
            help="Numbers use a decimal comma (12,50 or 1.234,50): prices, weights, dimensions "
            "and custom fields that look like such numbers.",
        ),
    ] = False,
    json_flag: JsonFlag = False,
) -> None:
    """Create or update products from a file, matched by SKU, in one transaction.

    A file with an invalid row changes nothing (exit code 2) unless --skip-invalid.
    """
    from woosync.services.catalog import load_products

    state = app_context(ctx, json_flag)
    report = load_products(
        state.db(create=not dry_run),
        file,
        fmt=fmt,
        skip_invalid=skip_invalid,
        dry_run=dry_run,
        decimal_comma=decimal_comma,
    )
    data = report.to_dict()
    output = state.output
    if not output.json_mode:
        for error in report.errors[:MAX_ERRORS_SHOWN]:
            sku = f" ({error.sku})" if error.sku else ""
            output.warn(f"row {error.row}{sku}: {error.message}")
        if len(report.errors) > MAX_ERRORS_SHOWN:
            output.warn(f"... and {len(report.errors) - MAX_ERRORS_SHOWN} more (--json lists all)")
    invalid = len(report.errors)
    if invalid and not skip_invalid:
        if output.json_mode:
            output.emit(data)
        raise ValidationError(
            f"{invalid} invalid row(s) in {file}; nothing was loaded",
            hint="fix them, or pass --skip-invalid to load the valid rows",
        )

    def human(console: Console) -> None:
        verb = "would be " if dry_run else ""
        console.print(
            f"{file}: {data['created']} {verb}created, {data['updated']} {verb}updated, "
            f"{data['unchanged']} unchanged" + (f", {invalid} invalid skipped" if invalid else ""),
            markup=False,
            highlight=False,
        )
        if dry_run:
            for entry in data["changes"]:
                for change in entry["fields"]:
                    console.print(f"  {entry['sku']}: {_change_line(change)}", markup=False)

    output.emit(data, human=human)
    if dry_run:
        output.info("dry run: nothing was changed")
    if invalid:
        raise typer.Exit(int(ExitCode.FAILURE))
