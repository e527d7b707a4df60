"""Two-way sync through the CLI, against sandbox stores on loopback ports: the issue's reproduction
(an import right after an export changes nothing), conflicts, and store products without a SKU."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from served_stores import served_stores
from woosync.db.engine import Database
from woosync.sandbox import SandboxStore
from woosync.woo import WooClient

CATALOG = [
    {
        "sku": "E-1",
        "name": "Salt & Pepper set",
        "description": "<p>Salt &amp; pepper</p>",
        "price": "12.5",
        "images": ["https://img.example.com/e1.jpg"],
        "categories": ["Kitchen"],
    }
]


@pytest.fixture
def stores(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Database, list[SandboxStore], list[str]]]:
    """Two sandbox stores served on loopback ports, connections 1 (default) and 2."""
    with served_stores(db_path, monkeypatch) as served:
        yield served


def _edit_in_store(sandbox: SandboxStore, url: str, woo_id: int, changes: dict[str, Any]) -> None:
    """A shop manager's edit, through the store's REST API."""
    key, secret = sandbox.create_key("read_write")
    with WooClient(url, key, secret, max_retries=0) as client:
        client.put(f"/products/{woo_id}", changes)


def _load(cli: Any, tmp_path: Path, rows: list[dict[str, Any]]) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(rows))
    result = cli("products", "load", str(path))
    assert result.exit_code == 0, result.stderr


def _catalog(cli: Any) -> list[dict[str, Any]]:
    result = cli("products", "list", "--json")
    assert result.exit_code == 0, result.stderr
    products: list[dict[str, Any]] = json.loads(result.stdout)
    for product in products:
        product.pop("updatedAt", None)
        product.pop("updated_at", None)
    return products


def test_an_import_right_after_an_export_changes_nothing(
    stores: tuple[Database, list[SandboxStore], list[str]], cli: Any, tmp_path: Path
) -> None:
    """The issue's reproduction: the store answers its own image URL and ``&amp;``; the import
    must not take those echoes for edits, and the next export to another store must not carry
    the first store's image URLs."""
    _database, sandboxes, urls = stores
    _load(cli, tmp_path, CATALOG)
    fields = "name,sku,description,price,images,categories"
    assert cli("export", "--all", "--fields", fields).exit_code == 0
    woo = sandboxes[0].find_sku("E-1")
    assert woo is not None and woo["description"] == "<p>Salt &amp; pepper</p>"
    before = _catalog(cli)

    result = cli("import", "--update-existing")
    assert result.exit_code == 0, result.stderr
    assert "0 created, 0 updated, 1 unchanged, 0 skipped, 0 excluded, 0 conflicts, 0 failed" in (
        result.stdout
    )
    result = cli("import", "--incremental", "--update-existing", "--quiet")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert _catalog(cli) == before
    images = [p["images"] for p in before]
    assert images == [["https://img.example.com/e1.jpg"]]

    # the second store gets the catalog's own URL, then a partial export has nothing to do
    result = cli("export", "--connection", "2", "--all", "--fields", fields, "--json")
    assert json.loads(result.stdout)["failedCount"] == 0
    plan = cli(
        "export",
        "--connection",
        "1",
        "--all",
        "--fields",
        fields,
        "--partial",
        "--dry-run",
        "--json",
    )
    assert json.loads(plan.stdout)["summary"]["update"] == 0
    assert all(urls[0] not in json.dumps(p) for p in _catalog(cli))


def test_what_the_store_fills_in_for_selected_but_empty_fields_is_not_an_edit(
    stores: tuple[Database, list[SandboxStore], list[str]], cli: Any, tmp_path: Path
) -> None:
    """The mapping selects status, type, stock status and categories, the catalog has none of them
    (so the create leaves them out): the store's defaults (publish, simple, instock, Uncategorized)
    are not store edits, so the first import changes nothing; a later store edit still comes in."""
    _database, sandboxes, urls = stores
    _load(cli, tmp_path, [{"sku": "P-1", "name": "Plain tee", "price": "10"}])
    fields = "name,sku,description,status,type,price,stock_status,categories,tags"
    assert cli("export", "--all", "--fields", fields).exit_code == 0
    woo = sandboxes[0].find_sku("P-1")
    assert woo is not None and (woo["status"], woo["type"], woo["stock_status"]) == (
        "publish",
        "simple",
        "instock",
    )
    before = _catalog(cli)

    result = cli("import", "--update-existing")
    assert result.exit_code == 0, result.stderr
    assert "0 created, 0 updated, 1 unchanged" in result.stdout
    assert _catalog(cli) == before

    _edit_in_store(sandboxes[0], urls[0], int(woo["id"]), {"stock_status": "outofstock"})
    data = json.loads(cli("import", "--update-existing", "--json").stdout)
    assert [(p["status"], p["changedFields"]) for p in data["products"]] == [
        ("updated", ["stock_status"])
    ]
    assert _catalog(cli)[0]["stock_status"] == "outofstock"


def test_a_store_edit_of_a_field_never_sent_to_it_does_not_overwrite_the_catalogs_value(
    stores: tuple[Database, list[SandboxStore], list[str]], cli: Any, tmp_path: Path
) -> None:
    """The catalog's categories were never sent to the store (not selected), so the store put the
    product in its default category; its shop manager then files it elsewhere. Which category is
    newer cannot be known: a conflict, never the catalog's categories replaced (they go to the
    other stores). A product the catalog has no category for takes the store's."""
    _database, sandboxes, urls = stores
    _load(cli, tmp_path, [CATALOG[0], {"sku": "P-1", "name": "Plain"}])
    assert cli("export", "--all", "--fields", "name,sku,price").exit_code == 0
    key, secret = sandboxes[0].create_key("read_write")
    with WooClient(urls[0], key, secret, max_retries=0) as client:
        sale = client.post("/products/categories", {"name": "Sale"})["id"]
    for sku in ("E-1", "P-1"):
        woo = sandboxes[0].find_sku(sku)
        assert woo is not None and [c["name"] for c in woo["categories"]] == ["Uncategorized"]
        _edit_in_store(sandboxes[0], urls[0], int(woo["id"]), {"categories": [{"id": sale}]})

    data = json.loads(cli("import", "--update-existing", "--json").stdout)
    by_sku = {p["sku"]: p for p in data["products"]}
    assert [(c["field"], c["catalog"], c["store"]) for c in by_sku["E-1"]["conflicts"]] == [
        ("categories", ["Kitchen"], ["Sale"])
    ]
    assert by_sku["P-1"]["changedFields"] == ["categories"]
    assert {p["sku"]: p["categories"] for p in _catalog(cli)} == {
        "E-1": ["Kitchen"],
        "P-1": ["Sale"],
    }


def test_conflicts_are_reported_listed_and_resolved(
    stores: tuple[Database, list[SandboxStore], list[str]], cli: Any, tmp_path: Path
) -> None:
    _database, sandboxes, urls = stores
    _load(cli, tmp_path, CATALOG)
    assert cli("export", "--all", "--fields", "name,sku,price").exit_code == 0
    _load(cli, tmp_path, [{"sku": "E-1", "price": "13"}])
    woo = sandboxes[0].find_sku("E-1")
    assert woo is not None
    _edit_in_store(sandboxes[0], urls[0], int(woo["id"]), {"regular_price": "14"})

    result = cli("import", "--update-existing")
    assert result.exit_code == 0, result.stderr
    assert "1 unchanged, 0 skipped, 0 excluded, 1 conflicts, 0 failed" in result.stdout
    assert "Conflicts: changed on both sides" in result.stdout
    assert "price" in result.stdout and "13" in result.stdout and "14" in result.stdout
    assert "changed both in the catalog and in the store" in result.stderr
    strict = cli("import", "--update-existing", "--strict", "--quiet")
    assert strict.exit_code == 1 and "changed both" in strict.stderr
    shown = cli("import", "--update-existing", "--json")
    data = json.loads(shown.stdout)
    assert shown.stdout == json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    assert data["conflictCount"] == 1
    [product] = [p for p in data["products"] if p["sku"] == "E-1"]
    expected = {"field": "price", "wooField": "regular_price", "catalog": "13", "store": "14"}
    assert product["conflicts"] == [expected]
    assert data["conflicts"] == [
        {"wooProductId": product["wooProductId"], "productId": product["productId"], "sku": "E-1"}
        | expected
    ]
    assert "--on-conflict catalog|store" in data["warnings"][-1]

    listed = cli("sync-status", "--conflicts")
    assert listed.exit_code == 0
    assert "E-1" in listed.stdout and "--on-conflict catalog" in listed.stdout
    data = json.loads(cli("sync-status", "--conflicts", "--json").stdout)
    assert data["conflictCount"] == 1
    assert [(c["field"], c["catalog"], c["store"]) for c in data["conflicts"]] == [
        ("price", "13", "14")
    ]
    assert "1 field(s) changed on both sides" in cli("sync-status").stdout

    bad = cli("import", "--on-conflict", "mine")
    assert bad.exit_code == 2
    assert "--on-conflict 'mine' is not one of skip, catalog, store" in bad.stderr
    bad = cli("import", "--on-conflict", "store")
    assert bad.exit_code == 2 and "--on-conflict needs --update-existing" in bad.stderr
    assert bad.stdout == ""

    result = cli("import", "--update-existing", "--on-conflict", "store", "--json")
    data = json.loads(result.stdout)
    assert (data["conflictCount"], data["products"][0]["changedFields"]) == (0, ["price"])
    assert cli("sync-status", "--conflicts").stdout.strip() == "No conflicts."


def test_a_conflict_in_another_store_than_the_default_is_pointed_to_by_its_connection(
    stores: tuple[Database, list[SandboxStore], list[str]], cli: Any, tmp_path: Path
) -> None:
    """Seen on three real stores: the import's warning said "'woosync sync-status --conflicts'
    lists them", which looks at the default store and answered "No conflicts." for a conflict
    in connection 2. Every hint names the store the conflict is in."""
    _database, sandboxes, urls = stores
    _load(cli, tmp_path, CATALOG)
    assert cli("export", "-c", "all", "--all", "--fields", "name,sku,price").exit_code == 0
    _load(cli, tmp_path, [{"sku": "E-1", "price": "13"}])
    woo = sandboxes[1].find_sku("E-1")
    assert woo is not None
    _edit_in_store(sandboxes[1], urls[1], int(woo["id"]), {"regular_price": "14"})

    result = cli("import", "-c", "all", "--update-existing")
    assert result.exit_code == 0, result.stderr
    assert (
        "'woosync sync-status --connection 2 --conflicts' lists them; resolve with "
        "'woosync import --connection 2 --update-existing --on-conflict catalog|store'"
    ) in " ".join(result.stderr.split())
    default = cli("sync-status", "--conflicts")
    assert default.stdout.strip() == "No conflicts."
    assert "1 more active store(s): --connection all shows every store" in default.stderr
    listed = cli("sync-status", "--conflicts", "-c", "2")
    assert "E-1" in listed.stdout
    assert "'woosync import --connection 2 --update-existing --on-conflict catalog'" in (
        listed.stdout
    )

    # the partial export holds the field back, and says where to look
    warning = (
        "this export would leave those fields out ('woosync sync-status --connection 2 "
        "--conflicts' lists them; 'woosync import --connection 2 --update-existing "
        "--on-conflict catalog|store' resolves them)"
    )
    partial = ("export", "--all", "--fields", "name,sku,price", "--partial")
    plan = cli(*partial, "-c", "2", "--dry-run", "--json")
    assert plan.exit_code == 0, plan.stderr
    assert [w.replace("would leave", "left") for w in json.loads(plan.stdout)["warnings"]] == [
        "1 product(s) or variation(s) with fields changed both in the catalog and in this store "
        "(connection 2) since the last sync: " + warning.replace("would leave", "left")
    ]
    shown = cli(*partial, "-c", "2", "--dry-run")
    assert "! E-1 price left out: in conflict" in shown.stdout
    assert warning in " ".join(shown.stderr.split())
    result = cli(*partial, "-c", "2")
    assert result.exit_code == 0, result.stderr
    assert warning.replace("would leave", "left") in " ".join(result.stderr.split())
    assert sandboxes[1].find_sku("E-1")["regular_price"] == "14"  # type: ignore[index]
    # the other store's export has no conflict to speak of
    quiet = cli(*partial, "-c", "1", "--json")
    assert json.loads(quiet.stdout)["warnings"] == []


def test_store_products_without_a_sku_are_skipped_with_a_warning_or_linked(
    stores: tuple[Database, list[SandboxStore], list[str]], cli: Any
) -> None:
    sandbox, url = stores[1][0], stores[2][0]
    sandbox.create_product({"name": "Plain", "sku": "P-1", "regular_price": "3"})
    lost = sandbox.create_product({"name": "Gift card", "regular_price": "25"})

    result = cli("import", "--quiet")
    assert (result.exit_code, result.stdout) == (0, "")
    assert f"without a SKU skipped: #{lost['id']} 'Gift card'" in result.stderr
    assert "--link-without-sku" in result.stderr
    assert cli("import", "--strict", "--quiet").exit_code == 1

    result = cli("import", "--link-without-sku", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["warnings"] == []
    [linked] = [p for p in data["products"] if p["wooProductId"] == lost["id"]]
    assert (linked["status"], linked["sku"]) == ("imported", f"woo-1-{lost['id']}")
    # linked by its store id: found again, not imported twice, its catalog SKU kept
    _edit_in_store(sandbox, url, int(lost["id"]), {"regular_price": "30"})
    again = json.loads(cli("import", "--link-without-sku", "--update-existing", "--json").stdout)
    [entry] = [p for p in again["products"] if p["wooProductId"] == lost["id"]]
    assert (entry["status"], entry["changedFields"]) == ("updated", ["price"])
    skus = [p["sku"] for p in _catalog(cli)]
    assert skus == ["P-1", f"woo-1-{lost['id']}"]
    # a SKU given in the catalog stays: the store product is found by its link
    assert cli("products", "edit", "2", "--sku", "GIFT-25").exit_code == 0
    again = json.loads(cli("import", "--link-without-sku", "--update-existing", "--json").stdout)
    assert again["importedCount"] == 0 and again["failedCount"] == 0
    assert [p["sku"] for p in _catalog(cli)] == ["P-1", "GIFT-25"]


def test_conflicts_over_every_store_in_one_run(
    stores: tuple[Database, list[SandboxStore], list[str]], cli: Any, tmp_path: Path
) -> None:
    _database, sandboxes, urls = stores
    _load(cli, tmp_path, CATALOG)
    for connection in ("1", "2"):
        assert (
            cli(
                "export", "--connection", connection, "--all", "--fields", "name,sku,price"
            ).exit_code
            == 0
        )
    _load(cli, tmp_path, [{"sku": "E-1", "price": "13"}])
    woo = sandboxes[1].find_sku("E-1")
    assert woo is not None
    _edit_in_store(sandboxes[1], urls[1], int(woo["id"]), {"regular_price": "14"})

    result = cli("import", "--connection", "all", "--update-existing")
    assert result.exit_code == 0, result.stderr
    assert "changed both in the catalog and in the store" in result.stderr
    assert "1 conflicts" in result.stdout
    strict = cli("import", "--connection", "all", "--update-existing", "--strict")
    assert strict.exit_code == 1
    listed = json.loads(cli("sync-status", "--connection", "all", "--conflicts", "--json").stdout)
    found = {s["connectionId"]: s["result"]["conflicts"] for s in listed["stores"]}
    assert found[1] == []
    assert [(c["field"], c["catalog"], c["store"]) for c in found[2]] == [("price", "13", "14")]
    assert "1 conflicts" in cli("sync-status", "--connection", "all").stdout


def test_a_store_product_adopted_by_sku_never_overwrites_a_catalog_value_silently(
    stores: tuple[Database, list[SandboxStore], list[str]], cli: Any, tmp_path: Path
) -> None:
    """The store already had the product when the catalog was loaded (a shop moving to woosync):
    where both sides hold different values and nothing was ever synced, which one is newer is
    unknown, so the first import reports conflicts instead of taking the store's. A field the
    catalog does not have comes in; one where both agree is simply linked."""
    _database, sandboxes, urls = stores
    key, secret = sandboxes[0].create_key("read_write")
    with WooClient(urls[0], key, secret, max_retries=0) as client:
        client.post(
            "/products",
            {
                "sku": "E-1",
                "name": "Salt & Pepper set",
                "regular_price": "15.00",
                "weight": "2",
                "manage_stock": True,
                "stock_quantity": 7,
            },
        )
    _load(cli, tmp_path, [CATALOG[0] | {"manage_stock": False}])

    result = cli("import", "--update-existing", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    [product] = data["products"]
    assert product["status"] == "updated" and "weight" in product["changedFields"]
    assert not {"price", "manage_stock", "name"} & set(product["changedFields"])
    found = {c["field"]: (c["catalog"], c["store"]) for c in product["conflicts"]}
    assert found["price"] == ("12.5", "15.00") and found["manage_stock"] == (False, True)
    assert "never synced yet" in data["warnings"][-1]
    [local] = _catalog(cli)
    assert (local["price"], local["manage_stock"], local["weight"]) == ("12.5", False, "2")
    assert local["stock_quantity"] == 7  # the catalog had none: the store's comes in

    listed = json.loads(cli("sync-status", "--conflicts", "--json").stdout)
    assert {c["field"] for c in listed["conflicts"]} == set(found)
    again = json.loads(cli("import", "--update-existing", "--json").stdout)
    assert again["conflictCount"] == len(found)  # reported until decided, still nothing taken
    assert _catalog(cli)[0]["price"] == "12.5"
    held = cli("export", "--all", "--partial", "--fields", "name,sku,price", "--json")
    assert held.exit_code == 0, held.stderr
    [sent] = json.loads(held.stdout)["results"]
    assert sent["heldConflicts"] == ["price"]
    still = sandboxes[0].find_sku("E-1")
    assert still is not None and still["regular_price"] == "15.00"  # no job settles it for you

    taken = cli("import", "--update-existing", "--on-conflict", "store", "--json")
    assert json.loads(taken.stdout)["conflictCount"] == 0
    assert (_catalog(cli)[0]["price"], _catalog(cli)[0]["manage_stock"]) == ("15.00", True)
    assert cli("sync-status", "--conflicts").stdout.strip() == "No conflicts."


def test_a_store_price_from_another_catalog_field_comes_back_into_that_field(
    stores: tuple[Database, list[SandboxStore], list[str]], cli: Any, tmp_path: Path
) -> None:
    """Store 2 sells at the wholesale price (its export mapping: ``wholesalePrice:
    regular_price``) and has no import mapping: a price edited there comes back into
    ``wholesalePrice``, never into the catalog's retail price, which store 1 gets."""
    _database, sandboxes, urls = stores
    _load(cli, tmp_path, [CATALOG[0] | {"customFields": {"wholesalePrice": "6.00"}}])
    created = cli(
        "export-mapping", "create", "2", "--fields", "name,sku,wholesalePrice",
        "--map", "wholesalePrice=regular_price",
    )  # fmt: skip
    assert created.exit_code == 0, created.stderr
    assert cli("export", "--all", "-c", "1", "--fields", "name,sku,price").exit_code == 0
    assert cli("export", "--all", "-c", "2").exit_code == 0
    woo = sandboxes[1].find_sku("E-1")
    assert woo is not None and woo["regular_price"] == "6.00"
    _edit_in_store(sandboxes[1], urls[1], int(woo["id"]), {"regular_price": "7.00"})

    result = cli("import", "-c", "2", "--update-existing", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["mapping"] == (
        "default mapping (as the export mapping sends them: regular_price -> wholesalePrice)"
    )
    assert data["products"][0]["changedFields"] == ["wholesalePrice"]
    [local] = _catalog(cli)
    assert (local["price"], local["customFields"]["wholesalePrice"]) == ("12.5", "7.00")
    planned = cli(
        "export",
        "--all",
        "-c",
        "1",
        "--fields",
        "name,sku,price",
        "--partial",
        "--dry-run",
        "--json",
    )
    assert json.loads(planned.stdout)["summary"]["update"] == 0  # the retail store keeps its price
    again = json.loads(cli("import", "-c", "2", "--update-existing", "--json").stdout)
    assert again["unchangedCount"] == 1  # and the wholesale store's price is no edit any more


def test_a_full_dry_run_shows_no_difference_for_the_stores_copies_of_images_and_paths(
    stores: tuple[Database, list[SandboxStore], list[str]], cli: Any, tmp_path: Path
) -> None:
    """The store answers its own upload URL for an image and a category's bare name: the plan
    compares them as the catalog names them, so a full export's dry run shows nothing to change."""
    _database, sandboxes, _urls = stores
    _load(cli, tmp_path, [CATALOG[0] | {"categories": ["Kitchen > Salt"]}])
    fields = ("--fields", "name,sku,price,images,categories")
    assert cli("export", "--all", *fields).exit_code == 0
    woo = sandboxes[0].find_sku("E-1")
    assert woo is not None and woo["images"][0]["src"] != CATALOG[0]["images"][0]
    assert [c["name"] for c in woo["categories"]] == ["Salt"]

    planned = cli("export", "--all", *fields, "--dry-run", "--json")
    assert planned.exit_code == 0, planned.stderr
    [product] = json.loads(planned.stdout)["products"]
    assert product["action"] == "unchanged", product
    _load(cli, tmp_path, [{"sku": "E-1", "categories": ["Kitchen > Pepper"]}])
    planned = cli("export", "--all", *fields, "--dry-run", "--json")
    [product] = json.loads(planned.stdout)["products"]
    assert [(c["field"], c["old"], c["new"]) for c in product["fields"]] == [
        ("categories", ["Kitchen > Salt"], ["Kitchen > Pepper"])
    ]


def test_a_sku_renamed_in_one_store_is_not_renamed_back_by_another_stores_import(
    stores: tuple[Database, list[SandboxStore], list[str]], cli: Any, tmp_path: Path
) -> None:
    _database, sandboxes, urls = stores
    _load(cli, tmp_path, CATALOG)
    for connection in ("1", "2"):
        exported = cli("export", "--all", "-c", connection, "--fields", "name,sku,price")
        assert exported.exit_code == 0, exported.stderr
    woo = sandboxes[0].find_sku("E-1")
    assert woo is not None
    _edit_in_store(sandboxes[0], urls[0], int(woo["id"]), {"sku": "E-1-NEW"})

    assert cli("import", "-c", "1", "--update-existing").exit_code == 0
    assert [p["sku"] for p in _catalog(cli)] == ["E-1-NEW"]
    other = json.loads(cli("import", "-c", "2", "--update-existing", "--json").stdout)
    assert other["products"][0]["status"] == "unchanged", other  # store 2 still has the old one
    assert [p["sku"] for p in _catalog(cli)] == ["E-1-NEW"]
    sent = cli("export", "--all", "-c", "2", "--partial", "--fields", "name,sku,price")
    assert sent.exit_code == 0, sent.stderr
    assert sandboxes[1].find_sku("E-1-NEW") is not None and sandboxes[1].find_sku("E-1") is None


def test_stock_sold_in_two_stores_between_syncs_is_added_up_not_a_conflict(
    stores: tuple[Database, list[SandboxStore], list[str]], cli: Any, tmp_path: Path
) -> None:
    """10 in stock everywhere; store 1 sells 2, store 2 sells 1: the catalog and both stores end
    with 7 (every sale counted once), whichever store is imported first."""
    _database, sandboxes, urls = stores
    _load(cli, tmp_path, [CATALOG[0] | {"manage_stock": True, "stock_quantity": 10}])
    fields = ("--fields", "name,sku,price,manage_stock,stock_quantity")
    assert cli("export", "--all", "-c", "all", *fields).exit_code == 0
    for sandbox, url, left in zip(sandboxes, urls, (8, 9), strict=True):
        woo = sandbox.find_sku("E-1")
        assert woo is not None and woo["stock_quantity"] == 10
        _edit_in_store(sandbox, url, int(woo["id"]), {"stock_quantity": left})

    imported = cli("import", "-c", "all", "--update-existing", "--json")
    assert imported.exit_code == 0, imported.stderr
    assert [run["result"]["conflictCount"] for run in json.loads(imported.stdout)["stores"]] == [
        0,
        0,
    ]
    assert _catalog(cli)[0]["stock_quantity"] == 7
    assert cli("export", "--all", "-c", "all", "--partial", *fields).exit_code == 0
    assert [s.find_sku("E-1")["stock_quantity"] for s in sandboxes] == [7, 7]  # type: ignore[index]

    again = json.loads(cli("import", "-c", "all", "--update-existing", "--json").stdout)
    assert [run["result"]["unchangedCount"] for run in again["stores"]] == [1, 1]
    # a recount in the catalog and a sale in the store since: both changes count
    woo = sandboxes[0].find_sku("E-1")
    assert woo is not None
    _edit_in_store(sandboxes[0], urls[0], int(woo["id"]), {"stock_quantity": 5})
    assert cli("products", "edit", "E-1", "--stock-quantity", "6").exit_code == 0
    merged = json.loads(cli("import", "-c", "1", "--update-existing", "--json").stdout)
    assert merged["conflictCount"] == 0 and _catalog(cli)[0]["stock_quantity"] == 4  # 6 + 5 - 7


def test_an_import_names_the_linked_products_deleted_or_trashed_in_the_store(
    stores: tuple[Database, list[SandboxStore], list[str]], cli: Any, tmp_path: Path
) -> None:
    _database, sandboxes, urls = stores
    rows = [CATALOG[0] | {"sku": f"E-{n}"} for n in (1, 2, 3)]
    _load(cli, tmp_path, rows)
    assert cli("export", "--all", "--fields", "name,sku,price").exit_code == 0
    key, secret = sandboxes[0].create_key("read_write")
    held = {sku: sandboxes[0].find_sku(sku) for sku in ("E-1", "E-2", "E-3")}
    with WooClient(urls[0], key, secret, max_retries=0) as client:
        client.delete(f"/products/{held['E-1']['id']}", params={"force": "true"})  # type: ignore[index]
        client.delete(f"/products/{held['E-2']['id']}")  # type: ignore[index]  # to the trash

    imported = cli("import", "--json")
    assert imported.exit_code == 0, imported.stderr
    [warning] = json.loads(imported.stdout)["warnings"]
    assert warning.startswith("2 product(s) linked to this store are no longer in it")
    assert "E-1 (store product" in warning and "E-2 (store product" in warning
    assert "E-3" not in warning and "products exclude E-1 --connection 1" in warning
    assert [p["sku"] for p in _catalog(cli)] == ["E-1", "E-2", "E-3"]  # the catalog keeps them

    assert cli("products", "exclude", "E-1", "-c", "1").exit_code == 0
    again = json.loads(cli("import", "--json").stdout)
    assert [w.split(":")[0] for w in again["warnings"]] == [
        "1 product(s) linked to this store are no longer in it (deleted or trashed there)"
    ]
    assert "E-2 (store product" in again["warnings"][0]
    only = json.loads(cli("import", "--woo-id", str(held["E-3"]["id"]), "--json").stdout)  # type: ignore[index]
    assert only["warnings"] == []  # a partial listing says nothing of the others


def test_a_store_keeps_its_own_edits_of_fields_its_export_mapping_does_not_send(
    stores: tuple[Database, list[SandboxStore], list[str]], cli: Any, tmp_path: Path
) -> None:
    """Store 1 is sent name, sku and price only (its export mapping); its shop manager tags the
    product, rewrites its description and adds an attribute. Those are the store's own: they
    neither come into the catalog (to reach the other stores) nor stand as conflicts for ever;
    a price edit there still comes in. A conflict recorded on such a field before the mapping
    said so is dropped by the next import."""
    _database, sandboxes, urls = stores
    _load(cli, tmp_path, [CATALOG[0] | {"tags": ["gift"]}])
    assert cli("export", "--all", "--fields", "name,sku,price,tags").exit_code == 0
    woo = sandboxes[0].find_sku("E-1")
    assert woo is not None
    _load(cli, tmp_path, [{"sku": "E-1", "tags": ["gift", "new"]}])
    _edit_in_store(sandboxes[0], urls[0], int(woo["id"]), {"tags": [{"name": "sale"}]})
    with_tags = json.loads(cli("import", "--update-existing", "--json").stdout)
    assert [c["field"] for c in with_tags["conflicts"]] == ["tags"]  # no export mapping yet

    mapped = cli("export-mapping", "create", "1", "--fields", "name,sku,price")
    assert mapped.exit_code == 0, mapped.stderr
    _edit_in_store(
        sandboxes[0],
        urls[0],
        int(woo["id"]),
        {
            "description": "<p>Store copy</p>",
            "regular_price": "14.00",
            "attributes": [{"name": "Material", "options": ["Oak"], "visible": True}],
        },
    )
    result = cli("import", "--update-existing", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["conflictCount"], data["warnings"]) == (0, [])
    assert data["products"][0]["changedFields"] == ["price"]
    [local] = _catalog(cli)
    assert (local["price"], local["tags"]) == ("14.00", ["gift", "new"])
    assert local["description"] == CATALOG[0]["description"] and local["attributes"] == {}
    assert cli("sync-status", "--conflicts").stdout.strip() == "No conflicts."
    plan = cli("export", "--all", "--partial", "--dry-run", "--json")
    assert json.loads(plan.stdout)["summary"]["update"] == 0
    assert cli("export", "--all", "--partial").exit_code == 0
    stored = sandboxes[0].find_sku("E-1")
    assert stored is not None and [t["name"] for t in stored["tags"]] == ["sale"]


def test_loading_the_catalog_file_again_keeps_the_store_edits_an_import_brought_in(
    stores: tuple[Database, list[SandboxStore], list[str]], cli: Any, tmp_path: Path
) -> None:
    """A catalog kept in a file (a supplier feed loaded every night): a store's new description
    came in by import; loading the unchanged file again leaves it (and the next export sends
    nothing); a file that changes the price applies the price alone; one that changes the
    description too wins for it (the latest edit)."""
    _database, sandboxes, urls = stores
    variable: dict[str, Any] = {
        "sku": "TEE",
        "name": "Tee",
        "attributes": {"Size": ["S", "M"]},
        "variations": [
            {"sku": "TEE-S", "attributes": {"Size": "S"}, "price": "20.00"},
            {"sku": "TEE-M", "attributes": {"Size": "M"}, "price": "21.00"},
        ],
    }
    rows = [CATALOG[0], variable]
    _load(cli, tmp_path, rows)
    fields = "name,sku,description,price,Size"
    assert cli("export", "--all", "--fields", fields).exit_code == 0
    woo = sandboxes[0].find_sku("E-1")
    assert woo is not None
    _edit_in_store(sandboxes[0], urls[0], int(woo["id"]), {"description": "<p>Store copy</p>"})
    tee = sandboxes[0].find_sku("TEE")
    assert tee is not None
    small = next(v for v in sandboxes[0].variations(int(tee["id"])) if v["sku"] == "TEE-S")
    key, secret = sandboxes[0].create_key("read_write")
    with WooClient(urls[0], key, secret, max_retries=0) as client:
        client.put(f"/products/{tee['id']}/variations/{small['id']}", {"regular_price": "19.00"})
    taken = json.loads(cli("import", "--update-existing", "--json").stdout)
    assert taken["updatedCount"] == 2, taken["products"]

    again = cli("products", "load", str(tmp_path / "catalog.json"), "--json")
    assert json.loads(again.stdout)["updated"] == 0
    shown = {p["sku"]: p for p in _catalog(cli)}
    assert shown["E-1"]["description"] == "<p>Store copy</p>"
    assert json.loads(cli("products", "show", "TEE-S", "--json").stdout)["price"] == "19.00"
    plan = cli("export", "--all", "--fields", fields, "--partial", "--dry-run", "--json")
    assert json.loads(plan.stdout)["summary"]["update"] == 0

    _load(cli, tmp_path, [CATALOG[0] | {"price": "13.00"}, variable])
    local = {p["sku"]: p for p in _catalog(cli)}["E-1"]
    assert (local["price"], local["description"]) == ("13.00", "<p>Store copy</p>")
    _load(cli, tmp_path, [CATALOG[0] | {"price": "13.00", "description": "<p>New</p>"}, variable])
    assert {p["sku"]: p for p in _catalog(cli)}["E-1"]["description"] == "<p>New</p>"
    assert json.loads(cli("products", "show", "TEE-S", "--json").stdout)["price"] == "19.00"
    overwritten = cli("products", "load", str(tmp_path / "catalog.json"), "--overwrite", "--json")
    assert json.loads(overwritten.stdout)["updatedSkus"] == ["TEE-S"]  # the file's price, back
    assert json.loads(cli("products", "show", "TEE-S", "--json").stdout)["price"] == "20.00"


def test_a_product_created_without_the_price_its_mapping_sends_is_named(
    stores: tuple[Database, list[SandboxStore], list[str]], cli: Any, tmp_path: Path
) -> None:
    """Store 2 takes its price from ``wholesalePrice``; a product (and a variation) imported from
    another store has none: it is created, and the run says the store cannot sell it yet."""
    _database, _sandboxes, _urls = stores
    tee: dict[str, Any] = {
        "sku": "TEE",
        "name": "Tee",
        "attributes": {"Size": ["S", "M"]},
        "variations": [
            {"sku": "TEE-S", "attributes": {"Size": "S"}, "customFields": {"wholesalePrice": "9"}},
            {"sku": "TEE-M", "attributes": {"Size": "M"}, "price": "21.00"},
        ],
    }
    plain = {"sku": "P-1", "name": "Plain", "price": "10.00"}
    _load(cli, tmp_path, [CATALOG[0] | {"customFields": {"wholesalePrice": "6.00"}}, plain, tee])
    created = cli(
        "export-mapping", "create", "2", "--fields", "name,sku,wholesalePrice",
        "--map", "wholesalePrice=regular_price",
    )  # fmt: skip
    assert created.exit_code == 0, created.stderr

    result = cli("export", "--all", "-c", "2", "--json")

    assert result.exit_code == 0, result.stderr
    warnings = json.loads(result.stdout)["warnings"]
    assert [w.split(":")[0] for w in warnings] == ["P-1", "TEE-M"]
    assert warnings[0] == (
        "P-1: created in this store (connection 2) without a price: the catalog's "
        "wholesalePrice, which its regular price comes from, is empty; the store cannot sell it "
        "until that is set and exported"
    )
    assert [line for line in result.stderr.splitlines() if "without a price" in line] == [
        f"warning: {warning}" for warning in warnings
    ]  # once each, on stderr too
    _load(cli, tmp_path, [{"sku": "P-2", "name": "Another"}])
    unmapped = cli("export", "--all", "-c", "all")  # store 1 has no mapping: it says how
    assert "Store 1 (connection 1): no fields to export" in unmapped.stderr
    assert "(pass --fields name,sku,... or create" in unmapped.stderr, unmapped.stderr
    assert "warning: Store 2 (connection 2): P-2: created in this store" in unmapped.stderr
    assert cli("export-mapping", "create", "1", "--fields", "name,sku,price").exit_code == 0
    both = cli("export", "--all", "-c", "all")
    assert both.exit_code == 0, both.stderr
    assert "warning: Store 1 (connection 1): P-2: created in this store" in both.stderr
    assert "catalog's price, which its regular price comes from, is empty" in both.stderr
    again = cli("export", "--all", "-c", "2")
    assert "without a price" not in again.stderr  # said once, when it is created


def test_a_field_added_to_a_stores_mapping_after_the_store_edited_it_is_a_conflict(
    stores: tuple[Database, list[SandboxStore], list[str]], cli: Any, tmp_path: Path
) -> None:
    """The store's tags were its own (its mapping sent no tags) and its manager changed them;
    the mapping then takes tags on: the catalog's and the store's differ and neither is known to
    be the newer, so the next import reports a conflict and ``export --partial`` holds them
    instead of overwriting the store's."""
    _database, sandboxes, urls = stores
    _load(cli, tmp_path, [CATALOG[0] | {"tags": ["gift"]}])
    assert cli("export-mapping", "create", "1", "--fields", "name,sku,price").exit_code == 0
    assert cli("export", "--all").exit_code == 0
    woo = sandboxes[0].find_sku("E-1")
    assert woo is not None
    _edit_in_store(sandboxes[0], urls[0], int(woo["id"]), {"tags": [{"name": "sale"}]})
    quiet = json.loads(cli("import", "--update-existing", "--json").stdout)
    assert (quiet["updatedCount"], quiet["conflictCount"]) == (0, 0)

    widened = cli("export-mapping", "update", "1", "--fields", "name,sku,price,tags")
    assert widened.exit_code == 0, widened.stderr
    found = json.loads(cli("import", "--update-existing", "--json").stdout)
    assert [(c["field"], c["catalog"], c["store"]) for c in found["conflicts"]] == [
        ("tags", ["gift"], ["sale"])
    ]
    held = json.loads(cli("export", "--all", "--partial", "--json").stdout)
    assert held["results"][0]["heldConflicts"] == ["tags"]
    stored = sandboxes[0].find_sku("E-1")
    assert stored is not None and [t["name"] for t in stored["tags"]] == ["sale"]


def test_a_sku_renamed_in_a_store_is_not_made_again_by_loading_the_catalog_file(
    stores: tuple[Database, list[SandboxStore], list[str]], cli: Any, tmp_path: Path
) -> None:
    """The store renamed E-1 to E-1-NEW and an import brought the rename in; the catalog file,
    loaded again, still says E-1: that is the renamed product, not a new one to create in every
    store."""
    _database, sandboxes, urls = stores
    _load(cli, tmp_path, CATALOG)
    assert cli("export", "--all", "--fields", "name,sku,price").exit_code == 0
    woo = sandboxes[0].find_sku("E-1")
    assert woo is not None
    _edit_in_store(sandboxes[0], urls[0], int(woo["id"]), {"sku": "E-1-NEW"})
    assert json.loads(cli("import", "--update-existing", "--json").stdout)["updatedCount"] == 1

    _load(cli, tmp_path, [CATALOG[0] | {"price": "13.00"}])
    assert [(p["sku"], p["price"]) for p in _catalog(cli)] == [("E-1-NEW", "13.00")]
    plan = cli("export", "--all", "--fields", "name,sku,price", "--partial", "--dry-run", "--json")
    assert json.loads(plan.stdout)["summary"]["create"] == 0


def test_a_draft_in_the_catalog_is_created_as_a_draft_where_status_is_not_sent(
    stores: tuple[Database, list[SandboxStore], list[str]], cli: Any, tmp_path: Path
) -> None:
    """Store 1 is not sent ``status`` (its manager publishes); a product the catalog holds as a
    draft (one a store's manager was still preparing, imported) is created there as a draft,
    never published; a published one gets the store's default; nothing moves on re-import."""
    _database, sandboxes, _urls = stores
    _load(cli, tmp_path, [CATALOG[0], {"sku": "D-1", "name": "Not yet", "status": "draft"}])
    fields = ("--fields", "name,sku,price")
    plan = json.loads(cli("export", "--all", *fields, "--dry-run", "--json").stdout)
    [draft] = [p for p in plan["products"] if p["sku"] == "D-1"]
    assert {"field": "status", "wooField": "status", "old": None, "new": "draft"} in draft["fields"]

    assert cli("export", "--all", *fields).exit_code == 0

    stored = {sku: sandboxes[0].find_sku(sku) for sku in ("E-1", "D-1")}
    assert {sku: (p or {}).get("status") for sku, p in stored.items()} == {
        "E-1": "publish",
        "D-1": "draft",
    }
    again = json.loads(cli("import", "--update-existing", "--json").stdout)
    assert (again["updatedCount"], again["conflictCount"]) == (0, 0)
