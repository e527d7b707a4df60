"""What each request does besides signing: no cookies kept, an answer quoting the request's
signature cleaned without working out its forms needlessly, URLs redacted when shown."""

from __future__ import annotations

import random
import string
from collections.abc import Callable

import httpx
import pytest
from pytest_httpx import HTTPXMock

from woo.woo_helpers import SECRET, capture_response
from woosync.core.logging import secret_forms
from woosync.woo import WooClient, WooHTTPError
from woosync.woo.site import ShownURL
from woosync.woo.translate import _may_quote

API = "http://127.0.0.1:8080/wp-json/wc/v3/products"


def test_cookies_a_store_sets_are_never_sent_back(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    cookie = {"Set-Cookie": "wordpress_logged_in_x=abc; Path=/"}
    httpx_mock.add_response(**capture_response("auth_http_oauth1_ok", headers=cookie))
    httpx_mock.add_response(**capture_response("auth_http_oauth1_ok"))
    client = make_client()
    client.get("/products")
    client.get("/products")

    first, second = httpx_mock.get_requests()
    assert "Cookie" not in second.headers and "Cookie" not in first.headers
    assert len(client._http.cookies) == 0


@pytest.mark.parametrize("seed", range(40))
def test_every_form_of_a_signature_is_caught_by_the_quick_check(seed: int) -> None:
    """The quick check is sound: a text holding any form of the signature always passes it."""
    rng = random.Random(seed)
    signature = "".join(rng.choice(string.ascii_letters + string.digits + "+/") for _ in range(43))
    signature += "="
    for form in secret_forms(signature):
        assert _may_quote(f'{{"echo": "x{form}y"}}', signature)
    assert not _may_quote('{"id": 1, "sku": "TEE"}', "Zm9vYmFyYmF6cXV4" + signature[16:])


def test_a_short_plain_start_is_checked_in_full() -> None:
    assert _may_quote("anything", "ab+cdefghijklmnop=")


def test_the_shown_url_is_redacted() -> None:
    shown = ShownURL(API, {"consumer_secret": SECRET, "sku": "A B", "oauth_signature": "abc"})
    text = str(shown)
    assert SECRET not in text and "abc" not in text
    assert "consumer_secret=REDACTED" in text and "sku=A" in text
    assert f"{shown}" == text and SECRET not in repr(shown)


def test_errors_name_the_redacted_url(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(status_code=400, json={"code": "x", "message": "no", "data": {}})
    with pytest.raises(WooHTTPError) as raised:
        make_client().get("/products", {"sku": "TEE", "consumer_secret": SECRET})
    assert raised.value.url == f"{API}?sku=TEE&consumer_secret=REDACTED"
    assert isinstance(raised.value.url, str)
    assert SECRET not in str(raised.value)


def test_an_https_store_gets_the_basic_header_and_httpx_encoded_params(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(json=[])
    make_client("https://shop.example").get("/products", {"search": "a b/c", "force": True})
    request = httpx_mock.get_request()
    assert request is not None
    assert request.url == httpx.URL(
        "https://shop.example/wp-json/wc/v3/products", params={"search": "a b/c", "force": True}
    )
    assert request.headers["Authorization"].startswith("Basic ")
