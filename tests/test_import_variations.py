"""Import of variable products with their variations from a sandbox store (in-process): mapped,
linked by link, SKU and options (never duplicated), paged, incremental, dry run, under faults;
category paths; an export right after the import sends nothing."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import col, select

from import_helpers import import_products_json
from manual_clock import ManualClock
from status_json import sync_status
from sync_stores import shops
from test_export_support import export_json
from woosync.db.engine import Database, open_database
from woosync.db.models import Connection, Product, ProductSync
from woosync.sandbox import Faults, SandboxStore
from woosync.services.imports import fetch
from woosync.services.imports import run as run_module
from woosync.services.mappings.records import create_export_mapping, create_import_mapping
from woosync.services.sync.category_paths import CategoryPaths
from woosync.woo import WooClient
from woosync.woo.errors import WooError

STORE_URL = "http://sandbox.test"
VARIATIONS_ROUTE = ("GET", "/wc/v3/products/{product_id}/variations")
ALL_VARIATIONS_ROUTE = ("GET", "/wc/v3/variations")
SIZES = ["S", "M", "L"]
COLORS = ["Red", "Blue"]


@pytest.fixture
def sandbox(clock: ManualClock) -> SandboxStore:
    return SandboxStore(seed=3, clock=clock)


@pytest.fixture
def client(sandbox: SandboxStore) -> Iterator[WooClient]:
    with client_of(sandbox) as woo:
        yield woo


@contextmanager
def client_of(sandbox: SandboxStore) -> Iterator[WooClient]:
    key, secret = sandbox.create_key("read_write")
    transport = httpx.WSGITransport(app=sandbox.wsgi_app)
    with WooClient(STORE_URL, key, secret, transport=transport, max_retries=0) as woo:
        yield woo


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    db = open_database(db_path)
    with db.session() as session:
        session.add(Connection(store_name="Sandbox", store_url=STORE_URL, is_default=True))
    with db.session() as session:  # the store's pa_size is the catalog's Size, both ways
        create_import_mapping(session, 1, {"pa_size": "Size"}, IMPORTED)
        create_export_mapping(session, 1, EXPORTED, {"Size": "pa_size", "price": "regular_price"})
    yield db
    db.dispose()


IMPORTED = {"regular_price": "price", "stock_quantity": "stock_quantity", "weight": "weight"}
EXPORTED = ["name", "sku", "price", "manage_stock", "stock_quantity", "weight", "categories"]
EXPORTED += ["Size", "Color"]


def tee(sandbox: SandboxStore, sku: str = "TEE", *, variations: bool = True) -> dict[str, Any]:
    """A variable tee in Clothing > Tees: global Size (S, M, L) x local Color (Red, Blue)."""
    size = sandbox.attributes.get("pa_size") or sandbox.create_attribute("Size", "size")["id"]
    tree = {c["name"]: c["id"] for c in _categories(sandbox)}
    parent = sandbox.create_product(
        {
            "name": "Organic Tee",
            "type": "variable",
            "sku": sku,
            "categories": [{"id": tree["Tees"]}],
            "attributes": [
                {"id": size, "variation": True, "options": SIZES},
                {"name": "Color", "variation": True, "options": COLORS},
            ],
        }
    )
    if variations:
        for n, (s, c) in enumerate((s, c) for s in SIZES for c in COLORS):
            sandbox.create_variation(
                parent["id"],
                {
                    "sku": f"{sku}-{s}-{c}".upper(),
                    "regular_price": f"{20 + n}.00",
                    "manage_stock": True,
                    "stock_quantity": n,
                    "weight": "0.2",
                    "attributes": [{"id": size, "option": s}, {"name": "Color", "option": c}],
                },
            )
    return parent


def _categories(sandbox: SandboxStore) -> list[dict[str, Any]]:
    """Clothing > Tees in the store (made once)."""
    key, secret = sandbox.create_key("read_write")
    with WooClient(
        STORE_URL, key, secret, transport=httpx.WSGITransport(app=sandbox.wsgi_app)
    ) as woo:
        listed: list[dict[str, Any]] = woo.list_all("/products/categories", {"hide_empty": "false"})
        if not any(c["name"] == "Tees" for c in listed):
            clothing = woo.post("/products/categories", {"name": "Clothing"})
            woo.post("/products/categories", {"name": "Tees", "parent": clothing["id"]})
            listed = woo.list_all("/products/categories", {"hide_empty": "false"})
    sandbox.stats.reset()
    return listed


def catalog(db: Database) -> dict[str, Product]:
    with db.session() as session:
        return {p.sku: p for p in session.exec(select(Product).order_by(col(Product.id))).all()}


def variation_results(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in result["products"] if "parentWooProductId" in p]


def test_a_variable_product_comes_in_with_its_six_variations(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    parent = tee(sandbox)
    sandbox.stats.reset()

    result = import_products_json(db, client=client)

    assert result["success"], result
    assert result["importedCount"] == 7  # the parent and its six variations
    assert sandbox.stats.by_route[VARIATIONS_ROUTE] == 1  # one list request for the parent
    products = catalog(db)
    assert products["TEE"].type == "variable"
    # the global Size in the store's term order (by name: its terms have no menu order)
    assert products["TEE"].attributes == {"Size": ["L", "M", "S"], "Color": COLORS}
    assert products["TEE"].categories == ["Clothing > Tees"]
    medium_blue = products["TEE-M-BLUE"]
    assert medium_blue.type == "variation" and medium_blue.parent_id == products["TEE"].id
    assert medium_blue.attributes == {"Size": "M", "Color": "Blue"}
    assert medium_blue.name == "Organic Tee - M, Blue"
    assert medium_blue.price == "23.00" and medium_blue.stock_quantity == 3
    assert medium_blue.manage_stock is True and medium_blue.weight == "0.2"
    assert medium_blue.categories == []  # its parent's
    held = {v["sku"]: v["id"] for v in sandbox.variations(parent["id"])}
    shown = {v["sku"]: v for v in variation_results(result)}
    assert shown["TEE-M-BLUE"]["wooProductId"] == held["TEE-M-BLUE"]
    assert shown["TEE-M-BLUE"]["parentWooProductId"] == parent["id"]
    assert shown["TEE-M-BLUE"]["parentProductId"] == products["TEE"].id
    records = {r["productId"]: r for r in sync_status(db)["records"]}
    assert records[medium_blue.id]["wooVariationId"] == held["TEE-M-BLUE"]
    assert records[medium_blue.id]["wooProductId"] == parent["id"]
    assert records[medium_blue.id]["parentProductId"] == products["TEE"].id


def test_a_re_import_never_duplicates_and_writes_nothing(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    tee(sandbox)
    import_products_json(db, client=client)
    before = catalog(db)
    with db.session() as session:
        syncs_before = [s.model_dump() for s in session.exec(select(ProductSync)).all()]

    again = import_products_json(db, client=client, update_existing=True)

    assert again["success"] and again["unchangedCount"] == 7, again
    assert again["importedCount"] == again["updatedCount"] == 0
    after = catalog(db)
    assert len(after) == 7
    assert {s: p.updated_at for s, p in after.items()} == {
        s: p.updated_at for s, p in before.items()
    }
    with db.session() as session:
        syncs_after = [s.model_dump() for s in session.exec(select(ProductSync)).all()]
    strip = ("last_imported_at", "updated_at")
    assert [{k: v for k, v in s.items() if k not in strip} for s in syncs_after] == [
        {k: v for k, v in s.items() if k not in strip} for s in syncs_before
    ]

    skipped = import_products_json(db, client=client)  # without --update-existing
    assert skipped["skippedCount"] == 7 and len(catalog(db)) == 7
    assert "--update-existing" in variation_results(skipped)[0]["message"]


def test_an_export_right_after_the_import_sends_nothing(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    tee(sandbox)
    sandbox.create_product({"name": "Mug", "sku": "MUG", "regular_price": "9.00"})
    assert import_products_json(db, client=client)["importedCount"] == 8
    sandbox.stats.reset()

    partial = export_json(db, all_products=True, partial=True, client=client)

    assert partial["failedCount"] == 0, partial
    assert sandbox.stats.items_written == 0
    assert sandbox.stats.by_method.get("POST", 0) == sandbox.stats.by_method.get("PUT", 0) == 0

    full = export_json(db, all_products=True, client=client)  # rewrites in place, creates nothing
    assert full["failedCount"] == 0 and sandbox.stats.items_created == 0
    parent = sandbox.find_sku("TEE")
    assert parent is not None and len(sandbox.variations(parent["id"])) == 6
    assert Counter(p["sku"] for p in sandbox.products.values()) == Counter({"TEE": 1, "MUG": 1})

    with db.session() as session:  # one variation edited in the catalog: one small request
        product = session.exec(select(Product).where(Product.sku == "TEE-L-RED")).one()
        product.price = "99.00"
        session.add(product)
    sandbox.stats.reset()
    changed = export_json(db, all_products=True, partial=True, client=client)
    assert changed["failedCount"] == 0 and sandbox.stats.items_updated == 1
    assert {v["sku"]: v["regular_price"] for v in sandbox.variations(parent["id"])}[
        "TEE-L-RED"
    ] == "99.00"


@pytest.mark.parametrize(
    ("wc_version", "listings"),
    [
        # 10.3 and later: the three parents' 18 variations in one listing, 4 a page
        ("11.0.1", {ALL_VARIATIONS_ROUTE: 5}),
        ("10.2.0", {VARIATIONS_ROUTE: 6}),  # before: each parent's own, 3 parents x 2 pages
    ],
)
def test_variation_lists_are_paged_and_read_for_every_parent(
    db: Database,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
    wc_version: str,
    listings: dict[tuple[str, str], int],
) -> None:
    monkeypatch.setattr(fetch, "VARIATIONS_PER_PAGE", 4)  # six variations: two pages a parent
    sandbox = SandboxStore(seed=3, clock=clock, wc_version=wc_version)
    for n in range(3):
        tee(sandbox, f"TEE{n}")
    sandbox.stats.reset()

    with client_of(sandbox) as client:
        result = import_products_json(db, client=client, concurrency=1)

    assert result["success"] and result["importedCount"] == 21, result
    listed = {r: sandbox.stats.by_route.get(r, 0) for r in (ALL_VARIATIONS_ROUTE, VARIATIONS_ROUTE)}
    assert {route: n for route, n in listed.items() if n} == listings
    products = catalog(db)
    for n in range(3):
        children = [p for p in products.values() if p.parent_id == products[f"TEE{n}"].id]
        assert len(children) == 6


def test_more_than_a_hundred_variations_come_in_over_two_pages(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    options = [f"O{n:03d}" for n in range(105)]
    parent = sandbox.create_product(
        {
            "name": "Big",
            "type": "variable",
            "sku": "BIG",
            "attributes": [{"name": "Option", "variation": True, "options": options}],
        }
    )
    for option in options:
        sandbox.create_variation(
            parent["id"],
            {"sku": f"BIG-{option}", "attributes": [{"name": "Option", "option": option}]},
        )
    sandbox.stats.reset()

    result = import_products_json(db, client=client)

    assert result["importedCount"] == 106
    assert sandbox.stats.by_route[VARIATIONS_ROUTE] == 2
    assert len(catalog(db)) == 106


def test_update_existing_takes_store_edits_and_keeps_what_the_store_never_had(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    parent = tee(sandbox)
    import_products_json(db, client=client)
    with db.session() as session:  # a custom field only the catalog has
        product = session.exec(select(Product).where(Product.sku == "TEE-S-RED")).one()
        product.custom_fields = {"supplier": "Acme"}
        session.add(product)
    held = {v["sku"]: v["id"] for v in sandbox.variations(parent["id"])}
    client.put(
        f"/products/{parent['id']}/variations/{held['TEE-S-RED']}",
        {"regular_price": "30.00", "stock_quantity": 40},
    )

    left = import_products_json(db, client=client)  # without --update-existing: left alone
    assert left["skippedCount"] == 7 and catalog(db)["TEE-S-RED"].price == "20.00"

    result = import_products_json(db, client=client, update_existing=True)

    assert result["updatedCount"] == 1 and result["unchangedCount"] == 6, result
    updated = next(p for p in result["products"] if p["status"] == "updated")
    assert updated["sku"] == "TEE-S-RED"
    assert set(updated["changedFields"]) == {"price", "stock_quantity"}
    product = catalog(db)["TEE-S-RED"]
    assert product.price == "30.00" and product.stock_quantity == 40
    assert product.custom_fields == {"supplier": "Acme"}
    assert product.attributes == {"Size": "S", "Color": "Red"}


def test_unchanged_variations_follow_their_parent_renamed_in_the_catalog(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    tee(sandbox)
    import_products_json(db, client=client)
    with db.session() as session:  # renamed in the catalog, its variations not (yet)
        product = session.exec(select(Product).where(Product.sku == "TEE")).one()
        product.name = "Organic Shirt"
        session.add(product)

    result = import_products_json(db, client=client, update_existing=True)

    assert result["updatedCount"] == 6, result  # nothing came in but each variation's name
    changed = {p["sku"]: p["changedFields"] for p in variation_results(result)}
    assert changed["TEE-M-BLUE"] == ["name"] and len(changed) == 6
    assert catalog(db)["TEE-M-BLUE"].name == "Organic Shirt - M, Blue"
    again = import_products_json(db, client=client, update_existing=True)
    assert again["unchangedCount"] == 7, again


def test_a_variation_without_sku_is_linked_by_its_options_and_never_duplicated(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    parent = tee(sandbox, variations=False)
    size = sandbox.attributes["pa_size"]
    made = sandbox.create_variation(
        parent["id"],
        {
            "regular_price": "15.00",
            "attributes": [{"id": size, "option": "M"}, {"name": "Color", "option": "Blue"}],
        },
    )

    first = import_products_json(db, client=client)

    (shown,) = variation_results(first)
    assert shown["status"] == "imported" and shown["sku"] == ""
    assert "no SKU" in shown["message"] and "linked by its options" in shown["message"]
    local = catalog(db)[f"woo-1-{made['id']}"]
    assert local.attributes == {"Size": "M", "Color": "Blue"} and local.price == "15.00"

    with db.session() as session:  # the link lost: matched by its options, not duplicated
        for sync in session.exec(select(ProductSync)).all():
            session.delete(sync)
    again = import_products_json(db, client=client, update_existing=True)
    assert [p["status"] for p in variation_results(again)] == ["unchanged"]
    assert len(catalog(db)) == 2
    sandbox.stats.reset()
    export_json(db, all_products=True, partial=True, client=client)
    assert sandbox.stats.items_written == 0  # the made-up SKU is not pushed by a partial export


def test_a_sku_held_elsewhere_in_the_catalog_is_a_conflict_never_adopted(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    tee(sandbox)
    with db.session() as session:
        session.add(Product(sku="tee-s-red", name="A simple product", type="simple"))

    result = import_products_json(db, client=client, update_existing=True)

    failed = [p for p in result["products"] if p["status"] == "failed"]
    assert [p["sku"] for p in failed] == ["TEE-S-RED"]
    assert "held in the catalog by product 1 (simple)" in failed[0]["message"]
    assert result["importedCount"] == 6  # the parent and the five other variations
    products = catalog(db)
    assert products["tee-s-red"].type == "simple" and products["tee-s-red"].parent_id is None
    assert "TEE-S-RED" not in products


def test_incremental_re_reads_the_variations_of_a_parent_a_variation_change_moved(
    db: Database, sandbox: SandboxStore, client: WooClient, clock: ManualClock
) -> None:
    other = tee(sandbox, "POLO")
    clock.advance(hours=1)  # POLO is well before the first run's bookmark
    parent = tee(sandbox)
    first = import_products_json(db, client=client, incremental=True, update_existing=True)
    assert first["importedCount"] == 14
    clock.advance(hours=1)
    held = {v["sku"]: v["id"] for v in sandbox.variations(parent["id"])}
    client.put(f"/products/{parent['id']}/variations/{held['TEE-L-BLUE']}", {"stock_quantity": 0})
    sandbox.stats.reset()

    second = import_products_json(db, client=client, incremental=True, update_existing=True)

    assert sandbox.stats.by_route[VARIATIONS_ROUTE] == 1  # only the parent that moved
    assert {p["sku"]: p["status"] for p in second["products"] if p["status"] != "unchanged"} == {
        "TEE-L-BLUE": "updated"
    }
    assert catalog(db)["TEE-L-BLUE"].stock_quantity == 0
    assert other["id"] not in {p["wooProductId"] for p in second["products"]}


def test_a_dry_run_shows_the_variations_and_writes_nothing(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    tee(sandbox)

    result = import_products_json(db, client=client, dry_run=True)

    assert result["dryRun"] and result["importedCount"] == 7
    assert len(variation_results(result)) == 6
    assert catalog(db) == {}
    with db.session() as session:
        assert session.exec(select(ProductSync)).all() == []


def test_under_faults_every_variation_comes_in_exactly_once(
    db: Database, sandbox: SandboxStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetch, "VARIATIONS_PER_PAGE", 2)  # more requests to go wrong
    for n in range(6):
        tee(sandbox, f"TEE{n}")
    sandbox.faults = Faults(
        error_rates={500: 0.1, 502: 0.05, 503: 0.05}, rate_429=0.1, retry_after=0, drop_rate=0.05
    )
    key, secret = sandbox.create_key("read_write")
    transport = httpx.WSGITransport(app=sandbox.wsgi_app)
    with WooClient(STORE_URL, key, secret, transport=transport, max_retries=6) as woo:
        result: dict[str, Any] = {"success": False}
        for _attempt in range(3):  # a run may give a parent up; the next one finishes it
            result = import_products_json(db, client=woo, update_existing=True)
            if result["success"]:
                break
    sandbox.faults = Faults()

    assert result["success"], result
    assert sum(sandbox.stats.faults.values()) >= 3  # the store did misbehave
    products = catalog(db)
    assert len(products) == 42
    for n in range(6):
        children = [p for p in products.values() if p.parent_id == products[f"TEE{n}"].id]
        assert sorted(c.sku for c in children) == sorted(
            f"TEE{n}-{s}-{c}".upper() for s in SIZES for c in COLORS
        )


def test_a_parent_whose_variations_cannot_be_read_fails_alone_and_the_next_run_finishes(
    db: Database, sandbox: SandboxStore, client: WooClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tee(sandbox)
    tee(sandbox, "POLO")
    real = client.list_all

    def failing(path: str, params: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        # the listing of both parents' variations, then the broken one's own, fail
        asked = str((params or {}).get("parent", "")).split(",")
        if str(broken["id"]) in asked or path == f"/products/{broken['id']}/variations":
            raise WooError("the store hung up")
        return real(path, params, **kwargs)

    monkeypatch.setattr(client, "list_all", failing)
    first = import_products_json(db, client=client, incremental=True)

    assert not first["success"] and first["cursor"] is None  # the bookmark waits
    failed = [p for p in first["products"] if p["status"] == "failed"]
    assert [p["sku"] for p in failed] == ["TEE"]
    assert "variations could not be read" in failed[0]["message"]
    assert len(catalog(db)) == 8  # both parents, POLO's variations

    monkeypatch.setattr(client, "list_all", real)
    second = import_products_json(db, client=client, incremental=True)
    assert second["success"] and second["importedCount"] == 6
    assert len(catalog(db)) == 14


def test_an_option_the_store_dropped_stays_while_a_catalog_variation_uses_it(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    parent = tee(sandbox)
    import_products_json(db, client=client)
    held = {v["sku"]: v["id"] for v in sandbox.variations(parent["id"])}
    for sku in ("TEE-L-RED", "TEE-L-BLUE"):  # size L goes away in the store
        client.delete(f"/products/{parent['id']}/variations/{held[sku]}", {"force": "true"})
    size = sandbox.attributes["pa_size"]
    client.put(
        f"/products/{parent['id']}",
        {
            "attributes": [
                {"id": size, "variation": True, "options": ["S", "M"]},
                {"name": "Color", "variation": True, "options": COLORS},
            ]
        },
    )

    result = import_products_json(db, client=client, update_existing=True)

    assert result["success"], result
    assert any("'TEE' no longer lists Size 'L'" in w for w in result["warnings"]), result
    products = catalog(db)
    assert sorted(products["TEE"].attributes["Size"]) == sorted(SIZES)  # L stays
    assert products["TEE"].attributes["Color"] == COLORS
    assert products["TEE-L-RED"].attributes == {"Size": "L", "Color": "Red"}


def test_a_variable_store_product_never_re_types_a_simple_catalog_product(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    tee(sandbox)
    with db.session() as session:
        session.add(Product(sku="TEE", name="A simple tee", type="simple", price="5.00"))

    result = import_products_json(db, client=client, update_existing=True)

    (shown,) = [p for p in result["products"] if p["sku"] == "TEE"]
    assert shown["status"] == "failed"
    assert "'TEE' is variable in this store but simple in the catalog" in shown["message"]
    assert "--restore-removed" in shown["message"]
    products = catalog(db)
    assert products["TEE"].type == "simple" and products["TEE"].price == "5.00"
    assert len(products) == 1  # its variations wait with it


def test_category_paths_come_from_the_store_tree_read_once() -> None:
    paths = CategoryPaths(
        [
            {"id": 1, "name": "Clothing", "parent": 0},
            {"id": 2, "name": "Tees &amp; Tops", "parent": 1},
            {"id": 3, "name": "Sale > 50%", "parent": 0},
            {"id": 4, "name": "Loop A", "parent": 5},
            {"id": 5, "name": "Loop B", "parent": 4},
        ]
    )
    product: dict[str, Any] = {"categories": [{"id": 2, "name": "Tees &amp; Tops"}, {"id": 3}]}
    paths.rewrite(product)
    assert [c["name"] for c in product["categories"]] == [
        "Clothing &gt; Tees &amp; Tops",
        "Sale \\&gt; 50%",
    ]
    assert paths.path(2) == "Clothing > Tees & Tops" and paths.path(9) is None
    assert paths.path(4) is not None  # a broken tree (a loop) ends, it does not hang
    assert paths.missing([{"categories": [{"id": 9}]}]) and not paths.missing([product])


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_parent_sent_again_newer_counts_its_variations_once(
    db: Database,
    sandbox: SandboxStore,
    client: WooClient,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
    dry_run: bool,
) -> None:
    parent = tee(sandbox)
    held = {v["sku"]: v["id"] for v in sandbox.variations(parent["id"])}

    def twice(woo: WooClient, params: dict[str, Any], *_args: Any) -> Iterator[Any]:
        """The listing shifted: the parent comes on two pages, newer the second time."""
        yield woo.get_page("/products", params, 1)[0], False
        clock.advance(seconds=5)
        woo.put(f"/products/{parent['id']}/variations/{held['TEE-S-RED']}", {"weight": "0.9"})
        yield woo.get_page("/products", params, 1)[0], False

    monkeypatch.setattr(run_module, "pages", twice)
    result = import_products_json(db, client=client, dry_run=dry_run)

    assert (result["importedCount"], result["skippedCount"], result["failedCount"]) == (7, 0, 0)
    last = [p for p in result["products"] if p["sku"] == "TEE-S-RED"][-1]
    assert last["status"] == "imported"  # by this run: not "already in the catalog"
    if not dry_run:
        assert catalog(db)["TEE-S-RED"].weight == "0.9" and len(catalog(db)) == 7


def test_a_linked_variation_whose_store_sku_another_product_holds_fails_not_crashes(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    parent = tee(sandbox)
    import_products_json(db, client=client)
    with db.session() as session:
        session.add(Product(sku="MUG-1", name="Mug", type="simple"))
    held = {v["sku"]: v["id"] for v in sandbox.variations(parent["id"])}
    client.put(f"/products/{parent['id']}/variations/{held['TEE-S-RED']}", {"sku": "mug-1"})

    result = import_products_json(db, client=client, update_existing=True)

    (failed,) = [p for p in result["products"] if p["status"] == "failed"]
    assert failed["sku"] == "mug-1" and "belongs to product 8 (simple)" in failed["message"]
    assert catalog(db)["TEE-S-RED"].attributes == {"Size": "S", "Color": "Red"}
    assert result["unchangedCount"] == 6


def test_product_pages_and_variation_lists_share_the_concurrency(
    db: Database, sandbox: SandboxStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetch, "PER_PAGE", 10)
    sandbox.seed_variable_products(40, sizes=("S",))  # four product pages, 40 variation lists
    lock, in_flight, most = threading.Lock(), [0], [0]
    inner = httpx.WSGITransport(app=sandbox.wsgi_app)

    class Counting(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            with lock:
                in_flight[0] += 1
                most[0] = max(most[0], in_flight[0])
            try:
                # a product page is slow: the next one still downloads when variations are read
                time.sleep(0.02 if request.url.path.endswith("/products") else 0.002)
                return inner.handle_request(request)
            finally:
                with lock:
                    in_flight[0] -= 1

    key, secret = sandbox.create_key("read_write")
    with WooClient(STORE_URL, key, secret, transport=Counting(), max_retries=0) as woo:
        result = import_products_json(db, client=woo, concurrency=2)

    assert result["importedCount"] == 80
    assert most[0] == 2  # several at once, never more than --concurrency


def test_the_import_mapping_sends_a_variation_field_to_a_custom_field(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    tee(sandbox)
    with db.session() as session:  # a newer mapping: the active one
        create_import_mapping(
            session, 1, {"pa_size": "Size"}, {"regular_price": "price", "weight": "productWeight"}
        )

    assert import_products_json(db, client=client)["importedCount"] == 7

    variation = catalog(db)["TEE-M-RED"]
    assert variation.custom_fields == {"productWeight": "0.2"} and variation.weight is None
    assert variation.price == "22.00" and variation.attributes == {"Size": "M", "Color": "Red"}


def test_two_stores_with_the_same_tee_give_one_family_linked_to_both(db_path: Path) -> None:
    with shops(db_path, 2) as (two_db, stores):
        for shop in stores:
            shop.sandbox.create_attribute("Size", "size")
            tee(shop.sandbox)
        for shop in stores:
            result = shop.import_(two_db)
            assert result["success"], result
        products = catalog(two_db)
        assert len(products) == 7
        with two_db.session() as session:
            links = Counter(s.product_id for s in session.exec(select(ProductSync)).all())
        assert set(links.values()) == {2}  # every product and variation, once per store


def test_a_variation_taking_any_size_comes_in_as_a_star_and_goes_back_unchanged(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    """WooCommerce's "Any Size": the parent varies by Size, its variations name only a colour.
    The catalog keeps the choice (``Size: "*"``), so an export leaves the store as it is and
    makes Size a choice in a store it creates the product in."""
    parent = tee(sandbox, "VNECK", variations=False)
    for n, colour in enumerate(COLORS):
        sandbox.create_variation(
            parent["id"],
            {"sku": f"VN-{colour}".upper(), "regular_price": f"2{n}.00",
             "attributes": [{"name": "Color", "option": colour}]},
        )  # fmt: skip

    first = import_products_json(db, client=client)

    assert first["importedCount"] == 3, first
    held = catalog(db)
    assert held["VN-RED"].attributes == {"Color": "Red", "Size": "*"}
    assert held["VN-RED"].name == "Organic Tee - Red"  # "any" is not in the name
    again = import_products_json(db, client=client, update_existing=True)
    assert again["unchangedCount"] == 3, again
    sandbox.stats.reset()
    partial = export_json(db, all_products=True, partial=True, client=client)
    assert partial["failedCount"] == 0 and sandbox.stats.items_written == 0
    full = export_json(db, all_products=True, client=client)
    assert full["failedCount"] == 0
    stored = sandbox.find_sku("VNECK")
    assert stored is not None
    flags = {a["name"]: a["variation"] for a in stored["attributes"]}
    assert flags == {"Size": True, "Color": True}
    options = [[a["option"] for a in v["attributes"]] for v in sandbox.variations(parent["id"])]
    assert options == [["Red"], ["Blue"]]


def test_a_variation_imported_before_learns_its_any_option_once(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    parent = tee(sandbox, "VNECK", variations=False)
    sandbox.create_variation(
        parent["id"], {"sku": "VN-RED", "attributes": [{"name": "Color", "option": "Red"}]}
    )
    import_products_json(db, client=client)
    with db.session() as session:  # as a release before "any" left it
        row = session.exec(select(Product).where(Product.sku == "VN-RED")).one()
        row.attributes = {"Color": "Red"}
        session.add(row)

    learnt = import_products_json(db, client=client, update_existing=True)

    [result] = [p for p in learnt["products"] if p["sku"] == "VN-RED"]
    assert result["status"] == "updated", result
    assert catalog(db)["VN-RED"].attributes == {"Color": "Red", "Size": "*"}
    assert import_products_json(db, client=client, update_existing=True)["updatedCount"] == 0


def test_a_variation_description_the_store_formats_comes_in_as_written(
    db: Database, sandbox: SandboxStore, client: WooClient
) -> None:
    """WooCommerce answers a variation's description formatted for display (``<p>``, curly
    quotes), even in the edit context: it comes in as it was written, and an unchanged one is
    no change."""
    parent = tee(sandbox, "DESC", variations=False)
    size = sandbox.attributes["pa_size"]
    written = 'Kid\'s "tee" -- soft\nand warm'
    variation = sandbox.create_variation(
        parent["id"],
        {"sku": "DESC-S", "description": written,
         "attributes": [{"id": size, "option": "S"}, {"name": "Color", "option": "Red"}]},
    )  # fmt: skip
    assert variation["description"].startswith("<p>Kid&#8217;s")  # as WooCommerce answers

    import_products_json(db, client=client)

    assert catalog(db)["DESC-S"].description == written
    again = import_products_json(db, client=client, update_existing=True)
    assert (again["conflictCount"], again["updatedCount"]) == (0, 0), again
