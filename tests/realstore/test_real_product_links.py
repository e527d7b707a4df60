"""Upsells, cross-sells and a grouped product's products against a real WooCommerce store: the catalog's SKUs go out as the
store's ids (products created in the same run included), come back as SKUs (so nothing is sent
again and nothing comes back), and a shop manager's change comes in by SKU."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from realstore.realstore_support import RealStore, catalog_and_mapping, store_products_with_sku
from served_stores import cli_json as as_json

CATALOG = """
- {sku: RL-LAMP, name: Lamp, price: "30", upsells: [RL-BULB, rl-shade], cross_sells: [RL-BULB]}
- {sku: RL-BULB, name: Bulb, price: "5", upsells: [RL-LAMP]}
- {sku: RL-SHADE, name: Shade, price: "12"}
- {sku: RL-HOOK, name: Hook, price: "2", cross_sells: [RL-NOT-HERE]}
- {sku: RL-SET, name: Lamp set, type: grouped, grouped_products: [RL-LAMP, RL-BULB]}
"""
MAPPING = """
store: Real Store
export:
  selectedFields: [name, sku, type, price, upsells, cross_sells, grouped_products]
"""


def links(store: RealStore, sku: str) -> tuple[list[int], list[int]]:
    [product] = store_products_with_sku(store, sku)
    return list(product["upsell_ids"]), list(product["cross_sell_ids"])


def woo_id(store: RealStore, sku: str) -> int:
    [product] = store_products_with_sku(store, sku)
    return int(product["id"])


def test_links_go_out_as_the_stores_ids_and_come_back_by_sku(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    store = real_connection
    catalog_and_mapping(cli, tmp_path, CATALOG, MAPPING)

    first = as_json(cli("--json", "export", "--all"))
    assert first["counts"]["created"] == 5 and first["failedCount"] == 0, first
    bulb, shade, lamp = (woo_id(store, s) for s in ("RL-BULB", "RL-SHADE", "RL-LAMP"))
    assert links(store, "RL-LAMP") == ([bulb, shade], [bulb])
    assert links(store, "RL-BULB") == ([lamp], [])
    assert links(store, "RL-HOOK") == ([], [])
    [grouped] = store_products_with_sku(store, "RL-SET")
    assert (grouped["type"], grouped["grouped_products"]) == ("grouped", [lamp, bulb])
    assert any("RL-NOT-HERE" in w for w in first["warnings"]), first["warnings"]

    store.mark()
    again = as_json(cli("--json", "export", "--all", "--partial"))
    assert again["counts"]["updated"] == 0 and store.write_requests() == [], again
    back = as_json(cli("--json", "import", "--update-existing"))
    assert back["updatedCount"] == 0 and back["conflictCount"] == 0, back

    hook = woo_id(store, "RL-HOOK")
    with store.api() as api:
        changed = api.put(f"/products/{lamp}", json={"upsell_ids": [hook, bulb]})
        assert changed.status_code == 200, changed.text
    taken = as_json(cli("--json", "import", "--update-existing"))
    [product] = [p for p in taken["products"] if p["sku"] == "RL-LAMP"]
    assert product["changedFields"] == ["upsells"], taken
    shown = as_json(cli("--json", "products", "show", "RL-LAMP"))
    assert sorted(shown["upsells"]) == ["RL-BULB", "RL-HOOK"]
    store.mark()
    assert as_json(cli("--json", "export", "--all", "--partial"))["counts"]["updated"] == 0
    assert store.write_requests() == []


def test_a_link_to_a_product_without_a_sku_stays_in_the_store(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    """WooCommerce replaces a product's links with the list it is sent (checked): a shop
    manager's link to a product the catalog cannot name stays through an import, a partial
    export and an export that sends the product's links."""
    store = real_connection
    catalog_and_mapping(cli, tmp_path, CATALOG, MAPPING)
    as_json(cli("--json", "export", "--all"))
    lamp, bulb = woo_id(store, "RL-LAMP"), woo_id(store, "RL-BULB")
    with store.api() as api:
        gift = api.post("/products", json={"name": "Gift wrap", "regular_price": "1"})
        assert gift.status_code == 201, gift.text
        gift_id = int(gift.json()["id"])
        put = api.put(f"/products/{lamp}", json={"upsell_ids": [bulb, gift_id]})
        assert put.status_code == 200, put.text

    as_json(cli("--json", "import", "--update-existing"))
    assert as_json(cli("--json", "products", "show", "RL-LAMP"))["upsells"] == ["RL-BULB"]
    store.mark()
    as_json(cli("--json", "export", "--all", "--partial"))
    assert store.write_requests() == []
    (tmp_path / "more.yaml").write_text("- {sku: RL-LAMP, upsells: [RL-BULB, RL-SHADE]}\n")
    assert cli("products", "load", str(tmp_path / "more.yaml")).exit_code == 0

    as_json(cli("--json", "export", "--all", "--partial"))

    assert links(store, "RL-LAMP")[0] == [bulb, woo_id(store, "RL-SHADE"), gift_id]
    assert as_json(cli("--json", "import", "--update-existing"))["updatedCount"] == 0
