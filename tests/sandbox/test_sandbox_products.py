"""Contract tests: the sandbox's /products answers as the recorded WooCommerce 11 store does."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from woosync.sandbox import SandboxStore

Capture = Callable[[str], dict[str, Any]]


def create(api: httpx.Client, **fields: Any) -> dict[str, Any]:
    response = api.post("/products", json=fields)
    assert response.status_code == 201, response.text
    return response.json()


def test_create_answers_201_with_location_and_the_captured_shape(
    capture: Capture, api: httpx.Client
) -> None:
    real = capture("product_create.json")
    response = api.post("/products", json=real["request"]["body"])
    assert response.status_code == 201
    body = response.json()
    assert response.headers["Location"] == f"http://store.test/wp-json/wc/v3/products/{body['id']}"
    assert list(body) == list(real["response"]["body"])  # same keys, same order (context=edit)
    for key in ("price", "regular_price", "sale_price", "weight"):
        assert isinstance(body[key], str)
    assert body["regular_price"] == "19.99" and body["stock_quantity"] == 10
    assert body["categories"] == [{"id": 15, "name": "Uncategorized", "slug": "uncategorized"}]
    assert response.headers["Allow"] == "GET, POST"


def test_get_uses_view_context_with_the_captured_keys(capture: Capture, api: httpx.Client) -> None:
    product = create(api, name="Tee", sku="T-1", description="A test tee", short_description="tee")
    body = api.get(f"/products/{product['id']}").json()
    assert list(body) == list(capture("product_get.json")["response"]["body"])
    assert body["description"] == "<p>A test tee</p>\n"
    assert body["short_description"] == "<p>tee</p>\n"


def test_view_context_renders_and_edit_context_shows_what_was_stored(api: httpx.Client) -> None:
    product = create(
        api,
        name="Tom & Jerry <script>x</script>",
        description="It's great...\n\nSecond line",
    )
    assert product["name"] == "Tom &amp; Jerry x"  # kses: & escaped, script tag stripped
    edit = api.get(f"/products/{product['id']}", params={"context": "edit"}).json()
    view = api.get(f"/products/{product['id']}").json()
    assert edit["name"] == view["name"] == "Tom &amp; Jerry x"
    assert edit["description"] == "It's great...\n\nSecond line"
    assert view["description"] == "<p>It&#8217;s great&#8230;</p>\n<p>Second line</p>\n"


def test_pagination_headers_and_links_across_pages(api: httpx.Client) -> None:
    ids = [create(api, name=f"P{n}", sku=f"P-{n}")["id"] for n in range(5)]
    seen = []
    for page in (1, 2, 3):
        response = api.get(
            "/products", params={"per_page": 2, "page": page, "orderby": "id", "order": "asc"}
        )
        assert response.headers["X-WP-Total"] == "5"
        assert response.headers["X-WP-TotalPages"] == "3"
        seen += [p["id"] for p in response.json()]
        links = response.headers["Link"]
        assert ('rel="prev"' in links) == (page > 1)
        assert ('rel="next"' in links) == (page < 3)
        if page == 2:
            prev, nxt = links.split(", ")
            # The request's own query string, page replaced in place, OAuth params repeated.
            assert prev.startswith("<http://store.test/wp-json/wc/v3/products?per_page=2&page=1&")
            assert "oauth_signature=" in prev and nxt.endswith('rel="next"')
    assert seen == ids
    past = api.get("/products", params={"per_page": 2, "page": 999})
    assert past.status_code == 200 and past.json() == []
    assert past.headers["X-WP-Total"] == "5" and "page=3" in past.headers["Link"]


def test_default_order_is_newest_first_and_per_page_is_bounded(
    capture: Capture, api: httpx.Client
) -> None:
    first, second = create(api, name="a")["id"], create(api, name="b")["id"]
    assert [p["id"] for p in api.get("/products").json()] == [second, first]
    bad = api.get("/products", params={"per_page": 500})
    assert bad.status_code == 400
    assert bad.json() == capture("error_invalid_param.json")["response"]["body"]
    assert api.get("/products", params={"per_page": 0}).status_code == 400


def test_sku_lookup_takes_several_skus_and_ignores_empty_values(api: httpx.Client) -> None:
    for n in range(4):
        create(api, name=f"P{n}", sku=f"SKU-{n}")
    found = api.get("/products", params={"sku": "SKU-1,SKU-3,NOPE"}).json()
    assert sorted(p["sku"] for p in found) == ["SKU-1", "SKU-3"]
    assert len(api.get("/products", params={"sku": "0"}).json()) == 4  # PHP-empty: filter skipped
    assert len(api.get("/products", params={"sku": ""}).json()) == 4


def test_trashed_products_are_invisible_to_sku_lookup_unless_status_trash(
    api: httpx.Client,
) -> None:
    product = create(api, name="Gone", sku="GONE-1")
    create(api, name="Draft", sku="DRAFT-1", status="draft")
    assert api.delete(f"/products/{product['id']}").status_code == 200
    assert api.get("/products", params={"sku": "GONE-1"}).json() == []
    assert api.get("/products", params={"sku": "GONE-1", "status": "any"}).json() == []
    trashed = api.get("/products", params={"sku": "GONE-1", "status": "trash"}).json()
    assert [p["id"] for p in trashed] == [product["id"]]
    assert [p["sku"] for p in api.get("/products", params={"sku": "DRAFT-1"}).json()] == ["DRAFT-1"]


def test_duplicate_sku_errors_for_live_and_trashed_holders(
    capture: Capture, api: httpx.Client
) -> None:
    holder = create(api, name="Tee", sku="LAB-TEE")
    response = api.post("/products", json={"name": "Dup", "sku": "LAB-TEE"})
    expected = capture("product_create_duplicate_sku.json")["response"]["body"]
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == expected["code"] and body["message"] == expected["message"]
    assert body["data"] == {"status": 400, "resource_id": holder["id"], "unique_sku": "LAB-TEE-1"}
    api.delete(f"/products/{holder['id']}")  # trash keeps the SKU in the lookup table
    trapped = api.post("/products", json={"name": "Again", "sku": "LAB-TEE"})
    assert trapped.status_code == 400
    assert trapped.json() == {
        "code": "woocommerce_rest_product_not_created",
        "message": "The product with SKU (LAB-TEE) you are trying to insert is already present "
        "in the lookup table",
        "data": {"status": 400},
    }
    other = create(api, name="Other", sku="OTHER")
    clash = api.put(f"/products/{other['id']}", json={"sku": "lab-tee"})
    assert clash.json()["code"] == "woocommerce_rest_product_not_created"
    api.delete(f"/products/{holder['id']}", params={"force": "true"})
    assert create(api, name="Free again", sku="LAB-TEE")["sku"] == "LAB-TEE"


def test_trash_then_force_delete(capture: Capture, api: httpx.Client, store: SandboxStore) -> None:
    product = create(api, name="Tee", sku="T-1", regular_price="5.00")
    trashed = api.delete(f"/products/{product['id']}")
    assert trashed.status_code == 200
    assert trashed.json()["status"] == "publish"  # the object as it was before
    assert store.products[product["id"]]["status"] == "trash"
    again = api.delete(f"/products/{product['id']}")
    assert (again.status_code, again.json()["code"]) == (410, "woocommerce_rest_already_trashed")
    forced = api.delete(f"/products/{product['id']}", params={"force": "true"})
    assert forced.status_code == 200 and forced.json()["status"] == "trash"
    assert product["id"] not in store.products
    gone = api.delete(f"/products/{product['id']}", params={"force": "true"})
    assert gone.json() == capture("error_product_delete_again.json")["response"]["body"]
    assert api.get(f"/products/{product['id']}").status_code == 404


def test_bad_ids_are_404_on_get_and_400_on_update(capture: Capture, api: httpx.Client) -> None:
    get = api.get("/products/99999999")
    assert (get.status_code, get.json()) == (
        404,
        capture("error_product_bad_id.json")["response"]["body"],
    )
    put = api.put("/products/99999999", json={"name": "x"})
    expected = capture("error_product_bad_id_update.json")["response"]["body"]
    assert (put.status_code, put.json()) == (400, expected)
    assert api.post("/products", json={"id": 5, "name": "x"}).json()["code"] == (
        "woocommerce_rest_product_exists"
    )


def test_single_endpoints_validate_types_but_batch_items_do_not(
    capture: Capture, api: httpx.Client
) -> None:
    bad = api.post("/products", json={"name": "bad", "type": "not-a-type"})
    assert bad.json() == capture("error_invalid_body_type.json")["response"]["body"]
    number = api.post("/products", json={"name": "n", "regular_price": 12.5})
    assert number.status_code == 400
    assert number.json()["data"]["params"] == {
        "regular_price": "regular_price is not of type string."
    }
    batch = api.post("/products/batch", json={"create": [{"name": "n", "regular_price": 12.5}]})
    assert batch.json()["create"][0]["regular_price"] == "12.5"


def test_update_is_partial_and_ignores_read_only_fields(api: httpx.Client) -> None:
    product = create(api, name="Tee", sku="T-1", regular_price="24.50", weight="1.5")
    updated = api.put(
        f"/products/{product['id']}",
        json={
            "sale_price": "20.00",
            "price": "1.00",
            "permalink": "x",
            "date_modified": "2000-01-01T00:00:00",
        },
    ).json()
    assert (updated["price"], updated["on_sale"], updated["weight"]) == ("20.00", True, "1.5")
    assert updated["permalink"].endswith("/product/tee/")
    assert updated["date_modified"] != "2000-01-01T00:00:00"
    patched = api.patch(f"/products/{product['id']}", json={"name": "Tee 2"}).json()
    assert patched["sale_price"] == "20.00" and patched["name"] == "Tee 2"


def test_dates_are_maintained_and_modified_after_is_exclusive(
    client_for: Callable[..., httpx.Client],
) -> None:
    now = [datetime(2025, 12, 11, 10, 0, 0, tzinfo=UTC)]
    store = SandboxStore(clock=lambda: now[0])
    with client_for(store, *store.create_key()) as api:
        old = create(api, name="Old", sku="OLD")
        kept = create(api, name="Kept", sku="KEPT")
        now[0] += timedelta(minutes=5)
        changed = api.put(f"/products/{old['id']}", json={"regular_price": "3.00"}).json()
        assert changed["date_created"] == "2025-12-11T10:00:00"
        assert changed["date_modified"] == changed["date_modified_gmt"] == "2025-12-11T10:05:00"
        after = {"modified_after": "2025-12-11T10:00:00", "dates_are_gmt": "true"}
        assert [p["id"] for p in api.get("/products", params=after).json()] == [old["id"]]
        before = api.get("/products", params={"modified_before": "2025-12-11T10:05:00"}).json()
        assert [p["id"] for p in before] == [kept["id"]]
        ordered = api.get("/products", params={"orderby": "modified", "order": "asc"}).json()
        assert [p["id"] for p in ordered] == [kept["id"], old["id"]]
        bad = api.get("/products", params={"modified_after": "yesterday"})
        assert bad.status_code == 400 and bad.json()["code"] == "rest_invalid_param"


def test_fields_include_search_and_status_filters(api: httpx.Client) -> None:
    a = create(api, name="Blue shirt", sku="A")
    b = create(api, name="Red hat", sku="B", status="draft")
    trimmed = api.get("/products", params={"_fields": "id,sku,date_modified_gmt"}).json()
    assert all(set(p) == {"id", "sku", "date_modified_gmt"} for p in trimmed)
    assert [p["id"] for p in api.get("/products", params={"search": "shirt"}).json()] == [a["id"]]
    included = api.get(
        "/products", params={"include": f"{b['id']},{a['id']}", "orderby": "include"}
    )
    assert [p["id"] for p in included.json()] == [b["id"], a["id"]]
    assert [p["id"] for p in api.get("/products", params={"status": "draft"}).json()] == [b["id"]]


def test_batch_over_the_limit_is_rejected_whole(api: httpx.Client, store: SandboxStore) -> None:
    body = {"create": [{"name": f"n{n}"} for n in range(60)], "delete": list(range(1, 42))}
    response = api.post("/products/batch", json=body)
    assert response.status_code == 413
    assert response.json() == {
        "code": "woocommerce_rest_request_entity_too_large",
        "message": "Unable to accept more than 100 items for this request.",
        "data": {"status": 413},
    }
    assert len(store.products) == 0
    ok = api.post("/products/batch", json={"create": [{"name": f"n{n}"} for n in range(100)]})
    assert ok.status_code == 200 and len(ok.json()["create"]) == 100


def test_batch_reports_errors_per_item_like_woocommerce(
    capture: Capture, api: httpx.Client, store: SandboxStore
) -> None:
    tee = create(api, name="Lab Tee", sku="LAB-TEE", regular_price="24.50", manage_stock=True)
    real = capture("products_batch.json")
    body = json.loads(json.dumps(real["request"]["body"]).replace("LAB-TEE-1795542910", "LAB-TEE"))
    body["update"][0]["id"] = tee["id"]
    response = api.post("/products/batch", json=body)
    assert response.status_code == 200
    result, expected = response.json(), real["response"]["body"]
    assert set(result) == {"create", "update", "delete"}
    created_ok, _, failed = result["create"]
    assert list(created_ok) == list(expected["create"][0])  # full product objects, edit context
    assert failed == {
        "id": 0,
        "error": {
            "code": "product_invalid_sku",
            "message": "Invalid or duplicated SKU.",
            "data": {"status": 400, "resource_id": tee["id"], "unique_sku": "LAB-TEE-1"},
        },
    }
    assert result["update"][0]["stock_quantity"] == 7
    assert result["update"][1] == expected["update"][1]
    assert result["delete"] == expected["delete"]
    assert store.stats.items_created == 3 and store.stats.items_updated == 1
    assert api.post("/products/batch", json={}).json() == []


def test_batch_delete_is_permanent(api: httpx.Client, store: SandboxStore) -> None:
    product = create(api, name="Tee", sku="T-1")
    result = api.post("/products/batch", json={"delete": [product["id"], 0]}).json()
    assert [p["id"] for p in result["delete"]] == [product["id"]]
    assert product["id"] not in store.products and store.find_sku("T-1") is None


def test_a_global_attributes_options_come_back_in_the_terms_order(api: httpx.Client) -> None:
    """As WooCommerce 11 lists them (checked on a real store: sent L, XL, S, M, answered L, M,
    S, XL): by the attribute's order (its terms' menu order, then their names), not as sent;
    a local attribute's as sent."""
    size = api.post("/products/attributes", json={"name": "Size", "slug": "size"}).json()
    terms = f"/products/attributes/{size['id']}/terms"
    for order, name in enumerate(["S", "M", "L"], start=1):  # a shop manager's drag and drop
        api.post(terms, json={"name": name, "menu_order": order})
    number = api.post("/products/attributes", json={"name": "N", "order_by": "id"}).json()
    tee = create(
        api,
        name="Tee",
        attributes=[
            {"id": size["id"], "options": ["XL", "L", "S", "M"]},
            {"id": number["id"], "options": ["10", "9"]},
            {"name": "Fit", "options": ["Slim", "Loose"]},
        ],
    )

    options = [a["options"] for a in tee["attributes"]]
    assert options == [["XL", "S", "M", "L"], ["10", "9"], ["Slim", "Loose"]]  # XL: order 0


def test_attributes_and_list_fields_are_replaced_whole(api: httpx.Client) -> None:
    color = api.post("/products/attributes", json={"name": "Color", "slug": "color"}).json()
    product = create(
        api,
        name="Tee",
        attributes=[
            {"id": color["id"], "options": ["Red", "Blue"], "visible": True, "position": 1},
            {"name": "Material", "options": ["Cotton"], "position": 0},
            {"id": color["id"] + 99, "options": ["ghost"]},
            {"id": color["id"], "options": []},
        ],
        tags=[{"name": "Summer & Sun"}],
    )
    assert product["attributes"] == [
        {
            "id": 0,
            "name": "Material",
            "slug": "Material",
            "position": 0,
            "visible": False,
            "variation": False,
            "options": ["Cotton"],
        },
        {
            "id": color["id"],
            "name": "Color",
            "slug": "pa_color",
            "position": 1,
            "visible": True,
            "variation": False,
            "options": ["Blue", "Red"],  # a global attribute's in term order, as WooCommerce
        },
    ]
    terms = api.get(f"/products/attributes/{color['id']}/terms").json()
    assert sorted(t["name"] for t in terms) == ["Blue", "Red"]  # options became terms
    assert [t["name"] for t in product["tags"]] == ["Summer &amp; Sun"]
    updated = api.put(
        f"/products/{product['id']}",
        json={"attributes": [{"name": "Size", "options": "S | M"}], "tags": []},
    ).json()
    assert [(a["name"], a["options"]) for a in updated["attributes"]] == [("Size", ["S", "M"])]
    assert updated["tags"] == []
    untouched = api.put(f"/products/{product['id']}", json={"name": "Tee 2"}).json()
    assert untouched["attributes"] == updated["attributes"]


def test_categories_by_id_only_with_uncategorized_as_default(api: httpx.Client) -> None:
    shirts = api.post("/products/categories", json={"name": "Shirts"}).json()
    product = create(api, name="Tee", categories=[{"id": shirts["id"]}, {"name": "Ignored"}])
    assert [c["name"] for c in product["categories"]] == ["Shirts"]
    cleared = api.put(f"/products/{product['id']}", json={"categories": []}).json()
    assert [c["slug"] for c in cleared["categories"]] == ["uncategorized"]


def test_images_by_src_are_downloaded_every_time_and_ids_are_reused(
    api: httpx.Client, store: SandboxStore
) -> None:
    src = "https://images.example/tee.jpg?v=1"
    product = create(api, name="Tee", images=[{"src": src, "alt": "A tee"}])
    first = product["images"][0]
    assert first["src"].endswith("/tee.jpg") and first["alt"] == "A tee"
    assert store.stats.image_downloads == 1
    again = api.put(f"/products/{product['id']}", json={"images": [{"src": src}]}).json()
    assert again["images"][0]["id"] != first["id"] and again["images"][0]["src"].endswith(
        "tee-1.jpg"
    )
    assert store.stats.image_downloads == 2
    reused = api.put(f"/products/{product['id']}", json={"images": [{"id": first["id"]}]}).json()
    assert [i["id"] for i in reused["images"]] == [first["id"]]
    assert store.stats.image_downloads == 2 and store.media_count == 2
    bad_id = api.put(f"/products/{product['id']}", json={"images": [{"id": 424242}]})
    assert bad_id.json()["code"] == "woocommerce_product_invalid_image_id"
    assert bad_id.json()["message"] == "#424242 is an invalid image ID."
    bad_type = api.post(
        "/products", json={"name": "x", "images": [{"src": "https://i.example/a.pdf"}]}
    )
    assert bad_type.status_code == 400
    assert (
        bad_type.json()["message"]
        == "Invalid image: Sorry, you are not allowed to upload this file type."
    )
    assert store.stats.image_downloads == 3 and len(store.products) == 1
    no_extension = create(api, name="y", images=[{"src": "https://picsum.photos/seed/a/800/800"}])
    assert no_extension["images"][0]["src"].endswith("/image.jpeg")  # named after its Content-Type


def test_stats_count_requests_by_route_and_reset(api: httpx.Client, store: SandboxStore) -> None:
    product = create(api, name="Tee")
    api.get(f"/products/{product['id']}")
    api.get(f"/products/{product['id']}")
    api.get("/nope")
    assert store.stats.by_route[("GET", "/wc/v3/products/{id}")] == 2
    assert store.stats.by_route[("POST", "/wc/v3/products")] == 1
    assert store.stats.requests == 4 and store.stats.by_status[404] == 1
    assert store.stats.items_written == 1
    assert store.stats.log[-1].path == "/wp-json/wc/v3/nope"
    store.stats.reset()
    assert store.stats.snapshot()["requests"] == 0 and len(store.stats.log) == 0


def test_create_attribute_from_python_is_listed_by_the_api(store, api) -> None:
    created = store.create_attribute("Material", "pa_material")
    assert created["slug"] == "pa_material"
    listed = api.get("/products/attributes").json()
    assert [(a["id"], a["slug"]) for a in listed] == [(created["id"], "pa_material")]


def test_attributes_lists_global_attributes_by_slug(store) -> None:
    first = store.create_attribute("Color", "pa_color")
    second = store.create_attribute("Size")
    assert store.attributes == {"pa_color": first["id"], "pa_size": second["id"]}
