"""woosync's connections test, export and delete through the CLI against a real WooCommerce store."""

from __future__ import annotations

import json

from realstore.realstore_support import (
    RealStore,
    add_product,
    export,
    store_products_with_sku,
    woo_id,
)


def test_connections_test_reports_the_store_and_warns_about_a_read_only_key(
    cli, real_connection: RealStore
) -> None:
    store = real_connection
    ok = cli("--json", "connections", "test")
    assert ok.exit_code == 0, ok.stderr
    body = json.loads(ok.stdout)
    assert body["success"] is True
    assert body["storeInfo"]["wpVersion"] == "7.0.4"
    assert body["storeInfo"]["wooVersion"] == "11.0.1"
    assert body["storeInfo"]["storeName"].startswith("Test Store")
    assert not body.get("warnings")
    # the write check is an empty batch: the store logs it, and nothing was created
    assert [(r.method, r.path) for r in store.write_requests()] == [
        ("POST", "/wp-json/wc/v3/products/batch")
    ]

    key, secret = store.read_only_keys
    read_only = cli(
        "connections", "test", "--url", store.url,
        env={"WOOSYNC_CONSUMER_KEY": key, "WOOSYNC_CONSUMER_SECRET": secret},
    )  # fmt: skip
    assert read_only.exit_code == 0, read_only.stderr
    # WooCommerce refuses a read key's write with its own authentication error
    assert (
        "warning: the key can read but not write: woocommerce_rest_authentication_error, "
        "The API key provided does not have write permissions." in read_only.stderr
    )
    assert key not in read_only.stdout + read_only.stderr
    assert secret not in read_only.stdout + read_only.stderr


def test_first_export_then_unchanged_partial_writes_nothing_then_a_price_change_one_request(
    cli, real_connection: RealStore
) -> None:
    store = real_connection
    ids = [add_product(cli, f"RS-{n}", price=f"1{n}.50") for n in range(3)]

    first = export(cli, "--all")
    assert first["syncedCount"] == 3
    for n, product_id in enumerate(ids):
        [held] = store_products_with_sku(store, f"RS-{n}")
        assert (held["name"], held["regular_price"]) == (f"Tee RS-{n}", f"1{n}.50")
        assert woo_id(cli, product_id) == held["id"]
    assert len(store.write_requests()) == 1  # one batch for the three

    store.mark()
    unchanged = export(cli, "--all", "--partial")
    assert unchanged["syncedCount"] == 3
    assert store.write_requests() == []

    edited = cli("products", "edit", str(ids[1]), "--price", "99.00")
    assert edited.exit_code == 0, edited.stderr
    store.mark()
    export(cli, "--all", "--partial")
    writes = store.write_requests()
    assert len(writes) == 1, writes
    assert writes[0].status == 200
    [held] = store_products_with_sku(store, "RS-1")
    assert held["regular_price"] == "99.00"
    assert store_products_with_sku(store, "RS-0")[0]["regular_price"] == "10.50"


def test_a_product_already_in_the_store_is_adopted_by_sku_not_duplicated(
    cli, real_connection: RealStore
) -> None:
    """An export whose answer was lost leaves the product in the store and no link locally: the
    next export must find it by SKU and update it."""
    store = real_connection
    with store.api() as api:
        lost = api.post("/products", json={"name": "Lost answer", "sku": "RS-LOST"})
    assert lost.status_code == 201, lost.text
    product_id = add_product(cli, "RS-LOST", price="12.00")

    export(cli, "--all")
    held = store_products_with_sku(store, "RS-LOST")
    assert [p["id"] for p in held] == [lost.json()["id"]]
    assert (held[0]["name"], held[0]["regular_price"]) == ("Tee RS-LOST", "12.00")
    assert woo_id(cli, product_id) == lost.json()["id"]
    creates = [r for r in store.write_requests() if r.path == "/wp-json/wc/v3/products"]
    assert len(creates) == 1  # only the test's own create


def test_a_product_trashed_in_the_store_fails_until_restore_trashed(
    cli, real_connection: RealStore
) -> None:
    store = real_connection
    product_id = add_product(cli, "RS-TRASH")
    export(cli, "--all")
    store_id = woo_id(cli, product_id)
    with store.api() as api:
        trashed = api.delete(f"/products/{store_id}")  # no force: to the trash
    assert trashed.status_code == 200, trashed.text
    assert [p["id"] for p in store_products_with_sku(store, "RS-TRASH", "trash")] == [store_id]

    refused = cli("--json", "export", "--all", "--fields", "name,sku,price,images")
    assert refused.exit_code == 1
    [result] = json.loads(refused.stdout)["results"]
    assert result["status"] == "error"
    assert "trash" in result["message"] and "--restore-trashed" in result["message"]

    export(cli, "--all", "--restore-trashed")
    [held] = store_products_with_sku(store, "RS-TRASH")
    assert (held["id"], held["status"]) == (store_id, "publish")


def test_a_new_product_whose_sku_a_trashed_store_product_holds_is_restored_not_duplicated(
    cli, real_connection: RealStore
) -> None:
    store = real_connection
    with store.api() as api:
        made = api.post("/products", json={"name": "Old", "sku": "RS-OLD", "regular_price": "1"})
        assert api.delete(f"/products/{made.json()['id']}").status_code == 200
    add_product(cli, "RS-OLD", price="5.00")

    refused = cli("--json", "export", "--all", "--fields", "name,sku,price,images")
    assert refused.exit_code == 1
    [result] = json.loads(refused.stdout)["results"]
    assert f"#{made.json()['id']}" in result["message"] and "trash" in result["message"]

    export(cli, "--all", "--restore-trashed")
    [held] = store_products_with_sku(store, "RS-OLD")
    assert (held["id"], held["status"], held["regular_price"]) == (
        made.json()["id"],
        "publish",
        "5.00",
    )


def test_delete_removes_the_product_from_the_store_for_good(
    cli, real_connection: RealStore
) -> None:
    store = real_connection
    product_id = add_product(cli, "RS-DEL")
    export(cli, "--all")
    store_id = woo_id(cli, product_id)

    deleted = cli("delete", "--product", str(product_id), "--yes")
    assert deleted.exit_code == 0, deleted.stderr
    assert store_products_with_sku(store, "RS-DEL") == []  # not in the trash either
    with store.api() as api:
        assert api.get(f"/products/{store_id}").status_code == 404
    assert cli("products", "show", str(product_id)).exit_code == 0  # the local product stays
    again = cli("delete", "--product", str(product_id), "--yes")
    assert again.exit_code == 3, again.stderr


def test_images_are_uploaded_once(cli, real_connection: RealStore) -> None:
    store = real_connection
    images = store.images
    before = store.media_count()
    add_product(cli, "RS-IMG-1", images=(images.url("red.png"),))
    second = add_product(cli, "RS-IMG-2", images=(images.url("green.png"), images.url("photo.jpg")))
    add_product(cli, "RS-IMG-0", images=(images.url("red.png"),))  # shared within the run

    export(cli, "--all")
    assert store.media_count() == before + 3
    assert images.total_downloads() == 3 and images.downloads("red.png") == 1
    [shared] = store_products_with_sku(store, "RS-IMG-0")
    assert [i["id"] for i in shared["images"]] == [
        i["id"] for i in store_products_with_sku(store, "RS-IMG-1")[0]["images"]
    ]
    [held] = store_products_with_sku(store, "RS-IMG-2")
    assert len(held["images"]) == 2

    # a product added later with an image the store already has, and a full re-export
    add_product(cli, "RS-IMG-3", images=(images.url("red.png"),))
    export(cli, "--all")
    assert store.media_count() == before + 3
    assert images.total_downloads() == 3
    [third] = store_products_with_sku(store, "RS-IMG-3")
    [first] = store_products_with_sku(store, "RS-IMG-1")
    assert [i["id"] for i in third["images"]] == [i["id"] for i in first["images"]]

    assert cli("products", "edit", str(second), "--price", "11").exit_code == 0
    export(cli, "--all", "--partial")
    assert store.media_count() == before + 3
    assert images.total_downloads() == 3


def test_a_product_adopted_by_sku_keeps_the_images_the_store_already_has(
    cli, real_connection: RealStore
) -> None:
    """The answer of a create with images was lost: the store downloaded them, woosync never
    recorded it. Adopting the product by SKU must not make the store download them again."""
    store = real_connection
    urls = (store.images.url("red.png"), store.images.url("photo.jpg"))
    with store.api() as api:
        lost = api.post(
            "/products",
            json={"name": "Tee RS-ADOPT", "sku": "RS-ADOPT", "images": [{"src": u} for u in urls]},
        )
    assert lost.status_code == 201, lost.text
    before, downloads = store.media_count(), store.images.total_downloads()
    add_product(cli, "RS-ADOPT", images=urls)

    export(cli, "--all")
    assert (store.media_count(), store.images.total_downloads()) == (before, downloads)
    [held] = store_products_with_sku(store, "RS-ADOPT")
    assert [i["id"] for i in held["images"]] == [i["id"] for i in lost.json()["images"]]
