"""What tests/realstore/test_differential.py found a real WooCommerce 11 store doing, kept here so the
sandbox stays faithful where no real store runs: the trash's protected meta entries and the slug
given back on restore; image objects named by file name, with ``srcset``, ``sizes``, ``thumbnail``."""

from __future__ import annotations

import httpx


def test_trash_records_the_old_status_time_and_slug_and_a_restore_gives_the_slug_back(
    api: httpx.Client,
) -> None:
    made = api.post("/products", json={"name": "Diff Tee", "sku": "T-1"}).json()
    answer = api.delete(f"/products/{made['id']}")
    assert (answer.json()["status"], answer.json()["meta_data"]) == ("publish", [])  # as before

    trashed = api.get(f"/products/{made['id']}").json()
    assert (trashed["status"], trashed["slug"]) == ("trash", "diff-tee__trashed")
    meta = {m["key"]: m["value"] for m in trashed["meta_data"]}
    assert meta.keys() == {"_wp_trash_meta_status", "_wp_trash_meta_time", "_wp_desired_post_slug"}
    assert (meta["_wp_trash_meta_status"], meta["_wp_desired_post_slug"]) == ("publish", "diff-tee")
    assert meta["_wp_trash_meta_time"].isdigit()

    restored = api.put(f"/products/{made['id']}", json={"status": "publish"}).json()
    assert (restored["status"], restored["slug"]) == ("publish", "diff-tee")
    assert [m["key"] for m in restored["meta_data"]] == [
        "_wp_trash_meta_status",
        "_wp_trash_meta_time",
    ]

    api.delete(f"/products/{made['id']}")
    again = api.get(f"/products/{made['id']}").json()
    assert len(again["meta_data"]) == 5  # WordPress adds the three entries again


def test_an_image_is_named_by_its_file_name_and_has_the_woocommerce_11_keys(
    api: httpx.Client,
) -> None:
    made = api.post(
        "/products",
        json={"name": "Pictured", "images": [{"src": "https://img.example/red.png", "alt": "R"}]},
    ).json()
    [image] = made["images"]
    assert (image["name"], image["alt"], image["srcset"], image["sizes"]) == (
        "red.png",
        "R",
        "",
        "",
    )
    assert image["thumbnail"] == image["src"]
    assert image["src"].endswith("/red.png")
