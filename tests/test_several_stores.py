"""``--connection`` repeatable and ``all`` on export, import and sync-status: one run per store,
a line per store, the envelope in ``--json``, the worst exit code."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from test_export_support import add_products, set_mapping, tee
from woosync.core.locks import store_lock
from woosync.db.engine import Database, open_database
from woosync.db.models import Connection
from woosync.sandbox import SandboxStore
from woosync.services.connections.records import create_connection

NAMES = ("Retail", "Wholesale", "Outlet")


@pytest.fixture
def shops() -> Iterator[list[SandboxStore]]:
    stores = [SandboxStore(seed=30 + n) for n in range(3)]
    with stores[0].serve() as a, stores[1].serve() as b, stores[2].serve() as c:
        for shop, url in zip(stores, (a, b, c), strict=True):
            shop.url = url  # type: ignore[attr-defined]
        yield stores


@pytest.fixture
def db(db_path: Path, shops: list[SandboxStore]) -> Iterator[Database]:
    """Three connections with a mapping each (Outlet inactive), and two products."""
    db = open_database(db_path)
    for shop, name in zip(shops, NAMES, strict=True):
        key, secret = shop.create_key("read_write")
        conn = create_connection(
            db, name=name, url=shop.url, consumer_key=key, consumer_secret=secret,  # type: ignore[attr-defined]
            is_default=name == "Retail",
        )  # fmt: skip
        set_mapping(db, conn.id, ["name", "sku", "price"])
    with db.session() as session:
        outlet = session.get(Connection, 3)
        assert outlet is not None
        outlet.is_active = False
        session.add(outlet)
    add_products(db, [tee("ALL-1"), tee("ALL-2")])
    yield db
    db.dispose()


def _json(result: Any) -> Any:
    return json.loads(result.stdout)


def test_export_to_all_active_stores_in_one_go(cli, db, shops) -> None:
    result = cli("export", "--connection", "all", "--all")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Retail (connection 1): 2 created, 0 updated, 0 unchanged, 0 skipped, 0 excluded, "
        "0 conflicts, 0 failed [exit 0]",
        "  + created ALL-1 (product 1): name, sku, price",
        "  + created ALL-2 (product 2): name, sku, price",
        "Wholesale (connection 2): 2 created, 0 updated, 0 unchanged, 0 skipped, 0 excluded, "
        "0 conflicts, 0 failed [exit 0]",
        "  + created ALL-1 (product 1): name, sku, price",
        "  + created ALL-2 (product 2): name, sku, price",
    ]
    assert shops[0].find_sku("ALL-1") and shops[1].find_sku("ALL-2")
    assert shops[2].find_sku("ALL-1") is None  # inactive: not part of "all"

    data = _json(cli("--json", "export", "-c", "all", "--all", "--partial", "--dry-run"))
    assert (data["success"], data["exitCode"]) == (True, 0)
    assert [s["connectionId"] for s in data["stores"]] == [1, 2]
    first = data["stores"][0]
    assert set(first) == {"connectionId", "storeName", "exitCode", "result", "error"}
    assert first["result"]["summary"]["unchanged"] == 2 and first["error"] is None

    # exactly one --connection keeps the one-store shape
    one = _json(cli("--json", "export", "--connection", "Wholesale", "--all", "--partial"))
    assert one["connectionId"] == 2 and "stores" not in one


def test_the_exit_code_is_the_worst_stores_and_the_others_still_run(cli, db, shops) -> None:
    with store_lock(1, label="test", database=db.path):
        result = cli("--json", "export", "-c", "Retail", "-c", "2", "-c", "2", "--all")
    assert result.exit_code == 6
    data = _json(result)
    assert [s["connectionId"] for s in data["stores"]] == [1, 2]  # each store once
    assert data["stores"][0]["exitCode"] == 6 and data["stores"][0]["result"] is None
    assert "another" in data["stores"][0]["error"]["message"]
    assert data["stores"][1]["result"]["syncedCount"] == 2
    assert "Retail (connection 1):" in result.stderr
    assert shops[1].find_sku("ALL-1") is not None

    inactive = cli("export", "-c", "Retail", "-c", "Outlet", "--all")
    assert inactive.exit_code == 2 and "Outlet (connection 3): connection 3" in inactive.stderr
    unknown = cli("export", "-c", "Retail", "-c", "Nowhere", "--all")
    assert unknown.exit_code == 3 and unknown.stdout == ""  # nothing ran


def test_parallel_stores_and_quiet(cli, db, shops, tmp_path) -> None:
    log = tmp_path / "export.log"
    result = cli(
        "export", "-c", "all", "--all", "--parallel-stores", "2", "--quiet", "--log-file", str(log)
    )
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == ""
    assert "connection 1" in log.read_text() and "connection 2" in log.read_text()
    assert shops[0].find_sku("ALL-2") and shops[1].find_sku("ALL-2")


def test_import_and_sync_status_over_all_stores(cli, db, shops) -> None:
    shops[0].seed_products(2, prefix="R-")
    shops[1].seed_products(3, prefix="W-")
    result = cli("import", "--connection", "all", "--incremental", "--update-existing")
    assert result.exit_code == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if not line.startswith("  ")]
    assert lines[0].startswith("Retail (connection 1): 2 created")
    assert lines[1].startswith("Wholesale (connection 2): 3 created")
    assert "  + imported W-00003 (store product 12) as product 7" in result.stdout.splitlines()
    data = _json(cli("--json", "import", "-c", "all", "--incremental"))
    assert [s["result"]["importedCount"] for s in data["stores"]] == [0, 0]

    status = _json(cli("--json", "sync-status", "-c", "all"))
    assert [s["result"]["summary"]["synced"] for s in status["stores"]] == [2, 3]
    human = cli("sync-status", "-c", "1", "-c", "2")
    assert "Wholesale (connection 2): 3 synced, 0 pending, 0 error (3 total)" in human.stdout
    single = _json(cli("--json", "sync-status", "-c", "2"))
    assert single["connectionId"] == 2 and "stores" not in single


def test_a_named_product_excluded_from_one_store_is_said_per_store(cli, db, shops) -> None:
    assert cli("products", "exclude", "-c", "Wholesale", "ALL-1").exit_code == 0
    result = cli("export", "-c", "all", "--sku", "ALL-1,ALL-2")
    assert result.exit_code == 0, result.stderr
    assert "Wholesale (connection 2): product 1 (ALL-1) not exported: excluded" in result.stderr
    assert "Retail (connection 1): product" not in result.stderr
    assert result.stdout.splitlines()[3] == (
        "Wholesale (connection 2): 1 created, 0 updated, 0 unchanged, 0 skipped, 1 excluded, "
        "0 conflicts, 0 failed [exit 0]"
    )
    assert shops[0].find_sku("ALL-1") and shops[1].find_sku("ALL-1") is None


def test_a_bad_request_fails_once_before_any_store(cli, db, shops) -> None:
    result = cli("export", "--connection", "all", "--all", "--include")
    assert result.exit_code == 2
    assert result.stderr.count("--include needs the products named") == 1
    assert result.stdout == ""
    assert all(not shop.products for shop in shops)
