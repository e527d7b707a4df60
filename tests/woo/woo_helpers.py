"""Helpers for the WooCommerce client tests: recorded answers and an independent OAuth checker.

``captures/`` holds answers recorded from a real store (WordPress 7.0.4, WooCommerce 11.0.1), copied
from the project's reference material so the suite runs on a clean checkout.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

import httpx

CAPTURES = Path(__file__).resolve().parents[1] / "captures"
HTTP_STORE = "http://127.0.0.1:8080"
HTTPS_STORE = "https://127.0.0.1:8443"
# Deliberately not shaped like ck_/cs_ tokens, so the log scrubber's pattern cannot hide a leak.
KEY = "key-0123456789abcdef0123"
SECRET = "secret-fedcba9876543210fedc"
SKIP_HEADERS = {"transfer-encoding", "connection", "content-length", "content-encoding"}


def capture(name: str) -> dict[str, Any]:
    recorded: dict[str, Any] = json.loads((CAPTURES / f"{name}.json").read_text())
    return recorded


def capture_response(name: str, **overrides: Any) -> dict[str, Any]:
    """``httpx_mock.add_response`` keyword arguments that replay a recorded answer."""
    recorded = capture(name)["response"]
    headers = {k: v for k, v in recorded["headers"].items() if k.lower() not in SKIP_HEADERS}
    headers.update(overrides.pop("headers", {}))
    return {"status_code": recorded["status"], "json": recorded["body"], "headers": headers} | (
        overrides
    )


def rfc3986(text: str) -> str:
    return quote(text, safe="-._~")


def expected_signature(url: httpx.URL, method: str, secret: str) -> str:
    """Rebuild the signature the way WooCommerce does (reference 1.2), independently of oauthlib."""
    base_url = f"{url.scheme}://{url.netloc.decode()}{url.path}"
    pairs = [
        (rfc3986(k), rfc3986(v))
        for k, v in parse_qsl(url.query.decode(), keep_blank_values=True)
        if k != "oauth_signature"
    ]
    joined = "&".join(f"{k}={v}" for k, v in sorted(pairs))
    base_string = "&".join([method.upper(), rfc3986(base_url), rfc3986(joined)])
    digest = hmac.new(f"{secret}&".encode(), base_string.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def oauth_params(request: httpx.Request) -> dict[str, str]:
    return dict(parse_qsl(request.url.query.decode(), keep_blank_values=True))


def assert_signed(request: httpx.Request, secret: str = SECRET, key: str = KEY) -> str:
    """Assert ``request`` carries a valid WooCommerce OAuth 1.0a signature; return its nonce."""
    params = oauth_params(request)
    assert params["oauth_consumer_key"] == key
    assert params["oauth_signature_method"] == "HMAC-SHA256"
    assert params["oauth_signature"] == expected_signature(request.url, request.method, secret)
    assert "consumer_secret" not in params and "consumer_key" not in params
    assert "Authorization" not in request.headers
    assert secret not in str(request.url)
    return params["oauth_nonce"]
