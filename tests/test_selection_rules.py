"""The ``products:`` selection rules on their own: any include rule, no exclude rule."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from woosync.core.errors import ValidationError
from woosync.services.selection_rules import SelectionRules


def _row(
    sku: str,
    categories: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
    status: str | None = None,
) -> SimpleNamespace:
    return SimpleNamespace(
        id=1, sku=sku, categories=list(categories), tags=list(tags), status=status
    )


def test_no_rules_take_every_product() -> None:
    rules = SelectionRules.from_dict({})
    assert not rules and rules.admits(_row("A")) and rules.columns() == []


def test_include_rules_are_alternatives_and_exclude_rules_win() -> None:
    rules = SelectionRules.from_dict(
        {
            "include": {"categories": ["Shoes"], "skus": ["gift-1"]},
            "exclude": {"tags": ["Retail-Only"], "status": ["draft"]},
        }
    )
    assert rules.columns() == ["categories", "tags", "status"]
    assert rules.admits(_row("X", categories=("shoes",)))  # any case
    assert rules.admits(_row("GIFT-1"))  # by SKU, any case
    assert not rules.admits(_row("X", categories=("Hats",)))
    assert not rules.admits(_row("X", categories=("Shoes",), tags=("retail-only",)))
    assert not rules.admits(_row("GIFT-1", status="draft"))


def test_a_product_without_status_counts_as_published() -> None:
    rules = SelectionRules.from_dict({"include": {"status": ["publish"]}})
    assert rules.admits(_row("A")) and not rules.admits(_row("B", status="private"))


def test_the_stored_shape_round_trips_and_drops_empty_lists() -> None:
    given = {"include": {"skus": ["B", "A", "B"], "tags": []}, "exclude": {}}
    rules = SelectionRules.from_dict(given)
    assert rules.to_dict() == {"include": {"skus": ["B", "A"]}}
    assert SelectionRules.from_dict(rules.to_dict()) == rules


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"only": {}}, "unknown key 'only'"),
        ({"include": {"sku": ["A"]}}, "products.include.sku: unknown rule"),
        ({"exclude": {"status": ["published"]}}, "unknown status 'published'"),
        ({"include": ["A"]}, "expected a mapping"),
    ],
)
def test_bad_rules_are_refused(rules: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        SelectionRules.from_dict(rules)
