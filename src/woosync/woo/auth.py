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
import binascii
import hashlib
import hmac
import re
from collections.abc import Generator, Iterable, Mapping
from typing import Any, Literal
from urllib.parse import parse_qsl, quote, quote_plus, unquote, urlencode, urlsplit

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
        # made once per client: the HMAC keyed with escape(secret) + "&" (copied per request),
        # the fixed oauth_* pairs escaped for the base string and encoded for the query, and the
        # base string URI of each site root signed for
        self._mac = hmac.new(
            (_escape(consumer_secret) + "&").encode(),
            digestmod=hashlib.sha256 if method == SIGNATURE_HMAC_SHA256 else hashlib.sha1,
        )
        fixed = [
            ("oauth_version", "1.0"),
            ("oauth_signature_method", method),
            ("oauth_consumer_key", consumer_key),
        ]
        self._fixed_escaped = [(_escape(k), _escape(unescape(v))) for k, v in fixed]
        self._fixed_query = urlencode(fixed)
        self._roots: dict[str, str] = {}

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
        nonce = nonce or generate_nonce()
        timestamp = timestamp or generate_timestamp()
        # oauthlib's order on the wire: the request's own parameters first, oauth_* last
        pairs = sorted(query, key=lambda pair: pair[0].startswith("oauth_"))
        # what oauthlib signs: every parameter but a signature, the oauth_* values unescaped again
        escaped = [
            (_escape(k), _escape(unescape(v) if k.startswith("oauth_") else v))
            for k, v in pairs
            if k != "oauth_signature"
        ]
        escaped += self._fixed_escaped
        escaped.append(("oauth_nonce", _escape(unescape(nonce))))
        escaped.append(("oauth_timestamp", _escape(unescape(timestamp))))
        escaped.sort()
        escaped = [(k.replace("%", "%25"), v.replace("%", "%25")) for k, v in escaped]
        # escape(k=v&...) of escaped pairs (only unreserved characters and %XX): % = & encoded
        normalized = "%26".join(f"{k}%3D{v}" for k, v in escaped)
        base = f"{_escape(method.upper())}&{_escape(self._base_uri(url))}&{normalized}"
        mac = self._mac.copy()
        mac.update(base.encode())
        digest = binascii.b2a_base64(mac.digest())[:-1].decode()
        # base64 holds + / = besides letters and digits: quote_plus's encoding of them
        quoted = digest.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
        oauth = (
            f"oauth_nonce={_quote_plus(nonce)}&oauth_timestamp={_quote_plus(timestamp)}&"
            f"{self._fixed_query}&oauth_signature={quoted}"
        )
        own = "&".join(f"{_quote_plus(k)}={_quote_plus(v)}" for k, v in pairs)
        return f"{url}?{own}&{oauth}" if own else f"{url}?{oauth}", digest

    def _base_uri(self, url: str) -> str:
        """oauthlib's base string URI of ``url``: its site part (scheme and host lowercased, a
        default port dropped) worked out once per site, its path kept as it is."""
        scheme, sep, rest = url.partition("://")
        netloc, slash, path = rest.partition("/")
        if not sep or not slash or any(c in rest for c in " ?#;"):
            return str(oauth_signature.base_string_uri(url))  # anything unusual: oauthlib decides
        root = f"{scheme}://{netloc}"
        known = self._roots.get(root)
        if known is None:
            known = str(oauth_signature.base_string_uri(root + "/"))
            if len(self._roots) < 64:
                self._roots[root] = known
        return known + path


_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]*").fullmatch  # what neither escape changes


def _escape(text: str) -> str:
    """oauthlib's ``escape`` (RFC 5849 section 3.6: UTF-8, everything but unreserved encoded)."""
    return text if _UNRESERVED(text) else quote(text, safe="~")


def _quote_plus(text: str) -> str:
    """``urlencode``'s encoding of one name or value (``quote_plus``; ``~`` is kept by both)."""
    return text if _UNRESERVED(text) else quote_plus(text)


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
