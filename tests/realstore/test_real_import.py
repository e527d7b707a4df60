"""woosync import through the CLI against a real WooCommerce store."""

from __future__ import annotations

import json

from realstore.realstore_support import (
    RealStore,
    add_product,
    export,
    store_products_with_sku,
    woo_id,
)


def test_incremental_import_brings_in_a_product_renamed_in_the_store(
    cli, real_connection: RealStore
) -> None:
    store = real_connection
    renamed = add_product(cli, "RS-INC-1")
    add_product(cli, "RS-INC-2")
    export(cli, "--all")

    first = cli("--json", "import", "--incremental", "--update-existing")
    assert first.exit_code == 0, first.stderr
    assert json.loads(first.stdout)["failedCount"] == 0

    with store.api() as api:
        answer = api.put(f"/products/{woo_id(cli, renamed)}", json={"name": "Renamed & Co"})
    assert answer.status_code == 200, answer.text

    store.mark()
    second = cli("--json", "import", "--incremental", "--update-existing")
    assert second.exit_code == 0, second.stderr
    data = json.loads(second.stdout)
    statuses = {p["productId"]: (p["status"], p.get("changedFields")) for p in data["products"]}
    assert statuses[renamed] == ("updated", ["name"]), data
    assert data["importedCount"] == 0 and data["updatedCount"] == 1, data
    shown = json.loads(cli("--json", "products", "show", str(renamed)).stdout)
    assert shown["name"] == "Renamed & Co"  # the store answers "Renamed &amp; Co"
    # the second run asked only for what changed since the first one's bookmark (and for the
    # ids above the highest the first one saw: ids only)
    listings = [r for r in store.requests() if r.path == "/wp-json/wc/v3/products"]
    windows = [r for r in listings if r.params.get("_fields") != "id"]
    assert windows and all("modified_after" in r.params for r in windows), listings
    assert len(listings) - len(windows) == 1, listings


TEE = """
- sku: RS-TEE
  name: Real Tee
  type: variable
  categories: ["Clothing > Tees"]
  attributes: {Size: [S, M], Color: [Red, Blue]}
  variations:
    - {sku: RS-TEE-S-RED, attributes: {Size: S, Color: Red}, price: "20.00", manage_stock: true, stock_quantity: 5}
    - {sku: RS-TEE-M-BLUE, attributes: {Size: M, Color: Blue}, price: "21.00", stock_quantity: 2}
"""
TEE_FIELDS = "name,sku,price,manage_stock,stock_quantity,categories,Size,Color"


def test_variable_products_import_without_duplicates_and_the_export_after_sends_nothing(
    cli, real_connection: RealStore, tmp_path
) -> None:
    store = real_connection
    catalog = tmp_path / "tee.yaml"
    catalog.write_text(TEE)
    assert cli("products", "load", str(catalog)).exit_code == 0
    exported = cli("--json", "export", "--all", "--fields", TEE_FIELDS)
    assert exported.exit_code == 0, exported.stdout + exported.stderr

    again = cli("--json", "import", "--update-existing")
    assert again.exit_code in (0, 1), again.stderr  # the store's other products are not ours
    data = json.loads(again.stdout)
    ours = [p for p in data["products"] if p["sku"].startswith("RS-TEE")]
    assert {p["sku"]: p["status"] for p in ours} == {
        "RS-TEE": "unchanged", "RS-TEE-S-RED": "unchanged", "RS-TEE-M-BLUE": "unchanged"
    }, data  # fmt: skip

    parent = store_products_with_sku(store, "RS-TEE")[0]
    with store.api() as api:
        held = api.get(f"/products/{parent['id']}/variations").json()
        small = next(v for v in held if v["sku"] == "RS-TEE-S-RED")
        answer = api.put(
            f"/products/{parent['id']}/variations/{small['id']}", json={"regular_price": "24.00"}
        )
    assert answer.status_code == 200, answer.text
    updated = json.loads(cli("--json", "import", "--update-existing").stdout)
    changed = {
        p["sku"]: p.get("changedFields")
        for p in updated["products"]
        if p["status"] == "updated" and p["sku"].startswith("RS-TEE")
    }
    assert changed == {"RS-TEE-S-RED": ["price"]}, updated
    shown = json.loads(cli("--json", "products", "show", "RS-TEE").stdout)
    assert shown["categories"] == ["Clothing > Tees"]

    store.mark()
    partial = cli("--json", "export", "--all", "--partial", "--fields", TEE_FIELDS)
    assert partial.exit_code == 0, partial.stdout + partial.stderr
    assert store.write_requests() == []
    # the store keeps no quantity on a variation that does not manage its stock (it answered
    # null for the 2 sent): its echo, not a store edit; the catalog keeps the 2
    assert next(v for v in held if v["sku"] == "RS-TEE-M-BLUE")["stock_quantity"] is None
    medium = json.loads(cli("--json", "products", "show", "RS-TEE-M-BLUE").stdout)
    assert medium["stock_quantity"] == 2

    with store.api() as api:  # a variation made in the store, which the catalog lacks
        made = api.post(
            f"/products/{parent['id']}/variations",
            json={"sku": "RS-TEE-STRAY", "attributes": [{"name": "Size", "option": "M"}]},
        )
    assert made.status_code == 201, made.text
    pruned = cli("export", "--all", "--partial", "--fields", TEE_FIELDS, "--prune-variations")
    assert pruned.exit_code == 0, pruned.stdout + pruned.stderr
    assert f"- deleted variation #{made.json()['id']} (RS-TEE-STRAY) of product" in pruned.stdout
    with store.api() as api:
        left = api.get(f"/products/{parent['id']}/variations").json()
    assert sorted(v["sku"] for v in left) == ["RS-TEE-M-BLUE", "RS-TEE-S-RED"]
