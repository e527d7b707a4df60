"""Export of variable products through the CLI to a sandbox store: the parent with its variation
attributes, then its variations per parent; --partial per variation; --prune-variations; SKUs held
elsewhere named; every variation exactly once under faults."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from test_export_support import set_mapping
from woosync.db.engine import open_database
from woosync.db.models import Product, ProductSync
from woosync.sandbox import Faults, SandboxStore
from woosync.services.catalog.reading import field_value
from woosync.services.connections.records import create_connection
from woosync.services.export.results import ExportResult
from woosync.services.export.variation_records import load_families
from woosync.services.export.variation_results import PrunedVariation
from woosync.shapes import export as export_shapes
from woosync.woo import WooClient

CATALOG = """
- sku: TEE
  name: Organic Tee
  type: variable
  categories: ["Clothing > Tees"]
  attributes: {Size: [S, M, L], Color: [Red, Blue]}
  variations:
    - {sku: TEE-S-RED, attributes: {Size: S, Color: Red}, price: "20.00", manage_stock: true, stock_quantity: 5}
    - {sku: TEE-M-RED, attributes: {Size: M, Color: Red}, price: "21.00", stock_quantity: 0}
    - {sku: TEE-L-BLUE, attributes: {Size: L, Color: Blue}, price: "22.00"}
- sku: MUG
  name: Mug
  price: "9.00"
"""
FIELDS = "name,sku,price,manage_stock,stock_quantity,categories"


@pytest.fixture
def shop(db_path: Path, tmp_path: Path, cli) -> Iterator[tuple[SandboxStore, int]]:
    sandbox = SandboxStore(seed=7)
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(CATALOG)
    loaded = cli("products", "load", str(catalog))
    assert loaded.exit_code == 0, loaded.stderr
    db = open_database(db_path)
    with sandbox.serve() as url:
        key, secret = sandbox.create_key("read_write")
        conn = create_connection(
            db, name="Retail", url=url, consumer_key=key, consumer_secret=secret
        )
        yield sandbox, conn.id
    db.dispose()


def store_parent(sandbox: SandboxStore, sku: str = "TEE") -> dict[str, Any]:
    return next(p for p in sandbox.products.values() if p["sku"] == sku)


def batches(sandbox: SandboxStore) -> Counter[str]:
    return Counter(
        f"{method} {route}"
        for (method, route), n in sandbox.stats.by_route.items()
        for _ in range(n)
    )


def export(cli, conn: int, *extra: str) -> dict[str, Any]:
    result = cli("--json", "export", "-c", str(conn), "--all", "--fields", FIELDS, *extra)
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_a_variable_product_goes_out_with_its_variations(cli, shop) -> None:
    sandbox, conn = shop

    data = export(cli, conn)

    assert data["success"], data
    assert data["syncedCount"] == 5  # two products and three variations
    parent = store_parent(sandbox)
    assert parent["type"] == "variable"
    variation_attributes = {a["name"]: a for a in parent["attributes"]}
    assert variation_attributes["Size"]["variation"] and variation_attributes["Color"]["variation"]
    held = {v["sku"]: v for v in sandbox.variations(parent["id"])}
    assert sorted(held) == ["TEE-L-BLUE", "TEE-M-RED", "TEE-S-RED"]
    assert (
        held["TEE-S-RED"]["regular_price"] == "20.00" and held["TEE-S-RED"]["stock_quantity"] == 5
    )
    assert {a["option"] for a in held["TEE-M-RED"]["attributes"]} == {"M", "Red"}
    by_id = {r["productId"]: r for r in data["results"]}
    variation_results = [r for r in data["results"] if "parentProductId" in r]
    assert len(variation_results) == 3
    assert {r["wooProductId"] for r in variation_results} == {v["id"] for v in held.values()}
    assert all(
        by_id[r["parentProductId"]]["wooProductId"] == parent["id"] for r in variation_results
    )


def test_partial_sends_one_changed_variation_in_one_request(cli, shop) -> None:
    sandbox, conn = shop
    export(cli, conn)
    sandbox.stats.reset()

    unchanged = export(cli, conn, "--partial")
    assert unchanged["success"] and sandbox.stats.by_method.get("POST", 0) == 0

    edited = cli("products", "edit", "TEE-M-RED", "--price", "25.00")
    assert edited.exit_code == 0, edited.stderr
    sandbox.stats.reset()
    changed = export(cli, conn, "--partial")

    assert changed["success"]
    posts = {route: n for (method, route), n in sandbox.stats.by_route.items() if method == "POST"}
    parent = store_parent(sandbox)
    assert posts == {"/wc/v3/products/{product_id}/variations/batch": 1}  # nothing for the parent
    assert sandbox.stats.items_updated == 1 and sandbox.stats.items_created == 0
    held = {v["sku"]: v for v in sandbox.variations(parent["id"])}
    assert held["TEE-M-RED"]["regular_price"] == "25.00"


def test_a_sku_held_by_a_simple_product_is_an_error_naming_it(cli, shop) -> None:
    sandbox, conn = shop
    squatter = sandbox.create_product(
        {"name": "Not a tee", "sku": "TEE-L-BLUE", "regular_price": "1"}
    )

    data = export(cli, conn)

    failed = [r for r in data["results"] if r["status"] == "error"]
    assert len(failed) == 1 and f"simple product #{squatter['id']}" in failed[0]["message"]
    assert len(sandbox.variations(store_parent(sandbox)["id"])) == 2


def test_variations_made_by_hand_are_linked_by_options_and_prune_deletes_strays(cli, shop) -> None:
    sandbox, conn = shop
    parent = sandbox.create_product(
        {
            "name": "Organic Tee", "sku": "TEE", "type": "variable",
            "attributes": [
                {"name": "Size", "variation": True, "options": ["S", "M", "L"]},
                {"name": "Color", "variation": True, "options": ["Red", "Blue"]},
            ],
        }
    )  # fmt: skip

    def by_hand(sku: str, size: str, color: str) -> int:
        attributes = [{"name": "Size", "option": size}, {"name": "Color", "option": color}]
        return int(
            sandbox.create_variation(parent["id"], {"sku": sku, "attributes": attributes})["id"]
        )

    no_sku = by_hand("", "S", "Red")  # the catalog's TEE-S-RED, without its SKU
    stray = by_hand("STRAY", "L", "Red")  # not in the catalog

    left = export(cli, conn)
    assert left["success"], left
    after = {v["id"]: v["sku"] for v in sandbox.variations(parent["id"])}
    assert after[no_sku] == "TEE-S-RED"  # linked by its options and given its SKU, not doubled
    assert stray in after and len(after) == 4  # left alone

    plan = cli("export", "-c", str(conn), "--all", "--fields", FIELDS, "--prune-variations")
    assert plan.exit_code == 0, plan.stderr
    after = {v["id"]: v["sku"] for v in sandbox.variations(parent["id"])}
    assert sorted(after.values()) == ["TEE-L-BLUE", "TEE-M-RED", "TEE-S-RED"]
    assert stray not in after and no_sku in after
    # the run says what it deleted (a dry run says what it would delete)
    assert f"- deleted variation #{stray} (STRAY) of product 1 (--prune-variations)\n" in (
        plan.stdout
    )

    another = by_hand("STRAY-2", "M", "Blue")
    data = export(cli, conn, "--prune-variations")
    assert data["success"] and data["prunedVariations"] == [
        {"parentProductId": 1, "wooVariationId": another, "sku": "STRAY-2", "deleted": True}
    ]
    assert "prunedVariations" not in export(cli, conn, "--prune-variations")  # none left


def test_under_faults_every_variation_lands_exactly_once(cli, shop, db_path: Path) -> None:
    sandbox, conn = shop
    sandbox.faults = Faults(
        error_rates={500: 0.04, 502: 0.03, 503: 0.03}, rate_429=0.05, retry_after=0,
        stall_rate=0.02, stall_seconds=1.2, drop_rate=0.01,
    )  # fmt: skip
    data: dict[str, Any] = {"success": False}
    for _attempt in range(3):  # a run may give a product up; the next one finishes it
        data = export(cli, conn, "--partial")
        if data["success"]:
            break
    sandbox.faults = Faults()

    assert data["success"], data
    parent = store_parent(sandbox)
    skus = Counter(v["sku"] for v in sandbox.variations(parent["id"]))
    assert skus == Counter({"TEE-S-RED": 1, "TEE-M-RED": 1, "TEE-L-BLUE": 1})
    assert Counter(
        p["sku"] for p in sandbox.products.values() if p["type"] != "variation"
    ) == Counter({"TEE": 1, "MUG": 1})


def test_update_and_delete_take_a_variation(cli, shop, db_path: Path) -> None:
    sandbox, conn = shop
    data = export(cli, conn)
    ids = {r.get("wooProductId"): r["productId"] for r in data["results"] if "parentProductId" in r}
    parent = store_parent(sandbox)
    held = {v["sku"]: v["id"] for v in sandbox.variations(parent["id"])}
    medium = ids[held["TEE-M-RED"]]
    assert cli("products", "edit", "TEE-M-RED", "--price", "30.00").exit_code == 0
    sandbox.stats.reset()

    updated = cli("--json", "update", "-c", str(conn), "--product", str(medium), "--fields", FIELDS)

    assert updated.exit_code == 0, updated.stderr
    answered = json.loads(updated.stdout)  # the variation's own result, not its parent's
    assert (answered["productId"], answered["exportedFields"]) == (medium, ["price"])
    assert answered["wooProductId"] == held["TEE-M-RED"] and "parentProductId" in answered
    assert {v["sku"]: v["regular_price"] for v in sandbox.variations(parent["id"])}[
        "TEE-M-RED"
    ] == "30.00"
    assert sandbox.stats.items_updated == 1  # the variation only, not its parent

    deleted = cli("--json", "delete", "-c", str(conn), "--product", str(medium), "--yes")

    assert deleted.exit_code == 0, deleted.stderr
    assert sorted(v["sku"] for v in sandbox.variations(parent["id"])) == ["TEE-L-BLUE", "TEE-S-RED"]
    assert store_parent(sandbox)["id"] == parent["id"]  # the parent stays


def test_a_simple_store_product_with_the_parents_sku_is_never_retyped(cli, shop) -> None:
    sandbox, conn = shop
    simple = sandbox.create_product({"name": "Old tee", "sku": "TEE", "regular_price": "5.00"})

    data = export(cli, conn)

    failed = [r for r in data["results"] if r["status"] == "error"]
    # the parent and its three variations, each naming the store's simple product
    assert len(failed) == 4 and all(
        f"simple product in the store (#{simple['id']})" in r["message"] for r in failed
    )
    held = store_parent(sandbox)
    assert held["type"] == "simple" and held["name"] == "Old tee"  # not written at all
    assert sandbox.variations(simple["id"]) == []


def test_a_dry_run_shows_the_variations_and_what_prune_would_delete(cli, shop) -> None:
    sandbox, conn = shop
    first = cli("--json", "export", "-c", str(conn), "--all", "--fields", FIELDS, "--dry-run")
    planned = json.loads(first.stdout)
    assert {v["sku"]: v["action"] for v in planned["variations"]} == {
        "TEE-S-RED": "create", "TEE-M-RED": "create", "TEE-L-BLUE": "create",
    }  # fmt: skip
    assert planned["summary"]["create"] == 5 and sandbox.stats.by_method.get("POST", 0) == 0
    creates = cli("export", "-c", str(conn), "--all", "--fields", FIELDS, "--dry-run").stdout
    assert "+ create TEE-S-RED (variation " in creates and "of product 1)\n" in creates

    export(cli, conn)
    parent = store_parent(sandbox)
    stray = sandbox.create_variation(
        parent["id"], {"sku": "STRAY", "attributes": [{"name": "Size", "option": "S"}]}
    )
    assert cli("products", "edit", "TEE-L-BLUE", "--price", "23.00").exit_code == 0
    sandbox.stats.reset()

    human = cli(
        "export", "-c", str(conn), "--all", "--fields", FIELDS, "--partial", "--dry-run",
        "--prune-variations",
    )  # fmt: skip

    assert human.exit_code == 0, human.stderr
    assert "~ TEE-L-BLUE (variation 5 of product 1) update price\n" in human.stdout
    assert f"- delete variation #{stray['id']} (STRAY) of product 1" in human.stdout
    assert human.stdout.startswith("Export plan for connection")
    assert "TEE-S-RED" not in human.stdout  # unchanged variations are not listed
    assert sandbox.stats.by_method.get("POST", 0) == 0
    assert stray["id"] in {v["id"] for v in sandbox.variations(parent["id"])}


def test_a_first_export_costs_one_variation_request_per_parent(cli, shop, tmp_path: Path) -> None:
    sandbox, conn = shop
    more = "\n".join(
        f"""- sku: P{n}
  name: Polo {n}
  type: variable
  attributes: {{Size: [S, M, L]}}
  variations:
    - {{sku: P{n}-S, attributes: {{Size: S}}, price: "10.00"}}
    - {{sku: P{n}-M, attributes: {{Size: M}}, price: "11.00"}}
    - {{sku: P{n}-L, attributes: {{Size: L}}, price: "12.00"}}"""
        for n in range(5)
    )
    (tmp_path / "polos.yaml").write_text(more)
    assert cli("products", "load", str(tmp_path / "polos.yaml")).exit_code == 0
    sandbox.stats.reset()

    data = export(cli, conn)

    assert data["success"] and data["syncedCount"] == 2 + 3 + 5 + 15
    routes = sandbox.stats.by_route
    assert routes[("POST", "/wc/v3/products/{product_id}/variations/batch")] == 6  # one per parent
    assert ("GET", "/wc/v3/products/{product_id}/variations") not in routes  # new parents: no list
    assert routes[("POST", "/wc/v3/products/batch")] == 1  # the parents, already variable


def test_retry_failed_sends_the_failed_variations_again(cli, shop) -> None:
    sandbox, conn = shop
    squatter = sandbox.create_product(
        {"name": "Not a tee", "sku": "TEE-L-BLUE", "regular_price": "1"}
    )
    first = export(cli, conn)
    assert [r["status"] for r in first["results"] if r.get("parentProductId")].count("error") == 1
    key, secret = sandbox.create_key("read_write")
    transport = httpx.WSGITransport(app=sandbox.wsgi_app)
    with WooClient("http://store.test", key, secret, transport=transport) as woo:
        woo.delete(f"/products/{squatter['id']}", {"force": "true"})  # the SKU freed in the store
    sandbox.stats.reset()

    again = cli("--json", "export", "-c", str(conn), "--retry-failed", "--fields", FIELDS)

    assert again.exit_code == 0, again.stderr
    data = json.loads(again.stdout)
    assert [(r["status"], r.get("parentProductId") is not None) for r in data["results"]] == [
        ("success", True)
    ]
    held = sorted(v["sku"] for v in sandbox.variations(store_parent(sandbox)["id"]))
    assert held == ["TEE-L-BLUE", "TEE-M-RED", "TEE-S-RED"]


NEW_PARENTS = "\n".join(
    f"""- sku: NEW{n}
  name: New tee {n}
  type: variable
  attributes: {{Size: [S, M], Color: [Red]}}
  variations:
    - {{sku: NEW{n}-S, attributes: {{Size: S, Color: Red}}, price: "10.00"}}
    - {{sku: NEW{n}-M, attributes: {{Size: M, Color: Red}}, price: "11.00"}}"""
    for n in range(3)
)


def test_new_variable_parents_are_created_variable_in_one_batch(
    cli, db_path: Path, tmp_path: Path
) -> None:
    """Three new variable parents: one /products/batch that creates them variable with their
    variation attributes, then one /variations/batch per parent; nothing else is written."""
    sandbox = SandboxStore(seed=3)
    (tmp_path / "new.yaml").write_text(NEW_PARENTS)
    assert cli("products", "load", str(tmp_path / "new.yaml")).exit_code == 0
    db = open_database(db_path)
    with sandbox.serve() as url:
        key, secret = sandbox.create_key("read_write")
        conn = create_connection(db, name="New", url=url, consumer_key=key, consumer_secret=secret)
        sandbox.stats.reset()
        fields = "name,sku,price,Size"  # Color is not exported as a field: still made variable

        result = cli("--json", "export", "-c", str(conn.id), "--all", "--fields", fields)

        assert result.exit_code == 0, result.stderr
        writes = {
            route: n
            for (method, route), n in sandbox.stats.by_route.items()
            if method in ("POST", "PUT", "DELETE")
        }
        assert writes == {
            "/wc/v3/products/batch": 1,
            "/wc/v3/products/{product_id}/variations/batch": 3,
        }
        for n in range(3):
            parent = store_parent(sandbox, f"NEW{n}")
            assert parent["type"] == "variable"
            attributes = {a["name"]: a for a in parent["attributes"]}
            assert attributes["Size"]["variation"] and attributes["Size"]["options"] == ["S", "M"]
            assert attributes["Color"]["variation"] and attributes["Color"]["options"] == ["Red"]
            assert sorted(v["sku"] for v in sandbox.variations(parent["id"])) == [
                f"NEW{n}-M",
                f"NEW{n}-S",
            ]
        sandbox.stats.reset()

        again = cli("--json", "export", "-c", str(conn.id), "--all", "--fields", fields)

        assert again.exit_code == 0, again.stderr
        # a full export again: the parents' update does not carry the attributes' variation
        # marks as a change (nothing for them beyond their own fields)
        assert sandbox.stats.by_route[("POST", "/wc/v3/products/batch")] == 1
    db.dispose()


def test_a_parent_deleted_in_the_store_comes_back_variable_with_its_variations(cli, shop) -> None:
    sandbox, conn = shop
    export(cli, conn)
    gone = store_parent(sandbox)
    key, secret = sandbox.create_key("read_write")
    transport = httpx.WSGITransport(app=sandbox.wsgi_app)
    with WooClient("http://store.test", key, secret, transport=transport) as woo:
        woo.delete(f"/products/{gone['id']}", {"force": "true"})  # by hand, variations and all
    sandbox.stats.reset()

    data = export(cli, conn)

    assert data["success"], data
    parent = store_parent(sandbox)
    assert parent["id"] != gone["id"] and parent["type"] == "variable"  # relinked: created again
    assert all(a["variation"] for a in parent["attributes"])
    skus = Counter(v["sku"] for v in sandbox.variations(parent["id"]))
    assert skus == Counter({"TEE-S-RED": 1, "TEE-M-RED": 1, "TEE-L-BLUE": 1})
    # the recreated parent carried its attributes itself: no second write to mark them
    assert sandbox.stats.items_updated <= 1  # the mug's update only


def test_a_parent_a_shop_manager_made_simple_gets_no_variation_under_it(cli, shop) -> None:
    """WooCommerce deletes a variable product's variations when it becomes simple. A partial
    export sending a variation change then fails those variations, saying why, instead of
    making a variation under the simple product (the store accepts that silently)."""
    sandbox, conn = shop
    export(cli, conn)
    parent = store_parent(sandbox)
    key, secret = sandbox.create_key("read_write")
    transport = httpx.WSGITransport(app=sandbox.wsgi_app)
    with WooClient("http://store.test", key, secret, transport=transport) as woo:
        woo.put(f"/products/{parent['id']}", {"type": "simple"})
        assert woo.get(f"/products/{parent['id']}/variations") == []  # deleted with it
    assert cli("products", "edit", "TEE-S-RED", "--price", "19.00").exit_code == 0
    sandbox.stats.reset()

    data = export(cli, conn, "--partial")

    assert not data["success"]
    [failed] = [r for r in data["results"] if r["status"] == "error"]
    assert f'"TEE" is a simple product in the store (#{parent["id"]})' in failed["message"]
    assert sandbox.variations(parent["id"]) == [] and store_parent(sandbox)["type"] == "simple"
    assert sandbox.stats.items_written == 0
    assert data["warnings"] == []  # not "deleted there; it is created again"


def test_a_new_option_goes_out_before_the_variation_that_takes_it(
    cli, shop, tmp_path: Path
) -> None:
    sandbox, conn = shop
    export(cli, conn)
    grown = CATALOG.replace("Size: [S, M, L]", "Size: [S, M, L, XL]").replace(
        "  variations:\n",
        '  variations:\n    - {sku: TEE-XL-RED, attributes: {Size: XL, Color: Red}, price: "24.00"}\n',
    )
    (tmp_path / "grown.yaml").write_text(grown)
    loaded = cli("products", "load", str(tmp_path / "grown.yaml"))
    assert loaded.exit_code == 0, loaded.stderr
    plan = export(cli, conn, "--partial", "--dry-run")
    assert (plan["summary"]["create"], plan["summary"]["update"]) == (1, 1)
    [tee_plan] = [p for p in plan["products"] if p["sku"] == "TEE" and p["action"] == "update"]
    assert [(f["field"], f["old"], f["new"]) for f in tee_plan["fields"]] == [
        ("Size", ["S", "M", "L"], ["S", "M", "L", "XL"])
    ]
    sandbox.stats.reset()

    data = export(cli, conn, "--partial")

    assert data["success"], data
    parent = store_parent(sandbox)
    sizes = next(a for a in parent["attributes"] if a["name"] == "Size")
    assert sizes["variation"] and sizes["options"] == ["S", "M", "L", "XL"]
    assert "TEE-XL-RED" in {v["sku"] for v in sandbox.variations(parent["id"])}
    writes = {r: n for (m, r), n in sandbox.stats.by_route.items() if m == "POST"}
    assert writes == {
        "/wc/v3/products/batch": 1,  # the parent's attribute list, before its variations
        "/wc/v3/products/{product_id}/variations/batch": 1,
    }
    # the parent's write is reported: counted once, as updated (its last entry says so)
    assert (data["counts"]["created"], data["counts"]["updated"]) == (1, 1)
    tee_id = int(store_parent(sandbox)["id"])
    tee = [r for r in data["results"] if r["wooProductId"] == tee_id]
    assert (tee[-1]["change"], tee[-1]["exportedFields"]) == ("updated", ["attributes"])
    sandbox.stats.reset()

    again = export(cli, conn, "--partial")

    assert again["success"] and sandbox.stats.by_method.get("POST", 0) == 0  # known: not resent
    assert again["counts"]["updated"] == 0


def test_a_run_stopped_midway_keeps_what_was_answered_and_never_duplicates(
    cli, shop, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, conn = shop
    polos = "\n".join(
        f"""- sku: Q{n}
  name: Polo {n}
  type: variable
  attributes: {{Size: [S, M]}}
  variations:
    - {{sku: Q{n}-S, attributes: {{Size: S}}, price: "10.00"}}
    - {{sku: Q{n}-M, attributes: {{Size: M}}, price: "11.00"}}"""
        for n in range(4)
    )
    (tmp_path / "polos.yaml").write_text(polos)
    assert cli("products", "load", str(tmp_path / "polos.yaml")).exit_code == 0
    real = WooClient.write_variations

    def stops_after_two(self: WooClient, *args: Any, **kwargs: Any) -> Any:
        answered = real(self, *args, **kwargs)
        yield next(answered)
        yield next(answered)
        raise RuntimeError("stopped")  # the process dies with requests answered but not booked

    monkeypatch.setattr(WooClient, "write_variations", stops_after_two)
    stopped = cli("export", "-c", str(conn), "--all", "--fields", FIELDS)
    assert stopped.exit_code != 0 and "stopped" in stopped.stderr
    db = open_database(db_path)
    with db.session() as session:
        booked = session.connection().exec_driver_sql(
            "SELECT count(*) FROM product_sync s JOIN products p ON p.id = s.product_id "
            "WHERE p.parent_id IS NOT NULL AND s.woo_product_id > 0"
        )
        assert (booked.scalar() or 0) >= 4  # the two answered requests' variations are linked
    db.dispose()
    monkeypatch.setattr(WooClient, "write_variations", real)

    data = export(cli, conn)

    assert data["success"], data
    held = Counter(
        v["sku"] for p in sandbox.products.values() if p["type"] == "variable"
        for v in sandbox.variations(p["id"])
    )  # fmt: skip
    assert held and set(held.values()) == {1} and len(held) == 3 + 8  # each exactly once


def test_a_variation_value_the_store_field_refuses_fails_that_variation_alone(
    cli, shop, tmp_path: Path, db_path: Path
) -> None:
    sandbox, conn = shop
    wholesale = CATALOG.replace(
        'price: "21.00", stock_quantity: 0}',
        'price: "21.00", stock_quantity: 0, customFields: {eurPrice: "20,90"}}',
    ).replace('price: "22.00"}', 'price: "22.00", customFields: {eurPrice: "21.50"}}')
    (tmp_path / "wholesale.yaml").write_text(wholesale)
    assert cli("products", "load", str(tmp_path / "wholesale.yaml")).exit_code == 0
    db = open_database(db_path)
    set_mapping(db, conn, ["name", "sku", "eurPrice"], {"eurPrice": "regular_price"})
    db.dispose()

    result = cli("--json", "export", "-c", str(conn), "--all")

    assert result.exit_code == 1, result.stderr  # some failed; no crash
    data = json.loads(result.stdout)
    failed = [r["message"] for r in data["results"] if r["status"] == "error"]
    assert len(failed) == 1
    assert failed[0].startswith(
        'TEE-M-RED: custom field eurPrice "20,90" cannot go to regular_price'
    )
    held = {v["sku"]: v for v in sandbox.variations(store_parent(sandbox)["id"])}
    assert held["TEE-L-BLUE"]["regular_price"] == "21.50" and "TEE-M-RED" not in held
    planned = json.loads(cli("--json", "export", "-c", str(conn), "--all", "--dry-run").stdout)
    assert {v["sku"]: v["action"] for v in planned["variations"]}["TEE-M-RED"] == "error"
    status = json.loads(cli("--json", "sync-status", "-c", str(conn)).stdout)
    assert "error" in {r["syncStatus"] for r in status["records"] if r.get("parentProductId")}


def test_a_global_attribute_through_the_mapping_goes_in_the_parents_create(
    cli, shop, db_path: Path
) -> None:
    sandbox, conn = shop
    db = open_database(db_path)
    set_mapping(db, conn, ["name", "sku", "price", "Size"], {"Size": "pa_size"})
    db.dispose()
    sandbox.stats.reset()

    result = cli("--json", "export", "-c", str(conn), "--all")

    assert result.exit_code == 0, result.stderr
    parent = store_parent(sandbox)
    size = next(a for a in parent["attributes"] if a.get("id"))  # the global one, by its id
    assert size["variation"] and size["options"] == ["L", "M", "S"]  # in the store's term order
    color = next(a for a in parent["attributes"] if a["name"] == "Color")  # local: by name
    assert color["id"] == 0 and color["variation"]
    held = {v["sku"]: v for v in sandbox.variations(parent["id"])}
    options = {a.get("id", 0): a["option"] for a in held["TEE-M-RED"]["attributes"]}
    assert options == {size["id"]: "M", 0: "Red"}
    writes = {r: n for (m, r), n in sandbox.stats.by_route.items() if m == "POST"}
    assert writes["/wc/v3/products/batch"] == 1  # the parent was created with it: no fix-up


def test_a_mapping_turning_a_variation_attribute_global_replaces_the_local_one(
    cli, shop, db_path: Path
) -> None:
    """Size went out as a local attribute; the store's mapping now sends it as ``pa_size``: the
    parent ends with one Size (the global one, where the local one was) and each variation
    takes its option of it, whether the run is full or ``--partial``."""
    sandbox, conn = shop
    assert export(cli, conn)["success"]
    db = open_database(db_path)
    set_mapping(db, conn, ["name", "sku", "price", "Size"], {"Size": "pa_size"})
    db.dispose()

    result = cli("--json", "export", "-c", str(conn), "--all", "--partial")

    assert result.exit_code == 0, result.stderr
    parent = store_parent(sandbox)
    named = [(bool(a.get("id")), a["name"], a["variation"]) for a in parent["attributes"]]
    assert named == [(True, "Size", True), (False, "Color", True)]
    size = parent["attributes"][0]
    for held in sandbox.variations(parent["id"]):
        options = {a.get("id", 0): a["option"] for a in held["attributes"]}
        assert set(options) == {size["id"], 0} and options[size["id"]] in ("S", "M", "L")
    again = cli("--json", "export", "-c", str(conn), "--all", "--partial")
    assert again.exit_code == 0 and json.loads(again.stdout)["counts"]["updated"] == 0


def test_the_human_table_names_each_variation_by_its_sku(cli, shop) -> None:
    _sandbox, conn = shop
    human = cli("export", "-c", str(conn), "--all", "--fields", FIELDS)
    assert human.exit_code == 0, human.stderr
    rows = {line.split("\t")[1] for line in human.stdout.splitlines() if "\tcreated\t" in line}
    assert {"TEE", "TEE-S-RED", "TEE-M-RED", "TEE-L-BLUE", "MUG"} <= rows


@pytest.mark.parametrize("squatted", [False, True])
def test_a_store_parent_without_variations_gets_them_and_a_held_sku_is_still_named(
    cli, shop, squatted: bool
) -> None:
    sandbox, conn = shop
    parent = sandbox.create_product({"name": "Organic Tee", "sku": "TEE", "type": "variable"})
    if squatted:
        squatter = sandbox.create_product({"name": "Not a tee", "sku": "TEE-M-RED"})

    data = export(cli, conn)

    failed = [r for r in data["results"] if r["status"] == "error"]
    held = sorted(v["sku"] for v in sandbox.variations(parent["id"]))  # linked by SKU
    assert [p["sku"] for p in sandbox.products.values()].count("TEE") == 1
    if squatted:
        assert len(failed) == 1 and f"simple product #{squatter['id']}" in failed[0]["message"]
        assert held == ["TEE-L-BLUE", "TEE-S-RED"]
    else:
        assert not failed
        assert held == ["TEE-L-BLUE", "TEE-M-RED", "TEE-S-RED"]
        again = export(cli, conn, "--partial")
        assert not [r for r in again["results"] if r["status"] == "error"]
        assert len(sandbox.variations(parent["id"])) == 3  # never twice


def test_the_variation_stage_reads_each_value_as_the_catalog_holds_it(
    cli, shop, db_path: Path, tmp_path: Path
) -> None:
    _sandbox, conn = shop
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        """
- sku: CAP
  name: Cap
  type: variable
  attributes: {Size: [S, M]}
  variations:
    - {sku: CAP-S, attributes: {Size: S}, price: "5.00", sale_price: "4.50", manage_stock: true,
       stock_quantity: 3, weight: "0.1", dimensions: {length: "10", width: "", height: "2"},
       date_on_sale_from: "2026-01-02T03:04:05", custom_fields: {supplier: Acme, lot: 7}}
    - {sku: CAP-M, attributes: {Size: M}, status: draft, manage_stock: false}
"""
    )
    assert cli("products", "load", str(extra)).exit_code == 0
    export(cli, conn)
    names = ["sku", "price", "sale_price", "manage_stock", "stock_quantity", "weight", "status"]
    names += ["dimensions", "date_on_sale_from", "attributes", "supplier", "lot", "images"]
    db = open_database(db_path)
    with db.session() as session:
        parents = session.exec(select(Product).where(Product.type == "variable")).all()
        families = load_families(session, conn, [int(p.id or 0) for p in parents], names)
        assert sorted(f.sku for f in families) == ["CAP", "TEE"]
        for family in families:
            assert family.woo_id and len(family.syncs) == len(family.variations) >= 2
            for row in family.variations:
                held = session.get(Product, row.id)
                assert held is not None and row.parent_id == family.product_id
                for name in names:
                    assert field_value(row, name) == field_value(held, name), (row.sku, name)
                record = session.exec(
                    select(ProductSync).where(
                        ProductSync.product_id == row.id, ProductSync.connection_id == conn
                    )
                ).one()
                sync = family.syncs[row.id]
                assert sync.woo_product_id == record.woo_product_id
                assert sync.exported_values == record.exported_values
                assert sync.last_exported_at == record.last_exported_at
                assert sync.store_echoes == record.store_echoes
    db.dispose()


def test_a_store_variation_prune_could_not_delete_fails_the_run_and_says_why() -> None:
    refused = PrunedVariation(1, 40, 41, "STRAY", deleted=False, message="HTTP 500")
    kept = PrunedVariation(1, 40, 42, "", deleted=True)
    result = ExportResult(connection_id=1, synced_count=3, pruned=(kept, refused))

    assert not result.success  # every product synced, but a stray is still in the store
    assert ExportResult(connection_id=1, synced_count=3, pruned=(kept,)).success
    assert export_shapes.export_result(result)["prunedVariations"] == [
        {"parentProductId": 1, "wooVariationId": 42, "sku": "", "deleted": True},
        {
            "parentProductId": 1, "wooVariationId": 41, "sku": "STRAY", "deleted": False,
            "message": "HTTP 500",
        },
    ]  # fmt: skip


def test_a_disabled_variation_is_created_disabled_where_status_is_not_sent(
    cli, shop, tmp_path: Path
) -> None:
    """The catalog holds TEE-M-RED as private (disabled); the store is not sent ``status``: it
    is created private all the same, never for sale; the others take the store's default."""
    sandbox, conn = shop
    edited = cli("products", "edit", "TEE-M-RED", "--status", "private")
    assert edited.exit_code == 0, edited.stderr

    assert export(cli, conn)["success"]

    parent = store_parent(sandbox)
    statuses = {v["sku"]: v["status"] for v in sandbox.variations(parent["id"])}
    assert statuses == {"TEE-S-RED": "publish", "TEE-M-RED": "private", "TEE-L-BLUE": "publish"}


def test_an_attribute_no_variation_names_stays_a_plain_attribute(cli, shop, tmp_path: Path) -> None:
    """A variable product's attribute its variations do not vary by (a material shown on the
    product page) is sent as a plain attribute, and an export never marks it a variation
    attribute: the store would then ask the shopper to choose it (seen on a real store)."""
    sandbox, conn = shop
    material = tmp_path / "material.yaml"
    material.write_text(
        "- {sku: TEE, attributes: {Size: [S, M, L], Color: [Red, Blue], Material: Cotton}}\n"
    )
    assert cli("products", "load", str(material)).exit_code == 0
    fields = ["--fields", FIELDS + ",Size,Color,Material"]

    assert export(cli, conn, *fields)["success"]
    flags = {a["name"]: a["variation"] for a in store_parent(sandbox)["attributes"]}
    assert flags == {"Size": True, "Color": True, "Material": False}

    assert cli("products", "edit", "TEE-S-RED", "--price", "18.00").exit_code == 0
    plan = cli("export", "-c", str(conn), "--all", "--partial", "--dry-run", *fields)
    assert "TEE-S-RED" in plan.stdout and "Material" not in plan.stdout, plan.stdout
    assert export(cli, conn, "--partial", *fields)["success"]
    assert export(cli, conn, *fields)["success"]  # a full export too
    flags = {a["name"]: a["variation"] for a in store_parent(sandbox)["attributes"]}
    assert flags == {"Size": True, "Color": True, "Material": False}


def test_an_option_any_makes_a_choice_the_variation_does_not_name(
    cli, shop, tmp_path: Path
) -> None:
    """``Size: "*"``: the variation takes any size (WooCommerce's "Any Size"): the parent varies
    by Size, the variation's write leaves Size out, and nothing is sent again after."""
    sandbox, conn = shop
    vneck = tmp_path / "vneck.yaml"
    vneck.write_text(
        "- sku: VNECK\n  name: V-Neck\n  attributes: {Color: [Red, Blue], Size: [S, M]}\n"
        "  variations:\n"
        '    - {sku: VN-RED, attributes: {Color: Red, Size: "*"}, price: "20.00"}\n'
        '    - {sku: VN-BLUE, attributes: {Color: Blue, Size: "*"}, price: "21.00"}\n'
    )
    assert cli("products", "load", str(vneck)).exit_code == 0
    fields = ["--fields", FIELDS + ",Color,Size"]

    assert export(cli, conn, *fields)["success"]

    parent = store_parent(sandbox, "VNECK")
    assert {a["name"]: a["variation"] for a in parent["attributes"]} == {
        "Color": True,
        "Size": True,
    }
    held = {
        v["sku"]: [(a["name"], a["option"]) for a in v["attributes"]]
        for v in sandbox.variations(parent["id"])
    }
    assert held == {"VN-RED": [("Color", "Red")], "VN-BLUE": [("Color", "Blue")]}
    sandbox.stats.reset()
    assert export(cli, conn, "--partial", *fields)["success"]
    assert sandbox.stats.items_written == 0


def test_a_variation_turned_to_any_size_loses_its_size_in_the_store(cli, shop) -> None:
    """WooCommerce replaces a variation's attributes with those sent (checked on a real store),
    so leaving Size out of the write makes it any size."""
    sandbox, conn = shop
    fields = ["--fields", FIELDS + ",Color,Size"]
    assert export(cli, conn, *fields)["success"]
    assert cli("products", "edit", "TEE-S-RED", "--attr", "Size=*").exit_code == 0

    assert export(cli, conn, "--partial", *fields)["success"]

    parent = store_parent(sandbox)
    held = {
        v["sku"]: [a["name"] for a in v["attributes"]] for v in sandbox.variations(parent["id"])
    }
    assert held["TEE-S-RED"] == ["Color"] and sorted(held["TEE-M-RED"]) == ["Color", "Size"]
    assert {a["name"]: a["variation"] for a in parent["attributes"]} == {
        "Size": True,
        "Color": True,
    }


def test_a_variation_of_any_size_alone_goes_out_without_options(cli, shop, tmp_path: Path) -> None:
    sandbox, conn = shop
    plain = tmp_path / "plain.yaml"
    plain.write_text(
        "- {sku: SCARF, name: Scarf, attributes: {Size: [S, M]}, variations: "
        '[{sku: SCARF-ANY, attributes: {Size: "*"}, price: "15.00"}]}\n'
    )
    assert cli("products", "load", str(plain)).exit_code == 0

    assert export(cli, conn, "--fields", FIELDS + ",Size")["success"]

    parent = store_parent(sandbox, "SCARF")
    assert [(a["name"], a["variation"]) for a in parent["attributes"]] == [("Size", True)]
    [variation] = sandbox.variations(parent["id"])
    assert (variation["sku"], variation["attributes"]) == ("SCARF-ANY", [])
