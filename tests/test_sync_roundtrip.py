"""Two-way sync over several sandbox stores: round trips change nothing, store edits come back
(only the fields the import mapping owns), edits on both sides are conflicts, images of one store
never reach another."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from status_json import sync_status
from sync_stores import EVERY_FIELD, Shop, catalog, shops, store_state
from woosync.db.engine import Database
from woosync.db.models import Product, ProductSync
from woosync.services.catalog.upsert import upsert_products
from woosync.services.mappings.records import create_export_mapping, create_import_mapping

SOURCE_IMAGES = ["https://img.example.com/e1.jpg", "https://img.example.com/e2.png"]
# The import mapping names every field export sends, so every field may come back.
IMPORT_FIELDS = {
    "name": "name",
    "description": "description",
    "status": "status",
    "type": "type",
    "regular_price": "price",
    "sale_price": "sale_price",
    "weight": "weight",
    "dimensions": "dimensions",
    "stock_status": "stock_status",
    "manage_stock": "manage_stock",
    "stock_quantity": "stock_quantity",
    "backorders": "backorders",
    "low_stock_amount": "low_stock_amount",
    "date_on_sale_from": "date_on_sale_from",
    "date_on_sale_to": "date_on_sale_to",
    "categories": "categories",
    "tags": "tags",
    "images": "images",
}
IMPORT_ATTRIBUTES = {"pa_color": "color", "Material": "Material"}

PRODUCTS: list[dict[str, Any]] = [
    {
        "sku": "RT-1",
        "name": "Salt & Pepper Mill",
        "description": "<p>Salt &amp; pepper</p>",
        "status": "publish",
        "type": "simple",
        "price": "12.5",
        "sale_price": "10.50",
        "weight": "0.50",
        "dimensions": {"length": "10", "width": "5.0", "height": ""},
        "stock_status": "instock",
        "manage_stock": True,
        "stock_quantity": 5,
        "backorders": "notify",
        "low_stock_amount": 2,
        "date_on_sale_from": "2026-01-01T00:00:00",
        "date_on_sale_to": "2026-12-31T23:59:59",
        "categories": ["Kitchen & Dining"],
        "tags": ["salt", "Pepper"],
        "images": SOURCE_IMAGES,
        "attributes": {"color": ["Red", "Black & White"], "Material": "Oak"},
    },
    {
        "sku": "RT-2",
        "name": "Tea towel",
        # the store's HTML filter drops <blink>: its answer differs from what was sent for good
        "description": "Linen <b>&laquo;striped&raquo;</b> & soft <blink>sale</blink>",
        "status": "draft",
        "type": "simple",
        "price": "7",
        "weight": "0.1",
        "stock_status": "outofstock",
        "manage_stock": False,
        "backorders": "no",
        "categories": ["Kitchen & Dining", "Textiles"],
        "images": ["https://img.example.com/towel.jpg"],
        "attributes": {"Material": ["Linen", "Cotton"]},
    },
]


@pytest.fixture
def three(db_path: Path) -> Iterator[tuple[Database, list[Shop]]]:
    with shops(db_path, 3) as (store, made):
        with store.session() as session:
            upsert_products(session, PRODUCTS)
            for shop in made:
                create_export_mapping(
                    session, shop.connection_id, EVERY_FIELD, {"color": "pa_color"}
                )
                create_import_mapping(session, shop.connection_id, IMPORT_ATTRIBUTES, IMPORT_FIELDS)
        for shop in made:
            assert shop.export(store)["failedCount"] == 0
        yield store, made


def _statuses(result: dict[str, Any]) -> set[str]:
    return {p["status"] for p in result["products"]}


def _product(db: Database, sku: str) -> Product:
    with db.session() as session:
        return session.exec(select(Product).where(Product.sku == sku)).one()


def test_the_store_answers_its_own_copies(three: tuple[Database, list[Shop]]) -> None:
    """The trap: the store keeps its own copy of each image and entity-encodes the HTML."""
    _database, (first, *_rest) = three
    woo = first.product("RT-1")
    assert [image["src"] for image in woo["images"]] == [
        f"http://store1.test/wp-content/uploads/{image['date_created'][:4]}/"
        f"{image['date_created'][5:7]}/{name}"
        for image, name in zip(woo["images"], ("e1.jpg", "e2.png"), strict=True)
    ]
    assert woo["description"] == "<p>Salt &amp; pepper</p>"
    assert (
        first.product("RT-2")["description"] == "Linen <b>&laquo;striped&raquo;</b> &amp; soft sale"
    )
    assert woo["categories"][0]["name"] == "Kitchen &amp; Dining"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_round_trips_in_any_order_change_nothing_anywhere(
    three: tuple[Database, list[Shop]], seed: int
) -> None:
    """The property: after the first export, any sequence of imports (``--update-existing``),
    partial and full exports on any of the stores changes neither the catalog nor a store's
    values, and partial exports write nothing."""
    store, made = three
    before = catalog(store)
    states = [store_state(shop) for shop in made]
    steps = random.Random(seed)
    for _ in range(10):
        shop = steps.choice(made)
        action = steps.choice(["import", "import", "partial", "full"])
        shop.sandbox.stats.reset()
        if action == "import":
            result = shop.import_(store)
            assert _statuses(result) == {"unchanged"}, result["products"]
            assert result["conflictCount"] == 0
        else:
            result = shop.export(store, partial=action == "partial")
            assert result["failedCount"] == 0
            if action == "partial":
                assert shop.sandbox.stats.items_written == 0
        assert shop.sandbox.stats.image_downloads == 0  # never an image uploaded twice
        assert catalog(store) == before, (action, shop.url)
        assert [store_state(s) for s in made] == states, (action, shop.url)


def test_a_catalog_seeded_by_an_import_round_trips_too(db_path: Path) -> None:
    """Import first (store 1 made the product), export to the others, then anything: still no
    change anywhere. The catalog keeps store 1's image URLs (those are genuine sources)."""
    with shops(db_path, 3) as (store, made):
        first = made[0]
        created = first.client.post(
            "/products",
            {
                "name": "Fish & Chips plate",
                "sku": "IM-1",
                "regular_price": "9.90",
                "description": "<p>Fish & chips</p>",
                "images": [{"src": "https://img.example.com/plate.jpg"}],
                "categories": [{"id": 15}],
                "dimensions": {"length": "30", "width": "", "height": "2"},
                "attributes": [{"name": "Material", "options": ["Stone & ware"], "visible": True}],
            },
        )
        with store.session() as session:
            for shop in made:
                create_export_mapping(session, shop.connection_id, EVERY_FIELD)
        assert first.import_(store)["importedCount"] == 1
        before = catalog(store)
        assert before[0]["images"] == [created["images"][0]["src"]]
        for shop in made[1:]:
            assert shop.export(store)["failedCount"] == 0
        states = [store_state(shop) for shop in made]
        for shop in [*made, *reversed(made)]:
            assert _statuses(shop.import_(store)) == {"unchanged"}
            shop.sandbox.stats.reset()
            shop.export(store, partial=True)
            assert shop.sandbox.stats.items_written == 0
        assert catalog(store) == before
        assert [store_state(shop) for shop in made] == states


def _edit(shop: Shop, sku: str, changes: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = shop.client.put(f"/products/{shop.woo_id(sku)}", changes)
    return answer


def test_a_store_edit_comes_back_and_reaches_the_other_stores_but_its_images_do_not(
    three: tuple[Database, list[Shop]],
) -> None:
    store, (first, second, third) = three
    woo = first.product("RT-1")
    own = [{"id": image["id"]} for image in woo["images"]]
    _edit(
        first,
        "RT-1",
        {
            "regular_price": "14.00",
            "description": "<p>Salt &amp; pepper, ground fresh</p>",
            "images": [*own, {"src": "https://photos.example.com/new.jpg"}],
        },
    )
    result = first.import_(store)
    [entry] = [p for p in result["products"] if p["sku"] == "RT-1"]
    assert entry["status"] == "updated"
    assert sorted(entry["changedFields"]) == ["description", "images", "price"]
    product = _product(store, "RT-1")
    assert product.price == "14.00"
    assert product.description == "<p>Salt & pepper, ground fresh</p>"
    new_copy = first.product("RT-1")["images"][2]["src"]
    # the store's copies of the catalog's images map back to their sources; the image added in
    # the store comes in as the store's URL (it is a genuine new image)
    assert product.images == [*SOURCE_IMAGES, new_copy]
    assert new_copy.startswith("http://store1.test/wp-content/uploads/")

    first.sandbox.stats.reset()
    assert first.export(store, partial=True)["results"][0]["exportedFields"] == []
    assert first.sandbox.stats.items_written == 0
    for other in (second, third):
        other.sandbox.stats.reset()
        ids_before = [image["id"] for image in other.product("RT-1")["images"]]
        result = other.export(store, partial=True)
        exported = {r["productId"]: r["exportedFields"] for r in result["results"]}
        assert sorted(exported[product.id]) == ["description", "images", "price"]
        assert exported[2] == []
        woo_other = other.product("RT-1")
        assert woo_other["regular_price"] == "14.00"
        ids_after = [image["id"] for image in woo_other["images"]]
        assert ids_after[:2] == ids_before  # its own copies kept, nothing downloaded again
        assert other.sandbox.stats.image_downloads == 1  # only the genuinely new image
        # and a round trip with that store changes nothing
        assert _statuses(other.import_(store)) == {"unchanged"}
    assert _statuses(first.import_(store)) == {"unchanged"}


def test_a_price_changed_on_both_sides_is_a_conflict_not_an_overwrite(
    three: tuple[Database, list[Shop]],
) -> None:
    store, (first, second, _third) = three
    with store.session() as session:
        upsert_products(session, [{"sku": "RT-1", "price": "13"}])
    _edit(first, "RT-1", {"regular_price": "14", "name": "Salt & Pepper Mill XL"})
    result = first.import_(store)
    [entry] = [p for p in result["products"] if p["sku"] == "RT-1"]
    assert entry["changedFields"] == ["name"]  # the store's name came in, the price did not
    assert entry["conflicts"] == [
        {"field": "price", "wooField": "regular_price", "catalog": "13", "store": "14"}
    ]
    assert result["conflictCount"] == 1
    assert "changed both in the catalog and in the store" in result["warnings"][-1]
    assert _product(store, "RT-1").price == "13"
    status = sync_status(store, first.connection_id, conflicts_only=True)
    assert status["conflicts"] == [
        {
            "productId": 1,
            "sku": "RT-1",
            "wooProductId": first.woo_id("RT-1"),
            "field": "price",
            "wooField": "regular_price",
            "catalog": "13",
            "store": "14",
        }
    ]
    assert [r["productId"] for r in status["records"]] == [1]
    assert sync_status(store, second.connection_id)["conflictCount"] == 0
    # reported again until resolved, never overwritten
    assert first.import_(store)["conflictCount"] == 1
    assert _product(store, "RT-1").price == "13"

    # --on-conflict store takes the store's value; the conflict is gone
    result = first.import_(store, on_conflict="store")
    assert result["conflictCount"] == 0
    assert _product(store, "RT-1").price == "14"
    assert sync_status(store, first.connection_id)["conflicts"] == []
    first.sandbox.stats.reset()
    first.export(store, partial=True)
    assert first.sandbox.stats.items_written == 0


def test_on_conflict_catalog_keeps_the_catalog_and_the_next_export_sends_it(
    three: tuple[Database, list[Shop]],
) -> None:
    store, (first, *_rest) = three
    with store.session() as session:
        upsert_products(session, [{"sku": "RT-2", "description": "Linen, striped"}])
    _edit(first, "RT-2", {"description": "Linen (sold out)"})
    result = first.import_(store, on_conflict="catalog")
    assert result["conflictCount"] == 0
    assert _product(store, "RT-2").description == "Linen, striped"
    assert first.import_(store)["conflictCount"] == 0  # seen: no conflict any more
    result = first.export(store, partial=True)
    exported = {r["productId"]: r["exportedFields"] for r in result["results"]}
    assert exported == {1: [], 2: ["description"]}
    assert first.product("RT-2")["description"] == "Linen, striped"
    assert _statuses(first.import_(store)) == {"unchanged"}


def test_a_conflict_clears_when_one_side_is_edited_to_match_or_a_full_export_sends_it(
    three: tuple[Database, list[Shop]],
) -> None:
    store, (first, second, _third) = three
    with store.session() as session:
        upsert_products(session, [{"sku": "RT-1", "weight": "0.6"}])
    _edit(first, "RT-1", {"weight": "0.7"})
    _edit(second, "RT-1", {"weight": "0.8"})
    assert first.import_(store)["conflictCount"] == 1
    assert second.import_(store)["conflictCount"] == 1
    # the catalog edited to equal store 1's value: listed no more, and the next import agrees
    with store.session() as session:
        upsert_products(session, [{"sku": "RT-1", "weight": "0.70"}])
    assert sync_status(store, first.connection_id)["conflicts"] == []
    assert first.import_(store)["conflictCount"] == 0
    # store 2: a partial export (the nightly cron job) leaves the field in conflict alone ...
    assert sync_status(store, second.connection_id)["conflictCount"] == 1
    plan = second.export(store, partial=True, dry_run=True)
    [row] = [p for p in plan["products"] if p["sku"] == "RT-1"]
    assert (row["action"], row["heldConflicts"]) == ("unchanged", ["weight"])
    assert plan["counts"]["conflicts"] == 1
    held = second.export(store, partial=True)
    assert held["counts"]["conflicts"] == 1
    [kept] = [r for r in held["results"] if r.get("heldConflicts")]
    assert (kept["change"], kept["heldConflicts"]) == ("unchanged", ["weight"])
    assert second.product("RT-1")["weight"] == "0.8"
    assert sync_status(store, second.connection_id)["conflictCount"] == 1
    # ... a full export pushes the catalog's value, which ends the conflict
    second.export(store)
    assert second.product("RT-1")["weight"] == "0.7"
    assert sync_status(store, second.connection_id)["conflicts"] == []
    assert _statuses(second.import_(store)) == {"unchanged"}
    with store.session() as session:
        records = session.exec(select(ProductSync)).all()
        assert all(not record.conflicts for record in records)


def test_only_the_fields_the_import_mapping_names_come_back(db_path: Path) -> None:
    with shops(db_path, 1) as (store, (shop,)):
        with store.session() as session:
            upsert_products(session, PRODUCTS[:1])
            create_export_mapping(session, 1, EVERY_FIELD, {"color": "pa_color"})
            create_import_mapping(session, 1, {}, {"regular_price": "price"})
        shop.export(store)
        _edit(
            shop,
            "RT-1",
            {
                "regular_price": "15",
                "name": "Renamed in the store",
                "description": "Changed in the store",
                "attributes": [{"name": "Material", "options": ["Pine"]}],
            },
        )
        result = shop.import_(store)
        assert result["products"][0]["changedFields"] == ["price"]
        product = _product(store, "RT-1")
        assert (product.price, product.name, product.attributes["Material"]) == (
            "15",
            "Salt & Pepper Mill",
            "Oak",
        )
        # the catalog owns the rest: a partial export puts its values back
        result = shop.export(store, partial=True)
        assert "name" in result["results"][0]["exportedFields"]
        assert shop.product("RT-1")["name"] == "Salt &amp; Pepper Mill"


def test_records_from_before_echoes_map_images_back_through_the_registry(
    three: tuple[Database, list[Shop]],
) -> None:
    """A database upgraded from a version without echoes: its sync records have none, but the
    store's registry knows which media ids woosync uploaded from which URL."""
    store, (first, *_rest) = three
    with store.session() as session:
        for record in session.exec(select(ProductSync).where(ProductSync.product_id == 1)).all():
            record.store_echoes = record.image_sources = record.conflicts = None
            session.add(record)
    before = catalog(store)
    result = first.import_(store, woo_ids=[first.woo_id("RT-1")])
    assert _statuses(result) == {"unchanged"}
    assert catalog(store) == before
    with store.session() as session:
        found = session.exec(
            select(ProductSync).where(
                ProductSync.connection_id == first.connection_id, ProductSync.product_id == 1
            )
        ).first()
        assert found is not None and found.image_sources is not None
        assert sorted(found.image_sources.values()) == SOURCE_IMAGES


def test_a_dry_run_reports_conflicts_and_writes_nothing(three: tuple[Database, list[Shop]]) -> None:
    store, (first, *_rest) = three
    with store.session() as session:
        upsert_products(session, [{"sku": "RT-1", "sale_price": "9"}])
    _edit(first, "RT-1", {"sale_price": "8", "stock_quantity": 7})
    before = catalog(store)
    result = first.import_(store, dry_run=True)
    [entry] = [p for p in result["products"] if p["sku"] == "RT-1"]
    assert entry["changedFields"] == ["stock_quantity"]
    assert [c["field"] for c in entry["conflicts"]] == ["sale_price"]
    assert catalog(store) == before
    assert sync_status(store, first.connection_id)["conflicts"] == []


def test_what_the_store_rewrote_is_remembered_as_its_echo(
    three: tuple[Database, list[Shop]],
) -> None:
    """The store filtered the description it was sent: its answer is kept as the echo (only
    where it differs from the catalog's value), so the import takes it for no edit."""
    store, made = three
    with store.session() as session:
        records = session.exec(select(ProductSync).where(ProductSync.product_id == 2)).all()
        assert [sorted(record.store_echoes or {}) for record in records] == [["description"]] * 3
        others = session.exec(select(ProductSync).where(ProductSync.product_id == 1)).all()
        assert all(not record.store_echoes for record in others)
    assert _product(store, "RT-2").description.endswith("<blink>sale</blink>")  # type: ignore[union-attr]
    for shop in made:
        assert _statuses(shop.import_(store)) == {"unchanged"}


def test_a_field_imported_under_another_name_than_export_reads_is_no_conflict(
    db_path: Path,
) -> None:
    """Export sends ``color`` to ``pa_color``; with no import mapping the store's ``Color``
    attribute comes back under its store name, which the catalog matches to ``color`` whatever
    the case, and ``weight`` comes back into the custom field ``productWeight`` while export reads
    ``weight``. Store edits of both come in, are no conflicts, and the next runs move nothing."""
    with shops(db_path, 1) as (store, (shop,)):
        with store.session() as session:
            upsert_products(session, PRODUCTS[:1])
            create_export_mapping(session, 1, EVERY_FIELD, {"color": "pa_color"})
        shop.export(store)
        attribute = next(a for a in shop.product("RT-1")["attributes"] if a.get("id"))
        _edit(shop, "RT-1", {"attributes": [{"id": attribute["id"], "options": ["Blue"]}]})
        result = shop.import_(store)
        assert result["conflictCount"] == 0
        assert result["products"][0]["changedFields"] == ["color"]
        _edit(shop, "RT-1", {"weight": "0.9"})
        with store.session() as session:
            create_import_mapping(session, 1, {}, {"weight": "productWeight"})
        result = shop.import_(store)
        assert result["conflictCount"] == 0
        assert result["products"][0]["changedFields"] == ["productWeight"]
        product = _product(store, "RT-1")
        assert (product.attributes["color"], product.custom_fields["productWeight"]) == (
            "Blue",
            "0.9",
        )
        assert product.weight == "0.50"
        assert _statuses(shop.import_(store)) == {"unchanged"}
        shop.sandbox.stats.reset()
        shop.export(store, partial=True)
        assert shop.sandbox.stats.items_written == 0


def test_an_attribute_in_conflict_stays_out_of_a_partial_export_of_the_others(
    three: tuple[Database, list[Shop]],
) -> None:
    """WooCommerce replaces the attribute list whole: a partial export that sends a changed
    attribute must keep the store's value of an attribute in conflict, not push the catalog's."""
    store, (first, *_rest) = three
    woo = first.product("RT-1")
    color = next(a for a in woo["attributes"] if a.get("id"))
    _edit(
        first,
        "RT-1",
        {
            "attributes": [
                {"id": color["id"], "options": color["options"], "visible": True},
                {"name": "Material", "options": ["Pine"], "visible": True},
            ]
        },
    )
    with store.session() as session:
        upsert_products(session, [{"sku": "RT-1", "attribute:Material": "Walnut"}])
    result = first.import_(store)
    assert [c["field"] for c in result["conflicts"]] == ["Material"]
    with store.session() as session:
        upsert_products(session, [{"sku": "RT-1", "attribute:color": ["Green"]}])
    first.export(store, partial=True)
    options = {a["name"]: a["options"] for a in first.product("RT-1")["attributes"]}
    assert options["Material"] == ["Pine"]
    assert sorted(options.values()) == [["Green"], ["Pine"]]
    assert sync_status(store, first.connection_id)["conflictCount"] == 1


@pytest.mark.parametrize("partial", [False, True])
def test_a_product_the_store_already_had_round_trips_after_it_is_adopted(
    db_path: Path, partial: bool
) -> None:
    """A store that held the SKU before woosync: the export adopts its product (full or partial),
    then imports and exports change nothing."""
    with shops(db_path, 1) as (store, (shop,)):
        shop.client.post(
            "/products",
            {
                "name": "Old name",
                "sku": "RT-1",
                "regular_price": "11.00",
                "description": "<p>Old &amp; dusty</p>",
                "images": [{"src": "https://img.example.com/old.jpg"}],
                "attributes": [{"name": "Finish", "options": ["Matte"]}],
            },
        )
        with store.session() as session:
            upsert_products(session, PRODUCTS[:1])
            create_export_mapping(session, 1, EVERY_FIELD, {"color": "pa_color"})
            create_import_mapping(session, 1, IMPORT_ATTRIBUTES, IMPORT_FIELDS)
        assert shop.export(store, partial=partial)["failedCount"] == 0
        before, state = catalog(store), store_state(shop)
        assert _statuses(shop.import_(store)) == {"unchanged"}
        shop.sandbox.stats.reset()
        shop.export(store, partial=True)
        assert shop.sandbox.stats.items_written == 0
        assert _statuses(shop.import_(store)) == {"unchanged"}
        assert (catalog(store), store_state(shop)) == (before, state)
