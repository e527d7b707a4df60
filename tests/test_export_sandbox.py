"""Export against the sandbox store: the spec's use cases 1, 2 and 4, idempotency, per-item errors,
trashed SKU holders and timed-out batches, checked in the store itself."""

from __future__ import annotations

from typing import Any

import pytest

from queued_runs import connection
from test_export_support import (
    BatchStall,
    add_products,
    edit_product,
    export_json,
    set_mapping,
    sync_of,
    tee,
)
from woosync.db.engine import Database
from woosync.db.models import Connection
from woosync.sandbox import Faults, SandboxStore
from woosync.services.connections.records import create_connection
from woosync.woo import WooClient

# woosync's clock stands still and a pause after a failed batch returns at once (conftest's clock)
pytestmark = pytest.mark.usefixtures("clock")


def client_for(sandbox: SandboxStore, *, stalls: int = 0) -> WooClient:
    key, secret = sandbox.create_key("read_write")
    return WooClient(
        "http://store.test",
        key,
        secret,
        transport=BatchStall(sandbox, stalls),
        max_retries=1,  # its pause is the clock fixture's: no wait
    )


def export(db: Database, sandbox: SandboxStore, conn: int, **options: Any) -> dict[str, Any]:
    with client_for(sandbox, stalls=options.pop("stalls", 0)) as client:
        return export_json(db, conn, client=client, **options)


def in_store(sandbox: SandboxStore) -> dict[str, dict[str, Any]]:
    """SKU -> product, for every product not in the trash; fails on a duplicate SKU."""
    found: dict[str, dict[str, Any]] = {}
    for product_id in sandbox.products:
        product = sandbox.products[product_id]
        if product["status"] == "trash":
            continue
        assert product["sku"] not in found, f"duplicate SKU {product['sku']} in the store"
        found[product["sku"]] = product
    return found


CATALOG = [
    tee(
        "TEE-1",
        description="Organic cotton & linen",
        price="20.00",
        images=["https://img.example/tee-1.jpg", "https://img.example/tee-1b.jpg"],
        custom_fields={"wholesalePrice": "12.00"},
    ),
    tee(
        "TEE-2",
        description="Heavy cotton",
        price="25.00",
        images=["https://img.example/tee-2.jpg"],
        custom_fields={"wholesalePrice": "15.50"},
    ),
    tee(
        "TEE-3",
        description="Light",
        price="18.00",
        images=["https://img.example/tee-3.jpg"],
        custom_fields={"wholesalePrice": 11},
    ),
]


def test_use_case_1_two_stores_same_products_different_price_field(db: Database) -> None:
    """Real sockets, connections with secrets in the keyring, the clients open_client builds."""
    retail, wholesale = SandboxStore(seed=1), SandboxStore(seed=2)
    ids = add_products(db, CATALOG)
    with retail.serve() as retail_url, wholesale.serve() as wholesale_url:
        conns = []
        for name, url, sandbox in (
            ("Main Retail Store", retail_url, retail),
            ("Wholesale Store", wholesale_url, wholesale),
        ):
            key, secret = sandbox.create_key("read_write")
            created = create_connection(
                db, name=name, url=url, consumer_key=key, consumer_secret=secret
            )
            conns.append(created.id)
        set_mapping(
            db,
            conns[0],
            ["name", "sku", "description", "price", "images"],
            {"price": "regular_price"},
        )
        set_mapping(
            db,
            conns[1],
            ["name", "sku", "description", "wholesalePrice", "images"],
            {"wholesalePrice": "regular_price"},
        )
        first = export_json(db, conns[0], product_ids=ids)
        second = export_json(db, conns[1], product_ids=ids)

    for result, conn in ((first, conns[0]), (second, conns[1])):
        assert result["success"] and result["connectionId"] == conn
        assert result["syncedCount"] == 3 and result["failedCount"] == 0
    assert first["results"][0]["exportedFields"] == [
        "name",
        "sku",
        "description",
        "price",
        "images",
    ]
    assert second["results"][0]["exportedFields"][3] == "wholesalePrice"
    retail_products, wholesale_products = in_store(retail), in_store(wholesale)
    assert {s: p["regular_price"] for s, p in retail_products.items()} == {
        "TEE-1": "20.00",
        "TEE-2": "25.00",
        "TEE-3": "18.00",
    }
    assert {s: p["regular_price"] for s, p in wholesale_products.items()} == {
        "TEE-1": "12.00",
        "TEE-2": "15.50",
        "TEE-3": "11",
    }
    assert retail_products["TEE-1"]["description"] == "Organic cotton &amp; linen"
    assert len(retail_products["TEE-1"]["images"]) == 2
    assert retail.stats.image_downloads == wholesale.stats.image_downloads == 4
    for conn, sandbox in ((conns[0], retail), (conns[1], wholesale)):
        record = sync_of(db, conn, ids[0])
        assert record is not None and record.sync_status == "synced"
        assert record.woo_product_id == in_store(sandbox)["TEE-1"]["id"]
    with db.session() as session:
        assert all(session.get(Connection, c).last_synced_at is not None for c in conns)  # type: ignore[union-attr]


def test_use_case_2_price_only_partial_update_leaves_the_rest_alone(db: Database) -> None:
    sandbox = SandboxStore(seed=3)
    conn = connection(db, "Retail")
    ids = add_products(db, CATALOG)
    full = ["name", "sku", "description", "price", "images"]
    assert export(db, sandbox, conn, product_ids=ids, fields=full)["success"]
    before = in_store(sandbox)
    downloads = sandbox.stats.image_downloads
    edit_product(db, ids[0], price="21.00", description="changed locally, not selected")
    edit_product(db, ids[1], price="26.00")
    sandbox.stats.reset()

    result = export(
        db, sandbox, conn, product_ids=ids, fields=["name", "sku", "price"], partial=True
    )

    assert result["success"]
    assert [r["exportedFields"] for r in result["results"]] == [["price"], ["price"], []]
    assert sandbox.stats.by_method.get("POST", 0) == 1  # one batch, two items
    assert sandbox.stats.items_updated == 2 and sandbox.stats.items_created == 0
    assert sandbox.stats.image_downloads == 0 and downloads == 4
    after = in_store(sandbox)
    assert after["TEE-1"]["regular_price"] == "21.00" and after["TEE-2"]["regular_price"] == "26.00"
    for sku in after:
        assert after[sku]["description"] == before[sku]["description"]
        assert [i["id"] for i in after[sku]["images"]] == [i["id"] for i in before[sku]["images"]]

    sandbox.stats.reset()
    again = export(db, sandbox, conn, product_ids=ids, fields=full, partial=True)
    # the description changed locally since the full export: only that is sent now
    assert [r["exportedFields"] for r in again["results"]] == [["description"], [], []]
    assert sandbox.stats.image_downloads == 0


def test_use_case_4_regional_catalogs_go_to_their_own_store(db: Database) -> None:
    regions = {"US Store": range(1, 6), "EU Store": range(6, 11), "Asia Store": range(11, 16)}
    ids = add_products(db, [tee(f"R-{n:02d}") for n in range(1, 16)])
    for name, numbers in regions.items():
        sandbox = SandboxStore(seed=len(name))
        conn = connection(db, name, url=f"http://{name.split()[0].lower()}.test")
        set_mapping(db, conn, ["name", "sku", "price"])
        result = export(db, sandbox, conn, product_ids=[ids[n - 1] for n in numbers])
        assert result["success"] and result["syncedCount"] == 5
        assert sorted(in_store(sandbox)) == [f"R-{n:02d}" for n in numbers]


def test_rerunning_an_export_creates_no_duplicates(db: Database) -> None:
    sandbox = SandboxStore(seed=4)
    conn = connection(db, "Retail")
    ids = add_products(db, CATALOG)
    fields = ["name", "sku", "description", "price", "images"]
    first = export(db, sandbox, conn, product_ids=ids, fields=fields)
    second = export(db, sandbox, conn, product_ids=ids, fields=fields)
    assert [r["wooProductId"] for r in first["results"]] == [
        r["wooProductId"] for r in second["results"]
    ]
    # the local links are lost (a crash, a new database): the SKUs still find the store's products
    with db.session() as session:
        for product_id in ids:
            record = sync_of(db, conn, product_id)
            assert record is not None
            session.delete(record)
    third = export(db, sandbox, conn, product_ids=ids, fields=fields, partial=True)
    assert [r["wooProductId"] for r in third["results"]] == [
        r["wooProductId"] for r in first["results"]
    ]
    assert len(in_store(sandbox)) == 3 and sandbox.stats.items_created == 3


def test_one_bad_item_in_a_batch_marks_only_that_product(db: Database) -> None:
    sandbox = SandboxStore(seed=5)
    conn = connection(db, "Retail")
    ids = add_products(
        db,
        [
            tee("OK-1", images=["https://img.example/ok-1.jpg"]),
            tee("BAD-1", images=["https://img.invalid/bad.jpg"]),
            tee("OK-2"),
        ],
    )
    result = export(db, sandbox, conn, product_ids=ids, fields=["name", "sku", "images"])
    assert (result["syncedCount"], result["failedCount"], result["success"]) == (2, 1, False)
    bad = result["results"][1]
    assert bad["status"] == "error" and "woocommerce_product_image_upload_error" in bad["message"]
    assert sorted(in_store(sandbox)) == ["OK-1", "OK-2"]
    record = sync_of(db, conn, ids[1])
    assert record is not None and record.sync_status == "error"
    assert sandbox.stats.by_method.get("POST", 0) == 1  # the good ones were not re-sent


def test_a_trashed_sku_holder_is_reported_then_restored(db: Database) -> None:
    sandbox = SandboxStore(seed=6)
    conn = connection(db, "Retail")
    held = sandbox.create_product({"name": "Old tee", "sku": "TEE-OLD", "regular_price": "5"})
    with client_for(sandbox) as client:
        client.delete(f"/products/{held['id']}")  # to the trash
    [pid] = add_products(db, [tee("TEE-OLD", price="9.00")])

    result = export(db, sandbox, conn, product_ids=[pid], fields=["name", "sku", "price"])
    [entry] = result["results"]
    assert entry["status"] == "error"
    assert f"#{held['id']}" in entry["message"] and "--restore-trashed" in entry["message"]
    assert sandbox.find_sku("TEE-OLD")["status"] == "trash"  # type: ignore[index]

    result = export(
        db,
        sandbox,
        conn,
        product_ids=[pid],
        fields=["name", "sku", "price"],
        restore_trashed=True,
    )
    assert result["success"] and result["results"][0]["wooProductId"] == held["id"]
    restored = sandbox.products[held["id"]]
    assert restored["status"] == "publish" and restored["regular_price"] == "9.00"


def test_a_timed_out_batch_is_looked_up_not_duplicated(db: Database) -> None:
    sandbox = SandboxStore(seed=7)
    conn = connection(db, "Retail")
    ids = add_products(db, [tee(f"T-{n}") for n in range(5)])
    result = export(db, sandbox, conn, product_ids=ids, fields=["name", "sku"], stalls=1)
    assert result["success"] and result["syncedCount"] == 5
    assert sorted(in_store(sandbox)) == [f"T-{n}" for n in range(5)]
    assert sandbox.stats.items_created == 5
    assert sandbox.stats.faults.get("stall") == 1
    assert sandbox.stats.by_method["POST"] == 1  # looked up by SKU, not sent again
    stored = in_store(sandbox)
    assert [r["wooProductId"] for r in result["results"]] == [
        stored[f"T-{n}"]["id"] for n in range(5)
    ]


def test_global_attributes_categories_and_tags_per_store(db: Database) -> None:
    sandbox = SandboxStore(seed=8)
    conn = connection(db, "Retail")
    [pid] = add_products(
        db,
        [
            tee(
                "ATTR-1",
                categories=["Shirts & Tops"],
                tags=["summer"],
                attributes={"COLOR": ["Red", "Blue"], "Dimension": "10x20"},
            )
        ],
    )
    fields = ["name", "sku", "categories", "tags", "COLOR", "Dimension"]
    set_mapping(db, conn, fields, {"COLOR": "pa_color"})
    assert export(db, sandbox, conn, product_ids=[pid])["success"]
    product = in_store(sandbox)["ATTR-1"]
    assert [c["name"] for c in product["categories"]] == ["Shirts &amp; Tops"]
    assert [t["name"] for t in product["tags"]] == ["summer"]
    by_name = {a["name"]: a for a in product["attributes"]}
    color = next(a for a in product["attributes"] if a["id"])
    assert sorted(color["options"]) == ["Blue", "Red"]
    assert by_name["Dimension"]["options"] == ["10x20"] and by_name["Dimension"]["id"] == 0

    sandbox.stats.reset()
    again = export(db, sandbox, conn, product_ids=[pid], partial=True)
    assert again["results"][0]["exportedFields"] == []
    assert sandbox.stats.requests == 0  # nothing changed, names known: not a single request

    edit_product(db, pid, attributes={"COLOR": ["Green"], "Dimension": "10x20"})
    changed = export(db, sandbox, conn, product_ids=[pid], partial=True)
    assert changed["results"][0]["exportedFields"] == ["COLOR"]
    product = in_store(sandbox)["ATTR-1"]
    assert {a["name"]: a["options"] for a in product["attributes"]}["Dimension"] == ["10x20"]
    assert next(a for a in product["attributes"] if a["id"])["options"] == ["Green"]


def test_a_linked_product_trashed_in_the_store_is_not_reported_synced(db: Database) -> None:
    sandbox = SandboxStore(seed=9)
    conn = connection(db, "Retail")
    [pid] = add_products(db, [tee("TEE-T", price="9.00")])
    fields = ["name", "sku", "price"]
    [first] = export(db, sandbox, conn, product_ids=[pid], fields=fields)["results"]
    woo_id = first["wooProductId"]
    with client_for(sandbox) as client:
        client.delete(f"/products/{woo_id}")  # someone moves it to the trash in the store
    edit_product(db, pid, price="11.00")

    plan = export(db, sandbox, conn, product_ids=[pid], fields=fields, dry_run=True)
    [row] = plan["products"]
    assert row["action"] == "error" and "--restore-trashed" in row["message"]
    [entry] = export(db, sandbox, conn, product_ids=[pid], fields=fields, partial=True)["results"]
    assert entry["status"] == "error"
    assert f"#{woo_id}" in entry["message"] and "--restore-trashed" in entry["message"]
    assert sandbox.products[woo_id]["status"] == "trash"
    record = sync_of(db, conn, pid)
    assert record is not None and record.sync_status == "error"

    plan = export(
        db, sandbox, conn, product_ids=[pid], fields=fields, dry_run=True, restore_trashed=True
    )
    assert plan["products"][0]["action"] == "update"
    assert plan["products"][0].get("restoreFromTrash") is True
    restored = export(
        db, sandbox, conn, product_ids=[pid], fields=fields, partial=True, restore_trashed=True
    )
    assert restored["success"] and restored["results"][0]["wooProductId"] == woo_id
    assert restored["results"][0]["exportedFields"] == ["price"]
    product = sandbox.products[woo_id]
    assert product["status"] == "publish" and product["regular_price"] == "11.00"
    assert len(in_store(sandbox)) == 1


def test_a_product_with_sku_0_is_found_without_listing_the_store(db: Database) -> None:
    sandbox = SandboxStore(seed=10)
    for n in range(150):  # two pages if ?sku=0 listed the whole store
        sandbox.create_product({"name": f"Other {n}", "sku": f"O-{n}"})
    zero = sandbox.create_product({"name": "Zero", "sku": "0", "regular_price": "5"})
    conn = connection(db, "Retail")
    [pid] = add_products(db, [tee("0", name="Zero", price="5")])
    sandbox.stats.reset()
    result = export(db, sandbox, conn, product_ids=[pid], fields=["name", "sku"], partial=True)
    assert result["results"][0]["wooProductId"] == zero["id"]
    assert sandbox.stats.requests == 1  # one lookup that found it, and nothing to write


def test_a_create_with_a_deleted_store_image_uploads_it_again(db: Database) -> None:
    sandbox = SandboxStore(seed=11)
    conn = connection(db, "Retail")
    image = "https://img.example/shared.jpg"
    [first] = add_products(db, [tee("IMG-1", images=[image])])
    assert export(db, sandbox, conn, product_ids=[first], fields=["name", "sku", "images"])[
        "success"
    ]
    media_id = sandbox.find_sku("IMG-1")["images"][0]["id"]  # type: ignore[index]
    with sandbox._state.lock:  # someone cleans up the media library
        del sandbox._state.media[media_id]
    [second] = add_products(db, [tee("IMG-2", images=[image])])
    result = export(db, sandbox, conn, product_ids=[second], fields=["name", "sku", "images"])
    assert result["success"], result["results"]
    stored = sandbox.find_sku("IMG-2")
    assert stored is not None and stored["images"][0]["id"] != media_id
    assert len(in_store(sandbox)) == 2


def test_a_delete_whose_answer_is_lost_is_not_replayed_into_a_false_not_found(
    db: Database,
) -> None:
    from test_export_support import delete_json
    from woosync.woo.errors import WooTimeoutError

    sandbox = SandboxStore(seed=0)
    conn = connection(db, "Retail")
    [pid] = add_products(db, [tee("DEL-1")])
    assert export(db, sandbox, conn, product_ids=[pid], fields=["name", "sku"])["success"]
    with client_for(sandbox) as client:
        sandbox.faults = Faults(stall_rate=1.0, stall_seconds=0)  # applied, answer lost
        with pytest.raises(WooTimeoutError):
            delete_json(db, conn, pid, client=client)
        sandbox.faults = Faults()
        deletes = [r for r in sandbox.stats.log if r.method == "DELETE"]
        assert len(deletes) == 1  # not replayed
        assert sandbox.find_sku("DEL-1") is None  # the store did delete it
        assert sync_of(db, conn, pid) is not None  # kept until we know
        rerun = delete_json(db, conn, pid, client=client)
    assert rerun == {"success": False, "message": "Product not found in WooCommerce"}
    assert sync_of(db, conn, pid) is None


def test_an_attribute_added_in_the_store_survives_a_partial_attribute_change(
    db: Database,
) -> None:
    """WooCommerce replaces the attribute list whole: the merge starts from what the store has now,
    so an attribute a shop manager added after our last export is kept."""
    sandbox = SandboxStore(seed=0)
    conn = connection(db, "Retail")
    [pid] = add_products(db, [tee("ATTR-1", attributes={"COLOR": ["Red"]})])
    fields = ["name", "sku", "COLOR"]
    assert export(db, sandbox, conn, product_ids=[pid], fields=fields)["success"]
    woo_id = sandbox.find_sku("ATTR-1")["id"]  # type: ignore[index]
    with client_for(sandbox) as client:  # the shop manager adds "Care" in WooCommerce
        current = client.get(f"/products/{woo_id}", {"context": "edit"})["attributes"]
        care = {"name": "Care", "options": ["Hand wash"], "visible": True}
        client.put(f"/products/{woo_id}", {"attributes": [*current, care]})
    edit_product(db, pid, attributes={"COLOR": ["Green"]})
    result = export(db, sandbox, conn, product_ids=[pid], fields=fields, partial=True)
    assert result["results"][0]["exportedFields"] == ["COLOR"]
    attributes = {a["name"]: a["options"] for a in sandbox.find_sku("ATTR-1")["attributes"]}  # type: ignore[index]
    assert attributes == {"COLOR": ["Green"], "Care": ["Hand wash"]}
