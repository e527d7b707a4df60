"""A product's brands on a real WooCommerce 11 store (brands are part of WooCommerce since 9.6).

WooCommerce takes a product's brands by id only (``[{"id": 7}]``; a brand given by name is
dropped without a word), so the export finds each brand by name in the store's list or makes
it, and sends its id; a brand the shop deleted is made again. A shop manager's change of a
product's brands comes into the catalog, and the store's ``&amp;`` is no change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from realstore.realstore_support import RealStore, store_products_with_sku
from served_stores import cli_json as as_json

CATALOG = """
- {sku: RB-MUG, name: Brand Mug, price: "9.00", brands: [Acme]}
- {sku: RB-CUP, name: Brand Cup, price: "7.00", brands: [acme, "Café & Co"]}
"""
FIELDS = "name,sku,price,brands"


def _brands(store: RealStore, sku: str) -> list[dict[str, Any]]:
    [product] = store_products_with_sku(store, sku)
    return list(product["brands"])


def _store_brands(store: RealStore) -> list[str]:
    with store.api() as api:
        listed = api.get("/products/brands", params={"per_page": 100, "hide_empty": "false"})
    assert listed.status_code == 200, listed.text
    return sorted(brand["name"] for brand in listed.json())


def test_brands_go_out_by_id_come_back_and_are_made_again_once_deleted(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    store = real_connection
    with store.api() as api:
        own = api.post("/products/brands", json={"name": "ACME"}).json()  # the shop's own
    (tmp_path / "catalog.yaml").write_text(CATALOG)
    assert cli("products", "load", str(tmp_path / "catalog.yaml")).exit_code == 0

    sent = as_json(cli("--json", "export", "--all", "--fields", FIELDS))

    assert sent["failedCount"] == 0, sent
    assert [b["id"] for b in _brands(store, "RB-MUG")] == [own["id"]]  # found in any case
    assert [b["name"] for b in _brands(store, "RB-CUP")] == ["ACME", "Café &amp; Co"]
    assert _store_brands(store) == ["ACME", "Café &amp; Co"]  # none made twice
    store.mark()
    as_json(cli("--json", "export", "--all", "--partial", "--fields", FIELDS))
    assert store.write_requests() == []  # the store's "&amp;" is no change

    with store.api() as api:  # a shop manager: a new brand on the mug, and "ACME" deleted
        nord = api.post("/products/brands", json={"name": "Nord"}).json()
        [mug] = store_products_with_sku(store, "RB-MUG")
        changed = api.put(f"/products/{mug['id']}", json={"brands": [{"id": nord["id"]}]})
        assert changed.status_code == 200, changed.text
        gone = api.delete(f"/products/brands/{own['id']}", params={"force": "true"})
        assert gone.status_code == 200, gone.text

    taken = as_json(cli("--json", "import", "--update-existing"))

    assert taken["updatedCount"] == 2, taken  # the mug's new brand; the cup lost ACME
    assert as_json(cli("--json", "products", "show", "RB-MUG"))["brands"] == ["Nord"]
    assert as_json(cli("--json", "products", "show", "RB-CUP"))["brands"] == ["Café & Co"]
    assert cli("products", "edit", "RB-CUP", "--brand", "Acme", "--brand", "Café & Co").exit_code == 0  # fmt: skip

    again = as_json(cli("--json", "export", "--all", "--partial", "--fields", FIELDS))

    assert again["failedCount"] == 0, again
    cup = _brands(store, "RB-CUP")
    assert [b["name"] for b in cup] == ["Acme", "Café &amp; Co"]  # made again, not dropped
    assert own["id"] not in [b["id"] for b in cup]
