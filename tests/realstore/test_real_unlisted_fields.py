"""A WooCommerce field the catalog has no field for, sent from a custom field
(``short_description: short_description``), against a real WooCommerce store: a shop manager's
edit of it comes back into the custom field, and the partial export after it writes nothing
(before, the import took the edit as the base and that export sent the catalog's value back)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from realstore.realstore_support import RealStore, catalog_and_mapping, store_products_with_sku
from served_stores import cli_json as as_json

CATALOG = """
- sku: RU-COURSE
  name: Course
  price: "49.00"
  customFields: {short_description: Learn it, note: Thanks}
"""
MAPPING = """
store: Real Store
export:
  selectedFields: [name, sku, price, short_description, note]
  fieldMappings: {short_description: short_description, note: purchase_note}
"""


def test_a_store_edit_of_a_field_sent_from_a_custom_field_comes_back(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    store = real_connection
    catalog_and_mapping(cli, tmp_path, CATALOG, MAPPING)
    as_json(cli("--json", "export", "--all"))
    [course] = store_products_with_sku(store, "RU-COURSE")
    with store.api() as api:
        edit = {"short_description": "Learn it well", "purchase_note": "Enjoy & share"}
        assert api.put(f"/products/{course['id']}", json=edit).status_code == 200

    taken = as_json(cli("--json", "import", "--update-existing"))

    assert taken["updatedCount"] == 1, taken
    fields = as_json(cli("--json", "products", "show", "RU-COURSE"))["customFields"]
    # WooCommerce keeps a short description as HTML: it answers it in a paragraph
    assert fields["short_description"].strip() in ("Learn it well", "<p>Learn it well</p>")
    assert fields["note"] == "Enjoy & share"
    store.mark()
    as_json(cli("--json", "export", "--all", "--partial"))
    assert store.write_requests() == []
    assert as_json(cli("--json", "import", "--update-existing"))["updatedCount"] == 0
