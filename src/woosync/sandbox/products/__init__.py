"""``/products``: list, create, retrieve, update, delete and batch, as WooCommerce 11 answers them."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

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
from woosync.sandbox.products.coerce import stored_date, to_decimal, to_int
from woosync.sandbox.products.render import render_product
from woosync.sandbox.products.schema import INVALID_ID, ROUTE, TYPES, enum_text
from woosync.sandbox.products.write import delete_product, write_product
from woosync.sandbox.state import State, sku_key

BATCH_LIMIT = 100


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
