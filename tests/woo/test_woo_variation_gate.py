"""``write_variations(gate=...)``: the gate is asked before each request which of a parent's next
writes go in it (rewritten as it says), the others wait for a later request; a gate that would
hold everything back while nothing is in flight cannot stall the run."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

import httpx
import pytest

from woosync.sandbox import SandboxStore
from woosync.woo import VariationWrite, WooClient

VARIATION_BATCH = ("POST", "/wc/v3/products/{product_id}/variations/batch")


@pytest.fixture
def sandbox() -> SandboxStore:
    return SandboxStore(seed=4)


@pytest.fixture
def client(sandbox: SandboxStore) -> Iterator[WooClient]:
    key, secret = sandbox.create_key("read_write")
    transport = httpx.WSGITransport(app=sandbox.wsgi_app)
    with WooClient("http://store.test", key, secret, transport=transport) as woo:
        yield woo


def parent(sandbox: SandboxStore, sku: str) -> int:
    product = sandbox.create_product(
        {
            "name": sku,
            "type": "variable",
            "sku": sku,
            "attributes": [{"name": "Size", "variation": True, "options": ["S", "M", "L"]}],
        }
    )
    return int(product["id"])


def writes(parent_id: int, sku: str) -> list[VariationWrite]:
    return [
        VariationWrite(
            parent_id,
            "create",
            {"sku": f"{sku}-{size}", "attributes": [{"name": "Size", "option": size}]},
            sku=f"{sku}-{size}",
            options={"Size": size},
            tag=n + 1,
        )
        for n, size in enumerate(["S", "M", "L"])
    ]


class OnePerRequest:
    """Lets one write of a parent go per request, priced by the gate."""

    def __init__(self) -> None:
        self.asked: list[list[int]] = []

    def admit(
        self, parent_id: int, writes: Sequence[VariationWrite]
    ) -> list[VariationWrite | None]:
        self.asked.append([w.tag for w in writes])
        first = replace(writes[0], payload={**writes[0].payload, "regular_price": "9.00"})
        return [first, *([None] * (len(writes) - 1))]


class HoldsEverything:
    def admit(
        self, parent_id: int, writes: Sequence[VariationWrite]
    ) -> list[VariationWrite | None]:
        return [None] * len(writes)


def test_writes_the_gate_holds_back_go_in_the_parents_next_requests(
    sandbox: SandboxStore, client: WooClient
) -> None:
    parent_id = parent(sandbox, "TEE")
    gate = OnePerRequest()

    outcomes = [o for batch in client.write_variations(writes(parent_id, "TEE"), gate=gate)
                for o in batch]  # fmt: skip

    assert [o.write.tag for o in outcomes] == [1, 2, 3] and all(o.ok for o in outcomes)
    assert gate.asked == [[1, 2, 3], [2, 3], [3]]
    assert sandbox.stats.by_route[VARIATION_BATCH] == 3
    assert {v["regular_price"] for v in sandbox.variations(parent_id)} == {"9.00"}


def test_a_gate_holding_everything_back_cannot_stall_the_run(
    sandbox: SandboxStore, client: WooClient
) -> None:
    parents = [parent(sandbox, sku) for sku in ("TEE", "POLO")]
    queued = [w for parent_id, sku in zip(parents, ("TEE", "POLO"), strict=True)
              for w in writes(parent_id, sku)]  # fmt: skip

    outcomes = [o for batch in client.write_variations(queued, gate=HoldsEverything())
                for o in batch]  # fmt: skip

    assert len(outcomes) == 6 and all(o.ok for o in outcomes)
    assert sandbox.stats.by_route[VARIATION_BATCH] == 2  # sent as queued, one per parent
