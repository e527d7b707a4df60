"""store_info(): the public site index, then versions from system_status or a products probe."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from pytest_httpx import HTTPXMock

from woo.woo_helpers import HTTP_STORE, assert_signed, capture_response
from woosync.woo import StoreInfo, WooAuthError, WooClient, WooError, WooNotJSONError

INDEX = re.compile(re.escape(f"{HTTP_STORE}/wp-json/") + r"\?.*")
SYSTEM_STATUS = re.compile(re.escape(f"{HTTP_STORE}/wp-json/wc/v3/system_status") + r"\?.*")
PRODUCTS = re.compile(re.escape(f"{HTTP_STORE}/wp-json/wc/v3/products") + r"\?.*")
SITE_INDEX = {
    "name": "Lab Store",
    "description": "Just another WordPress site",
    "url": HTTP_STORE,
    "home": HTTP_STORE,
    "namespaces": ["oembed/1.0", "wc/store/v1", "wc/v3", "wp/v2"],
}


def test_store_info_reports_name_and_versions(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(url=INDEX, json=SITE_INDEX)
    httpx_mock.add_response(url=SYSTEM_STATUS, **capture_response("system_status_trimmed"))

    info = make_client().store_info()

    assert info == StoreInfo(
        store_name="Lab Store",
        wp_version="7.0.4",
        woo_version="11.0.1",
        store_url=HTTP_STORE,
        home_url=HTTP_STORE,
    )
    index_request, status_request = httpx_mock.get_requests()
    assert index_request.url.params["_fields"] == "name,description,url,home,namespaces"
    assert "oauth_signature" not in index_request.url.params  # public: no credentials sent
    assert "Authorization" not in index_request.headers
    assert status_request.url.params["_fields"] == "environment.version,environment.wp_version"
    assert_signed(status_request)


def test_a_site_without_wc_v3_is_not_a_woocommerce_store(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(url=INDEX, json=SITE_INDEX | {"namespaces": ["oembed/1.0", "wp/v2"]})

    with pytest.raises(WooError) as raised:
        make_client().store_info()

    assert "WooCommerce REST API (wc/v3) not found at http://127.0.0.1:8080" in str(raised.value)
    assert raised.value.exit_code == 5
    assert len(httpx_mock.get_requests()) == 1


def test_a_key_without_manage_woocommerce_falls_back_to_a_products_probe(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(url=INDEX, json=SITE_INDEX)
    httpx_mock.add_response(
        url=SYSTEM_STATUS,
        status_code=403,
        json={
            "code": "woocommerce_rest_cannot_view",
            "message": "Sorry, you cannot list resources.",
            "data": {"status": 403},
        },
    )
    httpx_mock.add_response(url=PRODUCTS, json=[{"id": 10}])

    info = make_client().store_info()

    assert (info.store_name, info.wp_version, info.woo_version) == ("Lab Store", None, None)
    probe = httpx_mock.get_requests()[-1]
    assert probe.url.path == "/wp-json/wc/v3/products"
    assert (probe.url.params["per_page"], probe.url.params["_fields"]) == ("1", "id")
    assert_signed(probe)


def test_a_failing_probe_raises_the_stores_error(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(url=INDEX, json=SITE_INDEX)
    httpx_mock.add_response(
        url=SYSTEM_STATUS, **capture_response("error_bad_signature_http_oauth1")
    )
    httpx_mock.add_response(url=PRODUCTS, **capture_response("error_bad_signature_http_oauth1"))

    with pytest.raises(WooAuthError) as raised:
        make_client().store_info()

    assert raised.value.code == "woocommerce_rest_authentication_error"
    assert "provided signature does not match" in str(raised.value)


def test_a_server_ignoring_nested_fields_still_gives_versions(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(url=INDEX, json=SITE_INDEX)
    httpx_mock.add_response(url=SYSTEM_STATUS, json={})
    httpx_mock.add_response(url=SYSTEM_STATUS, **capture_response("system_status_trimmed"))

    info = make_client().store_info()

    assert (info.wp_version, info.woo_version) == ("7.0.4", "11.0.1")
    assert httpx_mock.get_requests()[-1].url.params["_fields"] == "environment"


def test_no_rest_api_at_all(httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]) -> None:
    httpx_mock.add_response(
        url=INDEX, status_code=404, html="<html><title>Not Found</title></html>"
    )

    with pytest.raises(WooNotJSONError, match=r"no WordPress REST API there.*wp-json"):
        make_client().store_info()
