"""woosync import through the CLI against a real WooCommerce store."""

from __future__ import annotations

import json

from realstore.realstore_support import RealStore, add_product, export, woo_id


def test_incremental_import_brings_in_a_product_renamed_in_the_store(
    cli, real_connection: RealStore
) -> None:
    store = real_connection
    renamed = add_product(cli, "RS-INC-1")
    add_product(cli, "RS-INC-2")
    export(cli, "--all")

    first = cli("--json", "import", "--incremental", "--update-existing")
    assert first.exit_code == 0, first.stderr
    assert json.loads(first.stdout)["failedCount"] == 0

    with store.api() as api:
        answer = api.put(f"/products/{woo_id(cli, renamed)}", json={"name": "Renamed & Co"})
    assert answer.status_code == 200, answer.text

    store.mark()
    second = cli("--json", "import", "--incremental", "--update-existing")
    assert second.exit_code == 0, second.stderr
    data = json.loads(second.stdout)
    statuses = {p["productId"]: (p["status"], p.get("changedFields")) for p in data["products"]}
    assert statuses[renamed] == ("updated", ["name"]), data
    assert data["importedCount"] == 0 and data["updatedCount"] == 1, data
    shown = json.loads(cli("--json", "products", "show", str(renamed)).stdout)
    assert shown["name"] == "Renamed & Co"  # the store answers "Renamed &amp; Co"
    # the second run asked only for what changed since the first one's bookmark
    listings = [r for r in store.requests() if r.path == "/wp-json/wc/v3/products"]
    assert listings and all("modified_after" in r.params for r in listings), listings
