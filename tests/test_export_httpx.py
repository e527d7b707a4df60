"""The export engine's requests, checked one by one with pytest-httpx (a scripted WooCommerce fake)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpx import HTTPXMock

from test_export_support import (
    FakeWoo,
    add_connection,
    add_products,
    delete_json,
    edit_product,
    export_json,
    fake_client,
    make_database,
    refs_of,
    set_mapping,
    sync_of,
    tee,
    update_json,
)
from woosync.core.errors import NotFoundError, ValidationError
from woosync.db.engine import Database
from woosync.services.export import book as export_book
from woosync.services.export import send as export_send

# woosync's clock stands still and a pause after a failed batch returns at once (conftest's clock)
pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def fake(httpx_mock: HTTPXMock) -> FakeWoo:
    woo = FakeWoo()
    httpx_mock.add_callback(woo, is_reusable=True, is_optional=True)
    return woo


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    db = make_database(tmp_path / "export.db")
    yield db
    db.dispose()


def run(db: Database, conn: int, **options: Any) -> dict[str, Any]:
    with fake_client() as client:
        return export_json(db, conn, client=client, **options)


def test_first_export_looks_up_skus_then_creates_in_one_batch(db: Database, fake: FakeWoo) -> None:
    conn = add_connection(db)
    ids = add_products(
        db,
        [tee("A", description="Soft", weight="0.2"), tee("B", price="12.5"), tee("C")],
    )
    result = run(db, conn, product_ids=ids, fields=["name", "sku", "price"])

    assert result["success"] is True and result["syncedCount"] == 3 and result["failedCount"] == 0
    lookups = [q for m, p, q, _ in fake.requests if m == "GET" and p == "/products"]
    assert lookups == [
        {
            "sku": "A,B,C",
            "context": "edit",
            "orderby": "id",
            "order": "asc",
            "page": "1",
            "per_page": "100",
        }
    ]
    assert fake.writes() == [
        {
            "create": [
                {"name": "Tee A", "sku": "A", "regular_price": "10.00"},
                {"name": "Tee B", "sku": "B", "regular_price": "12.5"},
                {"name": "Tee C", "sku": "C", "regular_price": "10.00"},
            ]
        }
    ]
    first = result["results"][0]
    assert set(first) == {
        "connectionId",
        "productId",
        "wooProductId",
        "status",
        "exportedFields",
        "lastExportedAt",
        "change",
    }
    assert first["status"] == "success" and first["exportedFields"] == ["name", "sku", "price"]
    record = sync_of(db, conn, ids[0])
    assert record is not None and record.sync_status == "synced"
    assert record.woo_product_id == first["wooProductId"] == fake.by_sku("A")[0]["id"]
    assert record.last_modified_fields == ["name", "sku", "price"]


def test_rerun_and_partial_rerun_create_nothing_new(db: Database, fake: FakeWoo) -> None:
    conn = add_connection(db)
    ids = add_products(db, [tee("A"), tee("B")])
    run(db, conn, product_ids=ids, fields=["name", "sku", "price"])
    fake.requests.clear()

    again = run(db, conn, product_ids=ids, fields=["name", "sku", "price"])
    assert again["syncedCount"] == 2
    assert fake.writes() == [
        {
            "update": [
                {
                    "id": fake.by_sku("A")[0]["id"],
                    "name": "Tee A",
                    "sku": "A",
                    "regular_price": "10.00",
                },
                {
                    "id": fake.by_sku("B")[0]["id"],
                    "name": "Tee B",
                    "sku": "B",
                    "regular_price": "10.00",
                },
            ]
        }
    ]
    fake.requests.clear()
    partial = run(db, conn, product_ids=ids, fields=["name", "sku", "price"], partial=True)
    assert partial["success"] and [r["exportedFields"] for r in partial["results"]] == [[], []]
    assert fake.requests == []  # nothing changed: not a single request
    assert len(fake.products) == 2


def test_partial_sends_only_the_changed_price(db: Database, fake: FakeWoo) -> None:
    conn = add_connection(db)
    [pid] = add_products(db, [tee("A", description="Long text", images=["https://img.test/a.jpg"])])
    fields = ["name", "sku", "description", "price", "images"]
    run(db, conn, product_ids=[pid], fields=fields)
    assert fake.downloads == 1
    edit_product(db, pid, price="11.00")
    fake.requests.clear()

    result = run(db, conn, product_ids=[pid], fields=fields, partial=True)
    woo_id = fake.by_sku("A")[0]["id"]
    assert fake.writes() == [{"update": [{"id": woo_id, "regular_price": "11.00"}]}]
    assert result["results"][0]["exportedFields"] == ["price"]
    assert fake.downloads == 1
    assert fake.products[woo_id]["description"] == "Long text"


def test_an_empty_value_clears_only_what_the_catalog_held_there(
    db: Database, fake: FakeWoo
) -> None:
    """A description the catalog sent and has since emptied is cleared in the store; one the
    store had on its own (a product adopted by its SKU) is never wiped, unless allowed."""
    conn = add_connection(db)
    fake.create({"name": "B", "sku": "B", "description": "The store's own"})
    sent, adopted = add_products(db, [tee("A", description="Keep me"), tee("B")])
    fields = ["name", "sku", "description"]
    run(db, conn, product_ids=[sent, adopted], fields=fields)
    edit_product(db, sent, description=None)
    fake.requests.clear()

    run(db, conn, product_ids=[sent, adopted], fields=fields, partial=True)

    [write] = fake.writes()
    assert [(u["id"], u.get("description")) for u in write["update"]] == [
        (fake.by_sku("A")[0]["id"], "")
    ]
    assert fake.by_sku("B")[0]["description"] == "The store's own"
    fake.requests.clear()
    run(db, conn, product_ids=[sent, adopted], fields=fields, partial=True)
    assert fake.writes() == []  # cleared once
    run(db, conn, product_ids=[adopted], fields=fields, partial=True, allow_empty=["description"])
    assert fake.writes()[0]["update"][0]["description"] == ""


def test_batches_are_chunked_and_lookups_grouped(db: Database, fake: FakeWoo) -> None:
    conn = add_connection(db)
    for n in range(300):  # a store with other products: looking up 250 SKUs is the cheapest
        fake.create({"name": f"Other {n}", "sku": f"OTHER-{n}"})
    ids = add_products(db, [tee(f"S{i:03d}") for i in range(250)])
    result = run(db, conn, all_products=True, fields=["name", "sku"], concurrency=2)
    assert result["success"] and result["syncedCount"] == 250
    assert sorted(len(w["create"]) for w in fake.writes()) == [50, 100, 100]
    lookups = [q for m, p, q, _b in fake.requests if m == "GET" and p == "/products"]
    assert lookups[0]["_fields"] == "id" and lookups[0]["per_page"] == "1"  # how big is the store?
    assert sorted(len(q["sku"].split(",")) for q in lookups[1:]) == [50, 100, 100]
    assert len(fake.products) == 550 and len(ids) == 250


def test_a_new_store_needs_no_sku_lookups(db: Database, fake: FakeWoo) -> None:
    conn = add_connection(db)
    add_products(db, [tee(f"S{i:03d}") for i in range(150)])
    result = run(db, conn, all_products=True, fields=["name", "sku"])
    assert result["syncedCount"] == 150
    assert fake.count("GET", "/products") == 1 and len(fake.writes()) == 2


def test_a_small_store_is_listed_instead_of_looking_up_each_sku(
    db: Database, fake: FakeWoo
) -> None:
    conn = add_connection(db)
    existing = fake.create({"name": "Tee S007", "sku": "S007"})
    add_products(db, [tee(f"S{i:03d}") for i in range(250)])
    result = run(db, conn, all_products=True, fields=["name", "sku"])
    assert result["syncedCount"] == 250
    lookups = [q for m, p, q, _b in fake.requests if m == "GET" and p == "/products"]
    assert len(lookups) == 2 and "sku" not in lookups[1] and lookups[1]["context"] == "edit"
    assert fake.by_sku("S007") == [existing] and len(fake.products) == 250
    assert result["results"][7]["wooProductId"] == existing["id"]


def test_batch_size_option_caps_each_request(db: Database, fake: FakeWoo) -> None:
    conn = add_connection(db)
    ids = add_products(db, [tee(f"S{i}") for i in range(7)])
    run(db, conn, product_ids=ids, fields=["name", "sku"], batch_size=3, concurrency=1)
    assert [len(w["create"]) for w in fake.writes()] == [3, 3, 1]
    with pytest.raises(ValidationError, match="batch_size"):
        run(db, conn, product_ids=ids, fields=["name", "sku"], batch_size=101)


def test_a_503_batch_is_checked_split_and_retried_without_duplicates(
    db: Database, fake: FakeWoo
) -> None:
    conn = add_connection(db)
    ids = add_products(db, [tee(f"S{i}") for i in range(4)])
    fake.batch_faults = ["503"]
    result = run(db, conn, product_ids=ids, fields=["name", "sku"], concurrency=1)
    assert result["success"] and result["syncedCount"] == 4
    assert [len(w["create"]) for w in fake.writes()] == [4, 2, 2]
    # after the failure the store was asked which SKUs it has before anything was re-sent
    kinds = [(m, p) for m, p, _q, _b in fake.requests]
    assert kinds[2] == ("GET", "/products")
    assert all(len(fake.by_sku(f"S{i}")) == 1 for i in range(4))


def test_a_413_batch_is_split(db: Database, fake: FakeWoo) -> None:
    conn = add_connection(db)
    ids = add_products(db, [tee(f"S{i}") for i in range(4)])
    fake.batch_faults = ["413"]
    result = run(db, conn, product_ids=ids, fields=["name", "sku"], concurrency=1)
    assert result["success"]
    assert [len(w["create"]) for w in fake.writes()] == [4, 2, 2]


def test_a_timed_out_batch_that_was_applied_is_not_sent_again(db: Database, fake: FakeWoo) -> None:
    conn = add_connection(db)
    ids = add_products(db, [tee("A"), tee("B")])
    fake.batch_faults = ["timeout-applied"]
    result = run(db, conn, product_ids=ids, fields=["name", "sku"])
    assert result["success"] and result["syncedCount"] == 2
    assert len(fake.writes()) == 1
    assert len(fake.by_sku("A")) == 1 and len(fake.by_sku("B")) == 1
    record = sync_of(db, conn, ids[0])
    assert record is not None and record.woo_product_id == fake.by_sku("A")[0]["id"]


def test_one_bad_item_marks_only_that_product(db: Database, fake: FakeWoo) -> None:
    conn = add_connection(db)
    ids = add_products(db, [tee("A"), tee("BAD"), tee("C")])
    fake.bad_skus = {"BAD"}
    result = run(db, conn, product_ids=ids, fields=["name", "sku"])
    assert result["success"] is False
    assert (result["syncedCount"], result["failedCount"]) == (2, 1)
    statuses = {r["productId"]: (r["status"], r.get("message")) for r in result["results"]}
    assert statuses[ids[0]] == ("success", None)
    assert statuses[ids[1]][0] == "error"
    assert "woocommerce_product_image_upload_error" in statuses[ids[1]][1]
    bad = sync_of(db, conn, ids[1])
    assert bad is not None and bad.sync_status == "error" and bad.woo_product_id == 0
    assert "Invalid image" in (bad.error_message or "")

    fake.bad_skus = set()
    fake.requests.clear()
    retried = run(db, conn, retry_failed=True, fields=["name", "sku"])
    assert [r["productId"] for r in retried["results"]] == [ids[1]]
    assert retried["success"] and fake.writes() == [{"create": [{"name": "Tee BAD", "sku": "BAD"}]}]


def test_a_trashed_sku_holder_is_reported_and_can_be_restored(db: Database, fake: FakeWoo) -> None:
    conn = add_connection(db)
    [pid] = add_products(db, [tee("OLD")])
    fake.trash[77] = {
        "id": 77,
        "sku": "OLD",
        "type": "simple",
        "status": "trash",
        "name": "Old",
        "attributes": [],
    }
    result = run(db, conn, product_ids=[pid], fields=["name", "sku"])
    [failed] = result["results"]
    assert failed["status"] == "error"
    assert "#77" in failed["message"] and "--restore-trashed" in failed["message"]
    assert fake.count("GET", "/products") == 3  # lookup, after the refused create again, in trash

    restored = run(db, conn, product_ids=[pid], fields=["name", "sku"], restore_trashed=True)
    assert restored["success"] and restored["results"][0]["wooProductId"] == 77
    assert fake.products[77]["status"] == "publish" and 77 not in fake.trash
    assert fake.writes()[-1] == {
        "update": [{"id": 77, "name": "Tee OLD", "sku": "OLD", "status": "publish"}]
    }


def test_a_variation_holding_the_sku_is_reported_not_linked(db: Database, fake: FakeWoo) -> None:
    conn = add_connection(db)
    [pid] = add_products(db, [tee("V-1")])
    fake.products[55] = {"id": 55, "sku": "V-1", "type": "variation", "parent_id": 50}
    result = run(db, conn, product_ids=[pid], fields=["name", "sku"])
    assert result["results"][0]["status"] == "error"
    assert (
        "variation" in result["results"][0]["message"] and "#55" in result["results"][0]["message"]
    )
    assert fake.writes() == []


def test_an_unlinked_product_in_the_store_is_adopted_by_sku(db: Database, fake: FakeWoo) -> None:
    conn = add_connection(db)
    [pid] = add_products(db, [tee("A")])
    fake.products[9] = {
        "id": 9,
        "sku": "A",
        "type": "simple",
        "name": "Tee A",
        "regular_price": "10",
        "attributes": [],
    }
    result = run(db, conn, product_ids=[pid], fields=["name", "sku", "price"], partial=True)
    assert result["results"][0]["wooProductId"] == 9
    assert fake.writes() == []  # the store already has these values ("10" == "10.00")
    assert len(fake.by_sku("A")) == 1


def test_a_product_deleted_in_the_store_is_created_again(db: Database, fake: FakeWoo) -> None:
    conn = add_connection(db)
    [pid] = add_products(db, [tee("A")])
    run(db, conn, product_ids=[pid], fields=["name", "sku"])
    fake.products.clear()
    result = run(db, conn, product_ids=[pid], fields=["name", "sku"])
    assert result["success"]
    assert "create" in fake.writes()[-1] and len(fake.by_sku("A")) == 1
    assert result["results"][0]["wooProductId"] == fake.by_sku("A")[0]["id"]


def test_categories_are_resolved_created_and_cached_per_store(db: Database, fake: FakeWoo) -> None:
    conn = add_connection(db)
    fake.categories[5] = "Summer & Sun"
    [pid] = add_products(db, [tee("A", categories=["Summer & Sun", "Hats"])])
    run(db, conn, product_ids=[pid], fields=["name", "sku", "categories"])
    [hats] = [i for i, n in fake.categories.items() if n == "Hats"]
    assert fake.writes()[0]["create"][0]["categories"] == [{"id": 5}, {"id": hats}]
    assert refs_of(db, conn, "category_path") == {"Summer & Sun": 5, "Hats": hats}
    fake.requests.clear()
    run(db, conn, product_ids=[pid], fields=["name", "sku", "categories"])
    # the ids about to be sent checked, in one request, asked for by id
    [(_, _, checked, _)] = [r for r in fake.requests if r[:2] == ("GET", "/products/categories")]
    assert sorted(checked["include"].split(",")) == sorted([str(hats), "5"])
    assert fake.count("POST", "/products/categories") == 0
    assert fake.writes()[0]["update"][0]["categories"] == [{"id": 5}, {"id": hats}]


def test_a_category_create_lost_to_a_5xx_is_looked_up_not_repeated(
    db: Database, fake: FakeWoo
) -> None:
    conn = add_connection(db)
    ids = add_products(db, [tee("A", categories=["Hats"]), tee("B", categories=["Caps", "Hats"])])
    # Caps: created but the answer is lost (found by the lookup); Hats: refused, then created
    fake.category_faults = ["503-applied", "503"]
    with fake_client(max_retries=2) as client:
        result = export_json(
            db, conn, client=client, product_ids=ids, fields=["name", "sku", "categories"]
        )
    assert result["success"], [r.get("message") for r in result["results"]]
    assert sorted(fake.categories.values()) == ["Caps", "Hats"]
    assert fake.count("POST", "/products/categories") == 3
    assert fake.count("GET", "/products/categories") == 3  # the listing, then one lookup each
    assert set(refs_of(db, conn, "category_path")) == {"Caps", "Hats"}


def test_no_create_terms_turns_a_missing_category_into_a_product_error(
    db: Database, fake: FakeWoo
) -> None:
    conn = add_connection(db)
    [pid] = add_products(db, [tee("A", categories=["Hats"])])
    result = run(
        db, conn, product_ids=[pid], fields=["name", "sku", "categories"], create_terms=False
    )
    assert result["results"][0]["status"] == "error"
    assert 'category "Hats" does not exist' in result["results"][0]["message"]
    assert fake.count("POST", "/products/categories") == 0 and fake.writes() == []


def test_uploaded_images_are_sent_by_id(db: Database, fake: FakeWoo) -> None:
    conn = add_connection(db)
    srcs = ["https://img.test/a.jpg", "https://img.test/b.jpg"]
    [pid] = add_products(db, [tee("A", images=srcs)])
    run(db, conn, product_ids=[pid], fields=["name", "sku", "images"])
    assert fake.downloads == 2
    known = refs_of(db, conn, "image")
    assert set(known) == set(srcs)
    run(db, conn, product_ids=[pid], fields=["name", "sku", "images"])
    assert fake.writes()[-1]["update"][0]["images"] == [
        {"id": known[srcs[0]]},
        {"id": known[srcs[1]]},
    ]
    assert fake.downloads == 2


def test_a_changed_attribute_sends_the_merged_list(db: Database, fake: FakeWoo) -> None:
    conn = add_connection(db)
    [pid] = add_products(db, [tee("A", attributes={"COLOR": ["Red"], "Dimension": "10x20"})])
    fields = ["name", "sku", "COLOR", "Dimension"]
    run(db, conn, product_ids=[pid], fields=fields)
    woo_id = fake.by_sku("A")[0]["id"]
    fake.products[woo_id]["attributes"].append({"id": 0, "name": "Care", "options": ["Hand wash"]})
    fake.requests.clear()
    # the store's own attribute (Care) is known once the product is read again
    with db.session() as session:
        record = sync_of(db, conn, pid)
        assert record is not None
        record.store_attributes = None
        session.add(record)
    edit_product(db, pid, attributes={"COLOR": ["Blue"], "Dimension": "10x20"})
    run(db, conn, product_ids=[pid], fields=fields, partial=True)
    [update] = fake.writes()[0]["update"]
    assert set(update) == {"id", "attributes"}
    assert [(a["name"], a["options"]) for a in update["attributes"]] == [
        ("COLOR", ["Blue"]),
        ("Dimension", ["10x20"]),
        ("Care", ["Hand wash"]),
    ]


def test_dry_run_plans_without_writing(db: Database, fake: FakeWoo) -> None:
    conn = add_connection(db)
    ids = add_products(db, [tee("A"), tee("B")])
    run(db, conn, product_ids=ids[:1], fields=["name", "sku", "price"])
    edit_product(db, ids[0], price="11.00")
    fake.requests.clear()
    plan = run(
        db, conn, product_ids=ids, fields=["name", "sku", "price"], partial=True, dry_run=True
    )
    assert fake.writes() == []
    assert plan["summary"] == {"create": 1, "update": 1, "unchanged": 0, "error": 0, "excluded": 0}
    update, create = plan["products"]
    assert update["action"] == "update"
    assert update["fields"] == [
        {"field": "price", "wooField": "regular_price", "old": "10.00", "new": "11.00"}
    ]
    assert create["action"] == "create" and create["sku"] == "B"
    record = sync_of(db, conn, ids[1])
    assert record is None  # nothing changed locally


def test_mapping_decides_fields_and_targets(db: Database, fake: FakeWoo) -> None:
    conn = add_connection(db)
    set_mapping(db, conn, ["name", "sku", "wholesalePrice"], {"wholesalePrice": "regular_price"})
    [pid] = add_products(db, [tee("A", custom_fields={"wholesalePrice": 7.5})])
    run(db, conn, product_ids=[pid])
    assert fake.writes()[0]["create"] == [{"name": "Tee A", "sku": "A", "regular_price": "7.5"}]


def test_no_fields_and_no_mapping_is_a_validation_error(db: Database, fake: FakeWoo) -> None:
    conn = add_connection(db)
    [pid] = add_products(db, [tee("A")])
    with pytest.raises(ValidationError, match="no active export mapping"):
        run(db, conn, product_ids=[pid])
    with pytest.raises(ValidationError, match='must include "name" and "sku"'):
        run(db, conn, product_ids=[pid], fields=["name", "price"])
    assert sync_of(db, conn, pid) is None


def test_update_product_needs_a_synced_product(db: Database, fake: FakeWoo) -> None:
    conn = add_connection(db)
    [pid] = add_products(db, [tee("A")])
    with (
        fake_client() as client,
        pytest.raises(NotFoundError, match="Product not synced to this connection"),
    ):
        update_json(db, conn, pid, fields=["name", "sku", "price"], client=client)
    run(db, conn, product_ids=[pid], fields=["name", "sku", "price"])
    edit_product(db, pid, price="9.00")
    with fake_client() as client:
        result = update_json(db, conn, pid, fields=["name", "sku", "price"], client=client)
    assert result["status"] == "success" and result["exportedFields"] == ["price"]
    assert fake.by_sku("A")[0]["regular_price"] == "9.00"


def test_delete_product_removes_it_and_its_sync_record(db: Database, fake: FakeWoo) -> None:
    conn = add_connection(db)
    ids = add_products(db, [tee("A"), tee("B")])
    run(db, conn, product_ids=ids, fields=["name", "sku"])
    with fake_client() as client:
        assert delete_json(db, conn, ids[0], client=client) == {"success": True}
    assert fake.by_sku("A") == [] and sync_of(db, conn, ids[0]) is None
    delete = [q for m, p, q, _ in fake.requests if m == "DELETE"]
    assert delete == [{"force": "true"}]
    fake.products.clear()
    with fake_client() as client:
        gone = delete_json(db, conn, ids[1], client=client)
    assert gone == {"success": False, "message": "Product not found in WooCommerce"}
    assert sync_of(db, conn, ids[1]) is None
    with fake_client() as client, pytest.raises(NotFoundError, match="not synced"):
        delete_json(db, conn, ids[1], client=client)


def test_store_image_urls_of_an_adopted_product_are_sent_by_id(db: Database, fake: FakeWoo) -> None:
    conn = add_connection(db)
    existing = fake.create(
        {"name": "Tee A", "sku": "A", "images": [{"src": "https://img.test/a.jpg"}]}
    )
    stored_src = existing["images"][0]["src"]
    # the catalog holds the store's URL (as an import leaves it)
    [pid] = add_products(db, [tee("A", images=[stored_src])])
    run(db, conn, product_ids=[pid], fields=["name", "sku", "images"])
    assert fake.writes()[0]["update"][0]["images"] == [{"id": existing["images"][0]["id"]}]
    assert fake.downloads == 1


def test_a_deleted_store_image_is_uploaded_again(db: Database, fake: FakeWoo) -> None:
    conn = add_connection(db)
    [pid] = add_products(db, [tee("A", images=["https://img.test/a.jpg"])])
    run(db, conn, product_ids=[pid], fields=["name", "sku", "images"])
    known = refs_of(db, conn, "image")["https://img.test/a.jpg"]
    original = fake.update

    def refuse_known_image(body: dict[str, Any]) -> dict[str, Any]:
        if {"id": known} in body.get("images", []):
            error = {"code": "woocommerce_product_invalid_image_id", "message": "bad id"}
            return {"id": body["id"], "error": error}
        return original(body)

    fake.update = refuse_known_image  # type: ignore[method-assign]
    result = run(db, conn, product_ids=[pid], fields=["name", "sku", "images"])
    assert result["success"]
    sent = [w["update"][0]["images"] for w in fake.writes()[1:]]
    assert sent == [[{"id": known}], [{"src": "https://img.test/a.jpg"}]]
    assert refs_of(db, conn, "image")["https://img.test/a.jpg"] != known


def test_skus_differing_only_in_case_are_not_both_sent(db: Database, fake: FakeWoo) -> None:
    conn = add_connection(db)
    ids = add_products(db, [tee("abc"), tee("ABC")])
    result = run(db, conn, product_ids=ids, fields=["name", "sku"])
    assert [r["status"] for r in result["results"]] == ["success", "error"]
    assert f"product {ids[0]}" in result["results"][1]["message"]
    assert [len(w["create"]) for w in fake.writes()] == [1]


def test_the_batch_size_halves_after_a_failure_and_grows_back(db: Database, fake: FakeWoo) -> None:
    conn = add_connection(db)
    ids = add_products(db, [tee(f"S{i}") for i in range(8)])
    fake.batch_faults = ["503"]
    result = run(db, conn, product_ids=ids, fields=["name", "sku"], batch_size=4, concurrency=1)
    assert result["success"]
    assert [len(w["create"]) for w in fake.writes()] == [4, 2, 4, 2]


def test_a_store_that_keeps_failing_stops_the_run(db: Database, fake: FakeWoo) -> None:
    conn = add_connection(db)
    ids = add_products(db, [tee(f"S{i}") for i in range(4)])
    fake.batch_faults = ["503"] * 100
    result = run(db, conn, product_ids=ids, fields=["name", "sku"], concurrency=1)
    assert result["failedCount"] == 4 and len(fake.writes()) <= export_send.MAX_FAILURE_STREAK
    record = sync_of(db, conn, ids[0])
    assert record is not None and record.sync_status == "error"


def test_a_sku_of_0_is_never_looked_up_as_sku_0(db: Database, fake: FakeWoo) -> None:
    # WooCommerce skips the filter for a PHP-empty value: ?sku=0 lists the whole store
    conn = add_connection(db)
    fake.products[9] = {"id": 9, "sku": "0", "type": "simple", "name": "Zero", "attributes": []}
    fake.trash[8] = {"id": 8, "sku": "T", "type": "simple", "status": "trash", "attributes": []}
    [pid] = add_products(db, [tee("0")])
    result = run(db, conn, product_ids=[pid], fields=["name", "sku"], partial=True)
    assert result["results"][0]["wooProductId"] == 9
    lookups = [q["sku"] for m, p, q, _ in fake.requests if m == "GET" and p == "/products"]
    assert lookups and all(sku not in ("", "0") for sku in lookups)
    assert fake.writes() == [{"update": [{"id": 9, "name": "Tee 0"}]}]


def test_retry_failed_takes_the_products_an_interrupted_run_left_pending(
    db: Database, fake: FakeWoo
) -> None:
    from woosync.services.export.request import ExportRequest
    from woosync.services.export.run import count_products

    conn = add_connection(db)
    ids = add_products(db, [tee("A"), tee("B"), tee("C")])
    run(db, conn, product_ids=[ids[0]], fields=["name", "sku"])
    original = fake.create

    def interrupted(body: dict[str, Any]) -> dict[str, Any]:
        raise KeyboardInterrupt  # Ctrl-C (or a kill) while the batch is in flight

    fake.create = interrupted  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        run(db, conn, product_ids=ids[1:], fields=["name", "sku"])
    pending = [sync_of(db, conn, pid) for pid in ids[1:]]
    assert all(r is not None and r.sync_status == "pending" for r in pending)

    fake.create = original  # type: ignore[method-assign]
    assert count_products(db, ExportRequest(conn, retry_failed=True)) == 2
    retried = run(db, conn, retry_failed=True, fields=["name", "sku"])
    assert [r["productId"] for r in retried["results"]] == ids[1:]
    assert retried["success"] and len(fake.by_sku("B")) == len(fake.by_sku("C")) == 1


def test_an_interrupted_run_has_booked_every_answer_it_had(db: Database, fake: FakeWoo) -> None:
    """Answers are booked in groups: an interrupted run still writes the records of the
    products the store answered for (synced, linked); the one in flight stays pending."""
    conn = add_connection(db)
    ids = add_products(db, [tee("A"), tee("B"), tee("C"), tee("D")])  # D never leaves
    original = fake.create

    def third_interrupted(body: dict[str, Any]) -> dict[str, Any]:
        if body.get("sku") == "C":
            raise KeyboardInterrupt
        return original(body)

    fake.create = third_interrupted  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        run(db, conn, product_ids=ids, fields=["name", "sku"], batch_size=1, concurrency=1)
    records = [sync_of(db, conn, pid) for pid in ids]
    statuses = [r.sync_status if r else None for r in records]
    assert statuses == ["synced", "synced", "pending", "pending"]
    assert all(r is not None and r.woo_product_id for r in records[:2])


def test_a_store_product_linked_to_another_local_product_is_not_adopted(
    db: Database, fake: FakeWoo
) -> None:
    conn = add_connection(db)
    [first] = add_products(db, [tee("A")])
    [linked] = run(db, conn, product_ids=[first], fields=["name", "sku"])["results"]
    edit_product(db, first, sku="A2")  # its SKU changes locally...
    [second] = add_products(db, [tee("A", name="New A")])  # ...and a new product takes the old one

    result = run(db, conn, product_ids=[first, second], fields=["name", "sku"])
    by_id = {r["productId"]: r for r in result["results"]}
    assert by_id[first]["status"] == "success"
    assert by_id[second]["status"] == "error" and f"product {first}" in by_id[second]["message"]
    assert fake.products[linked["wooProductId"]]["sku"] == "A2"
    assert fake.products[linked["wooProductId"]]["name"] == "Tee A"
    assert sync_of(db, conn, second).woo_product_id == 0  # type: ignore[union-attr]

    again = run(db, conn, product_ids=[second], fields=["name", "sku"])
    assert again["success"] and again["results"][0]["wooProductId"] != linked["wooProductId"]
    assert [p["name"] for p in fake.by_sku("A")] == ["New A"]


def test_an_empty_dry_run_plan_still_says_it_is_partial(db: Database, fake: FakeWoo) -> None:
    conn = add_connection(db)
    plan = run(db, conn, retry_failed=True, fields=["name", "sku"], partial=True, dry_run=True)
    assert plan["dryRun"] is True and plan["partial"] is True and plan["products"] == []
    assert fake.requests == []


def test_an_answer_sends_the_next_batch_while_the_run_books_it(
    db: Database, fake: FakeWoo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store is not left idle while the run books an answer: the thread that got it sends
    the next batch formed (one request in flight, as asked)."""
    conn = add_connection(db)
    ids = add_products(db, [tee(f"S{i}") for i in range(4)])
    second_sent = threading.Event()
    original = fake.create

    def create(body: dict[str, Any]) -> dict[str, Any]:
        if body.get("sku") == "S2":
            second_sent.set()
        return original(body)

    booked = export_book.succeeded
    waited: list[bool] = []

    def succeeded(run_: Any, item: Any, answer: dict[str, Any], now: Any = None) -> None:
        if item.sku == "S0":  # the first answer is booked only once the second batch went out
            waited.append(second_sent.wait(timeout=30))
        booked(run_, item, answer, now)

    fake.create = create  # type: ignore[method-assign]
    monkeypatch.setattr(export_book, "succeeded", succeeded)
    result = run(db, conn, product_ids=ids, fields=["name", "sku"], batch_size=2, concurrency=1)
    assert result["success"] and waited == [True]
    assert [[p["sku"] for p in w["create"]] for w in fake.writes()] == [["S0", "S1"], ["S2", "S3"]]
