"""``POST /products/batch``: up to 100 creates, updates and deletes in one request.

Each item succeeds or fails on its own (a failed item answers ``{"id", "error"}`` in its place),
items skip the schema check the single endpoints apply, and the lock is taken per item, so other
clients' requests interleave with a long batch as they do on a real store.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from woosync.sandbox.env import Env
from woosync.sandbox.http import ApiError, Request, Response, invalid_params
from woosync.sandbox.products.coerce import to_int
from woosync.sandbox.products.render import render_product
from woosync.sandbox.products.write import delete_product, write_product

BATCH_LIMIT = 100


def batch_size(body: Any) -> int:
    """Items in a batch body, counted the way the limit counts them."""
    if not isinstance(body, dict):
        return 0
    return sum(
        len(body[k]) for k in ("create", "update", "delete") if isinstance(body.get(k), list)
    )


def batch_products(env: Env, request: Request) -> Response:
    def write(item: dict[str, Any], product_id: int | None) -> dict[str, Any]:
        record = write_product(env, item, product_id, strict=False)
        return render_product(env.state, request.home, record, "edit")

    return run_batch(
        env,
        request,
        write,
        lambda product_id: delete_product(env, request.home, product_id, True),
    )


def run_batch(
    env: Env,
    request: Request,
    write: Callable[[dict[str, Any], int | None], dict[str, Any]],
    delete: Callable[[int], dict[str, Any]],
    failed_delete: Callable[[int], Any] = lambda product_id: product_id,
) -> Response:
    """A batch request: ``write(item, None)`` creates, ``write(item, id)`` updates, deletes forced.

    Both callables are called with the state's lock held and raise ``ApiError`` for a failed item
    (a failed delete's ``id`` is ``failed_delete(id)``).
    """
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
                _batch_one(env, write, item if isinstance(item, dict) else {}, None)
            )
    if body.get("update"):
        out["update"] = []
        for item in body["update"]:
            item = item if isinstance(item, dict) else {}
            out["update"].append(_batch_one(env, write, item, to_int(item.get("id"))))
    if body.get("delete"):
        out["delete"] = []
        for raw in body["delete"]:
            product_id = to_int(raw.get("id") if isinstance(raw, dict) else raw)
            if not product_id:
                continue
            try:
                with state.lock:
                    out["delete"].append(delete(product_id))
            except ApiError as error:
                out["delete"].append({"id": failed_delete(product_id), "error": _item_error(error)})
    return Response(200, out if out else [])


def _batch_one(
    env: Env,
    write: Callable[[dict[str, Any], int | None], dict[str, Any]],
    item: dict[str, Any],
    product_id: int | None,
) -> dict[str, Any]:
    try:
        with env.state.lock:
            return write(item, product_id)
    except ApiError as error:
        return {"id": product_id or 0, "error": _item_error(error)}


def _item_error(error: ApiError) -> dict[str, Any]:
    body = error.body()
    return {"code": body["code"], "message": body["message"], "data": body["data"]}
