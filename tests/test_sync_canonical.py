"""``canonical_text``: numbers compare in one spelling, whichever way they were written.

A number already in that spelling (the common price, ``11.01``) is taken as it is, without a
``Decimal``; these tests hold the short way to the long one."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from woosync.services.sync import canonical as canonical_forms
from woosync.services.sync import targets as sync_targets
from woosync.services.sync.targets import canonical_text, fingerprint


def _by_decimal(text: str) -> str:
    return format(Decimal(text).normalize(), "f")


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("11.01", "11.01"),
        ("11.010", "11.01"),
        ("011.01", "11.01"),
        ("+11.01", "11.01"),
        ("100", "100"),
        ("100.00", "100"),
        ("0", "0"),
        ("-0", "-0"),
        ("0.50", "0.5"),
        (".5", "0.5"),
        ("5.", "5"),
        (" 20.90 ", "20.9"),
        ("1" * 27, "1" * 27),
        # Decimal's context keeps 28 digits: a longer number is rounded, as before
        ("1" * 29, _by_decimal("1" * 29)),
        ("9" * 18 + "." + "9" * 18, _by_decimal("9" * 18 + "." + "9" * 18)),
        ("١٢", "١٢"),  # digits of another script stay text
    ],
)
def test_numbers_have_one_spelling(written: str, canonical: str) -> None:
    assert canonical_text(written) == canonical


def test_the_short_way_agrees_with_decimal_on_random_numbers() -> None:
    rng = random.Random(12)
    for _ in range(20_000):
        whole = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 20)))
        part = "".join(rng.choice("0123456789") for _ in range(rng.randint(0, 20)))
        text = rng.choice(["", "-", "+"]) + whole + (f".{part}" if rng.random() < 0.6 else "")
        assert canonical_text(text) == _by_decimal(text), text


def test_prices_written_differently_have_one_fingerprint() -> None:
    assert fingerprint("scalar", "20.90") == fingerprint("scalar", "20.9")
    assert fingerprint("scalar", "20.9") != fingerprint("scalar", "20.09")


def test_images_and_meta_values_keep_their_order_and_names_do_not() -> None:
    assert {sync_targets.IMAGES, sync_targets.META} == canonical_forms.ORDERED_KINDS
    for kind in (sync_targets.IMAGES, sync_targets.META):
        assert canonical_forms.canonical(kind, ["b", "a"]) == ["b", "a"]
    assert canonical_forms.canonical(sync_targets.TAGS, ["b", "a", "b"]) == ["a", "b"]
