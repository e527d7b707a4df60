"""The store's defaults a variation create remembers (``sync.variation_keys``) are worked out
once per distinct answer, and are always what ``echoes.store_defaults`` says for that answer."""

from __future__ import annotations

from typing import Any

import pytest

from woosync.services.sync import echoes as echo_rules
from woosync.services.sync import variation_keys

ANSWERS: list[dict[str, Any]] = [
    {"id": 1, "status": "publish", "stock_status": "instock", "manage_stock": False},
    {"id": 2, "status": "publish", "stock_status": "instock", "manage_stock": False},
    {"id": 3, "status": "private", "stock_status": "instock", "manage_stock": 0},
    {"id": 4, "status": "publish", "stock_status": "outofstock", "manage_stock": True},
    {"id": 5, "status": "publish", "manage_stock": 1, "dimensions": {"length": "2", "width": ""}},
    {"id": 6, "status": "publish", "images": [{"src": "https://img.example/a.jpg"}]},
    {"id": 7, "status": ["publish"], "stock_status": {"odd": "shape"}},  # not a key: not kept
    {"id": 8, "status": "publish", "stock_status": "instock", "manage_stock": False},
]


@pytest.mark.parametrize("sent", [("price", "sku"), ("price", "sku", "status")])
def test_remembered_defaults_are_those_of_each_answer(sent: tuple[str, ...]) -> None:
    unsent = variation_keys._unsent_targets(tuple(sorted(sent)))
    base = {key: "x" for key in sent}
    for answer in [*ANSWERS, *ANSWERS]:  # the second round comes from the memory
        got = variation_keys._store_defaults(unsent, answer, base)
        assert got == echo_rules.store_defaults(unsent, answer, base), answer
        got.clear()  # a caller's copy: the memory is not changed through it
    again = variation_keys._store_defaults(unsent, ANSWERS[0], base)
    assert again == echo_rules.store_defaults(unsent, ANSWERS[0], base) != {}
