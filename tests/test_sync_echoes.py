"""The three-way decision of an import, field by field (pure: no store, no database)."""

from __future__ import annotations

from typing import Any

import pytest

from woosync.services.sync import stock
from woosync.services.sync import targets as sync_targets
from woosync.services.sync.conflicts import FieldState, reconcile
from woosync.services.sync.echoes import (
    catalog_print,
    compact_echoes,
    conflict_target,
    echoes_after_write,
    key_target,
    learn_images,
    store_print,
    with_catalog_images,
)

PRICE = key_target("price", "regular_price")


def _state(catalog: Any, store: Any, target: sync_targets.Target = PRICE) -> FieldState:
    return FieldState(target, catalog_print(target, store), store, catalog)


def _print(value: Any, target: sync_targets.Target = PRICE) -> str:
    return catalog_print(target, value)


@pytest.mark.parametrize(
    ("catalog", "store", "base", "echo", "on_conflict", "taken", "conflict"),
    [
        ("12.5", "12.50", "12.5", None, "skip", False, False),  # the store's spelling: no edit
        ("12.5", "14", "12.5", None, "skip", True, False),  # a store edit comes in
        ("13", "12.5", "12.5", None, "skip", False, False),  # a catalog edit stays for export
        ("13", "14", "12.5", None, "skip", False, True),  # both: a conflict
        ("13", "14", "12.5", None, "store", True, False),
        ("13", "14", "12.5", None, "catalog", False, False),
        ("14", "14", "12.5", None, "skip", True, False),  # both made the same edit
        (None, "14", None, None, "skip", True, False),  # never synced: the store's comes in
        ("14", "14", None, None, "skip", True, False),  # ... as when both sides agree
        ("12.5", "14", None, None, "skip", False, True),  # both hold one: which is newer?
        ("12.5", "14", None, None, "store", True, False),
        ("12.5", "14", None, None, "catalog", False, False),
        ("12.5", None, None, None, "skip", False, False),  # ... but a blank never wipes
        ("12.5", "12.5", "12.5", "ffff", "skip", True, False),  # the echo differs: an edit
    ],
)
def test_each_case_of_the_three_way_decision(
    catalog: str | None,
    store: str | None,
    base: str | None,
    echo: str | None,
    on_conflict: str,
    taken: bool,
    conflict: bool,
) -> None:
    bases = {"regular_price": _print(base)} if base is not None else {}
    echoes = {"regular_price": echo} if echo is not None else {}
    result = reconcile([_state(catalog, store)], bases, echoes, {}, on_conflict)
    assert (result.taken == ["regular_price"]) is taken
    assert ("regular_price" in result.conflicts) is conflict
    if taken and store is not None:
        assert result.base["regular_price"] == _print(store)
        assert "regular_price" not in result.echoes  # equal to the base: not kept
    if on_conflict == "catalog" and catalog != store:
        assert result.echoes["regular_price"] == _print(store)  # seen, the base untouched
        assert result.base.get("regular_price") == (None if base is None else _print(base))


def test_a_conflict_keeps_both_values_and_is_dropped_once_decided() -> None:
    bases = {"regular_price": _print("12.5")}
    found = reconcile([_state("13", "14")], bases, {}, {}, "skip")
    assert found.conflicts == {
        "regular_price": {
            "field": "price",
            "wooField": "regular_price",
            "catalog": "13",
            "store": "14",
        }
    }
    again = reconcile([_state("14", "14")], bases, {}, found.conflicts, "skip")
    assert again.conflicts == {} and again.taken == ["regular_price"]


def test_store_copies_of_images_map_back_to_their_sources() -> None:
    sources = learn_images(
        None,
        ["https://img.example.com/a.jpg", "http://shop.test/wp-content/uploads/b.jpg"],
        [
            {"id": 7, "src": "http://shop.test/wp-content/uploads/2026/12/a.jpg"},
            {"id": 8, "src": "http://shop.test/wp-content/uploads/b.jpg"},
        ],
    )
    assert sources == {"7": "https://img.example.com/a.jpg"}  # the store's own URL needs no entry
    woo = {
        "images": [
            {"id": 7, "src": "http://shop.test/x/a.jpg"},
            {"id": 9, "src": "http://shop.test/n.jpg"},
        ]
    }
    assert [i["src"] for i in with_catalog_images(woo, sources)["images"]] == [
        "https://img.example.com/a.jpg",
        "http://shop.test/n.jpg",
    ]


def test_echoes_equal_to_the_base_are_not_kept() -> None:
    assert compact_echoes({"a": "1", "b": "2"}, {"a": "1", "b": "3"}) == {"b": "2"}


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("regular_price", sync_targets.SCALAR),
        ("dimensions", sync_targets.DIMENSIONS),
        ("dimensions.length", sync_targets.DIMENSION),
        ("images", sync_targets.IMAGES),
        ("attribute:pa_color", sync_targets.GLOBAL_ATTRIBUTE),
        ("attribute:Material", sync_targets.LOCAL_ATTRIBUTE),
    ],
)
def test_a_recorded_conflict_is_compared_under_its_key(key: str, kind: str) -> None:
    target = conflict_target("x", key)
    assert (target.key, target.kind) == (key, kind)


def test_an_echo_is_kept_only_where_the_store_answered_otherwise() -> None:
    targets = sync_targets.resolve_targets(
        ["name", "sku", "categories", "images", "description"], {}
    )
    values = {
        "name": "Salt & Pepper",
        "sku": "S-1",
        "categories": ["Kitchen"],
        "images": ["https://img.example.com/a.jpg"],
        "description": "<p>Hi<blink>!</blink></p>",
    }
    base = sync_targets.fingerprints(targets, values)
    payload = {
        "name": "Salt & Pepper",
        "sku": "S-1",
        "categories": [{"id": 5}],
        "images": [{"src": "https://img.example.com/a.jpg"}],
        "description": "<p>Hi<blink>!</blink></p>",
    }
    answer = {
        "id": 9,
        "name": "Salt &amp; Pepper",  # entities: the same value
        "sku": "S-1",
        "categories": [{"id": 5, "name": "kitchen"}],  # the store's own spelling of the term
        "images": [{"id": 31, "src": "http://shop.test/wp-content/uploads/a.jpg"}],
        "description": "<p>Hi!</p>",  # filtered by the store
    }
    sources = learn_images(None, values["images"], answer["images"])
    echoes = echoes_after_write(
        targets, set(base), answer, payload, values, base, None, sources, {}
    )
    assert echoes is not None and sorted(echoes) == ["categories", "description"]
    assert echoes["description"] == catalog_print(targets[4], "<p>Hi!</p>")


_SENT_VALUES = {
    "name": "Salt & Pepper",
    "sku": "S-1",
    "regular_price": "12.5",
    "manage_stock": True,
    "stock_quantity": 5,
    "attribute:COLOR": ["Black & White", "Red"],
}
_SENT_BODY = {
    "name": "Salt & Pepper",
    "sku": "S-1",
    "regular_price": "12.5",
    "manage_stock": True,
    "stock_quantity": 5,
    "attributes": [{"name": "COLOR", "position": 0, "options": ["Black & White", "Red"]}],
}


@pytest.mark.parametrize(
    "changes",
    [
        {},  # answered exactly as sent: no echo
        {"name": "Salt &amp; Pepper", "regular_price": "12.50"},  # entities, number spelling
        {"manage_stock": 1},  # equal in Python, not the same JSON: learnt as an echo
        {"stock_quantity": 5.0, "regular_price": 12.5},  # another type: compared by prints
        {"stock_quantity": True},
        {"name": "Salt and Pepper"},  # renamed by the store
        {"attributes": [{"id": 0, "name": "COLOR", "options": ["Red", "Black &amp; White"]}]},
        {"attributes": [{"id": 0, "name": "COLOR", "options": ["Black & White", "red"]}]},
        {"attributes": [{"id": 0, "name": "color", "options": ["Black & White", "Red"]}]},
        {"attributes": []},
    ],
)
def test_the_shortcuts_for_values_answered_as_sent_learn_what_prints_would(
    changes: dict[str, Any],
) -> None:
    """Told without fingerprints where the answer is the value sent; whatever the store answers,
    the echoes are those a fingerprint of every field sent would give."""
    targets = sync_targets.resolve_targets(
        ["name", "sku", "price", "manage_stock", "stock_quantity", "COLOR"], {}
    )
    base = sync_targets.fingerprints(targets, _SENT_VALUES)
    answer = {
        "id": 9,
        **_SENT_BODY,
        "attributes": [{"id": 0, "name": "COLOR", "options": ["Black & White", "Red"]}],
        **changes,
    }
    got = echoes_after_write(
        targets, set(base), answer, _SENT_BODY, _SENT_VALUES, base, None, {}, {}
    )
    every = {t.key: store_print(t, answer, {}) for t in targets}
    assert got == (compact_echoes(every, base) or None)
    if changes in ({}, {"name": "Salt &amp; Pepper", "regular_price": "12.50"}):
        assert got is None
    if "manage_stock" in changes or "stock_quantity" in changes:
        assert got is not None and set(got) & {"manage_stock", "stock_quantity"}


def test_a_stock_quantity_is_added_up_only_from_the_quantity_kept_for_the_current_print() -> None:
    target = key_target("stock_quantity", "stock_quantity")
    base = {"stock_quantity": catalog_print(target, 10)}
    stock.remember(base, 10)
    assert stock.merged(base, 8, 9) == 7
    assert stock.merged(base, "8", 9) is None  # not a number: not added up
    base["stock_quantity"] = catalog_print(target, 12)  # moved by a path that did not keep it
    assert stock.base_quantity(base) is None and stock.merged(base, 8, 9) is None
    stock.remember(base, None)
    assert stock.RAW_KEY not in base
