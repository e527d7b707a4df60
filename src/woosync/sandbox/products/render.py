"""Rendering a stored product record as the API shows it, in ``context=view`` or ``context=edit``.

This is the hot path of every read (a 100-item page renders 100 products), so it reads the record
and the state directly and computes only what WooCommerce derives on output: the price and sale
state, ``price_html``, permalinks, attributes, images, term references and ``_links``.
"""

from __future__ import annotations

import re
from typing import Any

from woosync.sandbox.products.coerce import to_decimal
from woosync.sandbox.products.schema import ROUTE
from woosync.sandbox.products.variation_attributes import (
    public_options,
    shown_defaults,
    shown_options,
    variation_permalink,
    variation_title,
)
from woosync.sandbox.state import State, attribute_taxonomy, brand_ids
from woosync.sandbox.text import render_content, sanitize_title


def _on_sale(record: dict[str, Any], now: str) -> bool:
    sale, regular = to_decimal(record["sale_price"]), to_decimal(record["regular_price"])
    if sale is None or regular is None or not regular > sale:
        return False
    if record["date_on_sale_from"] and record["date_on_sale_from"] > now:
        return False
    return not (record["date_on_sale_to"] and record["date_on_sale_to"] < now)


def active_price(record: dict[str, Any], now: str) -> tuple[str, bool]:
    """The price a simple product or a variation sells at now, and whether that is a sale."""
    on_sale = _on_sale(record, now)
    return (record["sale_price"] if on_sale else record["regular_price"]), on_sale


def _amount(value: str, hidden: bool = False) -> str:
    number = to_decimal(value)
    shown = f"{number:,.2f}" if number is not None else value
    aria = ' aria-hidden="true"' if hidden else ""
    return (
        f'<span class="woocommerce-Price-amount amount"{aria}><bdi><span '
        'class="woocommerce-Price-currencySymbol" translate="no">&#36;</span>'
        f"{shown}</bdi></span>"
    )


def _price_html(price: str, regular: str, on_sale: bool) -> str:
    if price == "":
        return ""
    if not on_sale:
        return _amount(price)
    regular_text = f"{to_decimal(regular) or 0:.2f}"
    price_text = f"{to_decimal(price) or 0:.2f}"
    return (
        f'<del aria-hidden="true">{_amount(regular)}</del> <span class="screen-reader-text">'
        f'Original price was: &#036;{regular_text}.</span><ins aria-hidden="true">'
        f'{_amount(price)}</ins><span class="screen-reader-text">Current price is: '
        f"&#036;{price_text}.</span>"
    )


def _variable_price(state: State, record: dict[str, Any], now: str) -> tuple[str, bool, str]:
    """A variable product's ``price`` (its cheapest published variation), ``on_sale``, html."""
    prices = []
    on_sale = False
    for child in state.variations_of(record["id"]):
        if child["status"] != "publish":
            continue
        price, sale = active_price(child, now)
        number = to_decimal(price)
        if number is not None:
            prices.append((number, price))
            on_sale = on_sale or sale
    if not prices:
        return "", False, ""
    (low, low_text), (high, high_text) = min(prices), max(prices)
    if low == high:
        return low_text, on_sale, _amount(low_text)
    html = (
        f'{_amount(low_text, True)} <span aria-hidden="true">&ndash;</span> '
        f'{_amount(high_text, True)}<span class="screen-reader-text">Price range: '
        f"&#36;{low:.2f} through &#36;{high:.2f}</span>"
    )
    return low_text, on_sale, html


def visible_variation_ids(state: State, parent_id: int) -> list[int]:
    """A variable product's ``variations``: its variations not in the trash, by menu order."""
    children = [c for c in state.variations_of(parent_id) if c["status"] != "trash"]
    return [c["id"] for c in sorted(children, key=lambda c: (c["menu_order"], c["id"]))]


def _in_term_order(attribute: dict[str, Any], terms: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A product's terms of a global attribute as WooCommerce lists them, whatever order they
    were sent in: by the attribute's ``order_by`` (checked on a real WooCommerce 11.0.1 store:
    sent L, XL, S, M, answered L, M, S, XL, the terms' menu order being the same)."""
    order = attribute.get("order_by") or "menu_order"
    if order == "id":
        return sorted(terms, key=lambda t: t["id"])
    if order == "name_num":
        return sorted(terms, key=lambda t: (_leading_number(t["name"]), t["name"].casefold()))
    if order == "name":
        return sorted(terms, key=lambda t: t["name"].casefold())
    return sorted(terms, key=lambda t: (t.get("menu_order") or 0, t["name"].casefold()))


def _leading_number(name: str) -> float:
    digits = re.match(r"\s*(-?\d+(?:\.\d+)?)", name)
    return float(digits.group(1)) if digits else 0.0


def _render_attribute(state: State, attribute: dict[str, Any]) -> dict[str, Any] | None:
    if attribute["id"]:
        global_attribute = state.attributes.get(attribute["id"])
        if global_attribute is None:
            return None
        terms = state.taxonomies.get(attribute_taxonomy(attribute["id"]), {})
        return {
            "id": attribute["id"],
            "name": global_attribute["name"],
            "slug": f"pa_{global_attribute['slug']}",
            "position": attribute["position"],
            "visible": attribute["visible"],
            "variation": attribute["variation"],
            "options": [
                term["name"]
                for term in _in_term_order(
                    global_attribute, [terms[i] for i in attribute["term_ids"] if i in terms]
                )
            ],
        }
    return {
        "id": 0,
        "name": attribute["name"],
        "slug": attribute["name"],
        "position": attribute["position"],
        "visible": attribute["visible"],
        "variation": attribute["variation"],
        "options": list(attribute["options"]),
    }


def _render_image(state: State, home: str, media_id: int) -> dict[str, Any] | None:
    media = state.media.get(media_id)
    if media is None:
        return None
    src = f"{home}/wp-content/uploads/{media['file']}"
    return {
        "id": media["id"],
        "date_created": media["date_created"],
        "date_created_gmt": media["date_created"],
        "date_modified": media["date_modified"],
        "date_modified_gmt": media["date_modified"],
        "src": src,
        "name": media["name"],
        "alt": media["alt"],
        # WooCommerce 11 adds these; the sandbox makes no resized copies, so no srcset or sizes
        "srcset": "",
        "sizes": "",
        "thumbnail": src,
    }


def _term_refs(state: State, ids: list[int]) -> list[dict[str, Any]]:
    """A product's terms as WordPress lists them (``wp_get_object_terms``): by name, whatever
    order they were given in."""
    terms = sorted(
        (state.terms[i] for i in ids if i in state.terms), key=lambda t: t["name"].casefold()
    )
    return [{"id": t["id"], "name": t["name"], "slug": t["slug"]} for t in terms]


def render_product(state: State, home: str, record: dict[str, Any], context: str) -> dict[str, Any]:
    """The product object in ``context`` (``view`` renders descriptions, ``edit`` is raw)."""
    now = state.now()
    view = context != "edit"
    kind = record["type"]
    price, on_sale = "", False
    if kind in ("simple", "external", "variation"):
        price, on_sale = active_price(record, now)
    price_html = _price_html(price, record["regular_price"], on_sale)
    if kind == "variable":
        price, on_sale, price_html = _variable_price(state, record, now)
    managed = record["manage_stock"]
    quantity = record["stock_quantity"]
    backorders_allowed = record["backorders"] in ("yes", "notify")
    name, slug, sku = record["name"], record["slug"], record["sku"]
    permalink = product_permalink(home, record)
    if kind == "variation":  # reached by ``?sku=`` or by id: the variation in product shape
        options = shown_options(state, record)
        parent = state.products.get(record["parent_id"])
        if not sku and parent and view:  # shown with its parent's (in view context only)
            sku = parent["sku"]
        name = variation_title(parent["name"] if parent else "", options)
        slug = sanitize_title(name)
        permalink = variation_permalink(
            product_permalink(home, parent) if parent else permalink, options
        )
        attributes = public_options(options)
    else:
        attributes = [a for a in (_render_attribute(state, x) for x in record["attributes"]) if a]
    images = [i for i in (_render_image(state, home, m) for m in record["image_ids"]) if i]
    api = f"{home}/wp-json"
    product_links = links_for(api, record)
    out: dict[str, Any] = {
        "id": record["id"],
        "name": name,
        "slug": slug,
        "permalink": permalink,
        "date_created": record["date_created"],
        "date_created_gmt": record["date_created"],
        "date_modified": record["date_modified"],
        "date_modified_gmt": record["date_modified"],
        "type": kind,
        "status": record["status"],
        "featured": record["featured"],
        "catalog_visibility": record["catalog_visibility"],
        "description": render_content(record["description"]) if view else record["description"],
        "short_description": (
            render_content(record["short_description"]) if view else record["short_description"]
        ),
        "sku": sku,
        "price": price,
        "regular_price": record["regular_price"],
        "sale_price": record["sale_price"],
        "date_on_sale_from": record["date_on_sale_from"],
        "date_on_sale_from_gmt": record["date_on_sale_from"],
        "date_on_sale_to": record["date_on_sale_to"],
        "date_on_sale_to_gmt": record["date_on_sale_to"],
        "on_sale": on_sale,
        # an external product is bought elsewhere (WooCommerce 11 answers false, checked)
        "purchasable": kind in ("simple", "variable", "variation") and price != "",
        "total_sales": str(record["total_sales"]) if kind == "variation" else record["total_sales"],
        "virtual": record["virtual"],
        "downloadable": record["downloadable"],
        "downloads": [dict(d) for d in record["downloads"]],
        "download_limit": record["download_limit"],
        "download_expiry": record["download_expiry"],
        "external_url": record["external_url"],
        "button_text": record["button_text"],
        "tax_status": record["tax_status"],
        "tax_class": variation_tax_class(state, record, view),
        "manage_stock": managed,
        "stock_quantity": quantity,
        "backorders": record["backorders"],
        "backorders_allowed": backorders_allowed,
        "backordered": bool(managed and backorders_allowed and (quantity or 0) < 0),
        "low_stock_amount": record["low_stock_amount"],
        "sold_individually": record["sold_individually"],
        "weight": record["weight"],
        "dimensions": dict(record["dimensions"]),
        "shipping_required": not record["virtual"],
        "shipping_taxable": not record["virtual"]
        and record["tax_status"] in ("taxable", "shipping"),
        "shipping_class": record["shipping_class"],
        "shipping_class_id": 0,
        "reviews_allowed": record["reviews_allowed"],
        # a variation (read as a product) keeps no rating meta: edit context shows the int 0
        "average_rating": "0.00" if view else 0 if kind == "variation" else "0",
        "rating_count": 0,
        "upsell_ids": list(record["upsell_ids"]),
        "cross_sell_ids": list(record["cross_sell_ids"]),
        "parent_id": record["parent_id"],
        "purchase_note": record["purchase_note"],
        "categories": _term_refs(state, record["category_ids"]),
        "brands": _term_refs(state, brand_ids(record)),
        "tags": _term_refs(state, record["tag_ids"]),
        "images": images,
        "attributes": attributes,
        "default_attributes": shown_defaults(state, record),
        "variations": visible_variation_ids(state, record["id"]) if kind == "variable" else [],
        "grouped_products": list(record["grouped_products"]) if kind == "grouped" else [],
        "menu_order": record["menu_order"],
        "price_html": price_html,
        "related_ids": [],
        "meta_data": [dict(m) for m in record["meta_data"]],
        "stock_status": record["stock_status"],
        "has_options": kind == "variable",
        "post_password": record["post_password"],
        "global_unique_id": record["global_unique_id"],
    }
    if not state.has_brands:  # before WooCommerce 9.6: no brands, and no such key
        del out["brands"]
    if not view:
        out["permalink_template"] = f"{home}/product/%pagename%/"
        out["generated_slug"] = sanitize_title(record["name"]) or slug
    out["_links"] = product_links
    return out


def product_permalink(home: str, record: dict[str, Any]) -> str:
    if record["status"] == "publish":
        return f"{home}/product/{record['slug']}/"
    return f"{home}/?post_type=product&p={record['id']}"


def variation_tax_class(state: State, record: dict[str, Any], view: bool) -> str:
    """A variation's ``tax_class`` is "parent" as stored; ``context=view`` shows the parent's."""
    tax_class = str(record["tax_class"])
    if view and record["type"] == "variation" and tax_class == "parent":
        parent = state.products.get(record["parent_id"])
        return str(parent["tax_class"]) if parent else ""
    return tax_class


def links_for(api: str, record: dict[str, Any]) -> dict[str, Any]:
    base = f"{api}{ROUTE}"
    out: dict[str, Any] = {
        "self": [
            {
                "href": f"{base}/{record['id']}",
                "targetHints": {"allow": ["GET", "POST", "PUT", "PATCH", "DELETE"]},
            }
        ],
        "collection": [{"href": base}],
    }
    if record["parent_id"]:
        out["up"] = [{"href": f"{base}/{record['parent_id']}"}]
    return out
