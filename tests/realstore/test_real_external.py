"""External (affiliate) products against a real WooCommerce store: an import brings one in with
its link and button; an export creates it external even when the store's mapping sends no type
(WooCommerce 11 makes a product created without one a simple product it sells: checked), and
sends the link once the mapping maps it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from realstore.realstore_support import RealStore, store_products_with_sku
from served_stores import cli_json as as_json

LINK = "https://books.example.com/garden?ref=1&x=2"
BUTTON = "Buy at Books & Co"
NO_TYPE = """
store: Real Store
export:
  selectedFields: [name, sku, price]
"""
WITH_LINK = """
store: Real Store
export:
  selectedFields: [name, sku, price, external_url, button_text]
  fieldMappings: {external_url: external_url, button_text: button_text}
"""


def test_an_external_product_is_imported_and_created_again_as_external(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    store = real_connection
    with store.api() as api:
        made = api.post(
            "/products",
            json={
                "name": "Garden Book",
                "sku": "RX-BOOK",
                "type": "external",
                "regular_price": "19.99",
                "external_url": LINK,
                "button_text": BUTTON,
            },
        )
        assert made.status_code == 201, made.text
        grouped = api.post(
            "/products",
            json={"name": "Set", "sku": "RX-SET", "type": "grouped", "grouped_products": []},
        )
        assert grouped.status_code == 201, grouped.text

    imported = as_json(cli("--json", "import"))
    by_sku = {p["sku"]: p for p in imported["products"]}
    assert by_sku["RX-BOOK"]["status"] == "imported"
    assert by_sku["RX-SET"]["status"] == "imported"  # a grouped product (with no products)
    shown = as_json(cli("--json", "products", "show", "RX-BOOK"))
    assert shown["type"] == "external"
    assert shown["customFields"] == {"external_url": LINK, "button_text": BUTTON}

    # the store loses it; a mapping without type creates it again: external, not for sale here
    with store.api() as api:
        gone = api.delete(f"/products/{made.json()['id']}", params={"force": "true"})
        assert gone.status_code == 200, gone.text
    (tmp_path / "no-type.yaml").write_text(NO_TYPE)
    assert cli("mappings", "apply", str(tmp_path / "no-type.yaml")).exit_code == 0
    sent = as_json(cli("--json", "export", "--all"))
    assert sent["counts"]["created"] == 1, sent
    [warning] = [w for w in sent["warnings"] if "without its product URL" in w]
    assert warning.startswith("RX-BOOK: created in this store"), sent["warnings"]
    [copy] = store_products_with_sku(store, "RX-BOOK")
    assert (copy["type"], copy["purchasable"], copy["external_url"]) == ("external", False, "")

    # mapped, the link and button go out once; then nothing is sent, and nothing comes back
    (tmp_path / "with-link.yaml").write_text(WITH_LINK)
    assert cli("mappings", "apply", str(tmp_path / "with-link.yaml")).exit_code == 0
    linked = as_json(cli("--json", "export", "--all", "--partial"))
    assert linked["counts"]["updated"] == 1 and linked["warnings"] == [], linked
    [copy] = store_products_with_sku(store, "RX-BOOK")
    assert (copy["type"], copy["external_url"], copy["button_text"]) == (
        "external",
        LINK,
        BUTTON,
    )
    store.mark()
    again = as_json(cli("--json", "export", "--all", "--partial"))
    assert again["counts"]["updated"] == 0 and store.write_requests() == []
    back = as_json(cli("--json", "import", "--update-existing"))
    assert back["updatedCount"] == 0 and back["conflictCount"] == 0, back
