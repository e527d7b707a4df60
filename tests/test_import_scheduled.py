"""Scheduled products and the incremental bookmark, against the sandbox on a clock moved by hand.

What a real WooCommerce 11.0.1 store does (checked there; the sandbox does the same):

- a product made (or published) with a date a minute or more ahead is scheduled: status
  ``future``; a new product's modified date is its date, so it is modified *ahead*;
- WordPress's cron publishes it when its date has come (only when ``wp-cron.php`` is visited,
  not on REST requests) and leaves its modified date as it was;
- the store's ``Date`` header tells its clock.

So an incremental import must neither move its bookmark to a scheduled product's date (it would
miss every edit until then), nor lose the product when the store publishes it without moving its
modified date: it is skipped while scheduled, and asked for by id until it comes in.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from import_helpers import import_products_json
from manual_clock import ManualClock
from status_json import sync_status
from woosync.db.engine import Database, open_database
from woosync.db.models import Connection, SyncCursor
from woosync.sandbox import SandboxStore
from woosync.woo import WooClient

STORE_URL = "http://sandbox.test"


@pytest.fixture
def sandbox(clock: ManualClock) -> SandboxStore:
    return SandboxStore(seed=3, clock=clock)


@pytest.fixture
def client(sandbox: SandboxStore) -> Iterator[WooClient]:
    key, secret = sandbox.create_key("read_write")
    transport = httpx.WSGITransport(app=sandbox.wsgi_app)
    with WooClient(STORE_URL, key, secret, transport=transport, max_retries=0) as woo:
        yield woo


@pytest.fixture
def db(db_path: Path) -> Database:
    db = open_database(db_path)
    with db.session() as session:
        session.add(Connection(store_name="Sandbox", store_url=STORE_URL, is_default=True))
    return db


def gmt(clock: ManualClock, **ahead: float) -> str:
    return (clock.now() + timedelta(**ahead)).strftime("%Y-%m-%dT%H:%M:%S")


def incremental(db: Database, client: WooClient) -> dict[str, Any]:
    return import_products_json(db, client=client, incremental=True, update_existing=True)


def outcome(result: dict[str, Any], sku: str) -> tuple[str, str]:
    [found] = [p for p in result["products"] if p["sku"] == sku]
    return found["status"], found.get("message") or ""


def cursors(db: Database) -> dict[str, str]:
    with db.session() as session:
        return {row.name: row.value for row in session.exec(select(SyncCursor))}


def test_the_sandbox_schedules_and_publishes_as_wordpress_does(
    sandbox: SandboxStore, client: WooClient, clock: ManualClock
) -> None:
    ahead = client.post("/products", {"name": "Launch", "date_created_gmt": gmt(clock, hours=1)})
    assert (ahead["status"], ahead["date_modified_gmt"]) == ("future", gmt(clock, hours=1))
    soon = client.post("/products", {"name": "Soon", "status": "future"})  # no date ahead
    assert soon["status"] == "publish"
    clock.advance(hours=2)
    assert client.get(f"/products/{ahead['id']}")["status"] == "future"  # REST runs no cron
    assert sandbox.run_cron() == 1
    published = client.get(f"/products/{ahead['id']}", {"context": "edit"})
    assert published["status"] == "publish"
    assert published["date_modified_gmt"] == ahead["date_modified_gmt"]  # not moved


def test_a_product_scheduled_ahead_does_not_move_the_bookmark(
    db: Database, sandbox: SandboxStore, client: WooClient, clock: ManualClock
) -> None:
    client.post("/products", {"name": "Mug", "sku": "MUG", "regular_price": "9"})
    launch = {"name": "Launch", "sku": "LAUNCH", "date_created_gmt": gmt(clock, days=30)}
    client.post("/products", launch)
    # a draft dated ahead is modified ahead too, though it is not scheduled
    client.post("/products", {"name": "Plan", "sku": "PLAN", "status": "draft", **{
        "date_created_gmt": gmt(clock, days=60)}})  # fmt: skip

    first = incremental(db, client)

    assert outcome(first, "LAUNCH") == (
        "skipped",
        f"is scheduled: the store publishes it at {gmt(clock, days=30)} UTC, and an import "
        "takes it then",
    )
    assert outcome(first, "PLAN")[0] == "imported"
    assert datetime.fromisoformat(first["cursor"]) <= clock.now()  # not a month ahead
    clock.advance(hours=1)
    mug = client.get("/products", {"sku": "MUG"})[0]
    client.put(f"/products/{mug['id']}", {"regular_price": "10"})

    second = incremental(db, client)

    assert outcome(second, "MUG")[0] == "updated"  # an edit after the first run comes in


def test_a_scheduled_product_comes_in_once_published_though_its_date_is_old(
    db: Database, sandbox: SandboxStore, client: WooClient, clock: ManualClock
) -> None:
    made = client.post("/products", {"name": "Launch", "sku": "LAUNCH", "regular_price": "5", **{
        "date_created_gmt": gmt(clock, hours=3)}})  # fmt: skip
    client.post("/products", {"name": "Mug", "sku": "MUG", "regular_price": "9"})
    incremental(db, client)
    clock.advance(minutes=10)  # edited while scheduled: modified now, published in hours
    client.put(f"/products/{made['id']}", {"regular_price": "6"})
    assert outcome(incremental(db, client), "LAUNCH")[0] == "skipped"
    assert set(cursors(db)) == {"import", "scheduled", "highest id"}
    for _ in range(3):  # cron runs move the bookmark well past the product's modified date
        clock.advance(hours=1)
        mug = client.get("/products", {"sku": "MUG"})[0]
        client.put(f"/products/{mug['id']}", {"regular_price": str(10 + _)})
        incremental(db, client)
    assert sandbox.run_cron() == 1  # published, its modified date left 3 hours back
    clock.advance(minutes=5)

    taken = incremental(db, client)

    assert outcome(taken, "LAUNCH")[0] == "imported"
    assert taken["failedCount"] == 0
    assert cursors(db)["scheduled"] == "{}"
    again = incremental(db, client)  # asked for once only: not in the window, nor asked again
    assert "LAUNCH" not in {p["sku"] for p in again["products"]}


def test_a_scheduled_product_deleted_in_the_store_is_no_longer_asked_for(
    db: Database, client: WooClient, clock: ManualClock
) -> None:
    made = client.post("/products", {"name": "Launch", "sku": "LAUNCH", **{
        "date_created_gmt": gmt(clock, hours=3)}})  # fmt: skip
    incremental(db, client)
    client.delete(f"/products/{made['id']}", {"force": "true"})
    clock.advance(hours=1)

    incremental(db, client)

    assert cursors(db)["scheduled"] == "{}"


def test_a_bookmark_ahead_of_the_store_is_dropped_and_the_next_run_reads_everything(
    db: Database, sandbox: SandboxStore, client: WooClient, clock: ManualClock
) -> None:
    client.post("/products", {"name": "Mug", "sku": "MUG", "regular_price": "9"})
    incremental(db, client)
    with db.session() as session:  # what an earlier release left after a scheduled product
        [row] = session.exec(select(SyncCursor).where(SyncCursor.name == "import")).all()
        row.value = (clock.now() + timedelta(days=30)).isoformat()
        session.add(row)
    client.post("/products", {"name": "Cup", "sku": "CUP", "regular_price": "4"})

    warned = incremental(db, client)

    assert warned["cursor"] is None
    assert any("ahead of the store's clock" in w for w in warned["warnings"])
    assert outcome(warned, "CUP")[0] == "imported"  # new: its id is above the last run's
    again = incremental(db, client)
    assert again["modifiedAfter"] is None  # every product read
    assert {p["sku"] for p in again["products"]} == {"MUG", "CUP"}


def test_a_bookmark_a_little_ahead_of_the_date_header_is_kept(
    db: Database, client: WooClient, clock: ManualClock
) -> None:
    """A proxy in front of the store may stamp its answers a little behind PHP's clock."""
    client.post("/products", {"name": "Mug", "sku": "MUG", "regular_price": "9"})
    incremental(db, client)
    with db.session() as session:
        [row] = session.exec(select(SyncCursor).where(SyncCursor.name == "import")).all()
        row.value = (clock.now() + timedelta(minutes=2)).isoformat()
        session.add(row)

    kept = incremental(db, client)

    assert kept["cursor"] is not None and not kept["warnings"]


def test_sync_status_says_which_scheduled_products_an_import_awaits(
    db: Database, client: WooClient, clock: ManualClock
) -> None:
    made = client.post("/products", {"name": "Launch", "sku": "LAUNCH", **{
        "date_created_gmt": gmt(clock, days=3)}})  # fmt: skip
    incremental(db, client)

    status = sync_status(db)

    assert status["scheduled"] == [
        {"wooProductId": made["id"], "publishesAt": f"{gmt(clock, days=3)}.000Z"}
    ]


def test_a_product_made_with_a_date_in_the_past_is_found_by_its_id(
    db: Database, sandbox: SandboxStore, client: WooClient, clock: ManualClock
) -> None:
    """Another integration copies a product with its old date: modified then, before any
    window. Its id, above the highest the last run saw, tells it is new (one more request)."""
    client.post("/products", {"name": "Mug", "sku": "MUG", "regular_price": "9"})
    incremental(db, client)
    clock.advance(hours=2)
    incremental(db, client)  # the bookmark is now past the old date below
    old = {
        "name": "Old",
        "sku": "OLD",
        "regular_price": "4",
        "date_created_gmt": gmt(clock, days=-400),
    }
    made = client.post("/products", old)
    assert made["date_modified_gmt"] == gmt(clock, days=-400)
    before = sandbox.stats.by_route[("GET", "/wc/v3/products")]

    found = incremental(db, client)

    assert outcome(found, "OLD")[0] == "imported"
    assert sandbox.stats.by_route[("GET", "/wc/v3/products")] - before == 3  # window, ids, OLD
    again = incremental(db, client)
    assert "OLD" not in {p["sku"] for p in again["products"]}  # asked for once


def test_many_new_products_in_the_window_cost_one_request_of_ids(
    db: Database, sandbox: SandboxStore, client: WooClient, clock: ManualClock
) -> None:
    """The ids are listed only for products modified before the window: those it lists (here
    150 new ones, past a page of ids) are not listed twice."""
    client.post("/products", {"name": "Mug", "sku": "MUG", "regular_price": "9"})
    incremental(db, client)
    clock.advance(hours=1)
    sandbox.seed_products(150, prefix="NEW-")
    before = sandbox.stats.by_route[("GET", "/wc/v3/products")]

    taken = incremental(db, client)

    assert taken["importedCount"] == 150
    assert sandbox.stats.by_route[("GET", "/wc/v3/products")] - before == 3  # 2 pages, 1 of ids
