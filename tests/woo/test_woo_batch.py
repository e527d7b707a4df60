"""Batch writes: one request each, never replayed, per-item errors kept exactly as the store sent them."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

import httpx
import pytest
from pytest_httpx import HTTPXMock

from woo.woo_helpers import assert_signed, capture, capture_response
from woosync.woo import BatchResult, WooClient, WooHTTPError


def test_batch_answer_with_per_item_errors(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(**capture_response("products_batch"))
    sent = capture("products_batch")["request"]["body"]

    result = make_client().batch(
        "/products/batch",
        create=sent["create"],
        update=sent["update"],
        delete=[{"id": 99999998}],
    )

    request = httpx_mock.get_request()
    assert request is not None
    assert request.method == "POST" and request.url.path == "/wp-json/wc/v3/products/batch"
    assert json.loads(request.content) == sent
    assert_signed(request)

    assert isinstance(result, BatchResult)
    assert [item["id"] for item in result.create] == [15, 16, 0]
    assert result.create[2]["error"]["code"] == "product_invalid_sku"
    assert result.update[0]["id"] == 10 and "error" not in result.update[0]
    assert result.update[1]["error"]["code"] == "woocommerce_rest_product_invalid_id"
    assert result.delete == [
        {
            "id": 99999998,
            "error": {
                "code": "woocommerce_rest_product_invalid_id",
                "message": "Invalid ID.",
                "data": {"status": 404},
            },
        }
    ]
    assert [(kind, item["id"]) for kind, item in result.errors] == [
        ("create", 0),
        ("update", 99999999),
        ("delete", 99999998),
    ]


def test_an_empty_batch_sends_nothing(make_client: Callable[..., WooClient]) -> None:
    assert make_client().batch("/products/batch") == BatchResult()


def test_a_batch_is_never_replayed(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(status_code=503)

    with pytest.raises(WooHTTPError):
        make_client().batch("/products/batch", update=[{"id": 1, "name": "x"}])
    assert len(httpx_mock.get_requests()) == 1


def test_batch_chunks_splits_bounds_and_reports_each_chunk(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    lock = threading.Lock()
    in_flight = 0
    most = 0
    first_two_together = threading.Barrier(2, timeout=5)

    def answer(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most
        created = json.loads(request.content)["create"]
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        if created[0]["sku"] in ("S0", "S100"):
            first_two_together.wait()  # would time out if the chunks went one by one
        with lock:
            in_flight -= 1
        if created[0]["sku"] == "S100":
            return httpx.Response(
                413,
                json={
                    "code": "woocommerce_rest_request_entity_too_large",
                    "message": "Unable to accept more than 100 items for this request.",
                    "data": {"status": 413},
                },
            )
        return httpx.Response(200, json={"create": [{"id": 1000 + i} for i in range(len(created))]})

    httpx_mock.add_callback(answer, is_reusable=True)
    items = [{"name": f"P{i}", "sku": f"S{i}"} for i in range(250)]

    results = list(
        make_client().batch_chunks("/products/batch", items, "create", size=100, concurrency=2)
    )

    assert [len(chunk) for chunk, _ in results] == [100, 100, 50]
    assert [chunk[0]["sku"] for chunk, _ in results] == ["S0", "S100", "S200"]
    first, second, third = (outcome for _, outcome in results)
    assert isinstance(first, BatchResult) and len(first.create) == 100
    assert (
        isinstance(second, WooHTTPError)
        and second.code == "woocommerce_rest_request_entity_too_large"
    )
    assert isinstance(third, BatchResult) and len(third.create) == 50
    assert len(httpx_mock.get_requests()) == 3
    assert most == 2


def test_batch_chunks_deletes_by_id(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_callback(
        lambda request: httpx.Response(
            200, json={"delete": [{"id": i} for i in json.loads(request.content)["delete"]]}
        ),
        is_reusable=True,
    )

    results = list(
        make_client().batch_chunks(
            "/products/batch", [{"id": 7}, {"id": 8}, {"id": 9}], "delete", size=2
        )
    )

    bodies = [json.loads(r.content) for r in httpx_mock.get_requests()]
    assert sorted(body["delete"] for body in bodies) == [[7, 8], [9]]
    assert [[item["id"] for item in outcome.delete] for _, outcome in results] == [[7, 8], [9]]  # type: ignore[union-attr]


def test_batch_chunks_refuses_an_unknown_kind(make_client: Callable[..., WooClient]) -> None:
    with pytest.raises(ValueError, match="create, update or delete"):
        list(make_client().batch_chunks("/products/batch", [{}], "upsert"))  # type: ignore[arg-type]
