"""Import against the sandbox store (in-process WSGI): use case 3, matching, pagination, incremental runs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import col, select

from import_helpers import import_products_json
from manual_clock import ManualClock
from status_json import sync_status
from test_export_support import export_json
from woosync.db.engine import Database, open_database
from woosync.db.models import Connection, Product, ProductSync, SyncCursor
from woosync.sandbox import SandboxStore
from woosync.services.mappings.records import create_export_mapping, create_import_mapping
from woosync.woo import WooClient

STORE_URL = "http://sandbox.test"
LIST_ROUTE = ("GET", "/wc/v3/products")


@pytest.fixture
def sandbox(clock: ManualClock) -> SandboxStore:
    """The store's clock (its ``date_modified``) is woosync's: one time, moved by hand."""
    return SandboxStore(seed=0, clock=clock)


@pytest.fixture
def client_factory() -> Iterator[Any]:
    """Clients talking to a sandbox in-process (closed at the end of the test)."""
    made: list[WooClient] = []

    def make(sandbox: SandboxStore) -> WooClient:
        key, secret = sandbox.create_key("read_write")
        transport = httpx.WSGITransport(app=sandbox.wsgi_app)
        made.append(WooClient(STORE_URL, key, secret, transport=transport, max_retries=0))
        return made[-1]

    yield make
    for woo in made:
        woo.close()


@pytest.fixture
def client(sandbox: SandboxStore, client_factory: Any) -> WooClient:
    made: WooClient = client_factory(sandbox)
    return made


@pytest.fixture
def db(db_path: Path) -> Database:
    db = open_database(db_path)
    with db.session() as session:
        session.add(Connection(store_name="Sandbox", store_url=STORE_URL, is_default=True))
    return db


def _list_requests(sandbox: SandboxStore) -> int:
    return sandbox.stats.by_route[LIST_ROUTE]


def _statuses(result: dict[str, Any]) -> dict[str, str]:
    return {entry["sku"]: entry["status"] for entry in result["products"]}


def _changed(result: dict[str, Any]) -> set[str]:
    return {p["sku"] for p in result["products"] if p["status"] in ("imported", "updated")}


def _attribute(client: WooClient, name: str, slug: str) -> int:
    return int(client.post("/products/attributes", {"name": name, "slug": slug})["id"])


# use case 3 ---------------------------------------------------------------------------------------


def test_use_case_3_import_with_custom_attributes(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    material = _attribute(client, "Material", "material")
    color = _attribute(client, "Color", "color")
    size = _attribute(client, "Size", "size")
    for n, (fabric, colors) in enumerate([("Cotton", ["Red", "Blue"]), ("Wool", ["Green"])], 1):
        sandbox.create_product(
            {
                "name": f"Shirt &amp; Tie {n}",
                "sku": f"UC3-{n}",
                "regular_price": f"{20 + n}.00",
                "sale_price": "15.00",
                "weight": "0.4",
                "categories": [{"id": 15}],
                "attributes": [
                    {"id": material, "options": [fabric]},
                    {"id": color, "options": colors},
                    {"id": size, "options": ["M", "L"]},
                    {"name": "Fit", "options": ["Slim"]},
                ],
            }
        )
    with db.session() as session:
        create_import_mapping(
            session,
            1,
            {"pa_material": "material", "pa_color": "color", "pa_size": "size"},
            {"regular_price": "price", "sale_price": "salePrice", "weight": "productWeight"},
        )

    result = import_products_json(db, 1, update_existing=False, use_mapping=True, client=client)

    assert result["success"] is True
    assert (result["importedCount"], result["updatedCount"], result["failedCount"]) == (2, 0, 0)
    assert [(p["wooProductId"], p["status"]) for p in result["products"]] == [
        (sandbox.find_sku("UC3-1")["id"], "imported"),  # type: ignore[index]
        (sandbox.find_sku("UC3-2")["id"], "imported"),  # type: ignore[index]
    ]
    with db.session() as session:
        first = session.get(Product, result["products"][0]["productId"])
        assert first is not None
        assert first.name == "Shirt & Tie 1"
        assert (first.price, first.sale_price, first.weight) == ("21.00", "15.00", None)
        assert first.custom_fields == {"productWeight": "0.4"}
        assert first.attributes == {
            "material": "Cotton",
            "color": ["Blue", "Red"],  # global: in the store's term order (by name here)
            "size": ["L", "M"],
            "Fit": "Slim",  # no mapping: kept under its store name
        }
        assert first.categories == ["Uncategorized"]
        sync = session.get(ProductSync, 1)
        assert sync is not None
        assert (sync.product_id, sync.woo_product_id, sync.sync_status) == (
            first.id,
            result["products"][0]["wooProductId"],
            "synced",
        )
        assert sync.last_imported_at is not None and sync.last_exported_at is None
    status = sync_status(db, 1)
    assert status["summary"] == {"synced": 2, "pending": 0, "error": 0, "total": 2, "excluded": 0}
    assert status["records"][0]["lastImportedAt"].endswith("Z")
    assert status["records"][0]["lastExportedAt"] is None


def test_attribute_mapping_by_name_and_a_standard_field_target(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    width = _attribute(client, "Width", "width")
    sandbox.create_product(
        {
            "name": "Board",
            "sku": "B-1",
            "regular_price": "5",
            "attributes": [
                {"id": width, "options": ["30"]},
                {"name": "Colour", "options": ["Oak"]},
            ],
        }
    )
    with db.session() as session:
        create_import_mapping(session, 1, {"pa_width": "width", "colour": "finish"}, {})
    import_products_json(db, client=client)
    with db.session() as session:
        board = session.get(Product, 1)
        assert board is not None
        assert board.width == "30"
        assert board.attributes == {"finish": "Oak"}


# matching -----------------------------------------------------------------------------------------


def test_matches_are_skipped_unless_update_existing(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    ids = sandbox.seed_products(3, prefix="M-")
    first = import_products_json(db, client=client)
    assert first["importedCount"] == 3
    client.put(f"/products/{ids[0]}", {"regular_price": "1.23", "name": "Renamed &amp; more"})

    skipped = import_products_json(db, client=client)
    assert skipped["skippedCount"] == 3 and skipped["updatedCount"] == 0
    assert "pass --update-existing" in skipped["products"][0]["message"]
    with db.session() as session:
        assert session.get(Product, 1).price != "1.23"  # type: ignore[union-attr]

    updated = import_products_json(db, client=client, update_existing=True)
    assert _statuses(updated) == {
        "M-00001": "updated",
        "M-00002": "unchanged",
        "M-00003": "unchanged",
    }
    assert sorted(updated["products"][0]["changedFields"]) == ["name", "price"]
    with db.session() as session:
        product = session.get(Product, 1)
        assert product is not None and (product.price, product.name) == ("1.23", "Renamed & more")


def test_a_local_product_with_the_sku_is_linked_not_duplicated(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    sandbox.seed_products(2, prefix="L-")
    with db.session() as session:
        session.add(Product(sku="L-00001", name="Local name", price="9.99"))
    result = import_products_json(db, client=client, update_existing=True)
    assert _statuses(result) == {"L-00001": "updated", "L-00002": "imported"}
    with db.session() as session:
        assert len(session.exec(select(Product)).all()) == 2
        link = session.exec(select(ProductSync).where(ProductSync.product_id == 1)).one()
        assert link.woo_product_id == sandbox.find_sku("L-00001")["id"]  # type: ignore[index]


def test_a_store_sku_that_differs_only_in_case_from_a_local_one_is_not_imported_twice(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    sandbox.seed_products(2, prefix="L-")  # L-00001, L-00002
    with db.session() as session:
        session.add(Product(sku="l-00001", name="Local name"))
    result = import_products_json(db, client=client)
    assert _statuses(result) == {"L-00001": "failed", "L-00002": "imported"}
    [failed] = [p for p in result["products"] if p["sku"] == "L-00001"]
    assert "differs only in case from product 1's SKU 'l-00001'" in failed["message"]
    with db.session() as session:
        assert sorted(p.sku for p in session.exec(select(Product))) == ["L-00002", "l-00001"]


def test_update_existing_keeps_local_values_the_store_never_had(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    """A store that was never sent a field (a wholesale store's mapping leaves the description out)
    answers it empty: that does not wipe the catalog. A value the store had and then cleared does
    clear the local one."""
    woo = sandbox.create_product(
        {"name": "Lamp", "sku": "BL-1", "regular_price": "30", "sale_price": "25"}
    )
    with db.session() as session:
        session.add(
            Product(
                sku="BL-1",
                name="Lamp",
                price="30",
                description="<p>Hand-made brass lamp</p>",
                weight="1.5",
                tags=["brass"],
            )
        )
    first = import_products_json(db, client=client, update_existing=True)
    assert first["products"][0]["status"] == "updated"
    changed = set(first["products"][0]["changedFields"])
    assert "sale_price" in changed and not changed & {"description", "weight", "tags"}
    client.put(f"/products/{woo['id']}", {"sale_price": "", "name": "Brass lamp"})
    second = import_products_json(db, client=client, update_existing=True)
    assert sorted(second["products"][0]["changedFields"]) == ["name", "sale_price"]
    with db.session() as session:
        lamp = session.exec(select(Product).where(Product.sku == "BL-1")).one()
        assert (lamp.description, lamp.weight, lamp.tags) == (
            "<p>Hand-made brass lamp</p>",
            "1.5",
            ["brass"],
        )
        assert (lamp.name, lamp.sale_price) == ("Brass lamp", None)


def test_unsupported_products_are_reported_never_a_crash_and_external_ones_come_in(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    sandbox.create_product({"name": "Plain", "sku": "OK-1", "regular_price": "3"})
    sandbox.create_product({"name": "Variable", "sku": "VAR-1", "type": "variable"})
    sandbox.create_product({"name": "Grouped", "sku": "GRP-1", "type": "grouped"})
    sandbox.create_product(
        {
            "name": "External",
            "sku": "EXT-1",
            "type": "external",
            "external_url": "https://x.example/book?ref=1&id=2",
            "button_text": "Buy at X & Co",
            "regular_price": "9.50",
        }
    )
    sandbox.create_product({"name": "No SKU", "regular_price": "2"})
    result = import_products_json(db, client=client)
    by_name = {p["sku"] or "(none)": p for p in result["products"]}
    assert by_name["OK-1"]["status"] == "imported"
    assert by_name["VAR-1"]["status"] == "imported"  # with its variations: none here
    assert by_name["GRP-1"]["status"] == "imported"  # with its products (none here)
    assert by_name["EXT-1"]["status"] == "imported"  # with its link and button
    assert by_name["(none)"]["status"] == "skipped" and "no SKU" in by_name["(none)"]["message"]
    assert result["success"] is True and result["failedCount"] == 0
    assert "without a SKU skipped: #" in result["warnings"][-1]
    with db.session() as session:
        found = {p.sku: p for p in session.exec(select(Product))}
    assert sorted(found) == ["EXT-1", "GRP-1", "OK-1", "VAR-1"]
    external = found["EXT-1"]
    assert (external.type, external.price) == ("external", "9.50")
    assert external.custom_fields == {
        "external_url": "https://x.example/book?ref=1&id=2",
        "button_text": "Buy at X & Co",
    }
    assert found["OK-1"].custom_fields == {}  # a simple product's empty link is no field


def test_given_ids_in_include_chunks_and_missing_ids_fail(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    ids = sandbox.seed_products(120, prefix="ID-")
    wanted = [*ids[5:110], 999_999]
    result = import_products_json(db, client=client, woo_ids=wanted)
    assert result["importedCount"] == 105
    assert result["products"][-1] == {
        "wooProductId": 999_999,
        "productId": None,
        "sku": "",
        "status": "failed",
        "message": "not found in the store (deleted, in the trash, or a variation id)",
    }
    assert _list_requests(sandbox) == 2  # 106 ids: two include= requests of at most 100


def test_given_ids_not_changed_since_are_skipped_not_failed(
    db: Database, sandbox: SandboxStore, client: WooClient, clock: ManualClock
) -> None:
    ids = sandbox.seed_products(3, prefix="IS-")
    clock.advance(hours=1)
    client.put(f"/products/{ids[0]}", {"regular_price": "4.00"})
    since = datetime(2025, 12, 11, 9, 30, tzinfo=UTC)
    result = import_products_json(db, client=client, woo_ids=[*ids, 999_999], since=since)
    by_id = {p["wooProductId"]: p for p in result["products"]}
    assert by_id[ids[0]]["status"] == "imported"
    for woo_id in ids[1:]:
        assert by_id[woo_id]["status"] == "skipped"
        assert by_id[woo_id]["message"] == "not changed since 2025-12-11T09:30:00.000Z"
    assert by_id[999_999]["status"] == "failed"
    assert "not found in the store" in by_id[999_999]["message"]
    assert (result["importedCount"], result["skippedCount"], result["failedCount"]) == (1, 2, 1)


def test_dry_run_writes_nothing(db: Database, sandbox: SandboxStore, client: WooClient) -> None:
    sandbox.seed_products(3, prefix="D-")
    result = import_products_json(db, client=client, dry_run=True)
    assert result["dryRun"] is True and result["importedCount"] == 3
    assert all(p["productId"] is None for p in result["products"])
    with db.session() as session:
        assert session.exec(select(Product)).all() == []
        assert session.exec(select(ProductSync)).all() == []
        assert session.get(Connection, 1).last_synced_at is None  # type: ignore[union-attr]


# pagination ---------------------------------------------------------------------------------------


def test_pages_of_100_in_id_order_with_bounded_concurrency(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    sandbox.seed_products(250, prefix="P-")
    result = import_products_json(db, client=client, concurrency=3)
    assert result["importedCount"] == 250 and result["warnings"] == []
    assert [p["wooProductId"] for p in result["products"]] == sorted(sandbox.products)
    assert _list_requests(sandbox) == 3
    queries = [entry.path for entry in sandbox.stats.log if entry.route == LIST_ROUTE[1]]
    assert len(queries) == 3


def test_a_linked_product_is_matched_by_its_link_when_its_sku_changed(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    ids = sandbox.seed_products(3, prefix="K-")
    assert import_products_json(db, client=client)["importedCount"] == 3
    client.put(f"/products/{ids[1]}", {"sku": "K-RENAMED"})

    result = import_products_json(db, client=client, update_existing=True)
    assert _statuses(result) == {
        "K-00001": "unchanged",
        "K-RENAMED": "updated",
        "K-00003": "unchanged",
    }
    with db.session() as session:
        assert [p.sku for p in session.exec(select(Product).order_by(col(Product.id)))] == [
            "K-00001",
            "K-RENAMED",
            "K-00003",
        ]


def test_a_product_linked_earlier_in_the_run_is_matched_by_that_link(
    db: Database, sandbox: SandboxStore, client: WooClient, clock: ManualClock
) -> None:
    ids = sandbox.seed_products(250, prefix="RE-")
    clock.advance(hours=1)
    for product_id in ids[100:]:
        client.put(f"/products/{product_id}", {"regular_price": "7.00"})
    since = datetime(2025, 12, 11, 9, 30, tzinfo=UTC)
    last_of_page_1 = ids[199]

    def change_after_page_1(n: int) -> None:
        if n == 100:
            # page 2 will start one product earlier (a low id joins the filtered set) and send the
            # last product of page 1 again, newer and with another SKU
            clock.advance(seconds=5)
            client.put(f"/products/{ids[0]}", {"regular_price": "8.00"})
            client.put(f"/products/{last_of_page_1}", {"sku": "RE-RENAMED"})

    result = import_products_json(
        db, client=client, since=since, update_existing=True, progress=change_after_page_1
    )
    # the results stream: the product is reported again, and its last entry is what holds
    entries = [p for p in result["products"] if p["wooProductId"] == last_of_page_1]
    assert [p["sku"] for p in entries] == ["RE-00200", "RE-RENAMED"]
    entry = entries[-1]
    assert (entry["sku"], entry["status"]) == ("RE-RENAMED", "imported")
    # imported on page 1, then updated through that link: still one new product of this run,
    # and no second local product
    assert (result["importedCount"], result["updatedCount"]) == (150, 0)
    with db.session() as session:
        assert len(session.exec(select(Product)).all()) == 150
        assert session.get(Product, entry["productId"]).sku == "RE-RENAMED"  # type: ignore[union-attr]


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_newer_copy_of_a_product_this_run_imported_updates_it_without_update_existing(
    db: Database, sandbox: SandboxStore, client: WooClient, clock: ManualClock, dry_run: bool
) -> None:
    ids = sandbox.seed_products(250, prefix="NC-")
    clock.advance(hours=1)
    for product_id in ids[100:]:
        client.put(f"/products/{product_id}", {"regular_price": "7.00"})
    since = datetime(2025, 12, 11, 9, 30, tzinfo=UTC)
    last_of_page_1 = ids[199]

    def change_after_page_1(n: int) -> None:
        if n == 100:  # page 2 sends the last product of page 1 again, newer
            clock.advance(seconds=5)
            client.put(f"/products/{ids[0]}", {"regular_price": "8.00"})
            client.put(f"/products/{last_of_page_1}", {"regular_price": "9.00"})

    result = import_products_json(
        db, client=client, since=since, progress=change_after_page_1, dry_run=dry_run
    )
    entry = [p for p in result["products"] if p["wooProductId"] == last_of_page_1][-1]
    assert entry["status"] == "imported"  # by this run: not "already in the catalog"
    counts = ("importedCount", "skippedCount", "failedCount")
    assert tuple(result[key] for key in counts) == (150, 0, 0)
    if dry_run:
        return
    with db.session() as session:
        assert session.get(Product, entry["productId"]).price == "9.00"  # type: ignore[union-attr]


def test_duplicates_across_pages_are_dropped_and_totals_checked(
    db: Database, sandbox: SandboxStore, client: WooClient, clock: ManualClock
) -> None:
    ids = sandbox.seed_products(250, prefix="DUP-")
    clock.advance(hours=1)
    for product_id in ids[100:]:  # 150 products changed after 09:30
        client.put(f"/products/{product_id}", {"regular_price": "7.00"})
    since = datetime(2025, 12, 11, 9, 30, tzinfo=UTC)

    received: list[int] = []

    def change_a_low_id(n: int) -> None:
        # After page 1 (ids 110..209): product 10 joins the filtered set at the front, so page 2
        # starts one product earlier and repeats the last product of page 1.
        if not received:
            client.put(f"/products/{ids[0]}", {"regular_price": "8.00"})
        received.append(n)

    result = import_products_json(db, client=client, since=since, progress=change_a_low_id)
    assert result["modifiedAfter"] == "2025-12-11T09:30:00.000Z"
    assert received == [100, 51]  # 151 products arrived ...
    assert result["importedCount"] == 150  # each once: the repeated one was dropped
    assert len({p["wooProductId"] for p in result["products"]}) == 150
    assert result["warnings"] == []


def test_a_product_removed_during_the_run_is_warned_about(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    ids = sandbox.seed_products(150, prefix="DEL-")
    done: list[int] = []

    def delete_one(n: int) -> None:
        if not done:
            done.append(n)
            client.delete(f"/products/{ids[0]}", params={"force": "true"})

    result = import_products_json(db, client=client, progress=delete_one)
    assert result["importedCount"] == 149  # page 2 moved up by one: product 110 was never seen
    assert "reported 150 products but 149 arrived" in result["warnings"][0]


# incremental --------------------------------------------------------------------------------------


def _cursor(db: Database) -> str | None:
    with db.session() as session:
        row = session.exec(select(SyncCursor).where(SyncCursor.name == "import")).first()
        return row.value if row else None


def test_incremental_runs_pick_up_exactly_what_changed(
    db: Database, sandbox: SandboxStore, client: WooClient, clock: ManualClock
) -> None:
    ids = sandbox.seed_products(250, prefix="INC-")  # all modified at 09:00:00
    clock.advance(hours=1)  # the newest product, and the 60 s overlap, are now well in the past
    client.put(f"/products/{ids[249]}", {"regular_price": "1.00"})  # modified 10:00:00

    during: list[int] = []

    def modify_during_run(n: int) -> None:
        # between page 1 and page 2 of the first run: a product already read changes
        if not during:
            during.append(n)
            clock.advance(minutes=5)
            client.put(f"/products/{ids[3]}", {"name": "Changed while importing"})

    first = import_products_json(
        db, client=client, incremental=True, update_existing=True, progress=modify_during_run
    )
    assert first["modifiedAfter"] is None  # no bookmark yet: everything
    assert first["importedCount"] == 250
    assert first["cursor"] is not None and first["cursor"] <= "2025-12-11T10:00:00.000Z"
    assert _cursor(db) == first["cursor"]

    clock.advance(minutes=10)
    client.put(f"/products/{ids[100]}", {"regular_price": "2.00"})  # changed between the runs
    new = sandbox.create_product({"name": "Brand new", "sku": "INC-NEW", "regular_price": "3"})
    list_before = _list_requests(sandbox)

    second = import_products_json(db, client=client, incremental=True, update_existing=True)
    assert second["modifiedAfter"] is not None and second["modifiedAfter"] < first["cursor"]
    assert _changed(second) == {"INC-00004", "INC-00101", "INC-NEW"}
    assert _statuses(second)["INC-00004"] == "updated"  # the one changed during the first run
    assert _statuses(second)["INC-NEW"] == "imported"
    # within the overlap window only the product modified at 10:00 is read again, unchanged
    assert set(_statuses(second)) == {"INC-00004", "INC-00101", "INC-NEW", "INC-00250"}
    assert _statuses(second)["INC-00250"] == "unchanged"
    # the window's one page, and the ids above the highest the first run saw (none unlisted)
    assert _list_requests(sandbox) - list_before == 2
    with db.session() as session:
        product = session.get(Product, 4)
        assert product is not None and product.name == "Changed while importing"
    assert new["id"] in {p["wooProductId"] for p in second["products"]}

    third = import_products_json(db, client=client, incremental=True, update_existing=True)
    assert _changed(third) == set()
    assert third["cursor"] >= second["cursor"]


def test_the_bookmark_does_not_move_when_the_run_fails(
    db: Database, sandbox: SandboxStore, client: WooClient, clock: ManualClock
) -> None:
    from woosync.core.errors import StoreError

    ids = sandbox.seed_products(150, prefix="F-")
    import_products_json(db, client=client, incremental=True)
    bookmark = _cursor(db)
    clock.advance(hours=1)
    client.put(f"/products/{ids[0]}", {"regular_price": "4.00"})
    sandbox.faults.error_rates = {503: 1.0}
    with pytest.raises(StoreError):
        import_products_json(db, client=client, incremental=True, update_existing=True)
    assert _cursor(db) == bookmark
    sandbox.faults.error_rates = {}
    retried = import_products_json(db, client=client, incremental=True, update_existing=True)
    assert _changed(retried) == {"F-00001"}


# export right after import ------------------------------------------------------------------------


def test_export_right_after_import_sends_nothing_for_unchanged_products(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    color = _attribute(client, "Color", "color")
    for n in range(1, 4):
        sandbox.create_product(
            {
                "name": f"Mug &amp; Saucer {n}",
                "sku": f"EX-{n}",
                "regular_price": "12.50",
                "description": "<p>Fine china</p>",
                "weight": "0.3",
                "dimensions": {"length": "10", "width": "8", "height": ""},
                "categories": [{"id": 15}],
                "attributes": [
                    {"id": color, "options": ["White", "Blue"]},
                    {"name": "Glaze", "options": ["Gloss"]},
                ],
            }
        )
    with db.session() as session:
        create_import_mapping(session, 1, {"pa_color": "color"}, {"regular_price": "price"})
        create_export_mapping(
            session,
            1,
            ["name", "sku", "price", "description", "weight", "dimensions", "categories", "color"],
            {"color": "pa_color"},
        )
    assert import_products_json(db, client=client)["importedCount"] == 3
    sandbox.stats.reset()

    result = export_json(db, all_products=True, partial=True, client=client)
    assert result["failedCount"] == 0
    assert sandbox.stats.items_written == 0
    assert (
        sandbox.stats.by_method.get("POST", 0) == 0 and sandbox.stats.by_method.get("PUT", 0) == 0
    )

    with db.session() as session:
        product = session.get(Product, 2)
        assert product is not None
        product.price = "13.00"
        session.add(product)
    result = export_json(db, all_products=True, partial=True, client=client)
    assert sandbox.stats.items_updated == 1
    assert sandbox.find_sku("EX-2")["regular_price"] == "13.00"  # type: ignore[index]


def test_a_change_during_a_run_is_not_lost_even_without_overlap(
    db: Database, client_factory: Any, clock: ManualClock
) -> None:
    """The bookmark is the newest date seen minus the run's duration: a product read early in a run
    and changed while the run went on (before a later product changed) is read by the next run."""
    sandbox = SandboxStore(seed=0, clock=clock)  # store time passes as the run does
    client = client_factory(sandbox)
    ids = sandbox.seed_products(250, prefix="RT-")
    done: list[int] = []

    def during(n: int) -> None:
        if not done:  # after page 1: change a product of page 1, then one of page 3
            done.append(n)
            client.put(f"/products/{ids[3]}", {"name": "Changed early"})
            clock.advance(seconds=1.1)
            client.put(f"/products/{ids[240]}", {"name": "Changed later"})

    no_overlap = timedelta(0)
    first = import_products_json(
        db, client=client, incremental=True, overlap=no_overlap, progress=during
    )
    assert first["importedCount"] == 250
    second = import_products_json(
        db, client=client, incremental=True, update_existing=True, overlap=no_overlap
    )
    assert _statuses(second)["RT-00004"] == "updated"
    with db.session() as session:
        assert session.get(Product, 4).name == "Changed early"  # type: ignore[union-attr]


def test_a_product_pushed_past_the_announced_pages_is_still_fetched(
    db: Database, sandbox: SandboxStore, client: WooClient, clock: ManualClock
) -> None:
    """Page 1 announces 2 pages; a product joining the set at the front pushes the last one onto a
    page 3 that the later pages announce: that page is fetched too."""
    ids = sandbox.seed_products(201, prefix="GROW-")
    clock.advance(hours=1)
    for product_id in ids[1:]:  # 200 products changed after 09:30: exactly two pages
        client.put(f"/products/{product_id}", {"regular_price": "7.00"})
    since = datetime(2025, 12, 11, 9, 30, tzinfo=UTC)
    done: list[int] = []

    def join_at_the_front(n: int) -> None:
        if not done:
            done.append(n)
            client.put(f"/products/{ids[0]}", {"regular_price": "8.00"})

    result = import_products_json(db, client=client, since=since, progress=join_at_the_front)
    imported = {p["wooProductId"] for p in result["products"] if p["status"] == "imported"}
    assert set(ids[1:]) <= imported  # the last one (pushed onto page 3) included
    assert _list_requests(sandbox) == 3


def test_a_product_missed_by_an_incremental_run_is_read_by_the_next_one(
    db: Database, sandbox: SandboxStore, client: WooClient, clock: ManualClock
) -> None:
    """A product deleted during an incremental run shifts the later pages, so one product of the
    window is never seen: the bookmark must not move past it."""
    ids = sandbox.seed_products(250, prefix="MISS-")
    import_products_json(db, client=client, incremental=True)
    clock.advance(hours=1)
    for product_id in ids[:150]:  # changed at 10:00
        client.put(f"/products/{product_id}", {"regular_price": "7.00"})
    clock.advance(minutes=10)
    client.put(f"/products/{ids[150]}", {"regular_price": "7.00"})  # changed at 10:10
    done: list[int] = []

    def delete_one(n: int) -> None:
        if not done:  # after page 1: page 2 moves up by one, ids[100] is never seen
            done.append(n)
            client.delete(f"/products/{ids[0]}", params={"force": "true"})

    second = import_products_json(
        db, client=client, incremental=True, update_existing=True, progress=delete_one
    )
    assert ids[100] not in {p["wooProductId"] for p in second["products"]}
    assert second["warnings"]
    third = import_products_json(db, client=client, incremental=True, update_existing=True)
    assert _statuses(third)["MISS-00101"] == "updated"
    with db.session() as session:
        product = session.exec(select(Product).where(Product.sku == "MISS-00101")).one()
        assert product.price == "7.00"
