"""Creating, updating and deleting a variation, and what that changes on its variable product.

A variation is stored with the products (``type: "variation"`` and its ``parent_id``): it shares
their ids and their SKU space. Writing one moves its parent's ``date_modified`` and re-derives the
parent's stock status, as WooCommerce does, so an incremental import by ``modified_after`` on
``/products`` sees variation changes through the parent.
"""

from __future__ import annotations

import copy
from typing import Any

from woosync.sandbox.env import Env
from woosync.sandbox.http import ApiError, invalid_param
from woosync.sandbox.products.coerce import to_int
from woosync.sandbox.products.media import commit_images, plan_images
from woosync.sandbox.products.record import apply_fields, check_sku, derive, new_record
from woosync.sandbox.products.schema import validate
from woosync.sandbox.products.variation_attributes import resolve_options
from woosync.sandbox.products.variation_render import render_variation
from woosync.sandbox.state import State, is_variation

VARIATION_INVALID_ID = ("woocommerce_rest_product_variation_invalid_id", "Invalid ID.")
INVALID_PARENT = (
    "woocommerce_rest_product_variation_invalid_parent",
    "Cannot set attributes due to invalid parent product.",
)
# What a variation takes from a request body (the rest of a product's fields do not apply).
VARIATION_FIELDS = frozenset(
    [
        "status",
        "sku",
        "global_unique_id",
        "description",
        "regular_price",
        "sale_price",
        "date_on_sale_from",
        "date_on_sale_from_gmt",
        "date_on_sale_to",
        "date_on_sale_to_gmt",
        "virtual",
        "downloadable",
        "downloads",
        "download_limit",
        "download_expiry",
        "tax_status",
        "tax_class",
        "manage_stock",
        "stock_quantity",
        "inventory_delta",
        "stock_status",
        "backorders",
        "low_stock_amount",
        "weight",
        "dimensions",
        "shipping_class",
        "menu_order",
        "meta_data",
    ]
)
_IMAGE_CODES = {
    "woocommerce_product_image_upload_error": "woocommerce_variation_image_upload_error",
    "woocommerce_product_invalid_image_id": "woocommerce_variation_invalid_image_id",
}


def variable_parent(state: State, parent_id: int) -> dict[str, Any]:
    """The product a variation route names: a missing one (or a variation) is refused; a simple
    one is not (a real WooCommerce 11 store makes a variation under a simple product without a
    word, as it checks only that the parent exists)."""
    parent = state.products.get(parent_id)
    if parent is None or parent["type"] == "variation":
        raise ApiError(*INVALID_PARENT, status=404)
    return parent


def find_variation(state: State, parent_id: int, variation_id: int) -> dict[str, Any]:
    """The variation ``variation_id`` of ``parent_id``, else 404 "Invalid ID." (a real
    WooCommerce 11.0.1 store answers so to a read, an update and a delete alike, of an unknown
    id, of a variation of another parent, and of one its parent lost when made simple)."""
    record = state.products.get(variation_id)
    if record is None or not is_variation(record) or record["parent_id"] != parent_id:
        raise ApiError(*VARIATION_INVALID_ID, status=404)
    return record


def _new_variation(state: State, parent_id: int) -> dict[str, Any]:
    record = new_record(state)
    record.update(
        type="variation",
        parent_id=parent_id,
        tax_class="parent",
        reviews_allowed=False,
        variation_attributes=[],
    )
    return record


def _plan_image(env: Env, image: Any) -> list[tuple[str, Any, dict[str, Any]]]:
    """A variation has one ``image``; an entry without ``id`` or ``src`` removes it."""
    if not isinstance(image, dict) or not (to_int(image.get("id")) or image.get("src")):
        return []
    try:
        return plan_images(env, [image])
    except ApiError as error:
        error.code = _IMAGE_CODES.get(error.code, error.code)
        raise


def write_variation(
    env: Env,
    parent_id: int,
    body: dict[str, Any],
    variation_id: int | None,
    *,
    strict: bool,
    count: bool = True,
) -> dict[str, Any]:
    """Create (``variation_id`` None) or update one variation of ``parent_id``; lock held."""
    state = env.state
    existing = None
    if variation_id is None:
        if to_int(body.get("id")):
            raise ApiError(
                "woocommerce_rest_product_variation_exists",
                "Cannot create existing product_variation.",
                400,
            )
        parent = variable_parent(state, parent_id)
        record = _new_variation(state, parent_id)
    else:
        existing = find_variation(state, parent_id, variation_id)
        parent = variable_parent(state, parent_id)
        record = copy.deepcopy(existing)
    fields = {k: v for k, v in body.items() if k in VARIATION_FIELDS}
    if strict:
        validate({k: v for k, v in body.items() if k in VARIATION_FIELDS or k == "attributes"})
        if "image" in body and not isinstance(body["image"], dict):
            raise invalid_param("image", "image is not of type object.")
    apply_fields(state, record, fields)
    if "sku" in body:
        check_sku(state, record)
    plan = _plan_image(env, body["image"]) if body.get("image") is not None else None
    # Nothing below can fail: commit.
    if existing is None:
        record["id"] = state.new_post_id()
    if isinstance(body.get("attributes"), list):
        record["variation_attributes"] = resolve_options(state, parent, body["attributes"])
    if plan is not None:
        commit_images(state, record, plan)
    derive(record)
    record["date_modified"] = state.now()
    if existing is not None:
        state.unindex_product(existing)
    state.index_product(record)
    sync_parent(state, parent)
    state.touch()
    if count:
        env.stats.count_write("create" if existing is None else "update")
    return record


def delete_variation(
    env: Env, home: str, parent_id: int, variation_id: int, force: bool
) -> dict[str, Any]:
    """Trash or delete; returns the variation as it was before. Call with the lock held."""
    state = env.state
    record = find_variation(state, parent_id, variation_id)
    before = render_variation(state, home, record, "edit")
    before["_links"]["self"][0].pop("targetHints", None)  # as WooCommerce answers a delete
    if force:
        state.unindex_product(record)
        del state.products[variation_id]
    else:
        if record["status"] == "trash":
            raise ApiError(
                "woocommerce_rest_already_trashed",
                "The product_variation has already been deleted.",
                410,
            )
        record["status"] = "trash"
        record["date_modified"] = state.now()
    parent = state.products.get(parent_id)
    if parent is not None:
        sync_parent(state, parent)
    state.touch()
    env.stats.count_write("delete")
    return before


def children_stock_status(state: State, parent_id: int) -> str:
    """A variable product is in stock when a variation is, else on backorder when one is."""
    statuses = {
        c["stock_status"] for c in state.variations_of(parent_id) if c["status"] == "publish"
    }
    for status in ("instock", "onbackorder"):
        if status in statuses:
            return status
    return "outofstock"


def sync_parent(state: State, parent: dict[str, Any]) -> None:
    """What a variation write changes on its parent: ``date_modified`` and stock status."""
    parent["date_modified"] = state.now()
    parent["stock_status"] = children_stock_status(state, parent["id"])


def delete_children(state: State, parent: dict[str, Any], force: bool) -> None:
    """Deleting a variable product deletes its variations; trashing it trashes them."""
    for child in state.variations_of(parent["id"]):
        if force:
            state.unindex_product(child)
            del state.products[child["id"]]
        else:
            child["status"] = "trash"
