"""Values checked against their target (issue 10): whatever local field is mapped to a WooCommerce
field must fit that field's type (``core.fields.WOO_FIELD_TYPES``) before anything is sent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from test_export_support import add_products, edit_product, set_mapping, sync_of
from woosync.core.field_checks import coerce_target_value
from woosync.core.fields import WOO_FIELD_TYPES, WOO_PRODUCT_FIELDS
from woosync.db.engine import Database, open_database
from woosync.sandbox import SandboxStore
from woosync.services.connections.records import create_connection
from woosync.services.sync import targets as sync_targets


@pytest.fixture
def shop_and_store(db_path: Path) -> Iterator[tuple[SandboxStore, Database, int]]:
    shop = SandboxStore(seed=5)
    with shop.serve() as url:
        db = open_database(db_path)
        key, secret = shop.create_key("read_write")
        conn = create_connection(
            db, name="Retail", url=url, consumer_key=key, consumer_secret=secret
        )
        yield shop, db, conn.id
        db.dispose()


def test_a_decimal_comma_custom_field_mapped_to_regular_price_is_refused_and_never_sent(
    cli: Any, shop_and_store: tuple[SandboxStore, Database, int]
) -> None:
    shop, store, conn = shop_and_store
    bad, good = add_products(
        store,
        [
            {"sku": "SKU-1", "name": "Euro", "custom_fields": {"eurPrice": "20,90"}},
            {"sku": "SKU-2", "name": "Fine", "custom_fields": {"eurPrice": "19.90"}},
        ],
    )
    set_mapping(store, conn, ["name", "sku", "eurPrice"], {"eurPrice": "regular_price"})
    message = (
        'SKU-1: custom field eurPrice "20,90" cannot go to regular_price: '
        "not a plain decimal (write 20.90)"
    )

    dry = cli("--json", "export", "--all", "--dry-run")
    assert dry.exit_code == 1, dry.stderr  # the plan holds an error
    rows = {row["sku"]: row for row in json.loads(dry.stdout)["products"]}
    assert rows["SKU-1"]["action"] == "error" and rows["SKU-1"]["message"] == message
    assert rows["SKU-2"]["action"] == "create"

    shop.stats.reset()
    result = cli("export", "--all")
    assert result.exit_code == 1
    assert message in result.stderr
    assert shop.find_sku("SKU-1") is None  # the store received nothing for it
    assert (shop.find_sku("SKU-2") or {}).get("regular_price") == "19.90"  # the others went on
    assert shop.stats.items_written == 1
    record = sync_of(store, conn, bad)
    assert record is not None and record.sync_status == "error" and record.error_message == message
    linked = sync_of(store, conn, good)
    assert linked is not None and linked.sync_status == "synced"

    # a product already in the store whose value stops fitting: refused, link and store kept
    edit_product(store, good, custom_fields={"eurPrice": "19.90 EUR"})
    again = cli("export", "--all", "--partial")
    assert again.exit_code == 1
    assert 'SKU-2: custom field eurPrice "19.90 EUR" cannot go to regular_price' in again.stderr
    assert (shop.find_sku("SKU-2") or {}).get("regular_price") == "19.90"
    kept = sync_of(store, conn, good)
    assert kept is not None and kept.sync_status == "error"
    assert (kept.woo_product_id, kept.exported_values) == (
        linked.woo_product_id,
        linked.exported_values,
    )


def test_values_that_fit_reach_the_store_in_its_types(
    cli: Any, shop_and_store: tuple[SandboxStore, Database, int]
) -> None:
    shop, store, conn = shop_and_store
    add_products(
        store,
        [
            {
                "sku": "STOCK-1",
                "name": "Stocked",
                "custom_fields": {"qty": "7", "tracked": "yes", "shown": "Catalog"},
            }
        ],
    )
    set_mapping(
        store,
        conn,
        ["name", "sku", "qty", "tracked", "shown"],
        {"qty": "stock_quantity", "tracked": "manage_stock", "shown": "catalog_visibility"},
    )
    result = cli("export", "--all")
    assert result.exit_code == 0, result.stderr
    product = shop.find_sku("STOCK-1")
    assert product is not None
    assert (product["stock_quantity"], product["manage_stock"]) == (7, True)
    assert product["catalog_visibility"] == "catalog"


@pytest.mark.parametrize(
    ("woo_field", "value", "reason"),
    [
        ("sale_price", "-1", "must not be negative"),
        ("stock_quantity", "5.5", "not a whole number"),
        ("low_stock_amount", "-2", "must not be negative"),
        ("date_on_sale_from", "24/12/2026", "not an ISO 8601 date"),
        ("status", "published", "not one of draft, pending, private, publish, future"),
        ("backorders", "maybe", "not one of no, notify, yes"),
        ("catalog_visibility", "everywhere", "not one of visible, catalog, search, hidden"),
        ("tax_status", "taxed", "not one of taxable, shipping, none"),
        ("weight", "2 kg", "not a plain decimal"),
        ("manage_stock", "perhaps", "not true or false"),
        ("button_text", "two\nlines", "must be a single line"),
    ],
)
def test_each_kind_of_target_refuses_what_it_cannot_take(
    woo_field: str, value: str, reason: str
) -> None:
    target = sync_targets.resolve_targets(["name", "sku", "extra"], {"extra": woo_field})[2]
    with pytest.raises(sync_targets.ValueRefused) as refused:
        sync_targets.local_value(target, value)
    assert reason in refused.value.reason


@pytest.mark.parametrize(
    ("woo_field", "value", "sent"),
    [
        ("regular_price", "12.50", "12.50"),
        ("regular_price", ".5", "0.5"),  # WooCommerce keeps a bare point as written
        ("weight", "3.", "3"),
        ("stock_quantity", "7", 7),
        ("stock_quantity", "-3", -3),  # WooCommerce keeps stock below zero with backorders
        ("date_on_sale_to", "2026-12-24T10:00:00", "2026-12-24T10:00:00"),
        ("status", "Draft", "draft"),
        ("featured", "yes", True),
        ("manage_stock", "0", False),
        ("description", "line one\nline two", "line one\nline two"),
    ],
)
def test_values_that_fit_are_sent_in_the_shape_woocommerce_takes(
    woo_field: str, value: str, sent: object
) -> None:
    assert coerce_target_value(woo_field, value) == sent


def test_a_dimension_part_and_the_dimensions_object_are_measures() -> None:
    targets = sync_targets.resolve_targets(
        ["name", "sku", "depth", "dimensions"], {"depth": "length"}
    )
    with pytest.raises(sync_targets.ValueRefused, match=r"write 2\.5"):
        sync_targets.local_value(targets[2], "2,5")
    with pytest.raises(sync_targets.ValueRefused, match="must not be negative"):
        sync_targets.local_value(targets[3], {"length": "1", "width": "-2"})


def test_a_list_cannot_go_to_a_single_value_field_but_one_item_can() -> None:
    target = sync_targets.resolve_targets(["name", "sku", "sizes"], {"sizes": "regular_price"})[2]
    with pytest.raises(sync_targets.ValueRefused, match="a list of 2 values"):
        sync_targets.local_value(target, ["1.00", "2.00"])
    assert sync_targets.local_value(target, ["3.00"]) == "3.00"


def test_every_woocommerce_target_has_a_type_that_describes_itself() -> None:
    assert set(WOO_FIELD_TYPES) == WOO_PRODUCT_FIELDS
    for kind in WOO_FIELD_TYPES.values():
        assert kind.describe()


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (
            "name=regular_price",
            '"name" is text and cannot go to "regular_price", which takes money',
        ),
        ("price=stock_quantity", '"price" is a decimal number and cannot go to "stock_quantity"'),
        (
            "sku=manage_stock",
            '"sku" is text and cannot go to "manage_stock", which takes true or false',
        ),
    ],
)
def test_a_standard_field_mapped_to_a_target_of_another_type_is_refused_when_mapped(
    cli: Any, mapping: str, message: str
) -> None:
    env = {
        "WOOSYNC_CONSUMER_KEY": "ck_0123456789abcdef",
        "WOOSYNC_CONSUMER_SECRET": "cs_0123456789abcdef",
    }
    assert (
        cli("connections", "add", "--name", "S", "--url", "https://s.example", env=env).exit_code
        == 0
    )
    field = mapping.split("=")[0]
    fields = "name,sku" if field in ("name", "sku") else f"name,sku,{field}"
    result = cli("export-mapping", "create", "1", "--fields", fields, "--map", mapping)
    assert result.exit_code == 2 and message in result.stderr
    assert cli("--json", "export-mapping", "list", "1").stdout.strip() == "[]"
