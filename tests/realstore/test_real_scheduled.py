"""A scheduled product on a real store and the cron job's ``import --incremental``.

A product made with a date ahead is scheduled (status ``future``) and modified at that date: an
import used to move its bookmark there, and so to miss every edit until then. WordPress's cron
publishes it by changing its status only: an import that let the bookmark pass its modified date
would never see it. Here the bookmark stays at the store's clock, the product is skipped while it
is scheduled and comes in once published, asked for by id.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from realstore.realstore_support import RealStore, store_products_with_sku
from served_stores import cli_json as as_json


def statuses(result: dict[str, Any]) -> dict[str, str]:
    return {p["sku"]: p["status"] for p in result["products"]}


def test_a_scheduled_product_holds_no_bookmark_and_comes_in_once_published(
    cli: Any, real_connection: RealStore
) -> None:
    store = real_connection
    launch_at = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    with store.api() as api:
        made = api.post("/products", json={
            "name": "Launch", "sku": "RS-LAUNCH", "regular_price": "5",
            "date_created_gmt": launch_at.strftime("%Y-%m-%dT%H:%M:%S"),
        }).json()  # fmt: skip
        assert made["status"] == "future"
        assert made["date_modified_gmt"] == launch_at.strftime("%Y-%m-%dT%H:%M:%S")
        mug = api.post("/products", json={"name": "Mug", "sku": "RS-MUG", "regular_price": "9"})
        plan = {"name": "Plan", "sku": "RS-PLAN", "status": "draft"}  # a draft dated ahead is
        plan["date_created_gmt"] = (launch_at + timedelta(days=30)).isoformat()[:19]  # modified so
        assert api.post("/products", json=plan).json()["date_modified_gmt"] > launch_at.isoformat()

    first = as_json(cli("--json", "import", "--incremental", "--update-existing"))

    assert statuses(first)["RS-LAUNCH"] == "skipped"
    cursor = datetime.fromisoformat(first["cursor"])
    assert cursor < launch_at - timedelta(days=1)  # at the store's clock, not at the launch
    with store.api() as api:
        api.put(f"/products/{mug.json()['id']}", json={"regular_price": "9.50"})
    second = as_json(cli("--json", "import", "--incremental", "--update-existing"))
    assert statuses(second)["RS-MUG"] == "updated"  # an edit after the first run comes in

    # What WordPress's cron does at the launch (wp_publish_post: the status only), with the
    # product's dates set back as if it had been edited long before its launch.
    long_ago = (cursor - timedelta(hours=3)).strftime("%Y-%m-%d %H:%M:%S")
    store.sql(
        f"UPDATE wp_posts SET post_status = 'publish', post_date = '{long_ago}', "
        f"post_date_gmt = '{long_ago}', post_modified = '{long_ago}', "
        f"post_modified_gmt = '{long_ago}' WHERE ID = {made['id']}"
    )
    [published] = store_products_with_sku(store, "RS-LAUNCH")
    assert published["status"] == "publish"

    third = as_json(cli("--json", "import", "--incremental", "--update-existing"))

    assert statuses(third)["RS-LAUNCH"] == "imported"
    shown = as_json(cli("--json", "products", "show", "RS-LAUNCH"))
    assert shown["price"] == "5"


def test_a_product_made_with_a_date_in_the_past_comes_in_by_an_incremental_import(
    cli: Any, real_connection: RealStore
) -> None:
    """Another integration copies a product with its old date: WordPress makes its modified date
    that date, before any incremental window; its id, above the highest seen, brings it in."""
    store = real_connection
    with store.api() as api:
        api.post("/products", json={"name": "Mug", "sku": "RS-MUG2", "regular_price": "9"})
    as_json(cli("--json", "import", "--incremental"))
    with store.api() as api:
        old = api.post("/products", json={
            "name": "Old", "sku": "RS-OLD", "regular_price": "4",
            "date_created_gmt": "2020-01-01T10:00:00",
        }).json()  # fmt: skip
    assert old["date_modified_gmt"] == "2020-01-01T10:00:00"

    taken = as_json(cli("--json", "import", "--incremental"))

    assert statuses(taken)["RS-OLD"] == "imported"
    assert as_json(cli("--json", "products", "show", "RS-OLD"))["price"] == "4"
