"""Custom fields to meta data (``meta:KEY``), against a real WooCommerce store: a product's and a
variation's custom fields land in ``meta_data`` (not as attributes), an unchanged ``--partial``
writes nothing, a shop manager's edit and deletion of a key come back into the catalog, and the
partial export after that writes nothing again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from realstore.realstore_support import RealStore, catalog_and_mapping, store_products_with_sku
from served_stores import cli_json as as_json

CATALOG = """
- sku: RM-MUG
  name: Meta Mug
  price: "9.00"
  customFields: {wholesale: "4.50", brand: Acme, codes: [A1, B2]}
- sku: RM-TEE
  name: Meta Tee
  type: variable
  attributes: {Size: [S, M]}
  variations:
    - {sku: RM-TEE-S, attributes: {Size: S}, price: "20.00", customFields: {wholesale: "11.00"}}
    - {sku: RM-TEE-M, attributes: {Size: M}, price: "21.00", customFields: {wholesale: "12.00"}}
"""
MAPPING = """
store: Real Store
export:
  selectedFields: [name, sku, price, Size, wholesale, brand, codes]
  fieldMappings:
    wholesale: "meta:_wholesale_price"
    brand: "meta:brand"
    codes: "meta:codes"
"""


def meta(item: dict[str, Any]) -> dict[str, Any]:
    return {entry["key"]: entry["value"] for entry in item["meta_data"]}


def test_custom_fields_round_trip_through_meta_data(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    store = real_connection
    catalog_and_mapping(cli, tmp_path, CATALOG, MAPPING)
    first = as_json(cli("--json", "export", "--all"))
    assert first["failedCount"] == 0, first

    [mug] = store_products_with_sku(store, "RM-MUG")
    assert meta(mug) == {"_wholesale_price": "4.50", "brand": "Acme", "codes": ["A1", "B2"]}
    assert mug["attributes"] == []
    [tee] = store_products_with_sku(store, "RM-TEE")
    with store.api() as api:
        variations = api.get(f"/products/{tee['id']}/variations", params={"context": "edit"})
        by_sku = {v["sku"]: v for v in variations.json()}
        assert meta(by_sku["RM-TEE-M"]) == {"_wholesale_price": "12.00"}
        store.mark()
        as_json(cli("--json", "export", "--all", "--partial"))
        assert store.write_requests() == []

        edit = {"meta_data": [{"key": "_wholesale_price", "value": "5.00"}, {"key": "brand", "value": None}]}  # fmt: skip
        assert api.put(f"/products/{mug['id']}", json=edit).status_code == 200
        variation = f"/products/{tee['id']}/variations/{by_sku['RM-TEE-S']['id']}"
        edit = {"meta_data": [{"key": "_wholesale_price", "value": "10.50"}]}
        assert api.put(variation, json=edit).status_code == 200

    taken = as_json(cli("--json", "import", "--update-existing"))

    assert (taken["conflictCount"], taken["failedCount"]) == (0, 0), taken
    shown = as_json(cli("--json", "products", "show", "RM-MUG"))
    assert shown["customFields"] == {"wholesale": "5.00", "codes": ["A1", "B2"]}
    shown = as_json(cli("--json", "products", "show", "RM-TEE-S"))
    assert shown["customFields"] == {"wholesale": "10.50"}
    store.mark()
    as_json(cli("--json", "export", "--all", "--partial"))
    assert store.write_requests() == []


def test_a_plugins_object_stays_in_the_store_and_out_of_the_catalog(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    """WordPress keeps an object (a PHP array) in a meta key and answers it as a JSON object:
    the import leaves it out of the catalog, with a warning, and takes the product's other
    edits; the partial export after it sends nothing over the plugin's data."""
    store = real_connection
    catalog_and_mapping(cli, tmp_path, CATALOG, MAPPING)
    as_json(cli("--json", "export", "--all"))
    [mug] = store_products_with_sku(store, "RM-MUG")
    plugin = {"tiers": [{"min": 10, "price": "4.00"}], "enabled": True}
    with store.api() as api:
        edit = {"meta_data": [{"key": "codes", "value": plugin}, {"key": "brand", "value": "Zeta"}]}
        assert api.put(f"/products/{mug['id']}", json=edit).status_code == 200

    taken = as_json(cli("--json", "import", "--update-existing"))

    assert taken["failedCount"] == 0, taken
    assert any("meta:codes holds an object" in warning for warning in taken["warnings"])
    shown = as_json(cli("--json", "products", "show", "RM-MUG"))
    assert shown["customFields"]["codes"] == ["A1", "B2"]
    assert shown["customFields"]["brand"] == "Zeta"
    store.mark()
    as_json(cli("--json", "export", "--all", "--partial"))
    assert store.write_requests() == []
    [mug] = store_products_with_sku(store, "RM-MUG")
    assert meta(mug)["codes"] == plugin
