"""Fixtures for the sandbox contract tests: a store, and httpx clients that sign like a real client."""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
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


@pytest.fixture
def store() -> SandboxStore:
    return SandboxStore(seed=1)


@pytest.fixture
def keys(store: SandboxStore) -> tuple[str, str]:
    return store.create_key("read_write")


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


@pytest.fixture
def api(store: SandboxStore, keys: tuple[str, str]) -> Iterator[httpx.Client]:
    with make_client(store, *keys) as client:
        yield client


@pytest.fixture
def anon(store: SandboxStore) -> Iterator[httpx.Client]:
    with make_client(store) as client:
        yield client


@pytest.fixture
def client_for() -> Callable[..., httpx.Client]:
    """``client_for(store, key, secret, base=..., in_header=..., method=...)`` (no key: anonymous)."""
    return make_client


def load_capture(name: str) -> dict[str, Any]:
    return json.loads((CAPTURES / name).read_text())


@pytest.fixture
def capture() -> Callable[[str], dict[str, Any]]:
    """A recorded real WooCommerce exchange from the shared reference captures."""
    if not CAPTURES.exists():
        pytest.skip("the shared WooCommerce captures are not available here")
    return load_capture


def make_served_client(base_url: str, key: str, secret: str, timeout: float = 5.0) -> httpx.Client:
    return httpx.Client(
        base_url=f"{base_url}/wp-json/wc/v3", auth=OAuth1(key, secret), timeout=timeout
    )


@pytest.fixture
def served_client() -> Callable[..., httpx.Client]:
    """``served_client(base_url, key, secret, timeout=5.0)``: a signed client for a real socket."""
    return make_served_client
