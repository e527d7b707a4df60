"""Two stores a shop owner already runs hold the same pictures as two uploads each (the second
store's copy of ``mug.png`` is ``mug-1.png`` under its own URL). Adopting them with woosync must
neither call every such product an images conflict nor upload the pictures again: not when the
second store is imported, not when a full export goes to either store. Through the CLI against
two served sandbox stores (their uploads named as WordPress names them); ``tests/realstore``
runs the same against real WooCommerce 11.0.1 stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from served_stores import cli_json, served_stores
from woosync.sandbox import SandboxStore
from woosync.services.sync.image_files import store_copies
from woosync.woo import WooClient

PICTURES = "https://pictures.example/shop"
FIELDS = "name,sku,price,images"


def _images(*srcs: str) -> list[dict[str, Any]]:
    return [{"id": number, "src": src} for number, src in enumerate(srcs, start=10)]


@pytest.mark.parametrize(
    ("catalog", "store", "copies"),
    [
        # the store's upload of the same file, WordPress's -N on either side or both
        (["http://a/u/mug.png"], ["http://b/u/mug-1.png"], True),
        (["http://a/u/MUG-15.png"], ["http://b/u/mug-14.png"], True),
        (["http://a/u/Mug%20Blue.JPG"], ["http://b/u/Mug-Blue-scaled.jpg"], True),
        (["http://a/mug.jpg", "http://a/mug-2.jpg"], ["http://b/mug-1.jpg", "http://b/mug-2-1.jpg"], True),
        # a reordered gallery, a replaced or an added picture: a difference
        (["http://a/mug.jpg", "http://a/mug-2.jpg"], ["http://b/mug-2.jpg", "http://b/mug.jpg"], False),
        (["http://a/u/mug.png"], ["http://b/u/cup.png"], False),
        (["http://a/u/mug.png"], ["http://b/u/mug.png", "http://b/u/cup.png"], False),
        # no file name to go by, or the catalog's own URLs
        (["https://picsum.photos/seed/mug/600"], ["http://b/u/600.jpg"], False),
        (["http://a/u/mug.png"], ["http://a/u/mug.png"], False),
        ([], [], False),
    ],
)  # fmt: skip
def test_store_copies_go_by_file_name_position_by_position(
    catalog: list[str], store: list[str], copies: bool
) -> None:
    found = store_copies(catalog, _images(*store))
    assert found == ({str(10 + n): url for n, url in enumerate(catalog)} if copies else {})


def _seed(store: SandboxStore, *first: dict[str, Any]) -> None:
    """The store's own products, made by a shop manager (after ``first``): its images are its
    own uploads."""
    key, secret = store.create_key("read_write")
    with WooClient(store.home, key, secret, max_retries=0) as client:
        client.post("/products/batch", {"create": [
            *first,
            {"sku": "MUG", "name": "Mug", "regular_price": "12.00",
             "images": [{"src": f"{PICTURES}/mug.png"}, {"src": f"{PICTURES}/mug-side.png"}]},
            {"sku": "BAG", "name": "Bag", "regular_price": "19.00",
             "images": [{"src": f"{PICTURES}/bag.png"}]},
        ]})  # fmt: skip


@pytest.fixture
def adopted(cli: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Two stores with the same products and pictures (the second store's files named ``-1``: its
    library had them already); the catalog imported from the first."""
    with served_stores(db_path, monkeypatch, count=2) as (_db, stores, _urls):
        _seed(stores[0])
        # the second store's library held each file already: its uploads are named "-1"
        _seed(stores[1], {"sku": "OLD", "name": "Old", "images": [
            {"src": f"{PICTURES}/mug.png"}, {"src": f"{PICTURES}/mug-side.png"},
            {"src": f"{PICTURES}/bag.png"},
        ]})  # fmt: skip
        cli_json(cli("--json", "import", "--connection", "1"))
        yield stores


def _image_ids(store: SandboxStore, sku: str) -> list[int]:
    found = store.find_sku(sku)
    assert found is not None, sku
    return [image["id"] for image in found["images"]]


def _image_srcs(store: SandboxStore, sku: str) -> list[str]:
    found = store.find_sku(sku)
    assert found is not None, sku
    return [image["src"] for image in found["images"]]


def test_a_second_stores_own_copies_are_no_conflict(cli: Any, adopted: Any) -> None:
    second = adopted[1]
    planned = cli("--json", "import", "--connection", "2", "--update-existing", "--dry-run")
    assert "would be taken as the store's own copies" in planned.stderr
    assert second.find_sku("MUG")["images"][0]["src"].endswith("/mug-1.png")  # its own upload
    done = cli("--json", "import", "--connection", "2", "--update-existing")
    shown = cli_json(done)
    assert shown["conflictCount"] == 0
    assert shown["counts"]["updated"] == 0  # the catalog keeps the first store's URLs
    assert "under the same file names" in done.stderr and "MUG, BAG" in done.stderr
    catalog = cli_json(cli("--json", "products", "show", "MUG"))["images"]
    assert all(url.startswith(adopted[0].home) for url in catalog)
    again = cli_json(cli("--json", "import", "--connection", "2", "--update-existing"))
    assert (again["conflictCount"], again["counts"]["updated"]) == (0, 0)
    plan = cli_json(
        cli("--json", "export", "-c", "2", "--all", "--partial", "--fields", FIELDS, "--dry-run")
    )
    assert plan["counts"]["updated"] == 0  # fmt: skip


def test_full_exports_after_adopting_upload_no_picture_again(cli: Any, adopted: Any) -> None:
    cli_json(cli("--json", "import", "--connection", "2", "--update-existing"))
    before = [[_image_ids(store, sku) for sku in ("MUG", "BAG")] for store in adopted]
    for store in adopted:
        store.stats.reset()
    for connection in ("1", "2"):  # every field, images included (OLD, new to store 1, left out)
        sent = cli("--json", "export", "-c", connection, "--sku", "MUG,BAG", "--fields", FIELDS)
        assert cli_json(sent)["counts"]["updated"] == 2
    assert [store.stats.snapshot()["image_downloads"] for store in adopted] == [0, 0]
    assert [[_image_ids(store, sku) for sku in ("MUG", "BAG")] for store in adopted] == before


def test_a_store_picture_really_changed_is_still_a_conflict(cli: Any, adopted: Any) -> None:
    second = adopted[1]
    key, secret = second.create_key("read_write")
    with WooClient(second.home, key, secret, max_retries=0) as client:
        client.put(f"/products/{second.find_sku('BAG')['id']}", {"images": [{"src": f"{PICTURES}/tote.png"}]})  # fmt: skip
    shown = cli_json(cli("--json", "import", "--connection", "2", "--update-existing"))
    assert [(c["sku"], c["field"]) for c in shown["conflicts"]] == [("BAG", "images")]


def test_an_export_adopting_by_sku_keeps_the_stores_own_copies(
    cli: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second store exported to before it was ever imported: its products are adopted by
    SKU, and their pictures, its own uploads of the catalog's (``mug-2.png`` for the first
    store's ``mug-1.png``: both libraries had the files already), are sent by id, not
    downloaded again."""
    earlier = {"sku": "OLD", "name": "Old", "images": [
        {"src": f"{PICTURES}/mug.png"}, {"src": f"{PICTURES}/mug-side.png"}, {"src": f"{PICTURES}/bag.png"},
    ]}  # fmt: skip
    with served_stores(db_path, monkeypatch, count=2) as (_db, stores, _urls):
        first, second = stores
        _seed(first, earlier)
        _seed(second, earlier, {**earlier, "sku": "OLDER"})
        assert _image_srcs(second, "MUG")[0].endswith("/mug-2.png")
        cli_json(cli("--json", "import", "--connection", "1"))
        before = [_image_ids(second, sku) for sku in ("MUG", "BAG")]
        second.stats.reset()
        sent = cli("--json", "export", "-c", "2", "--sku", "MUG,BAG", "--fields", FIELDS)
        assert cli_json(sent)["counts"]["updated"] == 2
        assert second.stats.snapshot()["image_downloads"] == 0
        assert [_image_ids(second, sku) for sku in ("MUG", "BAG")] == before
        again = cli_json(cli("--json", "import", "--connection", "2", "--update-existing"))
        assert again["conflictCount"] == 0
