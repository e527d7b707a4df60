"""``/products/{id}`` and ``POST /products``: retrieve, create, update and delete one product.

Thin handlers: each takes the state's lock, calls the write path or the renderer, and answers as
WooCommerce does (201 with ``Location`` on create; writes answer in ``context=edit``).
"""

from __future__ import annotations

from typing import Any

from woosync.sandbox.env import Env
from woosync.sandbox.http import ApiError, Request, Response, is_true
from woosync.sandbox.products.render import render_product
from woosync.sandbox.products.schema import INVALID_ID, ROUTE
from woosync.sandbox.products.write import delete_product, write_product
from woosync.sandbox.state import State


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
