"""Authentication the way WooCommerce checks it: HTTP Basic over HTTPS, OAuth 1.0a over plain HTTP.

Over plain HTTP WooCommerce ignores Basic auth and ``consumer_key``/``consumer_secret`` query
parameters (the request is treated as anonymous), so there the only way in is a one-legged
OAuth 1.0a signature in the query string. The signing happens inside :class:`WooAuth.auth_flow`,
which httpx runs for every ``send``: each attempt and each page gets a fresh nonce and timestamp
(a replayed nonce is rejected by the store).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

import httpx
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256, SIGNATURE_TYPE_QUERY
from oauthlib.oauth1 import Client as OAuth1Client

from woosync.core.logging import register_credentials, register_signature

AuthScheme = Literal["basic", "oauth1"]


def scheme_for(url: str | httpx.URL) -> AuthScheme:
    """``basic`` for https URLs, ``oauth1`` for everything else (plain http)."""
    return "basic" if httpx.URL(str(url)).scheme == "https" else "oauth1"


def oauth1_sign(url: str, method: str, consumer_key: str, consumer_secret: str) -> str:
    """``url`` with one-legged OAuth 1.0a (HMAC-SHA256) parameters appended to its query string.

    The HMAC key oauthlib uses is ``escape(client_secret) + "&"`` (no resource owner secret),
    which equals WooCommerce's ``consumer_secret + "&"`` for its ``cs_<hex>`` secrets. The body is
    deliberately not passed: WooCommerce never signs a JSON body, and oauthlib would otherwise add
    an ``oauth_body_hash``. A new oauthlib client per call keeps signing free of shared state.
    """
    signer = OAuth1Client(
        consumer_key,
        client_secret=consumer_secret,
        signature_method=SIGNATURE_HMAC_SHA256,
        signature_type=SIGNATURE_TYPE_QUERY,
    )
    signed_url, _headers, _body = signer.sign(url, http_method=method.upper())
    signed = str(signed_url)
    # oauthlib appends its parameters, the signature last: a proxy may echo it back, so the
    # redactor learns it (read from the end, not by parsing the whole query again)
    _, found, quoted = signed.rpartition("&oauth_signature=")
    if found:
        register_signature(unquote(quoted.split("&", 1)[0]))
    else:
        for name, value in parse_qsl(urlsplit(signed).query):
            if name == "oauth_signature":
                register_signature(value)
    return signed


class WooAuth(httpx.Auth):
    """Adds WooCommerce credentials to a request according to its URL scheme."""

    requires_request_body = False
    requires_response_body = False

    def __init__(self, consumer_key: str, consumer_secret: str) -> None:
        register_credentials(consumer_key, consumer_secret)  # and the Basic header they make
        self._key = consumer_key
        self._secret = consumer_secret
        self._basic = httpx.BasicAuth(consumer_key, consumer_secret)

    def __repr__(self) -> str:  # never show the credentials
        return "WooAuth(<redacted>)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if request.url.scheme == "https":
            yield from self._basic.auth_flow(request)
            return
        request.url = httpx.URL(
            oauth1_sign(str(request.url), request.method, self._key, self._secret)
        )
        yield request
