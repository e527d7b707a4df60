"""Deletes that stick, per-store selection, tombstones (issue 10, part 2), through the CLI against
sandbox stores on loopback ports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from test_export_support import add_products, set_mapping, sync_of, tee
from woosync.db.engine import Database, open_database
from woosync.db.models import Product, RemovedProduct
from woosync.sandbox import SandboxStore
from woosync.services.connections.records import create_connection

FIELDS = ["name", "sku", "price", "categories", "status"]


@pytest.fixture
def shops() -> Iterator[list[tuple[SandboxStore, str]]]:
    first, second = SandboxStore(seed=21), SandboxStore(seed=22)
    with first.serve() as first_url, second.serve() as second_url:
        yield [(first, first_url), (second, second_url)]


@pytest.fixture
def setup(
    db_path: Path, shops: list[tuple[SandboxStore, str]]
) -> Iterator[tuple[Database, list[int]]]:
    """Connections 1 "Retail" (the default) and 2 "Wholesale", each with an export mapping, and
    three products."""
    db = open_database(db_path)
    for (shop, url), name in zip(shops, ("Retail", "Wholesale"), strict=True):
        key, secret = shop.create_key("read_write")
        conn = create_connection(
            db, name=name, url=url, consumer_key=key, consumer_secret=secret,
            is_default=name == "Retail",
        )  # fmt: skip
        set_mapping(db, conn.id, FIELDS)
    ids = add_products(
        db,
        [
            tee("SEL-1", categories=["Shoes"], status="publish"),
            tee("SEL-2", categories=["Hats"], status="draft"),
            tee("SEL-3", categories=["Shoes"], tags=["retail-only"], status="publish"),
        ],
    )
    yield db, ids
    db.dispose()


def _tombstones(db: Database) -> list[str]:
    from sqlmodel import select

    with db.session() as session:
        return [row.sku for row in session.exec(select(RemovedProduct)).all()]


def _ok(result: Any) -> Any:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def _plan(cli: Any, *args: str) -> dict[str, Any]:
    return json.loads(_ok(cli("--json", "export", *args, "--dry-run")).stdout)


# deletes that stick -------------------------------------------------------------------------------
def test_a_deleted_product_is_not_planned_again_until_included(cli, setup, shops) -> None:
    _database, ids = setup
    shop, _url = shops[0]
    _ok(cli("export", "--all"))
    deleted = _ok(cli("delete", "-p", str(ids[1]), "--yes"))
    assert "stays out of later exports" in deleted.stderr and "--include" in deleted.stderr
    assert shop.find_sku("SEL-2") is None

    # the reproduction: `delete -p 200 --yes` then `export --all --partial`
    plan = _plan(cli, "--all", "--partial")
    assert plan["summary"] == {"create": 0, "update": 0, "unchanged": 2, "error": 0, "excluded": 1}
    assert plan["excluded"] == [
        {
            "productId": ids[1],
            "sku": "SEL-2",
            "reason": "deleted",
            "message": "deleted from this store by 'woosync delete'",
        }
    ]
    human = _ok(cli("export", "--all", "--partial", "--dry-run"))
    assert (
        "2 unchanged, 0 skipped, 1 excluded," in human.stdout
        and "left out: product" in human.stdout
    )
    ran = json.loads(_ok(cli("--json", "export", "--all", "--partial")).stdout)
    assert (ran["syncedCount"], ran["excludedCount"]) == (2, 1)
    assert shop.find_sku("SEL-2") is None
    assert json.loads(_ok(cli("--json", "export", "--retry-failed")).stdout)["syncedCount"] == 0

    # named explicitly: reported as excluded (a warning, exit 0), not silently dropped, not sent
    named = _ok(cli("--json", "export", "--sku", "SEL-2"))
    assert json.loads(named.stdout)["excluded"][0]["sku"] == "SEL-2"
    assert "not exported: deleted from this store" in named.stderr and "--include" in named.stderr
    assert shop.find_sku("SEL-2") is None

    # only the other store is affected
    assert _plan(cli, "--connection", "Wholesale", "--all")["summary"]["create"] == 3

    # --include lifts it for good; a dry run with it writes nothing, not even the exclusion
    assert _plan(cli, "--sku", "SEL-2", "--include")["summary"]["create"] == 1
    assert _plan(cli, "--all")["summary"]["excluded"] == 1
    refused = cli("export", "--all", "--include")
    assert refused.exit_code == 2 and "--product or --sku" in refused.stderr
    _ok(cli("export", "--sku", "SEL-2", "--include"))
    assert shop.find_sku("SEL-2") is not None
    assert _plan(cli, "--all", "--partial")["summary"]["excluded"] == 0


def test_exclude_keeps_the_store_copy_and_include_updates_it(cli, setup, shops) -> None:
    store, ids = setup
    shop, _url = shops[0]
    _ok(cli("export", "--all"))
    woo_id = shop.find_sku("SEL-1")["id"]
    excluded = json.loads(_ok(cli("--json", "products", "exclude", "-c", "Retail", "SEL-1")).stdout)
    assert excluded["excluded"] == [
        {"productId": ids[0], "sku": "SEL-1", "wooProductId": woo_id, "already": False}
    ]
    again = _ok(cli("products", "exclude", "--connection", "1", "SEL-1"))
    assert "already excluded" in again.stdout
    assert sync_of(store, 1, ids[0]) is not None  # the link stays: include updates that copy

    with store.session() as session:
        product = session.get(Product, ids[0])
        assert product is not None
        product.price = "99.00"
        session.add(product)
    plan = _plan(cli, "--all", "--partial")
    assert plan["summary"]["excluded"] == 1 and plan["excluded"][0]["reason"] == "excluded"
    _ok(cli("export", "--all", "--partial"))
    assert shop.find_sku("SEL-1")["regular_price"] == "10.00"

    # an import from that store leaves it alone too
    imported = json.loads(_ok(cli("--json", "import", "--update-existing")).stdout)
    left_out = {p["sku"]: p for p in imported["products"] if p["status"] == "excluded"}
    assert "excluded from this store" in left_out["SEL-1"]["message"]
    assert (imported["counts"]["excluded"], imported["counts"]["skipped"]) == (1, 0)
    assert imported["skippedCount"] == 0  # the same count as counts.skipped
    human = _ok(cli("import", "--update-existing"))
    assert "0 skipped, 1 excluded, 0 conflicts, 0 failed" in human.stdout
    assert "1 excluded: --verbose lists them and why" in human.stdout
    with store.session() as session:
        assert session.get(Product, ids[0]).price == "99.00"

    status = json.loads(_ok(cli("--json", "sync-status")).stdout)
    assert status["summary"] == {
        "synced": 2, "pending": 0, "error": 0, "excluded": 1, "total": 3
    }  # fmt: skip
    record = next(r for r in status["records"] if r["productId"] == ids[0])
    assert (record["syncStatus"], record["excludedReason"]) == ("excluded", "excluded")
    assert "excluded (products exclude)" in _ok(cli("sync-status")).stdout
    only = json.loads(_ok(cli("--json", "sync-status", "--status", "excluded")).stdout)
    assert [r["productId"] for r in only["records"]] == [ids[0]]

    included = json.loads(_ok(cli("--json", "products", "include", "-c", "Retail", "SEL-1")).stdout)
    assert included["included"][0]["wasExcluded"] is True
    _ok(cli("export", "--all", "--partial"))
    assert shop.find_sku("SEL-1")["id"] == woo_id  # the same copy, updated, not a second one
    assert shop.find_sku("SEL-1")["regular_price"] == "99.00"


def test_exclude_and_include_refuse_unknown_skus_and_change_nothing(cli, setup) -> None:
    unknown = cli("products", "exclude", "-c", "Retail", "SEL-1", "NOPE")
    assert unknown.exit_code == 3 and "NOPE" in unknown.stderr and "Traceback" not in unknown.stderr
    assert _plan(cli, "--all")["summary"]["excluded"] == 0
    no_store = cli("products", "exclude", "-c", "Nowhere", "SEL-1")
    assert no_store.exit_code == 3
    missing = cli("products", "exclude", "SEL-1")
    assert missing.exit_code == 2 and "--connection" in missing.stderr


def test_a_deleted_product_shows_as_excluded_in_sync_status(cli, setup) -> None:
    _database, ids = setup
    _ok(cli("export", "--all"))
    _ok(cli("delete", "-p", str(ids[2]), "--yes"))
    status = json.loads(_ok(cli("--json", "sync-status")).stdout)
    assert status["summary"]["excluded"] == 1 and status["summary"]["total"] == 3
    stand_in = next(r for r in status["records"] if r["productId"] == ids[2])
    assert stand_in["syncStatus"] == "excluded" and stand_in["excludedReason"] == "deleted"
    errors = json.loads(_ok(cli("--json", "sync-status", "--status", "synced")).stdout)
    assert ids[2] not in [r["productId"] for r in errors["records"]]


# products: selections -----------------------------------------------------------------------------
SELECTION = """\
store: Wholesale
products:
  include:
    categories: [shoes]     # any case
    skus: [SEL-2]
  exclude:
    tags: [retail-only]
"""


def test_a_mapping_files_products_selection_is_applied_dumped_and_honoured(
    cli, setup, shops, tmp_path
) -> None:
    _database, ids = setup
    wholesale, _url = shops[1]
    path = tmp_path / "wholesale.yaml"
    path.write_text(SELECTION)
    dry = _ok(cli("mappings", "apply", "--dry-run", str(path)))
    assert "+ would create the products selection for 'Wholesale'" in dry.stdout
    assert "    + products.include.categories shoes" in dry.stdout.splitlines()
    assert "    + products.exclude.tags retail-only" in dry.stdout.splitlines()
    applied = json.loads(_ok(cli("--json", "mappings", "apply", str(path))).stdout)
    assert applied[0]["direction"] == "products" and applied[0]["action"] == "create"
    assert json.loads(_ok(cli("--json", "mappings", "apply", str(path))).stdout) == []

    plan = _plan(cli, "--connection", "Wholesale", "--all")
    assert [p["sku"] for p in plan["products"]] == ["SEL-1", "SEL-2"]
    assert plan["excluded"] == [
        {
            "productId": ids[2],
            "sku": "SEL-3",
            "reason": "selection",
            "message": "outside this store's products: selection (its mapping file)",
        }
    ]
    _ok(cli("export", "--connection", "Wholesale", "--all"))
    assert wholesale.find_sku("SEL-3") is None and wholesale.find_sku("SEL-1") is not None
    named = _ok(cli("export", "--connection", "Wholesale", "--sku", "SEL-3", "--include"))
    assert "outside this store's products: selection" in named.stderr
    assert "mapping file" in named.stderr and wholesale.find_sku("SEL-3") is None
    assert _plan(cli, "--all")["summary"]["create"] == 3  # Retail has no selection

    dumped = _ok(cli("mappings", "dump", "--connection", "Wholesale")).stdout
    assert "products:" in dumped and "categories: [shoes]" in dumped
    again = tmp_path / "again.yaml"
    again.write_text(dumped)
    assert json.loads(_ok(cli("--json", "mappings", "apply", str(again))).stdout) == []

    # a narrower selection deletes nothing; sync-status shows what the store has and no longer gets
    path.write_text(SELECTION + "    skus: [SEL-1]\n")
    assert "updated the products selection" in _ok(cli("mappings", "apply", str(path))).stdout
    status = json.loads(_ok(cli("--json", "sync-status", "-c", "Wholesale")).stdout)
    assert status["summary"]["excluded"] == 1 and status["summary"]["synced"] == 1
    outcast = next(r for r in status["records"] if r["productId"] == ids[0])
    assert (outcast["syncStatus"], outcast["excludedReason"]) == ("excluded", "selection")
    assert wholesale.find_sku("SEL-1") is not None

    path.write_text("store: Wholesale\nproducts: {}\n")
    removed = _ok(cli("mappings", "apply", str(path)))
    assert "removed the products selection" in removed.stdout
    assert _plan(cli, "--connection", "Wholesale", "--all", "--partial")["summary"]["excluded"] == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("products:\n  include:\n    sku: [A]\n", "sel.yaml:4: products.include.sku: unknown key"),
        ("products:\n  include:\n    status: [published]\n", "sel.yaml:4: products.include.status"),
        ("products:\n  exclude:\n    skus: [0123]\n", 'write it in quotes: "0123"'),
        ("products:\n  only: {skus: [A]}\n", "products.only: unknown key"),
        ("products:\n  include:\n    tags: ['']\n", "names must not be empty"),
        ("products: [A, B]\n", "sel.yaml:2: products:"),
        ("products:\n  include:\n    categories: ['Kitchen >']\n", "has an empty level"),
    ],
)
def test_a_bad_products_section_is_refused_with_its_line(
    cli, setup, tmp_path, text, message
) -> None:
    path = tmp_path / "sel.yaml"
    path.write_text("store: Wholesale\n" + text)
    result = cli("mappings", "apply", str(path))
    assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert _plan(cli, "--connection", "Wholesale", "--all")["summary"]["excluded"] == 0


CATEGORY_PATHS = r"""store: Wholesale
products:
  include:
    categories: [KITCHEN, 'Tools \> Parts']   # a parent takes its subcategories; \> is a '>' in a name
  exclude:
    categories: ['kitchen > mugs > travel']
"""


def test_category_rules_match_by_path_and_take_subcategories(cli, setup, tmp_path) -> None:
    database, _ids = setup
    made = add_products(
        database,
        [
            tee("CAT-MUG", categories=["Kitchen > Mugs"]),
            tee("CAT-TRAVEL", categories=["Kitchen > Mugs > Travel"]),
            tee("CAT-PARTS", categories=[r"Tools \> Parts"]),  # one category named "Tools > Parts"
            tee("CAT-TOOLS", categories=["Tools > Parts"]),  # Parts under Tools
            tee("CAT-WARE", categories=["Kitchenware"]),
        ],
    )
    path = tmp_path / "paths.yaml"
    path.write_text(CATEGORY_PATHS)
    _ok(cli("mappings", "apply", str(path)))

    plan = _plan(cli, "--connection", "Wholesale", "--all")

    assert [p["sku"] for p in plan["products"]] == ["CAT-MUG", "CAT-PARTS"]
    left_out = {e["sku"]: e["reason"] for e in plan["excluded"]}
    assert {sku: left_out.get(sku) for sku in ("CAT-TRAVEL", "CAT-TOOLS", "CAT-WARE")} == {
        "CAT-TRAVEL": "selection",
        "CAT-TOOLS": "selection",
        "CAT-WARE": "selection",
    }
    assert set(made) - {p["productId"] for p in plan["products"]} == {
        e["productId"] for e in plan["excluded"] if e["sku"].startswith("CAT-")
    }


BRAND_RULES = """store: Wholesale
products:
  include:
    brands: [acme]      # any case, and what is under it (a path, as a category rule)
  exclude:
    brands: [Acme Kids]
"""


def test_brand_rules_take_a_brands_products(cli, setup, tmp_path) -> None:
    database, _ids = setup
    add_products(
        database,
        [
            tee("BR-ACME", brands=["Acme"]),
            tee("BR-BOTH", brands=["Nord", "ACME"]),
            tee("BR-KIDS", brands=["Acme", "Acme Kids"]),
            tee("BR-NORD", brands=["Nord"]),
            tee("BR-SUB", brands=["Acme > Acme Pro"]),  # a rule takes its sub-brands too
        ],
    )
    path = tmp_path / "brands.yaml"
    path.write_text(BRAND_RULES)
    _ok(cli("mappings", "apply", str(path)))

    plan = _plan(cli, "--connection", "Wholesale", "--all")

    assert [p["sku"] for p in plan["products"]] == ["BR-ACME", "BR-BOTH", "BR-SUB"]
    dumped = cli("mappings", "dump", "--connection", "Wholesale")
    assert "brands: [acme]" in dumped.stdout and "brands: [Acme Kids]" in dumped.stdout


# remove and tombstones ----------------------------------------------------------------------------
def test_a_removed_product_is_not_imported_again_until_restored(cli, setup, shops) -> None:
    store, ids = setup
    shop, _url = shops[0]
    _ok(cli("export", "--all"))
    # the reproduction: `products remove 199`, then an import does not bring it back
    removed = _ok(cli("products", "remove", str(ids[0]), "--yes"))  # no terminal: keeps copies
    assert "the stores keep their copies (Retail)" in removed.stderr
    assert shop.find_sku("SEL-1") is not None
    imported = json.loads(_ok(cli("--json", "import", "--update-existing")).stdout)
    entry = next(p for p in imported["products"] if p["sku"] == "SEL-1")
    assert entry["status"] == "skipped" and "removed locally" in entry["message"]
    assert "--restore-removed" in entry["message"]
    with store.session() as session:
        assert session.get(Product, ids[0]) is None

    dry = _ok(cli("import", "--restore-removed", "--dry-run"))
    assert "restored (had been removed locally): SEL-1" in dry.stdout
    assert _tombstones(store) == ["SEL-1"]
    restored = json.loads(_ok(cli("--json", "import", "--restore-removed")).stdout)
    assert restored["restoredSkus"] == ["SEL-1"]
    assert _tombstones(store) == []
    with store.session() as session:
        assert session.exec(select(Product).where(Product.sku == "SEL-1")).first() is not None


def test_remove_from_stores_deletes_every_copy_and_load_recreates_it(
    cli, setup, shops, tmp_path
) -> None:
    store, ids = setup
    (retail, _u1), (wholesale, _u2) = shops
    _ok(cli("export", "--all"))
    _ok(cli("export", "--connection", "Wholesale", "--all"))
    both = cli("products", "remove", str(ids[1]), "--from-stores", "--keep-in-stores", "--yes")
    assert both.exit_code == 2
    removed = json.loads(
        _ok(cli("--json", "products", "remove", str(ids[1]), "--from-stores", "--yes")).stdout
    )
    assert [(s["storeName"], s["status"]) for s in removed["stores"]] == [
        ("Retail", "deleted"),
        ("Wholesale", "deleted"),
    ]
    assert removed["syncRecordsRemoved"] == 2  # the stores' deletes took them, counted all the same
    assert retail.find_sku("SEL-2") is None and wholesale.find_sku("SEL-2") is None
    assert _tombstones(store) == ["SEL-2"]

    # loading it again is explicit: it comes back and its tombstone goes
    path = tmp_path / "again.json"
    path.write_text(json.dumps([{"sku": "SEL-2", "name": "Back", "price": "5.00"}]))
    _ok(cli("products", "load", str(path)))
    assert _tombstones(store) == []
    assert _plan(cli, "--all", "--partial")["summary"]["create"] == 1  # a new product: no exclusion


def test_remove_keeps_the_product_when_a_store_cannot_delete_it(cli, setup, shops) -> None:
    store, ids = setup
    retail, _url = shops[0]
    _ok(cli("export", "--all"))
    _ok(cli("export", "--connection", "Wholesale", "--all"))
    from woosync.core.locks import store_lock

    with store_lock(2, label="test", database=store.path):  # Wholesale is busy
        result = cli("--json", "products", "remove", str(ids[0]), "--from-stores", "--yes")
    assert result.exit_code == 1 and "was not removed" in result.stderr
    answer = json.loads(result.stdout)
    assert (answer["sku"], answer["syncRecordsRemoved"]) == ("SEL-1", 0)
    assert [s["status"] for s in answer["stores"]] == ["deleted", "failed"]
    assert retail.find_sku("SEL-1") is None
    with store.session() as session:
        assert session.get(Product, ids[0]) is not None  # run it again to finish
    assert _tombstones(store) == []
    assert sync_of(store, 2, ids[0]) is not None
    _ok(cli("products", "remove", str(ids[0]), "--from-stores", "--yes"))
    assert shops[1][0].find_sku("SEL-1") is None


def test_remove_asks_on_a_terminal_whether_to_delete_the_store_copies(
    cli, setup, shops, monkeypatch
) -> None:
    _database, ids = setup
    retail, _url = shops[0]
    _ok(cli("export", "--all"))
    monkeypatch.setattr("woosync.core.terminal.stdin_is_terminal", lambda: True)
    kept = _ok(cli("products", "remove", str(ids[0]), input="y\nn\n"))
    assert "Delete it from the 1 store(s) that hold it too (Retail)?" in kept.stderr
    assert retail.find_sku("SEL-1") is not None
    deleted = _ok(cli("products", "remove", str(ids[1]), input="y\ny\n"))
    assert "deleted from 1 store(s)" in deleted.stderr
    assert retail.find_sku("SEL-2") is None
    quiet = _ok(cli("products", "remove", str(ids[2]), "--yes", "--keep-in-stores"))
    assert "store(s) that hold it" not in quiet.stderr and retail.find_sku("SEL-3") is not None


def test_add_of_a_removed_sku_drops_its_tombstone(cli, setup) -> None:
    store, ids = setup
    _ok(cli("products", "remove", str(ids[2]), "--yes", "--keep-in-stores"))
    assert _tombstones(store) == ["SEL-3"]
    _ok(cli("products", "add", "--sku", "sel-3", "--name", "Back again"))  # any case
    assert _tombstones(store) == []


def test_update_of_an_excluded_product_says_why_and_sends_nothing(cli, setup, shops) -> None:
    store, ids = setup
    shop, _url = shops[0]
    _ok(cli("export", "--all"))
    _ok(cli("products", "exclude", "-c", "Retail", "SEL-1"))
    with store.session() as session:
        product = session.get(Product, ids[0])
        assert product is not None
        product.price = "42.00"
        session.add(product)
    refused = cli("update", "--product", str(ids[0]))
    assert refused.exit_code == 2 and "excluded from this store" in refused.stderr
    assert "woosync products include --connection 1 SEL-1" in refused.stderr
    assert shop.find_sku("SEL-1")["regular_price"] == "10.00"


def test_removing_an_excluded_product_takes_its_exclusion_along(cli, setup) -> None:
    _database, ids = setup
    _ok(cli("products", "exclude", "-c", "Retail", "SEL-1"))
    _ok(cli("products", "exclude", "-c", "Wholesale", "SEL-1"))
    _ok(cli("products", "remove", str(ids[0]), "--yes", "--keep-in-stores"))
    for connection in ("1", "2"):
        status = json.loads(_ok(cli("--json", "sync-status", "-c", connection)).stdout)
        assert status["summary"]["excluded"] == 0 and status["records"] == []
