"""Signed httpx clients for the sandbox contract tests and the recorded captures (no fixtures here:
tests/sandbox/conftest.py makes fixtures of them; test modules import them as ``sandbox.sandbox_helpers``)."""

from __future__ import annotations

import json
from collections.abc import Generator
from pathlib import Path
from typing import Any

import httpx
from oauthlib import oauth1

from woosync.sandbox import SandboxStore

CAPTURES = Path(__file__).resolve().parents[1] / "captures"
BASE = "http://store.test"
API = "/wp-json/wc/v3"


class OAuth1(httpx.Auth):
    """OAuth 1.0a one-legged, freshly signed for every request (oauthlib, as the woo client does)."""

    def __init__(
        self,
        key: str,
        secret: str,
        *,
        method: str = oauth1.SIGNATURE_HMAC_SHA256,
        in_header: bool = False,
    ) -> None:
        self.key, self.secret, self.method, self.in_header = key, secret, method, in_header

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        client = oauth1.Client(
            self.key,
            client_secret=self.secret,
            signature_method=self.method,
            signature_type=oauth1.SIGNATURE_TYPE_AUTH_HEADER
            if self.in_header
            else oauth1.SIGNATURE_TYPE_QUERY,
        )
        uri, headers, _ = client.sign(str(request.url), http_method=request.method)
        request.url = httpx.URL(uri)
        if self.in_header:
            request.headers["Authorization"] = headers["Authorization"]
        yield request


def make_client(
    store: SandboxStore,
    key: str | None = None,
    secret: str | None = None,
    base: str = BASE,
    **auth_options: object,
) -> httpx.Client:
    auth = OAuth1(key, secret, **auth_options) if key and secret else None  # type: ignore[arg-type]
    return httpx.Client(
        transport=httpx.WSGITransport(app=store.wsgi_app), base_url=base + API, auth=auth
    )


def load_capture(name: str) -> dict[str, Any]:
    recorded: dict[str, Any] = json.loads((CAPTURES / name).read_text())
    return recorded


def make_served_client(base_url: str, key: str, secret: str, timeout: float = 5.0) -> httpx.Client:
    return httpx.Client(
        base_url=f"{base_url}/wp-json/wc/v3", auth=OAuth1(key, secret), timeout=timeout
    )
