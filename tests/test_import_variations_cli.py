"""``woosync import`` of variable products through the CLI against a served sandbox: the dry run
shows each variation terraform-style, a category path survives export -> import into a new
catalog, and the export right after an import sends nothing."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from woosync.db.engine import open_database
from woosync.sandbox import Faults, SandboxStore
from woosync.services.connections.records import create_connection
from woosync.services.imports import fetch
from woosync.woo import WooClient

CATALOG = """
- sku: TEE
  name: Organic Tee
  type: variable
  categories: ["Clothing > Tees", "Sale \\\\> 50%"]
  attributes: {Size: [S, M], Color: [Red, Blue]}
  variations:
    - {sku: TEE-S-RED, attributes: {Size: S, Color: Red}, price: "20.00", manage_stock: true, stock_quantity: 5}
    - {sku: TEE-M-BLUE, attributes: {Size: M, Color: Blue}, price: "21.00", manage_stock: true, stock_quantity: 0}
- sku: MUG
  name: Mug
  price: "9.00"
  categories: ["Kitchen > Mugs"]
"""
FIELDS = "name,sku,price,manage_stock,stock_quantity,categories,Size,Color"


@pytest.fixture
def shop(db_path: Path, cli: Any) -> Iterator[tuple[SandboxStore, int]]:
    sandbox = SandboxStore(seed=5)
    db = open_database(db_path)
    with sandbox.serve() as url:
        key, secret = sandbox.create_key("read_write")
        conn = create_connection(
            db, name="Retail", url=url, consumer_key=key, consumer_secret=secret
        )
        yield sandbox, conn.id
    db.dispose()


def run_json(cli: Any, *args: str) -> dict[str, Any]:
    result = cli("--json", *args)
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def load_and_export(cli: Any, conn: int, tmp_path: Path) -> Path:
    """CATALOG loaded (from the file returned) and exported to the shop with FIELDS."""
    source = tmp_path / "catalog.yaml"
    source.write_text(CATALOG)
    assert cli("products", "load", str(source)).exit_code == 0
    run_json(cli, "export", "-c", str(conn), "--all", "--fields", FIELDS)
    return source


def second_catalog(
    cli: Any, sandbox: SandboxStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From now on the CLI works on a second, empty catalog, connected to the same store."""
    monkeypatch.setenv("WOOSYNC_HOME", str(tmp_path / "second"))
    key, secret = sandbox.create_key("read_write")
    added = cli(
        "connections", "add", "--name", "Retail", "--url", sandbox.home,
        "--consumer-key", key, "--consumer-secret", secret,
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr


def shop_manager(sandbox: SandboxStore) -> WooClient:
    """A shop manager's REST client for the served sandbox (with a key of its own)."""
    key, secret = sandbox.create_key("read_write")
    return WooClient(sandbox.home, key, secret, max_retries=0)


def delete_in_store(sandbox: SandboxStore, sku: str) -> dict[str, Any]:
    """A shop manager deletes a variation for good; the store's copy as it was."""
    held = sandbox.find_sku(sku)
    assert held is not None
    with shop_manager(sandbox) as client:
        path = f"/products/{held['parent_id']}/variations/{held['id']}"
        client.delete(path, params={"force": "true"})
    return held


def test_a_catalog_exported_then_imported_into_a_new_catalog_comes_back_the_same(
    cli: Any, shop: tuple[SandboxStore, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, conn = shop
    load_and_export(cli, conn, tmp_path)
    before = run_json(cli, "products", "list", "--all")

    second_catalog(cli, sandbox, tmp_path, monkeypatch)  # importing what the first exported
    imported = run_json(cli, "import")
    assert imported["importedCount"] == 4 and imported["failedCount"] == 0, imported

    after = _comparable(run_json(cli, "products", "list", "--all"))
    expected = _comparable(before)
    for sku in expected:
        assert after[sku] == expected[sku], sku
    assert after["TEE"]["categories"] == ["Clothing > Tees", "Sale \\> 50%"]  # sorted
    assert after["MUG"]["categories"] == ["Kitchen > Mugs"]
    assert after["TEE-M-BLUE"]["attributes"] == {"Size": "M", "Color": "Blue"}

    # the second catalog exports to the store it imported from: nothing to send
    conn2 = str(imported["connectionId"])
    sandbox.stats.reset()
    partial = run_json(cli, "export", "-c", conn2, "--all", "--partial", "--fields", FIELDS)
    assert partial["failedCount"] == 0 and sandbox.stats.items_written == 0
    assert sandbox.stats.by_method.get("POST", 0) == 0
    again = run_json(cli, "import", "--update-existing")
    assert again["unchangedCount"] == 4 and again["importedCount"] == 0


def _comparable(listing: Any) -> dict[str, Any]:
    rows = listing if isinstance(listing, list) else listing["products"]
    keep: tuple[str, ...] = ("sku", "name", "type", "price", "categories", "attributes")
    keep += ("stock_quantity", "manage_stock", "parent_sku")
    rows = [*rows, *(v for row in rows for v in row.get("variations") or [])]
    found = {row["sku"]: {k: row.get(k) for k in keep} for row in rows}
    for row in found.values():
        row["type"] = row["type"] or "simple"  # what the store answers for "not given"
        row["categories"] = sorted(row["categories"] or [])  # the store lists them by name
        row["manage_stock"] = bool(row["manage_stock"])
    return found


def test_a_dry_run_shows_each_variation_and_writes_nothing(
    cli: Any, shop: tuple[SandboxStore, int]
) -> None:
    sandbox, _conn = shop
    parent = sandbox.create_product(
        {
            "name": "Tee",
            "type": "variable",
            "sku": "TEE",
            "attributes": [{"name": "Size", "variation": True, "options": ["S", "M"]}],
        }
    )
    for size in ("S", "M"):
        sandbox.create_variation(
            parent["id"], {"sku": f"TEE-{size}", "attributes": [{"name": "Size", "option": size}]}
        )

    result = cli("import", "--dry-run")

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert f"+ import TEE (store product {parent['id']})" in lines
    held = {v["sku"]: v["id"] for v in sandbox.variations(parent["id"])}
    assert (
        f"+ import TEE-M (store variation {held['TEE-M']} of store product {parent['id']})" in lines
    )
    assert "3 to create, 0 to update" in result.stdout  # the counts include the variations
    assert cli("products", "list", "--all", "--format", "count").stdout.strip() == "0"


def test_an_import_after_an_export_links_everything_and_changes_nothing(
    cli: Any, shop: tuple[SandboxStore, int], tmp_path: Path
) -> None:
    sandbox, conn = shop
    load_and_export(cli, conn, tmp_path)
    before = _comparable(run_json(cli, "products", "list", "--all"))

    again = run_json(cli, "import", "--update-existing")

    assert again["importedCount"] == again["failedCount"] == 0, again
    assert again["unchangedCount"] == 4 and again["conflictCount"] == 0
    assert _comparable(run_json(cli, "products", "list", "--all")) == before
    parent = sandbox.find_sku("TEE")
    assert parent is not None and len(sandbox.variations(parent["id"])) == 2


ECHOED = """
- sku: CAP
  name: Cap
  type: variable
  attributes: {Size: [S, M]}
  variations:
    - {sku: CAP-S, attributes: {Size: S}, price: "10.00", stock_quantity: 3}
    - {sku: CAP-M, attributes: {Size: M}, price: "11.00", manage_stock: true, stock_quantity: 4}
"""


def test_a_variation_value_the_store_answers_otherwise_is_an_echo_not_a_store_edit(
    cli: Any, shop: tuple[SandboxStore, int], tmp_path: Path
) -> None:
    """WooCommerce keeps no quantity on a variation that does not manage its stock: it answers
    ``stock_quantity: null`` for the 3 sent (so does a real WooCommerce 11 store). That answer
    is the store's echo of the catalog's 3, not an edit made in the store: an import leaves the 3,
    and an export sends nothing again. An edit made in the store afterwards still comes in."""
    sandbox, conn = shop
    source = tmp_path / "catalog.yaml"
    source.write_text(ECHOED)
    assert cli("products", "load", str(source)).exit_code == 0
    run_json(
        cli,
        "export",
        "-c",
        str(conn),
        "--all",
        "--fields",
        "name,sku,price,manage_stock,stock_quantity",
    )
    parent = sandbox.find_sku("CAP")
    assert parent is not None
    held = {v["sku"]: v for v in sandbox.variations(parent["id"])}
    assert held["CAP-S"]["stock_quantity"] is None and held["CAP-M"]["stock_quantity"] == 4

    again = run_json(cli, "import", "--update-existing")

    assert again["updatedCount"] == again["conflictCount"] == 0, again
    assert again["unchangedCount"] == 3
    assert run_json(cli, "products", "show", "CAP-S")["stock_quantity"] == 3
    sandbox.stats.reset()
    partial = run_json(
        cli, "export", "-c", str(conn), "--all", "--partial", "--fields",
        "name,sku,price,manage_stock,stock_quantity",
    )  # fmt: skip
    assert partial["failedCount"] == 0 and sandbox.stats.items_written == 0

    with shop_manager(sandbox) as woo:
        woo.put(
            f"/products/{parent['id']}/variations/{held['CAP-S']['id']}",
            {"manage_stock": True, "stock_quantity": 9},
        )
    edited = run_json(cli, "import", "--update-existing")
    assert edited["updatedCount"] == 1, edited
    assert run_json(cli, "products", "show", "CAP-S")["stock_quantity"] == 9


def test_under_faults_with_stalls_every_variation_comes_in_once(
    cli: Any, shop: tuple[SandboxStore, int], monkeypatch: pytest.MonkeyPatch, clock: Any
) -> None:
    """(``clock``: retries back off on woosync's clock, which moves on at once here.)"""
    sandbox, _conn = shop
    monkeypatch.setattr(fetch, "VARIATIONS_PER_PAGE", 2)  # more requests to go wrong
    skus: list[str] = []
    for n in range(4):
        parent = sandbox.create_product(
            {
                "name": f"Tee {n}",
                "type": "variable",
                "sku": f"FT{n}",
                "attributes": [{"name": "Size", "variation": True, "options": ["S", "M", "L"]}],
            }
        )
        for size in ("S", "M", "L"):
            skus.append(f"FT{n}-{size}")
            sandbox.create_variation(
                parent["id"], {"sku": skus[-1], "attributes": [{"name": "Size", "option": size}]}
            )
    sandbox.faults = Faults(
        error_rates={500: 0.08, 502: 0.04, 503: 0.04}, rate_429=0.08, retry_after=0,
        stall_rate=0.05, stall_seconds=0.3, drop_rate=0.05,
    )  # fmt: skip
    data: dict[str, Any] = {"success": False}
    for _attempt in range(3):  # a run may give a parent up; the next one finishes it
        result = cli("--json", "import")
        assert result.exit_code in (0, 1), result.stderr
        data = json.loads(result.stdout)
        if data["success"]:
            break
    sandbox.faults = Faults()

    assert data["success"], data
    assert sum(sandbox.stats.faults.values()) >= 2
    listed = _comparable(run_json(cli, "products", "list", "--all"))
    assert sorted(sku for sku in listed if "-" in sku) == sorted(skus)  # each once, none lost
    assert len(listed) == 16


IMAGED = """
- sku: TEE
  name: Organic Tee
  type: variable
  images: ["https://img.example/tee.jpg"]
  attributes: {Size: [S, M]}
  variations:
    - {sku: TEE-S, attributes: {Size: S}, price: "20.00", image: "https://img.example/tee-s.jpg"}
    - {sku: TEE-M, attributes: {Size: M}, price: "21.00", image: "https://img.example/tee-m.jpg"}
"""


IMAGED_FIELDS = "name,sku,price,images,Size"


def _export_imaged(cli: Any, conn: int, tmp_path: Path) -> None:
    """The IMAGED catalog loaded and exported to the store of connection ``conn``."""
    source = tmp_path / "catalog.yaml"
    source.write_text(IMAGED)
    assert cli("products", "load", str(source)).exit_code == 0
    run_json(cli, "export", "-c", str(conn), "--all", "--fields", IMAGED_FIELDS)


def test_a_variation_image_keeps_the_catalog_url_through_export_import_export(
    cli: Any, shop: tuple[SandboxStore, int], tmp_path: Path
) -> None:
    """The store answers an image with its own upload URL: the import maps it back to the
    catalog's, and the next export uploads nothing again."""
    sandbox, conn = shop
    _export_imaged(cli, conn, tmp_path)
    before = _comparable(run_json(cli, "products", "list", "--all"))
    parent = sandbox.find_sku("TEE")
    assert parent is not None
    stored = sandbox.variations(parent["id"])
    assert all("/wp-content/uploads/" in v["image"]["src"] for v in stored), stored

    again = run_json(cli, "import", "--update-existing")

    assert again["updatedCount"] == 0 and again["unchangedCount"] == 3, again
    assert _comparable(run_json(cli, "products", "list", "--all")) == before
    partial = run_json(
        cli, "export", "-c", str(conn), "--partial", "--all", "--fields", IMAGED_FIELDS
    )
    assert partial["counts"]["created"] == partial["counts"]["updated"] == 0, partial


SAME_IMAGE = """
- sku: POLO
  name: Polo
  type: variable
  attributes: {Size: [S]}
  variations:
    - {sku: POLO-S, attributes: {Size: S}, price: "30.00", image: "https://img.example/tee-s.jpg"}
- sku: CAP
  name: Cap
  images: ["https://img.example/tee-m.jpg"]
"""


def test_a_variation_image_is_learnt_by_the_store_registry(
    cli: Any, shop: tuple[SandboxStore, int], tmp_path: Path
) -> None:
    """A variation image sent once is the store's media: sending the same URL again (another
    variation, a simple product) names its media id, and the sandbox downloads nothing more."""
    sandbox, conn = shop
    _export_imaged(cli, conn, tmp_path)
    parent = sandbox.find_sku("TEE")
    assert parent is not None
    media = {v["sku"]: v["image"]["id"] for v in sandbox.variations(parent["id"])}
    uploads = sandbox.media_count
    assert uploads == sandbox.stats.image_downloads == 3

    more = tmp_path / "more.yaml"
    more.write_text(SAME_IMAGE)
    assert cli("products", "load", str(more)).exit_code == 0
    out = run_json(cli, "export", "-c", str(conn), "--all", "--fields", IMAGED_FIELDS)

    assert out["counts"]["created"] >= 2, out
    assert sandbox.media_count == sandbox.stats.image_downloads == uploads  # no new upload
    polo = sandbox.find_sku("POLO")
    cap = sandbox.find_sku("CAP")
    assert polo is not None and cap is not None
    assert sandbox.variations(polo["id"])[0]["image"]["id"] == media["TEE-S"]
    assert [image["id"] for image in cap["images"]] == [media["TEE-M"]]


def test_a_catalog_loaded_beside_a_store_that_has_the_variations_gets_conflicts_not_overwrites(
    cli: Any, shop: tuple[SandboxStore, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second catalog loaded from a file while the store already holds the products: a
    variation's value that differs from the store's, never synced, is a conflict (both kept),
    not the store's silently; one that agrees is linked."""
    sandbox, conn = shop
    source = load_and_export(cli, conn, tmp_path)

    second_catalog(cli, sandbox, tmp_path, monkeypatch)
    source.write_text(CATALOG.replace("stock_quantity: 5", "stock_quantity: 9"))
    assert cli("products", "load", str(source)).exit_code == 0

    imported = run_json(cli, "import", "--update-existing")
    by_sku = {product["sku"]: product for product in imported["products"]}
    [conflict] = by_sku["TEE-S-RED"]["conflicts"]
    assert (conflict["field"], conflict["catalog"], conflict["store"]) == ("stock_quantity", 9, 5)
    assert imported["conflictCount"] == 1, imported["conflicts"]
    shown = run_json(cli, "products", "show", "TEE-S-RED")
    assert shown["stock_quantity"] == 9
    store_side = sandbox.find_sku("TEE-S-RED")
    assert store_side is not None and store_side["stock_quantity"] == 5

    planned = cli("export", "-c", "1", "--all", "--partial", "--fields", FIELDS, "--dry-run")
    assert "! TEE-S-RED stock_quantity left out: in conflict" in planned.stdout, planned.stdout
    assert "4 unchanged, 0 skipped, 0 excluded, 1 conflicts" in planned.stdout
    held = run_json(cli, "export", "-c", "1", "--all", "--partial", "--fields", FIELDS)
    assert held["success"], held
    [result] = [r for r in held["results"] if r.get("heldConflicts")]
    assert (result["productId"], result["heldConflicts"]) == (shown["id"], ["stock_quantity"])
    still = sandbox.find_sku("TEE-S-RED")
    assert still is not None and still["stock_quantity"] == 5  # no job settles a conflict
    settled = run_json(cli, "export", "-c", "1", "--all", "--fields", FIELDS)  # a full export
    assert settled["success"], settled
    found = sandbox.find_sku("TEE-S-RED")
    assert found is not None and found["stock_quantity"] == 9
    assert run_json(cli, "import", "--update-existing")["conflictCount"] == 0


def test_a_variation_deleted_in_the_store_is_created_again_with_a_warning_naming_the_way_out(
    cli: Any, shop: tuple[SandboxStore, int], tmp_path: Path
) -> None:
    sandbox, conn = shop
    load_and_export(cli, conn, tmp_path)
    held = delete_in_store(sandbox, "TEE-S-RED")
    assert cli("products", "edit", "TEE-S-RED", "--price", "20.50").exit_code == 0

    partial = cli("export", "-c", str(conn), "--all", "--partial", "--fields", FIELDS)
    assert partial.exit_code == 0, partial.stderr
    assert f"TEE-S-RED: store variation #{held['id']} of product #{held['parent_id']} is gone" in (
        partial.stderr
    )
    created = sandbox.find_sku("TEE-S-RED")
    assert (
        created is not None and created["id"] != held["id"] and created["regular_price"] == "20.50"
    )
    exclude = partial.stderr.split("To keep it out of this store: ", 1)[1].splitlines()[0]
    assert cli(*exclude.split()[1:]).exit_code == 0
    planned = run_json(cli, "export", "-c", str(conn), "--all", "--fields", FIELDS, "--dry-run")
    assert planned["counts"]["excluded"] == 1
    assert "TEE-S-RED" not in [v["sku"] for v in planned["variations"]]
    kept_out = run_json(
        cli, "export", "-c", str(conn), "--all", "--fields", FIELDS, "--prune-variations"
    )
    assert kept_out["counts"]["excluded"] == 1, kept_out
    assert kept_out["excluded"][0]["sku"] == "TEE-S-RED"
    assert "prunedVariations" not in kept_out  # the store keeps its copy: never pruned
    copy = sandbox.find_sku("TEE-S-RED")
    assert copy is not None
    with shop_manager(sandbox) as client:
        client.put(f"/products/{copy['parent_id']}/variations/{copy['id']}", {"regular_price": "1"})
    imported = run_json(cli, "import", "-c", str(conn), "--update-existing")
    [result] = [p for p in imported["products"] if p["sku"] == "TEE-S-RED"]
    assert result["status"] == "excluded", result
    assert run_json(cli, "products", "show", "TEE-S-RED")["price"] == "20.50"


def test_a_dry_run_over_every_store_shows_the_variations_too(
    cli: Any, shop: tuple[SandboxStore, int], tmp_path: Path
) -> None:
    _sandbox, conn = shop
    load_and_export(cli, conn, tmp_path)
    assert cli("products", "edit", "TEE-S-RED", "--price", "20.50").exit_code == 0
    planned = cli("export", "-c", "all", "--all", "--partial", "--fields", FIELDS, "--dry-run")
    assert planned.exit_code == 0, planned.stderr
    lines = planned.stdout.splitlines()
    assert lines[0].startswith("Retail (connection 1): 0 to create, 1 to update")
    assert lines[1:] == ["  ~ TEE-S-RED (variation 3 of product 1) update price"]


def test_a_variations_stock_changed_in_the_store_and_the_catalog_adds_up(
    cli: Any, shop: tuple[SandboxStore, int], tmp_path: Path
) -> None:
    """5 in stock: the store sells 2 while one more is booked in the catalog: 4, no conflict."""
    sandbox, conn = shop
    load_and_export(cli, conn, tmp_path)
    held = sandbox.find_sku("TEE-S-RED")
    assert held is not None and held["stock_quantity"] == 5
    with shop_manager(sandbox) as client:
        path = f"/products/{held['parent_id']}/variations/{held['id']}"
        client.put(path, {"stock_quantity": 3})
    assert cli("products", "edit", "TEE-S-RED", "--stock-quantity", "6").exit_code == 0

    imported = run_json(cli, "import", "-c", str(conn), "--update-existing")
    assert imported["conflictCount"] == 0, imported["conflicts"]
    assert run_json(cli, "products", "show", "TEE-S-RED")["stock_quantity"] == 4
    run_json(cli, "export", "-c", str(conn), "--all", "--partial", "--fields", FIELDS)
    sent = sandbox.find_sku("TEE-S-RED")
    assert sent is not None and sent["stock_quantity"] == 4
    assert run_json(cli, "import", "-c", str(conn), "--update-existing")["updatedCount"] == 0


def test_an_import_names_the_linked_variations_deleted_in_the_store(
    cli: Any, shop: tuple[SandboxStore, int], tmp_path: Path
) -> None:
    sandbox, conn = shop
    load_and_export(cli, conn, tmp_path)
    held = delete_in_store(sandbox, "TEE-S-RED")

    for args in ((), ("--incremental",)):  # a variation's delete moves its parent's date
        imported = run_json(cli, "import", "-c", str(conn), *args)
        gone = [w for w in imported["warnings"] if "variation(s) linked" in w]
        assert gone == [
            f"1 variation(s) linked to this store are no longer in it (deleted there): TEE-S-RED "
            f"(store variation {held['id']} of store product {held['parent_id']}); the catalog "
            "keeps them ('woosync products exclude TEE-S-RED --connection 1' keeps one out of "
            "this store, so that the store's delete sticks)"
        ], imported["warnings"]
    assert run_json(cli, "products", "show", "TEE-S-RED")["sku"] == "TEE-S-RED"
    assert cli("products", "exclude", "TEE-S-RED", "-c", str(conn)).exit_code == 0
    quiet = run_json(cli, "import", "-c", str(conn))
    assert not [w for w in quiet["warnings"] if "variation(s) linked" in w]


def test_a_new_option_and_variation_from_a_store_not_sent_the_attributes_come_in(
    cli: Any, shop: tuple[SandboxStore, int], tmp_path: Path
) -> None:
    """The store's export mapping sends prices only, so its edits of other fields stay its own;
    but the attributes a variable product varies by are how its variations are told apart: a
    size added there comes in with its variation."""
    sandbox, conn = shop
    load_and_export(cli, conn, tmp_path)
    mapped = cli("export-mapping", "create", str(conn), "--fields", "name,sku,price")
    assert mapped.exit_code == 0, mapped.stderr
    parent = sandbox.find_sku("TEE")
    assert parent is not None
    attributes = [dict(a) for a in parent["attributes"]]
    for entry in attributes:
        if entry["name"] == "Size":
            entry["options"] = [*entry["options"], "L"]
    with shop_manager(sandbox) as client:
        client.put(f"/products/{parent['id']}", {"attributes": attributes})
        client.post(
            f"/products/{parent['id']}/variations",
            {
                "sku": "TEE-L-RED",
                "regular_price": "22.00",
                "attributes": [{"name": "Size", "option": "L"}, {"name": "Color", "option": "Red"}],
            },
        )

    imported = run_json(cli, "import", "-c", str(conn), "--update-existing")
    assert imported["importedCount"] == 1 and imported["failedCount"] == 0
    tee = run_json(cli, "products", "show", "TEE")
    assert tee["attributes"]["Size"] == ["S", "M", "L"]
    added = run_json(cli, "products", "show", "TEE-L-RED")
    assert (added["attributes"], added["price"]) == ({"Size": "L", "Color": "Red"}, "22.00")


def test_a_product_made_variable_in_the_store_is_taken_as_the_failure_says(
    cli: Any, shop: tuple[SandboxStore, int], tmp_path: Path
) -> None:
    """A shop manager turns a simple product into a variable one with two variations. The
    import refuses to re-type the catalog's product and says how to take the store's: the two
    commands it names, run as written, bring in the variable product with its variations."""
    sandbox, conn = shop
    load_and_export(cli, conn, tmp_path)
    mug = sandbox.find_sku("MUG")
    assert mug is not None
    with shop_manager(sandbox) as client:
        sizes = {"name": "Size", "options": ["Small", "Large"], "variation": True}
        client.put(f"/products/{mug['id']}", {"type": "variable", "attributes": [sizes]})
        client.post(f"/products/{mug['id']}/variations/batch", {"create": [
            {"sku": "MUG-S", "regular_price": "8.00", "attributes": [{"name": "Size", "option": "Small"}]},
            {"sku": "MUG-L", "regular_price": "10.00", "attributes": [{"name": "Size", "option": "Large"}]},
        ]})  # fmt: skip

    refused = cli("--json", "import", "--update-existing")
    assert refused.exit_code == 1
    [failed] = [p for p in json.loads(refused.stdout)["products"] if p["status"] == "failed"]
    assert failed["sku"] == "MUG" and "is variable in this store but simple" in failed["message"]
    commands = re.findall(r"'woosync ([^']+)'", failed["message"])
    assert len(commands) == 2
    for command in commands:
        ran = cli(*shlex.split(command))
        assert ran.exit_code == 0, ran.stderr

    listed = cli("--json", "products", "list", "--all")
    [taken] = [p for p in json.loads(listed.stdout) if p["sku"] == "MUG"]
    assert taken["type"] == "variable"
    assert [(v["sku"], v["price"]) for v in taken["variations"]] == [
        ("MUG-S", "8.00"),
        ("MUG-L", "10.00"),
    ]
    again = run_json(cli, "import", "--update-existing")
    assert again["failedCount"] == 0 and again["updatedCount"] == 0, again["products"]


def test_a_failed_variation_is_named_as_a_store_variation_of_its_product(
    cli: Any, shop: tuple[SandboxStore, int], tmp_path: Path
) -> None:
    """The store takes a variation whose option its product does not list (and the shop
    cannot sell it); the import fails it, naming where it is."""
    sandbox, conn = shop
    load_and_export(cli, conn, tmp_path)
    tee = sandbox.find_sku("TEE")
    assert tee is not None
    with shop_manager(sandbox) as client:
        odd = client.post(f"/products/{tee['id']}/variations", {
            "sku": "TEE-XL-RED", "attributes": [
                {"name": "Size", "option": "XL"}, {"name": "Color", "option": "Red"}
            ],
        })  # fmt: skip

    result = cli("import", "--update-existing")

    assert result.exit_code == 1
    assert (
        f"error: store variation {odd['id']} of store product {tee['id']} TEE-XL-RED: "
        "attributes: Size 'XL' is not one of the parent's options S, M"
    ) in result.stderr
