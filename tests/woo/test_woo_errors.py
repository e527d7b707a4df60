"""The store's error bodies and the odd answers on the way become typed errors with plain hints."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytest_httpx import HTTPXMock

from woo.woo_helpers import HTTPS_STORE, KEY, SECRET, capture_response
from woosync.core.errors import StoreError
from woosync.core.exit_codes import ExitCode
from woosync.woo import (
    WooAuthError,
    WooClient,
    WooError,
    WooHTTPError,
    WooNotFoundError,
    WooNotJSONError,
)

LOGIN_PAGE = """<!DOCTYPE html><html><head><title>Log In &lsaquo; Shop</title></head><body>
<form name="loginform" id="loginform" action="https://shop.example/wp-login.php" method="post">
<input type="password" name="pwd" id="user_pass"></form></body></html>"""


def assert_no_credentials(error: BaseException) -> None:
    text = str(error) + repr(error.args)
    assert KEY not in text and SECRET not in text
    assert "oauth_signature" not in text and "oauth_nonce" not in text


def test_cannot_view_over_http_says_the_request_was_anonymous(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(**capture_response("auth_http_basic_refused"))

    with pytest.raises(WooAuthError) as raised:
        make_client().get("/products")

    error = raised.value
    assert (error.status, error.code) == (401, "woocommerce_rest_cannot_view")
    assert error.message == "Sorry, you cannot list resources."
    assert str(error).startswith(
        "woocommerce_rest_cannot_view: Sorry, you cannot list resources. (HTTP 401) ("
    )
    assert "anonymous" in str(error) and "ignores Basic auth" in str(error)
    assert isinstance(error, StoreError) and error.exit_code == ExitCode.STORE
    assert_no_credentials(error)


def test_cannot_view_with_basic_auth_names_both_causes(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(**capture_response("auth_http_basic_refused"))

    with pytest.raises(WooAuthError) as raised:
        make_client(HTTPS_STORE).get("/products")

    hint = raised.value.hint or ""
    assert "consumer key is unknown" in hint
    assert "does not see HTTPS" in hint and "only accepts Basic auth over HTTPS" in hint


@pytest.mark.parametrize(
    ("capture_name", "code", "hint_part"),
    [
        (
            "error_bad_consumer_secret_https_basic",
            "woocommerce_rest_authentication_error",
            "key and secret",
        ),
        (
            "error_bad_consumer_key_http_oauth1",
            "woocommerce_rest_authentication_error",
            "key and secret",
        ),
        (
            "error_bad_signature_http_oauth1",
            "woocommerce_rest_authentication_error",
            "site's address",
        ),
        ("error_readonly_key_write", "woocommerce_rest_authentication_error", "Read/Write"),
    ],
)
def test_authentication_errors_keep_the_stores_code_and_message(
    capture_name: str,
    code: str,
    hint_part: str,
    httpx_mock: HTTPXMock,
    make_client: Callable[..., WooClient],
) -> None:
    httpx_mock.add_response(**capture_response(capture_name))

    with pytest.raises(WooAuthError) as raised:
        make_client().request("POST", "/products", json={"name": "x"})

    assert raised.value.code == code
    assert raised.value.message in str(raised.value)
    assert hint_part in (raised.value.hint or "")
    assert_no_credentials(raised.value)


def test_403_says_the_user_lacks_the_capability(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(
        status_code=403,
        json={
            "code": "woocommerce_rest_cannot_view",
            "message": "Sorry, you cannot list resources.",
            "data": {"status": 403},
        },
    )
    with pytest.raises(WooAuthError, match="Administrator or Shop Manager"):
        make_client().get("/products")


def test_rest_no_route_means_no_woocommerce_api_there(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(**capture_response("error_route_not_found"))

    with pytest.raises(WooNotFoundError) as raised:
        make_client().get("/nope")

    assert raised.value.code == "rest_no_route"
    assert "no WooCommerce REST API at that URL" in str(raised.value)


def test_unknown_product_is_not_found(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(**capture_response("error_product_bad_id"))

    with pytest.raises(WooNotFoundError) as raised:
        make_client().get("/products/99999999")

    assert str(raised.value) == "woocommerce_rest_product_invalid_id: Invalid ID. (HTTP 404)"


def test_duplicate_sku_keeps_the_stores_data(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(**capture_response("product_create_duplicate_sku"))

    with pytest.raises(WooHTTPError) as raised:
        make_client().post("/products", {"name": "Dup", "sku": "LAB-TEE-1795542910"})

    error = raised.value
    assert type(error) is WooHTTPError
    assert (error.status, error.code) == (400, "product_invalid_sku")
    assert error.data["resource_id"] == 10
    assert error.data["unique_sku"] == "LAB-TEE-1795542910-1"
    assert str(error) == "product_invalid_sku: Invalid or duplicated SKU. (HTTP 400)"


def test_invalid_param_details_are_available(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(**capture_response("error_invalid_param"))

    with pytest.raises(WooHTTPError) as raised:
        make_client().get("/products", {"per_page": 500})

    assert raised.value.code == "rest_invalid_param"
    assert "per_page" in raised.value.data["params"]
    assert str(raised.value) == (  # what WordPress says of the parameter, not only its name
        "rest_invalid_param: Invalid parameter(s): per_page: per_page must be between 1 "
        "(inclusive) and 100 (inclusive) (HTTP 400)"
    )


def test_an_html_page_is_not_json_and_names_the_url(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(
        html="<html><body><h1>Welcome to nginx!</h1></body></html>",
        headers={"Content-Type": "text/html"},
    )

    with pytest.raises(WooNotJSONError) as raised:
        make_client().get("/products", {"sku": "TEE"})

    error = raised.value
    assert error.status == 200
    assert "an HTML page instead of JSON" in str(error)
    assert "http://127.0.0.1:8080/wp-json/wc/v3/products?sku=TEE" in str(error)
    assert_no_credentials(error)


def test_a_login_page_is_recognised(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(html=LOGIN_PAGE)

    with pytest.raises(WooNotJSONError, match="login page"):
        make_client().get("/products")


def test_a_proxy_error_page_after_retries_is_not_json(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    for _ in range(2):
        httpx_mock.add_response(status_code=502, html="<html>502 Bad Gateway</html>")

    with pytest.raises(WooNotJSONError) as raised:
        make_client(max_retries=1).get("/products")

    assert raised.value.status == 502
    assert "try again later" in str(raised.value)


def test_an_html_404_means_no_rest_api_there(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(status_code=404, html="<!DOCTYPE html><title>Not found</title>")

    with pytest.raises(WooNotJSONError, match="no WordPress REST API there"):
        make_client().get("/products")


def test_every_error_is_one_catchable_store_error(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(**capture_response("error_product_bad_id"))
    with pytest.raises(WooError):
        make_client().get("/products/99999999")


def test_an_empty_2xx_answer_is_none(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(status_code=204)
    assert make_client().delete("/webhooks/3", {"force": True}) is None
