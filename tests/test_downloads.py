"""A downloadable product's files (``downloads``), through the CLI against served sandbox stores.

WooCommerce keeps the id each file is sent with (and makes up a new one for a file sent
without), and its customers' download links point at that id (checked on a real WooCommerce
11.0.1 store; ``tests/realstore`` runs the same against one). So the catalog gives each file an
id and sends it to every store: a rename or a reload keeps it, a store's own id comes in with
its file, and the same file has the same id in every store.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from served_stores import as_manager, cli_json, mapped_catalog, served_stores
from woosync.products.downloads import file_id
from woosync.sandbox import SandboxStore
from woosync.services.mappings.rules import (
    MappingRuleError,
    validate_export_fields,
    validate_import_mappings,
)
from woosync.woo import WooClient
from woosync.woo.errors import WooHTTPError

BOOK = "https://files.example/book.pdf"
EXTRA = "https://files.example/extra.zip?v=2"
CATALOG = f"""
- sku: EBOOK
  name: E-book
  price: "5.00"
  downloads: [{{name: The book, file: "{BOOK}"}}, "{EXTRA}"]
- sku: TEE
  name: Tee
  type: variable
  attributes: {{Size: [S, M]}}
  variations:
    - {{sku: TEE-S, attributes: {{Size: S}}, price: "20.00", downloads: ["{BOOK}"]}}
    - {{sku: TEE-M, attributes: {{Size: M}}, price: "21.00"}}
"""
FIELDS = ["--fields", "name,sku,price,Size,downloads", "--map", "price=regular_price"]


def store_item(store: SandboxStore, sku: str) -> dict[str, Any]:
    found = store.find_sku(sku)
    assert found is not None, sku
    return found


def shown(cli: Any, sku: str) -> list[dict[str, str]]:
    downloads: list[dict[str, str]] = cli_json(cli("--json", "products", "show", sku)).get(
        "downloads", []
    )
    return downloads


@pytest.fixture
def two_stores(cli: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    with served_stores(db_path, monkeypatch, count=2) as (_db, stores, _urls):
        mapped_catalog(cli, tmp_path, CATALOG, {"1": FIELDS, "2": FIELDS})
        yield stores


def test_each_file_has_an_id_of_its_own_that_every_store_gets(cli: Any, two_stores: Any) -> None:
    ids = [download["id"] for download in shown(cli, "EBOOK")]
    assert ids == [file_id(BOOK), file_id(EXTRA)]  # the same file, the same id

    for connection in ("1", "2"):
        cli_json(cli("--json", "export", "--all", "--connection", connection))

    for store in two_stores:
        item = store_item(store, "EBOOK")
        assert [d["id"] for d in item["downloads"]] == ids
        assert [d["name"] for d in item["downloads"]] == ["The book", "extra.zip"]
        assert item["downloadable"] is True  # a store offers the files of a downloadable one
        assert [d["id"] for d in store_item(store, "TEE-S")["downloads"]] == [file_id(BOOK)]
    again = cli_json(cli("--json", "export", "--all", "--partial"))
    assert again["counts"]["updated"] == 0


def test_a_renamed_file_keeps_its_id_and_goes_out_alone(
    cli: Any, two_stores: Any, tmp_path: Path
) -> None:
    cli_json(cli("--json", "export", "--all"))
    store = two_stores[0]
    (tmp_path / "rename.yaml").write_text(
        f'- sku: EBOOK\n  downloads: [{{name: "The book, 2nd edition", file: "{BOOK}"}}]\n'
    )
    assert cli("products", "load", str(tmp_path / "rename.yaml")).exit_code == 0
    plan = cli("export", "--all", "--partial", "--dry-run", "--connection", "1")
    assert (
        f'~ EBOOK downloads ["The book" ({BOOK}), extra.zip ({EXTRA})] -> '
        f'["The book, 2nd edition" ({BOOK})]'
    ) in plan.stdout
    store.stats.reset()

    sent = cli_json(cli("--json", "export", "--all", "--partial"))

    ebook = cli_json(cli("--json", "products", "show", "EBOOK"))["id"]
    assert [r["productId"] for r in sent["results"] if r["change"] == "updated"] == [ebook]
    assert store.stats.snapshot()["items_updated"] == 1
    assert [d["id"] for d in store_item(store, "EBOOK")["downloads"]] == [file_id(BOOK)]
    # the file dropped from the catalog is dropped in the store; the one renamed keeps its id
    (tmp_path / "catalog.yaml").write_text(CATALOG)
    assert cli("products", "load", str(tmp_path / "catalog.yaml")).exit_code == 0
    assert [d["id"] for d in shown(cli, "EBOOK")] == [file_id(BOOK), file_id(EXTRA)]


def test_a_store_file_comes_in_with_the_stores_id_and_a_reload_keeps_it(
    cli: Any, two_stores: Any, tmp_path: Path
) -> None:
    store = two_stores[0]
    made = as_manager(
        store,
        "POST",
        "/products",
        {
            "name": "Guide",
            "sku": "GUIDE",
            "downloadable": True,
            "downloads": [{"name": "Guide & Map", "file": "https://files.example/guide.pdf"}],
        },
    )
    store_id = made["downloads"][0]["id"]

    cli_json(cli("--json", "import"))

    assert shown(cli, "GUIDE") == [
        {"name": "Guide & Map", "file": "https://files.example/guide.pdf", "id": store_id}
    ]
    (tmp_path / "guide.yaml").write_text(
        "- sku: GUIDE\n  downloads: [{name: Guide, file: 'https://files.example/guide.pdf'}]\n"
    )
    assert cli("products", "load", str(tmp_path / "guide.yaml")).exit_code == 0
    assert shown(cli, "GUIDE")[0]["id"] == store_id  # found by its file: the id stays

    cli_json(cli("--json", "export", "--all", "--connection", "2"))

    assert store_item(two_stores[1], "GUIDE")["downloads"][0]["id"] == store_id


def test_a_store_edit_of_a_file_comes_in_and_goes_to_the_other_store(
    cli: Any, two_stores: Any
) -> None:
    for connection in ("1", "2"):
        cli_json(cli("--json", "export", "--all", "--connection", connection))
    first, second = two_stores
    item = store_item(first, "EBOOK")
    edited = [{**item["downloads"][0], "name": "The book (EPUB)"}]
    as_manager(first, "PUT", f"/products/{item['id']}", {"downloads": edited})

    taken = cli_json(cli("--json", "import", "--update-existing", "--connection", "1"))

    assert taken["updatedCount"] == 1
    assert shown(cli, "EBOOK") == [{"name": "The book (EPUB)", "file": BOOK, "id": file_id(BOOK)}]
    cli_json(cli("--json", "export", "--all", "--partial", "--connection", "2"))
    assert store_item(second, "EBOOK")["downloads"] == [
        {"id": file_id(BOOK), "name": "The book (EPUB)", "file": BOOK}
    ]
    assert (
        cli_json(cli("--json", "import", "--update-existing", "--connection", "1"))["updatedCount"]
        == 0
    )


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("ftp://files.example/a.zip", "is neither an http(s) URL nor a path on the store"),
        ("files/a.zip", "is neither an http(s) URL nor a path on the store"),
        ("[{name: A}]", "a file has no 'file'"),
    ],
)
def test_a_file_a_store_would_refuse_is_refused_before_anything_is_loaded(
    cli: Any, tmp_path: Path, cell: str, problem: str
) -> None:
    path = tmp_path / "bad.yaml"
    value = cell if cell.startswith("[") else f'["{cell}"]'
    path.write_text(f"- {{sku: BAD, name: Bad, downloads: {value}}}\n")

    result = cli("products", "load", str(path))

    assert result.exit_code == 2
    assert problem in result.stderr and "Traceback" not in result.output
    assert cli("products", "show", "BAD").exit_code == 3


def test_files_round_trip_through_a_csv_file(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "catalog.yaml").write_text(CATALOG)
    assert cli("products", "load", str(tmp_path / "catalog.yaml")).exit_code == 0
    listed = cli("products", "list", "--format", "csv")
    assert listed.exit_code == 0, listed.stderr
    assert f"The book={BOOK}|{EXTRA}" in listed.stdout
    (tmp_path / "catalog.csv").write_text(listed.stdout)

    again = cli_json(cli("--json", "products", "load", str(tmp_path / "catalog.csv")))

    assert (again["created"], again["updated"]) == (0, 0)
    assert [d["id"] for d in shown(cli, "EBOOK")] == [file_id(BOOK), file_id(EXTRA)]


def test_the_sandbox_refuses_a_file_as_a_store_does_and_the_message_reads_as_text() -> None:
    """A real WooCommerce 11 store answers an ``ftp://`` file with 400
    ``product_invalid_download``, its message in HTML; the client's error is one line of text."""
    store = SandboxStore(seed=5)
    key, secret = store.create_key("read_write")
    body = {"name": "X", "downloads": [{"name": "A", "file": "ftp://files.example/a.zip"}]}
    with store.serve() as url, WooClient(url, key, secret, max_retries=0) as client:
        with pytest.raises(WooHTTPError) as refused:
            client.post("/products", body)
        kept = client.post("/products", {"name": "Y", "downloads": [{"file": BOOK, "id": "x"}]})

    assert (refused.value.status, refused.value.code) == (400, "product_invalid_download")
    assert refused.value.message.startswith(
        "The downloadable file ftp://files.example/a.zip cannot be used"
    )
    assert refused.value.message.endswith(
        "Learn more. (https://woocommerce.com/document/approved-download-directories)"
    )
    assert kept["downloads"] == [{"id": "x", "name": "", "file": BOOK}]  # any id is kept


def test_an_import_brings_a_variations_files_in_with_their_ids(cli: Any, two_stores: Any) -> None:
    cli_json(cli("--json", "export", "--all", "--connection", "1"))
    for sku in ("TEE", "EBOOK"):
        assert cli("products", "remove", sku, "--keep-in-stores", "--yes").exit_code == 0

    cli_json(cli("--json", "import", "--connection", "1", "--restore-removed"))

    assert shown(cli, "TEE-S") == [{"name": "book.pdf", "file": BOOK, "id": file_id(BOOK)}]
    assert shown(cli, "TEE-M") == []
    assert [d["id"] for d in shown(cli, "EBOOK")] == [file_id(BOOK), file_id(EXTRA)]
    again = cli_json(cli("--json", "export", "--all", "--partial", "--connection", "1"))
    assert again["counts"]["updated"] == 0


@pytest.mark.parametrize(
    ("selected", "mappings", "problem"),
    [
        (["downloads"], {"downloads": "description"}, r'"downloads" \(files\) can only go to'),
        (["images"], {"images": "downloads"}, "only files"),
        (["description"], {"description": "downloads"}, "only files"),
    ],
)
def test_files_go_only_to_files_in_an_export_mapping(
    selected: list[str], mappings: dict[str, str], problem: str
) -> None:
    with pytest.raises(MappingRuleError, match=problem):
        validate_export_fields(["name", "sku", *selected], mappings)
    validate_export_fields(["name", "sku", "files"], {"files": "downloads"})  # a custom field


@pytest.mark.parametrize("mapping", [{"downloads": "files"}, {"description": "downloads"}])
def test_files_come_only_into_files_in_an_import_mapping(mapping: dict[str, str]) -> None:
    with pytest.raises(MappingRuleError, match="come only into"):
        validate_import_mappings(None, mapping)


def test_reloading_the_same_file_leaves_a_stores_rename_alone(
    cli: Any, two_stores: Any, tmp_path: Path
) -> None:
    """The nightly load of a file in git meets a rename a shop manager made in a store: the file
    did not change since its last load, so the catalog keeps the store's edit."""
    cli_json(cli("--json", "export", "--all", "--connection", "1"))
    store = two_stores[0]
    item = store_item(store, "EBOOK")
    renamed = [{**item["downloads"][0], "name": "The book (store)"}, *item["downloads"][1:]]
    as_manager(store, "PUT", f"/products/{item['id']}", {"downloads": renamed})
    cli_json(cli("--json", "import", "--update-existing", "--connection", "1"))

    again = cli_json(cli("--json", "products", "load", str(tmp_path / "catalog.yaml")))

    assert again["updated"] == 0
    assert shown(cli, "EBOOK")[0] == {"name": "The book (store)", "file": BOOK, "id": file_id(BOOK)}


def test_a_file_renamed_on_both_sides_is_a_conflict_shown_by_name_and_file(
    cli: Any, two_stores: Any, tmp_path: Path
) -> None:
    cli_json(cli("--json", "export", "--all", "--connection", "1"))
    store = two_stores[0]
    item = store_item(store, "EBOOK")
    renamed = [{**item["downloads"][0], "name": "Store name"}]
    as_manager(store, "PUT", f"/products/{item['id']}", {"downloads": renamed})
    (tmp_path / "rename.yaml").write_text(
        f"- sku: EBOOK\n  downloads: [{{name: Catalog name, file: '{BOOK}'}}]\n"
    )
    assert cli("products", "load", str(tmp_path / "rename.yaml")).exit_code == 0

    taken = cli_json(cli("--json", "import", "--update-existing", "--connection", "1"))

    assert taken["conflictCount"] == 1
    listed = cli("sync-status", "--conflicts", "--connection", "1")
    assert f"Catalog name ({BOOK})" in listed.stdout and f"Store name ({BOOK})" in listed.stdout
    assert shown(cli, "EBOOK")[0]["name"] == "Catalog name"  # neither side overwritten
    assert store_item(store, "EBOOK")["downloads"][0]["name"] == "Store name"


def test_products_edit_sets_the_files_each_keeping_its_id(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "catalog.yaml").write_text(CATALOG)
    assert cli("products", "load", str(tmp_path / "catalog.yaml")).exit_code == 0

    edited = cli("products", "edit", "EBOOK", "--download", f"The book (EPUB)={BOOK}")

    assert edited.exit_code == 0, edited.stderr
    assert shown(cli, "EBOOK") == [{"name": "The book (EPUB)", "file": BOOK, "id": file_id(BOOK)}]
    refused = cli("products", "edit", "EBOOK", "--download", "ftp://files.example/a.zip")
    assert refused.exit_code == 2 and "neither an http(s) URL" in refused.stderr
    assert len(shown(cli, "EBOOK")) == 1  # left as it was
    assert cli("products", "edit", "EBOOK", "--unset", "downloads").exit_code == 0
    assert shown(cli, "EBOOK") == []


def test_a_conflict_of_files_that_differ_only_in_ids_shows_the_ids() -> None:
    """Two stores that sell the same file each made its own id: the sides would read the same."""
    from woosync.cli.import_views import shown_pair

    ours = [{"id": "a1", "name": "The book", "file": BOOK}]
    theirs = [{"id": "b2", "name": "The book", "file": BOOK}]
    assert shown_pair(ours, theirs, 200) == (
        f"The book ({BOOK}) id a1",
        f"The book ({BOOK}) id b2",
    )
    renamed = [{"id": "a1", "name": "The book, 2nd edition", "file": BOOK}]
    assert shown_pair(ours, renamed, 200) == (
        f"The book ({BOOK})",
        f"The book, 2nd edition ({BOOK})",
    )


SENT = ["--fields", "name,sku,price,downloads"]  # what the exports below send


def _own_file(store: SandboxStore, sku: str, name: str) -> str:
    """A shop manager's product selling BOOK, given no id: the store makes one of its own."""
    made = as_manager(
        store,
        "POST",
        "/products",
        {"name": "Guide", "sku": sku, "downloadable": True,
         "downloads": [{"name": name, "file": BOOK}]},
    )  # fmt: skip
    own_id: str = made["downloads"][0]["id"]
    return own_id


def test_two_stores_selling_the_same_file_each_keep_their_own_id(
    cli: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stores a shop ran before woosync: the same file under each store's own id. The second
    store's id is kept for it (its customers' links), never a conflict; a change of the file
    reaches both stores under their own ids, and either store's edit comes back."""
    with served_stores(db_path, monkeypatch, count=2) as (_db, (first, second), _urls):
        first_id = _own_file(first, "GUIDE", "Guide")
        second_id = _own_file(second, "GUIDE", "Guide")
        assert first_id != second_id
        cli_json(cli("--json", "import", "--connection", "1"))

        taken = cli("--json", "import", "--connection", "2", "--update-existing")

        data = cli_json(taken)
        assert (data["conflictCount"], data["updatedCount"]) == (0, 0), data
        assert "under ids of their own (GUIDE)" in taken.stderr
        assert shown(cli, "GUIDE") == [{"name": "Guide", "file": BOOK, "id": first_id}]
        assert cli("products", "edit", "GUIDE", "--download", f"Guide, 2nd ed.={BOOK}").exit_code == 0  # fmt: skip
        plan = cli("export", "--all", "--partial", "--dry-run", "--connection", "2", *SENT)
        assert '-> ["Guide, 2nd ed."' in plan.stdout, plan.stdout

        for connection in ("1", "2"):
            cli_json(cli("--json", "export", "--all", "--partial", "-c", connection, *SENT))

        for store, own in ((first, first_id), (second, second_id)):
            assert store_item(store, "GUIDE")["downloads"] == [
                {"id": own, "name": "Guide, 2nd ed.", "file": BOOK}
            ]
        item = store_item(second, "GUIDE")  # a shop manager renames it in the second store
        edited = [{**item["downloads"][0], "name": "Guide (print)"}]
        as_manager(second, "PUT", f"/products/{item['id']}", {"downloads": edited})
        back = cli_json(cli("--json", "import", "--connection", "2", "--update-existing"))
        assert back["updatedCount"] == 1, back
        assert shown(cli, "GUIDE") == [{"name": "Guide (print)", "file": BOOK, "id": first_id}]
        cli_json(cli("--json", "export", "--all", "--partial", "-c", "1", *SENT))
        assert store_item(first, "GUIDE")["downloads"][0] == {
            "id": first_id, "name": "Guide (print)", "file": BOOK,
        }  # fmt: skip
        for connection in ("1", "2"):  # in step: nothing comes back, nothing goes out
            again = cli_json(cli("--json", "import", "-c", connection, "--update-existing"))
            assert again["updatedCount"] == 0 and again["conflictCount"] == 0, again
            sent = cli_json(cli("--json", "export", "--all", "--partial", "-c", connection, *SENT))  # fmt: skip
            assert sent["counts"]["updated"] == 0, sent


def test_a_store_product_adopted_by_sku_keeps_its_own_file_ids(
    cli: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The catalog's product goes to a store that already sells it (matched by SKU, never
    imported from): the store's id of the same file stays; a file new to it gets the catalog's."""
    with served_stores(db_path, monkeypatch, count=1) as (_db, (store,), _urls):
        own = _own_file(store, "GUIDE", "Guide")
        (tmp_path / "guide.yaml").write_text(
            f'- {{sku: GUIDE, name: Guide, price: "5.00", downloads: ["{BOOK}", "{EXTRA}"]}}\n'
        )
        assert cli("products", "load", str(tmp_path / "guide.yaml")).exit_code == 0

        cli_json(cli("--json", "export", "--all", *SENT))

        ids = [d["id"] for d in store_item(store, "GUIDE")["downloads"]]
        assert ids == [own, file_id(EXTRA)]
        again = cli_json(cli("--json", "import", "--update-existing"))
        assert again["conflictCount"] == 0, again
        changed = [p.get("changedFields") or [] for p in again["products"]]
        assert not any("downloads" in fields for fields in changed), changed
        assert [d["id"] for d in shown(cli, "GUIDE")] == [file_id(BOOK), file_id(EXTRA)]


def _own_variation_file(store: SandboxStore) -> str:
    """A shop manager's tee whose S variation sells BOOK under the store's own id."""
    tee = as_manager(store, "POST", "/products", {"name": "Tee", "sku": "VT", "type": "variable",
        "attributes": [{"name": "Size", "options": ["S"], "variation": True}]})  # fmt: skip
    made = as_manager(store, "POST", f"/products/{tee['id']}/variations", {"sku": "VT-S",
        "regular_price": "20.00", "downloadable": True, "attributes": [{"name": "Size", "option": "S"}],
        "downloads": [{"name": "Pattern", "file": BOOK}]})  # fmt: skip
    own_id: str = made["downloads"][0]["id"]
    return own_id


def test_a_variations_file_keeps_each_stores_own_id(
    cli: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with served_stores(db_path, monkeypatch, count=2) as (_db, (first, second), _urls):
        ids = [_own_variation_file(first), _own_variation_file(second)]
        cli_json(cli("--json", "import", "--connection", "1"))
        taken = cli_json(cli("--json", "import", "--connection", "2", "--update-existing"))
        assert (taken["conflictCount"], taken["updatedCount"]) == (0, 0), taken
        edit = cli("products", "edit", "VT-S", "--download", f"Pattern (A4)={BOOK}")
        assert edit.exit_code == 0, edit.stderr

        for connection in ("1", "2"):
            fields = ["--fields", "name,sku,price,Size,downloads"]
            sent = cli_json(
                cli("--json", "export", "--all", "--partial", "-c", connection, *fields)
            )
            assert sent["counts"]["failed"] == 0, sent

        for store, own in zip((first, second), ids, strict=True):
            assert store_item(store, "VT-S")["downloads"] == [
                {"id": own, "name": "Pattern (A4)", "file": BOOK}
            ]
        for connection in ("1", "2"):
            again = cli_json(cli("--json", "import", "-c", connection, "--update-existing"))
            assert (again["updatedCount"], again["conflictCount"]) == (0, 0), again
