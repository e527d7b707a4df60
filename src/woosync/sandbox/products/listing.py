"""``GET /products``: query parameters, filtering, sorting and pagination.

The parameters are checked as WordPress checks them (``rest_not_in_enum``, ``rest_invalid_date``)
and parsed into a ``ProductQuery``, which is also the key of the state's list cache: a 10,000-product
store paged 100 at a time filters and sorts once, then only renders each page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, NamedTuple

from woosync.sandbox.env import Env
from woosync.sandbox.http import (
    Request,
    Response,
    collection,
    id_list,
    invalid_param,
    is_true,
    paging,
)
from woosync.sandbox.products.coerce import stored_date, to_decimal
from woosync.sandbox.products.render import render_product
from woosync.sandbox.products.schema import TYPES, enum_text
from woosync.sandbox.state import State, is_variation, sku_key

ORDERBY = ("date", "id", "include", "title", "slug", "modified", "menu_order", "price")
LIST_STATUSES = ("any", "future", "trash", "draft", "pending", "private", "publish")
_DATE_FORMAT = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}(:?\d{2})?)?$"
)
# Ties break by id, as the database's row order does.
SORT_KEYS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "id": lambda r: r["id"],
    "date": lambda r: (r["date_created"], r["id"]),
    "modified": lambda r: (r["date_modified"], r["id"]),
    "title": lambda r: (r["name"].casefold(), r["id"]),
    "slug": lambda r: (r["slug"], r["id"]),
    "menu_order": lambda r: (r["menu_order"], r["name"].casefold(), r["id"]),
    "price": lambda r: (to_decimal(r["sale_price"] or r["regular_price"]) or Decimal(0), r["id"]),
    "include": lambda r: (r["date_created"], r["id"]),
}


class ProductQuery(NamedTuple):
    """What a listing asks for, checked and normalised (hashable: the list cache's key)."""

    status: str
    orderby: str
    order: str
    kind: str | None
    skus: tuple[str, ...] | None
    include: tuple[int, ...]
    exclude: tuple[int, ...]
    search: str  # casefolded
    modified_after: str | None
    modified_before: str | None
    after: str | None
    before: str | None
    slug: str | None
    categories: tuple[int, ...]
    tags: tuple[int, ...]
    stock_status: str | None
    featured: bool | None
    parents: tuple[int, ...]


def list_products(env: Env, request: Request) -> Response:
    page, per_page, start = paging(request)
    context = request.context
    query = parse_query(request)
    state = env.state
    with state.lock:
        ids = state.cache_get(query)
        if ids is None:
            ids = matching_ids(state, query)
            state.cache_put(query, ids)
        total = len(ids)
        items = [
            render_product(state, request.home, state.products[i], context)
            for i in ids[start : start + per_page]
        ]
    return collection(request, items, total, page, per_page)


def parse_query(request: Request) -> ProductQuery:
    """The listing parameters; the first bad one raises ``rest_invalid_param``, in this order."""
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
    return ProductQuery(
        status=status,
        orderby=orderby,
        order=order,
        kind=kind,
        skus=skus,
        include=tuple(id_list(request.query.get("include"))),
        exclude=tuple(id_list(request.query.get("exclude"))),
        search=request.query.get("search", "").casefold(),
        modified_after=_date_param(request, "modified_after"),
        modified_before=_date_param(request, "modified_before"),
        after=_date_param(request, "after"),
        before=_date_param(request, "before"),
        slug=request.query.get("slug") or None,
        categories=tuple(id_list(request.query.get("category"))),
        tags=tuple(id_list(request.query.get("tag"))),
        stock_status=request.query.get("stock_status") or None,
        featured=is_true(request.query["featured"]) if "featured" in request.query else None,
        parents=tuple(id_list(request.query.get("parent"))),
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


def matching_ids(state: State, query: ProductQuery, pool: list[int] | None = None) -> list[int]:
    """The ids of the products ``query`` selects, in the order it asks for.

    ``pool`` narrows the candidates to one parent's variations (``/products/{id}/variations``).
    """
    records = _filter(state, query, pool)
    include = query.include
    if query.orderby == "include" and include:
        position = {product_id: n for n, product_id in enumerate(include)}
        records.sort(key=lambda r: position.get(r["id"], len(position)))
    elif query.orderby == "price" and any(r["type"] == "variable" for r in records):
        records.sort(key=_price_key(state, query.order == "desc"), reverse=query.order == "desc")
    else:
        records.sort(key=SORT_KEYS[query.orderby], reverse=query.order == "desc")
    return [r["id"] for r in records]


def _price_key(state: State, descending: bool) -> Callable[[dict[str, Any]], Any]:
    """Price order as WooCommerce's lookup table gives it: a variable product sorts by its
    cheapest published variation going up and by its dearest going down."""
    simple = SORT_KEYS["price"]

    def key(record: dict[str, Any]) -> Any:
        if record["type"] != "variable":
            return simple(record)
        prices = [
            simple(child)[0]
            for child in state.variations_of(record["id"])
            if child["status"] == "publish" and (child["sale_price"] or child["regular_price"])
        ]
        if not prices:
            return (Decimal(0), record["id"])
        return (max(prices) if descending else min(prices), record["id"])

    return key


def _filter(
    state: State, query: ProductQuery, pool: list[int] | None = None
) -> list[dict[str, Any]]:
    include, skus = query.include, query.skus
    if pool is not None:
        if skus is not None:
            pool = [i for i in pool if sku_key(state.products[i]["sku"]) in skus]
        elif include:
            pool = [i for i in pool if i in include]
    elif skus is not None:  # the SKU index picks the candidates (variations too, as in WooCommerce)
        pool = [state.sku_index[s] for s in skus if s in state.sku_index]
    elif include:
        pool = [i for i in include if i in state.products and not is_variation(state.products[i])]
    else:
        pool = [i for i, record in state.products.items() if not is_variation(record)]
    records = [state.products[i] for i in pool]
    status = query.status
    if status == "any":
        records = [r for r in records if r["status"] != "trash"]
    else:
        records = [r for r in records if r["status"] == status]
    if include and skus is not None:
        records = [r for r in records if r["id"] in include]
    if exclude := query.exclude:
        records = [r for r in records if r["id"] not in exclude]
    if kind := query.kind:
        records = [r for r in records if r["type"] == kind]
    if search := query.search:
        records = [
            r
            for r in records
            if search in r["name"].casefold()
            or search in r["description"].casefold()
            or search in r["short_description"].casefold()
        ]
    if modified_after := query.modified_after:
        records = [r for r in records if r["date_modified"] > modified_after]
    if modified_before := query.modified_before:
        records = [r for r in records if r["date_modified"] < modified_before]
    if after := query.after:
        records = [r for r in records if r["date_created"] > after]
    if before := query.before:
        records = [r for r in records if r["date_created"] < before]
    if query.slug:
        slugs = set(query.slug.split(","))
        records = [r for r in records if r["slug"] in slugs]
    if query.categories:
        categories = set(query.categories)
        records = [r for r in records if categories.intersection(r["category_ids"])]
    if query.tags:
        tags = set(query.tags)
        records = [r for r in records if tags.intersection(r["tag_ids"])]
    if stock_status := query.stock_status:
        records = [r for r in records if r["stock_status"] == stock_status]
    if (featured := query.featured) is not None:
        records = [r for r in records if r["featured"] == featured]
    if parents := query.parents:
        records = [r for r in records if r["parent_id"] in parents]
    return records
