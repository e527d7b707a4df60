"""Pages by number (never by Link), fetched concurrently, put back in order, deduplicated, checked."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from woo.woo_helpers import HTTP_STORE, assert_signed, capture, capture_response, oauth_params
from woosync.woo import WooAuthError, WooClient, WooError

PRODUCTS = re.compile(re.escape(f"{HTTP_STORE}/wp-json/wc/v3/products") + r"\?.*")


def page_answer(ids: list[int], total: int, pages: int) -> httpx.Response:
    return httpx.Response(
        200,
        json=[{"id": i, "name": f"P{i}"} for i in ids],
        headers={"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)},
    )


def page_url(page: int) -> re.Pattern[str]:
    return re.compile(PRODUCTS.pattern + rf"[?&]page={page}(&.*)?$")


def page_of(request: httpx.Request) -> int:
    return int(request.url.params["page"])


def test_get_page_reads_the_totals(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(**capture_response("products_list"))

    items, total, pages = make_client().get_page("/products", {"orderby": "id"}, 1, per_page=2)

    assert [item["id"] for item in items] == [10, 11]
    assert (total, pages) == (5, 3)
    request = httpx_mock.get_request()
    assert request is not None
    assert (request.url.params["page"], request.url.params["per_page"]) == ("1", "2")


def test_list_all_reads_every_page_by_number_in_id_order(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    page3 = capture("product_get")["response"]["body"] | {"id": 14}
    # Pages 2 and 3 are fetched concurrently: each answer is bound to its page number.
    httpx_mock.add_response(**capture_response("products_list"), url=page_url(1))
    httpx_mock.add_response(**capture_response("products_list_page2"), url=page_url(2))
    httpx_mock.add_response(
        json=[page3], headers={"X-WP-Total": "5", "X-WP-TotalPages": "3"}, url=page_url(3)
    )
    seen_pages: list[list[int]] = []

    items = make_client().list_all(
        "/products", per_page=2, on_page=lambda page: seen_pages.append([p["id"] for p in page])
    )

    assert [item["id"] for item in items] == [10, 11, 12, 13, 14]
    assert seen_pages == [[10, 11], [12, 13], [14]]
    requests = httpx_mock.get_requests()
    assert sorted(page_of(r) for r in requests) == [1, 2, 3]
    stale_nonce = "418103817bb45ab071f9a784f79795a0"  # echoed in page 1's Link header
    for request in requests:
        params = oauth_params(request)
        assert (params["orderby"], params["order"], params["per_page"]) == ("id", "asc", "2")
        assert params["oauth_nonce"] != stale_nonce
        assert_signed(request)
    assert len({oauth_params(r)["oauth_nonce"] for r in requests}) == 3


def test_list_all_keeps_an_order_the_caller_chose(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_callback(lambda request: page_answer([1], 1, 1))

    make_client().list_all("/products", {"orderby": "modified", "order": "desc"})

    request = httpx_mock.get_request()
    assert request is not None
    assert (request.url.params["orderby"], request.url.params["order"]) == ("modified", "desc")


def test_an_empty_collection_is_one_request(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(**capture_response("auth_http_oauth1_ok"))  # X-WP-TotalPages: 0
    assert make_client().list_all("/products") == []
    assert len(httpx_mock.get_requests()) == 1


def test_pages_are_fetched_concurrently_but_bounded(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    in_flight = 0
    most = 0
    lock = threading.Lock()
    pages_2_and_3_together = threading.Barrier(2, timeout=5)

    def answer(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most
        page = page_of(request)
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        try:
            if page in (2, 3):
                pages_2_and_3_together.wait()  # would time out if pages ran one by one
            else:
                time.sleep(0.01)
            return page_answer([page], 8, 8)
        finally:
            with lock:
                in_flight -= 1

    httpx_mock.add_callback(answer, is_reusable=True)

    items = make_client().list_all("/products", per_page=1, concurrency=2)

    assert [item["id"] for item in items] == list(range(1, 9))
    assert most == 2


def test_duplicates_across_pages_are_dropped(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    # An item inserted before page 2 was read pushes id 2 onto page 2 as well.
    answers = {1: [1, 2], 2: [2, 3], 3: [4]}
    httpx_mock.add_callback(
        lambda request: page_answer(answers[page_of(request)], 4, 3), is_reusable=True
    )
    assert [item["id"] for item in make_client().list_all("/products", per_page=2)] == [1, 2, 3, 4]


def test_a_collection_that_changed_while_read_is_read_again(
    httpx_mock: HTTPXMock,
    make_client: Callable[..., WooClient],
    woo_logs: pytest.LogCaptureFixture,
) -> None:
    # First read: id 3 was deleted after page 1 -> page 2 shifted, id 4 missed, totals disagree.
    first = {1: ([1, 2], 5), 2: ([5], 4)}
    second = {1: ([1, 2], 4), 2: ([4, 5], 4)}
    reads: list[dict[int, tuple[list[int], int]]] = [first, first, second, second]

    def answer(request: httpx.Request) -> httpx.Response:
        ids, total = reads.pop(0)[page_of(request)]
        return page_answer(ids, total, 3 if total == 5 else 2)

    httpx_mock.add_callback(answer, is_reusable=True)
    # The first read also asks for page 3 (5 items / 2 per page): past the end now -> [].
    reads.insert(2, {3: ([], 4)})
    calls: list[list[dict[str, Any]]] = []

    items = make_client().list_all("/products", per_page=2, concurrency=1, on_page=calls.append)

    assert [item["id"] for item in items] == [1, 2, 4, 5]
    assert len(calls) == 3  # progress only from the first read
    warnings = [r.getMessage() for r in woo_logs.records if r.levelno == logging.WARNING]
    assert any("changed while it was read" in w and "5" in w and "4" in w for w in warnings)


def test_a_failing_page_stops_the_listing(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if page_of(request) == 2:
            return httpx.Response(
                401,
                json={
                    "code": "woocommerce_rest_authentication_error",
                    "message": "Invalid nonce - nonce has already been used.",
                    "data": {"status": 401},
                },
            )
        return page_answer([page_of(request)], 5, 5)

    httpx_mock.add_callback(answer, is_reusable=True, is_optional=True)

    with pytest.raises(WooAuthError, match="nonce has already been used"):
        make_client().list_all("/products", per_page=1, concurrency=1)
    assert sorted(page_of(r) for r in httpx_mock.get_requests())[:2] == [1, 2]


def test_a_full_page_without_totals_is_an_error_not_a_silently_short_listing(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    """A proxy or plugin that strips X-WP-Total/X-WP-TotalPages must not turn 250 products into
    the first 100: a full page without them says what is wrong; a short one is the whole list."""
    two = [{"id": 1}, {"id": 2}]
    httpx_mock.add_callback(lambda _request: httpx.Response(200, json=two), is_reusable=True)
    client = make_client()
    with pytest.raises(WooError, match="X-WP-TotalPages") as caught:
        client.list_all("/products", per_page=2)
    assert "strips" in str(caught.value)
    with pytest.raises(WooError, match="X-WP-TotalPages"):
        client.get_page("/products", None, 1, per_page=2)
    assert client.get_page("/products", None, 1, per_page=5) == (two, 2, 1)
    assert client.list_all("/products", per_page=5) == two
