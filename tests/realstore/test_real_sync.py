"""Two-way sync through the CLI against a real WooCommerce store (issues 10 and 11).

A product with every field woosync syncs (an image the store copies into its uploads, an
entity-encoded description, a price the store may spell differently, categories, tags, a local
attribute and a global ``pa_`` attribute whose terms the store lists in its own order) goes round
export -> import -> export without changing the catalog or writing to the store; a store edit comes
back, an edit on both sides is a conflict; no form of a secret reaches anything woosync writes; an
export queued behind an import sends what that import brought in.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from realstore_support import RealStore, store_products_with_sku, woo_id

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
