"""The book stage's memo of the store's defaults: the same echoes as made afresh for each answer."""

from __future__ import annotations

from typing import Any

from woosync.services.export import book
from woosync.services.sync import echoes as sync_echoes


def answer(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": 7,
        "status": "publish",
        "type": "simple",
        "stock_status": "instock",
        "manage_stock": False,
        "stock_quantity": None,
        "sale_price": "",
        "weight": "",
        "dimensions": {"length": "", "width": "", "height": ""},
        "tags": [],
    }
    return {**body, **changes}


def test_the_defaults_remembered_are_those_made_afresh_for_every_answer() -> None:
    unsent, read = book.unsent_fields({"name", "price", "sku"})
    memo: dict[str, dict[str, str]] = {}
    answers = [
        answer(),
        answer(id=8),  # the same defaults: remembered
        answer(status="draft"),
        answer(manage_stock=True, stock_quantity=1),
        answer(stock_quantity=1.0),  # 1.0 and 1 and True are told apart
        answer(dimensions={"length": "2", "width": "", "height": ""}),
        answer(tags=[{"id": 3, "name": "Sale &amp; more", "slug": "sale"}]),
        answer(weight=None, sale_price=None),
    ]
    for base in ({}, {"status": "x", "stock_status": "y"}):
        for body in answers:
            expected = sync_echoes.store_defaults(unsent, body, base)
            assert book._store_defaults(memo, unsent, read, body, base) == expected
    assert 1 < len(memo) < len(answers)


def test_the_defaults_of_a_create_are_one_shared_dict_that_is_never_changed() -> None:
    """Every record of a batch holds the same defaults dict (encoded once when written); one
    whose base has some of its keys gets its own dict, and the shared one is left as it was."""
    unsent, read = book.unsent_fields({"name", "price", "sku"})
    memo: dict[str, dict[str, str]] = {}
    first = book._store_defaults(memo, unsent, read, answer(), {})
    assert book._store_defaults(memo, unsent, read, answer(id=8), {"name": "x"}) is first
    kept = dict(first)
    own = book._store_defaults(memo, unsent, read, answer(id=9), {"status": "x"})
    assert own is not first and "status" not in own and first == kept
