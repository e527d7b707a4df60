"""``/products/{product_id}/variations``: list, create, retrieve, update, delete and batch; and
``/variations`` (WooCommerce 10.3 and later), the variations of many parents in one listing.

Variations are written one parent at a time (``/products/batch`` refuses them), with the same
paging headers, per-item batch errors and 100-item limit as products.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from woosync.sandbox.env import Env
from woosync.sandbox.http import Request, Response, collection, is_true, paging
from woosync.sandbox.products.batch import run_batch
from woosync.sandbox.products.listing import matching_ids, parse_query
from woosync.sandbox.products.variation_render import render_variation, variations_route
from woosync.sandbox.products.variation_write import (
    delete_variation,
    find_variation,
    write_variation,
)


def _ids(request: Request) -> tuple[int, int | None]:
    params = request.url_params
    return int(params["product_id"]), int(params["id"]) if "id" in params else None


def list_variations(env: Env, request: Request) -> Response:
    """A parent's variations (an unknown parent has none), newest first unless asked otherwise."""
    parent_id, _ = _ids(request)
    page, per_page, start = paging(request)
    context = request.context
    # The variations collection has no ``type`` parameter: WordPress ignores it there.
    query = parse_query(
        replace(request, query={k: v for k, v in request.query.items() if k != "type"})
    )
    state = env.state
    with state.lock:
        key = ("variations", parent_id, *query)
        ids = state.cache_get(key)
        if ids is None:
            ids = matching_ids(state, query, pool=list(state.children.get(parent_id, [])))
            state.cache_put(key, ids)
        items = [
            render_variation(state, request.home, state.products[i], context)
            for i in ids[start : start + per_page]
        ]
    return collection(request, items, len(ids), page, per_page)


def list_all_variations(env: Env, request: Request) -> Response:
    """``/variations`` (WooCommerce 10.3 and later): the variations of every parent, or of the
    parents ``parent`` lists (``parent=12,11``), paged and ordered as one parent's are."""
    page, per_page, start = paging(request)
    context = request.context
    parents = _parent_ids(request.query.get("parent", ""))
    query = parse_query(
        replace(request, query={k: v for k, v in request.query.items() if k not in _NOT_FILTERS})
    )
    state = env.state
    with state.lock:
        key = ("all variations", parents, *query)
        ids = state.cache_get(key)
        if ids is None:
            wanted = state.children if parents is None else parents
            pool = [i for parent in wanted for i in state.children.get(parent, [])]
            ids = matching_ids(state, query, pool=pool)
            state.cache_put(key, ids)
        items = [
            render_variation(state, request.home, state.products[i], context)
            for i in ids[start : start + per_page]
        ]
    return collection(request, items, len(ids), page, per_page)


_NOT_FILTERS = ("type", "parent")  # no type parameter there; parent is read apart


def _parent_ids(value: str) -> tuple[int, ...] | None:
    """WordPress's ``wp_parse_id_list``: ids apart by commas or spaces; what is not a number is
    0 (no parent has it). ``None`` when none is given: every parent."""
    parts = [part for part in value.replace(" ", ",").split(",") if part]
    if not parts:
        return None
    return tuple(dict.fromkeys(abs(int(p)) if p.lstrip("-").isdigit() else 0 for p in parts))


def create_variation(env: Env, request: Request) -> Response:
    parent_id, _ = _ids(request)
    body = request.json_body()
    with env.state.lock:
        record = write_variation(env, parent_id, body, None, strict=True)
        rendered = render_variation(env.state, request.home, record, "edit")
    response = Response(201, rendered)
    return response.header(
        "Location", f"{request.api_base}{variations_route(parent_id)}/{record['id']}"
    )


def get_variation(env: Env, request: Request) -> Response:
    parent_id, variation_id = _ids(request)
    context = request.context
    with env.state.lock:
        record = find_variation(env.state, parent_id, variation_id or 0)
        return Response(200, render_variation(env.state, request.home, record, context))


def update_variation(env: Env, request: Request) -> Response:
    parent_id, variation_id = _ids(request)
    body = request.json_body()
    with env.state.lock:
        record = write_variation(env, parent_id, body, variation_id, strict=True)
        return Response(200, render_variation(env.state, request.home, record, "edit"))


def remove_variation(env: Env, request: Request) -> Response:
    parent_id, variation_id = _ids(request)
    force = is_true(request.param("force", False))
    with env.state.lock:
        body = delete_variation(env, request.home, parent_id, variation_id or 0, force)
    return Response(200, body)


def batch_variations(env: Env, request: Request) -> Response:
    parent_id, _ = _ids(request)

    def write(item: dict[str, Any], variation_id: int | None) -> dict[str, Any]:
        record = write_variation(env, parent_id, item, variation_id, strict=False)
        return render_variation(env.state, request.home, record, "edit")

    return run_batch(
        env,
        request,
        write,
        lambda variation_id: delete_variation(env, request.home, parent_id, variation_id, True),
        # a delete that failed names what it was asked (WooCommerce 11 answers it so)
        failed_delete=lambda variation_id: {
            "id": variation_id,
            "product_id": parent_id,
            "force": True,
        },
    )
