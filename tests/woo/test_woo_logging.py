"""Every request is logged at DEBUG (method, redacted URL, status, ms, attempt) — never a credential."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import httpx
import pytest
from pytest_httpx import HTTPXMock

from woo.woo_helpers import HTTPS_STORE, KEY, SECRET, capture_response, oauth_params
from woosync.woo import WooAuthError, WooClient

LINE = re.compile(
    r"^GET http://127\.0\.0\.1:8080/wp-json/wc/v3/products\?\S*per_page=1\S* -> (\d{3}) in \d+ ms "
    r"\(attempt (\d)\)$"
)


def all_text(caplog: pytest.LogCaptureFixture) -> str:
    parts = []
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(repr(record.args))
    return "\n".join(parts)


def test_debug_lines_are_complete_and_redacted(
    httpx_mock: HTTPXMock,
    make_client: Callable[..., WooClient],
    woo_logs: pytest.LogCaptureFixture,
) -> None:
    httpx_mock.add_response(status_code=429, headers={"Retry-After": "1"})
    httpx_mock.add_response(**capture_response("auth_http_oauth1_ok"))

    make_client().get("/products", {"per_page": 1})

    lines = [r.getMessage() for r in woo_logs.records if r.name == "woosync.woo"]
    matches = [LINE.match(line) for line in lines if line.startswith("GET ")]
    assert [(m.group(1), m.group(2)) for m in matches if m] == [("429", "1"), ("200", "2")]
    assert any(line.startswith("retrying GET") and "HTTP 429" in line for line in lines)
    assert "oauth_signature=REDACTED" in lines[0]
    assert "oauth_consumer_key=REDACTED" in lines[0]

    text = all_text(woo_logs)
    assert KEY not in text and SECRET not in text
    for request in httpx_mock.get_requests():
        params = oauth_params(request)
        assert params["oauth_signature"] not in text
        assert params["oauth_nonce"] not in text


def test_oauthlib_cannot_leak_signatures_even_at_debug(
    httpx_mock: HTTPXMock,
    make_client: Callable[..., WooClient],
    woo_logs: pytest.LogCaptureFixture,
) -> None:
    httpx_mock.add_response(**capture_response("auth_http_oauth1_ok"))
    make_client().get("/products")

    request = httpx_mock.get_request()
    assert request is not None
    signature = oauth_params(request)["oauth_signature"]
    assert not [r for r in woo_logs.records if r.name.startswith("oauthlib")]
    assert signature not in all_text(woo_logs)


def test_errors_and_failures_are_logged_without_credentials(
    httpx_mock: HTTPXMock,
    make_client: Callable[..., WooClient],
    woo_logs: pytest.LogCaptureFixture,
) -> None:
    httpx_mock.add_exception(httpx.ConnectError("[Errno 111] Connection refused"))
    httpx_mock.add_response(**capture_response("error_bad_consumer_secret_https_basic"))
    client = make_client(HTTPS_STORE, max_retries=1)

    with pytest.raises(WooAuthError) as raised:
        client.get("/products")

    lines = [r.getMessage() for r in woo_logs.records if r.name == "woosync.woo"]
    assert any("-> ConnectError after" in line and "(attempt 1)" in line for line in lines)
    assert any("-> 401 in" in line and "(attempt 2)" in line for line in lines)
    text = all_text(woo_logs) + str(raised.value)
    assert KEY not in text and SECRET not in text
    assert all(r.levelno <= logging.INFO for r in woo_logs.records)
