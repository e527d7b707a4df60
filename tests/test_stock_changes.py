"""Stock goes out as the change since the last sync (``inventory_delta``), so a sale the store
makes between an import and the export that follows is kept, not overwritten, and the next import
brings it in; a write sent again after a request that may have landed carries the quantity
itself, so a change is never applied twice. Through the CLI against a served sandbox, and through
the service with a store whose first batch lands and loses its answer.

A real WooCommerce 11.0.1 store adds ``inventory_delta`` to its quantity, for products and
variations, single and batch; a quantity sent beside it wins; a product that does not manage its
stock ignores it (checked there; ``tests/realstore`` runs the sale-kept case on one).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mapping_helpers import run_json
from test_export_support import BatchStall, export_json
from woosync.db.engine import open_database
from woosync.sandbox import SandboxStore
from woosync.services.connections.records import create_connection
from woosync.woo import WooClient

CATALOG = """
- sku: MUG
  name: Classic Mug
  price: "12.00"
  manage_stock: true
  stock_quantity: 10
- sku: TEE
  name: Organic Tee
  type: variable
  attributes: {Size: [S, M]}
  variations:
    - {sku: TEE-S, attributes: {Size: S}, price: "20.00", manage_stock: true, stock_quantity: 5}
    - {sku: TEE-M, attributes: {Size: M}, price: "21.00", manage_stock: true, stock_quantity: 6}
"""
FIELDS = "name,sku,price,Size,manage_stock,stock_quantity"


@pytest.fixture
def shop(db_path: Path, cli: Any, tmp_path: Path) -> Iterator[SandboxStore]:
    """A served sandbox, connection 1, with CATALOG exported to it and imported back."""
    sandbox = SandboxStore(seed=21)
    db = open_database(db_path)
    with sandbox.serve() as url:
        key, secret = sandbox.create_key("read_write")
        create_connection(db, name="Retail", url=url, consumer_key=key, consumer_secret=secret)
        (tmp_path / "catalog.yaml").write_text(CATALOG)
        assert cli("products", "load", str(tmp_path / "catalog.yaml")).exit_code == 0
        run_json(cli, "export", "--all", "--fields", FIELDS)
        run_json(cli, "import", "--update-existing")
        yield sandbox
    db.dispose()


def quantity(sandbox: SandboxStore, sku: str) -> Any:
    found = sandbox.find_sku(sku)
    assert found is not None
    return found["stock_quantity"]


def sell(sandbox: SandboxStore, sku: str, count: int) -> None:
    """An order in the store: its quantity goes down (as a checkout does, without woosync)."""
    found = sandbox.find_sku(sku)
    assert found is not None
    key, secret = sandbox.create_key("read_write")
    parent = found.get("parent_id")
    path = f"/products/{parent}/variations/{found['id']}" if parent else f"/products/{found['id']}"
    with WooClient(sandbox.home, key, secret, max_retries=0) as client:
        client.put(path, {"stock_quantity": found["stock_quantity"] - count})


def catalog_quantity(cli: Any, sku: str) -> Any:
    return run_json(cli, "products", "show", sku)["stock_quantity"]


def test_a_sale_made_after_the_import_is_kept_by_the_export(cli: Any, shop: SandboxStore) -> None:
    sell(shop, "MUG", 1)  # after the import: the catalog does not know it yet
    sell(shop, "TEE-S", 2)
    assert cli("products", "edit", "MUG", "--stock-quantity", "15").exit_code == 0  # +5 delivered
    assert cli("products", "edit", "TEE-S", "--stock-quantity", "8").exit_code == 0  # +3

    run_json(cli, "export", "--all", "--partial", "--fields", FIELDS)

    assert quantity(shop, "MUG") == 14  # 10 - 1 sold + 5 delivered
    assert quantity(shop, "TEE-S") == 6  # 5 - 2 + 3
    assert quantity(shop, "TEE-M") == 6  # not sent
    taken = run_json(cli, "import", "--update-existing")
    assert (taken["counts"]["updated"], taken["counts"]["conflicts"]) == (2, 0)
    assert catalog_quantity(cli, "MUG") == 14
    assert catalog_quantity(cli, "TEE-S") == 6
    again = run_json(cli, "export", "--all", "--partial", "--fields", FIELDS)
    assert again["counts"]["updated"] == 0


def test_without_a_known_last_quantity_the_quantity_itself_goes(
    cli: Any, shop: SandboxStore
) -> None:
    """--allow-empty and a full export still write what the catalog says when nothing was
    synced; here: a product the store does not track stock for takes the catalog's quantity."""
    found = shop.find_sku("MUG")
    assert found is not None
    key, secret = shop.create_key("read_write")
    with WooClient(shop.home, key, secret, max_retries=0) as client:
        client.put(f"/products/{found['id']}", {"manage_stock": False})
    run_json(cli, "import", "--update-existing")  # the store manages no stock now: no quantity
    assert cli("products", "edit", "MUG", "--manage-stock", "--stock-quantity", "7").exit_code == 0

    run_json(cli, "export", "--all", "--partial", "--fields", FIELDS)

    assert quantity(shop, "MUG") == 7


@pytest.mark.usefixtures("clock")
@pytest.mark.parametrize(("sku", "expected"), [("MUG", 15), ("TEE-S", 8)])
def test_a_change_whose_answer_was_lost_is_not_applied_twice(
    cli: Any, shop: SandboxStore, db_path: Path, sku: str, expected: int
) -> None:
    """The first batch of the export (the product's, or the variation's) lands and its answer
    is lost; it goes again."""
    assert cli("products", "edit", sku, "--stock-quantity", str(expected)).exit_code == 0
    key, secret = shop.create_key("read_write")
    transport = BatchStall(shop, stalls=1)
    db = open_database(db_path)
    with WooClient(shop.home, key, secret, transport=transport, max_retries=1) as client:
        result = export_json(
            db, 1, client=client, all_products=True, partial=True, fields=FIELDS.split(",")
        )
    db.dispose()

    assert transport.stalls == 0  # the write landed and its answer was lost
    assert result["failedCount"] == 0
    assert quantity(shop, sku) == expected  # not the change twice


def test_a_change_a_store_ignores_is_not_taken_for_its_edit(cli: Any, shop: SandboxStore) -> None:
    """The store stopped managing the stock: it ignores the change sent (as the quantity
    itself), and the import after takes its switch, not an empty quantity."""
    found = shop.find_sku("MUG")
    assert found is not None
    key, secret = shop.create_key("read_write")
    with WooClient(shop.home, key, secret, max_retries=0) as client:
        client.put(f"/products/{found['id']}", {"manage_stock": False})
    assert cli("products", "edit", "MUG", "--stock-quantity", "12").exit_code == 0

    run_json(cli, "export", "--all", "--partial", "--fields", FIELDS)

    assert quantity(shop, "MUG") is None
    run_json(cli, "import", "--update-existing")
    shown = run_json(cli, "products", "show", "MUG")
    assert (shown["manage_stock"], shown["stock_quantity"]) == (False, 12)
