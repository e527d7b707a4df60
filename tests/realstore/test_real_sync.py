"""Two-way sync through the CLI against a real WooCommerce store (issues 10 and 11).

A product with every field woosync syncs (an image the store copies into its uploads, an
entity-encoded description, a price the store may spell differently, categories, tags, a local
attribute and a global ``pa_`` attribute whose terms the store lists in its own order) goes round
export -> import -> export without changing the catalog or writing to the store; a store edit comes
back, an edit on both sides is a conflict; no form of a secret reaches anything woosync writes; an
export queued behind an import sends what that import brought in.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from import_helpers import import_products_json
from queued_runs import WAIT, Run, is_listing, lock_waits, queue_behind
from realstore.realstore_support import (
    RealStore,
    add_product,
    export,
    store_products_with_sku,
    woo_id,
)
from test_export_support import export_json
from test_secret_echo import forms as secret_forms
from woosync.db.engine import open_database
from woosync.woo import WooClient

SKU = "RT-SALT"
FIELDS = [
    "name", "sku", "description", "status", "type", "price", "sale_price", "weight",
    "dimensions", "stock_status", "categories", "tags", "images", "Size", "Material",
]  # fmt: skip


def product(image: str) -> dict[str, Any]:
    return {
        "sku": SKU,
        "name": "Salt & Pepper Mill",
        "description": "<p>Salt &amp; pepper</p>",
        "status": "publish",
        "price": "12.5",
        "weight": "0.5",
        "dimensions": {"length": "10", "width": "5.0", "height": ""},
        "categories": ["Kitchen & Dining", "Mills"],
        "tags": ["salt", "Pepper"],
        "images": [image],
        # Size goes to the global attribute pa_size, its options deliberately not in term order
        "attributes": {"Size": ["S", "M", "L"], "Material": ["Oak", "Steel & Brass"]},
    }


# only what a quick "products add" gives: the store fills in status, type and stock_status
PLAIN = {"sku": "RT-PLAIN", "name": "Plain tee", "price": "10"}


def mapping_file(tmp_path: Path, *, import_: bool = True) -> Path:
    lines = [
        "store: Real Store",
        "export:",
        f"  selectedFields: [{', '.join(FIELDS)}]",
        "  fieldMappings: {Size: pa_size}",
    ]
    if import_:
        lines += [
            "import:",
            "  attributeMappings: {pa_size: Size}",
            "  fieldMappings: {regular_price: price, stock_status: stock_status}",
        ]
    path = tmp_path / "real.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stdout + result.stderr
    return result


def as_json(result: Any) -> Any:
    return json.loads(ok(result).stdout)


def show(cli: Any, product_id: int) -> dict[str, Any]:
    shown: dict[str, Any] = as_json(cli("--json", "products", "show", str(product_id)))
    shown.pop("updatedAt", None)
    return shown


def load(cli: Any, tmp_path: Path, products: list[dict[str, Any]]) -> list[int]:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(products))
    ok(cli("products", "load", str(path)))
    listed = as_json(cli("--json", "products", "list", "--limit", "0"))
    return [int(p["id"]) for p in listed]


def export_first(
    cli: Any, store: RealStore, tmp_path: Path, *, import_mapping: bool = True
) -> list[int]:
    """The products loaded, the mapping file applied and the first export done; their ids."""
    ids = load(cli, tmp_path, [product(store.images.url("red.png")), PLAIN])
    ok(cli("mappings", "apply", str(mapping_file(tmp_path, import_=import_mapping))))
    first = as_json(cli("--json", "export", "--all"))
    assert (first["syncedCount"], first["failedCount"]) == (2, 0), first
    return ids


@pytest.mark.parametrize(
    ("incremental", "import_mapping"),
    [(False, True), (True, False)],
    ids=["import-mapping", "incremental-export-mapping-only"],
)
def test_export_import_export_changes_nothing(
    cli: Any, real_connection: RealStore, tmp_path: Path, incremental: bool, import_mapping: bool
) -> None:
    store = real_connection
    product_id, plain_id = export_first(cli, store, tmp_path, import_mapping=import_mapping)
    [held] = store_products_with_sku(store, SKU)
    # the store answers its own copies: an upload URL, term order, entities, stock/type filled in
    assert held["images"][0]["src"].startswith(store.url + "/wp-content/uploads/")
    assert held["description"] == "<p>Salt &amp; pepper</p>"
    # the colleague's trap: a global attribute's options come back in term order, not as sent
    [size] = [a for a in held["attributes"] if a["name"] == "Size"]
    assert (size["slug"], size["options"]) == ("pa_size", ["L", "M", "S"])
    assert held["categories"][0]["name"] == "Kitchen &amp; Dining"
    [plain_held] = store_products_with_sku(store, PLAIN["sku"])
    assert (plain_held["type"], plain_held["stock_status"]) == ("simple", "instock")
    assert [c["name"] for c in plain_held["categories"]] == ["Uncategorized"]
    before = show(cli, product_id)
    assert before["attributes"]["Size"] == ["S", "M", "L"]
    plain = show(cli, plain_id)

    extra = ["--incremental"] if incremental else []
    store.mark()
    imported = as_json(cli("--json", "import", *extra, "--update-existing"))
    assert (imported["updatedCount"], imported["importedCount"], imported["failedCount"]) == (
        0,
        0,
        0,
    ), [(p["sku"], p.get("changedFields")) for p in imported["products"]]
    assert imported["conflictCount"] == 0, imported
    assert [p["status"] for p in imported["products"]] == ["unchanged"] * 2, imported
    assert store.write_requests() == []
    after = show(cli, product_id)
    assert after == before
    assert store.url not in json.dumps(after)
    assert show(cli, plain_id) == plain

    store.mark()
    partial = as_json(cli("--json", "export", "--all", "--partial"))
    assert partial["failedCount"] == 0, partial
    assert store.write_requests() == []
    again = as_json(cli("--json", "import", *extra, "--update-existing"))
    assert again["updatedCount"] == 0 and again["conflictCount"] == 0, again
    assert show(cli, product_id) == before


def test_a_store_edit_comes_back_and_an_edit_on_both_sides_is_a_conflict(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    store = real_connection
    product_id, _plain_id = export_first(cli, store, tmp_path)
    store_id = woo_id(cli, product_id)

    with store.api() as api:  # the shop manager changes the price
        assert api.put(f"/products/{store_id}", json={"regular_price": "14"}).status_code == 200
    taken = as_json(cli("--json", "import", "--update-existing"))
    assert [
        (p["sku"], p.get("changedFields")) for p in taken["products"] if p["status"] == "updated"
    ] == [(SKU, ["price"])], taken["products"]
    assert show(cli, product_id)["price"] == "14"

    # both sides change the price: reported, neither side overwritten, not pushed by --partial
    ok(cli("products", "edit", str(product_id), "--price", "15"))
    with store.api() as api:
        assert api.put(f"/products/{store_id}", json={"regular_price": "16"}).status_code == 200
    clash = as_json(cli("--json", "import", "--update-existing"))
    assert clash["conflictCount"] == 1 and clash["updatedCount"] == 0, clash
    assert show(cli, product_id)["price"] == "15"
    listed = as_json(cli("--json", "sync-status", "--conflicts"))
    assert [
        (c["sku"], c["field"], c["wooField"], c["catalog"], c["store"]) for c in listed["conflicts"]
    ] == [(SKU, "price", "regular_price", "15", "16")]
    store.mark()
    as_json(cli("--json", "export", "--all", "--partial"))
    assert store.write_requests() == []
    assert store_products_with_sku(store, SKU)[0]["regular_price"] == "16"

    resolved = as_json(cli("--json", "import", "--update-existing", "--on-conflict", "store"))
    assert resolved["conflictCount"] == 0 and resolved["updatedCount"] == 1, resolved
    assert show(cli, product_id)["price"] == "16"
    assert as_json(cli("--json", "sync-status", "--conflicts"))["conflicts"] == []
    store.mark()
    as_json(cli("--json", "export", "--all", "--partial"))
    assert store.write_requests() == []


def test_a_partial_export_holds_a_field_edited_in_the_store_and_sends_the_rest(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    """No import between the store's edit and the export: the partial export reads the product
    first, leaves the store's price alone (a conflict) and sends the other changes; the real
    store's own forms (its upload URL, its wpautop'd description, entities, term order, category
    paths) are no false conflict, on this round and on the next, which compares with what the
    first one learnt."""
    store = real_connection
    product_id, _plain_id = export_first(cli, store, tmp_path)
    store_id = woo_id(cli, product_id)
    with store.api() as api:
        assert api.put(f"/products/{store_id}", json={"regular_price": "16"}).status_code == 200
    ok(cli("products", "edit", str(product_id), "--price", "15",
           "--description", "Salt & pepper, <b>oak</b>", "--category", "Kitchen & Dining",
           "--category", "Kitchen & Dining > Mills", "--tag", "salt", "--tag", "Gift & Co",
           "--attr", "Material=Oak,Steel & Brass,Glass",
           "--image", store.images.url("red.png"), "--image", store.images.url("blue.png")))  # fmt: skip
    sent = as_json(cli("--json", "export", "--all", "--partial"))
    [result] = [r for r in sent["results"] if r["productId"] == product_id]
    assert result["heldConflicts"] == ["price"], sent
    assert sorted(result["exportedFields"]) == [
        "Material", "categories", "description", "images", "tags"
    ]  # fmt: skip
    assert sent["counts"]["conflicts"] == 1
    [held] = store_products_with_sku(store, SKU)
    assert held["regular_price"] == "16" and held["description"] == "Salt &amp; pepper, <b>oak</b>"
    listed = as_json(cli("--json", "sync-status", "--conflicts"))
    assert [(c["field"], c["catalog"], c["store"]) for c in listed["conflicts"]] == [
        ("price", "15", "16")
    ]

    # the next round: the same fields changed again, compared with what the store answered
    ok(cli("products", "edit", str(product_id), "--description", "Salt &amp; pepper",
           "--category", "Mills", "--tag", "Pepper", "--attr", "Material=Steel & Brass",
           "--image", store.images.url("blue.png")))  # fmt: skip
    again = as_json(cli("--json", "export", "--all", "--partial"))
    [result] = [r for r in again["results"] if r["productId"] == product_id]
    assert result["heldConflicts"] == ["price"], again
    assert sorted(result["exportedFields"]) == [
        "Material", "categories", "description", "images", "tags"
    ]  # fmt: skip
    quiet = as_json(cli("--json", "import", "--update-existing"))
    assert quiet["updatedCount"] == 0 and quiet["conflictCount"] == 1, quiet


def test_a_partial_export_holds_a_variation_price_edited_in_the_store(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    """Only the variations to update are read (``include``), two parents' in one request
    through ``/variations``; the one the store changed is held, the others go."""
    store = real_connection
    products = [
        {
            "sku": sku, "name": sku, "type": "variable", "attributes": {"Color": ["Red", "Blue"]},
            "variations": [
                {"sku": f"{sku}-R", "attributes": {"Color": "Red"}, "price": "20.00"},
                {"sku": f"{sku}-B", "attributes": {"Color": "Blue"}, "price": "21.00"},
            ],
        }
        for sku in ("RT-TEE", "RT-CAP")
    ]  # fmt: skip
    load(cli, tmp_path, products)
    fields = ("--fields", "name,sku,price,Color")
    first = as_json(cli("--json", "export", "--all", *fields))
    assert first["failedCount"] == 0, first
    [red] = store_products_with_sku(store, "RT-TEE-R")
    [cap] = store_products_with_sku(store, "RT-CAP-R")
    with store.api() as api:
        route = f"/products/{red['parent_id']}/variations/{red['id']}"
        assert api.put(route, json={"regular_price": "25.00"}).status_code == 200
    for sku, price in (("RT-TEE-R", "22.00"), ("RT-TEE-B", "23.00"), ("RT-CAP-R", "24.00")):
        ok(cli("products", "edit", sku, "--price", price))
    store.mark()
    sent = as_json(cli("--json", "export", "--all", "--partial", *fields))
    held = {r.get("sku") or r["productId"]: r.get("heldConflicts") for r in sent["results"]}
    assert sent["counts"]["conflicts"] == 1, held
    assert store_products_with_sku(store, "RT-TEE-R")[0]["regular_price"] == "25.00"
    assert store_products_with_sku(store, "RT-TEE-B")[0]["regular_price"] == "23.00"
    assert store_products_with_sku(store, "RT-CAP-R")[0]["regular_price"] == "24.00"
    requests = store.requests()
    assert sorted((r.method, r.path) for r in requests if r.method != "GET") == sorted(
        ("POST", f"/wp-json/wc/v3/products/{parent}/variations/batch")
        for parent in (red["parent_id"], cap["parent_id"])
    )
    [read] = [r for r in requests if r.path == "/wp-json/wc/v3/variations"]
    assert sorted(read.params["include"].split(",")) == sorted(
        str(v["id"])
        for sku in ("RT-TEE-R", "RT-TEE-B", "RT-CAP-R")
        for v in store_products_with_sku(store, sku)
    )
    listed = as_json(cli("--json", "sync-status", "--conflicts"))
    assert [(c["sku"], c["catalog"], c["store"]) for c in listed["conflicts"]] == [
        ("RT-TEE-R", "22.00", "25.00")
    ]


# issue 11 on the real store ---------------------------------------------------------------------


def signatures(store: RealStore) -> set[str]:
    """Every OAuth signature the store received (its access log keeps the query strings)."""
    text = store.access_log.read_text(errors="replace")
    return {unquote(found) for found in re.findall(r"oauth_signature=([^& \"]+)", text)}


def test_no_form_of_the_key_or_secret_reaches_output_logs_or_files(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    store = real_connection
    log_file = tmp_path / "run.log"
    load(cli, tmp_path, [product(store.images.url("green.png")), PLAIN])
    ok(cli("mappings", "apply", str(mapping_file(tmp_path))))
    debug, logged = ("--log-level", "debug"), ("--log-file", str(log_file))
    results = [
        cli(*debug, "connections", "test"),
        cli(*debug, "--json", "connections", "test"),
        cli(*debug, "export", "--all", "--dry-run", *logged),
        cli(*debug, "export", "--all", *logged),
        cli(*debug, "--json", "export", "--all", "--partial", *logged),
        cli(*debug, "import", "--update-existing", *logged),
        cli(*debug, "--json", "import", "--incremental", "--update-existing", *logged),
        cli(*debug, "sync-status"),
        cli(*debug, "--json", "sync-status", "--conflicts"),
    ]
    assert [r.exit_code for r in results] == [0] * len(results), [r.stderr for r in results]
    text = "".join(r.stdout + r.stderr for r in results) + log_file.read_text()
    assert "GET" in text and "oauth_signature" in text  # the debug lines are there
    key, secret = store.keys
    pair = base64.b64encode(f"{key}:{secret}".encode()).decode()
    found = signatures(store)
    assert found  # the store saw signed requests
    forms = set()
    for value in (key, secret, pair, f"Basic {pair}", *found):
        forms |= secret_forms(value)
    assert not {form for form in forms if form in text}
    files = [path for path in (tmp_path / "woosync-home").rglob("*") if path.is_file()]
    assert tmp_path / "woosync-home" / "woosync.db" in files
    assert any(path.parent.name == "locks" for path in files), files
    for path in files:
        data = path.read_bytes()
        assert not {form for form in forms if form.encode() in data}, path


class Gate(httpx.HTTPTransport):
    """A transport to the real store that holds the first request ``stop_at`` accepts until
    :attr:`go` is set (see queued_runs.Gate, which does this for the sandbox)."""

    def __init__(self, stop_at: Callable[[httpx.Request], bool]) -> None:
        super().__init__()
        self.stop_at = stop_at
        self.held = threading.Event()
        self.go = threading.Event()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not self.held.is_set() and self.stop_at(request):
            self.held.set()
            assert self.go.wait(WAIT), "the test never let the paused run go on"
        return super().handle_request(request)


def test_an_export_queued_behind_an_import_keeps_the_shop_managers_prices(
    cli: Any, real_connection: RealStore, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 11 point 2 on the real store: the shop manager sets every price to 77.77; an import
    (--update-existing) holds the store's lock, an export --all queues behind it (--wait): the
    store keeps 77.77 and the catalog gets it."""
    store = real_connection
    ids = [add_product(cli, f"RS-Q-{n}", price="10.00") for n in range(3)]
    export(cli, "--all")
    with store.api() as api:
        answer = api.post(
            "/products/batch",
            json={"update": [{"id": woo_id(cli, i), "regular_price": "77.77"} for i in ids]},
        )
    assert answer.status_code == 200, answer.text

    # the runs below log through the handler the last CLI call left on its (now closed) stderr
    monkeypatch.setattr(logging.getLogger("woosync"), "handlers", [])
    key, secret = store.keys
    gate = Gate(is_listing)  # the import holds the lock, its listing not yet answered
    catalog = open_database(db_path)
    try:
        with (
            lock_waits() as waiting,
            WooClient(store.url, key, secret, timeout=120.0, transport=gate) as importing,
            WooClient(store.url, key, secret, timeout=120.0) as exporting,
        ):
            import_run = Run(
                lambda: import_products_json(
                    catalog, 1, update_existing=True, lock_wait=WAIT, client=importing
                )
            )
            export_run = Run(
                lambda: export_json(
                    catalog, 1, all_products=True, fields=["name", "sku", "price"],
                    lock_wait=WAIT, client=exporting,
                )
            )  # fmt: skip
            store.mark()
            queue_behind(import_run, gate, export_run, waiting)
            imported, exported = import_run.outcome(), export_run.outcome()
    finally:
        catalog.dispose()

    assert imported["success"] and imported["updatedCount"] == 3, imported
    assert exported["success"] and exported["syncedCount"] == 3, exported
    for n in range(3):
        assert store_products_with_sku(store, f"RS-Q-{n}")[0]["regular_price"] == "77.77"
    assert {show(cli, i)["price"] for i in ids} == {"77.77"}


def test_a_term_added_in_the_store_comes_in_and_an_unowned_edit_is_put_back(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    """The import mapping owns pa_size, not the local attribute Material: the store's new size
    comes in (in the store's term order, which is no change for the next export); the store's
    edit of Material stays out and the next ``export --partial`` puts the catalog's back."""
    store = real_connection
    product_id, _plain_id = export_first(cli, store, tmp_path)
    [held] = store_products_with_sku(store, SKU)
    [size_id] = [a["id"] for a in held["attributes"] if a["name"] == "Size"]
    edited = [
        {"id": size_id, "options": ["XL", "S", "M", "L"], "visible": True},
        {"name": "Material", "options": ["Oak", "Steel & Brass", "Glass"], "visible": True},
    ]
    with store.api() as api:
        answer = api.put(f"/products/{held['id']}", json={"attributes": edited})
    assert answer.status_code == 200, answer.text

    taken = as_json(cli("--json", "import", "--update-existing"))
    assert [(p["sku"], p["status"], p.get("changedFields")) for p in taken["products"]] == [
        (SKU, "updated", ["Size"]),
        (PLAIN["sku"], "unchanged", []),
    ]
    assert show(cli, product_id)["attributes"] == {
        "Size": ["L", "M", "S", "XL"],
        "Material": ["Oak", "Steel & Brass"],
    }
    store.mark()
    as_json(cli("--json", "export", "--all", "--partial"))
    assert len(store.write_requests()) == 1  # one write: Material put back
    [held] = store_products_with_sku(store, SKU)
    assert {a["name"]: a["options"] for a in held["attributes"]} == {
        "Size": ["L", "M", "S", "XL"],
        "Material": ["Oak", "Steel & Brass"],
    }
    again = as_json(cli("--json", "import", "--update-existing"))
    assert again["updatedCount"] == 0 and again["conflictCount"] == 0, again["products"]
    store.mark()
    as_json(cli("--json", "export", "--all", "--partial"))
    assert store.write_requests() == []


def test_stock_sold_in_the_store_and_recounted_in_the_catalog_adds_up(
    cli: Any, real_connection: RealStore
) -> None:
    """10 in stock; the store sells 2 while the catalog books 1 more: 9 on both sides."""
    store = real_connection
    product_id = add_product(cli, "RT-STOCK")
    ok(cli("products", "edit", str(product_id), "--manage-stock", "--stock-quantity", "10"))
    fields = ("--fields", "name,sku,price,manage_stock,stock_quantity")
    as_json(cli("--json", "export", "--all", *fields))
    store_id = woo_id(cli, product_id)
    with store.api() as api:
        assert api.put(f"/products/{store_id}", json={"stock_quantity": 8}).status_code == 200
    ok(cli("products", "edit", str(product_id), "--stock-quantity", "11"))

    taken = as_json(cli("--json", "import", "--update-existing"))
    assert taken["conflictCount"] == 0, taken["conflicts"]
    assert show(cli, product_id)["stock_quantity"] == 9
    as_json(cli("--json", "export", "--all", "--partial", *fields))
    assert store_products_with_sku(store, "RT-STOCK")[0]["stock_quantity"] == 9
    again = as_json(cli("--json", "import", "--update-existing"))
    assert again["updatedCount"] == 0, again["products"]
