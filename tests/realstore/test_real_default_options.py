"""A variable product's default options against a real WooCommerce store: WooCommerce 11 keeps a
global attribute's default as its term's slug and answers the slug (``dark-blue`` for "Dark
Blue"), a local one as sent. woosync sends them, reads the answer back in the catalog's terms (so
nothing is sent again and nothing comes back), takes a shop manager's change, and clears them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from realstore.realstore_support import RealStore, catalog_and_mapping, store_products_with_sku
from served_stores import cli_json as as_json

CATALOG = """
- sku: RD-TEE
  name: Default Tee
  type: variable
  attributes: {Size: [S, M, "L & XL"], Color: [Red, Dark Blue]}
  default_attributes: {Size: M, Color: Dark Blue}
  variations:
    - {sku: RD-TEE-S, attributes: {Size: S, Color: Red}, price: "20.00"}
    - {sku: RD-TEE-M, attributes: {Size: M, Color: Dark Blue}, price: "21.00"}
    - {sku: RD-TEE-L, attributes: {Size: "L & XL", Color: Red}, price: "22.00"}
"""
MAPPING = """
store: Real Store
export:
  selectedFields: [name, sku, price, Size, Color, default_attributes]
  fieldMappings: {Color: pa_rdcolor}
"""


def defaults(store: RealStore) -> list[tuple[bool, str, str]]:
    [product] = store_products_with_sku(store, "RD-TEE")
    return sorted(
        (bool(d["id"]), str(d["name"]), str(d["option"])) for d in product["default_attributes"]
    )


def test_default_options_go_out_read_back_come_in_and_clear(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    store = real_connection
    catalog_and_mapping(cli, tmp_path, CATALOG, MAPPING)

    first = as_json(cli("--json", "export", "--all"))
    assert first["failedCount"] == 0, first
    assert defaults(store) == [(False, "Size", "M"), (True, "Color", "dark-blue")]

    store.mark()
    again = as_json(cli("--json", "export", "--all", "--partial"))
    assert again["counts"]["updated"] == 0 and store.write_requests() == [], again
    back = as_json(cli("--json", "import", "--update-existing"))
    assert back["updatedCount"] == 0 and back["conflictCount"] == 0, back

    # a shop manager opens the page on Red, "L & XL"
    [product] = store_products_with_sku(store, "RD-TEE")
    color = next(a["id"] for a in product["attributes"] if a["id"])
    with store.api() as api:
        changed = api.put(
            f"/products/{product['id']}",
            json={
                "default_attributes": [
                    {"name": "Size", "option": "L & XL"},
                    {"id": color, "option": "Red"},
                ]
            },
        )
        assert changed.status_code == 200, changed.text
    taken = as_json(cli("--json", "import", "--update-existing"))
    [tee] = [p for p in taken["products"] if p["sku"] == "RD-TEE"]
    assert tee["changedFields"] == ["default_attributes"], taken
    shown = as_json(cli("--json", "products", "show", "RD-TEE"))
    assert shown["default_attributes"] == {"Size": "L & XL", "Color": "Red"}
    store.mark()
    assert as_json(cli("--json", "export", "--all", "--partial"))["counts"]["updated"] == 0
    assert store.write_requests() == []

    # a term renamed in the store keeps its slug (WordPress): the default follows the rename
    with store.api() as api:
        terms = api.get(f"/products/attributes/{color}/terms").json()
        [red] = [t for t in terms if t["name"] == "Red"]
        renamed = api.put(f"/products/attributes/{color}/terms/{red['id']}", json={"name": "Ruby"})
        assert renamed.status_code == 200 and renamed.json()["slug"] == "red", renamed.text
    as_json(cli("--json", "import", "--update-existing"))
    shown = as_json(cli("--json", "products", "show", "RD-TEE"))
    assert shown["default_attributes"] == {"Size": "L & XL", "Color": "Ruby"}
    again = as_json(cli("--json", "import", "--update-existing"))
    assert again["updatedCount"] == 0, again

    # emptied in the catalog: cleared in the store
    assert cli("products", "edit", "RD-TEE", "--default", "Size=").exit_code == 0
    cleared = as_json(cli("--json", "export", "--all", "--partial"))
    assert cleared["counts"]["updated"] == 1, cleared
    assert defaults(store) == []
