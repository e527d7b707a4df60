"""Retries: 429 with Retry-After, 502/503/504, timeouts and connection errors — only when safe to repeat."""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from pytest_httpx import HTTPXMock

from manual_clock import ManualClock
from woo.woo_helpers import assert_signed, capture_response
from woosync.woo import WooClient, WooHTTPError, WooTimeoutError, WooTransportError
from woosync.woo.retry import retry_after_seconds


def test_429_waits_as_long_as_retry_after_says(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient], sleeps: list[float]
) -> None:
    httpx_mock.add_response(status_code=429, headers={"Retry-After": "3"}, text="slow down")
    httpx_mock.add_response(**capture_response("auth_http_oauth1_ok"))
    client = make_client()

    assert client.get("/products") == []

    assert sleeps == [3.0]
    assert client.stats.retries == 1
    assert client.stats.requests == 2
    nonces = {assert_signed(request) for request in httpx_mock.get_requests()}
    assert len(nonces) == 2


def test_retry_after_as_http_date_and_capped_at_backoff_max(
    httpx_mock: HTTPXMock,
    make_client: Callable[..., WooClient],
    sleeps: list[float],
    clock: ManualClock,
) -> None:
    soon = format_datetime(clock.now() + timedelta(seconds=8), usegmt=True)
    httpx_mock.add_response(status_code=429, headers={"Retry-After": soon})
    httpx_mock.add_response(status_code=503, headers={"Retry-After": "3600"})
    httpx_mock.add_response(**capture_response("auth_http_oauth1_ok"))

    make_client(backoff_max=20.0).get("/products")

    assert sleeps[0] == 8.0  # the date, read on woosync's clock
    assert sleeps[1] == 20.0


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_back_off_exponentially_with_jitter(
    status: int,
    httpx_mock: HTTPXMock,
    make_client: Callable[..., WooClient],
    sleeps: list[float],
) -> None:
    for _ in range(3):
        httpx_mock.add_response(status_code=status, text="<html>bad gateway</html>")
    httpx_mock.add_response(**capture_response("auth_http_oauth1_ok"))

    make_client(backoff_base=1.0, backoff_max=3.0).get("/products")

    assert len(sleeps) == 3
    for attempt, waited in enumerate(sleeps, start=1):
        assert 0.0 <= waited <= min(3.0, 1.0 * 2 ** (attempt - 1))


def test_retries_are_capped_then_the_last_answer_is_raised(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient], sleeps: list[float]
) -> None:
    for _ in range(3):
        httpx_mock.add_response(
            status_code=503,
            json={"code": "busy", "message": "Try later.", "data": {"status": 503}},
        )
    client = make_client(max_retries=2)

    with pytest.raises(WooHTTPError) as raised:
        client.get("/products")

    assert raised.value.status == 503
    assert raised.value.code == "busy"
    assert len(httpx_mock.get_requests()) == 3
    assert len(sleeps) == 2


def test_a_read_timeout_is_retried(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient], sleeps: list[float]
) -> None:
    httpx_mock.add_exception(httpx.ReadTimeout("timed out"))
    httpx_mock.add_response(**capture_response("auth_http_oauth1_ok"))

    assert make_client().get("/products") == []
    assert len(sleeps) == 1


def test_timeouts_that_never_end_become_woo_timeout_error(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    for _ in range(2):
        httpx_mock.add_exception(httpx.ReadTimeout("timed out"))

    with pytest.raises(WooTimeoutError, match=r"127\.0\.0\.1:8080 did not answer within 7 s"):
        make_client(max_retries=1, timeout=7.0).get("/products")


def test_post_is_not_retried(httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]) -> None:
    httpx_mock.add_response(status_code=503)
    client = make_client()

    with pytest.raises(WooHTTPError) as raised:
        client.post("/products", {"name": "Tee"})

    assert raised.value.status == 503
    assert len(httpx_mock.get_requests()) == 1
    assert client.stats.retries == 0


def test_a_post_that_timed_out_is_not_replayed(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_exception(httpx.ReadTimeout("timed out"))

    with pytest.raises(WooTimeoutError):
        make_client().post("/products", {"name": "Tee"})
    assert len(httpx_mock.get_requests()) == 1


def test_post_marked_idempotent_is_retried(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(status_code=503)
    httpx_mock.add_response(json={"ok": True})

    response = make_client().request("POST", "/products/1", json={}, idempotent=True)

    assert response.json() == {"ok": True}
    assert len(httpx_mock.get_requests()) == 2


def test_put_and_delete_are_retried(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(method="PUT", status_code=502)
    httpx_mock.add_response(method="PUT", json={"id": 1})
    httpx_mock.add_response(method="DELETE", status_code=504)
    httpx_mock.add_response(method="DELETE", json={"id": 1})
    client = make_client()

    assert client.put("/products/1", {"name": "x"}) == {"id": 1}
    assert client.delete("/products/1", {"force": True}) == {"id": 1}
    assert client.stats.by_method == {"PUT": 2, "DELETE": 2}


def test_a_put_changing_stock_by_a_delta_is_not_replayed(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    """``inventory_delta`` is added to the store's quantity: a PUT whose answer was lost may
    have been applied, and sent again it would count the change twice."""
    httpx_mock.add_exception(httpx.ReadTimeout("timed out"))

    with pytest.raises(WooTimeoutError):
        make_client().put("/products/1", {"inventory_delta": -2})
    assert len(httpx_mock.get_requests()) == 1


def test_refused_connections_are_retried_then_reported(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    for _ in range(3):
        error = httpx.ConnectError("[Errno 111] Connection refused")
        error.__cause__ = ConnectionRefusedError(111, "Connection refused")
        httpx_mock.add_exception(error)

    with pytest.raises(WooTransportError, match=r"connection to 127\.0\.0\.1:8080 refused"):
        make_client(max_retries=2).get("/products")
    assert len(httpx_mock.get_requests()) == 3


def test_dns_failures_are_not_retried(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    error = httpx.ConnectError("[Errno -2] Name or service not known")
    error.__cause__ = socket.gaierror(-2, "Name or service not known")
    httpx_mock.add_exception(error)

    with pytest.raises(WooTransportError, match=r"cannot resolve host no-such-shop\.invalid"):
        make_client("http://no-such-shop.invalid").get("/products")
    assert len(httpx_mock.get_requests()) == 1


def test_retry_after_parsing() -> None:
    now = datetime(2025, 12, 11, 10, 0, tzinfo=UTC)

    def parse(value: str) -> float | None:
        return retry_after_seconds(httpx.Response(429, headers={"Retry-After": value}), now=now)

    assert parse("120") == 120.0
    assert parse("Thu, 11 Dec 2025 10:00:30 GMT") == 30.0
    assert parse("Thu, 11 Dec 2025 09:00:00 GMT") == 0.0
    assert parse("soon") is None
    assert retry_after_seconds(httpx.Response(429)) is None


# --- one policy for every call: 500 on reads, creates looked up before they are repeated ---------


def test_a_500_on_a_read_is_retried(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient], sleeps: list[float]
) -> None:
    httpx_mock.add_response(status_code=500, text="<html>500 Internal Server Error</html>")
    httpx_mock.add_response(**capture_response("auth_http_oauth1_ok"))

    assert make_client().get("/products/categories") == []
    assert len(sleeps) == 1


def test_a_500_on_a_write_is_not_retried(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(method="PUT", status_code=500, text="<html>500</html>")
    client = make_client()

    with pytest.raises(WooHTTPError) as raised:
        client.put("/products/1", {"name": "x"})
    assert raised.value.status == 500
    assert client.stats.requests == 1


def test_a_create_whose_answer_was_lost_is_looked_up_not_sent_again(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient], sleeps: list[float]
) -> None:
    httpx_mock.add_exception(httpx.ReadTimeout("timed out"), method="POST")
    lookups: list[int] = []

    def lookup() -> dict[str, int] | None:
        lookups.append(1)
        return {"id": 42}

    client = make_client()
    assert client.create("/products/tags", {"name": "gift"}, lookup=lookup) == {"id": 42}
    assert len(lookups) == 1 and len(sleeps) == 1
    assert [r.method for r in httpx_mock.get_requests()] == ["POST"]


@pytest.mark.parametrize(
    "failure",
    [
        {"status_code": 429, "headers": {"Retry-After": "2"}, "text": "slow down"},
        {"status_code": 503, "text": "<html>503</html>"},
        {"status_code": 500, "json": {"code": "db_error", "message": "Oops"}},
    ],
)
def test_a_refused_or_failed_create_is_repeated_after_a_lookup_finds_nothing(
    failure: dict[str, object],
    httpx_mock: HTTPXMock,
    make_client: Callable[..., WooClient],
    sleeps: list[float],
) -> None:
    httpx_mock.add_response(method="POST", **failure)  # type: ignore[arg-type]
    httpx_mock.add_response(method="POST", status_code=201, json={"id": 7, "name": "gift"})
    client = make_client()

    assert client.create("/products/tags", {"name": "gift"}, lookup=lambda: None)["id"] == 7
    assert len(httpx_mock.get_requests()) == 2
    assert client.stats.retries == 1
    if failure["status_code"] == 429:
        assert sleeps == [2.0]  # Retry-After is honoured for creates too


def test_a_create_refused_for_good_is_not_repeated(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(
        method="POST", status_code=400, json={"code": "rest_invalid_param", "message": "Bad."}
    )
    looked: list[int] = []
    with pytest.raises(WooHTTPError):
        make_client().create("/products/tags", {"name": ""}, lookup=lambda: looked.append(1))
    assert looked == [] and len(httpx_mock.get_requests()) == 1


def test_a_create_gives_up_after_the_policy_s_retries(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    for _ in range(3):
        httpx_mock.add_response(method="POST", status_code=503, text="<html>503</html>")
    client = make_client(max_retries=2)
    looked: list[int] = []

    def lookup() -> None:
        looked.append(1)

    with pytest.raises(WooHTTPError):
        client.create("/products/tags", {"name": "gift"}, lookup=lookup)
    assert client.stats.requests == 3 and client.stats.retries == 2
    assert len(looked) == 3  # before each repeat, and after the last attempt
