"""Fixtures for the sandbox contract tests: a store, and httpx clients that sign like a real client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from sandbox.sandbox_helpers import CAPTURES, load_capture, make_client, make_served_client
from woosync.sandbox import SandboxStore


@pytest.fixture
def store() -> SandboxStore:
    return SandboxStore(seed=1)


@pytest.fixture
def keys(store: SandboxStore) -> tuple[str, str]:
    return store.create_key("read_write")


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


@pytest.fixture
def capture() -> Callable[[str], dict[str, Any]]:
    """A recorded real WooCommerce exchange from the shared reference captures."""
    if not CAPTURES.exists():
        pytest.skip("the shared WooCommerce captures are not available here")
    return load_capture


@pytest.fixture
def served_client() -> Callable[..., httpx.Client]:
    """``served_client(base_url, key, secret, timeout=5.0)``: a signed client for a real socket."""
    return make_served_client
