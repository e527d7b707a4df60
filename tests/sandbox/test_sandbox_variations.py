"""Variable products and their variations in the sandbox, as WooCommerce 11 answers them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.sandbox_helpers import make_client
from woosync.sandbox import SandboxStore

VIA_PRODUCTS = (
    "To manipulate product variations you should use the "
    "/products/&lt;product_id&gt;/variations/&lt;id&gt; endpoint."
)


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def tee(api: httpx.Client, store: SandboxStore, sku: str = "TEE") -> dict[str, Any]:
    """A variable tee: a global Size (S, M, L) and a local Color (Red, Blue)."""
    size = store.create_attribute("Size", "size")
    return ok(
        api.post(
            "/products",
            json={
                "name": "Tee",
                "type": "variable",
                "sku": sku,
                "regular_price": "20",
                "attributes": [
                    {"id": size["id"], "variation": True, "options": ["S", "M", "L"]},
                    {"name": "Color", "variation": True, "options": ["Red", "Blue"]},
                    {"name": "Fabric", "variation": False, "options": ["Cotton"]},
                ],
            },
        ),
        201,
    )


def options(size: str, color: str, size_id: int = 1) -> list[dict[str, Any]]:
    return [{"id": size_id, "option": size}, {"name": "Color", "option": color}]


def variation(
    api: httpx.Client, parent: dict[str, Any], sku: str, price: str = "10.00", **fields: Any
) -> dict[str, Any]:
    body = {"sku": sku, "regular_price": price, **fields}
    return ok(api.post(f"/products/{parent['id']}/variations", json=body), 201)


@pytest.fixture
def parent(api: httpx.Client, store: SandboxStore) -> dict[str, Any]:
    return tee(api, store)


# 1. variable products -----------------------------------------------------------------------------
def test_a_variable_product_without_variations_has_no_price_and_is_out_of_stock(
    parent: dict[str, Any],
) -> None:
    assert parent["type"] == "variable" and parent["variations"] == []
    assert (parent["price"], parent["regular_price"], parent["purchasable"]) == ("", "", False)
    assert parent["stock_status"] == "outofstock" and parent["has_options"] is True
    assert [a["variation"] for a in parent["attributes"]] == [True, True, False]


def test_the_parent_lists_its_variations_and_sells_at_the_cheapest_published_one(
    api: httpx.Client, parent: dict[str, Any]
) -> None:
    dear = variation(api, parent, "TEE-L", "22.00", attributes=options("L", "Blue"))
    cheap = variation(api, parent, "TEE-S", "19.50", attributes=options("S", "Red"))
    variation(api, parent, "TEE-DRAFT", "1.00", status="draft")  # not for sale: not counted
    variation(api, parent, "TEE-NOPRICE", "")  # no price: not counted
    on_sale = variation(api, parent, "TEE-M", "21.00", sale_price="18.00")
    shown = ok(api.get(f"/products/{parent['id']}"))
    assert shown["variations"][:2] == [dear["id"], cheap["id"]]
    assert len(shown["variations"]) == 5
    assert (shown["price"], shown["regular_price"], shown["purchasable"]) == ("18.00", "", True)
    assert shown["on_sale"] is True and shown["stock_status"] == "instock"
    assert "Price range: &#36;18.00 through &#36;22.00" in shown["price_html"]
    ok(api.delete(f"/products/{parent['id']}/variations/{on_sale['id']}", params={"force": True}))
    assert ok(api.get(f"/products/{parent['id']}"))["price"] == "19.50"


def test_a_variation_change_moves_the_parents_date_modified() -> None:
    now = [datetime(2026, 12, 4, 3, 54, 14, tzinfo=UTC)]
    store = SandboxStore(clock=lambda: now[0])
    key, secret = store.create_key()
    with make_client(store, key, secret) as api:
        parent = tee(api, store)
        child = variation(api, parent, "TEE-S", attributes=options("S", "Red"))
        before = ok(api.get(f"/products/{parent['id']}"))["date_modified_gmt"]
        now[0] += timedelta(seconds=35)
        ok(api.put(f"/products/{parent['id']}/variations/{child['id']}", json={"sale_price": "5"}))
        after = ok(api.get(f"/products/{parent['id']}"))["date_modified_gmt"]
        assert (before, after) == ("2026-12-04T03:54:14", "2026-12-04T03:54:49")
        seen = ok(api.get("/products", params={"modified_after": "2026-12-04T03:54:30"}))
        assert [p["id"] for p in seen] == [parent["id"]]  # an incremental import sees it


# 2. variation routes --------------------------------------------------------------------------------
def test_variations_are_created_read_updated_and_listed_with_paging_headers(
    api: httpx.Client, parent: dict[str, Any]
) -> None:
    route = f"/products/{parent['id']}/variations"
    response = api.post(route, json={"sku": "TEE-S-RED", "regular_price": "20.00"})
    created = ok(response, 201)
    assert response.headers["Location"].endswith(f"{route}/{created['id']}")
    assert created["type"] == "variation" and created["parent_id"] == parent["id"]
    assert created["tax_class"] == "parent" and created["image"] is None
    assert created["_links"]["up"] == [
        {"href": f"http://store.test/wp-json/wc/v3/products/{parent['id']}"}
    ]
    for n in range(2):
        variation(api, parent, f"TEE-{n}")
    page = api.get(route, params={"per_page": 2})
    assert page.headers["X-WP-Total"] == "3" and page.headers["X-WP-TotalPages"] == "2"
    assert 'rel="next"' in page.headers["Link"]
    listed = ok(page)
    assert [v["tax_class"] for v in listed] == ["", ""]  # view: the parent's tax class
    assert listed[0]["sku"] == "TEE-1"  # newest first, as WooCommerce lists them
    ok(api.patch(f"{route}/{created['id']}", json={"regular_price": "25.00"}))
    shown = ok(api.get(f"{route}/{created['id']}"))
    assert (shown["price"], shown["regular_price"]) == ("25.00", "25.00")
    assert ok(api.get(route, params={"sku": "tee-s-red"}))[0]["id"] == created["id"]


def test_unknown_variations_and_wrong_parents_answer_as_woocommerce(
    api: httpx.Client, store: SandboxStore, parent: dict[str, Any]
) -> None:
    child = variation(api, parent, "TEE-S")
    route = f"/products/{parent['id']}/variations"
    missing = api.get(f"{route}/999999")
    assert missing.status_code == 404
    assert missing.json()["code"] == "woocommerce_rest_product_variation_invalid_id"
    assert api.put(f"{route}/999999", json={"sku": "X"}).status_code == 404
    simple = ok(api.post("/products", json={"name": "Plain", "sku": "PLAIN"}), 201)
    # a real WooCommerce 11.0.1 store makes a variation under a simple product without a word
    taken = ok(api.post(f"/products/{simple['id']}/variations", json={"sku": "ODD"}), 201)
    assert taken["parent_id"] == simple["id"] and store.find_sku("ODD") is not None
    refused = api.post("/products/999999/variations", json={"sku": "NOPE"})
    assert refused.status_code == 404 and store.find_sku("NOPE") is None
    # as a real WooCommerce 11.0.1 store: a variation named under another parent is not found
    wrong_parent = api.put(f"/products/{simple['id']}/variations/{child['id']}", json={})
    assert wrong_parent.status_code == 404
    assert wrong_parent.json()["code"] == "woocommerce_rest_product_variation_invalid_id"
    assert ok(api.get("/products/999999/variations")) == []


def test_delete_with_force_removes_a_variation_and_without_it_trashes_it(
    api: httpx.Client, parent: dict[str, Any]
) -> None:
    route = f"/products/{parent['id']}/variations"
    gone, trashed = variation(api, parent, "TEE-GONE"), variation(api, parent, "TEE-TRASH")
    before = ok(api.delete(f"{route}/{gone['id']}", params={"force": "true"}))
    assert before["sku"] == "TEE-GONE" and "targetHints" not in before["_links"]["self"][0]
    assert api.get(f"{route}/{gone['id']}").status_code == 404
    assert api.delete(f"{route}/{gone['id']}", params={"force": "true"}).status_code == 404
    assert ok(api.delete(f"{route}/{trashed['id']}"))["status"] == "publish"  # as it was
    assert ok(api.get(f"{route}/{trashed['id']}"))["status"] == "trash"
    again = api.delete(f"{route}/{trashed['id']}")
    assert again.status_code == 410 and again.json()["code"] == "woocommerce_rest_already_trashed"
    assert ok(api.get(route)) == [] and ok(api.get(f"/products/{parent['id']}"))["variations"] == []
    assert len(ok(api.get(route, params={"status": "trash"}))) == 1


def test_attributes_keep_only_the_parents_variation_attributes_and_any_option(
    api: httpx.Client, store: SandboxStore, parent: dict[str, Any]
) -> None:
    size_id = store.attributes["pa_size"]
    child = variation(
        api,
        parent,
        "TEE-XL",
        attributes=[
            {"id": size_id, "option": "XL"},  # not among the parent's options: kept, lower-cased
            {"name": "Color", "option": "Green"},  # local: kept as sent
            {"name": "Fabric", "option": "Cotton"},  # not a variation attribute: dropped
            {"name": "Nope", "option": "x"},  # not on the parent: dropped
        ],
    )
    assert child["attributes"] == [
        {"id": size_id, "name": "Size", "slug": "pa_size", "option": "xl"},
        {"id": 0, "name": "Color", "slug": "color", "option": "Green"},
    ]
    assert child["name"] == "xl, Green"
    assert child["permalink"].endswith("/product/tee/?attribute_pa_size=xl&attribute_color=Green")
    known = variation(api, parent, "TEE-S", attributes=options("s", "Red", size_id))
    assert known["attributes"][0]["option"] == "S"  # matched to the term by name
    assert known["name"] == "S, Red"


def test_batch_creates_updates_and_deletes_variations_with_per_item_errors(
    api: httpx.Client, parent: dict[str, Any]
) -> None:
    first = variation(api, parent, "TEE-S-RED", attributes=options("S", "Red"))
    gone = variation(api, parent, "TEE-GONE")
    answer = ok(
        api.post(
            f"/products/{parent['id']}/variations/batch",
            json={
                "create": [
                    {
                        "sku": "TEE-M-RED",
                        "regular_price": "21.00",
                        "attributes": options("M", "Red"),
                    },
                    {"sku": "tee-s-red", "regular_price": "23.00"},  # taken, whatever the case
                ],
                "update": [
                    {"id": first["id"], "regular_price": "19.50", "stock_quantity": 7},
                    {"id": 999999, "regular_price": "1"},
                ],
                "delete": [gone["id"], 999998],
            },
        )
    )
    assert answer["create"][0]["sku"] == "TEE-M-RED"
    assert answer["create"][1] == {
        "id": 0,
        "error": {
            "code": "product_invalid_sku",
            "message": "Invalid or duplicated SKU.",
            "data": {"status": 400, "resource_id": first["id"], "unique_sku": "tee-s-red-1"},
        },
    }
    assert answer["update"][0]["regular_price"] == "19.50"
    assert answer["update"][0]["stock_quantity"] is None  # stock not managed: not kept
    # as a real WooCommerce 11.0.1 store answers (a PUT of one unknown variation is a 400)
    assert answer["update"][1]["error"]["data"]["status"] == 404
    assert answer["delete"][0]["id"] == gone["id"]
    assert answer["delete"][1]["error"]["data"]["status"] == 404
    assert answer["delete"][1]["id"] == {"id": 999998, "product_id": parent["id"], "force": True}
    too_many = {"create": [{"sku": f"V-{n}"} for n in range(101)]}
    refused = api.post(f"/products/{parent['id']}/variations/batch", json=too_many)
    assert refused.status_code == 413
    assert len(ok(api.get(f"/products/{parent['id']}/variations"))) == 2


def test_skus_are_unique_across_products_and_variations(
    api: httpx.Client, parent: dict[str, Any]
) -> None:
    child = variation(api, parent, "TEE-S")
    taken = api.post("/products", json={"name": "Clash", "sku": "tee-s"})
    assert taken.status_code == 400
    assert taken.json()["data"] == {
        "status": 400,
        "resource_id": child["id"],
        "unique_sku": "tee-s-1",
    }
    clash = api.post(f"/products/{parent['id']}/variations", json={"sku": "TEE"})
    assert clash.status_code == 400 and clash.json()["data"]["resource_id"] == parent["id"]


# 3. what /products does with variations --------------------------------------------------------
def test_products_batch_and_product_routes_refuse_variations(
    api: httpx.Client, parent: dict[str, Any]
) -> None:
    child = variation(api, parent, "TEE-S")
    answer = ok(
        api.post(
            "/products/batch",
            json={
                "create": [{"type": "variation", "parent_id": parent["id"], "sku": "TEE-V"}],
                "update": [{"id": child["id"], "regular_price": "1"}],
                "delete": [child["id"]],
            },
        )
    )
    for section in ("create", "update", "delete"):
        error = answer[section][0]["error"]
        assert (error["code"], error["message"]) == (
            "woocommerce_rest_invalid_product_id",
            VIA_PRODUCTS,
        )
        assert error["data"] == {"status": 404}
    for response in (
        api.put(f"/products/{child['id']}", json={"regular_price": "1"}),
        api.delete(f"/products/{child['id']}", params={"force": "true"}),
    ):
        assert response.status_code == 404 and response.json()["message"] == VIA_PRODUCTS
    assert ok(api.get(f"/products/{child['id']}"))["type"] == "variation"


def test_a_sku_lookup_finds_variations_but_a_listing_does_not(
    api: httpx.Client, parent: dict[str, Any]
) -> None:
    child = variation(api, parent, "TEE-S-RED", "19.50", attributes=options("S", "Red"))
    hits = ok(api.get("/products", params={"sku": "TEE-S-RED"}))
    assert [(h["id"], h["type"], h["parent_id"]) for h in hits] == [
        (child["id"], "variation", parent["id"])
    ]
    assert hits[0]["name"] == "Tee - S, Red" and hits[0]["slug"] == "tee-s-red"
    assert hits[0]["total_sales"] == "0" and hits[0]["categories"] == []
    assert [p["id"] for p in ok(api.get("/products"))] == [parent["id"]]
    both = ok(api.get("/products", params={"sku": "TEE,TEE-S-RED", "orderby": "id"}))
    assert {p["type"] for p in both} == {"variable", "variation"}
    refused = api.get("/products", params={"type": "variation", "sku": "TEE-S-RED"})
    assert refused.status_code == 400 and refused.json()["code"] == "rest_invalid_param"
    assert refused.json()["data"]["params"] == {
        "type": "type is not one of simple, grouped, external, and variable."
    }


def test_deleting_a_variable_product_deletes_its_variations(
    api: httpx.Client, store: SandboxStore, parent: dict[str, Any]
) -> None:
    child = variation(api, parent, "TEE-S")
    before = ok(api.delete(f"/products/{parent['id']}", params={"force": "true"}))
    assert before["variations"] == [child["id"]]
    assert store.find_sku("TEE-S") is None and store.variations(parent["id"]) == []
    assert ok(api.get("/products", params={"sku": "TEE-S"})) == []
    reborn = ok(api.post("/products", json={"name": "Reuse", "sku": "TEE-S"}), 201)
    assert reborn["sku"] == "TEE-S"  # the SKU is free again


def test_trashing_a_variable_product_trashes_its_variations(
    api: httpx.Client, store: SandboxStore, parent: dict[str, Any]
) -> None:
    child = variation(api, parent, "TEE-S")
    ok(api.delete(f"/products/{parent['id']}"))
    assert [v["status"] for v in store.variations(parent["id"])] == ["trash"]
    assert ok(api.get("/products", params={"sku": "TEE-S"})) == []
    blocked = api.post("/products", json={"name": "Reuse", "sku": "TEE-S"})
    assert blocked.status_code == 400  # a trashed SKU still blocks, as on the real store
    assert child["id"] in [v["id"] for v in store.variations(parent["id"])]


# 4. stock ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"manage_stock": True, "stock_quantity": 5}, "instock"),
        ({"manage_stock": True, "stock_quantity": 0}, "outofstock"),
        ({"manage_stock": True, "stock_quantity": 0, "backorders": "notify"}, "onbackorder"),
        ({"manage_stock": True, "stock_quantity": 3, "stock_status": "outofstock"}, "instock"),
        ({"manage_stock": False, "stock_status": "outofstock"}, "outofstock"),
    ],
)
def test_stock_status_follows_the_quantity_when_stock_is_managed(
    api: httpx.Client, parent: dict[str, Any], fields: dict[str, Any], status: str
) -> None:
    product = ok(api.post("/products", json={"name": "Mug", "sku": "MUG", **fields}), 201)
    child = variation(api, parent, "TEE-S", **fields)
    assert product["stock_status"] == child["stock_status"] == status


def test_a_stock_only_put_changes_only_stock_on_products_and_variations(
    api: httpx.Client, parent: dict[str, Any]
) -> None:
    product = ok(
        api.post(
            "/products",
            json={
                "name": "Mug",
                "sku": "MUG",
                "regular_price": "9",
                "manage_stock": True,
                "stock_quantity": 10,
                "low_stock_amount": 2,
            },
        ),
        201,
    )
    child = variation(api, parent, "TEE-S", "19.50", manage_stock=True, stock_quantity=7)
    updated = ok(api.put(f"/products/{product['id']}", json={"stock_quantity": 0}))
    assert (updated["stock_quantity"], updated["stock_status"]) == (0, "outofstock")
    assert (updated["regular_price"], updated["low_stock_amount"]) == ("9", 2)
    route = f"/products/{parent['id']}/variations/{child['id']}"
    changed = ok(api.put(route, json={"stock_quantity": 3}))
    assert (changed["stock_quantity"], changed["price"], changed["manage_stock"]) == (
        3,
        "19.50",
        True,
    )
    ok(api.put(route, json={"stock_quantity": 0}))
    assert ok(api.get(f"/products/{parent['id']}"))["stock_status"] == "outofstock"


def test_unmanaged_stock_clears_quantity_and_low_stock_amount(
    api: httpx.Client, parent: dict[str, Any]
) -> None:
    body: dict[str, Any] = {"stock_quantity": 4, "low_stock_amount": 2, "backorders": "yes"}
    product = ok(api.post("/products", json={"name": "Mug", "sku": "MUG", **body}), 201)
    assert (product["stock_quantity"], product["low_stock_amount"]) == (None, None)
    assert product["backorders"] == "yes"
    child = variation(api, parent, "TEE-S", **body)
    assert (child["stock_quantity"], child["low_stock_amount"], child["backorders"]) == (
        None,
        None,
        "no",  # a variation that does not manage stock takes no backorders
    )


# 5. category parents -------------------------------------------------------------------------------
def test_categories_have_parents_and_take_their_slugs_when_a_name_repeats(
    api: httpx.Client,
) -> None:
    kitchen = ok(api.post("/products/categories", json={"name": "Kitchen"}), 201)
    garden = ok(api.post("/products/categories", json={"name": "Garden"}), 201)
    mugs = ok(api.post("/products/categories", json={"name": "Mugs", "parent": kitchen["id"]}), 201)
    assert (mugs["parent"], mugs["slug"]) == (kitchen["id"], "mugs")
    assert mugs["_links"]["up"][0]["href"].endswith(f"/products/categories/{kitchen['id']}")
    garden_mugs = ok(
        api.post("/products/categories", json={"name": "Mugs", "parent": garden["id"]}), 201
    )
    assert garden_mugs["slug"] == "mugs-garden"  # wp_unique_term_slug: the parent's slug added
    top_mugs = ok(api.post("/products/categories", json={"name": "Mugs"}), 201)
    assert top_mugs["slug"] == "mugs-2"
    again = api.post("/products/categories", json={"name": "Mugs", "parent": kitchen["id"]})
    assert again.status_code == 400
    assert again.json()["code"] == "term_exists"
    assert again.json()["data"]["resource_id"] == mugs["id"]
    under = ok(api.get("/products/categories", params={"parent": kitchen["id"]}))
    assert [c["id"] for c in under] == [mugs["id"]]
    top = ok(api.get("/products/categories", params={"parent": 0, "per_page": 100}))
    assert {c["name"] for c in top} == {"Uncategorized", "Kitchen", "Garden", "Mugs"}


def test_category_parents_must_exist_and_only_categories_have_them(api: httpx.Client) -> None:
    kitchen = ok(api.post("/products/categories", json={"name": "Kitchen"}), 201)
    mugs = ok(api.post("/products/categories", json={"name": "Mugs", "parent": kitchen["id"]}), 201)
    missing = api.post("/products/categories", json={"name": "X", "parent": 999999})
    assert (missing.status_code, missing.json()["code"]) == (400, "missing_parent")
    tag = api.post("/products/tags", json={"name": "Sale", "parent": kitchen["id"]})
    assert tag.status_code == 400
    assert tag.json()["code"] == "woocommerce_rest_taxonomy_not_hierarchical"
    loop = api.put(f"/products/categories/{kitchen['id']}", json={"parent": mugs["id"]})
    assert loop.status_code == 400
    assert ok(api.get(f"/products/categories/{kitchen['id']}"))["parent"] == 0
    itself = ok(api.put(f"/products/categories/{mugs['id']}", json={"parent": mugs["id"]}))
    assert itself["parent"] == 0  # WordPress drops a term's parent that is itself


def test_deleting_a_category_moves_its_children_up_a_level(api: httpx.Client) -> None:
    home = ok(api.post("/products/categories", json={"name": "Home"}), 201)
    kitchen = ok(
        api.post("/products/categories", json={"name": "Kitchen", "parent": home["id"]}), 201
    )
    mugs = ok(api.post("/products/categories", json={"name": "Mugs", "parent": kitchen["id"]}), 201)
    ok(api.delete(f"/products/categories/{kitchen['id']}", params={"force": "true"}))
    assert ok(api.get(f"/products/categories/{mugs['id']}"))["parent"] == home["id"]


# the Python API and persistence ------------------------------------------------------------------
def test_the_store_api_creates_and_shows_variations_and_keeps_them_in_its_data_file(
    tmp_path: Path,
) -> None:
    data = tmp_path / "store.json"
    with SandboxStore(data_file=data) as store:
        size = store.create_attribute("Size")
        parent = store.create_product(
            {
                "name": "Tee",
                "type": "variable",
                "sku": "TEE",
                "attributes": [{"id": size["id"], "variation": True, "options": ["S", "M"]}],
            }
        )
        child = store.create_variation(
            parent["id"],
            {
                "sku": "TEE-S",
                "regular_price": "5",
                "attributes": [{"id": size["id"], "option": "S"}],
            },
        )
        assert list(store.products) == [parent["id"]] and len(store.products) == 1
        assert child["id"] not in store.products
        assert store.find_sku("tee-s")["type"] == "variation"  # type: ignore[index]
    with SandboxStore(data_file=data) as reopened:
        assert [v["sku"] for v in reopened.variations(parent["id"])] == ["TEE-S"]
        assert reopened.products[parent["id"]]["variations"] == [child["id"]]
        assert reopened.products[parent["id"]]["price"] == "5"


def test_the_namespace_index_lists_the_variation_routes(anon: httpx.Client) -> None:
    routes = ok(anon.get(""))["routes"]
    assert routes["/wc/v3/products/(?P<product_id>[\\d]+)/variations"]["methods"] == ["GET", "POST"]
    assert "/wc/v3/products/(?P<product_id>[\\d]+)/variations/batch" in routes
    item = routes["/wc/v3/products/(?P<product_id>[\\d]+)/variations/(?P<id>[\\d]+)"]
    assert item["methods"] == ["GET", "POST", "PUT", "PATCH", "DELETE"]


def test_the_variations_of_many_parents_are_listed_together_from_woocommerce_10_3(
    api: httpx.Client, store: SandboxStore, parent: dict[str, Any]
) -> None:
    """``/variations?parent=a,b`` (WooCommerce 10.3 and later), as on a real 11.0.1 store: the
    variations of the parents named, paged, oldest first when asked; an id no parent has (or
    not a number) lists none; without ``parent``, every parent's."""
    other = ok(api.post("/products", json={"name": "Polo", "type": "variable", "sku": "POLO"}), 201)
    made = [
        variation(api, parent, "TEE-S", attributes=options("S", "Red"))["id"],
        variation(api, other, "POLO-1")["id"],
        variation(api, parent, "TEE-M", attributes=options("M", "Red"))["id"],
    ]
    both = f"{parent['id']},{other['id']}"
    query: dict[str, str | int] = {"parent": both, "orderby": "id", "order": "asc", "per_page": 2}
    first = api.get("/variations", params=query)
    assert [v["id"] for v in ok(first)] == made[:2]
    assert (first.headers["X-WP-Total"], first.headers["X-WP-TotalPages"]) == ("3", "2")
    second = ok(api.get("/variations", params={**query, "page": 2, "_fields": "id,parent_id"}))
    assert second == [{"id": made[2], "parent_id": parent["id"]}]
    alone = ok(api.get("/variations", params={"parent": other["id"], "orderby": "id"}))
    assert [v["sku"] for v in alone] == ["POLO-1"]
    assert ok(api.get("/variations", params={"parent": "999999"})) == []
    assert ok(api.get("/variations", params={"parent": "abc"})) == []
    assert len(ok(api.get("/variations"))) == 3


def test_a_store_before_woocommerce_10_3_has_no_variations_route() -> None:
    old = SandboxStore(wc_version="10.2.0")
    key, secret = old.create_key("read_write")
    with make_client(old, key, secret) as api:
        refused = api.get("/variations")
        assert refused.status_code == 404 and refused.json()["code"] == "rest_no_route"
        assert "/wc/v3/variations" not in ok(api.get(""))["routes"]
    new = SandboxStore()
    with make_client(new, *new.create_key("read_write")) as api:
        assert ok(api.get(""))["routes"]["/wc/v3/variations"]["methods"] == ["GET"]


def test_single_variation_writes_are_schema_checked_and_batch_items_are_not(
    api: httpx.Client, parent: dict[str, Any]
) -> None:
    route = f"/products/{parent['id']}/variations"
    for body, name in (
        ({"regular_price": 12.5}, "regular_price"),
        ({"attributes": "Size"}, "attributes"),
        ({"image": "a.jpg"}, "image"),
        ({"stock_quantity": "many"}, "stock_quantity"),
    ):
        refused = api.post(route, json={"sku": "V-BAD", **body})
        assert refused.status_code == 400 and refused.json()["code"] == "rest_invalid_param"
        assert list(refused.json()["data"]["params"]) == [name]
    batch = ok(
        api.post(f"{route}/batch", json={"create": [{"sku": "V-OK", "regular_price": 12.5}]})
    )
    assert batch["create"][0]["regular_price"] == "12.5"
    with_image = variation(api, parent, "V-IMG", image={"src": "https://img.test/tee.jpg"})
    assert with_image["image"]["src"].endswith("/tee.jpg")
    cleared = ok(api.put(f"{route}/{with_image['id']}", json={"image": {}}))
    assert cleared["image"] is None
    bad_image = api.post(route, json={"sku": "V-IMG2", "image": {"id": 999999}})
    assert bad_image.json()["code"] == "woocommerce_variation_invalid_image_id"


def test_seeded_variable_products_have_one_priced_stocked_variation_per_size(
    api: httpx.Client, store: SandboxStore
) -> None:
    first, second = store.seed_variable_products(2, sizes=("S", "M"))
    children = store.variations(first)
    assert [v["attributes"][0]["option"] for v in children] == ["S", "M"]
    assert all(v["manage_stock"] and v["regular_price"] for v in children)
    assert children[0]["sku"] == store.products[first]["sku"] + "-S"
    assert len(ok(api.get(f"/products/{second}/variations"))) == 2
    assert len(ok(api.get("/products"))) == 2  # parents only
    assert store.stats.items_written == 0  # seeding is not client traffic


def test_a_variation_leaving_stock_to_a_managing_parent_shows_the_parents_stock(
    api: httpx.Client, parent: dict[str, Any]
) -> None:
    own = variation(api, parent, "TEE-OWN", manage_stock=True, stock_quantity=2)
    shared = variation(api, parent, "TEE-SHARED")
    assert shared["manage_stock"] is False and shared["stock_quantity"] is None
    body = {"manage_stock": True, "stock_quantity": 40, "backorders": "notify"}
    ok(api.put(f"/products/{parent['id']}", json=body))
    listed = {v["sku"]: v for v in ok(api.get(f"/products/{parent['id']}/variations"))}
    assert (listed["TEE-SHARED"]["manage_stock"], listed["TEE-SHARED"]["stock_quantity"]) == (
        "parent",
        40,
    )
    assert listed["TEE-SHARED"]["backorders_allowed"] is True
    assert (listed["TEE-OWN"]["manage_stock"], listed["TEE-OWN"]["stock_quantity"]) == (True, 2)
    assert own["id"] in ok(api.get(f"/products/{parent['id']}"))["variations"]


def test_variable_products_sort_by_price_through_their_variations(
    api: httpx.Client, parent: dict[str, Any]
) -> None:
    variation(api, parent, "TEE-S", "5.00")
    variation(api, parent, "TEE-L", "50.00")
    mug = ok(api.post("/products", json={"name": "Mug", "sku": "MUG", "regular_price": "20"}), 201)
    up = ok(api.get("/products", params={"orderby": "price", "order": "asc"}))
    down = ok(api.get("/products", params={"orderby": "price", "order": "desc"}))
    assert [p["id"] for p in up] == [parent["id"], mug["id"]]  # from 5.00
    assert [p["id"] for p in down] == [parent["id"], mug["id"]]  # up to 50.00
