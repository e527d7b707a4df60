"""``VariationImageClaims.admit``, the gate variation requests pass: which writes go now, by URL
or by the id learnt, and which wait (a sibling for the parent's next request, a whole parent for
another parent's answer, never a parent resending a claim of its own)."""

from __future__ import annotations

from typing import Any, cast

from woosync.services.export.images import VariationImageClaims
from woosync.services.export.registry import IMAGE, StoreRegistry
from woosync.woo import ItemError, VariationOutcome, VariationWrite, WooClient

RED, BLUE = "https://img.example/red.jpg", "https://img.example/blue.jpg"


class NoStore:
    """A client nothing may be asked of (creates are never looked up by the gate)."""

    def list_variations(self, parent_id: int) -> list[dict[str, Any]]:
        raise AssertionError(f"the gate listed #{parent_id}")


def create(parent_id: int, tag: int, src: str | None) -> VariationWrite:
    body: dict[str, Any] = {"sku": f"V-{tag}"}
    if src:
        body["image"] = {"src": src}
    return VariationWrite(parent_id, "create", body, sku=f"V-{tag}", tag=tag)


def claims() -> tuple[VariationImageClaims, StoreRegistry]:
    registry = StoreRegistry(1)
    return VariationImageClaims(registry, cast(WooClient, NoStore())), registry


def test_a_sibling_sharing_a_new_url_goes_in_the_next_request_by_the_id_learnt() -> None:
    gate, registry = claims()
    first, sibling, other = create(10, 1, RED), create(10, 2, RED), create(10, 3, BLUE)

    assert gate.admit(10, [first, sibling, other]) == [first, None, other]

    registry.remember(IMAGE, RED, 77)  # the first's answer, booked
    gate.release(VariationOutcome(first, answer={"id": 501, "image": {"id": 77}}))
    assert gate.admit(10, [sibling]) == [
        VariationWrite(10, "create", {"sku": "V-2", "image": {"id": 77}}, sku="V-2", tag=2)
    ]


def test_a_parent_waits_whole_for_another_parents_answer_then_takes_the_url_if_it_failed() -> None:
    gate, _registry = claims()
    first = create(10, 1, RED)
    waiting = [create(20, 4, None), create(20, 5, RED)]
    assert gate.admit(10, [first]) == [first]

    assert gate.admit(20, waiting) == [None, None]  # no request added: it goes after the answer

    refused = ItemError("product_invalid_sku", "Invalid or duplicated SKU.", 400)
    gate.release(VariationOutcome(first, error=refused))  # nothing written: the URL is free
    assert gate.admit(20, waiting) == waiting


def test_a_parent_resending_its_own_claim_is_never_held_whole() -> None:
    """Two parents each holding a claim the other waits for would wait for ever: the claimant
    goes (its request failed and came back), only the waiter is held."""
    gate, _registry = claims()
    mine, theirs = create(10, 1, RED), create(20, 2, BLUE)
    assert gate.admit(10, [mine]) == [mine]
    assert gate.admit(20, [theirs]) == [theirs]
    waits_for_theirs = create(10, 3, BLUE)

    assert gate.admit(10, [mine, waits_for_theirs]) == [mine, None]
