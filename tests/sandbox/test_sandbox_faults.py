"""Each fault kind, in-process; reproducible from the seed; changeable while the store runs."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from woosync.sandbox import Faults, SandboxStore


@pytest.fixture
def faulty(
    client_for: Callable[..., httpx.Client],
) -> Callable[..., tuple[SandboxStore, httpx.Client]]:
    def make(seed: int = 3, **faults: object) -> tuple[SandboxStore, httpx.Client]:
        store = SandboxStore(seed=seed, faults=Faults(**faults))  # type: ignore[arg-type]
        return store, client_for(store, *store.create_key())

    return make


def test_fixed_latency_and_per_batch_item_cost(
    faulty: Callable[..., tuple[SandboxStore, httpx.Client]],
) -> None:
    store, api = faulty(latency_ms=30)
    started = time.perf_counter()
    api.get("/products")
    assert time.perf_counter() - started >= 0.03
    store.faults = Faults(per_item_ms=5)
    started = time.perf_counter()
    api.post("/products/batch", json={"create": [{"name": f"n{n}"} for n in range(8)]})
    assert time.perf_counter() - started >= 0.04
    assert store.stats.log[-1].items == 8


def test_server_errors_are_html_and_change_nothing(
    faulty: Callable[..., tuple[SandboxStore, httpx.Client]],
) -> None:
    store, api = faulty(error_rates={502: 1.0})
    response = api.post("/products", json={"name": "x"})
    assert response.status_code == 502
    assert response.headers["Content-Type"] == "text/html" and b"Bad Gateway" in response.content
    assert len(store.products) == 0 and store.stats.faults["502"] == 1
    for status in (500, 503):
        store.faults.error_rates = {status: 1.0}  # changed at run time
        assert api.get("/products").status_code == status


def test_429_carries_retry_after(faulty: Callable[..., tuple[SandboxStore, httpx.Client]]) -> None:
    _, api = faulty(rate_429=1.0, retry_after=7)
    response = api.get("/products")
    assert response.status_code == 429 and response.headers["Retry-After"] == "7"


def test_rate_limit_per_window(faulty: Callable[..., tuple[SandboxStore, httpx.Client]]) -> None:
    store, api = faulty(rate_limit=3, rate_limit_window=60)
    statuses = [api.get("/products").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    limited = api.get("/products")
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert store.stats.faults["rate_limit"] == 3
    store.faults.rate_limit_window = 0.05
    time.sleep(0.06)
    assert api.get("/products").status_code == 200


def test_dropped_connection_is_a_transport_error_and_nothing_lands(
    faulty: Callable[..., tuple[SandboxStore, httpx.Client]],
) -> None:
    store, api = faulty(drop_rate=1.0)
    with pytest.raises(httpx.RemoteProtocolError):
        api.post("/products", json={"name": "x", "sku": "DROP"})
    assert store.find_sku("DROP") is None and store.stats.faults["drop"] == 1


def test_stall_times_out_after_the_write_landed(
    faulty: Callable[..., tuple[SandboxStore, httpx.Client]],
) -> None:
    store, api = faulty(stall_rate=1.0, stall_seconds=0.01)
    with pytest.raises(httpx.ReadTimeout):
        api.post("/products", json={"name": "x", "sku": "STALL"})
    assert store.find_sku("STALL") is not None  # the retry must not create it twice
    assert store.stats.faults["stall"] == 1


def test_faults_are_reproducible_from_the_seed(
    faulty: Callable[..., tuple[SandboxStore, httpx.Client]],
) -> None:
    def run(seed: int) -> list[int]:
        _, api = faulty(seed=seed, error_rates={500: 0.3, 503: 0.3}, latency_jitter_ms=1)
        return [api.get("/products").status_code for _ in range(30)]

    assert run(11) == run(11)
    assert run(11) != run(12)
    assert set(run(11)) == {200, 500, 503}
