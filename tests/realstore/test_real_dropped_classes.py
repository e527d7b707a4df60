"""A tax class the store does not have, against a real WooCommerce store: WooCommerce 11 drops it
from the write without a word (the product is taxed at the standard rate). The export says so
and sends it again until the store has the class; then it is taken and nothing more is sent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from realstore.realstore_support import RealStore, catalog_and_mapping, store_products_with_sku

CATALOG = """
- {sku: RT-LUX, name: Watch, price: "900.00", customFields: {taxClass: luxury}}
- {sku: RT-BREAD, name: Bread, price: "2.00", customFields: {taxClass: Reduced rate}}
"""
MAPPING = """
store: Real Store
export:
  selectedFields: [name, sku, price, taxClass]
  fieldMappings: {taxClass: tax_class}
"""


def export(cli: Any, *args: str) -> dict[str, Any]:
    result = cli("--json", "export", "--all", *args)
    assert result.exit_code == 0, result.stdout + result.stderr
    return dict(json.loads(result.stdout))


def tax_class(store: RealStore, sku: str) -> str:
    [product] = store_products_with_sku(store, sku)
    return str(product["tax_class"])


def test_a_tax_class_the_store_lacks_is_said_until_the_store_has_it(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    store = real_connection
    with store.api() as api:  # tax classes outlive a reset
        api.delete("/taxes/classes/luxury", params={"force": "true"})
    catalog_and_mapping(cli, tmp_path, CATALOG, MAPPING)

    first = export(cli)

    assert (tax_class(store, "RT-LUX"), tax_class(store, "RT-BREAD")) == ("", "reduced-rate")
    [warning] = first["warnings"]
    assert (
        warning.startswith("tax class 'luxury' does not exist in this store")
        and "RT-LUX" in warning
    )
    try:
        with store.api() as api:
            assert api.post("/taxes/classes", json={"name": "Luxury"}).status_code == 201
        store.mark()
        second = export(cli, "--partial")
        assert second["warnings"] == [] and tax_class(store, "RT-LUX") == "luxury"
        assert [r.path for r in store.write_requests()] == ["/wp-json/wc/v3/products/batch"]
        store.mark()
        export(cli, "--partial")
        assert store.write_requests() == []
    finally:
        with store.api() as api:
            api.delete("/taxes/classes/luxury", params={"force": "true"})
