"""Creating, updating and deleting one product: the write path shared by every endpoint.

``write_product`` checks everything that can fail first (schema, SKU, images) and only then
commits, so a refused write leaves the state unchanged. Single endpoints, batch items and
``SandboxStore`` all go through here.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

from woosync.sandbox.env import Env
from woosync.sandbox.http import ApiError
from woosync.sandbox.products import trash
from woosync.sandbox.products.coerce import to_int, to_str
from woosync.sandbox.products.media import commit_images, plan_images
from woosync.sandbox.products.record import apply_fields, check_sku, derive, new_record
from woosync.sandbox.products.render import render_product
from woosync.sandbox.products.schema import INVALID_ID, VARIATION_VIA_PRODUCTS, validate
from woosync.sandbox.products.terms import (
    check_brands,
    resolve_attributes,
    resolve_brands,
    resolve_categories,
    resolve_tags,
)
from woosync.sandbox.products.variation_attributes import resolve_options
from woosync.sandbox.products.variation_write import children_stock_status, delete_children
from woosync.sandbox.text import sanitize_title

_UNPUBLISHED = frozenset({"draft", "pending"})
# WordPress schedules a published post dated a minute or more ahead, and publishes a scheduled one
# dated less than that ahead (wp_insert_post; both checked on a real WooCommerce 11.0.1 store)
_SCHEDULE_AHEAD = timedelta(minutes=1)


def write_product(
    env: Env, body: dict[str, Any], product_id: int | None, *, strict: bool, count: bool = True
) -> dict[str, Any]:
    """Create (``product_id`` None) or update one product; returns the stored record.

    ``strict`` applies WordPress schema validation (single endpoints); batch items skip it.
    Call with ``env.state.lock`` held.
    """
    state = env.state
    existing = None
    if product_id is None:
        if to_int(body.get("id")):
            raise ApiError(
                "woocommerce_rest_product_exists", "Cannot create existing product.", 400
            )
        record = new_record(state)
    else:
        existing = state.products.get(product_id)
        if existing is None:
            raise ApiError(*INVALID_ID, status=400)
        record = copy.deepcopy(existing)
    if strict:
        validate(body)
        check_brands(body.get("brands") if state.has_brands else None)
    if body.get("type") == "variation" or record["type"] == "variation":
        raise ApiError(*VARIATION_VIA_PRODUCTS, status=404)
    apply_fields(state, record, body)
    if "sku" in body:
        check_sku(state, record)
    plan = plan_images(env, body["images"]) if isinstance(body.get("images"), list) else None
    # Nothing below can fail: commit.
    if existing is None:
        record["id"] = state.new_post_id()
        if "categories" not in body:
            record["category_ids"] = [state.default_category_id]
    if isinstance(body.get("categories"), list):
        record["category_ids"] = resolve_categories(state, body["categories"])
    if isinstance(body.get("tags"), list):
        record["tag_ids"] = resolve_tags(state, body["tags"])
    if state.has_brands and isinstance(body.get("brands"), list):
        record["brand_ids"] = resolve_brands(state, body["brands"])
    if isinstance(body.get("attributes"), list):
        record["attributes"] = resolve_attributes(state, body["attributes"])
    if isinstance(body.get("default_attributes"), list):  # of the attributes just set
        chosen = resolve_options(state, record, body["default_attributes"])
        record["default_attributes"] = [value for value in chosen if value["value"]]
    if plan is not None:
        commit_images(state, record, plan)
    if existing is not None and existing["status"] == "trash" != record["status"]:
        trash.leave_trash(state, record)
    if existing is not None and existing["type"] == "variable" != record["type"]:
        delete_children(state, record, force=True)  # WooCommerce deletes them for good
    if body.get("slug"):
        record["slug"] = state.unique_product_slug(
            sanitize_title(to_str(body["slug"])), record["id"]
        )
    elif not record["slug"] and record["status"] not in _UNPUBLISHED:
        # WordPress names a draft or a pending product only once it is published (or private)
        record["slug"] = state.unique_product_slug(sanitize_title(record["name"]), record["id"])
    derive(record)
    if record["type"] == "variable":  # its stock status follows its variations
        record["stock_status"] = children_stock_status(state, record["id"])
    _schedule(state, record)
    # a new post's modified date is its post date (one dated ahead is modified in the future)
    record["date_modified"] = record["date_created"] if existing is None else state.now()
    if existing is not None:
        state.unindex_product(existing)
    state.index_product(record)
    state.touch()
    if count:
        env.stats.count_write("create" if existing is None else "update")
    return record


def _schedule(state: Any, record: dict[str, Any]) -> None:
    if record["status"] not in ("publish", "future"):
        return
    ahead = datetime.fromisoformat(record["date_created"]) - datetime.fromisoformat(state.now())
    record["status"] = "future" if ahead >= _SCHEDULE_AHEAD else "publish"


def publish_due(state: Any) -> int:
    """WordPress's cron: each scheduled product whose date has come is published, its modified
    date left as it was (``wp_publish_post`` changes the status only). Returns how many."""
    now = state.now()
    due = [
        record
        for record in state.products.values()
        if record["status"] == "future" and record["date_created"] <= now
    ]
    for record in due:
        record["status"] = "publish"
    if due:
        state.touch()
    return len(due)


def delete_product(env: Env, home: str, product_id: int, force: bool) -> dict[str, Any]:
    """Trash or delete; returns the product as it was before. Call with the lock held."""
    state = env.state
    record = state.products.get(product_id)
    if record is None:
        raise ApiError(*INVALID_ID, status=404)
    if record["type"] == "variation":
        raise ApiError(*VARIATION_VIA_PRODUCTS, status=404)
    before = render_product(state, home, record, "edit")
    if record["type"] == "variable" and (force or record["status"] != "trash"):
        delete_children(state, record, force)
    if force:
        state.unindex_product(record)
        del state.products[product_id]
    else:
        if record["status"] == "trash":
            raise ApiError(
                "woocommerce_rest_already_trashed", "The product has already been deleted.", 410
            )
        state.unindex_product(record)
        trash.move_to_trash(state, record)
        record["date_modified"] = state.now()
        state.index_product(record)
    state.touch()
    env.stats.count_write("delete")
    return before
