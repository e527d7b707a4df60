"""An unchanged re-import writes nothing locally (issue 13): no product, variation or sync record
row is written, ``lastImportedAt`` included, with and without ``--update-existing`` and with
``--incremental`` (whose bookmark is one row); a real change writes exactly what changed.

Rows written are counted by SQLite triggers (``write_counter.rows_written``), so an upsert that
rewrites a row with the values it held counts as a write too."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlmodel import select

from import_helpers import import_products_json
from manual_clock import ManualClock
from status_json import sync_status
from test_export_support import export_json
from test_import_variations import tee
from woosync.db.engine import Database, open_database
from woosync.db.models import Connection, Product, ProductSync
from woosync.sandbox import SandboxStore
from woosync.services.connections.records import create_connection
from woosync.services.mappings.records import create_export_mapping, create_import_mapping
from woosync.woo import WooClient
from write_counter import rows_written

STORE_URL = "http://sandbox.test"
IMPORTED = {"name": "name", "regular_price": "price", "stock_quantity": "stock_quantity"}
EXPORTED = ["name", "sku", "price", "stock_quantity", "images", "Size", "Color", "Material"]
LOOKED = Counter({("connections", "UPDATE"): 1})  # lastSyncedAt: when the store was last read


@pytest.fixture
def sandbox(clock: ManualClock) -> SandboxStore:
    return SandboxStore(seed=4, clock=clock)


@pytest.fixture
def client(sandbox: SandboxStore) -> Iterator[WooClient]:
    key, secret = sandbox.create_key("read_write")
    transport = httpx.WSGITransport(app=sandbox.wsgi_app)
    with WooClient(STORE_URL, key, secret, transport=transport, max_retries=0) as woo:
        yield woo


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    db = open_database(db_path)
    with db.session() as session:
        session.add(Connection(store_name="Sandbox", store_url=STORE_URL, is_default=True))
    yield db
    db.dispose()


def stocked(sandbox: SandboxStore) -> dict[str, Any]:
    """A variable tee with six variations and a simple mug with an image and a local attribute."""
    parent = tee(sandbox)
    sandbox.create_product(
        {
            "name": "Mug & Saucer",
            "sku": "MUG",
            "regular_price": "9.50",
            "images": [{"src": "https://img.test/mug.jpg"}],
            "attributes": [{"name": "Material", "options": ["Stoneware"], "visible": True}],
        }
    )
    return parent


def records(db: Database) -> dict[int, dict[str, Any]]:
    with db.session() as session:
        return {s.product_id: s.model_dump() for s in session.exec(select(ProductSync)).all()}


def test_an_unchanged_re_import_writes_no_row_with_or_without_update_existing(
    db: Database, db_path: Path, sandbox: SandboxStore, client: WooClient, clock: ManualClock
) -> None:
    stocked(sandbox)
    first = import_products_json(db, client=client)
    assert first["importedCount"] == 8, first
    before = records(db)
    clock.advance(minutes=5)

    with rows_written(db_path) as updating:
        again = import_products_json(db, client=client, update_existing=True)
    clock.advance(minutes=5)
    with rows_written(db_path) as skipping:
        skipped = import_products_json(db, client=client)

    assert again["unchangedCount"] == 8 and again["updatedCount"] == 0, again
    assert updating == LOOKED  # no product, variation or sync record row: only lastSyncedAt
    assert skipped["skippedCount"] == 8 and skipping == LOOKED
    assert records(db) == before  # lastImportedAt is when an import last brought a change in


def test_an_unchanged_incremental_re_import_moves_only_its_bookmark(
    db: Database, db_path: Path, sandbox: SandboxStore, client: WooClient, clock: ManualClock
) -> None:
    stocked(sandbox)
    import_products_json(db, client=client, incremental=True, update_existing=True)
    clock.advance(hours=1)
    tee(sandbox, "POLO")  # moves the bookmark's window: POLO comes in, the rest is older
    import_products_json(db, client=client, incremental=True, update_existing=True)
    clock.advance(hours=1)

    with rows_written(db_path) as written:
        again = import_products_json(db, client=client, incremental=True, update_existing=True)

    assert again["failedCount"] == again["importedCount"] == again["updatedCount"] == 0, again
    assert set(written) <= {("connections", "UPDATE"), ("sync_cursors", "UPDATE")}, written
    assert sum(written.values()) <= 2


def test_a_real_change_writes_exactly_what_changed(
    db: Database, db_path: Path, sandbox: SandboxStore, client: WooClient, clock: ManualClock
) -> None:
    with db.session() as session:  # the store's pa_size is the catalog's Size, both ways
        create_import_mapping(session, 1, {"pa_size": "Size"}, IMPORTED)
        create_export_mapping(session, 1, EXPORTED, {"Size": "pa_size", "price": "regular_price"})
    parent = stocked(sandbox)
    import_products_json(db, client=client)
    before = records(db)
    clock.advance(minutes=5)
    held = {v["sku"]: v["id"] for v in sandbox.variations(parent["id"])}
    client.put(f"/products/{parent['id']}/variations/{held['TEE-L-BLUE']}", {"regular_price": "31"})
    mug = sandbox.find_sku("MUG")
    assert mug is not None
    client.put(f"/products/{mug['id']}", {"name": "Mug and Saucer"})

    with rows_written(db_path) as written:
        result = import_products_json(db, client=client, update_existing=True)

    changed = {p["sku"]: p["changedFields"] for p in result["products"] if p["status"] == "updated"}
    assert changed == {"TEE-L-BLUE": ["price"], "MUG": ["name"]}, result
    with db.session() as session:
        ids = {p.sku: int(p.id or 0) for p in session.exec(select(Product)).all()}
    assert written == LOOKED + Counter({("products", "UPDATE"): 2, ("product_sync", "UPDATE"): 2})
    after = records(db)
    moved = {pid for pid in after if after[pid] != before[pid]}
    assert moved == {ids["TEE-L-BLUE"], ids["MUG"]}
    for product_id in moved:  # the new base is the store's value, stamped now
        assert after[product_id]["last_imported_at"] > before[product_id]["last_imported_at"]
    price = after[ids["TEE-L-BLUE"]]["exported_values"]["regular_price"]
    assert price != before[ids["TEE-L-BLUE"]]["exported_values"]["regular_price"]

    sandbox.stats.reset()  # and the export right after sends nothing back
    partial = export_json(db, all_products=True, partial=True, client=client)
    assert partial["failedCount"] == 0 and sandbox.stats.items_written == 0


def test_the_first_import_after_an_export_stamps_the_records_once(
    db: Database, db_path: Path, sandbox: SandboxStore, client: WooClient, clock: ManualClock
) -> None:
    """A record only an export wrote has no ``lastImportedAt``: the first import that reads the
    product sets it (once); an unchanged import after that writes nothing."""
    stocked(sandbox)
    import_products_json(db, client=client)
    with db.session() as session:
        for sync in session.exec(select(ProductSync)).all():
            sync.last_imported_at = None  # as an export leaves its records
            session.add(sync)
    clock.advance(minutes=5)

    with rows_written(db_path) as stamping:
        import_products_json(db, client=client, update_existing=True)
    clock.advance(minutes=5)
    with rows_written(db_path) as nothing:
        import_products_json(db, client=client, update_existing=True)

    assert stamping == LOOKED + Counter({("product_sync", "UPDATE"): 8})
    assert all(r["last_imported_at"] is not None for r in records(db).values())
    assert nothing == LOOKED


def test_a_conflict_found_again_unchanged_is_not_rewritten(
    db: Database, db_path: Path, sandbox: SandboxStore, client: WooClient, clock: ManualClock
) -> None:
    stocked(sandbox)
    import_products_json(db, client=client)
    mug = sandbox.find_sku("MUG")
    assert mug is not None
    client.put(f"/products/{mug['id']}", {"regular_price": "11.00"})
    with db.session() as session:
        product = session.exec(select(Product).where(Product.sku == "MUG")).one()
        product.price = "10.00"
        session.add(product)
    found = import_products_json(db, client=client, update_existing=True)
    assert found["conflictCount"] == 1, found
    clock.advance(minutes=5)

    with rows_written(db_path) as written:
        again = import_products_json(db, client=client, update_existing=True)

    assert again["conflictCount"] == 1 and written == LOOKED
    assert [c["store"] for c in sync_status(db, conflicts_only=True)["conflicts"]] == ["11.00"]


def test_through_the_cli_an_unchanged_re_import_keeps_every_record(
    cli: Any, db_path: Path, clock: ManualClock
) -> None:
    sandbox = SandboxStore(seed=6, clock=clock)
    stocked(sandbox)
    db = open_database(db_path)
    try:
        with sandbox.serve() as url:
            key, secret = sandbox.create_key("read_write")
            create_connection(db, name="Shop", url=url, consumer_key=key, consumer_secret=secret)
            assert cli("import", "--quiet").exit_code == 0
            status = cli("--json", "sync-status")
            clock.advance(minutes=5)
            with rows_written(db_path) as written:
                again = cli("--json", "import", "--update-existing")
            assert again.exit_code == 0, again.stderr
            assert json.loads(again.stdout)["unchangedCount"] == 8
            assert written == LOOKED
            assert cli("--json", "sync-status").stdout == status.stdout  # lastImportedAt too
    finally:
        db.dispose()


@contextmanager
def orm_loads() -> Iterator[list[str]]:
    """The SKUs of the catalog products loaded as ORM objects meanwhile."""
    loaded: list[str] = []

    def on_load(product: Product, _context: Any) -> None:
        loaded.append(product.sku)

    event.listen(Product, "load", on_load)
    try:
        yield loaded
    finally:
        event.remove(Product, "load", on_load)


def test_a_re_import_loads_only_the_products_it_changes_as_orm_objects(
    db: Database, sandbox: SandboxStore, client: WooClient, clock: ManualClock
) -> None:
    parent = stocked(sandbox)
    import_products_json(db, client=client)
    clock.advance(minutes=5)
    with orm_loads() as unchanged:
        again = import_products_json(db, client=client, update_existing=True)
    assert again["unchangedCount"] == 8 and unchanged == [], (again, unchanged)

    held = {v["sku"]: v["id"] for v in sandbox.variations(parent["id"])}
    client.put(f"/products/{parent['id']}/variations/{held['TEE-L-BLUE']}", {"regular_price": "31"})
    mug = sandbox.find_sku("MUG")
    assert mug is not None
    client.put(f"/products/{mug['id']}", {"name": "Mug and Saucer"})
    clock.advance(minutes=5)
    with orm_loads() as changed:
        result = import_products_json(db, client=client, update_existing=True)

    assert result["updatedCount"] == 2 and sorted(changed) == ["MUG", "TEE-L-BLUE"], changed
    with db.session() as session:
        prices = {p.sku: (p.price, p.name) for p in session.exec(select(Product)).all()}
    assert prices["TEE-L-BLUE"][0] == "31" and prices["MUG"][1] == "Mug and Saucer"
