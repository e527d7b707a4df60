"""The variation API of the client: listing a parent's variations (several parents at once),
``?sku=`` hits told apart by type, and ``write_variations`` (batches per parent with adaptive size,
retries and lookup-before-resend), replayed from the real store's captures."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from woo.woo_helpers import capture, capture_response
from woosync.core.errors import StoreError
from woosync.woo import ItemError, VariationWrite, WooClient
from woosync.woo.variation_values import unrendered
from woosync.woo.variations import option_set, store_option_set

LIST_URL = "/wp-json/wc/v3/products/411/variations"


def variation_capture(name: str) -> dict[str, Any]:
    return capture(f"variations/{name}")


def replay(name: str, **overrides: Any) -> dict[str, Any]:
    return capture_response(f"variations/{name}", **overrides)


def batch_bodies(httpx_mock: HTTPXMock) -> list[dict[str, Any]]:
    return [
        json.loads(r.content) for r in httpx_mock.get_requests() if r.url.path.endswith("/batch")
    ]


def test_a_parents_variations_are_listed_oldest_first_for_editing(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(**replay("variations_list"))

    variations = make_client().list_variations(411)

    request = httpx_mock.get_request()
    assert request is not None and request.url.path == LIST_URL
    params = dict(request.url.params)
    assert params["context"] == "edit" and params["orderby"] == "id" and params["per_page"] == "100"
    assert [v["sku"] for v in variations] == [
        v["sku"] for v in variation_capture("variations_list")["response"]["body"]
    ]
    assert {v["parent_id"] for v in variations} == {411}


NO_ROUTE = {"code": "rest_no_route", "message": "No route was found.", "data": {"status": 404}}


def before_10_3(request: httpx.Request) -> httpx.Response | None:
    """A store before WooCommerce 10.3 has no ``/variations`` route."""
    if request.url.path.endswith("/wc/v3/variations"):
        return httpx.Response(404, json=NO_ROUTE)
    return None


def test_several_parents_are_read_at_once_and_handed_back_in_order(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    """A store before WooCommerce 10.3 lists each parent's variations on its own."""
    lock = threading.Lock()
    in_flight = most = 0

    def answer(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most
        if (refused := before_10_3(request)) is not None:
            return refused
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        time.sleep(0.02)
        with lock:
            in_flight -= 1
        parent = int(request.url.path.split("/")[-2])
        body = [{"id": parent * 10 + n, "parent_id": parent, "type": "variation"} for n in (1, 2)]
        return httpx.Response(200, json=body, headers={"X-WP-Total": "2", "X-WP-TotalPages": "1"})

    httpx_mock.add_callback(answer, is_reusable=True)

    read = list(make_client().variations_of([5, 3, 9, 3, 7], concurrency=3))

    assert [parent for parent, _ in read] == [5, 3, 9, 7]  # each parent once, in the order given
    assert [[v["id"] for v in found] for _, found in read] == [
        [51, 52],
        [31, 32],
        [91, 92],
        [71, 72],
    ]
    assert 1 < most <= 3


def test_a_store_from_10_3_lists_the_variations_of_many_parents_at_once(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    """WooCommerce 10.3 and later list the variations of several parents in one listing
    (``/variations?parent=5,3``, paged): each goes back to its parent, in the order asked. A
    group the store fails to list is read parent by parent, so only the parent it cannot list
    is an error."""
    calls: list[tuple[str, str | None]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        calls.append((request.url.path, params.get("parent")))
        if request.url.path.endswith("/wc/v3/variations"):
            parents = [int(p) for p in params["parent"].split(",")]
            if 4 in parents:
                return httpx.Response(500, text="<html>PHP fatal error</html>")
            found = sorted(
                ({"id": p * 10 + n, "parent_id": p} for p in parents for n in range(3)),
                key=lambda v: v["id"],
            )
            page, per_page = int(params["page"]), int(params["per_page"])
            pages = -(-len(found) // per_page)
            headers = {"X-WP-Total": str(len(found)), "X-WP-TotalPages": str(pages)}
            return httpx.Response(
                200, json=found[(page - 1) * per_page : page * per_page], headers=headers
            )
        parent = int(request.url.path.split("/")[-2])
        if parent == 4:
            return httpx.Response(500, text="<html>PHP fatal error</html>")
        body = [{"id": parent * 10 + n, "parent_id": parent} for n in range(3)]
        return httpx.Response(200, json=body, headers={"X-WP-Total": "3", "X-WP-TotalPages": "1"})

    httpx_mock.add_callback(answer, is_reusable=True)
    client = make_client(max_retries=0)

    read = list(
        client.variation_lists([5, 3, 4, 6], {"_fields": "id,sku"}, concurrency=2, per_page=4)
    )

    assert [parent for parent, _ in read] == [5, 3, 4, 6]
    found = dict(read)
    assert isinstance(found[4], StoreError)
    assert {p: [v["id"] for v in found[p]] for p in (5, 3, 6)} == {  # type: ignore[union-attr]
        5: [50, 51, 52],
        3: [30, 31, 32],
        6: [60, 61, 62],
    }
    listed = [parent for path, parent in calls if path.endswith("/wc/v3/variations")]
    assert listed == ["5,3", "5,3", "4,6"]  # 6 variations at 4 a page; the failed group once
    alone = sorted(path.split("/")[-2] for path, _ in calls if "/products/" in path)
    assert alone == ["4", "6"]  # the failed group, parent by parent
    fields = next(
        r.url.params["_fields"] for r in httpx_mock.get_requests() if r.url.params.get("parent")
    )
    assert fields.split(",") == ["id", "sku", "parent_id"]
    assert client.lists_all_variations is True


@pytest.mark.parametrize(
    "refusal",
    [
        httpx.Response(404, json=NO_ROUTE),  # before WooCommerce 10.3
        httpx.Response(  # a store whose /variations refuses the parent parameter
            400, json={"code": "rest_invalid_param", "message": "Invalid parameter(s): parent"}
        ),
    ],
)
def test_a_store_whose_variations_route_is_missing_or_refuses_is_read_parent_by_parent(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient], refusal: httpx.Response
) -> None:
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path.rsplit("/wc/v3", 1)[1])
        if request.url.path.endswith("/wc/v3/variations"):
            return refusal
        parent = int(request.url.path.split("/")[-2])
        body = [{"id": parent * 10, "parent_id": parent}]
        return httpx.Response(200, json=body, headers={"X-WP-Total": "1", "X-WP-TotalPages": "1"})

    httpx_mock.add_callback(answer, is_reusable=True)
    client = make_client(max_retries=0)

    first = dict(client.variation_lists([5, 3], concurrency=1))
    again = dict(client.variation_lists([7, 8], concurrency=1))

    assert {p: [v["id"] for v in found] for p, found in {**first, **again}.items()} == {  # type: ignore[union-attr]
        5: [50],
        3: [30],
        7: [70],
        8: [80],
    }
    assert asked.count("/variations") == 1  # asked once per client, then never again
    assert client.lists_all_variations is False


def test_a_sku_lookup_tells_a_variation_from_a_product(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(**replay("variation_sku_lookup_on_products"))

    hits = make_client().lookup_skus(["tee-56248-s-red"])

    request = httpx_mock.get_request()
    assert request is not None and request.url.params["sku"] == "tee-56248-s-red"
    assert hits.product("TEE-56248-S-RED") is None  # never taken for a simple product
    variation = hits.variation("TEE-56248-S-RED")
    assert variation is not None and variation["id"] == 412 and variation["parent_id"] == 411


def test_a_product_hit_is_never_taken_for_a_variation(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    product = {"id": 7, "sku": "MUG", "type": "simple", "parent_id": 0}
    httpx_mock.add_response(json=[product], headers={"X-WP-Total": "1", "X-WP-TotalPages": "1"})

    hits = make_client().lookup_skus(["MUG"])

    assert hits.variation("MUG") is None and hits.product("mug") == product


def test_a_variation_batch_maps_every_item_and_the_duplicate_sku_error(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(**replay("variations_batch_create_update"))
    sent = variation_capture("variations_batch_create_update")["request"]["body"]
    writes = [
        VariationWrite(411, "create", payload=item, sku=item["sku"], tag=n)
        for n, item in enumerate(sent["create"])
    ]
    update = {k: v for k, v in sent["update"][0].items() if k != "id"}
    writes.append(VariationWrite(411, "update", payload=update, variation_id=412, tag=9))

    batches = list(make_client().write_variations(writes))

    request = httpx_mock.get_request()
    assert request is not None and request.url.path == LIST_URL + "/batch"
    assert json.loads(request.content) == sent  # one request for the parent, exactly the capture
    outcomes = {o.write.tag: o for batch in batches for o in batch}
    assert sorted(outcomes) == [0, 1, 2, 9]
    assert outcomes[0].ok and outcomes[0].answer is not None and outcomes[0].answer["id"] == 413
    assert outcomes[1].ok and outcomes[9].ok and not outcomes[9].recovered
    error = outcomes[2].error
    assert error == ItemError(
        code="product_invalid_sku",
        message="Invalid or duplicated SKU.",
        status=400,
        resource_id=412,
        unique_sku="TEE-56248-S-RED-1",
    )
    assert error.duplicate_sku and str(error) == "product_invalid_sku: Invalid or duplicated SKU."


def test_a_lost_batch_answer_is_looked_up_before_anything_is_sent_again(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient], sleeps: list[float]
) -> None:
    """The first request times out after the store applied it: the listing shows both creates,
    so they are not sent again; the update goes again (it is safe to repeat)."""
    landed = [
        {"id": 501, "sku": "TEE-M", "type": "variation", "parent_id": 411, "attributes": []},
        {
            "id": 502,
            "sku": "",
            "type": "variation",
            "parent_id": 411,
            "attributes": [{"id": 0, "name": "Size", "option": "l"}],  # lower-cased by the store
        },
    ]
    state = {"batches": 0}

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/batch"):
            state["batches"] += 1
            if state["batches"] == 1:
                raise httpx.ReadTimeout("stalled", request=request)
            body = json.loads(request.content)
            return httpx.Response(200, json={"update": [{"id": u["id"]} for u in body["update"]]})
        return httpx.Response(200, json=landed, headers={"X-WP-Total": "2", "X-WP-TotalPages": "1"})

    httpx_mock.add_callback(answer, is_reusable=True)
    writes = [
        VariationWrite(411, "create", {"sku": "TEE-M"}, sku="TEE-M", options={"Size": "M"}),
        VariationWrite(411, "create", {"regular_price": "3"}, options={"Size": "L"}, tag=2),
        VariationWrite(411, "update", {"regular_price": "4"}, variation_id=412, tag=3),
    ]

    outcomes = [o for batch in make_client().write_variations(writes) for o in batch]

    bodies = batch_bodies(httpx_mock)
    assert len(bodies) == 2 and bodies[1] == {"update": [{"regular_price": "4", "id": 412}]}
    by_tag = {o.write.tag: o for o in outcomes}
    assert by_tag[0].recovered and by_tag[0].answer is not None and by_tag[0].answer["id"] == 501
    # no SKU: recognised by its option set (the store lower-cased the option)
    assert by_tag[2].recovered and by_tag[2].answer is not None and by_tag[2].answer["id"] == 502
    assert by_tag[3].ok and not by_tag[3].recovered
    assert len(sleeps) == 1  # one pause before the resend, through the injected sleep


def test_a_failed_request_halves_the_batch_and_a_create_not_found_goes_again(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    state = {"batches": 0, "next_id": 600}

    def answer(request: httpx.Request) -> httpx.Response:
        if not request.url.path.endswith("/batch"):
            return httpx.Response(200, json=[], headers={"X-WP-Total": "0", "X-WP-TotalPages": "0"})
        state["batches"] += 1
        if state["batches"] == 1:
            return httpx.Response(503, text="<html>busy</html>", headers={"Retry-After": "2"})
        created = []
        for item in json.loads(request.content)["create"]:
            state["next_id"] += 1
            created.append({"id": state["next_id"], "sku": item["sku"]})
        return httpx.Response(200, json={"create": created})

    httpx_mock.add_callback(answer, is_reusable=True)
    writes = [VariationWrite(411, "create", {"sku": f"V{n}"}, sku=f"V{n}", tag=n) for n in range(4)]

    outcomes = [o for batch in make_client().write_variations(writes) for o in batch]

    sizes = [len(body["create"]) for body in batch_bodies(httpx_mock)]
    assert sizes[:3] == [4, 2, 2]  # halved after the failure (then grows back)
    listings = [r for r in httpx_mock.get_requests() if r.method == "GET"]
    assert len(listings) == 2  # each half looked up before it was sent again
    assert sorted(o.write.tag for o in outcomes) == [0, 1, 2, 3]
    assert all(o.ok and not o.recovered for o in outcomes)


def test_a_refused_request_fails_each_write_without_retrying(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(**replay("variation_type_lookup_on_products"))  # a 400
    writes = [VariationWrite(411, "update", {"sku": "A"}, variation_id=n, tag=n) for n in (1, 2)]

    outcomes = [o for batch in make_client().write_variations(writes) for o in batch]

    assert len(httpx_mock.get_requests()) == 1
    assert [o.error.code if o.error else None for o in outcomes] == ["rest_invalid_param"] * 2


def test_a_resent_delete_that_had_landed_counts_as_done(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    httpx_mock.add_response(status_code=502, text="bad gateway")
    gone = {"code": "woocommerce_rest_product_variation_invalid_id", "message": "Invalid ID."}
    httpx_mock.add_response(json={"delete": [{"id": 414, "error": gone | {"data": {}}}]})

    outcomes = [
        o
        for batch in make_client().write_variations(
            [VariationWrite(411, "delete", variation_id=414)]
        )
        for o in batch
    ]

    assert len(outcomes) == 1 and outcomes[0].ok and outcomes[0].recovered


def test_writes_for_several_parents_go_in_parallel_one_request_per_parent(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    lock = threading.Lock()
    in_flight: list[str] = []
    overlaps: list[list[str]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        with lock:
            in_flight.append(request.url.path)
            overlaps.append(list(in_flight))
        time.sleep(0.02)
        with lock:
            in_flight.remove(request.url.path)
        created = json.loads(request.content)["create"]
        return httpx.Response(200, json={"create": [{"id": 1} for _ in created]})

    httpx_mock.add_callback(answer, is_reusable=True)
    writes = [
        VariationWrite(parent, "create", {"sku": f"{parent}-{n}"}, sku=f"{parent}-{n}")
        for parent in (10, 20, 30, 40)
        for n in range(6)
    ]

    outcomes = [o for batch in make_client().write_variations(writes, concurrency=3) for o in batch]

    assert len(outcomes) == 24 and all(o.ok for o in outcomes)
    paths = [r.url.path for r in httpx_mock.get_requests()]
    assert sorted(paths) == sorted(
        f"/wp-json/wc/v3/products/{p}/variations/batch" for p in (10, 20, 30, 40)
    )
    assert max(len(seen) for seen in overlaps) > 1  # parents in flight together
    assert all(len(seen) == len(set(seen)) for seen in overlaps)  # never two for one parent


def test_a_variation_write_must_name_the_variation_it_changes() -> None:
    with pytest.raises(ValueError, match="needs the variation's id"):
        VariationWrite(411, "update", {"sku": "A"})


def test_an_option_set_names_a_global_attribute_by_slug_and_a_local_one_by_name() -> None:
    listed = variation_capture("variations_list")["response"]["body"]
    medium_red = next(v for v in listed if v["sku"] == "TEE-56248-M-RED")

    assert store_option_set(medium_red) == option_set({"pa_size56248": "m", "COLOR": "Red"})
    assert store_option_set(medium_red) != option_set({"Size": "M", "Color": "Red"})


def test_variation_lists_page_each_parent_retry_and_keep_a_parents_error(
    httpx_mock: HTTPXMock, make_client: Callable[..., WooClient]
) -> None:
    calls: list[tuple[int, int, int]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if (refused := before_10_3(request)) is not None:
            return refused
        parent = int(request.url.path.split("/")[-2])
        page, per_page = int(request.url.params["page"]), int(request.url.params["per_page"])
        calls.append((parent, page, per_page))
        if parent == 4:
            return httpx.Response(500, text="<html>PHP fatal error</html>")
        if parent == 6 and len([c for c in calls if c[0] == 6]) == 1:
            return httpx.Response(503, text="busy")  # once: retried
        ids = [parent * 10 + n for n in range(3)]
        body = [{"id": i, "type": "variation"} for i in ids[(page - 1) * 2 : page * 2]]
        return httpx.Response(200, json=body, headers={"X-WP-Total": "3", "X-WP-TotalPages": "2"})

    httpx_mock.add_callback(answer, is_reusable=True)

    read = dict(make_client(max_retries=2).variation_lists([5, 4, 6], concurrency=2, per_page=2))

    five, six = read[5], read[6]
    assert not isinstance(five, StoreError) and not isinstance(six, StoreError)
    assert [v["id"] for v in five] == [50, 51, 52]  # two pages of 2
    assert [v["id"] for v in six] == [60, 61, 62]  # after one retry
    assert isinstance(read[4], StoreError)  # given up after the retries, the others go on
    assert {per_page for _, _, per_page in calls} == {2}
    assert len([c for c in calls if c[0] == 4]) == 3  # the first try and two retries


# a variation's description as the store answers it ------------------------------------------------
@pytest.mark.parametrize(
    ("given", "answered"),
    [  # sent to a real WooCommerce 11.0.1 store, and what it answered (context=edit)
        ("Small red", "<p>Small red</p>\n"),
        (
            'Kid\'s "tee" -- best... 2x3',
            "<p>Kid&#8217;s &#8220;tee&#8221; &#8212; best&#8230; 2&#215;3</p>\n",
        ),
        ("Line one\nLine two\n\nPara two", "<p>Line one<br />\nLine two</p>\n<p>Para two</p>\n"),
        ("A & B < C", "<p>A &amp; B &lt; C</p>\n"),
    ],
)
def test_a_variation_description_is_read_as_it_was_given(given: str, answered: str) -> None:
    assert unrendered(answered) == given


def test_a_description_that_is_not_all_paragraphs_stays_as_answered() -> None:
    assert unrendered("<ul>\n<li>a</li>\n</ul>\n") == "<ul>\n<li>a</li>\n</ul>\n"
    assert unrendered("<p>a</p>\n<ul><li>b</li></ul>") == "<p>a</p>\n<ul><li>b</li></ul>"
    assert unrendered("") == "" and unrendered("plain") == "plain"
