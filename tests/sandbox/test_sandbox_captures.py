"""Every recorded real-store exchange in ``tests/captures`` replayed against the sandbox.

For each capture the same request (same method, path, parameters, body and kind of
authentication) goes to a sandbox prepared with the objects it refers to; the answer must have the
recorded status, the same key sets and value types all the way down (values that naturally differ,
such as ids, dates and URLs, are not compared), the same error code and message, and the same
WordPress headers (``Allow``, ``Link``, ``Location``, ``X-WP-Total``/``X-WP-TotalPages``, caching
and ``Vary``). Orders and customers are not part of the sandbox and are listed as such.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote

import httpx
import pytest

from sandbox.sandbox_helpers import API, CAPTURES, OAuth1
from woosync.sandbox import SandboxStore

NOT_IN_THE_SANDBOX = {
    "customers_create",
    "error_customer_duplicate_email",
    "order_create",
    "orders_list",
}
# Headers whose presence (and for some, value) WordPress decides; the rest are the web server's.
PRESENCE = ("Allow", "Link", "Location", "X-WP-Total", "X-WP-TotalPages", "Expires", "Vary")
EXACT = ("Allow", "Cache-Control", "Content-Type", "Access-Control-Expose-Headers")
# Values the store's data decides rather than the API's rules: None in one, a value in the other
# (``stock_quantity`` is null for a product whose stock is not managed).
NULLABLE = {
    "stock_quantity",
    "date_on_sale_from",
    "date_on_sale_to",
    "date_on_sale_from_gmt",
    "date_on_sale_to_gmt",
}


def capture_names() -> list[str]:
    names = sorted(path.stem for path in CAPTURES.glob("*.json"))
    return [name for name in names if name not in NOT_IN_THE_SANDBOX]


def shape(value: Any) -> Any:
    """Key sets and JSON types, recursively; a list by the shape of its first item."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "null" if value is None else type(value).__name__


def differences(real: Any, ours: Any, path: str = "") -> Iterator[str]:
    if isinstance(real, dict) and isinstance(ours, dict):
        for key in sorted(real.keys() - ours.keys()):
            yield f"{path}.{key}: missing"
        for key in sorted(ours.keys() - real.keys()):
            yield f"{path}.{key}: not in the real answer"
        for key in sorted(real.keys() & ours.keys()):
            yield from differences(real[key], ours[key], f"{path}.{key}")
        return
    if isinstance(real, list) and isinstance(ours, list):
        if real and ours:
            yield from differences(real[0], ours[0], f"{path}[0]")
        return
    if real != ours and not (path.rsplit(".", 1)[-1] in NULLABLE and "null" in (real, ours)):
        yield f"{path}: {ours} instead of {real}"


@dataclass
class World:
    """A sandbox holding what the captures refer to, and the ids to put in their place."""

    store: SandboxStore
    key: str
    secret: str
    read_key: tuple[str, str]
    ids: dict[str, str] = field(default_factory=dict)  # recorded id (as text) -> ours

    def path(self, recorded: str) -> str:
        parts = [self.ids.get(part, part) for part in recorded.split("/")]
        return "/".join(parts)

    def body(self, recorded: Any) -> Any:
        if recorded is None:
            return None
        text = json.dumps(recorded)
        for old, new in self.ids.items():
            text = text.replace(f'"id": {old}', f'"id": {new}')
        return json.loads(text)


TEE = {
    "name": "Lab Tee 1795542910",
    "type": "simple",
    "regular_price": "19.99",
    "sku": "LAB-TEE-1795542910",
    "description": "A test tee",
    "short_description": "tee",
    "manage_stock": True,
    "stock_quantity": 10,
    "categories": [],
    "images": [],
}


def prepare(name: str) -> World:
    store = SandboxStore(seed=3)
    key, secret = store.create_key("read_write")
    world = World(store, key, secret, store.create_key("read"))
    if name in ("product_create", "auth_http_oauth1_ok") or name.startswith(
        ("attribute_create", "auth_https")
    ):  # recorded on a store without products
        return world
    tee = store.create_product(TEE)
    world.ids["10"] = str(tee["id"])
    if name in ("error_attribute_duplicate_slug", "attributes_list"):
        store.create_attribute("Color 1795542910", "color-542910")
    if name.startswith("attribute_terms"):
        attribute = store.create_attribute("Color 1795542910", "color-542910")
        world.ids["1"] = str(attribute["id"])
        if name == "attribute_terms_list":
            replay_raw(
                world, "POST", f"/products/attributes/{attribute['id']}/terms", {"name": "Red"}
            )
    if name.startswith(("products_list", "auth_http_oauth1_")):  # 5 and 6 products there
        for n in range(4 if name.startswith("products_list") else 5):
            store.create_product({"name": f"Filler {n}", "regular_price": "1.00", "sku": f"F-{n}"})
    if name == "error_product_delete_again":
        replay_raw(world, "DELETE", f"/products/{tee['id']}", None, {"force": "true"})
    return world


def replay_raw(
    world: World, method: str, path: str, body: Any, params: dict[str, Any] | None = None
) -> httpx.Response:
    with signed(world) as client:
        return client.request(method, path, params=params, json=body)


def signed(world: World, **options: Any) -> httpx.Client:
    return httpx.Client(
        transport=httpx.WSGITransport(app=world.store.wsgi_app),
        base_url="http://127.0.0.1:8080" + API,
        auth=OAuth1(world.key, world.secret, **options),
    )


def plain(world: World, base: str = "http://127.0.0.1:8080", **options: Any) -> httpx.Client:
    return httpx.Client(
        transport=httpx.WSGITransport(app=world.store.wsgi_app), base_url=base + API, **options
    )


def hand_signed(world: World, url: str, *, timestamp: int, nonce: str, drop: str = "") -> str:
    """``url`` with an OAuth 1.0a query signed here (HMAC-SHA256), optionally one param dropped."""
    params = {
        "oauth_consumer_key": world.key,
        "oauth_timestamp": str(timestamp),
        "oauth_nonce": nonce,
        "oauth_signature_method": "HMAC-SHA256",
    }

    def enc(text: str) -> str:
        return quote(text, safe="~")

    joined = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params.items()))
    base = f"GET&{enc(url)}&{enc(joined)}"
    digest = hmac.new(f"{world.secret}&".encode(), base.encode(), hashlib.sha256).digest()
    params["oauth_signature"] = base64.b64encode(digest).decode()
    params.pop(drop, None)
    return url + "?" + "&".join(f"{enc(k)}={enc(v)}" for k, v in params.items())


def replay(name: str, recorded: dict[str, Any], world: World) -> httpx.Response:
    request = recorded["request"]
    method, auth = request["method"], request["auth"]
    path = world.path(request["path"]) or "/"
    params = request.get("params")
    if params is None and "?" in (request.get("url") or ""):  # recorded in the URL only
        query = parse_qsl(request["url"].split("?", 1)[1])
        params = {k: v for k, v in query if not k.startswith(("oauth_", "consumer_"))} or None
    body = world.body(request.get("body"))
    if name == "wc_v3_namespace_index":
        path = ""
    if name.startswith("error_oauth1_"):
        url = "http://127.0.0.1:8080" + API + path
        now = int(time.time())
        with plain(world) as client:
            if name == "error_oauth1_missing_param":
                return client.get(
                    hand_signed(world, url, timestamp=now, nonce="n1", drop="oauth_nonce")
                )
            if name == "error_oauth1_stale_timestamp":
                return client.get(hand_signed(world, url, timestamp=now - 20 * 60, nonce="n2"))
            again = hand_signed(world, url, timestamp=now, nonce="n3")
            assert client.get(again).status_code == 200
            return client.get(again)
    if auth in ("oauth1", "OAuth header"):
        key, secret = world.key, world.secret
        if name == "error_bad_consumer_key_http_oauth1":
            key = "ck_" + "0" * 40
        if name == "error_bad_signature_http_oauth1":
            secret = "cs_wrong"
        client = httpx.Client(
            transport=httpx.WSGITransport(app=world.store.wsgi_app),
            base_url="http://127.0.0.1:8080" + API,
            auth=OAuth1(key, secret, in_header=auth == "OAuth header"),
        )
    elif auth == "none":
        client = plain(world)
    elif auth in ("basic", "basic+XFP"):
        key, secret = world.key, world.secret
        if name == "error_readonly_key_write":
            key, secret = world.read_key
        if name == "error_bad_consumer_key_https_basic":
            key = "ck_" + "0" * 40
        if name == "error_bad_consumer_secret_https_basic":
            secret = "cs_" + "0" * 40
        base = request["url"].split("/wp-json", 1)[0]
        headers = {"X-Forwarded-Proto": "https"} if auth == "basic+XFP" else {}
        client = plain(world, base, auth=(key, secret), headers=headers)
    elif auth == "query":
        base = request["url"].split("/wp-json", 1)[0]
        params = {**(params or {}), "consumer_key": world.key, "consumer_secret": world.secret}
        client = plain(world, base)
    else:
        raise AssertionError(f"{name}: unknown auth {auth!r}")
    with client:
        return client.request(method, path, params=params, json=body)


@pytest.mark.parametrize("name", capture_names())
def test_the_sandbox_answers_each_captured_request_like_the_real_store(name: str) -> None:
    recorded = json.loads((CAPTURES / f"{name}.json").read_text())
    world = prepare(name)
    response = replay(name, recorded, world)
    real = recorded["response"]
    assert response.status_code == real["status"], response.text[:500]

    real_body, body = real["body"], response.json()
    if name == "wc_v3_namespace_index":  # the sandbox lists its own (fewer) routes, no args
        assert body.keys() == real_body.keys()
        route = "/wc/v3/products/(?P<id>[\\d]+)"
        assert body["routes"][route].keys() == real_body["routes"][route].keys()
        assert body["routes"][route]["methods"] == real_body["routes"][route]["methods"]
        endpoint, real_endpoint = (
            body["routes"][route]["endpoints"][0],
            real_body["routes"][route]["endpoints"][0],
        )
        assert endpoint.keys() == real_endpoint.keys()
    elif name == "system_status_trimmed":  # recorded trimmed, with the list of all sections
        assert list(body) == real_body.pop("_top_level_keys")
        assert list(differences(shape(real_body), shape({k: body[k] for k in real_body}))) == []
    else:
        assert list(differences(shape(real_body), shape(body))) == []
    if isinstance(real_body, dict) and "code" in real_body:
        assert (body["code"], body["message"]) == (real_body["code"], real_body["message"])

    headers = real["headers"]
    for header in PRESENCE:
        assert (header in response.headers) == (header in headers), header
    for header in EXACT:
        if header in headers:
            assert response.headers[header] == headers[header], header
    if "X-WP-Total" in headers:
        assert response.headers["X-WP-Total"] == headers["X-WP-Total"]
        assert response.headers["X-WP-TotalPages"] == headers["X-WP-TotalPages"]
    if "Link" in headers:
        rels = [part.split("rel=")[-1] for part in headers["Link"].split(", <")]
        assert [part.split("rel=")[-1] for part in response.headers["Link"].split(", <")] == rels


def test_every_capture_is_replayed_or_named_as_outside_the_sandbox() -> None:
    names = {path.stem for path in CAPTURES.glob("*.json")}
    assert names >= NOT_IN_THE_SANDBOX
    assert len(capture_names()) == len(names) - len(NOT_IN_THE_SANDBOX) >= 40
