"""Custom fields to a store's meta data (``meta:KEY`` in a mapping), through the CLI against a
served sandbox: a product's and a variation's custom fields go to ``meta_data`` under their key,
come back by the same mapping, are compared like any other field (an unchanged ``--partial``
sends nothing, a store edit comes in, an edit on both sides is a conflict), and keys WooCommerce
keeps its own fields under are refused before anything is sent. The store's behaviour (merge by
key, a null value deletes, scalars kept as text) was checked on a real WooCommerce 11.0.1 store;
``tests/realstore`` runs the same against one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mapping_helpers import run_json
from woosync.db.engine import open_database
from woosync.sandbox import SandboxStore
from woosync.services.connections.records import create_connection
from woosync.services.mappings.rules import (
    MappingRuleError,
    validate_export_fields,
    validate_import_mappings,
)
from woosync.woo import WooClient

CATALOG = """
- sku: MUG
  name: Classic Mug
  price: "12.00"
  customFields: {wholesale: "5.50", brand: Acme, codes: [A1, B2], erp: 1234}
- sku: TEE
  name: Organic Tee
  type: variable
  attributes: {Size: [S, M]}
  variations:
    - {sku: TEE-S, attributes: {Size: S}, price: "20.00", customFields: {wholesale: "12.00"}}
    - {sku: TEE-M, attributes: {Size: M}, price: "21.00", customFields: {wholesale: "13.00"}}
"""
MAPPING = """
version: 1
store: Retail
export:
  selectedFields: [name, sku, price, Size, wholesale, brand, codes, erp]
  fieldMappings:
    price: regular_price
    wholesale: "meta:_wholesale_price"
    brand: "meta:brand"
    codes: "meta:codes"
    erp: "meta:_erp_id"
"""


@pytest.fixture
def shop(db_path: Path, cli: Any, tmp_path: Path) -> Iterator[SandboxStore]:
    """A served sandbox, connection 1 'Retail' with MAPPING, and CATALOG exported to it."""
    sandbox = SandboxStore(seed=11)
    db = open_database(db_path)
    with sandbox.serve() as url:
        key, secret = sandbox.create_key("read_write")
        create_connection(db, name="Retail", url=url, consumer_key=key, consumer_secret=secret)
        (tmp_path / "catalog.yaml").write_text(CATALOG)
        (tmp_path / "mapping.yaml").write_text(MAPPING)
        assert cli("products", "load", str(tmp_path / "catalog.yaml")).exit_code == 0
        assert cli("mappings", "apply", str(tmp_path / "mapping.yaml")).exit_code == 0
        run_json(cli, "export", "--all")
        yield sandbox
    db.dispose()


def store_item(sandbox: SandboxStore, sku: str) -> dict[str, Any]:
    """The product or variation with ``sku`` as the store answers it (``context=edit``)."""
    found = sandbox.find_sku(sku)
    assert found is not None
    parent = found.get("parent_id")
    path = f"/products/{parent}/variations/{found['id']}" if parent else f"/products/{found['id']}"
    answer: dict[str, Any] = in_store(sandbox, "GET", path, context="edit")
    return answer


def meta(sandbox: SandboxStore, sku: str) -> dict[str, Any]:
    return {entry["key"]: entry["value"] for entry in store_item(sandbox, sku)["meta_data"]}


def in_store(sandbox: SandboxStore, method: str, path: str, body: Any = None, **params: str) -> Any:
    """A shop manager's request, through the store's REST API; its answer."""
    key, secret = sandbox.create_key("read_write")
    with WooClient(sandbox.home, key, secret, max_retries=0) as client:
        return client.get(path, params) if method == "GET" else client.put(path, body)


def edit_meta(sandbox: SandboxStore, sku: str, key: str, value: Any) -> None:
    item = store_item(sandbox, sku)
    parent = item.get("parent_id")
    path = f"/products/{parent}/variations/{item['id']}" if parent else f"/products/{item['id']}"
    in_store(sandbox, "PUT", path, {"meta_data": [{"key": key, "value": value}]})


def custom_fields(cli: Any, sku: str) -> dict[str, Any]:
    shown: dict[str, Any] = run_json(cli, "products", "show", sku)
    return dict(shown.get("customFields") or {})


def sent(cli: Any, result: Any) -> dict[str, list[str]]:
    """SKU -> the fields an export run sent it (products and variations that were written)."""
    products: list[dict[str, Any]] = run_json(cli, "products", "list", "--all")
    skus = {
        item["id"]: item["sku"]
        for product in products
        for item in (product, *product.get("variations", []))
    }
    return {
        skus[item["productId"]]: item["exportedFields"]
        for item in result["results"]
        if item["change"] in ("created", "updated")
    }


def test_custom_fields_go_to_meta_data_and_nowhere_else(shop: SandboxStore) -> None:
    assert meta(shop, "MUG") == {
        "_wholesale_price": "5.50",
        "brand": "Acme",
        "codes": ["A1", "B2"],
        "_erp_id": "1234",
    }
    assert store_item(shop, "MUG")["attributes"] == []  # not made product attributes
    assert meta(shop, "TEE-S") == {"_wholesale_price": "12.00"}
    assert meta(shop, "TEE-M") == {"_wholesale_price": "13.00"}
    assert meta(shop, "TEE") == {}  # the parent has none of its variations' fields


def test_an_export_after_an_import_sends_nothing(cli: Any, shop: SandboxStore) -> None:
    run_json(cli, "import", "--update-existing")
    assert sent(cli, run_json(cli, "export", "--all", "--partial")) == {}
    assert custom_fields(cli, "MUG")["wholesale"] == "5.50"


def test_a_catalog_change_sends_only_that_key(cli: Any, shop: SandboxStore) -> None:
    assert cli("products", "edit", "TEE-M", "--custom", "wholesale=14.50").exit_code == 0
    assert cli("products", "edit", "MUG", "--custom", "brand=Acme Co").exit_code == 0
    plan = run_json(cli, "export", "--all", "--partial", "--dry-run")
    changes = {p["sku"]: p.get("fields") for p in plan["products"] if p["action"] == "update"}
    assert changes == {
        "MUG": [{"field": "brand", "wooField": "meta:brand", "old": "Acme", "new": "Acme Co"}]
    }
    variations = {v["sku"]: v["fields"] for v in plan["variations"] if v["action"] == "update"}
    assert variations == {"TEE-M": ["wholesale"]}
    assert sent(cli, run_json(cli, "export", "--all", "--partial")) == {
        "MUG": ["brand"],
        "TEE-M": ["wholesale"],
    }
    assert meta(shop, "TEE-M") == {"_wholesale_price": "14.50"}
    assert meta(shop, "MUG")["brand"] == "Acme Co"
    assert meta(shop, "MUG")["_wholesale_price"] == "5.50"  # other keys are left alone


def test_store_edits_come_in_and_a_deleted_key_clears_the_field(
    cli: Any, shop: SandboxStore
) -> None:
    edit_meta(shop, "MUG", "_wholesale_price", "6.00")
    edit_meta(shop, "MUG", "brand", None)  # a null value deletes the key
    edit_meta(shop, "TEE-S", "_wholesale_price", "11.00")
    edit_meta(shop, "TEE-S", "unmapped", "a plugin's own")  # not mapped: stays out

    result = run_json(cli, "import", "--update-existing")

    assert result["counts"]["updated"] == 2
    assert custom_fields(cli, "MUG") == {"wholesale": "6.00", "codes": ["A1", "B2"], "erp": "1234"}
    assert custom_fields(cli, "TEE-S") == {"wholesale": "11.00"}
    assert sent(cli, run_json(cli, "export", "--all", "--partial")) == {}


def test_an_edit_on_both_sides_is_a_conflict_and_overwrites_neither(
    cli: Any, shop: SandboxStore
) -> None:
    edit_meta(shop, "TEE-S", "_wholesale_price", "17.00")
    assert cli("products", "edit", "TEE-S", "--custom", "wholesale=16.00").exit_code == 0

    result = run_json(cli, "import", "--update-existing")
    assert result["counts"]["conflicts"] == 1
    assert sent(cli, run_json(cli, "export", "--all", "--partial")) == {}
    assert meta(shop, "TEE-S") == {"_wholesale_price": "17.00"}
    assert custom_fields(cli, "TEE-S") == {"wholesale": "16.00"}

    run_json(cli, "import", "--update-existing", "--on-conflict", "store")
    assert custom_fields(cli, "TEE-S") == {"wholesale": "17.00"}


def test_a_field_emptied_in_the_catalog_is_emptied_in_the_store(
    cli: Any, shop: SandboxStore
) -> None:
    assert cli("products", "edit", "MUG", "--unset", "erp").exit_code == 0
    assert cli("products", "edit", "TEE-M", "--unset", "wholesale").exit_code == 0

    assert sent(cli, run_json(cli, "export", "--all", "--partial")) == {
        "MUG": ["erp"],
        "TEE-M": ["wholesale"],
    }

    assert meta(shop, "MUG")["_erp_id"] == ""
    assert meta(shop, "TEE-M")["_wholesale_price"] == ""
    assert sent(cli, run_json(cli, "export", "--all", "--partial")) == {}  # once
    run_json(cli, "import", "--update-existing")
    assert "erp" not in custom_fields(cli, "MUG")
    assert sent(cli, run_json(cli, "export", "--all", "--partial")) == {}


def test_allow_empty_empties_a_key_the_catalog_never_sent(cli: Any, shop: SandboxStore) -> None:
    edit_meta(shop, "TEE", "_erp_id", "99")  # the store's own: the catalog's TEE has no erp
    run_json(cli, "export", "--all")  # a full export: every field, but no empty value
    assert meta(shop, "TEE")["_erp_id"] == "99"

    run_json(cli, "export", "--all", "--partial", "--allow-empty", "erp")

    assert meta(shop, "TEE")["_erp_id"] == ""


def test_an_import_mapping_takes_meta_into_a_custom_field(
    cli: Any, shop: SandboxStore, tmp_path: Path
) -> None:
    mapping = tmp_path / "import.yaml"
    mapping.write_text(
        "version: 1\nstore: Retail\nimport:\n"
        '  fieldMappings: {"meta:_wholesale_price": tradePrice, regular_price: price}\n'
    )
    assert cli("mappings", "apply", str(mapping)).exit_code == 0
    edit_meta(shop, "MUG", "_wholesale_price", "7.25")

    run_json(cli, "import", "--update-existing")

    assert custom_fields(cli, "MUG")["tradePrice"] == "7.25"


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        ("meta:_sku", "'_sku', where WooCommerce keeps a field of its own"),
        ("meta:_stock", "'_stock', where WooCommerce keeps a field of its own"),
        ("meta:_wp_old_slug", "'_wp_old_slug', where WooCommerce keeps a field of its own"),
        ("'meta:'", "names no meta key"),
    ],
)
def test_a_key_woocommerce_keeps_a_field_under_is_refused(
    cli: Any, shop: SandboxStore, tmp_path: Path, target: str, problem: str
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(MAPPING.replace('"meta:_erp_id"', target))
    before = run_json(cli, "export-mapping", "list", "1")

    result = cli("mappings", "apply", str(bad))

    assert result.exit_code == 2
    assert problem in result.output
    assert "Traceback" not in result.output
    assert run_json(cli, "export-mapping", "list", "1") == before


def test_an_object_a_plugin_keeps_in_a_mapped_key_is_left_out_and_the_rest_comes_in(
    cli: Any, shop: SandboxStore
) -> None:
    edit_meta(shop, "MUG", "codes", {"plugin": "data"})
    edit_meta(shop, "MUG", "brand", "Zeta")
    edit_meta(shop, "TEE-S", "_wholesale_price", [{"tier": 1, "price": "11.00"}])

    result = cli("--json", "import", "--update-existing")

    assert result.exit_code == 0, result.output
    (warning,) = [w for w in json.loads(result.stdout)["warnings"] if "meta:codes" in w]
    assert "meta:codes holds an object" in warning and "MUG" in warning
    (warning,) = [w for w in json.loads(result.stdout)["warnings"] if "_wholesale_price" in w]
    assert "a list of objects or lists" in warning and "TEE-S" in warning
    assert custom_fields(cli, "MUG")["codes"] == ["A1", "B2"]  # nothing flattened
    assert custom_fields(cli, "MUG")["brand"] == "Zeta"  # the product's other edits came in
    assert custom_fields(cli, "TEE-S")["wholesale"] == "12.00"

    # the catalog's values did not change: nothing goes back over the plugin's data
    assert sent(cli, run_json(cli, "export", "--all", "--partial")) == {}
    assert meta(shop, "MUG")["codes"] == {"plugin": "data"}


def test_a_new_product_comes_in_without_the_object_a_plugin_keeps(
    cli: Any, shop: SandboxStore, tmp_path: Path
) -> None:
    mapping = tmp_path / "import.yaml"
    mapping.write_text(
        "version: 1\nstore: Retail\nimport:\n"
        '  fieldMappings: {"meta:_specs": specs, "meta:_tags": tags_list, "meta:brand": brand}\n'
    )
    assert cli("mappings", "apply", str(mapping)).exit_code == 0
    key, secret = shop.create_key("read_write")
    with WooClient(shop.home, key, secret, max_retries=0) as client:
        client.post(
            "/products",
            {
                "name": "Lamp",
                "sku": "LAMP",
                "meta_data": [
                    {"key": "_specs", "value": {"w": 10, "h": [20, 30]}},
                    {"key": "_tags", "value": ["a", "b"]},
                    {"key": "brand", "value": "Acme"},
                ],
            },
        )

    result = cli("import")

    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert "meta:_specs holds an object" in result.output
    assert custom_fields(cli, "LAMP") == {"tags_list": ["a", "b"], "brand": "Acme"}


def test_the_mapping_rules_take_meta_targets_in_both_directions() -> None:
    validate_export_fields(["name", "sku", "images"], {"images": "meta:gallery"})  # a list fits
    validate_import_mappings(None, {"meta:_wholesale_price": "wholesale"})
    with pytest.raises(MappingRuleError, match="'_price', where WooCommerce keeps a field"):
        validate_export_fields(["name", "sku", "cost"], {"cost": "meta:_price"})
    with pytest.raises(MappingRuleError, match="'_stock', where WooCommerce keeps a field"):
        validate_import_mappings(None, {"meta:_stock": "stock"})
    with pytest.raises(MappingRuleError, match="not a WooCommerce product field"):
        validate_import_mappings(None, {"metadata:brand": "brand"})
