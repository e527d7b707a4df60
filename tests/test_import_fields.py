"""Mapping real WooCommerce product dicts (recorded captures) into local catalog fields."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from woosync.services.imports.bookmark import (
    modified_after,
    next_cursor,
    parse_woo_gmt,
    woo_gmt,
)
from woosync.services.imports.fields import (
    ImportRules,
    find_attribute_mapping,
    map_product,
    needs_attribute_slugs,
)
from woosync.services.imports.skips import missing_sku_reason, unsupported_reason
from woosync.services.sync.targets import resolve_targets

# Real WooCommerce answers (copied from the shared reference captures).
CAPTURES = Path(__file__).resolve().parent / "fixtures" / "import"


def _capture(name: str) -> Any:
    return json.loads((CAPTURES / name).read_text())["response"]["body"]


@pytest.fixture
def product_get() -> dict[str, Any]:
    return _capture("product_get.json")


@pytest.fixture
def listed() -> list[dict[str, Any]]:
    return _capture("products_list.json")


def _with_attributes(product: dict[str, Any]) -> dict[str, Any]:
    """The capture plus attributes as WooCommerce reads them (reference 4.3), one global, two local."""
    result = copy.deepcopy(product)
    result["name"] = "Tom &amp; Jerry Tee"
    result["weight"] = "0.35"
    result["dimensions"] = {"length": "30", "width": "20", "height": ""}
    result["sale_price"] = "17.50"
    result["categories"] = [{"id": 15, "name": "Shirts &amp; Tops", "slug": "shirts-tops"}]
    result["tags"] = [{"id": 3, "name": "cotton", "slug": "cotton"}]
    result["images"] = [{"id": 7, "src": "https://img.example/tee.jpg", "name": "tee", "alt": ""}]
    result["attributes"] = [
        {
            "id": 1,
            "name": "Color",
            "slug": "pa_color",
            "position": 0,
            "visible": True,
            "variation": False,
            "options": ["Red", "Blue"],
        },
        {
            "id": 2,
            "name": "Material",
            "position": 1,
            "visible": True,
            "variation": False,
            "options": ["Cotton"],
        },
        {
            "id": 0,
            "name": "Fit",
            "slug": "Fit",
            "position": 2,
            "visible": True,
            "variation": False,
            "options": ["Slim"],
        },
    ]
    return result


USE_CASE_3 = ImportRules.from_mapping(
    {"pa_material": "material", "pa_color": "color", "pa_size": "size"},
    {"regular_price": "price", "sale_price": "salePrice", "weight": "productWeight"},
)


def test_default_mapping_on_the_real_capture(product_get: dict[str, Any]) -> None:
    fields = map_product(product_get, ImportRules.default())
    assert fields.standard == {
        "name": "Lab Tee 1795542910",
        "sku": "LAB-TEE-1795542910",
        "description": "<p>A test tee</p>\n",
        "status": "publish",
        "type": "simple",
        "price": "19.99",
        "sale_price": None,
        "weight": None,
        "length": None,
        "width": None,
        "height": None,
        "stock_status": "instock",
        "manage_stock": True,
        "stock_quantity": 10,
        "backorders": "no",
        "low_stock_amount": None,
        "date_on_sale_from": None,
        "date_on_sale_to": None,
        "categories": ["Uncategorized"],
        "tags": [],
        "images": [],
        "upsells": [],  # none: a store product's upsells and cross-sells come in by SKU
        "cross_sells": [],
        "grouped_products": [],
        "downloads": None,  # none: a downloadable product's files
        "brands": [],  # WooCommerce 9.6 and later answer the product's brands
    }
    assert fields.attributes == {}
    assert fields.custom_fields == {}


def test_every_listed_capture_maps_with_its_own_sku(listed: list[dict[str, Any]]) -> None:
    mapped = [map_product(product, ImportRules.default()) for product in listed]
    assert [fields.sku for fields in mapped] == [product["sku"] for product in listed]
    assert mapped[0].standard["price"] == "24.50"
    assert mapped[0].standard["sale_price"] == "20.00"


def test_use_case_3_mapping_renames_fields_and_maps_attributes(
    product_get: dict[str, Any],
) -> None:
    fields = map_product(_with_attributes(product_get), USE_CASE_3)
    assert fields.standard["price"] == "19.99"
    assert fields.standard["sale_price"] == "17.50"  # salePrice is the spec's standard name
    assert "weight" not in fields.standard  # weight was renamed away from the standard field
    assert fields.custom_fields == {"productWeight": "0.35"}
    # pa_color matches by slug; Material comes without a slug, see the next test
    assert fields.attributes["color"] == ["Red", "Blue"]
    # unmapped store attributes are kept under their store names
    assert fields.attributes["Fit"] == "Slim"
    assert fields.standard["name"] == "Tom & Jerry Tee"
    assert fields.standard["categories"] == ["Shirts & Tops"]
    assert fields.standard["images"] == ["https://img.example/tee.jpg"]
    assert (fields.standard["length"], fields.standard["width"], fields.standard["height"]) == (
        "30",
        "20",
        None,
    )


def test_global_attribute_without_slug_matches_through_the_store_table(
    product_get: dict[str, Any],
) -> None:
    product = _with_attributes(product_get)
    assert needs_attribute_slugs([product], USE_CASE_3)
    without_table = map_product(product, USE_CASE_3)
    assert without_table.attributes["Material"] == "Cotton"  # kept, under its store name
    with_table = map_product(product, USE_CASE_3, {2: "pa_material"})
    assert with_table.attributes["material"] == "Cotton"
    assert "Material" not in with_table.attributes


def test_attribute_mapping_by_name_and_ignoring_case() -> None:
    entry = {"id": 0, "name": "Color", "options": ["Red"]}
    assert find_attribute_mapping(entry, {"Color": "colour"}) == "colour"
    assert find_attribute_mapping(entry, {"color": "colour"}) == "colour"
    assert find_attribute_mapping({"id": 4, "name": "X", "slug": "pa_x"}, {"PA_X": "x"}) == "x"
    assert find_attribute_mapping(entry, {"Size": "size"}) is None


def test_attribute_mapped_to_a_standard_field_sets_that_field(
    product_get: dict[str, Any],
) -> None:
    product = copy.deepcopy(product_get)
    product["attributes"] = [
        {"id": 5, "name": "Width", "slug": "pa_width", "options": ["12"]},
        {"id": 6, "name": "Label", "slug": "pa_label", "options": ["A &amp; B", "C"]},
    ]
    fields = map_product(product, ImportRules.from_mapping({"pa_width": "width"}, {}))
    assert fields.standard["width"] == "12"
    assert fields.attributes == {"Label": ["A & B", "C"]}


def test_field_mapping_to_a_standard_field_and_to_a_custom_field(
    product_get: dict[str, Any],
) -> None:
    rules = ImportRules.from_mapping(
        {}, {"short_description": "description", "stock_quantity": "stockQuantity"}
    )
    fields = map_product(product_get, rules)
    assert fields.standard["description"] == "<p>tee</p>\n"
    assert fields.custom_fields == {"stockQuantity": 10}
    assert fields.standard["sku"] == "LAB-TEE-1795542910"


def test_unsupported_types_and_missing_sku_have_reasons(product_get: dict[str, Any]) -> None:
    assert unsupported_reason(product_get) is None
    assert missing_sku_reason(product_get) is None
    assert unsupported_reason(dict(product_get, type="variable")) is None  # with its variations
    assert unsupported_reason(dict(product_get, type="grouped")) is None  # with its products
    assert "not supported" in (unsupported_reason(dict(product_get, type="bundle")) or "")
    assert unsupported_reason(dict(product_get, type="external")) is None  # link and button
    variation = dict(product_get, type="variation", parent_id=9)
    assert "variation of product 9; it comes in with its variable product" in (
        unsupported_reason(variation) or ""
    )
    assert "'bundle'" in (unsupported_reason(dict(product_get, type="bundle")) or "")
    assert "no SKU" in (missing_sku_reason(dict(product_get, sku="")) or "")


def test_store_dates_and_modified_after_window() -> None:
    seen = parse_woo_gmt("2026-11-24T17:55:11")
    assert seen == datetime(2026, 11, 24, 17, 55, 11, tzinfo=UTC)
    assert parse_woo_gmt(None) is None and parse_woo_gmt("soon") is None
    start = modified_after(seen, timedelta(seconds=60))
    # 60 s of overlap, and one second more: the comparison is strict and dates are whole seconds
    assert woo_gmt(start) == "2026-11-24T17:54:10"


def test_cursor_never_passes_the_start_of_the_run_and_never_moves_back() -> None:
    previous = datetime(2026, 1, 1, tzinfo=UTC)
    newest = datetime(2026, 1, 2, 10, 0, 30, tzinfo=UTC)
    assert next_cursor(previous, newest, timedelta(seconds=30)) == datetime(
        2026, 1, 2, 10, 0, 0, tzinfo=UTC
    )
    assert next_cursor(previous, None, timedelta(seconds=5)) == previous
    older = datetime(2025, 12, 31, tzinfo=UTC)
    assert next_cursor(previous, older, timedelta(0)) == previous
    assert next_cursor(None, newest, timedelta(0)) == newest


def test_the_default_rules_bring_back_what_the_export_mapping_sends_under_its_catalog_name() -> (
    None
):
    exported = resolve_targets(
        ["name", "sku", "wholesalePrice", "COLOR", "custom:Code"],
        {"wholesalePrice": "regular_price", "COLOR": "pa_color"},
    )
    rules = ImportRules.default(exported)
    woo = {
        "sku": "A-1",
        "regular_price": "7.00",
        "attributes": [
            {"id": 1, "name": "Color", "slug": "pa_color", "options": ["Red"]},
            {"id": 0, "name": "Material", "options": ["Oak"]},
        ],
    }
    local = map_product(woo, rules)
    assert local.custom_fields == {"wholesalePrice": "7.00"}
    assert "price" not in local.standard  # the catalog's retail price is not this store's
    assert local.attributes == {"COLOR": "Red", "Material": "Oak"}
    assert rules.source == (
        "default mapping (as the export mapping sends them: regular_price -> wholesalePrice, "
        "pa_color -> COLOR)"
    )
    assert ImportRules.default().field_mappings["regular_price"] == "price"


def test_a_catalog_field_the_export_fills_from_another_store_field_has_that_one_source() -> None:
    """``price: sale_price`` exported: the store's sale price comes back into ``price``, and its
    regular price (which no catalog field fills) does not overwrite it."""
    rules = ImportRules.default(resolve_targets(["name", "sku", "price"], {"price": "sale_price"}))
    local = map_product({"sku": "A-1", "regular_price": "20.00", "sale_price": "15.00"}, rules)
    assert local.standard["price"] == "15.00"
    assert "regular_price" not in rules.field_mappings


def test_under_an_export_mapping_the_default_rules_own_only_what_it_sends() -> None:
    """A store owns the fields its export mapping sends (a dimension part: the dimensions) and
    the attributes, under their catalog names; without an export mapping it owns everything."""
    exported = resolve_targets(
        ["name", "sku", "wholesalePrice", "length", "COLOR", "Size"],
        {"wholesalePrice": "regular_price", "COLOR": "pa_color"},
    )
    rules = ImportRules.default(exported)
    assert rules.owned_fields == frozenset({"sku", "name", "regular_price", "dimensions"})
    assert [woo for woo, *_ in rules.owned_plan] == ["name", "regular_price", "dimensions"]
    assert rules.attribute_mappings == {"pa_color": "COLOR", "Size": "Size"}
    assert not rules.owns("tags") and not rules.all_attributes
    assert ImportRules.default().owns("tags") and ImportRules.default().all_attributes
