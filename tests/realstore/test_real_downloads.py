"""A downloadable product's files against a real WooCommerce store.

WooCommerce keeps the id a file is sent with, and makes up a new one for a file sent without
(its customers' download links point at that id). The catalog's ids reach the store and stay
there through a rename; a shop manager's edit comes back; an unchanged ``--partial`` writes
nothing; a file the store refuses fails that product with the store's message as plain text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from realstore.realstore_support import RealStore, catalog_and_mapping, store_products_with_sku
from served_stores import cli_json as as_json
from woosync.products.downloads import file_id

BOOK = "https://files.example/book.pdf"
CATALOG = f"""
- sku: RD-BOOK
  name: E-book
  price: "5.00"
  downloads: [{{name: The book, file: "{BOOK}"}}]
- sku: RD-TEE
  name: Tee with a pattern
  type: variable
  attributes: {{Size: [S, M]}}
  variations:
    - {{sku: RD-TEE-S, attributes: {{Size: S}}, price: "20.00", downloads: ["{BOOK}"]}}
    - {{sku: RD-TEE-M, attributes: {{Size: M}}, price: "21.00"}}
"""
MAPPING = """
store: Real Store
export:
  selectedFields: [name, sku, price, Size, downloads]
"""


def test_files_keep_the_catalogs_ids_and_a_store_edit_comes_back(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    store = real_connection
    catalog_and_mapping(cli, tmp_path, CATALOG, MAPPING)
    first = as_json(cli("--json", "export", "--all"))
    assert first["failedCount"] == 0, first

    [book] = store_products_with_sku(store, "RD-BOOK")
    assert book["downloads"] == [{"id": file_id(BOOK), "name": "The book", "file": BOOK}]
    assert book["downloadable"] is True
    [variation] = store_products_with_sku(store, "RD-TEE-S")
    assert [d["id"] for d in variation["downloads"]] == [file_id(BOOK)]
    store.mark()
    as_json(cli("--json", "export", "--all", "--partial"))
    assert store.write_requests() == []

    # a rename in the catalog keeps the id the store's customers hold
    (tmp_path / "rename.yaml").write_text(
        f"- sku: RD-BOOK\n  downloads: [{{name: The book (2nd edition), file: '{BOOK}'}}]\n"
    )
    assert cli("products", "load", str(tmp_path / "rename.yaml")).exit_code == 0
    as_json(cli("--json", "export", "--all", "--partial"))
    [book] = store_products_with_sku(store, "RD-BOOK")
    assert book["downloads"] == [
        {"id": file_id(BOOK), "name": "The book (2nd edition)", "file": BOOK}
    ]

    # a shop manager renames it in the store: it comes back, and nothing goes out after
    with store.api() as api:
        edit = {"downloads": [{**book["downloads"][0], "name": "The book & notes"}]}
        assert api.put(f"/products/{book['id']}", json=edit).status_code == 200
    taken = as_json(cli("--json", "import", "--update-existing"))
    assert taken["updatedCount"] == 1, taken
    shown = as_json(cli("--json", "products", "show", "RD-BOOK"))
    assert shown["downloads"] == [{"name": "The book & notes", "file": BOOK, "id": file_id(BOOK)}]
    store.mark()
    as_json(cli("--json", "export", "--all", "--partial"))
    assert store.write_requests() == []


def test_a_file_the_store_refuses_fails_that_product_with_its_message_as_text(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    """A path on the store that is not there: WooCommerce refuses it, in HTML (``<code>``, a
    "Learn more." link); the product fails with the message as one line of text, the others go."""
    missing = "/srv/woosync-nowhere/book.pdf"
    catalog = CATALOG + f"- {{sku: RD-GONE, name: Gone, downloads: ['{missing}']}}\n"
    catalog_and_mapping(cli, tmp_path, catalog, MAPPING)

    result = cli("--json", "export", "--all")

    assert result.exit_code == 1
    sent = json.loads(result.stdout)
    [failed] = [r for r in sent["results"] if r["change"] == "failed"]
    message = failed["message"]
    assert f"The downloadable file {missing} cannot be used" in message, message
    assert "<" not in message and "Learn more. (https://" in message
    assert store_products_with_sku(real_connection, "RD-GONE") == []
    assert len(store_products_with_sku(real_connection, "RD-BOOK")) == 1


def test_a_store_selling_the_catalogs_file_under_its_own_id_keeps_it(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    """A product the shop sold before woosync, its file added by hand (the store made its id):
    adopted by SKU, its customers' id stays through the catalog's rename of the file, and an
    import after finds nothing changed in the files."""
    store = real_connection
    with store.api() as api:
        made = api.post("/products", json={"name": "E-book", "sku": "RD-BOOK", "regular_price": "5.00",
            "downloadable": True, "downloads": [{"name": "The book", "file": BOOK}]})  # fmt: skip
    assert made.status_code == 201, made.text
    own = made.json()["downloads"][0]["id"]
    assert own != file_id(BOOK)
    catalog_and_mapping(cli, tmp_path, CATALOG, MAPPING)
    (tmp_path / "rename.yaml").write_text(
        f"- sku: RD-BOOK\n  downloads: [{{name: The book (2nd edition), file: '{BOOK}'}}]\n"
    )
    assert cli("products", "load", str(tmp_path / "rename.yaml")).exit_code == 0

    sent = as_json(cli("--json", "export", "--all"))

    assert sent["failedCount"] == 0, sent
    [book] = store_products_with_sku(store, "RD-BOOK")
    assert book["downloads"] == [{"id": own, "name": "The book (2nd edition)", "file": BOOK}]
    taken = as_json(cli("--json", "import", "--update-existing"))
    assert taken["conflictCount"] == 0, taken
    changed = [p.get("changedFields") or [] for p in taken["products"]]
    assert not any("downloads" in fields for fields in changed), changed
    store.mark()
    as_json(cli("--json", "export", "--all", "--partial"))
    assert store.write_requests() == []
