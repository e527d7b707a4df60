"""A partial export never overwrites a field edited in the store since the last sync
(``services/export/store_edits.py``): it reads the products it is about to update and holds such
a field as a conflict, through the CLI against sandbox stores on loopback ports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from served_stores import as_manager, cli_json, served_stores
from woosync.db.engine import Database
from woosync.sandbox import SandboxStore

FIELDS = "name,sku,price,description,categories,images,stock_quantity,manage_stock,Size"
CATALOG = [
    {
        "sku": "MUG",
        "name": "Mug & Saucer",
        "price": "12.00",
        "description": "Stoneware, <b>350 ml</b>.",
        "categories": ["Kitchen > Mugs"],
        "images": ["https://img.example.com/mug.jpg"],
        "manage_stock": True,
        "stock_quantity": 10,
    },
    {"sku": "PLATE", "name": "Plate", "price": "9.00", "categories": ["Kitchen > Plates"]},
    {
        "sku": "SHIRT",
        "name": "Shirt",
        "type": "variable",
        "attributes": {"Size": ["S", "M"]},
        "variations": [
            {"sku": "SHIRT-S", "attributes": {"Size": "S"}, "price": "20.00"},
            {"sku": "SHIRT-M", "attributes": {"Size": "M"}, "price": "21.00"},
        ],
    },
]


@pytest.fixture
def stores(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Any, tmp_path: Path
) -> Iterator[list[SandboxStore]]:
    """Two sandbox stores, the catalog loaded and exported to store 1."""
    with served_stores(db_path, monkeypatch) as (_db, sandboxes, _urls):
        path = tmp_path / "catalog.json"
        path.write_text(json.dumps(CATALOG))
        assert cli("products", "load", str(path)).exit_code == 0
        assert cli_json(cli("export", "--all", "--fields", FIELDS, "--json"))["failedCount"] == 0
        yield sandboxes


def _store(sandbox: SandboxStore, sku: str) -> dict[str, Any]:
    found = sandbox.find_sku(sku)
    assert found is not None
    return found


def _manager_edits(sandbox: SandboxStore, sku: str, changes: dict[str, Any]) -> None:
    """A shop manager's edit of the product ``sku`` in the store."""
    as_manager(sandbox, "PUT", f"/products/{_store(sandbox, sku)['id']}", changes)


def _edit(cli: Any, sku: str, *args: str) -> None:
    result = cli("products", "edit", sku, *args)
    assert result.exit_code == 0, result.stderr


def _partial(cli: Any, *extra: str) -> dict[str, Any]:
    return cli_json(cli("export", "--all", "--partial", "--fields", FIELDS, "--json", *extra))


def _by_sku(document: dict[str, Any], cli: Any) -> dict[str, dict[str, Any]]:
    listed = cli_json(cli("products", "list", "--json"))
    skus = {p["id"]: p["sku"] for p in listed}
    skus.update({v["id"]: v["sku"] for p in listed for v in p.get("variations") or []})
    return {skus[r["productId"]]: r for r in document["results"]}


def test_a_field_the_store_changed_since_the_last_sync_is_held_not_overwritten(
    stores: list[SandboxStore], cli: Any
) -> None:
    sandbox = stores[0]
    _manager_edits(sandbox, "MUG", {"regular_price": "15.00"})
    _edit(cli, "MUG", "--price", "14.00", "--description", "Stoneware, 400 ml.")
    _edit(cli, "PLATE", "--price", "9.50")

    document = _partial(cli)
    results = _by_sku(document, cli)
    assert results["MUG"]["heldConflicts"] == ["price"]
    assert results["MUG"]["exportedFields"] == ["description"]  # the rest of the update goes
    assert results["PLATE"]["exportedFields"] == ["price"]
    assert document["counts"]["conflicts"] == 1
    named = "1 product(s) or variation(s) (MUG (price)) with fields changed both in the catalog"
    assert any(named in w for w in document["warnings"]), document["warnings"]
    assert _store(sandbox, "MUG")["regular_price"] == "15.00"  # the store's edit stands
    assert _store(sandbox, "MUG")["description"] == "Stoneware, 400 ml."
    assert _store(sandbox, "PLATE")["regular_price"] == "9.50"

    status = cli_json(cli("sync-status", "--conflicts", "--json"))
    conflicts = [c for c in status["conflicts"] if c["sku"] == "MUG"]
    assert [(c["field"], c["catalog"], c["store"]) for c in conflicts] == [
        ("price", "14.00", "15.00")
    ]

    # held, run after run, until decided; then the catalog's value goes
    again = _partial(cli)
    assert again["counts"]["updated"] == 0 and _store(sandbox, "MUG")["regular_price"] == "15.00"
    decided = cli("import", "--update-existing", "--on-conflict", "catalog", "--quiet")
    assert decided.exit_code == 0, decided.stderr
    assert _by_sku(_partial(cli), cli)["MUG"]["exportedFields"] == ["price"]
    assert _store(sandbox, "MUG")["regular_price"] == "14.00"
    assert not cli_json(cli("sync-status", "--conflicts", "--json"))["conflicts"]


def test_the_dry_run_shows_the_held_field_and_records_nothing(
    stores: list[SandboxStore], cli: Any
) -> None:
    sandbox = stores[0]
    _manager_edits(sandbox, "MUG", {"name": "Mug (store)"})
    _edit(cli, "MUG", "--name", "Mug, large")
    plan = _partial(cli, "--dry-run")
    planned = {p["sku"]: p for p in plan["products"]}
    assert planned["MUG"]["heldConflicts"] == ["name"]
    assert not cli_json(cli("sync-status", "--conflicts", "--json"))["conflicts"]
    assert _store(sandbox, "MUG")["name"] == "Mug (store)"


def test_a_store_already_holding_the_catalogs_value_is_no_conflict(
    stores: list[SandboxStore], cli: Any
) -> None:
    sandbox = stores[0]
    _manager_edits(sandbox, "MUG", {"regular_price": "13.00"})
    _edit(cli, "MUG", "--price", "13.00")
    document = _partial(cli)
    assert document["counts"]["conflicts"] == 0 and not document["warnings"]
    assert _store(sandbox, "MUG")["regular_price"] == "13.00"
    assert cli_json(cli("sync-status", "--conflicts", "--json"))["conflicts"] == []


def test_sales_in_the_store_are_never_a_conflict_for_a_restock(
    stores: list[SandboxStore], cli: Any
) -> None:
    """A stock quantity goes out as a change: the store's sales since the last sync are kept."""
    sandbox = stores[0]
    _manager_edits(sandbox, "MUG", {"stock_quantity": 8})  # 2 sold
    _edit(cli, "MUG", "--stock-quantity", "15")  # 5 delivered
    document = _partial(cli)
    assert document["counts"]["conflicts"] == 0
    assert _store(sandbox, "MUG")["stock_quantity"] == 13


def test_categories_are_compared_by_path_even_for_terms_this_store_never_resolved(
    stores: list[SandboxStore], cli: Any
) -> None:
    """A product the catalog took from store 2 names categories no export resolved there: the
    store's tree is listed to read them as paths, so a catalog change is no false conflict;
    a category the store changed to is one, named by its path."""
    sandbox = stores[1]
    clothing = as_manager(sandbox, "POST", "/products/categories", {"name": "Clothing"})
    tees = as_manager(
        sandbox, "POST", "/products/categories", {"name": "Tees", "parent": clothing["id"]}
    )
    made = as_manager(
        sandbox,
        "POST",
        "/products",
        {"name": "Tee", "sku": "TEE", "regular_price": "20.00", "categories": [{"id": tees["id"]}]},
    )
    assert cli("import", "--connection", "2", "--quiet").exit_code == 0
    tee = [p for p in cli_json(cli("products", "list", "--json")) if p["sku"] == "TEE"]
    assert tee and tee[0]["categories"] == ["Clothing > Tees"]

    _edit(cli, "TEE", "--category", "Clothing > Tees", "--category", "Sale")
    sent = _partial(cli, "--connection", "2")
    assert sent["counts"]["conflicts"] == 0 and sent["counts"]["updated"] == 1
    names = sorted(c["name"] for c in _store(sandbox, "TEE")["categories"])
    assert names == ["Sale", "Tees"]

    shirts = as_manager(
        sandbox, "POST", "/products/categories", {"name": "Shirts", "parent": clothing["id"]}
    )
    as_manager(sandbox, "PUT", f"/products/{made['id']}", {"categories": [{"id": shirts["id"]}]})
    _edit(cli, "TEE", "--category", "Clothing > Tees")
    held = _partial(cli, "--connection", "2")
    assert held["counts"]["conflicts"] == 1
    status = cli_json(cli("sync-status", "--connection", "2", "--conflicts", "--json"))
    assert [(c["field"], c["store"]) for c in status["conflicts"]] == [
        ("categories", ["Clothing > Shirts"])
    ]


@pytest.mark.usefixtures("clock")  # the retries' pauses return at once
def test_a_store_that_cannot_be_read_fails_those_products_not_the_run(
    stores: list[SandboxStore], cli: Any, db: Database
) -> None:
    sandbox = stores[0]
    _edit(cli, "PLATE", "--price", "9.75")
    sandbox.faults.error_rates = {500: 1.0}
    result = cli("export", "--all", "--partial", "--fields", FIELDS, "--json")
    assert result.exit_code == 1, result.stderr
    document = json.loads(result.stdout)
    failed = [r for r in document["results"] if r["status"] == "error"]
    assert len(failed) == 1 and "could not read the store product" in failed[0]["message"]
    sandbox.faults.error_rates = {}
    assert _store(sandbox, "PLATE")["regular_price"] == "9.00"


def _variation(sandbox: SandboxStore, sku: str) -> tuple[int, dict[str, Any]]:
    """(its parent's id, the store variation) of the variation ``sku``."""
    found = sandbox.find_sku(sku)
    assert found is not None and found["type"] == "variation"
    return int(found["parent_id"]), found


def test_a_variation_field_the_store_changed_is_held_and_its_sibling_still_goes(
    stores: list[SandboxStore], cli: Any
) -> None:
    sandbox = stores[0]
    parent, small = _variation(sandbox, "SHIRT-S")
    route = f"/products/{parent}/variations/{small['id']}"
    as_manager(sandbox, "PUT", route, {"regular_price": "25.00"})
    _edit(cli, "SHIRT-S", "--price", "22.00")
    _edit(cli, "SHIRT-M", "--price", "23.00")

    plan = _partial(cli, "--dry-run")
    held = [v for v in plan["variations"] if v.get("heldConflicts")]
    assert [(v["sku"], v["heldConflicts"]) for v in held] == [("SHIRT-S", ["price"])]
    assert not cli_json(cli("sync-status", "--conflicts", "--json"))["conflicts"]

    results = _by_sku(_partial(cli), cli)
    assert results["SHIRT-S"]["heldConflicts"] == ["price"] and results["SHIRT-S"]["change"] == (
        "unchanged"
    )
    assert results["SHIRT-M"]["exportedFields"] == ["price"]
    assert _variation(sandbox, "SHIRT-S")[1]["regular_price"] == "25.00"
    assert _variation(sandbox, "SHIRT-M")[1]["regular_price"] == "23.00"
    status = cli_json(cli("sync-status", "--conflicts", "--json"))
    assert [(c["sku"], c["field"], c["catalog"], c["store"]) for c in status["conflicts"]] == [
        ("SHIRT-S", "price", "22.00", "25.00")
    ]

    decided = cli("import", "--update-existing", "--on-conflict", "store")
    assert decided.exit_code == 0, decided.stderr
    shown = cli_json(cli("products", "show", "SHIRT-S", "--json"))
    assert shown["price"] == "25.00"
    parent_id = cli_json(cli("products", "show", "SHIRT", "--json"))["id"]
    line = f"~ updated SHIRT-S (variation {shown['id']} of product {parent_id}): price"
    assert line in decided.stdout
    assert _partial(cli)["counts"]["updated"] == 0


@pytest.mark.usefixtures("clock")  # the retries' pauses return at once
def test_a_variation_whose_store_list_cannot_be_read_fails_alone(
    stores: list[SandboxStore], cli: Any
) -> None:
    sandbox = stores[0]
    _edit(cli, "SHIRT-M", "--price", "23.50")
    sandbox.faults.error_rates = {500: 1.0}
    result = cli("export", "--all", "--partial", "--fields", FIELDS, "--json")
    sandbox.faults.error_rates = {}
    assert result.exit_code == 1, result.stderr
    failed = [r for r in json.loads(result.stdout)["results"] if r["status"] == "error"]
    assert len(failed) == 1 and "could not read the store variation" in failed[0]["message"]
    assert _variation(sandbox, "SHIRT-M")[1]["regular_price"] == "21.00"
    assert _by_sku(_partial(cli), cli)["SHIRT-M"]["exportedFields"] == ["price"]


def test_a_variations_line_names_it_and_its_product_and_the_list_shows_quantities(
    stores: list[SandboxStore], cli: Any
) -> None:
    """As the dry run does: ``SHIRT-M (variation 5 of product 3)``; ``products list`` has the
    quantity of a product that manages its stock."""
    _edit(cli, "SHIRT-M", "--price", "21.50")
    ids = {p["sku"]: p["id"] for p in cli_json(cli("products", "list", "--json"))}
    variation = cli_json(cli("products", "show", "SHIRT-M", "--json"))["id"]
    done = cli("export", "--connection", "all", "--all", "--partial", "--fields", FIELDS)
    assert done.exit_code == 0, done.stderr
    line = f"~ updated SHIRT-M (variation {variation} of product {ids['SHIRT']}): price"
    assert line in done.stdout
    table = cli("products", "list").stdout.splitlines()  # plain rows on a pipe
    header = table[0].split("\t")
    rows = {row.split("\t")[1].strip(): row.split("\t") for row in table[1:]}
    assert rows["MUG"][header.index("Qty")] == "10"
    assert rows["PLATE"][header.index("Qty")] == ""


def test_update_holds_the_field_and_says_so(stores: list[SandboxStore], cli: Any) -> None:
    sandbox = stores[0]
    _manager_edits(sandbox, "MUG", {"regular_price": "15.00"})
    _edit(cli, "MUG", "--price", "14.00")
    product = cli_json(cli("products", "show", "MUG", "--json"))["id"]
    done = cli("update", "--product", str(product), "--fields", FIELDS)
    assert done.exit_code == 0, done.stderr
    assert "nothing changed (held in conflict: price)" in done.stdout
    assert f"product {product} with fields changed both in the catalog and in this store" in (
        done.stderr
    )
    assert "--on-conflict catalog|store" in done.stderr
    assert _store(sandbox, "MUG")["regular_price"] == "15.00"


def test_update_of_a_variation_reports_the_variation_and_holds_its_field(
    stores: list[SandboxStore], cli: Any
) -> None:
    sandbox = stores[0]
    parent, small = _variation(sandbox, "SHIRT-S")
    as_manager(
        sandbox, "PUT", f"/products/{parent}/variations/{small['id']}", {"regular_price": "26.00"}
    )
    _edit(cli, "SHIRT-S", "--price", "27.00")
    variation = cli_json(cli("products", "show", "SHIRT-S", "--json"))["id"]
    done = cli("update", "--sku", "SHIRT-S", "--fields", FIELDS)
    assert done.exit_code == 0, done.stderr
    parent_id = cli_json(cli("products", "show", "SHIRT", "--json"))["id"]
    assert (
        f"variation {variation} of product {parent_id} -> store variation {small['id']}: "
        "nothing changed (held in conflict: price)"
    ) in done.stdout
    assert f"variation {variation} with fields changed both" in done.stderr
    assert _variation(sandbox, "SHIRT-S")[1]["regular_price"] == "26.00"
