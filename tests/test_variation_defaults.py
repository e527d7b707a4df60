"""The store's defaults a variation create remembers (``sync.variation_keys``) are worked out
once per distinct answer, and are always what ``echoes.store_defaults`` says for that answer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from woosync.core.fields import STANDARD_FIELDS
from woosync.services.sync import echoes as echo_rules
from woosync.services.sync import variation_keys
from woosync.services.sync.prints import store_print

ANSWERS: list[dict[str, Any]] = [
    {"id": 1, "status": "publish", "stock_status": "instock", "manage_stock": False},
    {"id": 2, "status": "publish", "stock_status": "instock", "manage_stock": False},
    {"id": 3, "status": "private", "stock_status": "instock", "manage_stock": 0},
    {"id": 4, "status": "publish", "stock_status": "outofstock", "manage_stock": True},
    {"id": 5, "status": "publish", "manage_stock": 1, "dimensions": {"length": "2", "width": ""}},
    {"id": 6, "status": "publish", "images": [{"src": "https://img.example/a.jpg"}]},
    {"id": 7, "status": ["publish"], "stock_status": {"odd": "shape"}},  # not a key: not kept
    {"id": 8, "status": "publish", "stock_status": "instock", "manage_stock": False},
    {"id": 9, "status": "publish", "images": [], "downloads": []},
    {"id": 10, "status": "publish", "downloads": [{"id": "f1", "name": "A", "file": "a.zip"}]},
    {"id": 11, "status": "publish", "images": None, "downloads": None},
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


def test_the_same_answer_is_worked_out_once_with_its_images_and_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A variation answered with no image and no files (the common case, as a list) hits the
    memory too: every variation of a run is not worked out again."""
    made: list[int] = []
    real = echo_rules.store_defaults

    def counted(targets: Any, answer: Any, base: Any) -> dict[str, str]:
        made.append(answer["id"])
        return real(targets, answer, base)

    monkeypatch.setattr(echo_rules, "store_defaults", counted)
    variation_keys._DEFAULTS.clear()
    unsent = variation_keys._unsent_targets(("price", "sku"))
    assert {"images", "downloads"} <= {t.kind for t in unsent}
    base = {"regular_price": "x", "sku": "x"}
    answers = [{"id": n, "status": "publish", "images": [], "downloads": []} for n in range(5)]
    answers.append({"id": 5, "status": "publish", "images": [], "downloads": [{"id": "f"}]})

    for answer in answers:
        assert variation_keys._store_defaults(unsent, answer, base) == real(unsent, answer, base)

    assert made == [0, 5]


def test_a_variations_answer_prints_for_booking_as_the_import_reads_it() -> None:
    """The export books a variation's echoes from its answer as is (its image as ``images``);
    the import reads the same variation through ``as_product``: every target a variation has
    prints the same either way, or an export's echo would not match what the import sees."""
    capture = Path(__file__).resolve().parent / "captures" / "variations"
    answer = json.loads((capture / "variation_create_single.json").read_text())["response"]["body"]
    answer = {**answer, "image": {"id": 7, "src": "https://shop.test/a.jpg"}, "weight": "0.5"}
    answer["dimensions"] = {"length": "10", "width": "", "height": "2"}
    every = [echo_rules.key_target(name, woo) for name, woo in STANDARD_FIELDS.items()]
    every += [echo_rules.key_target(part, part) for part in ("length", "width", "height")]
    targets = variation_keys.variation_targets(every)
    assert {"regular_price", "stock_quantity", "images", "dimensions"} <= {t.woo for t in targets}

    shaped = variation_keys.product_shaped(answer, targets)
    imported = variation_keys.as_product(answer)

    for target in targets:
        assert store_print(target, shaped, {}) == store_print(target, imported, {}), target
    without_images = [t for t in targets if t.kind != "images"]
    assert variation_keys.product_shaped(answer, without_images) is answer  # nothing copied
