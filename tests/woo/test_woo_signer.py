"""The client's OAuth 1.0a signer is byte for byte oauthlib's ``Client.sign``.

woosync signs each request with :class:`OAuth1Signer` (oauthlib's signature functions fed the
query as pairs, no per-request ``Client``); these tests hold it to what oauthlib's own
``Client.sign`` makes of the same URL, method, nonce and timestamp: the whole signed URL, not only
the signature, over query strings that need encoding, unicode, repeated and blank parameters,
both HMAC methods WooCommerce checks, and the requests the client really sends.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, SIGNATURE_HMAC_SHA256, SIGNATURE_TYPE_QUERY
from oauthlib.oauth1 import Client as OAuth1Client
from pytest_httpx import HTTPXMock

from woo.woo_helpers import KEY, SECRET, assert_signed, capture_response, oauth_params
from woosync.core.logging import scrub
from woosync.woo import WooClient
from woosync.woo.auth import OAuth1Signer, query_pairs

WC_KEY = "ck_" + "0a1b2c3d4e" * 4
WC_SECRET = "cs_" + "f9e8d7c6b5" * 4
NONCE, TIMESTAMP = "9182736455463728190", "1764850000"

URLS = [
    "http://127.0.0.1:8080/wp-json/wc/v3/products",
    "http://127.0.0.1:8080/wp-json/wc/v3/products/4711/variations/batch",
    "http://Shop.Example:80/shop/wp-json/wc/v3/products",
    "http://shop.example:8080/wp/shop/wp-json/wc/v3/products/12",
    "http://[::1]:8080/wp-json/wc/v3/products/categories",
]
QUERIES: list[list[tuple[str, str]]] = [
    [],
    [("per_page", "100"), ("page", "3"), ("orderby", "id"), ("order", "asc")],
    [("_fields", "id,sku,name,date_modified_gmt"), ("context", "edit")],
    [("sku", "A B+C/é"), ("search", "T-Shirt & Co; 100% Baumwolle")],
    [("sku", "ÄÖÜ-ß-日本-😀"), ("a[b]", "x"), ("a[b]", "y")],
    [("force", "true"), ("empty", ""), ("tilde~", "~*'()!")],
    [("parent", "0"), ("oauth_extra", "kept"), ("z", "last")],
]


def oauthlib_signed(url: str, method: str, key: str, secret: str, signature_method: str) -> str:
    """oauthlib's own ``Client.sign`` with the fixed nonce and timestamp (the reference)."""
    client = OAuth1Client(
        key,
        client_secret=secret,
        signature_method=signature_method,
        signature_type=SIGNATURE_TYPE_QUERY,
        nonce=NONCE,
        timestamp=TIMESTAMP,
    )
    signed, _headers, _body = client.sign(url, http_method=method)
    return str(signed)


def oauthlib_resigned(request: httpx.Request) -> str:
    """The URL oauthlib's ``Client.sign`` makes of ``request``'s URL without its OAuth
    parameters, with the nonce and timestamp the request was sent with."""
    params = oauth_params(request)
    sent = str(request.url)
    unsigned = [
        (k, v)
        for k, v in parse_qsl(request.url.query.decode(), keep_blank_values=True)
        if not k.startswith("oauth_")
    ]
    base = sent.split("?", 1)[0]
    signed, _headers, _body = OAuth1Client(
        KEY,
        client_secret=SECRET,
        signature_method=SIGNATURE_HMAC_SHA256,
        signature_type=SIGNATURE_TYPE_QUERY,
        nonce=params["oauth_nonce"],
        timestamp=params["oauth_timestamp"],
    ).sign(base + ("?" + urlencode(unsigned) if unsigned else ""), http_method=request.method)
    return str(signed)


@pytest.mark.parametrize("signature_method", [SIGNATURE_HMAC_SHA256, SIGNATURE_HMAC_SHA1])
@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("url", URLS)
def test_signed_url_is_byte_identical_to_oauthlibs(
    url: str, query: list[tuple[str, str]], method: str, signature_method: str
) -> None:
    signer = OAuth1Signer(WC_KEY, WC_SECRET, signature_method)
    mine, signature = signer.sign(method, url, query, nonce=NONCE, timestamp=TIMESTAMP)

    # oauthlib takes the URL as it goes on the wire: the query already percent-encoded
    reference = oauthlib_signed(
        url + ("?" + urlencode(query) if query else ""), method, WC_KEY, WC_SECRET, signature_method
    )
    assert mine == reference
    assert dict(parse_qsl(httpx.URL(mine).query.decode()))["oauth_signature"] == signature


def test_the_comparison_can_fail() -> None:
    """A different secret, method, nonce or parameter gives a different URL."""
    url, query = URLS[1], QUERIES[3]
    reference = oauthlib_signed(
        url + "?" + urlencode(query), "POST", WC_KEY, WC_SECRET, SIGNATURE_HMAC_SHA256
    )
    variants = [
        OAuth1Signer(WC_KEY, WC_SECRET + "x").sign(
            "POST", url, query, nonce=NONCE, timestamp=TIMESTAMP
        ),
        OAuth1Signer(WC_KEY, WC_SECRET).sign("GET", url, query, nonce=NONCE, timestamp=TIMESTAMP),
        OAuth1Signer(WC_KEY, WC_SECRET).sign("POST", url, query, nonce="1", timestamp=TIMESTAMP),
        OAuth1Signer(WC_KEY, WC_SECRET).sign(
            "POST", url, query[:1], nonce=NONCE, timestamp=TIMESTAMP
        ),
    ]
    assert all(signed != reference for signed, _ in variants)


def test_every_signature_is_fresh() -> None:
    signer = OAuth1Signer(WC_KEY, WC_SECRET)
    signed = [signer.sign("GET", URLS[0], QUERIES[1]) for _ in range(5)]
    assert len({url for url, _ in signed}) == 5
    assert len({dict(parse_qsl(url.split("?", 1)[1]))["oauth_nonce"] for url, _ in signed}) == 5


def test_only_the_methods_woocommerce_checks() -> None:
    with pytest.raises(ValueError, match="HMAC-SHA256 or HMAC-SHA1"):
        OAuth1Signer(WC_KEY, WC_SECRET, "PLAINTEXT")
    assert WC_SECRET not in repr(OAuth1Signer(WC_KEY, WC_SECRET))


@pytest.mark.parametrize(
    "params",
    [
        {"per_page": 100, "page": 2},
        {"force": True, "hide_empty": False, "parent": None},
        {"include": [1, 2, 3], "sku": "A B+C/é", "price": 9.5},
        {"status": ("draft", "pending")},
    ],
)
def test_query_pairs_are_what_httpx_would_send(params: dict[str, object]) -> None:
    assert query_pairs(params) == list(httpx.QueryParams(params).multi_items())  # type: ignore[arg-type]


def test_the_clients_requests_are_what_oauthlib_signs(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    """End to end: each request the client sends, re-signed by oauthlib with its nonce and
    timestamp, is the same URL byte for byte (and passes WooCommerce's check)."""
    httpx_mock.add_response(**capture_response("auth_http_oauth1_ok"), is_reusable=True)
    client = make_client()
    client.get("/products", {"per_page": 5, "sku": "Tee é+/ 1", "a[b]": "x", "force": True})
    client.post("/products/4711/variations/batch", {"create": [{"sku": "V-1"}]})
    client.delete("/products/4711", {"force": True})

    requests = httpx_mock.get_requests()
    assert len(requests) == 3
    for request in requests:
        assert_signed(request)
        assert str(request.url) == oauthlib_resigned(request)


def test_a_signature_sent_is_scrubbed_from_what_comes_back(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    """A proxy that quotes the request back: the signature just sent is taken out of the answer,
    and the redactor knows it for logs and errors."""

    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"seen": str(request.url)})

    httpx_mock.add_callback(echo)
    answer = make_client().get("/products", {"per_page": 1})
    signature = oauth_params(httpx_mock.get_requests()[0])["oauth_signature"]
    assert signature not in answer["seen"] and KEY not in answer["seen"]
    assert signature not in scrub(f"oauth_signature was {signature}")


@pytest.mark.parametrize(
    "path", ["/products/categories/Tee Shirts", "/products/tags/café", "/a%2Fb"]
)
def test_a_path_httpx_escapes_is_signed_as_sent(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient], path: str
) -> None:
    httpx_mock.add_response(**capture_response("auth_http_oauth1_ok"))
    make_client().get(path, {"per_page": 1})
    request = httpx_mock.get_request()
    assert request is not None
    # signed over the path as it went on the wire (percent-encoded), as oauthlib signs it and
    # WooCommerce rebuilds it from REQUEST_URI
    assert str(request.url) == oauthlib_resigned(request)
    assert " " not in request.url.raw_path.decode() and request.url.raw_path.isascii()


def test_one_signer_over_several_sites_signs_each_against_its_own_address() -> None:
    """The signer remembers each site's base string URI: signing for a second site (or the
    first again, in another case) must not reuse the first one's."""
    signer = OAuth1Signer(WC_KEY, WC_SECRET)
    for url in [*URLS, URLS[0].replace("8080", "8081"), URLS[2].replace("Shop", "shop"), *URLS]:
        mine, _ = signer.sign("GET", url, QUERIES[1], nonce=NONCE, timestamp=TIMESTAMP)
        reference = oauthlib_signed(
            url + "?" + urlencode(QUERIES[1]), "GET", WC_KEY, WC_SECRET, SIGNATURE_HMAC_SHA256
        )
        assert mine == reference


def test_two_signers_keep_their_own_keys() -> None:
    """The HMAC made once per signer is copied, never shared: a second key pair signs with its
    own secret, and the first signer is unchanged after it."""
    first, second = OAuth1Signer(WC_KEY, WC_SECRET), OAuth1Signer(KEY, SECRET)
    for signer, key, secret in [(first, WC_KEY, WC_SECRET), (second, KEY, SECRET)] * 2:
        mine, _ = signer.sign("PUT", URLS[3], [], nonce=NONCE, timestamp=TIMESTAMP)
        assert mine == oauthlib_signed(URLS[3], "PUT", key, secret, SIGNATURE_HMAC_SHA256)
