"""Authentication as WooCommerce checks it: OAuth 1.0a over http (verified independently), Basic over https."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable

import httpx
import pytest
from pytest_httpx import HTTPXMock

from woo.woo_helpers import (
    HTTP_STORE,
    HTTPS_STORE,
    KEY,
    SECRET,
    assert_signed,
    capture_response,
    expected_signature,
    oauth_params,
    rfc3986,
)
from woosync.core.errors import ValidationError
from woosync.woo import WooClient, WooRedirectError
from woosync.woo.auth import oauth1_sign

API = f"{HTTP_STORE}/wp-json/wc/v3"


def test_oauth_signature_over_http_matches_woocommerces_own_computation(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(**capture_response("auth_http_oauth1_ok"))
    client = make_client()

    # Values that need encoding: a space, a plus, a slash, a comma, non-ASCII, a bracketed key.
    client.get("/products", {"per_page": 1, "sku": "A B+C/é", "_fields": "id,sku", "a[b]": "x"})

    request = httpx_mock.get_request()
    assert request is not None
    assert request.url.path == "/wp-json/wc/v3/products"
    assert_signed(request)
    params = oauth_params(request)
    assert params["sku"] == "A B+C/é" and params["_fields"] == "id,sku"
    assert len(params["oauth_nonce"]) >= 16 and params["oauth_timestamp"].isdigit()


def test_the_signature_check_in_these_tests_can_fail(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(**capture_response("auth_http_oauth1_ok"))
    make_client().get("/products")
    request = httpx_mock.get_request()
    assert request is not None
    signature = oauth_params(request)["oauth_signature"]
    assert signature != expected_signature(request.url, "GET", SECRET + "x")
    assert signature != expected_signature(request.url, "POST", SECRET)


def test_post_json_body_is_not_signed_and_keys_stay_out_of_the_query(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(**capture_response("product_get", status_code=201))
    make_client().post("/products", {"name": "Tee", "regular_price": "5.00"})

    request = httpx_mock.get_request()
    assert request is not None
    assert request.method == "POST"
    assert_signed(request)
    assert "oauth_body_hash" not in oauth_params(request)
    assert json.loads(request.content) == {"name": "Tee", "regular_price": "5.00"}


def test_every_attempt_is_signed_afresh(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(status_code=503)
    httpx_mock.add_response(status_code=503)
    httpx_mock.add_response(**capture_response("auth_http_oauth1_ok"))
    make_client().get("/products")

    nonces = [assert_signed(request) for request in httpx_mock.get_requests()]
    assert len(nonces) == 3
    assert len(set(nonces)) == 3


def test_oauth1_sign_uses_secret_and_ampersand_as_the_key() -> None:
    signed = httpx.URL(oauth1_sign(f"{API}/products?per_page=5", "GET", KEY, SECRET))
    params = dict(signed.params)
    assert params["per_page"] == "5"
    assert params["oauth_signature"] == expected_signature(signed, "GET", SECRET)


def test_basic_auth_over_https_and_no_oauth(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(**capture_response("auth_https_basic_ok"))
    client = make_client(HTTPS_STORE)
    assert client.auth_scheme == "basic"

    assert client.get("/products", {"per_page": 1}) == []

    request = httpx_mock.get_request()
    assert request is not None
    expected = base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert str(request.url) == f"{HTTPS_STORE}/wp-json/wc/v3/products?per_page=1"


def test_http_store_redirecting_to_https_is_a_clear_error_and_not_followed(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(
        status_code=301,
        headers={
            "Location": "https://shop.example/wp-json/wc/v3/products?oauth_signature=abc&oauth_consumer_key=x"
        },
    )
    client = make_client("http://shop.example")

    with pytest.raises(WooRedirectError) as raised:
        client.post("/products", {"name": "Tee"})

    assert len(httpx_mock.get_requests()) == 1
    message = str(raised.value)
    assert "the store redirects to https://shop.example; use that URL" in message
    assert "oauth" not in message
    assert raised.value.location == "https://shop.example"
    assert raised.value.exit_code == 5


@pytest.mark.parametrize(
    ("given", "root"),
    [
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("https://Shop.Example/wp-json/wc/v3/products", "https://shop.example"),
        ("https://shop.example/blog/wp-json/", "https://shop.example/blog"),
    ],
)
def test_store_url_is_the_site_root(given: str, root: str) -> None:
    with WooClient(given, KEY, SECRET) as client:
        assert client.store_url == root
        assert client.api_url == root + "/wp-json/wc/v3"


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("https://shop.example/?rest_route=/wc/v3/products", "rest_route"),
        ("ftp://shop.example", "http(s)"),
        ("shop.example", "http(s)"),
        ("https://user:pw@shop.example", "user name or password"),
    ],
)
def test_unusable_store_urls_are_refused(url: str, fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        WooClient(url, KEY, SECRET)


def test_repr_shows_no_credentials() -> None:
    with WooClient(HTTP_STORE, KEY, SECRET) as client:
        text = repr(client) + repr(client._signer)
    assert KEY not in text and SECRET not in text


@pytest.mark.parametrize(
    ("store_url", "signed_as"),
    [
        ("http://shop.example/shop", "http://shop.example/shop/wp-json/wc/v3/products"),
        ("HTTP://Shop.Example:80/shop/", "http://shop.example/shop/wp-json/wc/v3/products"),
        (
            "http://shop.example:8080/wp/shop",
            "http://shop.example:8080/wp/shop/wp-json/wc/v3/products",
        ),
        ("http://[::1]:8080/shop", "http://[::1]:8080/shop/wp-json/wc/v3/products"),
    ],
)
def test_oauth_signs_the_site_address_with_its_subdirectory_and_port(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient], store_url: str, signed_as: str
) -> None:
    """WordPress in a subdirectory, on another port: WooCommerce signs home_url + path, with no
    default port; the signature must match that base URL, written out here, not derived."""
    httpx_mock.add_response(**capture_response("auth_http_oauth1_ok"))
    make_client(store_url).get("/products", {"per_page": 1})
    request = httpx_mock.get_request()
    assert request is not None
    assert str(request.url).startswith(signed_as + "?")
    params = oauth_params(request)
    pairs = sorted((rfc3986(k), rfc3986(v)) for k, v in params.items() if k != "oauth_signature")
    joined = "&".join(f"{k}={v}" for k, v in pairs)
    base_string = f"GET&{rfc3986(signed_as)}&{rfc3986(joined)}"
    digest = hmac.new(f"{SECRET}&".encode(), base_string.encode(), hashlib.sha256).digest()
    assert params["oauth_signature"] == base64.b64encode(digest).decode()
