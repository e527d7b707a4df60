"""Authentication the way WooCommerce checks it: HTTP Basic over HTTPS, OAuth 1.0a over plain HTTP.

Over plain HTTP WooCommerce ignores Basic auth and ``consumer_key``/``consumer_secret`` query
parameters (the request is treated as anonymous), so there the only way in is a one-legged
OAuth 1.0a signature in the query string. Every attempt and every page gets a fresh nonce and
timestamp (a replayed nonce is rejected by the store).

Two ways to sign, one algorithm (oauthlib's):

- :class:`OAuth1Signer`, what the client signs each request with: made once per client, it
  hands oauthlib's signature functions (parameter normalisation, base string URI, base string,
  HMAC) the query as the client holds it, as pairs, instead of a URL that oauthlib's ``Client.sign``
  would parse, validate, decode and render again per request. Its signed URL is byte for byte
  what ``Client.sign`` makes of the same URL, nonce and timestamp (``tests/woo/test_woo_signer.py``).
- :func:`oauth1_sign` and :class:`WooAuth` (an ``httpx.Auth``): oauthlib's ``Client.sign`` on a
  whole URL, for requests built elsewhere (the real-store tests' raw client).
"""

from __future__ import annotations

import base64
from collections.abc import Generator, Iterable, Mapping
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

import httpx
from oauthlib.common import generate_nonce, generate_timestamp
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, SIGNATURE_HMAC_SHA256, SIGNATURE_TYPE_QUERY
from oauthlib.oauth1 import Client as OAuth1Client
from oauthlib.oauth1.rfc5849 import signature as oauth_signature
from oauthlib.oauth1.rfc5849.utils import unescape

from woosync.core.logging import register_credentials, register_signature

AuthScheme = Literal["basic", "oauth1"]
QueryPairs = list[tuple[str, str]]
SIGNATURE_METHODS = (SIGNATURE_HMAC_SHA256, SIGNATURE_HMAC_SHA1)  # what WooCommerce checks


def scheme_for(url: str | httpx.URL) -> AuthScheme:
    """``basic`` for https URLs, ``oauth1`` for everything else (plain http)."""
    return "basic" if httpx.URL(str(url)).scheme == "https" else "oauth1"


def basic_header(consumer_key: str, consumer_secret: str) -> str:
    """The ``Authorization`` value of HTTP Basic auth (what ``httpx.BasicAuth`` sends)."""
    pair = f"{consumer_key}:{consumer_secret}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


def query_pairs(params: Mapping[str, Any] | None) -> QueryPairs:
    """``params`` as the query's (name, value) strings, the way httpx writes a params dict:
    ``True``/``False`` as ``true``/``false``, ``None`` as empty, a list or tuple as one pair per
    item."""
    pairs: QueryPairs = []
    for name, value in (params or {}).items():
        for item in value if isinstance(value, list | tuple) else (value,):
            if item is True or item is False:
                text = "true" if item else "false"
            else:
                text = "" if item is None else str(item)
            pairs.append((str(name), text))
    return pairs


class OAuth1Signer:
    """One-legged OAuth 1.0a in the query string, for one key pair (thread-safe, no state).

    :meth:`sign` gives the URL to send and its signature: the query's pairs followed by
    ``oauth_nonce``, ``oauth_timestamp``, ``oauth_version``, ``oauth_signature_method``,
    ``oauth_consumer_key`` and ``oauth_signature``, encoded as oauthlib encodes them, signed over
    ``METHOD&base-URI&normalised-parameters`` with the key ``escape(secret) + "&"``, which equals
    WooCommerce's ``consumer_secret + "&"`` for its ``cs_<hex>`` secrets. A JSON body is never
    signed (WooCommerce does not; oauthlib would add an ``oauth_body_hash``).
    """

    def __init__(
        self, consumer_key: str, consumer_secret: str, method: str = SIGNATURE_HMAC_SHA256
    ) -> None:
        if method not in SIGNATURE_METHODS:
            raise ValueError(f"WooCommerce checks HMAC-SHA256 or HMAC-SHA1, not {method!r}")
        # the oauthlib client carries the secrets to oauthlib's HMAC function, nothing else
        self._client = OAuth1Client(
            consumer_key,
            client_secret=consumer_secret,
            signature_method=method,
            signature_type=SIGNATURE_TYPE_QUERY,
        )
        self._hmac = OAuth1Client.SIGNATURE_METHODS[method]
        self._fixed = [
            ("oauth_version", "1.0"),
            ("oauth_signature_method", method),
            ("oauth_consumer_key", consumer_key),
        ]

    def __repr__(self) -> str:  # never show the credentials
        return "OAuth1Signer(<redacted>)"

    def sign(
        self,
        method: str,
        url: str,
        query: Iterable[tuple[str, str]] = (),
        *,
        nonce: str | None = None,
        timestamp: str | None = None,
    ) -> tuple[str, str]:
        """``(signed URL, signature)`` for ``method url?query``.

        ``url`` has no query (its path as it goes on the wire: ASCII, already percent-encoded);
        ``query`` holds the decoded (name, value) pairs. ``nonce`` and ``timestamp`` are for
        tests: by default each call makes fresh ones.
        """
        oauth = [
            ("oauth_nonce", nonce or generate_nonce()),
            ("oauth_timestamp", timestamp or generate_timestamp()),
            *self._fixed,
        ]
        # oauthlib's order on the wire: the request's own parameters first, oauth_* last
        pairs = sorted(query, key=lambda pair: pair[0].startswith("oauth_")) + oauth
        # what oauthlib signs: every parameter but a signature, the oauth_* values unescaped again
        signed = [
            (k, unescape(v) if k.startswith("oauth_") else v)
            for k, v in pairs
            if k != "oauth_signature"
        ]
        base = oauth_signature.signature_base_string(
            method,
            oauth_signature.base_string_uri(url),
            oauth_signature.normalize_parameters(signed),
        )
        digest: str = self._hmac(base, self._client)
        pairs.append(("oauth_signature", digest))
        return f"{url}?{urlencode(pairs)}", digest


def oauth1_sign(url: str, method: str, consumer_key: str, consumer_secret: str) -> str:
    """``url`` with one-legged OAuth 1.0a (HMAC-SHA256) parameters appended to its query string,
    by oauthlib's ``Client.sign`` (a new client per call: no shared state)."""
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
    """Adds WooCommerce credentials to a request according to its URL scheme (for an
    ``httpx.Client`` of one's own; woosync's client signs with :class:`OAuth1Signer`)."""

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
