"""A SKU removed in the store, through the CLI against a served sandbox: the store product (or
variation) is still known by its link, the catalog keeps its SKU, the import says so, and the next
``export --partial`` sends the SKU back. A variation without a SKU is answered with its parent's
SKU by WooCommerce (seen on a real WooCommerce 11.0.1 store; the sandbox answers the same)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mapping_helpers import run_json
from woosync.db.engine import open_database
from woosync.sandbox import SandboxStore
from woosync.services.connections.records import create_connection
from woosync.woo import WooClient

CATALOG = """
- sku: LAMP
  name: Desk Lamp
  price: "39.00"
- sku: TEE
  name: Organic Tee
  type: variable
  attributes: {Size: [S, M]}
  variations:
    - {sku: TEE-S, attributes: {Size: S}, price: "20.00"}
    - {sku: TEE-M, attributes: {Size: M}, price: "21.00"}
"""
FIELDS = "name,sku,price,Size"


@pytest.fixture
def shop(db_path: Path, cli: Any, tmp_path: Path) -> Iterator[SandboxStore]:
    """A served sandbox, connection 1, with CATALOG exported to it."""
    sandbox = SandboxStore(seed=7)
    db = open_database(db_path)
    with sandbox.serve() as url:
        key, secret = sandbox.create_key("read_write")
        create_connection(db, name="Retail", url=url, consumer_key=key, consumer_secret=secret)
        source = tmp_path / "catalog.yaml"
        source.write_text(CATALOG)
        assert cli("products", "load", str(source)).exit_code == 0
        run_json(cli, "export", "--all", "--fields", FIELDS)
        yield sandbox
    db.dispose()


def catalog(cli: Any) -> list[dict[str, Any]]:
    """``products list --all --json``: the products, each with its variations."""
    products: list[dict[str, Any]] = run_json(cli, "products", "list", "--all")
    return products


def catalog_skus(cli: Any) -> list[str]:
    """Every SKU of the catalog, variations after their parent."""
    products = catalog(cli)
    return [
        sku for p in products for sku in (p["sku"], *(v["sku"] for v in p.get("variations", [])))
    ]


def in_store(sandbox: SandboxStore, method: str, path: str, body: Any = None, **params: str) -> Any:
    """A shop manager's request, through the store's REST API; its answer."""
    key, secret = sandbox.create_key("read_write")
    with WooClient(sandbox.home, key, secret, max_retries=0) as client:
        if method == "GET":
            return client.get(path, params)
        return client.put(path, body) if method == "PUT" else client.post(path, body)


def test_a_product_whose_sku_was_removed_in_the_store_gets_it_back(
    cli: Any, shop: SandboxStore
) -> None:
    lamp = shop.find_sku("LAMP")
    assert lamp is not None
    in_store(shop, "PUT", f"/products/{lamp['id']}", {"sku": ""})

    taken = run_json(cli, "import", "--update-existing")
    assert taken["skippedCount"] == 0 and taken["failedCount"] == 0, taken["products"]
    [warning] = taken["warnings"]
    assert f"have no SKU in the store: LAMP (store product {lamp['id']})" in warning
    assert "the next export sends it" in warning
    assert catalog_skus(cli) == ["LAMP", "TEE", "TEE-S", "TEE-M"]

    shop.stats.reset()
    sent = run_json(cli, "export", "--all", "--partial", "--fields", FIELDS)
    written = [
        (r["productId"], r["exportedFields"]) for r in sent["results"] if r["change"] != "unchanged"
    ]
    assert written == [(1, ["sku"])]  # LAMP, product 1
    assert shop.stats.items_written == 1
    held = in_store(shop, "GET", f"/products/{lamp['id']}")
    assert held["sku"] == "LAMP"

    again = run_json(cli, "import", "--update-existing")
    assert again["warnings"] == [] and again["updatedCount"] == 0
    shop.stats.reset()
    run_json(cli, "export", "--all", "--partial", "--fields", FIELDS)
    assert shop.stats.items_written == 0


def test_a_variation_without_a_sku_is_listed_with_its_parents_sku(shop: SandboxStore) -> None:
    """What the real store answers: the variations endpoint shows the parent's SKU in every
    context; a variation read as a product shows it in view context only."""
    parent = shop.find_sku("TEE")
    small = shop.find_sku("TEE-S")
    assert parent is not None and small is not None
    route = f"/products/{parent['id']}/variations"
    in_store(shop, "PUT", f"{route}/{small['id']}", {"sku": ""})

    for context in ("edit", "view"):
        listed = in_store(shop, "GET", route, context=context)
        assert sorted(v["sku"] for v in listed) == ["TEE", "TEE-M"]
    assert in_store(shop, "GET", f"/products/{small['id']}", context="edit")["sku"] == ""
    assert in_store(shop, "GET", f"/products/{small['id']}")["sku"] == "TEE"
    assert shop.find_sku("TEE")["id"] == parent["id"]  # type: ignore[index]


def test_a_variation_whose_sku_was_removed_in_the_store_gets_it_back(
    cli: Any, shop: SandboxStore
) -> None:
    parent, small = shop.find_sku("TEE"), shop.find_sku("TEE-S")
    assert parent is not None and small is not None
    route = f"/products/{parent['id']}/variations"
    in_store(shop, "PUT", f"{route}/{small['id']}", {"sku": ""})

    taken = run_json(cli, "import", "--update-existing")
    assert taken["failedCount"] == 0, taken["products"]
    [warning] = taken["warnings"]
    assert f"TEE-S (store variation {small['id']})" in warning
    assert catalog_skus(cli) == ["LAMP", "TEE", "TEE-S", "TEE-M"]

    shop.stats.reset()
    run_json(cli, "export", "--all", "--partial", "--fields", FIELDS)
    assert shop.stats.items_written == 1
    assert sorted(v["sku"] for v in in_store(shop, "GET", route)) == ["TEE-M", "TEE-S"]
    again = run_json(cli, "import", "--update-existing")
    assert again["warnings"] == [] and again["updatedCount"] == 0


def test_a_variation_added_in_the_store_without_a_sku_is_imported_not_failed(
    cli: Any, shop: SandboxStore
) -> None:
    """Before, its parent's SKU (what the store answers for it) made it fail as a SKU held by
    another product, at every import."""
    parent = shop.find_sku("TEE")
    assert parent is not None
    in_store(shop, "PUT", f"/products/{parent['id']}", {
        "attributes": [{"name": "Size", "options": ["S", "M", "L"], "variation": True}]
    })  # fmt: skip
    made = in_store(shop, "POST", f"/products/{parent['id']}/variations", {
        "regular_price": "22.00", "attributes": [{"name": "Size", "option": "L"}]
    })  # fmt: skip
    assert made["sku"] == "TEE"

    taken = run_json(cli, "import", "--update-existing")
    assert taken["failedCount"] == 0, taken["products"]
    [new] = [p for p in taken["products"] if p["wooProductId"] == made["id"]]
    assert (new["status"], new["sku"]) == ("imported", "")
    assert taken["warnings"] == []  # its made-up catalog SKU is not sent to this store
    [tee] = [p for p in catalog(cli) if p["sku"] == "TEE"]
    assert [(v["sku"], v["attributes"]) for v in tee["variations"]][-1] == (
        f"woo-1-{made['id']}",
        {"Size": "L"},
    )
    shop.stats.reset()
    run_json(cli, "export", "--all", "--partial", "--fields", FIELDS)
    assert shop.stats.items_written == 0
