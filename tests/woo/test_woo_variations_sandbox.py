"""The variation API against the sandbox store: in process, and on a loopback port under the fault
mix of issue 11 (5xx, 429, stalls, drops), ending with every variation in the store exactly once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from woosync.sandbox import Faults, SandboxStore
from woosync.woo import VariationWrite, WooClient

TIMEOUT = 0.4
SIZES = ("S", "M", "L")
COLORS = ("Red", "Blue")


@pytest.fixture
def sandbox() -> SandboxStore:
    return SandboxStore(seed=3)


@pytest.fixture
def client(sandbox: SandboxStore) -> Iterator[WooClient]:
    key, secret = sandbox.create_key("read_write")
    transport = httpx.WSGITransport(app=sandbox.wsgi_app)
    with WooClient("http://store.test", key, secret, transport=transport) as woo:
        yield woo


def tee(sandbox: SandboxStore, sku: str) -> int:
    product = sandbox.create_product(
        {
            "name": f"Tee {sku}",
            "type": "variable",
            "sku": sku,
            "attributes": [
                {"name": "Size", "variation": True, "options": list(SIZES)},
                {"name": "Color", "variation": True, "options": list(COLORS)},
            ],
        }
    )
    return int(product["id"])


def creates(parent_id: int, sku: str) -> list[VariationWrite]:
    return [
        VariationWrite(
            parent_id,
            "create",
            {
                "sku": f"{sku}-{size}-{color}",
                "regular_price": "20.00",
                "attributes": [
                    {"name": "Size", "option": size},
                    {"name": "Color", "option": color},
                ],
            },
            sku=f"{sku}-{size}-{color}",
            options={"Size": size, "Color": color},
        )
        for size in SIZES
        for color in COLORS
    ]


def test_seeded_variations_are_listed_per_parent(sandbox: SandboxStore, client: WooClient) -> None:
    parents = sandbox.seed_variable_products(3, sizes=("S", "M"))

    read = dict(client.variations_of(parents, concurrency=2))

    assert list(read) == parents
    for parent_id in parents:
        assert [v["attributes"][0]["option"] for v in read[parent_id]] == ["S", "M"]
        assert {v["parent_id"] for v in read[parent_id]} == {parent_id}


def test_created_variations_land_under_their_parent_and_a_duplicate_names_its_holder(
    sandbox: SandboxStore, client: WooClient
) -> None:
    parent = tee(sandbox, "TEE")
    other = tee(sandbox, "POLO")
    first = [o for batch in client.write_variations(creates(parent, "TEE")) for o in batch]
    holder = next(o.answer for o in first if o.write.sku == "TEE-S-Red")
    assert holder is not None
    clash = VariationWrite(other, "create", {"sku": "tee-s-red"}, sku="tee-s-red")

    second = [o for batch in client.write_variations([clash]) for o in batch]

    assert all(o.ok for o in first) and len(sandbox.variations(parent)) == 6
    assert second[0].error is not None and second[0].error.duplicate_sku
    assert second[0].error.resource_id == holder["id"]
    hits = client.lookup_skus(["TEE-S-RED", "POLO", "TEE"])
    assert hits.product("TEE-S-RED") is None  # a variation is never a product hit
    found = hits.variation("TEE-S-RED")
    assert found is not None and found["parent_id"] == parent
    assert hits.product("POLO") is not None and hits.variation("POLO") is None


def test_updates_and_deletes_of_variations(sandbox: SandboxStore, client: WooClient) -> None:
    parent = tee(sandbox, "TEE")
    made = [o.answer for batch in client.write_variations(creates(parent, "TEE")) for o in batch]
    ids = sorted(int(a["id"]) for a in made if a)
    writes = [VariationWrite(parent, "update", {"regular_price": "9.00"}, variation_id=ids[0])]
    writes += [VariationWrite(parent, "delete", variation_id=i) for i in ids[1:3]]

    outcomes = [o for batch in client.write_variations(writes) for o in batch]

    assert all(o.ok for o in outcomes)
    left = {v["id"]: v for v in sandbox.variations(parent)}
    assert sorted(left) == [ids[0], *ids[3:]]
    assert left[ids[0]]["regular_price"] == "9.00"


def test_under_every_fault_each_variation_lands_exactly_once() -> None:
    sandbox = SandboxStore(seed=3)
    key, secret = sandbox.create_key("read_write")
    parents = {f"F{n:02d}": tee(sandbox, f"F{n:02d}") for n in range(10)}
    writes = [w for sku, parent in parents.items() for w in creates(parent, sku)]
    with sandbox.serve() as url:
        sandbox.faults = Faults(  # the mix of issue 11
            error_rates={500: 0.04, 502: 0.03, 503: 0.03},
            rate_429=0.05,
            retry_after=0,
            stall_rate=0.02,
            stall_seconds=TIMEOUT + 0.3,
            drop_rate=0.01,
        )
        with WooClient(url, key, secret, timeout=TIMEOUT, sleep=lambda _s: None) as client:
            outcomes = [
                o for batch in client.write_variations(writes, size=3, concurrency=4) for o in batch
            ]
            retries = client.stats.retries
        sandbox.faults = Faults()
        seen = sandbox.stats.snapshot()["faults"]

    assert sum(seen.values()) > 0 and retries > 0  # faults happened and were ridden out
    assert len(outcomes) == len(writes) == 60
    assert [str(o.error) for o in outcomes if not o.ok] == []
    for sku, parent in parents.items():
        held = Counter(v["sku"] for v in sandbox.variations(parent))
        assert sorted(held) == sorted(w.sku for w in creates(parent, sku))
        assert max(held.values()) == 1, held
