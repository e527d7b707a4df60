"""Stock and sale dates as standard fields (issues 13 and 14), through the CLI against a sandbox
store: products add/edit/show/load take them, export sends them in WooCommerce's types (a
stock-only change is one write of the stock fields), import brings a store's stock change in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from woosync.db.engine import open_database
from woosync.sandbox import SandboxStore
from woosync.services.connections.records import create_connection
from woosync.woo import WooClient

STOCK = ["manage_stock", "stock_quantity", "backorders", "low_stock_amount"]
DATES = ["date_on_sale_from", "date_on_sale_to"]
FIELDS = ",".join(["name", "sku", "price", "sale_price", *STOCK, *DATES])


@pytest.fixture
def shop(db_path: Path) -> Iterator[tuple[SandboxStore, str]]:
    sandbox = SandboxStore(seed=7)
    with sandbox.serve() as url:
        db = open_database(db_path)
        key, secret = sandbox.create_key("read_write")
        create_connection(db, name="Retail", url=url, consumer_key=key, consumer_secret=secret)
        db.dispose()
        yield sandbox, url


def _show(cli: Any, sku: str) -> dict[str, Any]:
    listed = cli("--json", "products", "list")
    assert listed.exit_code == 0, listed.stderr
    product: dict[str, Any] = next(p for p in json.loads(listed.stdout) if p["sku"] == sku)
    return product


def test_stock_goes_out_in_store_types_partial_sends_only_it_and_import_brings_it_back(
    cli: Any, shop: tuple[SandboxStore, str]
) -> None:
    sandbox, url = shop
    added = cli(
        "products", "add", "--sku", "ST-1", "--name", "Mug", "--price", "9.50",
        "--sale-price", "8", "--manage-stock", "--stock-quantity", "12", "--backorders",
        "Notify", "--low-stock-amount", "3", "--sale-from", "2026-01-01",
        "--sale-to", "2026-12-31T23:59:59",
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    product = _show(cli, "ST-1")
    assert {key: product[key] for key in [*STOCK, *DATES]} == {
        "manage_stock": True,
        "stock_quantity": 12,
        "backorders": "notify",
        "low_stock_amount": 3,
        "date_on_sale_from": "2026-01-01",
        "date_on_sale_to": "2026-12-31T23:59:59",
    }
    shown = cli("products", "show", str(product["id"]))
    assert "Stock quantity" in shown.stdout and "12" in shown.stdout

    exported = cli("export", "--all", "--fields", FIELDS)
    assert exported.exit_code == 0, exported.stderr
    woo = sandbox.find_sku("ST-1")
    assert woo is not None
    assert (woo["manage_stock"], woo["stock_quantity"], woo["backorders"]) == (True, 12, "notify")
    assert (woo["low_stock_amount"], woo["date_on_sale_to"]) == (3, "2026-12-31T23:59:59")

    # unchanged: a partial export writes nothing, an import changes nothing
    sandbox.stats.reset()
    assert cli("export", "--all", "--fields", FIELDS, "--partial").exit_code == 0
    assert sandbox.stats.items_written == 0
    imported = cli("import", "--update-existing")
    assert imported.exit_code == 0, imported.stderr
    assert "1 unchanged" in imported.stdout

    # a stock-only change: one write, of the stock quantity only
    assert cli("products", "edit", str(product["id"]), "--stock-quantity", "-2").exit_code == 0
    plan = json.loads(
        cli("--json", "export", "--all", "--fields", FIELDS, "--partial", "--dry-run").stdout
    )
    assert plan["products"][0]["fields"] == [
        {"field": "stock_quantity", "wooField": "stock_quantity", "old": 12, "new": -2}
    ]
    sandbox.stats.reset()
    assert cli("export", "--all", "--fields", FIELDS, "--partial").exit_code == 0
    assert sandbox.stats.items_written == 1
    woo = sandbox.find_sku("ST-1")
    assert woo is not None and (woo["stock_quantity"], woo["stock_status"]) == (-2, "onbackorder")

    # the shop sold some in the store: the import brings the new quantity in
    key, secret = sandbox.create_key("read_write")
    with WooClient(url, key, secret, max_retries=0) as client:
        client.put(f"/products/{woo['id']}", {"stock_quantity": 20})
    imported = cli("import", "--update-existing")
    assert imported.exit_code == 0, imported.stderr
    assert _show(cli, "ST-1")["stock_quantity"] == 20
    sandbox.stats.reset()
    assert cli("export", "--all", "--fields", FIELDS, "--partial").exit_code == 0
    assert sandbox.stats.items_written == 0


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--stock-quantity", "5.5", "stock_quantity: '5.5' is not a whole number"),
        ("--low-stock-amount", "-1", "low_stock_amount: '-1' must not be negative"),
        ("--backorders", "maybe", "backorders: 'maybe' is not one of no, notify, yes"),
        ("--sale-from", "24/12/2026", "date_on_sale_from: '24/12/2026' is not an ISO 8601 date"),
    ],
)
def test_bad_stock_values_are_one_line_errors_and_change_nothing(
    cli: Any, db_path: Path, option: str, value: str, message: str
) -> None:
    assert cli("products", "add", "--sku", "ST-1", "--name", "Mug").exit_code == 0
    for args in (
        ("products", "add", "--sku", "ST-2", "--name", "Cup", option, value),
        ("products", "edit", "1", option, value),
    ):
        result = cli(*args)
        assert result.exit_code == 2, result.stdout
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr
    listed = json.loads(cli("--json", "products", "list").stdout)
    assert [(p["sku"], p["stock_quantity"], p["backorders"]) for p in listed] == [
        ("ST-1", None, None)
    ]


def test_product_files_take_stock_fields_and_woocommerce_csv_headers(
    cli: Any, tmp_path: Path
) -> None:
    yaml_file = tmp_path / "catalog.yaml"
    yaml_file.write_text(
        "- sku: Y-1\n  name: Bowl\n  manage_stock: yes\n  stock_quantity: 4\n"
        "  date_on_sale_from: 2026-03-01\n"
    )
    assert cli("products", "load", str(yaml_file)).exit_code == 0
    csv_file = tmp_path / "catalog.csv"
    csv_file.write_text(
        "sku,name,Stock,Low stock amount,Backorders allowed?,Date sale price ends\n"
        "C-1,Plate,7,2,1,2026-04-30\n"
    )
    loaded = cli("products", "load", str(csv_file))
    assert loaded.exit_code == 0, loaded.stderr
    got = {p["sku"]: p for p in json.loads(cli("--json", "products", "list").stdout)}
    assert (got["Y-1"]["manage_stock"], got["Y-1"]["stock_quantity"]) == (True, 4)
    assert got["Y-1"]["date_on_sale_from"] == "2026-03-01"
    assert (got["C-1"]["stock_quantity"], got["C-1"]["low_stock_amount"]) == (7, 2)
    assert (got["C-1"]["backorders"], got["C-1"]["date_on_sale_to"]) == ("yes", "2026-04-30")

    # the JSON of products list loads back unchanged
    dumped = tmp_path / "dump.json"
    dumped.write_text(cli("--json", "products", "list").stdout)
    again = cli("--json", "products", "load", str(dumped))
    assert again.exit_code == 0, again.stderr

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"sku": "J-1", "name": "Jar", "manage_stock": "perhaps"}]))
    refused = cli("products", "load", str(bad))
    assert refused.exit_code == 2
    assert "manage_stock: 'perhaps' is not true or false" in refused.stderr


VARIABLE = """
- sku: PS-TEE
  name: Parent Stock Tee
  type: variable
  attributes: {Size: [S, M]}
  variations:
    - {sku: PS-TEE-S, attributes: {Size: S}, price: "20.00", manage_stock: true, stock_quantity: 4}
    - {sku: PS-TEE-M, attributes: {Size: M}, price: "21.00"}
"""


def test_stock_the_parent_manages_comes_in_on_the_parent_not_on_its_variations(
    cli: Any, shop: tuple[SandboxStore, str], tmp_path: Path
) -> None:
    """A shop manager turns on stock at the variable product's level: WooCommerce then answers
    each variation without stock of its own with ``manage_stock: "parent"`` and the parent's
    quantity. Before, the import stopped with an internal error on that "parent"."""
    sandbox, url = shop
    source = tmp_path / "tee.yaml"
    source.write_text(VARIABLE)
    assert cli("products", "load", str(source)).exit_code == 0
    fields = "name,sku,price,Size,manage_stock,stock_quantity,backorders"
    assert cli("export", "--all", "--fields", fields).exit_code == 0
    parent = sandbox.find_sku("PS-TEE")
    assert parent is not None
    key, secret = sandbox.create_key("read_write")
    with WooClient(url, key, secret, max_retries=0) as client:
        client.put(f"/products/{parent['id']}", {"manage_stock": True, "stock_quantity": 30})
        listed = client.get(f"/products/{parent['id']}/variations")
    assert {v["sku"]: (v["manage_stock"], v["stock_quantity"]) for v in listed} == {
        "PS-TEE-S": (True, 4),
        "PS-TEE-M": ("parent", 30),
    }

    taken = cli("--json", "import", "--update-existing")
    assert taken.exit_code == 0, taken.stderr
    changed = {p["sku"]: p["changedFields"] for p in json.loads(taken.stdout)["products"]}
    assert changed == {"PS-TEE": ["manage_stock", "stock_quantity"], "PS-TEE-S": [], "PS-TEE-M": []}
    tee = _show(cli, "PS-TEE")
    assert (tee["manage_stock"], tee["stock_quantity"]) == (True, 30)
    own = {v["sku"]: (v["manage_stock"], v["stock_quantity"]) for v in tee["variations"]}
    assert own == {"PS-TEE-S": (True, 4), "PS-TEE-M": (None, None)}

    sandbox.stats.reset()
    assert cli("export", "--all", "--partial", "--fields", fields).exit_code == 0
    assert sandbox.stats.items_written == 0
    again = json.loads(cli("--json", "import", "--update-existing").stdout)
    assert again["updatedCount"] == 0, again["products"]


def test_a_store_value_the_catalog_cannot_hold_fails_that_product_not_the_run(
    cli: Any, shop: tuple[SandboxStore, str]
) -> None:
    """A plugin selling by weight lets WooCommerce hold 12.5 in stock; the catalog keeps whole
    numbers. Before, the import stopped with an internal error at the first such product."""
    sandbox, _url = shop
    flour = sandbox.create_product(
        {"name": "Flour", "sku": "FL-1", "regular_price": "3", "manage_stock": True,
         "stock_quantity": 12}
    )  # fmt: skip
    sandbox.create_product({"name": "Rice", "sku": "RI-1", "regular_price": "4"})
    assert cli("import").exit_code == 0
    sandbox._state.products[flour["id"]]["stock_quantity"] = 12.5  # what such a plugin answers
    sandbox.create_product({"name": "Salt", "sku": "SA-1", "regular_price": "2"})

    result = cli("--json", "import", "--update-existing")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    outcome = {p["sku"]: (p["status"], p.get("message")) for p in data["products"]}
    assert outcome == {
        "FL-1": (
            "failed",
            "the store's stock_quantity '12.5' cannot go to the catalog's stock_quantity: "
            "not a whole number",
        ),
        "RI-1": ("unchanged", None),
        "SA-1": ("imported", None),
    }
    assert _show(cli, "FL-1")["stock_quantity"] == 12


def test_a_quantity_sent_without_manage_stock_is_kept_by_the_store(
    cli: Any, shop: tuple[SandboxStore, str], tmp_path: Path
) -> None:
    """WooCommerce keeps a stock quantity only for a product (or variation) whose stock it
    manages: an export whose fields have ``stock_quantity`` but not ``manage_stock`` turns it on,
    or the store dropped the quantity silently (and never sold from it)."""
    sandbox, _url = shop
    (tmp_path / "stock.yaml").write_text(
        "- {sku: SQ-1, name: Mug, price: '9.50', manage_stock: true, stock_quantity: 12}\n"
        "- sku: SQ-TEE\n  name: Tee\n  type: variable\n  attributes: {Size: [S]}\n  variations:\n"
        "    - {sku: SQ-TEE-S, attributes: {Size: S}, price: '5', manage_stock: true, stock_quantity: 4}\n"
        "- {sku: SQ-2, name: Plate, price: '3'}\n"
    )
    assert cli("products", "load", str(tmp_path / "stock.yaml")).exit_code == 0
    sent = cli("--json", "export", "--all", "--fields", "name,sku,price,Size,stock_quantity")
    assert sent.exit_code == 0, sent.stderr

    mug, variation, plate = (sandbox.find_sku(s) for s in ("SQ-1", "SQ-TEE-S", "SQ-2"))
    assert mug is not None and variation is not None and plate is not None
    assert (mug["manage_stock"], mug["stock_quantity"]) == (True, 12)
    assert (variation["manage_stock"], variation["stock_quantity"]) == (True, 4)
    assert (plate["manage_stock"], plate["stock_quantity"]) == (False, None)  # none to keep
    again = cli(
        "--json", "export", "--all", "--partial", "--fields", "name,sku,price,Size,stock_quantity"
    )
    assert json.loads(again.stdout)["counts"]["updated"] == 0
