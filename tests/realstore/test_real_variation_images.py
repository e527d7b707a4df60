"""Variation images against a real WooCommerce store: a variation's ``image`` written as ``{src}``
(downloaded) or ``{id}`` (an attachment the store has), each new URL downloaded once per run
however many variations (of one parent, of two, or a parent and its variations) name it."""

from __future__ import annotations

import json

from realstore.realstore_support import RealStore, store_products_with_sku

CATALOG = """
- sku: RS-VIMG
  name: Real Image Tee
  type: variable
  attributes: {{Size: [S, M, L]}}
  variations:
    - {{sku: RS-VIMG-S, attributes: {{Size: S}}, price: "20.00", image: "{red}"}}
    - {{sku: RS-VIMG-M, attributes: {{Size: M}}, price: "20.00", image: "{red}"}}
    - {{sku: RS-VIMG-L, attributes: {{Size: L}}, price: "20.00", image: "{green}"}}
- sku: RS-VCAP
  name: Real Image Cap
  type: variable
  images: ["{photo}"]
  attributes: {{Size: [S, M]}}
  variations:
    - {{sku: RS-VCAP-S, attributes: {{Size: S}}, price: "9.00", image: "{red}"}}
    - {{sku: RS-VCAP-M, attributes: {{Size: M}}, price: "9.00", image: "{photo}"}}
"""
FIELDS = "name,sku,price,images,Size"


def test_variations_sharing_new_image_urls_have_each_downloaded_once(
    cli, real_connection: RealStore, tmp_path
) -> None:
    store = real_connection
    images = store.images
    urls = {name.split(".")[0]: images.url(name) for name in ("red.png", "green.png", "photo.jpg")}
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(CATALOG.format(**urls))
    assert cli("products", "load", str(catalog)).exit_code == 0
    before = store.media_count()

    exported = cli("--json", "export", "--all", "--fields", FIELDS)

    assert exported.exit_code == 0, exported.stdout + exported.stderr
    assert json.loads(exported.stdout)["failedCount"] == 0
    assert store.media_count() == before + 3
    assert images.total_downloads() == 3 and images.downloads("red.png") == 1
    media: dict[str, int] = {}
    with store.api() as api:
        for parent_sku in ("RS-VIMG", "RS-VCAP"):
            [parent] = store_products_with_sku(store, parent_sku)
            held = api.get(f"/products/{parent['id']}/variations", params={"context": "edit"})
            assert held.status_code == 200, held.text
            media.update({v["sku"]: int(v["image"]["id"]) for v in held.json()})
    [cap] = store_products_with_sku(store, "RS-VCAP")
    assert media["RS-VIMG-S"] == media["RS-VIMG-M"] == media["RS-VCAP-S"] != media["RS-VIMG-L"]
    assert media["RS-VCAP-M"] == cap["images"][0]["id"]

    store.mark()
    partial = cli("--json", "export", "--all", "--partial", "--fields", FIELDS)
    assert partial.exit_code == 0, partial.stdout + partial.stderr
    assert store.write_requests() == [] and images.total_downloads() == 3
