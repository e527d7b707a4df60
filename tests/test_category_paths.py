"""Category paths (``Kitchen > Mugs``, parsed by ``woosync.products.categories``): the registry resolving a path's chain
once per store (keyed by path, reused across runs, never duplicated), ``--no-create-terms``, and
an export through the CLI to two sandbox stores."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from test_export_support import add_products, set_mapping, tee
from woosync.db.engine import Database, open_database
from woosync.db.models import Connection
from woosync.sandbox import SandboxStore
from woosync.services.connections.records import create_connection
from woosync.services.export.registry import CATEGORY, StoreRegistry
from woosync.woo import WooClient

GADGETS = "Tools \\> Gadgets"  # one category called "Tools > Gadgets"


# the registry against a sandbox store --------------------------------------------------------------
@pytest.fixture
def shop() -> SandboxStore:
    return SandboxStore(seed=4)


@pytest.fixture
def client(shop: SandboxStore) -> Iterator[WooClient]:
    key, secret = shop.create_key("read_write")
    transport = httpx.WSGITransport(app=shop.wsgi_app)
    with WooClient("http://store.test", key, secret, transport=transport) as woo:
        yield woo


def tree(client: WooClient) -> dict[str, int]:
    """The store's categories as ``{path: id}`` (Uncategorized left out)."""
    listed = client.list_all("/products/categories", {"hide_empty": "false"})
    by_id = {int(c["id"]): c for c in listed}

    def path(term: dict[str, Any]) -> str:
        parent = by_id.get(int(term["parent"] or 0))
        own = str(term["name"]).replace("&gt;", ">").replace(">", "\\>")
        return f"{path(parent)} > {own}" if parent else own

    paths = Counter(path(c) for c in listed if c["slug"] != "uncategorized")
    assert max(paths.values(), default=1) == 1, paths  # never one path twice
    return {path(c): int(c["id"]) for c in listed if c["slug"] != "uncategorized"}


def test_a_paths_chain_is_created_once_and_reused_by_every_path(client: WooClient) -> None:
    registry = StoreRegistry(1)
    paths = ["Kitchen > Mugs", "Kitchen>Plates", "Kitchen", "Home > Kitchen > Mugs", GADGETS]

    registry.prepare(client, categories=paths)

    made = tree(client)
    assert sorted(made) == sorted(
        [
            "Kitchen", "Kitchen > Mugs", "Kitchen > Plates", "Home", "Home > Kitchen",
            "Home > Kitchen > Mugs", GADGETS,
        ]
    )  # fmt: skip
    assert registry.category_id("Kitchen > Mugs") == made["Kitchen > Mugs"]
    assert registry.category_id("kitchen >plates") == made["Kitchen > Plates"]  # one spelling
    assert registry.category_id("Home > Kitchen") == made["Home > Kitchen"]  # ancestors kept
    assert registry.category_id(GADGETS) == made[GADGETS]
    assert len(registry.created) == 7


def test_paths_are_found_under_their_parent_in_an_existing_tree(
    client: WooClient, shop: SandboxStore
) -> None:
    outdoor = client.post("/products/categories", {"name": "Outdoor"})
    nested = client.post("/products/categories", {"name": "Mugs", "parent": outdoor["id"]})
    registry = StoreRegistry(1)

    registry.prepare(client, categories=["Mugs", "Kitchen > Mugs", "Outdoor > Mugs"])

    made = tree(client)
    # a lone name still finds the category of that name lower down (as before paths) ...
    assert registry.category_id("Mugs") == nested["id"]
    assert registry.category_id("Outdoor > Mugs") == nested["id"]
    # ... but a path only takes Mugs under its own parent
    assert registry.category_id("Kitchen > Mugs") == made["Kitchen > Mugs"] != nested["id"]


def test_the_registry_is_keyed_by_path_and_reused_across_runs(
    client: WooClient, db_path: Path
) -> None:
    db = open_database(db_path)
    with db.session() as session:
        session.add(Connection(id=1, store_name="Retail", store_url="http://store.test"))
    first = StoreRegistry(1)
    first.prepare(client, categories=["Kitchen > Mugs"])
    with db.session() as session:
        assert first.flush(session) == 2
    before = client.stats.requests

    with db.session() as session:
        again = StoreRegistry.load(session, 1)
    again.prepare(client, categories=["Kitchen>Mugs", "kitchen"])

    # known by path: one listing checks the ids are still the store's, nothing is created
    assert client.stats.requests == before + 1
    assert again.category_id("Kitchen > Mugs") == first.category_id("Kitchen > Mugs")
    db.dispose()


def test_an_old_literal_category_row_is_not_taken_for_a_path(
    client: WooClient, db_path: Path
) -> None:
    """Before paths, "Kitchen > Mugs" was created as one category of that name and its row kept
    under kind "category": the path must not reuse it."""
    literal = client.post("/products/categories", {"name": "Kitchen > Mugs"})
    db = open_database(db_path)
    with db.session() as session:
        session.add(Connection(id=1, store_name="Retail", store_url="http://store.test"))
    with db.engine.begin() as sql:
        sql.exec_driver_sql(
            "INSERT INTO store_refs (connection_id, kind, key, woo_id, created_at) VALUES "
            f"(1, 'category', 'Kitchen > Mugs', {literal['id']}, '2025-01-01'), "
            "(1, 'category', 'Hats', 4242, '2025-01-01')"
        )
    with db.session() as session:
        registry = StoreRegistry.load(session, 1)

    assert registry.get(CATEGORY, "Hats") == 4242  # an old name without ">" is still a path
    registry.prepare(client, categories=["Kitchen > Mugs"])
    assert registry.category_id("Kitchen > Mugs") != literal["id"]
    db.dispose()


def test_without_creating_a_missing_path_says_which_name_is_missing(client: WooClient) -> None:
    client.post("/products/categories", {"name": "Kitchen"})
    registry = StoreRegistry(1)

    registry.prepare(client, categories=["Kitchen > Mugs", "Kitchen > > Cups"], create=False)

    assert registry.missing[(CATEGORY, "Kitchen > Mugs")] == (
        'category "Mugs" under "Kitchen" does not exist in the store'
    )
    assert "has an empty level" in registry.missing[(CATEGORY, "Kitchen > > Cups")]
    assert sorted(tree(client)) == ["Kitchen"]  # nothing created


# through the CLI, two stores -----------------------------------------------------------------------
@pytest.fixture
def two_stores(db_path: Path) -> Iterator[tuple[Database, list[tuple[SandboxStore, int]]]]:
    db = open_database(db_path)
    shops = [SandboxStore(seed=n) for n in (1, 2)]
    with shops[0].serve() as first, shops[1].serve() as second:
        conns = []
        for shop, url, name in ((shops[0], first, "Retail"), (shops[1], second, "Outlet")):
            key, secret = shop.create_key("read_write")
            conn = create_connection(
                db, name=name, url=url, consumer_key=key, consumer_secret=secret
            )
            conns.append((shop, conn.id))
        yield db, conns
    db.dispose()


def store_tree(shop: SandboxStore) -> dict[str, int]:
    key, secret = shop.create_key("read")
    transport = httpx.WSGITransport(app=shop.wsgi_app)
    with WooClient("http://store.test", key, secret, transport=transport) as client:
        return tree(client)


def test_export_builds_each_stores_tree_once(cli, two_stores) -> None:
    db, stores = two_stores
    add_products(
        db,
        [
            tee("MUG-1", categories=["Kitchen > Mugs"]),
            tee("MUG-2", categories=["Kitchen > Mugs", GADGETS]),
            tee("PLATE", categories=["Kitchen > Plates"]),
        ],
    )
    for shop, conn in stores:
        result = cli(
            "--json", "export", "-c", str(conn), "--all", "--fields", "name,sku,categories"
        )
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["syncedCount"] == 3
        made = store_tree(shop)
        assert sorted(made) == ["Kitchen", "Kitchen > Mugs", "Kitchen > Plates", GADGETS]
        mug = next(p for p in shop.products.values() if p["sku"] == "MUG-2")
        assert sorted(c["id"] for c in mug["categories"]) == sorted(
            [made["Kitchen > Mugs"], made[GADGETS]]
        )

    add_products(db, [tee("CUP", categories=["Kitchen > Mugs"])])
    shop, conn = stores[0]
    shop.stats.reset()
    again = cli("export", "-c", str(conn), "--all", "--fields", "name,sku,categories")
    assert again.exit_code == 0, again.stderr
    routes = shop.stats.snapshot()["by_route"]
    assert routes == {  # the known categories checked in one listing, none created
        "GET /wc/v3/products": 1,
        "GET /wc/v3/products/categories": 1,
        "POST /wc/v3/products/batch": 1,
    }
    assert sorted(store_tree(shop)) == ["Kitchen", "Kitchen > Mugs", "Kitchen > Plates", GADGETS]


def test_no_create_terms_refuses_a_new_path(cli, two_stores) -> None:
    db, stores = two_stores
    shop, conn = stores[0]
    add_products(db, [tee("MUG-1", categories=["Kitchen > Mugs"])])

    result = cli(
        "--json", "export", "-c", str(conn), "--all", "--fields", "name,sku,categories",
        "--no-create-terms",
    )  # fmt: skip

    assert result.exit_code == 1
    [item] = json.loads(result.stdout)["results"]
    assert item["status"] == "error"
    assert 'category "Kitchen" does not exist in the store' in item["message"]
    assert store_tree(shop) == {} and not [p for p in shop.products.values() if p["sku"]]


def test_a_category_tag_or_attribute_deleted_in_the_store_is_made_again(
    cli, two_stores, tmp_path: Path
) -> None:
    """WooCommerce drops an unknown category, tag or global attribute id from a write without a
    word (checked on a real store: the product lands in Uncategorized). The registry's ids are
    checked against the store before they are sent, so what was deleted there is made again."""
    db, stores = two_stores
    shop, conn = stores[0]
    add_products(
        db,
        [tee("MUG-1", categories=["Kitchen > Mugs"], tags=["gift"], attributes={"COLOR": "Red"})],
    )
    fields = ["--fields", "name,sku,categories,tags,COLOR"]
    set_mapping(db, conn, ["name", "sku"], {"COLOR": "pa_color"})
    assert cli("export", "-c", str(conn), "--all", *fields).exit_code == 0
    key, secret = shop.create_key("read_write")
    transport = httpx.WSGITransport(app=shop.wsgi_app)
    with WooClient("http://store.test", key, secret, transport=transport) as woo:
        mugs = store_tree(shop)["Kitchen > Mugs"]
        woo.delete(f"/products/categories/{mugs}", {"force": "true"})
        [gift] = woo.get("/products/tags")
        woo.delete(f"/products/tags/{gift['id']}", {"force": "true"})
        [color] = woo.get("/products/attributes")
        woo.delete(f"/products/attributes/{color['id']}", {"force": "true"})
    add_products(
        db,
        [tee("MUG-2", categories=["Kitchen > Mugs"], tags=["gift"], attributes={"COLOR": "Red"})],
    )

    result = cli("--json", "export", "-c", str(conn), "--all", "--partial", *fields)

    assert result.exit_code == 0, result.stderr
    made = store_tree(shop)
    assert sorted(made) == ["Kitchen", "Kitchen > Mugs"] and made["Kitchen > Mugs"] != mugs
    new = next(p for p in shop.products.values() if p["sku"] == "MUG-2")
    assert [c["id"] for c in new["categories"]] == [made["Kitchen > Mugs"]]
    assert [t["name"] for t in new["tags"]] == ["gift"]
    assert [(a["slug"], a["options"]) for a in new["attributes"]] == [("pa_color", ["Red"])]


def test_a_parent_category_deleted_in_the_store_is_made_again_for_a_new_path(
    cli, two_stores
) -> None:
    db, stores = two_stores
    shop, conn = stores[0]
    fields = ["--fields", "name,sku,categories"]
    add_products(db, [tee("MUG-1", categories=["Kitchen > Mugs"])])
    assert cli("export", "-c", str(conn), "--all", *fields).exit_code == 0
    kitchen = store_tree(shop)["Kitchen"]
    key, secret = shop.create_key("read_write")
    transport = httpx.WSGITransport(app=shop.wsgi_app)
    with WooClient("http://store.test", key, secret, transport=transport) as woo:
        woo.delete(f"/products/categories/{kitchen}", {"force": "true"})
    add_products(db, [tee("PLATE", categories=["Kitchen > Plates"])])

    result = cli("--json", "export", "-c", str(conn), "--all", "--partial", *fields)

    assert result.exit_code == 0, result.stderr
    made = store_tree(shop)
    assert made["Kitchen"] != kitchen and "Kitchen > Plates" in made
    plate = next(p for p in shop.products.values() if p["sku"] == "PLATE")
    assert [c["id"] for c in plate["categories"]] == [made["Kitchen > Plates"]]
