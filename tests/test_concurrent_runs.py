"""Runs that queue behind each other or share one database (issue 11): everything a run works from is
read after it holds the store's lock, two imports from stores sharing SKUs write one catalog at
once, and a failed import does not count as a sync."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import func, select

from import_helpers import import_products_json
from queued_runs import (
    WAIT,
    Gate,
    Run,
    client_for,
    connection,
    is_listing,
    queue_behind,
)
from test_export_support import add_products, export_json, tee
from woosync.db.engine import Database, open_database
from woosync.db.models import Connection, Product, ProductSync
from woosync.sandbox import SandboxStore

# read after the lock -----------------------------------------------------------------------------


def test_a_queued_export_does_not_push_back_what_the_import_before_it_brought_in(
    db: Database, lock_waits: threading.Event
) -> None:
    """Issue 11 point 2: the shop manager sets every price to 77.77 in the store; an import with
    --update-existing starts, an export --all queues behind it: the store keeps 77.77."""
    sandbox = SandboxStore(seed=21)
    conn = connection(db)
    ids = add_products(db, [tee(f"Q-{n}", price="10.00") for n in range(5)])
    fields = ["name", "sku", "price"]
    with client_for(sandbox) as client:
        assert export_json(db, conn, all_products=True, fields=fields, client=client)["success"]
        client.batch(
            "/products/batch",
            update=[{"id": woo_id, "regular_price": "77.77"} for woo_id in sandbox.products],
        )
    gate = Gate(sandbox, is_listing)  # the import holds the lock, its listing not yet answered
    with client_for(sandbox, gate) as importing, client_for(sandbox) as exporting:
        import_run = Run(
            lambda: import_products_json(
                db, conn, update_existing=True, lock_wait=WAIT, client=importing
            )
        )
        export_run = Run(
            lambda: export_json(
                db, conn, all_products=True, fields=fields, lock_wait=WAIT, client=exporting
            )
        )
        queue_behind(import_run, gate, export_run, lock_waits)
        imported, exported = import_run.outcome(), export_run.outcome()

    assert imported["updatedCount"] == 5 and imported["success"]
    assert exported["success"] and exported["syncedCount"] == 5
    assert {p["regular_price"] for p in sandbox.products.values()} == {"77.77"}
    with db.session() as session:
        assert {session.get(Product, i).price for i in ids} == {"77.77"}  # type: ignore[union-attr]


def test_an_update_queued_behind_a_delete_does_not_recreate_the_product(
    db: Database, lock_waits: threading.Event
) -> None:
    from test_export_support import delete_json, update_json
    from woosync.core.errors import NotFoundError

    sandbox = SandboxStore(seed=22)
    conn = connection(db)
    [pid] = add_products(db, [tee("DEL-1")])
    with client_for(sandbox) as client:
        export_json(db, conn, product_ids=[pid], fields=["name", "sku"], client=client)
    gate = Gate(sandbox, lambda r: r.method == "DELETE")
    with client_for(sandbox, gate) as deleting, client_for(sandbox) as updating:
        delete_run = Run(lambda: delete_json(db, conn, pid, lock_wait=WAIT, client=deleting))
        update_run = Run(
            lambda: update_json(
                db, conn, pid, fields=["name", "sku"], lock_wait=WAIT, client=updating
            )
        )
        queue_behind(delete_run, gate, update_run, lock_waits)
        assert delete_run.outcome() == {"success": True}
        with pytest.raises(NotFoundError):
            update_run.outcome()
    assert len(sandbox.products) == 0


# catalog writes from two stores ------------------------------------------------------------------


def test_two_imports_from_stores_sharing_skus_at_once_link_both(db: Database) -> None:
    """Issue 11 point 7: before, the second died on UNIQUE constraint failed: products.sku."""
    stores = [SandboxStore(seed=1), SandboxStore(seed=2)]
    for sandbox, price in zip(stores, ("10.00", "12.00"), strict=True):
        for n in range(250):  # three pages each
            sandbox.create_product(
                {"name": f"Shared {n}", "sku": f"SH-{n:03d}", "regular_price": price}
            )
    conns = [
        connection(db, "Retail", "http://retail.test"),
        connection(db, "Outlet", "http://outlet.test"),
    ]
    start = threading.Barrier(2)

    def importer(conn: int, sandbox: SandboxStore) -> Run:
        def call() -> dict[str, Any]:
            with client_for(sandbox) as client:
                start.wait(WAIT)
                return import_products_json(db, conn, update_existing=True, client=client)

        return Run(call)

    runs = [importer(conn, sandbox) for conn, sandbox in zip(conns, stores, strict=True)]
    for run in runs:
        run.start()
    for run in runs:
        result = run.outcome()
        assert result["success"] and result["failedCount"] == 0
    with db.session() as session:
        assert session.exec(select(func.count()).select_from(Product)).one() == 250
        for conn, sandbox in zip(conns, stores, strict=True):
            links = session.exec(select(ProductSync).where(ProductSync.connection_id == conn)).all()
            assert len(links) == 250
            assert {link.woo_product_id for link in links} == set(sandbox.products)


# a failed import ---------------------------------------------------------------------------------


def test_a_failed_import_leaves_last_synced_at_alone(db: Database) -> None:
    sandbox = SandboxStore(seed=23)
    conn = connection(db)
    [woo_id] = sandbox.seed_products(1)
    with client_for(sandbox) as client:
        failed = import_products_json(db, conn, woo_ids=[woo_id + 1000], client=client)
        assert failed["failedCount"] == 1
        with db.session() as session:
            assert session.get(Connection, conn).last_synced_at is None  # type: ignore[union-attr]
        assert import_products_json(db, conn, woo_ids=[woo_id], client=client)["success"]
    with db.session() as session:
        assert session.get(Connection, conn).last_synced_at is not None  # type: ignore[union-attr]


def test_import_woo_ids_of_missing_products_exits_1_and_keeps_last_synced_at(
    db_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = SandboxStore(seed=24)
    [woo_id] = sandbox.seed_products(1)
    with sandbox.serve() as url:
        db = open_database(db_path)
        conn = connection(db, "Served", url)
        key, secret = sandbox.create_key("read_write")
        monkeypatch.setenv(f"WOOSYNC_CONN_{conn}_CONSUMER_KEY", key)
        monkeypatch.setenv(f"WOOSYNC_CONN_{conn}_CONSUMER_SECRET", secret)
        failed = cli("import", "--connection", str(conn), "--woo-ids", str(woo_id + 500))
        assert failed.exit_code == 1, failed.stderr
        shown = cli("connections", "show", str(conn), "--json")
        assert json.loads(shown.stdout)["lastSyncedAt"] is None
        assert cli("import", "--connection", str(conn), "--woo-ids", str(woo_id)).exit_code == 0
        shown = cli("connections", "show", str(conn), "--json")
        assert json.loads(shown.stdout)["lastSyncedAt"] is not None
        db.dispose()
