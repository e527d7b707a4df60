"""How ``woosync products`` shows products to a person (``--json`` uses ``shapes.products``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from woosync.core.timeutil import iso
from woosync.products.variations import ANY

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from woosync.cli.render import Output
    from woosync.services.catalog.views import FieldChange, ProductView


def text(value: Any) -> str:
    if value is None or value == [] or value == ():
        return ""
    if isinstance(value, bool):  # as the other tables say it (connections' Active: yes)
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def dimensions_text(product: ProductView) -> str:
    parts = (product.length, product.width, product.height)
    if not any(parts):
        return ""
    return " x ".join(part or "-" for part in parts)


def product_table(output: Output, product: ProductView) -> RenderableType:
    rows: list[tuple[str, str]] = [
        ("ID", text(product.id)),
        ("SKU", text(product.sku)),
        ("Name", text(product.name)),
        ("Status", text(product.status)),
        ("Type", text(product.type)),
        *([("Parent SKU", text(product.parent_sku))] if product.is_variation else []),
        ("Price", text(product.price)),
        ("Sale price", text(product.sale_price)),
        ("Weight", text(product.weight)),
        ("Dimensions (L x W x H)", dimensions_text(product)),
        ("Stock status", text(product.stock_status)),
        ("Manage stock", text(product.manage_stock)),
        ("Stock quantity", text(product.stock_quantity)),
        ("Backorders", text(product.backorders)),
        ("Low stock amount", text(product.low_stock_amount)),
        ("Sale from", text(product.date_on_sale_from)),
        ("Sale to", text(product.date_on_sale_to)),
        ("Categories", text(product.categories)),
        ("Tags", text(product.tags)),
        *([("Brands", text(product.brands))] if product.brands else []),
        ("Images", text(product.images)),
        *([("Upsells", text(product.upsells))] if product.upsells else []),
        *([("Cross-sells", text(product.cross_sells))] if product.cross_sells else []),
        *([("Products", text(product.grouped_products))] if product.grouped_products else []),
        *[(f"Download {d['name']}", d["file"]) for d in product.downloads],
    ]
    rows += [
        (f"{text(name)} (attribute)", "any" if v == ANY and product.parent_sku else text(v))
        for name, v in product.attributes.items()
    ]
    if product.default_attributes:
        rows.append(("Default options", options_text(product, product.default_attributes)))
    rows += [(f"{text(name)} (custom)", text(v)) for name, v in product.custom_fields.items()]
    rows += [
        ("Description", text(product.description)),
        ("Created", text(iso(product.created_at))),
        ("Updated", text(iso(product.updated_at))),
    ]
    return output.table(["Field", "Value"], rows)


def options_text(variation: ProductView, options: Mapping[str, Any] | None = None) -> str:
    """``Size: S, Color: Red`` (``Size: any`` for the option "any", ``*``): a variation's
    options, or ``options`` (a variable product's default ones)."""
    return ", ".join(
        f"{name}: {'any' if option == ANY else text(option)}"
        for name, option in (variation.attributes if options is None else options).items()
    )


def variations_table(output: Output, product: ProductView) -> RenderableType:
    rows = [
        [
            text(v.id),
            text(v.sku),
            options_text(v),
            text(v.price),
            text(v.sale_price),
            text(v.stock_status),
            text(v.stock_quantity),
            text(v.status),
        ]
        for v in product.variations
    ]
    columns = ["ID", "SKU", "Options", "Price", "Sale", "Stock", "Qty", "Status"]
    return output.table(columns, rows, title=f"{len(rows)} variation(s)")


def emit_product(output: Output, product: ProductView) -> None:
    from woosync.shapes.products import product_json

    def human(console: Console) -> None:
        console.print(product_table(output, product))
        if product.variations:
            console.print(variations_table(output, product))

    output.emit(product_json(product), human=human)


def change_line(change: FieldChange) -> str:
    return f"{change.field}: {change.old!r} -> {change.new!r}"
