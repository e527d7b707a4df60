"""The recorded variable-product session (``tests/captures/variations``) replayed against the sandbox.

The real store's requests ran in one session, each building on the last (a global attribute and
its terms, a variable product, its variations, lookups, a stock-only update, deletes). They are
replayed here in the same order against one sandbox, over HTTPS with Basic auth as recorded; ids
are mapped both ways. Each answer must have the recorded status, headers, keys in the same order,
value types, error codes and — apart from dates and a few values listed below with the reason —
the same values.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.sandbox_helpers import CAPTURES
from sandbox.test_sandbox_captures import differences, shape
from woosync.sandbox import SandboxStore

FOLDER = CAPTURES / "variations"
BASE = "https://127.0.0.1:8080"
# The session in the order it was recorded (the ids it created grow along it).
SESSION = [
    "attribute_size_create",
    "attribute_size_term_S",
    "attribute_size_term_M",
    "attribute_size_term_L",
    "variable_product_create",
    "variation_create_single",
    "variations_batch_create_update",
    "variable_product_get",
    "variations_list",
    "variation_sku_lookup_on_products",
    "variation_type_lookup_on_products",
    "variation_update_stock_only",
    "variation_bad_attribute_option",
    "variation_delete_force",
    "variable_product_delete_force",
    "product_stock_update_simple",
]
WEBHOOKS = {"webhook_create", "webhook_create_bad_topic", "webhooks_list", "webhook_deliveries"}
ID_KEYS = {"id", "parent_id", "resource_id"}
# Values that differ for reasons outside the API's rules.
NOT_COMPARED = {
    "related_ids",  # a random sample of other products on the real store
    # A global attribute's options: the real store lists its terms by menu order, then name
    # (L, M, S); the sandbox keeps the order sent (S, M, L), which woosync's import tests rely on.
    "options",
    "categories",  # term ids live apart from product ids here, so the id mapping cannot apply
}


class Session:
    """One sandbox and the recorded ids (attributes, terms, products) mapped to its own."""

    def __init__(self) -> None:
        self.store = SandboxStore(seed=5)
        key, secret = self.store.create_key("read_write")
        self.client = httpx.Client(
            transport=httpx.WSGITransport(app=self.store.wsgi_app),
            base_url=BASE,
            auth=(key, secret),
        )
        self.ours: dict[int, int] = {}  # recorded id -> ours
        self.recorded: dict[int, int] = {}  # ours -> recorded id

    def learn(self, recorded: Any, ours: Any) -> None:
        """Pair up the ids of a recorded answer and ours, position by position."""
        if isinstance(recorded, dict) and isinstance(ours, dict):
            real_id, our_id = recorded.get("id"), ours.get("id")
            if isinstance(real_id, int) and isinstance(our_id, int) and real_id and our_id:
                self.ours.setdefault(real_id, our_id)
                self.recorded.setdefault(our_id, real_id)
            for key in ("create", "update", "delete"):
                for real_item, our_item in zip(
                    recorded.get(key) or [], ours.get(key) or [], strict=False
                ):
                    self.learn(real_item, our_item)
        elif isinstance(recorded, list) and isinstance(ours, list):
            for real_item, our_item in zip(recorded, ours, strict=False):
                self.learn(real_item, our_item)

    def to_ours(self, value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: self.to_ours(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.to_ours(v, key) for v in value]
        if isinstance(value, int) and key in ID_KEYS:
            return self.ours.get(value, value)
        return value

    def path(self, recorded: str) -> str:
        return "/".join(
            str(self.ours.get(int(part), part)) if part.isdigit() else part
            for part in recorded.split("/")
        )

    def to_recorded(self, value: Any, key: str = "") -> Any:
        """Our answer with ids (and ids inside URLs) put back to the recorded ones."""
        if isinstance(value, dict):
            return {k: self.to_recorded(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.to_recorded(v, key) for v in value]
        if isinstance(value, int) and (key in ID_KEYS or key == "variations"):
            return self.recorded.get(value, value)
        if isinstance(value, str) and key == "href":
            return "/".join(
                str(self.recorded.get(int(part), part)) if part.isdigit() else part
                for part in value.split("/")
            )
        return value

    def replay(self, name: str) -> tuple[dict[str, Any], httpx.Response]:
        recorded = json.loads((FOLDER / f"{name}.json").read_text())
        request = recorded["request"]
        response = self.client.request(
            request["method"],
            self.path(request["path"]),
            params=request["params"],
            json=self.to_ours(request["body"]),
        )
        if response.status_code < 300:
            self.learn(recorded["response"]["body"], response.json())
        return recorded["response"], response


def value_differences(real: Any, ours: Any, path: str = "") -> Iterator[str]:
    key = path.rsplit(".", 1)[-1].split("[")[0]
    if "date" in key or key in NOT_COMPARED:
        return
    if isinstance(real, dict) and isinstance(ours, dict):
        for name in real.keys() & ours.keys():
            yield from value_differences(real[name], ours[name], f"{path}.{name}")
    elif isinstance(real, list) and isinstance(ours, list) and len(real) == len(ours):
        for n, (a, b) in enumerate(zip(real, ours, strict=True)):
            yield from value_differences(a, b, f"{path}[{n}]")
    elif real != ours:
        yield f"{path}: {ours!r} instead of {real!r}"


def replayed_until(name: str) -> tuple[Session, dict[str, Any], httpx.Response]:
    """A fresh sandbox that has been through the session up to and including ``name``."""
    session = Session()
    for step in SESSION[: SESSION.index(name) + 1]:
        real, response = session.replay(step)
    return session, real, response


@pytest.mark.parametrize("name", SESSION)
def test_the_sandbox_answers_the_recorded_variable_product_session(name: str) -> None:
    session, real, response = replayed_until(name)
    assert response.status_code == real["status"], response.text[:500]
    real_body, body = real["body"], response.json()
    assert list(differences(shape(real_body), shape(body))) == []
    first_real = real_body[0] if isinstance(real_body, list) and real_body else real_body
    first_ours = body[0] if isinstance(body, list) and body else body
    if isinstance(first_real, dict):
        assert list(first_ours) == list(first_real)  # the same keys in the same order
    assert list(value_differences(real_body, session.to_recorded(body))) == []
    for header, value in real["headers"].items():
        assert response.headers.get(header) == value, header


def test_the_replayed_session_leaves_what_the_real_store_left() -> None:
    """After the whole session the variable product and its variations are gone (deleted with
    ``force``); the simple product with managed stock stays."""
    session, _, _ = replayed_until(SESSION[-1])
    store = session.store
    assert [p["sku"] for p in store.products.values()] == ["STK-56248"]
    assert [p["stock_quantity"] for p in store.products.values()] == [10]
    for sku in ("TEE-56248", "TEE-56248-M-RED", "TEE-56248-L-BLUE", "TEE-56248-XL"):
        assert store.find_sku(sku) is None, sku
    assert store.variations(session.ours[411]) == []


def test_every_variation_capture_is_replayed_or_named_as_a_later_issue() -> None:
    names = {path.stem for path in FOLDER.glob("*.json")}
    assert names == set(SESSION) | WEBHOOKS  # webhooks are a later issue, not in the sandbox
