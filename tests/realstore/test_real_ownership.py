"""What a store owns and how a mapping change lands, against a real WooCommerce store.

- A store sent names and prices only keeps its own tags: an import neither takes them into the
  catalog nor reports them as conflicts, while a price edit there still comes in.
- A mapping that turns a variable product's ``Size`` from a local attribute into ``pa_size``
  leaves the product with one Size (the store would otherwise show two Size choices), its
  variations moved to it; nothing moves on the next import and export.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from realstore.realstore_support import RealStore, store_products_with_sku
from served_stores import cli_json as as_json

CATALOG = """
- sku: RO-TEE
  name: Ownership Tee
  type: variable
  tags: [cotton]
  attributes: {Size: [S, M], Color: [Red]}
  variations:
    - {sku: RO-TEE-S, attributes: {Size: S, Color: Red}, price: "20.00"}
    - {sku: RO-TEE-M, attributes: {Size: M, Color: Red}, price: "21.00"}
- sku: RO-MUG
  name: Ownership Mug
  price: "9.00"
  tags: [ceramic]
"""


def mapping(tmp_path: Path, fields: str, maps: str = "{}") -> Path:
    path = tmp_path / "store.yaml"
    path.write_text(
        f"store: Real Store\nexport:\n  selectedFields: [{fields}]\n  fieldMappings: {maps}\n"
    )
    return path


def load_and_export(
    cli: Any, tmp_path: Path, fields: str, maps: str = "{}", text: str = CATALOG
) -> None:
    """``text`` loaded as the catalog, the store's mapping sending ``fields``, a first export."""
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(text)
    assert cli("products", "load", str(catalog)).exit_code == 0
    assert cli("mappings", "apply", str(mapping(tmp_path, fields, maps))).exit_code == 0
    first = as_json(cli("--json", "export", "--all"))
    assert first["failedCount"] == 0, first


def test_a_store_keeps_its_own_tags_and_a_price_edit_still_comes_in(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    store = real_connection
    load_and_export(cli, tmp_path, "name, sku, price")
    [mug] = store_products_with_sku(store, "RO-MUG")
    with store.api() as api:
        edit = {"tags": [{"name": "bestseller"}], "regular_price": "9.50"}
        assert api.put(f"/products/{mug['id']}", json=edit).status_code == 200

    taken = as_json(cli("--json", "import", "--update-existing"))

    assert (taken["conflictCount"], taken["failedCount"]) == (0, 0), taken["conflicts"]
    changed = {p["sku"]: p["changedFields"] for p in taken["products"] if p["changedFields"]}
    assert changed == {"RO-MUG": ["price"]}
    shown = as_json(cli("--json", "products", "show", "RO-MUG"))
    assert (shown["price"], shown["tags"]) == ("9.50", ["ceramic"])
    store.mark()
    as_json(cli("--json", "export", "--all", "--partial"))
    assert store.write_requests() == []
    [mug] = store_products_with_sku(store, "RO-MUG")
    assert [t["name"] for t in mug["tags"]] == ["bestseller"]


def test_a_mapping_turning_size_global_leaves_one_size_on_the_product(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    store = real_connection
    load_and_export(cli, tmp_path, "name, sku, price")
    assert cli("mappings", "apply", str(mapping(tmp_path, "name, sku, price, Size", "{Size: pa_size}"))).exit_code == 0  # fmt: skip

    moved = as_json(cli("--json", "export", "--all", "--partial"))

    assert moved["failedCount"] == 0, moved
    [parent] = store_products_with_sku(store, "RO-TEE")
    kinds = sorted((a["name"], bool(a["id"]), a["variation"]) for a in parent["attributes"])
    assert kinds == [("Color", False, True), ("Size", True, True)]
    [size_id] = [a["id"] for a in parent["attributes"] if a["id"]]
    with store.api() as api:
        held = api.get(f"/products/{parent['id']}/variations", params={"context": "edit"}).json()
    options = {v["sku"]: {(a["id"], a["option"]) for a in v["attributes"]} for v in held}
    assert options == {
        "RO-TEE-S": {(size_id, "S"), (0, "Red")},
        "RO-TEE-M": {(size_id, "M"), (0, "Red")},
    }
    again = as_json(cli("--json", "import", "--update-existing"))
    assert (again["updatedCount"], again["conflictCount"]) == (0, 0), again["products"]
    store.mark()
    as_json(cli("--json", "export", "--all", "--partial"))
    assert store.write_requests() == []


def test_a_catalog_draft_is_created_as_a_draft_where_status_is_not_sent(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    store = real_connection
    catalog = tmp_path / "drafts.yaml"
    catalog.write_text('- {sku: RO-DRAFT, name: Not Yet, price: "5.00", status: draft}\n')
    assert cli("products", "load", str(catalog)).exit_code == 0
    assert cli("mappings", "apply", str(mapping(tmp_path, "name, sku, price"))).exit_code == 0

    assert as_json(cli("--json", "export", "--all"))["failedCount"] == 0

    with store.api() as api:
        found = api.get("/products", params={"sku": "RO-DRAFT", "status": "any"}).json()
    assert [p["status"] for p in found] == ["draft"]
    again = as_json(cli("--json", "import", "--update-existing"))
    assert (again["updatedCount"], again["conflictCount"]) == (0, 0), again["products"]


def test_skus_removed_in_the_store_are_sent_back_and_a_new_sku_less_variation_comes_in(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    """A real store answers a variation without a SKU with its parent's SKU. A SKU removed from a
    product and from a variation: the import keeps the catalog's and warns, the next partial
    export puts both back; a variation added without a SKU comes in, and nothing fails."""
    store = real_connection
    load_and_export(cli, tmp_path, "name, sku, price, Size, Color")
    [mug] = store_products_with_sku(store, "RO-MUG")
    [small] = store_products_with_sku(store, "RO-TEE-S")
    [tee] = store_products_with_sku(store, "RO-TEE")
    route = f"/products/{tee['id']}/variations"
    with store.api() as api:
        assert api.put(f"/products/{mug['id']}", json={"sku": ""}).status_code == 200
        assert api.put(f"{route}/{small['id']}", json={"sku": ""}).status_code == 200
        sizes = {"name": "Size", "options": ["S", "M", "L"], "variation": True, "visible": True}
        colors = {"name": "Color", "options": ["Red"], "variation": True, "visible": True}
        edit = {"attributes": [sizes, colors]}
        assert api.put(f"/products/{tee['id']}", json=edit).status_code == 200
        body = {"regular_price": "22.00", "attributes": [
            {"name": "Size", "option": "L"}, {"name": "Color", "option": "Red"}
        ]}  # fmt: skip
        made = api.post(route, json=body).json()
        listed = {v["id"]: v["sku"] for v in api.get(route).json()}
    assert listed[small["id"]] == listed[made["id"]] == "RO-TEE"  # the parent's

    taken = as_json(cli("--json", "import", "--update-existing"))
    assert (taken["failedCount"], taken["skippedCount"]) == (0, 0), taken["products"]
    [warning] = taken["warnings"]
    assert f"RO-MUG (store product {mug['id']})" in warning
    assert f"RO-TEE-S (store variation {small['id']})" in warning
    [new] = [p for p in taken["products"] if p["wooProductId"] == made["id"]]
    assert new["status"] == "imported"

    store.mark()
    as_json(cli("--json", "export", "--all", "--partial"))
    assert len(store.write_requests()) == 2  # the mug; the tee's variations batch
    assert store_products_with_sku(store, "RO-MUG")[0]["id"] == mug["id"]
    assert store_products_with_sku(store, "RO-TEE-S")[0]["id"] == small["id"]
    again = as_json(cli("--json", "import", "--update-existing"))
    assert again["warnings"] == [] and again["updatedCount"] == 0, again["products"]
    store.mark()
    as_json(cli("--json", "export", "--all", "--partial"))
    assert store.write_requests() == []


def test_stock_turned_on_for_a_variable_product_comes_in_on_the_parent(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    """The real store answers variations without stock of their own ``manage_stock: "parent"``
    with the parent's quantity: the parent's stock comes in, the variations hold none of it."""
    store = real_connection
    load_and_export(cli, tmp_path, "name, sku, price, Size, Color, manage_stock, stock_quantity")
    [tee] = store_products_with_sku(store, "RO-TEE")
    with store.api() as api:
        edit = {"manage_stock": True, "stock_quantity": 30}
        assert api.put(f"/products/{tee['id']}", json=edit).status_code == 200
        listed = api.get(f"/products/{tee['id']}/variations").json()
    assert {(v["manage_stock"], v["stock_quantity"]) for v in listed} == {("parent", 30)}

    taken = as_json(cli("--json", "import", "--update-existing"))
    assert taken["failedCount"] == 0, taken["products"]
    changed = {p["sku"]: p["changedFields"] for p in taken["products"] if p["changedFields"]}
    assert changed == {"RO-TEE": ["manage_stock", "stock_quantity"]}
    store.mark()
    as_json(cli("--json", "export", "--all", "--partial"))
    assert store.write_requests() == []
    again = as_json(cli("--json", "import", "--update-existing"))
    assert again["updatedCount"] == 0, again["products"]


def test_a_variable_product_made_simple_in_the_store_gets_no_variation_under_it(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    """The real store deletes the variations of a product made simple, and would take a new
    variation under the simple product without a word: the export fails it instead."""
    store = real_connection
    load_and_export(cli, tmp_path, "name, sku, price, Size, Color")
    [tee] = store_products_with_sku(store, "RO-TEE")
    route = f"/products/{tee['id']}/variations"
    with store.api() as api:
        assert api.put(f"/products/{tee['id']}", json={"type": "simple"}).status_code == 200
        assert api.get(route).json() == []
    assert cli("products", "edit", "RO-TEE-S", "--price", "19.00").exit_code == 0
    store.mark()

    sent = cli("--json", "export", "--all", "--partial")

    assert sent.exit_code == 1, sent.stdout + sent.stderr
    [failed] = [r for r in json.loads(sent.stdout)["results"] if r["status"] == "error"]
    assert f'"RO-TEE" is a simple product in the store (#{tee["id"]})' in failed["message"]
    # the one write: the linked variation's update, which found it gone
    assert [r.path for r in store.write_requests()] == [f"/wp-json/wc/v3{route}/batch"]
    with store.api() as api:
        assert api.get(route).json() == []


def test_orders_placed_in_the_store_reach_the_catalog_by_an_incremental_import(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    """What a cron job's ``import --incremental`` is for: stock sold through orders, of a simple
    product and of a variation. An order moves the product's (and the variable parent's) date,
    so the incremental listing finds both; the next partial export writes nothing."""
    store = real_connection
    catalog = (
        "- {sku: RO-JAR, name: Jar, price: '4.00', manage_stock: true, stock_quantity: 10}\n"
        "- sku: RO-CAP\n  name: Cap\n  type: variable\n  attributes: {Size: [S, M]}\n"
        "  variations:\n"
        "    - {sku: RO-CAP-S, attributes: {Size: S}, price: '9.00', manage_stock: true,"
        " stock_quantity: 6}\n"
        "    - {sku: RO-CAP-M, attributes: {Size: M}, price: '9.00'}\n"
    )
    load_and_export(
        cli, tmp_path, "name, sku, price, Size, manage_stock, stock_quantity", text=catalog
    )
    first = as_json(cli("--json", "import", "--incremental", "--update-existing"))
    assert first["updatedCount"] == 0, first["products"]
    [jar] = store_products_with_sku(store, "RO-JAR")
    [cap_s] = store_products_with_sku(store, "RO-CAP-S")
    order = {
        "status": "processing",
        "set_paid": True,
        "line_items": [
            {"product_id": jar["id"], "quantity": 2},
            {"product_id": cap_s["parent_id"], "variation_id": cap_s["id"], "quantity": 3},
        ],
    }
    with store.api() as api:
        assert api.post("/orders", json=order).status_code == 201

    taken = as_json(cli("--json", "import", "--incremental", "--update-existing"))

    changed = {p["sku"]: p["changedFields"] for p in taken["products"] if p["changedFields"]}
    assert changed == {"RO-JAR": ["stock_quantity"], "RO-CAP-S": ["stock_quantity"]}
    assert as_json(cli("--json", "products", "show", "RO-JAR"))["stock_quantity"] == 8
    assert as_json(cli("--json", "products", "show", "RO-CAP-S"))["stock_quantity"] == 3
    store.mark()
    as_json(cli("--json", "export", "--all", "--partial"))
    assert store.write_requests() == []


def test_an_order_placed_between_import_and_export_is_not_overwritten(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    """The cron job imports, a customer orders, then the export goes out with a delivery the
    shop owner booked in the catalog: the export sends the delivery as a change
    (``inventory_delta``), so the store keeps the order, and the next import brings it in."""
    store = real_connection
    catalog = (
        "- {sku: RO-POT, name: Pot, price: '6.00', manage_stock: true, stock_quantity: 10}\n"
        "- sku: RO-HAT\n  name: Hat\n  type: variable\n  attributes: {Size: [S, M]}\n"
        "  variations:\n"
        "    - {sku: RO-HAT-S, attributes: {Size: S}, price: '9.00', manage_stock: true,"
        " stock_quantity: 6}\n"
        "    - {sku: RO-HAT-M, attributes: {Size: M}, price: '9.00'}\n"
    )
    load_and_export(
        cli, tmp_path, "name, sku, price, Size, manage_stock, stock_quantity", text=catalog
    )
    as_json(cli("--json", "import", "--incremental", "--update-existing"))
    [pot] = store_products_with_sku(store, "RO-POT")
    [hat_s] = store_products_with_sku(store, "RO-HAT-S")
    order = {
        "status": "processing",
        "set_paid": True,
        "line_items": [
            {"product_id": pot["id"], "quantity": 2},
            {"product_id": hat_s["parent_id"], "variation_id": hat_s["id"], "quantity": 1},
        ],
    }
    with store.api() as api:
        assert api.post("/orders", json=order).status_code == 201
    for sku, delivered in (("RO-POT", "15"), ("RO-HAT-S", "10")):  # +5 and +4 delivered
        assert cli("products", "edit", sku, "--stock-quantity", delivered).exit_code == 0

    sent = as_json(cli("--json", "export", "--all", "--partial"))

    assert sent["failedCount"] == 0
    [pot] = store_products_with_sku(store, "RO-POT")
    [hat_s] = store_products_with_sku(store, "RO-HAT-S")
    assert (pot["stock_quantity"], hat_s["stock_quantity"]) == (13, 9)  # the order kept
    taken = as_json(cli("--json", "import", "--incremental", "--update-existing"))
    assert taken["conflictCount"] == 0, taken["conflicts"]
    assert as_json(cli("--json", "products", "show", "RO-POT"))["stock_quantity"] == 13
    assert as_json(cli("--json", "products", "show", "RO-HAT-S"))["stock_quantity"] == 9
    store.mark()
    as_json(cli("--json", "export", "--all", "--partial"))
    assert store.write_requests() == []


def test_a_sale_ended_early_in_the_catalog_ends_in_the_store(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    """Fields emptied in the catalog (a product's sale price and tags, a variation's sale price)
    are emptied in the store by the next partial export; the import after finds nothing new."""
    store = real_connection
    catalog = (
        "- {sku: RO-VASE, name: Vase, price: '30.00', sale_price: '25.00', tags: [spring]}\n"
        "- sku: RO-SOCK\n  name: Sock\n  type: variable\n  attributes: {Size: [S, M]}\n"
        "  variations:\n"
        "    - {sku: RO-SOCK-S, attributes: {Size: S}, price: '5.00', sale_price: '4.00'}\n"
        "    - {sku: RO-SOCK-M, attributes: {Size: M}, price: '5.00'}\n"
    )
    load_and_export(cli, tmp_path, "name, sku, price, sale_price, tags, Size", text=catalog)
    for unset in (("RO-VASE", "sale_price", "tags"), ("RO-SOCK-S", "sale_price")):
        flags = [part for name in unset[1:] for part in ("--unset", name)]
        edited = cli("products", "edit", unset[0], *flags)
        assert edited.exit_code == 0, edited.stderr

    sent = as_json(cli("--json", "export", "--all", "--partial"))

    assert sent["failedCount"] == 0
    [vase] = store_products_with_sku(store, "RO-VASE")
    [sock_s] = store_products_with_sku(store, "RO-SOCK-S")
    assert (vase["sale_price"], vase["price"], vase["tags"]) == ("", "30.00", [])
    assert (sock_s["sale_price"], sock_s["price"]) == ("", "5.00")
    taken = as_json(cli("--json", "import", "--update-existing"))
    assert (taken["updatedCount"], taken["conflictCount"]) == (0, 0), taken["products"]
    store.mark()
    as_json(cli("--json", "export", "--all", "--partial"))
    assert store.write_requests() == []
