"""``/products``: list, create, retrieve, update, delete and batch, as WooCommerce 11 answers them."""

from __future__ import annotations

import copy
import posixpath
import re
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from woosync.sandbox.env import Env
from woosync.sandbox.http import (
    ApiError,
    Request,
    Response,
    collection,
    id_list,
    invalid_param,
    invalid_params,
    is_true,
    paging,
)
from woosync.sandbox.products.coerce import (
    clean,
    decimal_text,
    stored_date,
    to_decimal,
    to_int,
    to_str,
)
from woosync.sandbox.products.render import render_product
from woosync.sandbox.products.schema import (
    BOOL_FIELDS,
    ENUM_FIELDS,
    INT_FIELDS,
    INVALID_ID,
    ROUTE,
    SCHEMA,
    STATUSES,
    STRING_FIELDS,
    TYPES,
    enum_text,
    validate,
)
from woosync.sandbox.state import CATEGORY, TAG, State, attribute_taxonomy, sku_key
from woosync.sandbox.text import kses, sanitize_title, term_name

BATCH_LIMIT = 100
IMAGE_EXTENSIONS = frozenset(
    ["jpg", "jpeg", "jpe", "gif", "png", "bmp", "tiff", "tif", "ico", "webp"]
)


# lenient coercion (batch items skip schema validation, like WooCommerce) --------------------------


# records ---------------------------------------------------------------------------------------
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


def _apply_scalars(state: State, record: dict[str, Any], body: dict[str, Any]) -> None:
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
        if name in body and SCHEMA[name][1] and body[name] in SCHEMA[name][1]:  # type: ignore[operator]
            record[name] = body[name]
    for name in BOOL_FIELDS:
        if name in body:
            record[name] = is_true(body[name])
    for name in INT_FIELDS:
        if name in body:
            record[name] = to_int(body[name])
    for name in ("date_on_sale_from", "date_on_sale_to", "date_created"):
        for key in (name, f"{name}_gmt"):
            if key in body:
                record[name] = (
                    stored_date(body[key])
                    if name != "date_created"
                    else (stored_date(body[key]) or record[name])
                )
    for name in ("upsell_ids", "cross_sell_ids", "grouped_products"):
        if isinstance(body.get(name), list):
            record[name] = [i for i in id_list(body[name]) if i in state.products]
    if isinstance(body.get("downloads"), list):
        record["downloads"] = [
            {
                "id": to_str(d.get("id")) or f"{abs(hash(to_str(d.get('file')))):x}",
                "name": to_str(d.get("name")),
                "file": to_str(d.get("file")),
            }
            for d in body["downloads"]
            if isinstance(d, dict)
        ]
    if isinstance(body.get("default_attributes"), list):
        record["default_attributes"] = [
            {
                "id": to_int(d.get("id")),
                "name": to_str(d.get("name")),
                "option": to_str(d.get("option")),
            }
            for d in body["default_attributes"]
            if isinstance(d, dict)
        ]
    if "shipping_class" in body:
        record["shipping_class"] = ""  # the sandbox has no shipping classes; unknown slugs drop
    _apply_stock(record, body)
    if isinstance(body.get("meta_data"), list):
        _merge_meta(state, record, body["meta_data"])


def _apply_stock(record: dict[str, Any], body: dict[str, Any]) -> None:
    if "manage_stock" in body:
        record["manage_stock"] = is_true(body["manage_stock"])
    if "stock_quantity" in body:
        value = body["stock_quantity"]
        record["stock_quantity"] = None if value in (None, "") else to_int(value)
    if "inventory_delta" in body and record["manage_stock"]:
        record["stock_quantity"] = (record["stock_quantity"] or 0) + to_int(body["inventory_delta"])
    if "low_stock_amount" in body:
        value = body["low_stock_amount"]
        record["low_stock_amount"] = None if value in (None, "") else to_int(value)
    if body.get("stock_status") in ("instock", "outofstock", "onbackorder"):
        record["stock_status"] = body["stock_status"]


def _merge_meta(state: State, record: dict[str, Any], entries: list[Any]) -> None:
    for entry in entries:
        if not isinstance(entry, dict) or "key" not in entry:
            continue
        key = to_str(entry["key"])
        if key.startswith("_"):
            continue  # protected meta is not writable through the API
        target = None
        for meta in record["meta_data"]:
            if (entry.get("id") and meta["id"] == to_int(entry["id"])) or (
                not entry.get("id") and meta["key"] == key
            ):
                target = meta
                break
        if target is None:
            record["meta_data"].append(
                {"id": state.new_meta_id(), "key": key, "value": entry.get("value")}
            )
        else:
            target["key"], target["value"] = key, entry.get("value")


def _derive(record: dict[str, Any]) -> None:
    """What WooCommerce recomputes on every save."""
    if not record["manage_stock"]:
        record["stock_quantity"] = None
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


def _check_sku(state: State, record: dict[str, Any]) -> None:
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


# images ----------------------------------------------------------------------------------------
def _plan_images(env: Env, images: list[Any]) -> list[tuple[str, Any, dict[str, Any]]]:
    """Check every image entry; ``src`` entries are downloaded (counted) here, as WooCommerce does."""
    plan: list[tuple[str, Any, dict[str, Any]]] = []
    for entry in images:
        image = entry if isinstance(entry, dict) else {}
        image_id = to_int(image.get("id"))
        if not image_id and image.get("src"):
            src = to_str(image["src"]).strip()
            parts = urlsplit(src)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise _image_error(
                    f"Error getting remote image {src}. Error: A valid URL was not provided."
                )
            env.stats.count_download()
            host = parts.hostname
            if host == "invalid" or host.endswith(".invalid"):
                raise _image_error(
                    f"Error getting remote image {src}. Error: cURL error 6: Could not resolve "
                    f"host: {host}"
                )
            filename = posixpath.basename(parts.path)
            if "." not in filename:
                # No extension in the URL: WooCommerce names the file after the answer's
                # Content-Type, which image hosts send as image/*.
                filename = "image.jpeg"
            if filename.rsplit(".", 1)[-1].lower() not in IMAGE_EXTENSIONS:
                raise _image_error(
                    "Invalid image: Sorry, you are not allowed to upload this file type."
                )
            plan.append(("src", filename, image))
        else:
            if image_id not in env.state.media:
                raise ApiError(
                    "woocommerce_product_invalid_image_id",
                    f"#{image_id} is an invalid image ID.",
                    400,
                )
            plan.append(("id", image_id, image))
    return plan


def _image_error(message: str) -> ApiError:
    return ApiError("woocommerce_product_image_upload_error", message, 400)


def _sideload(state: State, filename: str, parent: int) -> int:
    now = state.now()
    folder = f"{now[:4]}/{now[5:7]}"
    stem, _, extension = filename.rpartition(".")
    stem = sanitize_title(stem) or "image"
    base = f"{folder}/{stem}.{extension}"
    name, n = base, state.media_suffixes.get(base, 1)
    while name in state.media_files:  # wp_unique_filename: x.jpg, x-1.jpg, x-2.jpg, ...
        name = f"{folder}/{stem}-{n}.{extension}"
        n += 1
    state.media_suffixes[base] = n
    media_id = state.new_post_id()
    state.media[media_id] = {
        "id": media_id,
        "date_created": now,
        "date_modified": now,
        "file": name,
        "name": stem,
        "alt": "",
        "parent": parent,
    }
    state.media_files.add(name)
    return media_id


def _commit_images(
    state: State, record: dict[str, Any], plan: list[tuple[str, Any, dict[str, Any]]]
) -> None:
    ids: list[int] = []
    for kind, value, image in plan:
        media_id = _sideload(state, value, record["id"]) if kind == "src" else value
        media = state.media[media_id]
        if image.get("alt"):
            media["alt"] = clean(image["alt"])
        if image.get("name"):
            media["name"] = to_str(image["name"])
        if image.get("alt") or image.get("name"):
            media["date_modified"] = state.now()
        ids.append(media_id)
    record["image_ids"] = ids


# terms and attributes on a product -------------------------------------------------------------
def _resolve_categories(state: State, entries: list[Any]) -> list[int]:
    ids = []
    for entry in entries:
        term_id = to_int(entry.get("id")) if isinstance(entry, dict) else 0
        if term_id in state.taxonomies[CATEGORY] and term_id not in ids:
            ids.append(term_id)
    return ids or [state.default_category_id]


def _resolve_tags(state: State, entries: list[Any]) -> list[int]:
    ids = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        term_id = to_int(entry.get("id"))
        if not term_id and entry.get("name"):
            name = term_name(to_str(entry["name"]))
            term = state.find_term(TAG, name=name)
            if term is None and name:
                term = state.add_term(
                    TAG, name, state.unique_term_slug(TAG, sanitize_title(name) or "tag")
                )
            term_id = term["id"] if term else 0
        if term_id in state.taxonomies[TAG] and term_id not in ids:
            ids.append(term_id)
    return ids


def _options(raw: Any) -> list[str]:
    values = raw.split("|") if isinstance(raw, str) else raw if isinstance(raw, list) else []
    return [to_str(v).strip() for v in values if to_str(v).strip()]


def _resolve_attributes(state: State, entries: list[Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        attribute_id = to_int(entry.get("id"))
        common = {
            "position": abs(to_int(entry.get("position"))),
            "visible": is_true(entry.get("visible", False)),
            "variation": is_true(entry.get("variation", False)),
        }
        if attribute_id:
            options = _options(entry.get("options"))
            if attribute_id not in state.attributes or not options:
                continue
            taxonomy = attribute_taxonomy(attribute_id)
            term_ids: list[int] = []
            for option in options:
                name = term_name(option)
                term = state.find_term(taxonomy, name=name) or state.find_term(
                    taxonomy, slug=sanitize_title(option)
                )
                if term is None:
                    slug = state.unique_term_slug(taxonomy, sanitize_title(name) or "term")
                    term = state.add_term(taxonomy, name, slug)
                if term["id"] not in term_ids:
                    term_ids.append(term["id"])
            out.append({"id": attribute_id, **common, "term_ids": term_ids})
        elif entry.get("name") and "options" in entry:
            out.append(
                {
                    "id": 0,
                    "name": clean(entry["name"]),
                    **common,
                    "options": _options(entry["options"]),
                }
            )
    out.sort(key=lambda a: a["position"])
    return out


# writing ---------------------------------------------------------------------------------------
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
    _apply_scalars(state, record, body)
    if "sku" in body:
        _check_sku(state, record)
    plan = _plan_images(env, body["images"]) if isinstance(body.get("images"), list) else None
    # Nothing below can fail: commit.
    if existing is None:
        record["id"] = state.new_post_id()
        if "categories" not in body:
            record["category_ids"] = [state.default_category_id]
    if isinstance(body.get("categories"), list):
        record["category_ids"] = _resolve_categories(state, body["categories"])
    if isinstance(body.get("tags"), list):
        record["tag_ids"] = _resolve_tags(state, body["tags"])
    if isinstance(body.get("attributes"), list):
        record["attributes"] = _resolve_attributes(state, body["attributes"])
    if plan is not None:
        _commit_images(state, record, plan)
    if body.get("slug"):
        record["slug"] = state.unique_product_slug(
            sanitize_title(to_str(body["slug"])), record["id"]
        )
    elif existing is None:
        record["slug"] = state.unique_product_slug(sanitize_title(record["name"]), record["id"])
    _derive(record)
    record["date_modified"] = state.now()
    if existing is not None:
        state.unindex_product(existing)
    state.index_product(record)
    state.touch()
    if count:
        env.stats.count_write("create" if existing is None else "update")
    return record


def delete_product(env: Env, home: str, product_id: int, force: bool) -> dict[str, Any]:
    """Trash or delete; returns the product as it was before. Call with the lock held."""
    state = env.state
    record = state.products.get(product_id)
    if record is None:
        raise ApiError(*INVALID_ID, status=404)
    before = render_product(state, home, record, "edit")
    if force:
        state.unindex_product(record)
        del state.products[product_id]
    else:
        if record["status"] == "trash":
            raise ApiError(
                "woocommerce_rest_already_trashed", "The product has already been deleted.", 410
            )
        state.unindex_product(record)
        record["status"] = "trash"
        record["slug"] = f"{record['slug']}__trashed"
        record["date_modified"] = state.now()
        state.index_product(record)
    state.touch()
    env.stats.count_write("delete")
    return before


# reading ---------------------------------------------------------------------------------------


# handlers --------------------------------------------------------------------------------------
_DATE_FORMAT = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}(:?\d{2})?)?$"
)


def _date_param(request: Request, name: str) -> str | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return None
    if not _DATE_FORMAT.match(raw.strip()):
        raise invalid_param(name, "Invalid date.", "rest_invalid_date")
    return stored_date(raw.strip().replace(" ", "T"))


def _enum_param(request: Request, name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = request.query.get(name, default) or default
    if value not in allowed:
        raise invalid_param(name, f"{name} is not one of {enum_text(allowed)}.", "rest_not_in_enum")
    return value


ORDERBY = ("date", "id", "include", "title", "slug", "modified", "menu_order", "price")
LIST_STATUSES = ("any", "future", "trash", "draft", "pending", "private", "publish")


def list_products(env: Env, request: Request) -> Response:
    page, per_page, start = paging(request)
    context = request.context
    status = _enum_param(request, "status", "any", LIST_STATUSES)
    orderby = _enum_param(request, "orderby", "date", ORDERBY)
    order = _enum_param(request, "order", "desc", ("asc", "desc"))
    kind = request.query.get("type") or None
    if kind is not None and kind not in TYPES:
        raise invalid_param("type", f"type is not one of {enum_text(TYPES)}.", "rest_not_in_enum")
    raw_sku = re.sub(r"<[^>]*>", "", request.query.get("sku", "")).strip()
    skus: tuple[str, ...] | None = None
    if raw_sku not in ("", "0"):  # PHP-empty values are ignored, as WooCommerce does
        parts = [part.strip() for part in raw_sku.split(",")] + [raw_sku]
        skus = tuple(dict.fromkeys(sku_key(p) for p in parts if p))
    key = (
        status,
        orderby,
        order,
        kind,
        skus,
        tuple(id_list(request.query.get("include"))),
        tuple(id_list(request.query.get("exclude"))),
        request.query.get("search", "").casefold(),
        _date_param(request, "modified_after"),
        _date_param(request, "modified_before"),
        _date_param(request, "after"),
        _date_param(request, "before"),
        request.query.get("slug") or None,
        tuple(id_list(request.query.get("category"))),
        tuple(id_list(request.query.get("tag"))),
        request.query.get("stock_status") or None,
        is_true(request.query["featured"]) if "featured" in request.query else None,
        tuple(id_list(request.query.get("parent"))),
    )
    state = env.state
    with state.lock:
        ids = state.cache_get(key)
        if ids is None:
            ids = _query(state, key)
            state.cache_put(key, ids)
        total = len(ids)
        items = [
            render_product(state, request.home, state.products[i], context)
            for i in ids[start : start + per_page]
        ]
    return collection(request, items, total, page, per_page)


def _query(state: State, key: tuple[Any, ...]) -> list[int]:
    (
        status,
        orderby,
        order,
        kind,
        skus,
        include,
        exclude,
        search,
        modified_after,
        modified_before,
        after,
        before,
        slug,
        categories,
        tags,
        stock_status,
        featured,
        parents,
    ) = key
    if skus is not None:
        pool = [state.sku_index[s] for s in skus if s in state.sku_index]
    elif include:
        pool = [i for i in include if i in state.products]
    else:
        pool = list(state.products)
    records = [state.products[i] for i in pool]
    if status == "any":
        records = [r for r in records if r["status"] != "trash"]
    else:
        records = [r for r in records if r["status"] == status]
    if include and skus is not None:
        records = [r for r in records if r["id"] in include]
    if exclude:
        records = [r for r in records if r["id"] not in exclude]
    if kind:
        records = [r for r in records if r["type"] == kind]
    if search:
        records = [
            r
            for r in records
            if search in r["name"].casefold()
            or search in r["description"].casefold()
            or search in r["short_description"].casefold()
        ]
    if modified_after:
        records = [r for r in records if r["date_modified"] > modified_after]
    if modified_before:
        records = [r for r in records if r["date_modified"] < modified_before]
    if after:
        records = [r for r in records if r["date_created"] > after]
    if before:
        records = [r for r in records if r["date_created"] < before]
    if slug:
        wanted = set(slug.split(","))
        records = [r for r in records if r["slug"] in wanted]
    if categories:
        records = [r for r in records if set(r["category_ids"]) & set(categories)]
    if tags:
        records = [r for r in records if set(r["tag_ids"]) & set(tags)]
    if stock_status:
        records = [r for r in records if r["stock_status"] == stock_status]
    if featured is not None:
        records = [r for r in records if r["featured"] == featured]
    if parents:
        records = [r for r in records if r["parent_id"] in parents]
    if orderby == "include" and include:
        position = {product_id: n for n, product_id in enumerate(include)}
        records.sort(key=lambda r: position.get(r["id"], len(position)))
        return [r["id"] for r in records]
    sort_keys: dict[str, Any] = {
        "id": lambda r: r["id"],
        "date": lambda r: (r["date_created"], r["id"]),
        "modified": lambda r: (r["date_modified"], r["id"]),
        "title": lambda r: (r["name"].casefold(), r["id"]),
        "slug": lambda r: (r["slug"], r["id"]),
        "menu_order": lambda r: (r["menu_order"], r["name"].casefold(), r["id"]),
        "price": lambda r: (
            to_decimal(r["sale_price"] or r["regular_price"]) or Decimal(0),
            r["id"],
        ),
        "include": lambda r: (r["date_created"], r["id"]),
    }
    records.sort(key=sort_keys[orderby], reverse=order == "desc")
    return [r["id"] for r in records]


def _product_id(request: Request) -> int:
    return int(request.url_params["id"])


def _single(request: Request, record: dict[str, Any], state: State, status: int = 200) -> Response:
    return Response(status, render_product(state, request.home, record, "edit"))


def get_product(env: Env, request: Request) -> Response:
    context = request.context
    with env.state.lock:
        record = env.state.products.get(_product_id(request))
        if record is None:
            raise ApiError(*INVALID_ID, status=404)
        body = render_product(env.state, request.home, record, context)
    return Response(200, body)


def create_product(env: Env, request: Request) -> Response:
    body = request.json_body()
    with env.state.lock:
        record = write_product(env, body, None, strict=True)
        response = _single(request, record, env.state, 201)
    return response.header("Location", f"{request.api_base}{ROUTE}/{record['id']}")


def update_product(env: Env, request: Request) -> Response:
    body = request.json_body()
    with env.state.lock:
        record = write_product(env, body, _product_id(request), strict=True)
        return _single(request, record, env.state)


def remove_product(env: Env, request: Request) -> Response:
    force = is_true(request.param("force", False))
    with env.state.lock:
        return Response(200, delete_product(env, request.home, _product_id(request), force))


def batch_size(body: Any) -> int:
    """Items in a batch body, counted the way the limit counts them."""
    if not isinstance(body, dict):
        return 0
    return sum(
        len(body[k]) for k in ("create", "update", "delete") if isinstance(body.get(k), list)
    )


def batch_products(env: Env, request: Request) -> Response:
    body = request.json_body()
    problems: dict[str, tuple[str, str, Any]] = {
        k: (f"{k} is not of type array.", "rest_invalid_type", {"param": k})
        for k in ("create", "update", "delete")
        if k in body and not isinstance(body[k], list)
    }
    if problems:
        raise invalid_params(problems)
    if batch_size(body) > BATCH_LIMIT:
        raise ApiError(
            "woocommerce_rest_request_entity_too_large",
            f"Unable to accept more than {BATCH_LIMIT} items for this request.",
            413,
        )
    out: dict[str, list[dict[str, Any]]] = {}
    state = env.state
    if body.get("create"):
        out["create"] = []
        for item in body["create"]:
            out["create"].append(
                _batch_one(env, request, item if isinstance(item, dict) else {}, None)
            )
    if body.get("update"):
        out["update"] = []
        for item in body["update"]:
            item = item if isinstance(item, dict) else {}
            out["update"].append(_batch_one(env, request, item, to_int(item.get("id"))))
    if body.get("delete"):
        out["delete"] = []
        for raw in body["delete"]:
            product_id = to_int(raw.get("id") if isinstance(raw, dict) else raw)
            if not product_id:
                continue
            try:
                with state.lock:
                    out["delete"].append(delete_product(env, request.home, product_id, True))
            except ApiError as error:
                out["delete"].append({"id": product_id, "error": _item_error(error)})
    return Response(200, out if out else [])


def _batch_one(
    env: Env, request: Request, item: dict[str, Any], product_id: int | None
) -> dict[str, Any]:
    try:
        with env.state.lock:
            record = write_product(env, item, product_id, strict=False)
            return render_product(env.state, request.home, record, "edit")
    except ApiError as error:
        return {"id": product_id or 0, "error": _item_error(error)}


def _item_error(error: ApiError) -> dict[str, Any]:
    body = error.body()
    return {"code": body["code"], "message": body["message"], "data": body["data"]}
