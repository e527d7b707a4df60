"""Import's fingerprints are export's own: ``fingerprints(targets, store_values(...))``, the
fingerprints of repeated plain values remembered by their raw store value."""

from __future__ import annotations

from typing import Any

from woosync.services.imports.fingerprints import Fingerprinter
from woosync.services.sync import prints
from woosync.services.sync.targets import fingerprints, store_values


def _product(n: int, **values: Any) -> dict[str, Any]:
    product: dict[str, Any] = {
        "id": n,
        "name": f"Tee &amp; {n}",
        "sku": f"TEE-{n}",
        "status": "publish",
        "type": "simple",
        "regular_price": "10.00" if n % 2 else "10",
        "sale_price": "",
        "weight": "0.5",
        "dimensions": {"length": "10", "width": "", "height": "2"},
        "categories": [{"id": 1, "name": "Shirts &amp; Tops"}, {"id": 2, "name": "Sale"}],
        "tags": [],
        "images": [{"src": "https://img.test/b.jpg"}, {"src": "https://img.test/a.jpg"}],
        "stock_status": "instock",
        "attributes": [
            {"id": 3, "name": "Color", "slug": "pa_color", "options": ["Red", "Blue"]},
            {"id": 0, "name": "Fit", "options": ["Slim"]},
        ],
    }
    product.update(values)
    return product


def _export_fingerprints(
    fingerprinter: Fingerprinter, woo: dict[str, Any], names: list[str]
) -> dict[str, str]:
    targets = fingerprinter.targets(names)
    return fingerprints(targets, store_values(targets, woo, {"pa_color": 3}))


def test_remembered_fingerprints_equal_exports_own() -> None:
    mapped = Fingerprinter(
        ["price", "stock_quantity", "featured", "color", "Fit"],
        {"color": "pa_color", "stock_quantity": "stock_quantity", "featured": "featured"},
    )
    products = [
        _product(1),
        _product(2),  # the same values again: answered from the memo
        _product(3, stock_quantity=1, featured=True),  # 1 and True are equal keys, not equal values
        _product(4, stock_quantity=True, featured=1),
        _product(5, categories=[{"id": 2, "name": "Sale"}, {"id": 1, "name": "Shirts & Tops"}]),
        _product(6, name="  Tee 6 ", regular_price="", images=[]),
        # nothing there, in every way a store says it (a variation has no categories or tags)
        _product(7, categories=[], tags=None, images=None, dimensions={}, attributes=[]),
        _product(8, dimensions=None, attributes=None, images=""),
        {
            key: value
            for key, value in _product(9, type="variation", image=None).items()
            if key not in ("categories", "tags", "images", "dimensions", "attributes", "name")
        },
    ]
    for fingerprinter in (mapped, Fingerprinter()):
        for woo in products:
            for names in ([], ["Fit"], ["Fit", "Material"]):
                expected = _export_fingerprints(fingerprinter, woo, names)
                assert fingerprinter.for_store_product(woo, names, {"pa_color": 3}) == expected
    third = mapped.for_store_product(products[2], [], {"pa_color": 3})
    fourth = mapped.for_store_product(products[3], [], {"pa_color": 3})
    assert third["stock_quantity"] != fourth["stock_quantity"]


def test_the_memo_starts_over_past_its_limit(monkeypatch: Any) -> None:
    monkeypatch.setattr(prints, "RAW_MEMO_LIMIT", 5)
    monkeypatch.setattr(prints, "_RAW_PRINTS", {})
    fingerprinter = Fingerprinter()
    for n in range(1, 30):
        woo = _product(n)
        assert fingerprinter.for_store_product(woo, []) == _export_fingerprints(
            Fingerprinter(), woo, []
        )
        assert len(prints._RAW_PRINTS) <= 5


def test_long_text_is_fingerprinted_but_not_remembered() -> None:
    fingerprinter = Fingerprinter()
    long_text = "<p>" + "A long, unique description. " * 20 + "</p>"
    woo = _product(1, description=long_text)
    assert fingerprinter.for_store_product(woo, []) == _export_fingerprints(
        Fingerprinter(), woo, []
    )
    remembered = {key[-1] for key in prints._RAW_PRINTS}
    assert long_text not in remembered and "publish" in remembered
