"""``/products``: list, create, retrieve, update, delete and batch, as WooCommerce 11 answers them."""

from __future__ import annotations

from typing import Any

from woosync.sandbox.env import Env
from woosync.sandbox.http import ApiError, Request, Response, invalid_params, is_true
from woosync.sandbox.products.coerce import to_int
from woosync.sandbox.products.listing import list_products
from woosync.sandbox.products.render import render_product
from woosync.sandbox.products.schema import INVALID_ID, ROUTE
from woosync.sandbox.products.write import delete_product, write_product
from woosync.sandbox.state import State

__all__ = ["list_products"]

BATCH_LIMIT = 100


# handlers --------------------------------------------------------------------------------------


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
