"""The product field options of ``products add`` and ``products edit``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import typer

from woosync.core.errors import ValidationError


def _option(flag: str, help_text: str, metavar: str | None = None) -> Any:
    return typer.Option(flag, metavar=metavar, help=help_text, show_default=False)


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
    brand: Annotated[
        Names, _option("--brand", "A brand name (repeat; edit replaces the brands).")
    ] = None
    image: Annotated[
        Names, _option("--image", "An image URL (repeat; edit replaces the images).")
    ] = None
    upsell: Annotated[
        Names,
        _option("--upsell", "An upsell's SKU (repeat; edit replaces the upsells).", "SKU"),
    ] = None
    cross_sell: Annotated[
        Names,
        _option("--cross-sell", "A cross-sell's SKU (repeat; edit replaces them).", "SKU"),
    ] = None
    grouped: Annotated[
        Names,
        _option(
            "--grouped-product",
            "A grouped product's product, by SKU (repeat; edit replaces them).",
            "SKU",
        ),
    ] = None
    download: Annotated[
        Names,
        _option(
            "--download",
            "A downloadable product's file: NAME=URL, or the URL alone (repeat; edit replaces "
            "the files, each keeping its id by its URL).",
            "NAME=URL",
        ),
    ] = None
    attr: Annotated[
        Names,
        _option(
            "--attr",
            "An attribute: NAME=VALUE, or NAME=V1,V2 for several values (repeatable).",
            "NAME=VALUE",
        ),
    ] = None
    default: Annotated[
        Names,
        _option(
            "--default",
            "A variable product's default option: ATTRIBUTE=OPTION, e.g. Size=M (repeat; edit "
            "replaces them; Size= alone leaves Size out).",
            "ATTRIBUTE=OPTION",
        ),
    ] = None
    custom: Annotated[
        Names,
        _option(
            "--custom",
            "A custom field: NAME=VALUE, e.g. wholesalePrice=8.50 (repeatable).",
            "NAME=VALUE",
        ),
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
            "brands": self.brand,
            "images": self.image,
            "upsells": self.upsell,
            "cross_sells": self.cross_sell,
            "grouped_products": self.grouped,
            "downloads": self.download,
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
        if self.default is not None:
            chosen = dict(_pair("--default", text) for text in self.default)
            fields["default_attributes"] = {k: v for k, v in chosen.items() if v} or None
        for text in self.custom or []:
            custom_name, value = _pair("--custom", text)
            fields[f"custom:{custom_name}"] = value
        return fields
