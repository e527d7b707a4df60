"""An import in bounded memory: product results stream out as pages are committed, as typed
values; what the run remembers per product is a few bytes (``imports.seen``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from woosync.db.engine import Database, open_database
from woosync.db.models import Connection
from woosync.sandbox import SandboxStore
from woosync.services.imports import transaction
from woosync.services.imports.options import ImportRequest
from woosync.services.imports.results import ImportResult, ProductResult, Tally
from woosync.services.imports.run import import_products
from woosync.services.imports.seen import SeenProducts, SkuHashes
from woosync.woo import WooClient

STORE_URL = "https://sandbox.test"


@pytest.fixture
def sandbox() -> SandboxStore:
    return SandboxStore(seed=0)


@pytest.fixture
def client(sandbox: SandboxStore) -> Iterator[WooClient]:
    key, secret = sandbox.create_key("read_write")
    transport = httpx.WSGITransport(app=sandbox.wsgi_app)
    woo = WooClient(STORE_URL, key, secret, transport=transport, max_retries=0)
    yield woo
    woo.close()


@pytest.fixture
def db(db_path: Path) -> Database:
    db = open_database(db_path)
    with db.session() as session:
        session.add(Connection(store_name="Sandbox", store_url=STORE_URL, is_default=True))
    return db


def test_results_stream_out_page_by_page_as_typed_values(
    db: Database, sandbox: SandboxStore, client: WooClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transaction, "COMMIT_EVERY", 100)  # a commit after every page
    ids = sandbox.seed_products(250, prefix="S-")
    handed_out: list[ProductResult] = []
    at_each_page: list[int] = []

    result = import_products(
        db,
        ImportRequest(concurrency=1),
        client=client,
        on_product=handed_out.append,
        progress=lambda _n: at_each_page.append(len(handed_out)),
    )

    # each page's results were out before the next page was read, not all at the end
    assert at_each_page == [100, 200, 250]
    assert [p.woo_product_id for p in handed_out] == ids
    assert {p.status for p in handed_out} == {"imported"}
    assert all(p.product_id is not None and p.changed_fields is None for p in handed_out)
    assert isinstance(result, ImportResult)
    assert (result.imported_count, result.failed_count, result.success) == (250, 0, True)
    for value in (result, handed_out[0]):
        assert dataclasses.is_dataclass(value) and not hasattr(value, "__dict__")  # slotted
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, dataclasses.fields(value)[0].name, None)


def test_a_second_result_for_a_product_replaces_the_first_in_the_counts() -> None:
    seen = SeenProducts()
    tally = Tally(None)
    assert seen.note(7, None)
    first = ProductResult(7, None, "A", "failed", "refused")
    tally.add(first, seen.record(7, "failed", 0))
    second = ProductResult(7, 1, "A", "imported")
    tally.add(second, seen.record(7, "imported", 0))
    assert (tally.counts["failed"], tally.counts["imported"]) == (0, 1)
    assert seen.status(7) == "imported"


def test_seen_products_keep_order_tell_newer_copies_and_take_ids_out_of_order() -> None:
    seen = SeenProducts()
    early = datetime(2025, 12, 11, 10, 0, tzinfo=UTC)
    later = datetime(2025, 12, 11, 10, 5, tzinfo=UTC)
    assert [seen.note(woo_id, early) for woo_id in (10, 20, 30)] == [True] * 3
    assert seen.note(15, early)  # out of order (ids given in any order)
    assert not seen.note(20, early)  # the same version again: dropped
    assert not seen.note(20, None)
    assert seen.note(20, later)  # newer: handled again
    assert len(seen) == 4 and 15 in seen and 16 not in seen
    assert seen.record(15, "skipped", 0) is None
    assert seen.record(15, "updated", 2) == ("skipped", 0)
    assert seen.status(15) == "updated" and seen.status(10) is None
    undated = SeenProducts()
    assert undated.note(5, None) and undated.note(5, later)  # a date beats none


def test_sku_hashes_answer_membership() -> None:
    skus = SkuHashes()
    skus.add("A-1")
    assert "A-1" in skus and "a-1" not in skus and len(skus) == 1


def test_sku_hashes_stay_exact_across_merged_arrays(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SkuHashes, "RECENT", 4)
    skus = SkuHashes()
    added = [f"SKU-{n}" for n in range(50)]
    for sku in added:
        skus.add(sku)
    assert all(sku in skus for sku in added)
    assert not any(f"OTHER-{n}" in skus for n in range(50))
    assert len(skus) == 50 and len(skus._sorted) <= 4


def test_pages_are_asked_for_at_most_concurrency_ahead_of_the_one_written(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    sandbox.seed_products(900, prefix="A-")
    asked: list[int] = []

    def written(_n: int) -> None:
        asked.append(sandbox.stats.by_route[("GET", "/wc/v3/products")])

    result = import_products(db, ImportRequest(concurrency=2), client=client, progress=written)
    assert result.imported_count == 900
    # when page k has been written, at most pages k+1 and k+2 were asked for besides
    assert all(count <= page + 2 for page, count in enumerate(asked, 1))
    assert asked[-1] == 9
