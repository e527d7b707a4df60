"""Images a real WooCommerce store already holds as its own uploads are never uploaded again.

- A shop manager's product (its images the store's own uploads), imported, then sent by a full
  export (every field, images included): the store downloads nothing, its media ids stay.
- Adopting a store that holds its own copies of the catalog's pictures (the same files, uploaded
  there as ``red-1.png``): the first import is no images conflict, and a full export after it
  downloads nothing either.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from realstore.realstore_support import RealStore, store_products_with_sku
from served_stores import cli_json as as_json

FIELDS = "name,sku,price,images"


def _made_in_the_store(store: RealStore, sku: str, *images: str) -> list[int]:
    """A product a shop manager made, with ``images`` (URLs the store downloads); its media ids."""
    body = {"sku": sku, "name": f"Shop {sku}", "regular_price": "10.00"}
    with store.api() as api:
        made = api.post("/products", json={**body, "images": [{"src": s} for s in images]})
    assert made.status_code == 201, made.text
    return [int(image["id"]) for image in made.json()["images"]]


def _media_of(store: RealStore, sku: str) -> list[int]:
    [product] = store_products_with_sku(store, sku)
    return [int(image["id"]) for image in product["images"]]


def test_a_full_export_after_an_import_downloads_no_image(
    cli: Any, real_connection: RealStore
) -> None:
    store = real_connection
    held = _made_in_the_store(store, "RA-OWN", store.images.url("red.png"), store.images.url("photo.jpg"))  # fmt: skip
    as_json(cli("--json", "import"))
    store.images.reset_counts()
    media = store.media_count()

    sent = as_json(cli("--json", "export", "--all", "--fields", FIELDS))

    assert sent["failedCount"] == 0 and sent["counts"]["updated"] == 1, sent
    assert store.images.total_downloads() == 0 and store.media_count() == media
    assert _media_of(store, "RA-OWN") == held


def test_a_stores_own_copies_of_the_catalogs_pictures_are_adopted(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    store = real_connection
    red, photo = store.images.url("red.png"), store.images.url("photo.jpg")
    _made_in_the_store(store, "RA-EARLIER", red, photo)  # the files the library had already
    held = _made_in_the_store(store, "RA-MUG", red, photo)  # uploaded again: red-1.png ...
    [mug] = store_products_with_sku(store, "RA-MUG")
    assert re.search(r"/red-\d+\.png$", mug["images"][0]["src"]), mug["images"]
    (tmp_path / "catalog.yaml").write_text(
        f"- {{sku: RA-MUG, name: Shop RA-MUG, price: '10.00', images: ['{red}', '{photo}']}}\n"
    )
    assert cli("products", "load", str(tmp_path / "catalog.yaml")).exit_code == 0

    done = cli("--json", "import", "--update-existing")

    taken = as_json(done)
    assert taken["conflictCount"] == 0, taken
    assert "under the same file names" in done.stderr and "RA-MUG" in done.stderr
    catalog = as_json(cli("--json", "products", "show", "RA-MUG"))["images"]
    assert catalog == [red, photo]  # the catalog's URLs stay
    store.images.reset_counts()
    media = store.media_count()
    sent = as_json(cli("--json", "export", "--sku", "RA-MUG", "--fields", FIELDS))
    assert sent["failedCount"] == 0, sent
    assert store.images.total_downloads() == 0 and store.media_count() == media
    assert _media_of(store, "RA-MUG") == held
    store.mark()
    as_json(cli("--json", "export", "--all", "--partial", "--fields", FIELDS))
    assert store.write_requests() == []
