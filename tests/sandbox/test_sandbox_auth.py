"""Authentication as a real store does it: OAuth 1.0a over HTTP, Basic/query keys only over HTTPS."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest

from woosync.sandbox import SandboxStore

Capture = Callable[[str], dict[str, Any]]
URL = "http://store.test/wp-json/wc/v3/products"


def enc(value: str) -> str:
    return quote(value, safe="~")


def signed_params(
    key: str,
    secret: str,
    *,
    method: str = "GET",
    url: str = URL,
    extra: dict[str, str] | None = None,
    algorithm: str = "HMAC-SHA1",
    timestamp: int | None = None,
    nonce: str = "abc123",
) -> dict[str, str]:
    """OAuth 1.0a one-legged, computed here by hand (RFC 5849 section 3.4)."""
    params = {
        **(extra or {}),
        "oauth_consumer_key": key,
        "oauth_timestamp": str(int(time.time()) if timestamp is None else timestamp),
        "oauth_nonce": nonce,
        "oauth_signature_method": algorithm,
    }
    normalized = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params.items()))
    base = f"{method}&{enc(url)}&{enc(normalized)}"
    digest = {"HMAC-SHA1": hashlib.sha1, "HMAC-SHA256": hashlib.sha256}[algorithm]
    signature = hmac.new(f"{secret}&".encode(), base.encode(), digest).digest()
    return {**params, "oauth_signature": base64.b64encode(signature).decode()}


@pytest.fixture
def raw(store: SandboxStore) -> httpx.Client:
    return httpx.Client(transport=httpx.WSGITransport(app=store.wsgi_app))


def error(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["code"], body["message"]


def test_hand_computed_sha1_and_sha256_signatures_are_accepted(
    raw: httpx.Client, keys: tuple[str, str]
) -> None:
    for n, algorithm in enumerate(("HMAC-SHA1", "HMAC-SHA256")):
        params = signed_params(*keys, extra={"per_page": "1"}, algorithm=algorithm, nonce=f"n{n}")
        response = raw.get(f"{URL}?{urlencode(params)}")
        assert response.status_code == 200, response.text
        assert response.headers["X-WP-Total"] == "0"


def test_oauth_in_the_authorization_header_is_accepted(
    store: SandboxStore, keys: tuple[str, str], client_for: Callable[..., httpx.Client]
) -> None:
    with client_for(store, *keys, in_header=True) as api:
        response = api.get("/products", params={"per_page": 1})
    assert response.status_code == 200 and "oauth_signature" not in str(response.request.url)


def test_tampered_requests_are_rejected_with_woocommerce_errors(
    raw: httpx.Client, keys: tuple[str, str], capture: Capture
) -> None:
    key, secret = keys
    wrong_secret = signed_params(key, "cs_wrong", nonce="n1")
    assert error(raw.get(URL, params=wrong_secret)) == (
        401,
        "woocommerce_rest_authentication_error",
        "Invalid signature - provided signature does not match.",
    )
    assert (
        raw.get(URL, params=wrong_secret).json()
        == capture("error_bad_signature_http_oauth1.json")["response"]["body"]
    )
    tampered = signed_params(key, secret, extra={"per_page": "1"}, nonce="n2")
    tampered["per_page"] = "2"
    assert error(raw.get(URL, params=tampered))[2].startswith("Invalid signature")
    unknown = signed_params("ck_unknown", secret, nonce="n3")
    assert (
        raw.get(URL, params=unknown).json()
        == capture("error_bad_consumer_key_http_oauth1.json")["response"]["body"]
    )
    stale = signed_params(key, secret, timestamp=int(time.time()) - 20 * 60, nonce="n4")
    assert (
        raw.get(URL, params=stale).json()
        == capture("error_oauth1_stale_timestamp.json")["response"]["body"]
    )
    future = signed_params(key, secret, timestamp=int(time.time()) + 20 * 60, nonce="n5")
    assert error(raw.get(URL, params=future))[2] == "Invalid timestamp."
    missing = signed_params(key, secret, nonce="n6")
    del missing["oauth_nonce"]
    assert (
        raw.get(URL, params=missing).json()
        == capture("error_oauth1_missing_param.json")["response"]["body"]
    )
    bad_method = {**signed_params(key, secret, nonce="n7"), "oauth_signature_method": "PLAINTEXT"}
    assert error(raw.get(URL, params=bad_method))[2] == (
        "Invalid signature - signature method is invalid."
    )


def test_a_nonce_works_once(raw: httpx.Client, keys: tuple[str, str], capture: Capture) -> None:
    params = signed_params(*keys, nonce="once")
    assert raw.get(URL, params=params).status_code == 200
    replay = raw.get(URL, params=params)
    assert replay.json() == capture("error_oauth1_nonce_reused.json")["response"]["body"]


def test_a_bad_signature_does_not_burn_the_nonce(raw: httpx.Client, keys: tuple[str, str]) -> None:
    assert raw.get(URL, params=signed_params(keys[0], "cs_wrong", nonce="x")).status_code == 401
    assert raw.get(URL, params=signed_params(*keys, nonce="x")).status_code == 200


def test_form_body_params_are_signed(raw: httpx.Client, keys: tuple[str, str]) -> None:
    form = {"name": "Form & friends", "regular_price": "2.00"}
    params = signed_params(*keys, method="POST", extra=form)
    response = raw.post(URL, data=params)
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "Form &amp; friends"


def test_keys_outside_oauth_are_ignored_over_plain_http(
    raw: httpx.Client, keys: tuple[str, str], capture: Capture
) -> None:
    key, secret = keys
    refused = capture("auth_http_basic_refused.json")["response"]["body"]
    assert raw.get(URL, auth=(key, secret)).json() == refused
    assert raw.get(URL, params={"consumer_key": key, "consumer_secret": secret}).json() == refused
    forwarded = raw.get(URL, auth=(key, secret), headers={"X-Forwarded-Proto": "https"})
    assert (
        forwarded.json()
        == capture("auth_http_basic_with_x_forwarded_proto.json")["response"]["body"]
    )
    anonymous = raw.get(URL)
    assert anonymous.json() == capture("auth_none.json")["response"]["body"]
    assert "Allow" not in anonymous.headers and anonymous.headers["Vary"] == "Origin"


def test_https_takes_basic_auth_and_query_keys(
    raw: httpx.Client, keys: tuple[str, str], capture: Capture
) -> None:
    key, secret = keys
    https = "https://store.test/wp-json/wc/v3/products"
    assert raw.get(https, auth=(key, secret)).status_code == 200
    assert (
        raw.get(https, params={"consumer_key": key, "consumer_secret": secret}).status_code == 200
    )
    wrong = raw.get(https, auth=(key, "cs_wrong"))
    assert wrong.json() == capture("error_bad_consumer_secret_https_basic.json")["response"]["body"]
    unknown = raw.get(https, auth=("ck_unknown", secret))
    assert unknown.json() == capture("error_bad_consumer_key_https_basic.json")["response"]["body"]


def test_key_permissions(
    store: SandboxStore, client_for: Callable[..., httpx.Client], capture: Capture
) -> None:
    with client_for(store, *store.create_key("read")) as reader:
        assert reader.get("/products").status_code == 200
        denied = reader.post("/products", json={"name": "nope"})
        assert denied.json() == capture("error_readonly_key_write.json")["response"]["body"]
        assert reader.post("/products/batch", json={"delete": [1]}).status_code == 401
        assert "Allow" not in denied.headers and "Expires" in denied.headers
    with client_for(store, *store.create_key("write")) as writer:
        assert writer.post("/products", json={"name": "yes"}).status_code == 201
        assert error(writer.get("/products"))[2] == (
            "The API key provided does not have read permissions."
        )
    assert len(store.products) == 1


def test_anonymous_errors_name_the_action(anon: httpx.Client) -> None:
    assert error(anon.get("/products/10"))[1:] == (
        "woocommerce_rest_cannot_view",
        "Sorry, you cannot view this resource.",
    )
    assert error(anon.post("/products", json={}))[1] == "woocommerce_rest_cannot_create"
    assert error(anon.put("/products/10", json={}))[1] == "woocommerce_rest_cannot_edit"
    assert error(anon.delete("/products/10"))[1] == "woocommerce_rest_cannot_delete"
    assert error(anon.post("/products/batch", json={}))[1] == "woocommerce_rest_cannot_batch"


def test_rest_route_urls_never_authenticate(raw: httpx.Client, keys: tuple[str, str]) -> None:
    url = "http://store.test/"
    params = signed_params(*keys, url=url, extra={"rest_route": "/wc/v3/products"})
    response = raw.get(url, params=params)
    assert error(response)[:2] == (401, "woocommerce_rest_cannot_view")
    index = raw.get(url, params={"rest_route": "/"})
    assert index.status_code == 200 and index.json()["name"] == "Sandbox Store"


def test_public_indexes_and_unknown_routes(
    raw: httpx.Client, api: httpx.Client, capture: Capture
) -> None:
    site = raw.get("http://store.test/wp-json/", params={"_fields": "name,url,namespaces"}).json()
    assert set(site) == {"name", "url", "namespaces"} and "wc/v3" in site["namespaces"]
    namespace = raw.get("http://store.test/wp-json/wc/v3")
    assert (
        namespace.status_code == 200
        and "/wc/v3/products/(?P<id>[\\d]+)" in namespace.json()["routes"]
    )
    assert namespace.headers["Allow"] == "GET"
    missing = api.get("/nope")
    assert missing.json() == capture("error_route_not_found.json")["response"]["body"]
    assert api.request("PATCH", "/products").json()["code"] == "rest_no_route"
    assert raw.get("http://store.test/product/x/").status_code == 404


def test_system_status_reports_versions(api: httpx.Client, anon: httpx.Client) -> None:
    body = api.get(
        "/system_status", params={"_fields": "environment.version,environment.wp_version,settings"}
    ).json()
    assert body["environment"] == {"version": "11.0.1", "wp_version": "7.0.4"}
    assert body["settings"]["currency"] == "USD"
    assert anon.get("/system_status").status_code == 401
