"""A product record and the rules for writing its fields: defaults, coercion, stock, meta, SKU.

A record is the stored form of a product (a plain dict; terms and images by id). ``apply_fields``
copies a request body onto a record leniently (unknown values fall back as WooCommerce's setters
do), ``derive`` recomputes what WooCommerce derives on every save, and ``check_sku`` enforces the
one-product-per-SKU rule with WooCommerce's two different errors.
"""

from __future__ import annotations

import uuid
from typing import Any

from woosync.sandbox.http import ApiError, id_list, is_true
from woosync.sandbox.products.coerce import clean, decimal_text, stored_date, to_int, to_str
from woosync.sandbox.products.schema import (
    BOOL_FIELDS,
    ENUM_FIELDS,
    INT_FIELDS,
    SCHEMA,
    STATUSES,
    STRING_FIELDS,
    TYPES,
)
from woosync.sandbox.state import State
from woosync.sandbox.text import kses, sanitize_title


def new_record(state: State) -> dict[str, Any]:
    now = state.now()
    return {
        "id": 0,
        "name": "",
        "slug": "",
        "date_created": now,
        "date_modified": now,
        "type": "simple",
        "status": "publish",
        "featured": False,
        "catalog_visibility": "visible",
        "description": "",
        "short_description": "",
        "sku": "",
        "regular_price": "",
        "sale_price": "",
        "date_on_sale_from": None,
        "date_on_sale_to": None,
        "total_sales": 0,
        "virtual": False,
        "downloadable": False,
        "downloads": [],
        "download_limit": -1,
        "download_expiry": -1,
        "external_url": "",
        "button_text": "",
        "tax_status": "taxable",
        "tax_class": "",
        "manage_stock": False,
        "stock_quantity": None,
        "backorders": "no",
        "low_stock_amount": None,
        "sold_individually": False,
        "weight": "",
        "dimensions": {"length": "", "width": "", "height": ""},
        "shipping_class": "",
        "reviews_allowed": True,
        "upsell_ids": [],
        "cross_sell_ids": [],
        "parent_id": 0,
        "purchase_note": "",
        "category_ids": [],
        "tag_ids": [],
        "brand_ids": [],
        "image_ids": [],
        "attributes": [],
        "default_attributes": [],
        "grouped_products": [],
        "menu_order": 0,
        "meta_data": [],
        "stock_status": "instock",
        "post_password": "",
        "global_unique_id": "",
    }


def apply_fields(state: State, record: dict[str, Any], body: dict[str, Any]) -> None:
    if "name" in body:
        record["name"] = kses(to_str(body["name"]))
    for name in ("description", "short_description"):
        if name in body:
            record[name] = kses(to_str(body[name]))
    if "type" in body:
        record["type"] = body["type"] if body["type"] in TYPES else "simple"
    if "status" in body:
        status = to_str(body["status"])
        record["status"] = status if status in (*STATUSES, "trash") else "draft"
    if "sku" in body:
        record["sku"] = clean(body["sku"])
    for name in ("regular_price", "sale_price", "weight"):
        if name in body:
            record[name] = decimal_text(body[name])
    if isinstance(body.get("dimensions"), dict):
        for side in ("length", "width", "height"):
            if side in body["dimensions"]:
                record["dimensions"][side] = decimal_text(body["dimensions"][side])
    for name in STRING_FIELDS:
        if name in body:
            record[name] = clean(body[name])
    for name in ENUM_FIELDS:
        allowed = SCHEMA[name][1]
        if name in body and allowed and body[name] in allowed:
            record[name] = body[name]
    for name in BOOL_FIELDS:
        if name in body:
            record[name] = is_true(body[name])
    for name in INT_FIELDS:
        if name in body:
            record[name] = to_int(body[name])
    for name in ("date_on_sale_from", "date_on_sale_to", "date_created"):
        for key in (name, f"{name}_gmt"):
            if body.get(key) is not None:  # WooCommerce's isset(): a null changes nothing
                record[name] = (
                    stored_date(body[key])
                    if name != "date_created"
                    else (stored_date(body[key]) or record[name])
                )
    for name in ("upsell_ids", "cross_sell_ids"):  # kept as sent, an unknown id too (checked)
        if isinstance(body.get(name), list):
            record[name] = [i for i in id_list(body[name]) if i > 0]
    if isinstance(body.get("grouped_products"), list) and record["type"] == "grouped":
        # positive ids once each, kept as sent (an unknown one too); another type has none
        record["grouped_products"] = list(dict.fromkeys(id_list(body["grouped_products"])))
    if isinstance(body.get("downloads"), list):
        record["downloads"] = [_download(d) for d in body["downloads"] if isinstance(d, dict)]
    if "shipping_class" in body:
        record["shipping_class"] = ""  # the sandbox has no shipping classes; unknown slugs drop
    if "tax_class" in body:  # by slug; a class the store does not have is dropped silently
        slug = sanitize_title(str(record["tax_class"]))
        record["tax_class"] = slug if slug in TAX_CLASSES else ""
    _apply_stock(record, body)
    if isinstance(body.get("meta_data"), list):
        _merge_meta(state, record, body["meta_data"])


def _download(given: dict[str, Any]) -> dict[str, str]:
    """One of a product's files as WooCommerce keeps it: the id it was sent, whatever it is, else
    a new one; a file of another scheme than http(s) refused (both checked on a real store)."""
    file = to_str(given.get("file"))
    if "://" in file and not file.lower().startswith(("http://", "https://")):
        raise ApiError(
            "product_invalid_download",
            f"The downloadable file <code>{file}</code> cannot be used as it does not exist on "
            "the server, or is not located within an approved directory. Please contact a site "
            'administrator for help. <a href="https://woocommerce.com/document/'
            'approved-download-directories">Learn more.</a>',
            400,
        )
    return {
        "id": to_str(given.get("id")) or str(uuid.uuid4()),
        "name": to_str(given.get("name")),
        "file": file,
    }


# a new WooCommerce store's tax classes ("" is the standard rate; "parent": a variation's default)
TAX_CLASSES = frozenset({"", "reduced-rate", "zero-rate", "parent"})


def _apply_stock(record: dict[str, Any], body: dict[str, Any]) -> None:
    if "manage_stock" in body:
        record["manage_stock"] = is_true(body["manage_stock"])
    if "stock_quantity" in body:  # wc_stock_amount(): a null (or blank) quantity is 0
        value = body["stock_quantity"]
        record["stock_quantity"] = 0 if value in (None, "") else to_int(value)
    # a quantity and a change together: the quantity wins (WooCommerce 11.0.1, checked)
    if "inventory_delta" in body and "stock_quantity" not in body and record["manage_stock"]:
        record["stock_quantity"] = (record["stock_quantity"] or 0) + to_int(body["inventory_delta"])
    if "low_stock_amount" in body:
        value = body["low_stock_amount"]
        record["low_stock_amount"] = None if value in (None, "") else to_int(value)
    if body.get("stock_status") in ("instock", "outofstock", "onbackorder"):
        record["stock_status"] = body["stock_status"]


def _merge_meta(state: State, record: dict[str, Any], entries: list[Any]) -> None:
    """``meta_data`` as WooCommerce 11 writes it (checked on a real store): by ``id``, else by
    ``key`` (the first entry of it); a null value deletes the entry (and adds none); WordPress
    keeps every scalar as text (``true`` -> ``"1"``, ``false`` -> ``""``, ``5.5`` -> ``"5.5"``),
    a list or an object as it is. Keys WooCommerce keeps its own fields under (``_sku`` ...)
    would call that field's setter: the sandbox ignores them."""
    for entry in entries:
        if not isinstance(entry, dict) or "key" not in entry:
            continue
        key = to_str(entry["key"])
        if key in _INTERNAL_META:
            continue
        index = next(
            (
                i
                for i, meta in enumerate(record["meta_data"])
                if (entry.get("id") and meta["id"] == to_int(entry["id"]))
                or (not entry.get("id") and meta["key"] == key)
            ),
            None,
        )
        value = entry.get("value")
        if value is None:
            if index is not None:
                record["meta_data"].pop(index)
            continue
        value = _meta_text(value)
        if index is None:
            record["meta_data"].append({"id": state.new_meta_id(), "key": key, "value": value})
        else:
            record["meta_data"][index].update(key=key, value=value)


_INTERNAL_META = frozenset(
    {"_sku", "_price", "_regular_price", "_sale_price", "_stock", "_stock_status",
     "_manage_stock", "_backorders", "_weight", "_length", "_width", "_height",
     "_thumbnail_id", "_product_attributes", "_visibility", "total_sales"}
)  # fmt: skip


def _meta_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, (int, float)):
        return str(value)
    return value


def derive(record: dict[str, Any]) -> None:
    """What WooCommerce recomputes on every save."""
    if not record["manage_stock"]:
        record["stock_quantity"] = record["low_stock_amount"] = None
        if record["type"] == "variation":
            record["backorders"] = "no"
    else:
        quantity = record["stock_quantity"] or 0
        if quantity > 0:
            record["stock_status"] = "instock"
        else:
            record["stock_status"] = "onbackorder" if record["backorders"] != "no" else "outofstock"
    if record["type"] == "external":
        record["stock_status"] = "instock"
    if record["type"] in ("variable", "grouped"):
        record["regular_price"] = record["sale_price"] = ""
        record["date_on_sale_from"] = record["date_on_sale_to"] = None
    if record["virtual"]:
        record["weight"] = ""
        record["dimensions"] = {"length": "", "width": "", "height": ""}


def _unique_sku(state: State, sku: str) -> str:
    n = 1
    while state.product_by_sku(f"{sku}-{n}") is not None:
        n += 1
    return f"{sku}-{n}"


def check_sku(state: State, record: dict[str, Any]) -> None:
    sku = record["sku"]
    if not sku:
        return
    holder = state.product_by_sku(sku)
    if holder is None or holder["id"] == record["id"]:
        return
    if holder["status"] == "trash":
        raise ApiError(
            "woocommerce_rest_product_not_created",
            f"The product with SKU ({sku}) you are trying to insert is already present in the "
            "lookup table",
            400,
        )
    raise ApiError(
        "product_invalid_sku",
        "Invalid or duplicated SKU.",
        400,
        resource_id=holder["id"],
        unique_sku=_unique_sku(state, sku),
    )
