"""A variation's payload: only the fields a variation has, one image, and its options by attribute
id (global, through the export mapping) or by name (local)."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import pytest

from woosync.services.export.variation_payload import (
    OPTIONS_KEY,
    VariationValues,
    options_payload,
    options_print,
    store_options,
    variation_payload,
    variation_targets,
)
from woosync.services.sync import targets as sync_targets


class Refs:
    def __init__(self) -> None:
        self.checked: list[tuple[str, list[str]]] = []

    def category_id(self, name: str) -> int:
        raise AssertionError("a variation has no categories")

    def tag_id(self, name: str) -> int:
        raise AssertionError("a variation has no tags")

    def brand_id(self, name: str) -> int:
        raise AssertionError("a variation has no brands")

    def attribute_id(self, slug: str) -> int:
        return {"pa_size": 7}[slug]

    def check_terms(self, slug: str, names: Sequence[str]) -> None:
        self.checked.append((slug, list(names)))

    def image(self, src: str) -> dict[str, Any]:
        return {"src": src}


SELECTED = ["name", "sku", "price", "stock_quantity", "categories", "images", "weight", "COLOR"]


def test_a_variation_keeps_only_its_own_fields_and_one_image() -> None:
    targets = variation_targets(sync_targets.resolve_targets(SELECTED, {"Size": "pa_size"}))
    values = {
        "sku": "TEE-S",
        "regular_price": "20.00",
        "stock_quantity": 5,
        "images": ["https://img.test/s.jpg", "https://img.test/s2.jpg"],
        "weight": "0.2",
    }

    payload = variation_payload(targets, values, [t.key for t in targets], Refs())

    assert [t.woo for t in targets] == [
        "sku",
        "regular_price",
        "stock_quantity",
        "images",
        "weight",
    ]
    assert payload == {
        "sku": "TEE-S",
        "regular_price": "20.00",
        "stock_quantity": 5,
        "manage_stock": True,  # a quantity is kept only with it (selected or not)
        "image": {"src": "https://img.test/s.jpg"},
        "weight": "0.2",
    }


def test_options_go_by_attribute_id_when_mapped_to_a_global_attribute() -> None:
    refs = Refs()
    slugs = {"Size": "pa_size"}

    entries = options_payload({"Size": "M", "Color": "Red"}, slugs, refs)

    assert entries == [{"id": 7, "option": "M"}, {"name": "Color", "option": "Red"}]
    assert refs.checked == [("pa_size", ["M"])]  # the term is made (or checked) first
    assert store_options({"Size": "M", "Color": "Red"}, slugs) == {"pa_size": "M", "Color": "Red"}


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ({"Size": "M", "Color": "Red"}, {"Color": "red", "Size": "M"}, True),
        ({"Size": "M"}, {"Size": "L"}, False),
    ],
)
def test_the_options_fingerprint_ignores_order_and_case(
    a: dict[str, str], b: dict[str, str], same: bool
) -> None:
    assert (options_print(a, {}) == options_print(b, {})) is same


def test_remembered_fingerprints_are_those_made_afresh() -> None:
    """VariationValues remembers the fingerprints of repeated values: each one equals the one
    made for that value alone (``True`` and ``1``, equal in Python, print apart)."""
    fields = ["name", "sku", "price", "manage_stock", "stock_quantity", "Size"]
    targets = variation_targets(sync_targets.resolve_targets(fields, {"Size": "pa_size"}))
    maker = VariationValues(targets, {"Size": "pa_size"})
    rows = [
        SimpleNamespace(sku="A", price="20.00", manage_stock=True, stock_quantity=1,
                        attributes={"Size": "S"}, custom_fields={}),
        SimpleNamespace(sku="B", price="20.00", manage_stock=False, stock_quantity=1,
                        attributes={"Size": "s"}, custom_fields={}),
        SimpleNamespace(sku="C", price="21.00", manage_stock=True, stock_quantity=1,
                        attributes={"Size": "M"}, custom_fields={}),
    ]  # fmt: skip

    made = [maker.of(row) for row in rows]

    for (values, prints, options), row in zip(made, rows, strict=True):
        expected = sync_targets.fingerprints(targets, values)
        expected[OPTIONS_KEY] = options_print(row.attributes, {"Size": "pa_size"})
        assert prints == expected
        assert options == {"pa_size": row.attributes["Size"]}
    prints = made[0][1]
    assert prints["manage_stock"] != prints["stock_quantity"]  # True and 1 are not one value
    assert made[0][1][OPTIONS_KEY] == made[1][1][OPTIONS_KEY]  # options ignore case
