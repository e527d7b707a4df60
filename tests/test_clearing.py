"""A field emptied in the catalog is emptied in the stores the catalog held it with, through the
CLI against two served sandboxes: a sale ended early, a store's own clear passed on to the other
store, a field of a product that came in from a store. A value a store has on its own (the
catalog never held it there) is never wiped."""

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
- {sku: MUG, name: Mug, price: "12.00", sale_price: "9.00", description: "Stoneware", tags: [gift]}
- {sku: CUP, name: Cup, price: "6.00"}
"""
FIELDS = "name,sku,price,sale_price,description,tags"


@pytest.fixture
def stores(db_path: Path, cli: Any, tmp_path: Path) -> Iterator[tuple[SandboxStore, SandboxStore]]:
    """Two served sandboxes, connections 1 (A) and 2 (B), CATALOG exported to both."""
    a, b = SandboxStore(seed=31), SandboxStore(seed=32)
    db = open_database(db_path)
    with a.serve() as url_a, b.serve() as url_b:
        for name, url, shop in (("A", url_a, a), ("B", url_b, b)):
            key, secret = shop.create_key("read_write")
            create_connection(db, name=name, url=url, consumer_key=key, consumer_secret=secret)
        (tmp_path / "catalog.yaml").write_text(CATALOG)
        assert cli("products", "load", str(tmp_path / "catalog.yaml")).exit_code == 0
        for connection in ("1", "2"):
            run_json(cli, "export", "-c", connection, "--all", "--fields", FIELDS)
        yield a, b
    db.dispose()


def field(shop: SandboxStore, sku: str, name: str) -> Any:
    found = shop.find_sku(sku)
    assert found is not None
    return found[name]


def shop_manager(shop: SandboxStore, sku: str, body: dict[str, Any]) -> None:
    found = shop.find_sku(sku)
    assert found is not None
    key, secret = shop.create_key("read_write")
    with WooClient(shop.home, key, secret, max_retries=0) as client:
        client.put(f"/products/{found['id']}", body)


def partial(cli: Any, connection: str) -> dict[str, Any]:
    result: dict[str, Any] = run_json(
        cli, "export", "-c", connection, "--all", "--partial", "--fields", FIELDS
    )
    return result


def updated(result: dict[str, Any]) -> list[list[str]]:
    return [r["exportedFields"] for r in result["results"] if r["change"] == "updated"]


def test_a_sale_ended_early_in_the_catalog_ends_in_every_store(
    cli: Any, stores: tuple[SandboxStore, SandboxStore]
) -> None:
    assert cli("products", "edit", "MUG", "--unset", "sale_price", "--unset", "tags").exit_code == 0

    for connection, shop in zip(("1", "2"), stores, strict=True):
        assert updated(partial(cli, connection)) == [["sale_price", "tags"]]
        assert field(shop, "MUG", "sale_price") == ""
        assert field(shop, "MUG", "price") == "12.00"  # the regular price again
        assert field(shop, "MUG", "tags") == []
        assert updated(partial(cli, connection)) == []  # cleared once


def test_a_clear_made_in_one_store_reaches_the_other(
    cli: Any, stores: tuple[SandboxStore, SandboxStore]
) -> None:
    a, b = stores
    shop_manager(a, "MUG", {"description": ""})

    taken = run_json(cli, "import", "-c", "1", "--update-existing")

    assert taken["counts"]["updated"] == 1
    assert run_json(cli, "products", "show", "MUG")["description"] is None
    assert updated(partial(cli, "1")) == []  # A holds it so already
    assert updated(partial(cli, "2")) == [["description"]]
    assert field(b, "MUG", "description") == ""


def test_a_value_a_store_has_on_its_own_is_never_wiped(
    cli: Any, stores: tuple[SandboxStore, SandboxStore]
) -> None:
    a, _b = stores
    shop_manager(a, "CUP", {"description": "Written in store A"})  # the catalog has none
    run_json(cli, "export", "-c", "1", "--all", "--fields", FIELDS)  # a full export, too
    assert updated(partial(cli, "1")) == []
    assert field(a, "CUP", "description") == "Written in store A"


def test_a_field_of_a_product_that_came_in_from_a_store_is_cleared_there(
    cli: Any, stores: tuple[SandboxStore, SandboxStore]
) -> None:
    a, _b = stores
    a.create_product(
        {"name": "Bowl", "sku": "BOWL", "regular_price": "7", "description": "Made in A"}
    )
    assert run_json(cli, "import", "-c", "1")["counts"]["created"] == 1
    assert cli("products", "edit", "BOWL", "--unset", "description").exit_code == 0

    assert updated(partial(cli, "1")) == [["description"]]

    assert field(a, "BOWL", "description") == ""


def test_a_variation_image_emptied_in_the_catalog_is_removed_in_the_store(
    cli: Any, stores: tuple[SandboxStore, SandboxStore], tmp_path: Path
) -> None:
    a, _b = stores
    (tmp_path / "tee.yaml").write_text(
        "- sku: TEE\n  name: Tee\n  type: variable\n  attributes: {Size: [S, M]}\n"
        "  variations:\n"
        "    - {sku: TEE-S, attributes: {Size: S}, price: '9.00',"
        " images: ['https://img.example/tee-s.jpg']}\n"
        "    - {sku: TEE-M, attributes: {Size: M}, price: '9.00'}\n"
    )
    assert cli("products", "load", str(tmp_path / "tee.yaml")).exit_code == 0
    fields = "name,sku,price,Size,images"
    run_json(cli, "export", "-c", "1", "--all", "--fields", fields)
    assert field(a, "TEE-S", "images")
    assert cli("products", "edit", "TEE-S", "--unset", "images").exit_code == 0

    run_json(cli, "export", "-c", "1", "--all", "--partial", "--fields", fields)

    assert not field(a, "TEE-S", "images")
    run_json(cli, "import", "-c", "1", "--update-existing")
    assert run_json(cli, "products", "show", "TEE-S")["images"] == []  # not brought back
    again = run_json(cli, "export", "-c", "1", "--all", "--partial", "--fields", fields)
    assert updated(again) == []


def test_a_choice_emptied_in_the_catalog_is_left_as_the_store_has_it(
    cli: Any, stores: tuple[SandboxStore, SandboxStore]
) -> None:
    """An empty status or stock status is no value WooCommerce takes: nothing is sent."""
    a, _b = stores
    fields = f"{FIELDS},status,stock_status"
    assert cli("products", "edit", "CUP", "--status", "draft").exit_code == 0
    run_json(cli, "export", "-c", "1", "--all", "--partial", "--fields", fields)
    assert field(a, "CUP", "status") == "draft"
    assert cli("products", "edit", "CUP", "--unset", "status").exit_code == 0

    result = run_json(cli, "export", "-c", "1", "--all", "--partial", "--fields", fields)

    assert (result["failedCount"], updated(result)) == (0, [])
    assert field(a, "CUP", "status") == "draft"
