"""The store's own time: latency per request plus a cost per product written, as a real store.

Delays go through the store's ``sleep``; these tests record them instead of waiting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

import woosync.sandbox
from woosync.sandbox import Faults, SandboxStore


@pytest.fixture
def timed(client_for: Callable[..., httpx.Client]) -> Iterator[tuple[list[float], httpx.Client]]:
    """A store with 50 ms latency and 25 ms per product written, whose delays are recorded."""
    slept: list[float] = []
    store = SandboxStore(seed=2, faults=Faults(latency_ms=50, per_item_ms=25), sleep=slept.append)
    with client_for(store, *store.create_key()) as api:
        yield slept, api


def delays(slept: list[float], api: httpx.Client, method: str, path: str, **kw: Any) -> list[float]:
    slept.clear()
    answer = api.request(method, path, **kw)
    assert answer.status_code < 400, answer.text
    return [round(s, 6) for s in slept]


def test_each_product_of_a_batch_costs_server_time(
    timed: tuple[list[float], httpx.Client],
) -> None:
    slept, api = timed
    creates = {"create": [{"name": f"Tee {n}", "sku": f"T-{n}"} for n in range(8)]}
    assert delays(slept, api, "POST", "/products/batch", json=creates) == [0.05, 0.2]
    ids = [p["id"] for p in api.get("/products").json()]
    mixed = {"update": [{"id": ids[0], "regular_price": "9.00"}], "delete": ids[1:3]}
    assert delays(slept, api, "POST", "/products/batch", json=mixed) == [0.05, 0.075]


def test_single_writes_cost_one_item_and_reads_only_latency(
    timed: tuple[list[float], httpx.Client],
) -> None:
    slept, api = timed
    assert delays(slept, api, "POST", "/products", json={"name": "Mug"}) == [0.05, 0.025]
    mug = api.get("/products").json()[0]["id"]
    assert delays(slept, api, "GET", f"/products/{mug}") == [0.05]
    assert delays(slept, api, "PUT", f"/products/{mug}", json={"name": "Big mug"}) == [0.05, 0.025]
    assert delays(slept, api, "DELETE", f"/products/{mug}") == [0.05, 0.025]
    # terms are not products: latency only
    assert delays(slept, api, "POST", "/products/categories", json={"name": "Kitchen"}) == [0.05]


def test_variations_cost_per_item_too(timed: tuple[list[float], httpx.Client]) -> None:
    slept, api = timed
    parent = api.post(
        "/products",
        json={
            "name": "Tee",
            "type": "variable",
            "attributes": [{"name": "Size", "variation": True, "options": ["S", "M", "L"]}],
        },
    ).json()["id"]
    batch = {
        "create": [
            {"regular_price": "5.00", "attributes": [{"name": "Size", "option": o}]} for o in "SML"
        ]
    }
    route = f"/products/{parent}/variations/batch"
    assert delays(slept, api, "POST", route, json=batch) == [0.05, 0.075]
    one = {"regular_price": "6.00", "attributes": [{"name": "Size", "option": "S"}]}
    assert delays(slept, api, "POST", f"/products/{parent}/variations", json=one) == [0.05, 0.025]


def test_no_cost_unless_asked(client_for: Callable[..., httpx.Client]) -> None:
    slept: list[float] = []
    store = SandboxStore(seed=2, sleep=slept.append)
    with client_for(store, *store.create_key()) as api:
        api.post("/products/batch", json={"create": [{"name": "A"}, {"name": "B"}]})
    assert slept == [] and len(store.products) == 2


def test_cli_serve_takes_the_per_item_cost(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    refused = cli("sandbox", "serve", "--per-item-ms", "-1")
    assert refused.exit_code == 2
    assert "--per-item-ms" in refused.stderr and "negative" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    seen: list[Faults] = []

    def no_store(**options: Any) -> SandboxStore:
        seen.append(options["faults"])
        raise ValueError("not starting in a test")

    monkeypatch.setattr(woosync.sandbox, "SandboxStore", no_store)
    started = cli("sandbox", "serve", "--per-item-ms", "25", "--latency-ms", "50")
    assert started.exit_code == 2
    assert seen[0].per_item_ms == 25 and seen[0].latency_ms == 50
