"""JSON on the wire (``woo/wire_json.py``): orjson where it agrees with the standard library, the
standard library where it does not; the client sends the bytes httpx's ``json=`` would."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from woo.woo_helpers import CAPTURES, capture, capture_response
from woosync.woo import WooClient
from woosync.woo.wire_json import dumps, loads


def _httpx_body(value: Any) -> bytes:
    """What httpx itself sends for ``json=value``."""
    return httpx.Request("POST", "http://store.test/", json=value).content


def _captured_bodies() -> list[Any]:
    found = []
    for path in sorted(Path(CAPTURES).rglob("*.json")):
        recorded = json.loads(path.read_text())
        for part in ("request", "response"):
            body = (recorded.get(part) or {}).get("body") if isinstance(recorded, dict) else None
            if body is not None:
                found.append(body)
    return found


def test_every_recorded_body_reads_and_writes_as_the_standard_library_does() -> None:
    bodies = _captured_bodies()
    assert len(bodies) > 50
    for body in bodies:
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
        assert loads(raw) == json.loads(raw)
        assert dumps(body) == _httpx_body(body)


@pytest.mark.parametrize(
    "value",
    [
        {"name": 'Tee "1" & co', "description": "<p>é ü 😀 \u2028 \x00 \x1f \\ /</p>"},
        {"create": [{"sku": "A", "regular_price": "10.00", "stock_quantity": 5}]},
        [True, False, 0, -1, 2**63 - 1, 1.5, 0.1, 1e16, -0.0],
        {"1": {"nested": [[], {}, ""]}},
    ],
)
def test_bodies_are_the_bytes_httpx_would_send(value: Any) -> None:
    assert dumps(value) == _httpx_body(value)


def test_what_orjson_writes_differently_goes_the_standard_way() -> None:
    assert dumps({"stock_quantity": None}) == b'{"stock_quantity":null}'
    assert dumps({1: "a"}) == _httpx_body({1: "a"}) == b'{"1":"a"}'  # a key that is not text
    with pytest.raises(ValueError, match="Out of range float"):
        dumps({"weight": math.nan})  # refused as httpx refuses it, never sent as null


@pytest.mark.parametrize(
    "raw",
    [b'{"a": NaN}', b"[1e400]", b'"\\ud800"', b"\xef\xbb\xbf[1]", b'{"a":1,"a":2}', b"-0"],
)
def test_answers_orjson_refuses_are_read_by_the_standard_library(raw: bytes) -> None:
    mine, theirs = loads(raw), json.loads(raw)
    assert repr(mine) == repr(theirs)


def test_what_is_not_json_raises_as_the_standard_library_does() -> None:
    with pytest.raises(json.JSONDecodeError):
        loads(b"<html>")
    with pytest.raises(RecursionError):
        loads(b"[" * 100_000 + b"]" * 100_000)


def test_the_client_sends_httpx_bytes_and_reads_the_answer(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(**capture_response("products_batch"))
    sent = capture("products_batch")["request"]["body"]
    body = {"create": sent["create"], "update": sent["update"]}

    result = make_client().batch("/products/batch", create=body["create"], update=body["update"])

    request = httpx_mock.get_request()
    assert request is not None
    assert request.content == _httpx_body(body)
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Content-Length"] == str(len(request.content))
    assert result.create == capture("products_batch")["response"]["body"]["create"]


def test_integers_within_64_bits_stay_integers() -> None:
    # PHP (WordPress) writes no integer beyond 64 bits: a larger number is a float there
    raw = b"[9223372036854775807, 18446744073709551615, -9223372036854775808]"
    assert loads(raw) == json.loads(raw)
    assert all(type(value) is int for value in loads(raw))
