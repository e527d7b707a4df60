"""A store's catalog as WooCommerce's own CSV exporter writes it (Products > Export), loaded with
``products load`` and exported to a store: the store's products come back as they were, field by
field, its variations, its plain (non-variation) attributes and its brands included (a
sub-brand under its parent: the catalog knows brands by path, ``Acme > Acme Pro``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from realstore.realstore_support import RealStore

IMAGE = "photo.jpg"

MAPPING = """
store: Real Store
export:
  selectedFields: [name, sku, description, status, type, categories, tags, brands, price, sale_price,
    date_on_sale_from, date_on_sale_to, weight, dimensions, stock_status, manage_stock,
    stock_quantity, backorders, low_stock_amount, Color, Size, Material, short_description,
    featured, catalog_visibility, tax_class, menu_order, purchase_note, virtual, brand,
    sold_individually]
  fieldMappings:
    sold_individually: sold_individually
    Color: pa_color
    short_description: short_description
    featured: featured
    catalog_visibility: catalog_visibility
    tax_class: tax_class
    menu_order: menu_order
    purchase_note: purchase_note
    virtual: virtual
    brand: "meta:brand"
"""
COMPARED = (
    "name", "type", "status", "description", "short_description", "regular_price", "sale_price",
    "date_on_sale_from", "date_on_sale_to", "weight", "dimensions", "manage_stock",
    "stock_quantity", "stock_status", "backorders", "low_stock_amount", "featured",
    "catalog_visibility", "tax_class", "menu_order", "purchase_note", "virtual",
    "sold_individually",
)  # fmt: skip


def ok(answer: Any) -> Any:
    assert answer.status_code < 300, answer.text
    return answer.json()


def seed(store: RealStore) -> None:
    """A small shop made as a shop manager would: a category tree, a global attribute, a simple
    product with most fields set, a variable one with a plain attribute and a variation that
    takes any colour, a draft."""
    with store.api() as api:
        kitchen = ok(api.post("/products/categories", json={"name": "Kitchen"}))
        cups = ok(
            api.post(
                "/products/categories",
                json={"name": "Cups, Saucers & Plates", "parent": kitchen["id"]},
            )
        )
        acme = ok(api.post("/products/brands", json={"name": "Acme"}))
        pro = ok(api.post("/products/brands", json={"name": "Acme Pro", "parent": acme["id"]}))
        nord = ok(api.post("/products/brands", json={"name": "Nord & Co"}))
        color = ok(api.post("/products/attributes", json={"name": "Color", "slug": "pa_color"}))
        for term in ("Red", "Blue"):
            ok(api.post(f"/products/attributes/{color['id']}/terms", json={"name": term}))
        mug = {
            "name": "Mug & Saucer", "sku": "WC-MUG", "regular_price": "12.50",
            "sale_price": "9.99", "date_on_sale_from": "2026-12-01T00:00:00",
            "date_on_sale_to": "2027-01-31T23:59:59",
            "description": "<p>A <strong>big</strong> mug.</p>\n<p>Fine & dandy</p>",
            "short_description": "Short & sweet", "categories": [{"id": cups["id"]}],
            "tags": [{"name": "gift"}, {"name": "ceramic, white"}], "weight": "0.35",
            "dimensions": {"length": "10", "width": "8", "height": "9.5"},
            "manage_stock": True, "stock_quantity": 25, "backorders": "notify",
            "low_stock_amount": 3, "featured": True, "catalog_visibility": "search",
            "tax_class": "reduced-rate", "menu_order": 4, "purchase_note": "Thanks!",
            "virtual": True, "sold_individually": True,
            "meta_data": [{"key": "brand", "value": "Acme"}],
            "brands": [{"id": pro["id"]}, {"id": nord["id"]}],
        }  # fmt: skip
        ok(api.post("/products", json=mug))
        ok(api.post("/products", json={"name": "Draft", "sku": "WC-DRAFT", "status": "draft"}))
        tee_body = {
            "name": "Tee", "sku": "WC-TEE", "type": "variable", "brands": [{"id": acme["id"]}],
            "attributes": [
                {"id": color["id"], "options": ["Red", "Blue"], "variation": True},
                {"name": "Size", "options": ["S", "M"], "variation": True},
                {"name": "Material", "options": ["Cotton"], "variation": False},
            ],
        }  # fmt: skip
        tee = ok(api.post("/products", json=tee_body))
        variations = [
            {"sku": "WC-TEE-S-RED", "regular_price": "20.00", "manage_stock": True,
             "stock_quantity": 5, "attributes": [{"id": color["id"], "option": "Red"},
                                                 {"name": "Size", "option": "S"}]},
            {"sku": "WC-TEE-M-BLUE", "regular_price": "21.00", "sale_price": "19.00",
             "status": "private", "attributes": [{"id": color["id"], "option": "Blue"},
                                                 {"name": "Size", "option": "M"}]},
            {"sku": "WC-TEE-M-ANY", "regular_price": "22.00", "stock_status": "outofstock",
             "attributes": [{"name": "Size", "option": "M"}]},
        ]  # fmt: skip
        ok(api.post(f"/products/{tee['id']}/variations/batch", json={"create": variations}))


def snapshot(store: RealStore) -> dict[str, Any]:
    """Every product and variation by SKU: the compared fields, category paths' names, tags,
    attributes (name, global or not, options, whether a variation attribute) and meta data."""
    found: dict[str, Any] = {}
    with store.api() as api:
        params: dict[str, str | int] = {"per_page": 100, "context": "edit", "status": "any"}
        for product in ok(api.get("/products", params=params)):
            found[product["sku"]] = _shape(product)
            if product["type"] == "variable":
                path = f"/products/{product['id']}/variations"
                for variation in ok(api.get(path, params=params)):
                    found[variation["sku"]] = _shape(variation)
    return found


def _shape(item: dict[str, Any]) -> dict[str, Any]:
    shaped = {key: item.get(key) for key in COMPARED if key in item}
    shaped["categories"] = sorted(c["name"] for c in item.get("categories") or [])
    shaped["tags"] = sorted(t["name"] for t in item.get("tags") or [])
    shaped["brands"] = sorted(b["name"] for b in item.get("brands") or [])
    shaped["attributes"] = sorted(
        (a["name"], bool(a.get("id")), a.get("options") or [a.get("option")], a.get("variation"))
        for a in item.get("attributes") or []
    )
    shaped["meta"] = {m["key"]: m["value"] for m in item.get("meta_data") or []}
    return shaped


def test_a_woocommerce_export_loaded_and_exported_makes_the_same_store(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    store = real_connection
    seed(store)
    before = snapshot(store)
    exported = tmp_path / "products.csv"
    exported.write_text(store.woocommerce_csv(), encoding="utf-8")
    store.reset()

    loaded = cli("--json", "products", "load", str(exported))
    assert loaded.exit_code == 0, loaded.stdout + loaded.stderr
    assert json.loads(loaded.stdout)["created"] == 6
    (tmp_path / "store.yaml").write_text(MAPPING)
    assert cli("mappings", "apply", str(tmp_path / "store.yaml")).exit_code == 0
    first = cli("--json", "export", "--all")
    assert json.loads(first.stdout)["failedCount"] == 0, first.stdout + first.stderr

    after = snapshot(store)
    assert sorted(after) == sorted(before)
    for sku, was in before.items():
        assert after[sku] == was, sku
    tee = after["WC-TEE"]["attributes"]
    assert ("Material", False, ["Cotton"], False) in tee  # still a plain attribute
    with store.api() as api:
        brands = ok(api.get("/products/brands", params={"hide_empty": "false"}))
    parents = {b["name"]: b["parent"] for b in brands}
    ids = {b["name"]: b["id"] for b in brands}
    assert (parents["Acme"], parents["Acme Pro"]) == (0, ids["Acme"])  # the sub-brand's place

    store.mark()
    again = cli("--json", "export", "--all", "--partial")
    assert json.loads(again.stdout)["failedCount"] == 0
    assert store.write_requests() == []


SAMPLE_MAPPING = """
store: Real Store
export:
  selectedFields: [name, sku, description, status, type, categories, tags, price, sale_price,
    weight, dimensions, stock_status, Color, Size, Logo, short_description, featured]
  fieldMappings:
    Color: pa_color
    Size: pa_size
    short_description: short_description
    featured: featured
"""


def test_woocommerces_own_sample_catalog_loads_and_exports(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    """The sample catalog WooCommerce ships (``sample-data/sample_products.csv`` in the plugin the
    store runs, in its exporter's layout): every row loads (``.5`` weights, ``id:`` parents,
    grouped and external products, variations taking any size) and exports to a real store, the
    V-Neck T-Shirt still a choice of any size."""
    store = real_connection
    sample = store.dir / "wordpress/wp-content/plugins/woocommerce/sample-data/sample_products.csv"

    loaded = cli("--json", "products", "load", str(sample))

    assert loaded.exit_code == 0, loaded.stdout + loaded.stderr
    assert json.loads(loaded.stdout)["created"] == 25
    (tmp_path / "store.yaml").write_text(SAMPLE_MAPPING)
    assert cli("mappings", "apply", str(tmp_path / "store.yaml")).exit_code == 0
    result = cli("--json", "export", "--all")  # images left out: their URLs are on the internet
    data = json.loads(result.stdout)
    assert data["failedCount"] == 0, [r for r in data["results"] if r["status"] == "error"]
    after = snapshot(store)
    assert len(after) == 25
    assert (
        after["woo-vneck-tee"]["weight"] == "0.5" and after["woo-vneck-tee"]["type"] == "variable"
    )
    vneck = {
        name: (is_global, flag) for name, is_global, _, flag in after["woo-vneck-tee"]["attributes"]
    }
    assert vneck == {"Color": (True, True), "Size": (True, True)}  # each colour in any size
    assert [name for name, *_ in after["woo-vneck-tee-red"]["attributes"]] == ["Color"]
    hoodie = {name: options for name, _, options, _ in after["woo-hoodie"]["attributes"]}
    assert hoodie == {"Color": ["Blue", "Green", "Red"], "Logo": ["Yes", "No"]}
    assert after["woo-hoodie-blue-logo"]["regular_price"] == "45"
    assert after["woo-belt"]["sale_price"] == "55"


def test_a_stores_own_export_loaded_and_sent_back_changes_nothing_there(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    """The first thing a shop owner may do: export the store's products in its admin, load the
    file, then export to that store. Every product is found by its SKU and written in place,
    its images are known by their URLs (none is downloaded again), and the store ends as it was."""
    store = real_connection
    seed(store)
    with store.api() as api:
        [mug] = ok(api.get("/products", params={"sku": "WC-MUG"}))
        image = {"src": store.images.url(IMAGE)}
        held = ok(api.put(f"/products/{mug['id']}", json={"images": [image]}))["images"]
    before = snapshot(store)
    media = store.media_count()
    exported = tmp_path / "products.csv"
    exported.write_text(store.woocommerce_csv(), encoding="utf-8")
    assert cli("products", "load", str(exported)).exit_code == 0
    (tmp_path / "store.yaml").write_text(
        MAPPING.replace("categories, tags,", "categories, tags, images,")
    )
    assert cli("mappings", "apply", str(tmp_path / "store.yaml")).exit_code == 0

    first = cli("--json", "export", "--all")

    data = json.loads(first.stdout)
    assert data["failedCount"] == 0 and data["counts"]["created"] == 0, first.stdout + first.stderr
    assert store.media_count() == media  # the store's own image, not downloaded again
    with store.api() as api:
        [mug] = ok(api.get("/products", params={"sku": "WC-MUG"}))
    assert [i["id"] for i in mug["images"]] == [i["id"] for i in held]
    assert snapshot(store) == before
    store.mark()
    assert json.loads(cli("--json", "export", "--all", "--partial").stdout)["failedCount"] == 0
    assert store.write_requests() == []


def test_a_stores_own_export_loaded_then_imported_from_it_is_in_step(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    """The other first step: load the store's export, then import from that store to link the
    products. Every value agrees, a variation's description too (the exporter writes it as
    given, the REST API formats it: ``<p>Kid&#8217;s ...``), so nothing is a conflict."""
    store = real_connection
    seed(store)
    with store.api() as api:
        [tee] = ok(api.get("/products", params={"sku": "WC-TEE"}))
        route = f"/products/{tee['id']}/variations"
        [red] = [v for v in ok(api.get(route)) if v["sku"] == "WC-TEE-S-RED"]
        written = 'Kid\'s "tee" -- soft\nand warm\n\nWash at 30 & dry'
        ok(api.put(f"{route}/{red['id']}", json={"description": written}))
    exported = tmp_path / "products.csv"
    exported.write_text(store.woocommerce_csv(), encoding="utf-8")
    assert cli("products", "load", str(exported)).exit_code == 0

    linked = cli("--json", "import", "--update-existing")

    data = json.loads(linked.stdout)
    assert (data["conflictCount"], data["failedCount"], data["updatedCount"]) == (0, 0, 0), data
    shown = json.loads(cli("--json", "products", "show", "WC-TEE-S-RED").stdout)
    assert shown["description"] == written
