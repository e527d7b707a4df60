"""The catalog service API that export and import call: field values, lookups, field dicts, upserts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from woosync.core.errors import NotFoundError, ValidationError
from woosync.db.engine import Database
from woosync.db.models import Product
from woosync.services.catalog.changes import apply_product_fields
from woosync.services.catalog.load import load_products
from woosync.services.catalog.lookup import all_products, get_product, get_products, products_by_sku
from woosync.services.catalog.reading import field_value
from woosync.services.catalog.upsert import upsert_products
from woosync.shapes.products import field_change_json


def make(db: Database, **fields: Any) -> Product:
    with db.session() as session:
        product = Product(sku=fields.pop("sku"), name=fields.pop("name", "Mug"))
        apply_product_fields(product, fields)
        session.add(product)
    return product


# field_value --------------------------------------------------------------------------------------
def test_field_value_reads_every_kind_of_field(db: Database) -> None:
    product = make(
        db,
        sku="FV-1",
        name="Salt & Pepper Mill",
        price=12.5,
        sale_price="10.00",
        length="10",
        categories=["Kitchen"],
        images=["https://picsum.photos/seed/FV-1/600"],
        attributes={"COLOR": ["Red", "Blue"], "Dimension": "10x20"},
        custom_fields={"wholesalePrice": "8.50"},
    )
    value = field_value
    assert value(product, "name") == "Salt & Pepper Mill"
    assert value(product, "sku") == "FV-1"
    assert value(product, "price") == "12.5"
    assert value(product, "sale_price") == "10.00"
    assert value(product, "dimensions") == {"length": "10", "width": None, "height": None}
    assert value(product, "length") == "10"
    assert value(product, "width") is None
    assert value(product, "categories") == ["Kitchen"]
    assert value(product, "tags") == []
    assert value(product, "images") == ["https://picsum.photos/seed/FV-1/600"]
    assert value(product, "COLOR") == ["Red", "Blue"]
    assert value(product, "Dimension") == "10x20"
    assert value(product, "wholesalePrice") == "8.50"
    assert value(product, "attribute:COLOR") == ["Red", "Blue"]
    assert value(product, "custom:wholesalePrice") == "8.50"
    assert value(product, "custom:COLOR") is None
    assert value(product, "Material") is None
    assert value(product, "description") is None

    value(product, "COLOR").append("Green")  # a copy: the product is untouched
    value(product, "categories").append("Other")
    assert product.attributes["COLOR"] == ["Red", "Blue"]
    assert product.categories == ["Kitchen"]


def test_dimensions_is_none_when_all_parts_are_empty(db: Database) -> None:
    product = make(db, sku="FV-2")
    assert field_value(product, "dimensions") is None


def test_an_attribute_wins_over_a_custom_field_of_the_same_name(db: Database) -> None:
    product = make(db, sku="FV-3", attributes={"Size": "L"}, custom_fields={"Size": "internal"})
    assert field_value(product, "Size") == "L"
    assert field_value(product, "custom:Size") == "internal"


# apply_product_fields -----------------------------------------------------------------------------
def test_apply_product_fields_normalises_and_reports_changes() -> None:
    product = Product(sku="AP-1", name="Mug")
    changed = apply_product_fields(
        product,
        {
            "price": 12,
            "weight": 0.25,
            "dimensions": {"length": 10, "height": "4.0"},
            "categories": ["Kitchen", " Kitchen ", "Gifts"],
            "attribute:COLOR": ["Red", "Blue"],
            "Dimension": ["10x20"],  # bare name with a list: an attribute
            "wholesalePrice": 8.5,  # bare name with a scalar: a custom field
            "custom:vendor": "ACME",
        },
    )
    assert changed == [
        "price",
        "weight",
        "length",
        "height",
        "categories",
        "COLOR",
        "Dimension",
        "wholesalePrice",
        "vendor",
    ]
    assert (product.price, product.weight, product.length, product.height) == (
        "12",
        "0.25",
        "10",
        "4.0",
    )
    assert product.categories == ["Kitchen", "Gifts"]
    assert product.attributes == {"COLOR": ["Red", "Blue"], "Dimension": ["10x20"]}
    assert product.custom_fields == {"wholesalePrice": "8.5", "vendor": "ACME"}


def test_apply_product_fields_updates_the_existing_kind_and_removes_with_none() -> None:
    product = Product(
        sku="AP-2",
        name="Mug",
        price="5",
        attributes={"COLOR": "Red", "Size": "L"},
        custom_fields={"wholesalePrice": "3"},
    )
    before = product.updated_at - timedelta(seconds=5)
    product.updated_at = before
    assert apply_product_fields(product, {"price": "5", "COLOR": "Red"}) == []
    assert product.updated_at == before  # nothing changed, nothing touched

    changed = apply_product_fields(
        product, {"COLOR": "Blue", "wholesalePrice": None, "Size": None, "price": None}
    )
    assert changed == ["price", "COLOR", "Size", "wholesalePrice"]
    assert product.price is None
    assert product.attributes == {"COLOR": "Blue"}
    assert product.custom_fields == {}
    assert product.updated_at > before


def test_apply_product_fields_replaces_whole_sets_when_given() -> None:
    product = Product(sku="AP-3", name="Mug", attributes={"COLOR": "Red", "Size": "L"})
    changed = apply_product_fields(product, {"attributes": {"Material": "Oak"}})
    assert changed == ["COLOR", "Size", "Material"]
    assert product.attributes == {"Material": "Oak"}


def test_apply_product_fields_rejects_bad_values_without_changing_anything() -> None:
    product = Product(sku="AP-4", name="Mug", price="5")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"price": "abc", "name": "Other"}, "price: 'abc' is not a number like 12.50"),
        ({"price": True}, "price: True is not a number"),
        ({"status": "gone"}, "status: 'gone' is not one of publish, draft, pending, private"),
        ({"name": None}, "name: is required and cannot be empty"),
        ({"sku": ""}, "sku: is required"),
        ({"images": ["not a url"]}, "images: 'not a url' is not an http(s) URL"),
        ({"attributes": {"COLOR": {"nested": 1}}}, "attributes: COLOR: must be text"),
        ({"dimensions": {"depth": 3}}, "dimensions: unknown part 'depth'"),
    ]
    for fields, message in cases:
        with pytest.raises(ValidationError) as caught:
            apply_product_fields(product, fields)
        assert message in caught.value.message
    assert (product.name, product.price) == ("Mug", "5")


# lookups ------------------------------------------------------------------------------------------
def test_get_products_keeps_the_order_and_reports_missing_ids(db: Database) -> None:
    for sku in ("L1", "L2", "L3"):
        make(db, sku=sku)
    with db.session() as session:
        assert [p.sku for p in get_products(session, [3, 1, 3])] == ["L3", "L1"]
        assert get_product(session, 2).sku == "L2"
        with pytest.raises(NotFoundError, match="products 7, 9 not found"):
            get_products(session, [1, 7, 9])
        with pytest.raises(NotFoundError, match="product 8 not found"):
            get_product(session, 8)
        found = products_by_sku(session, ["L2", " L3 ", "NOPE"])
        assert sorted(found) == ["L2", "L3"]
        assert [p.sku for p in all_products(session)] == ["L1", "L2", "L3"]


# upsert_products ----------------------------------------------------------------------------------
def test_upsert_creates_updates_and_leaves_unchanged(db: Database) -> None:
    make(db, sku="U1", price="1")
    make(db, sku="U2", price="2")
    rows: list[dict[str, Any]] = [
        {"sku": "U1", "price": "1"},
        {"sku": "U2", "price": 2.5, "COLOR": ["Red"]},
        {"sku": "U3", "name": "New", "custom:wholesalePrice": "4"},
    ]
    with db.session() as session:
        result = upsert_products(session, rows)
    assert (result.created, result.updated, result.unchanged) == (["U3"], ["U2"], ["U1"])
    assert result.applied and result.errors == []
    assert result.product_ids == {"U1": 1, "U2": 2, "U3": 3}
    assert [field_change_json(change) for change in result.changes["U2"]] == [
        {"field": "price", "old": "2", "new": "2.5"},
        {"field": "COLOR", "old": None, "new": ["Red"]},
    ]
    with db.session() as session:
        new = get_product(session, 3)
        assert (new.name, new.custom_fields, new.categories) == ("New", {"wholesalePrice": "4"}, [])
        assert new.created_at == new.updated_at
        assert get_product(session, 2).attributes == {"COLOR": ["Red"]}


def test_upsert_with_an_invalid_row_changes_nothing_unless_skip_invalid(db: Database) -> None:
    make(db, sku="V1", price="1")
    rows = [
        {"sku": "V1", "price": "9"},
        {"sku": "V2", "name": "Fine"},
        {"sku": "V3", "price": "x"},
        {"sku": "V4"},
        {"name": "no sku"},
        {"sku": "V2", "name": "twice"},
    ]
    with db.session() as session:
        result = upsert_products(session, rows, row_numbers=[10, 11, 12, 13, 14, 15])
    assert not result.applied
    assert [(e.row, e.sku, e.message) for e in result.errors] == [
        (12, "V3", "price: 'x' is not a number like 12.50"),
        (13, "V4", "name: is required for a new product"),
        (14, None, "sku: is required"),
        (15, "V2", "SKU 'V2' is also on row 11"),
    ]
    with db.session() as session:
        assert [(p.sku, p.price) for p in all_products(session)] == [("V1", "1")]

    with db.session() as session:
        result = upsert_products(session, rows, skip_invalid=True)
    assert result.applied and (result.created, result.updated) == (["V2"], ["V1"])
    with db.session() as session:
        products = all_products(session)
        assert [(p.sku, p.name, p.price) for p in products] == [
            ("V1", "Mug", "9"),
            ("V2", "Fine", None),
        ]


def test_upsert_dry_run_and_update_existing_false(db: Database) -> None:
    make(db, sku="D1", price="1")
    with db.session() as session:
        planned = upsert_products(
            session, [{"sku": "D1", "price": "2"}, {"sku": "D2", "name": "N"}], dry_run=True
        )
    assert (planned.created, planned.updated, planned.applied) == (["D2"], ["D1"], False)
    with db.session() as session:
        skipped = upsert_products(session, [{"sku": "D1", "price": "2"}], update_existing=False)
    assert skipped.skipped == ["D1"] and skipped.updated == []
    with db.session() as session:
        assert [(p.sku, p.price) for p in all_products(session)] == [("D1", "1")]


def test_loading_many_rows_uses_a_few_queries_not_one_per_row(db: Database, tmp_path: Path) -> None:
    lines = ["sku,name,price,attribute:COLOR,custom:wholesalePrice"]
    lines += [f"SKU-{i:05d},Product {i},{i}.50,Red|Blue,{i}" for i in range(2000)]
    path = tmp_path / "many.csv"
    path.write_text("\n".join(lines) + "\n")
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    report = load_products(db, path)
    assert report.result.counts["created"] == 2000
    created_statements = len(statements)
    statements.clear()
    path.write_text("\n".join(lines).replace(",Red|Blue,", ",Red,") + "\n")
    report = load_products(db, path)
    assert report.result.counts["updated"] == 2000
    event.remove(db.engine, "before_cursor_execute", count)
    assert created_statements <= 12, created_statements
    # updates go out as executemany batches: still a handful of statements, not 2,000
    assert len(statements) <= 12, len(statements)
