"""Matching catalog variations to a parent's variations in the store: by link, then SKU, then
option set; a SKU held elsewhere is an error naming the holder; nothing is ever taken twice."""

from __future__ import annotations

from typing import Any

from woosync.services.export.variation_match import (
    LocalVariation,
    match_parent,
    skus_to_look_up,
)
from woosync.woo import SkuHits

PARENT = 411


def held(woo_id: int, sku: str, size: str, color: str = "Red") -> dict[str, Any]:
    return {
        "id": woo_id,
        "sku": sku,
        "type": "variation",
        "parent_id": PARENT,
        "attributes": [
            {"id": 1, "name": "Size", "slug": "pa_size", "option": size.lower()},
            {"id": 0, "name": "Color", "slug": "color", "option": color},
        ],
    }


def local(product_id: int, sku: str, size: str, woo_id: int | None = None) -> LocalVariation:
    return LocalVariation(product_id, sku, {"pa_size": size, "Color": "Red"}, woo_id)


def test_link_then_sku_then_option_set_then_create() -> None:
    store = [
        held(501, "TEE-S", "S"),
        held(502, "tee-m", "M"),
        held(503, "", "L"),
        held(504, "OLD", "XL"),
    ]
    wanted = [
        local(1, "TEE-S-RENAMED", "S", woo_id=501),  # linked: kept whatever its SKU
        local(2, "TEE-M", "M"),  # SKU, without regard to case
        local(3, "TEE-L", "L"),  # no SKU in the store: its option set
        local(4, "TEE-XXL", "XXL"),  # nothing: created
    ]

    found = match_parent(PARENT, wanted, store)

    assert [(m.local.product_id, m.action, m.woo_id, m.matched_by) for m in found.matches] == [
        (1, "update", 501, "link"),
        (2, "update", 502, "sku"),
        (3, "update", 503, "options"),
        (4, "create", None, "new"),
    ]
    assert [v["id"] for v in found.unmatched] == [504]  # left alone unless pruned


def test_a_link_to_a_variation_the_store_lost_falls_back_to_sku_and_options() -> None:
    found = match_parent(PARENT, [local(1, "TEE-S", "S", woo_id=999)], [held(505, "", "S")])

    assert (found.matches[0].action, found.matches[0].woo_id) == ("update", 505)
    assert found.matches[0].matched_by == "options"


def test_a_sku_held_by_another_parents_variation_or_a_product_is_an_error_naming_it() -> None:
    hits = SkuHits()
    hits.add({"id": 900, "sku": "TEE-S", "type": "variation", "parent_id": 77})
    hits.add({"id": 901, "sku": "TEE-M", "type": "simple", "parent_id": 0, "name": "Mug"})
    wanted = [local(1, "TEE-S", "S"), local(2, "TEE-M", "M"), local(3, "TEE-L", "L")]
    store = [held(503, "", "S")]  # the option set matches, but the SKU belongs elsewhere

    found = match_parent(PARENT, wanted, store, hits)

    first, second, third = found.matches
    assert first.action == "error" and "variation #900 of product #77" in first.message
    assert second.action == "error" and 'simple product #901 ("Mug")' in second.message
    assert third.action == "create"
    assert [v["id"] for v in found.unmatched] == [503]  # never adopted for an erroring SKU


def test_a_store_variation_is_never_taken_twice() -> None:
    store = [held(501, "TEE-S", "S")]
    wanted = [local(1, "TEE-S2", "M", woo_id=501), local(2, "tee-s", "S")]

    found = match_parent(PARENT, wanted, store)

    assert found.matches[0].woo_id == 501
    assert found.matches[1].action == "error" and "linked to another" in found.matches[1].message


def test_only_skus_not_found_under_the_parent_are_looked_up() -> None:
    store = [held(501, "TEE-S", "S")]
    wanted = [local(1, "X", "S", woo_id=501), local(2, "tee-s", "M"), local(3, "TEE-L", "L")]

    assert skus_to_look_up(wanted, store) == ["TEE-L"]


def test_a_parent_with_no_store_variations_still_names_a_sku_held_elsewhere() -> None:
    hits = SkuHits()
    hits.add({"id": 900, "sku": "TEE-S", "type": "variation", "parent_id": 77})
    wanted = [local(1, "TEE-S", "S", woo_id=12), local(2, "TEE-M", "M")]

    held_elsewhere = match_parent(PARENT, wanted, [], hits)
    nothing_held = match_parent(PARENT, wanted, [], SkuHits())

    assert [m.action for m in held_elsewhere.matches] == ["error", "create"]
    assert "variation #900 of product #77" in held_elsewhere.matches[0].message
    # nothing in the store at all (a parent just created): every variation is created
    assert [(m.action, m.matched_by, m.woo_id) for m in nothing_held.matches] == [
        ("create", "new", None),
        ("create", "new", None),
    ]
    assert nothing_held.unmatched == []
