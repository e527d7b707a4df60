"""A category, tag or global attribute deleted in a real store: WooCommerce 11 drops an id it
does not know from a write without a word (the product lands in Uncategorized, the tag and the
attribute are gone), so woosync checks the ids it keeps before sending them and makes again
what was deleted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from realstore.realstore_support import RealStore, store_products_with_sku

CATALOG = """
- {sku: RT-MUG-1, name: First Mug, categories: ["Kitchen > Mugs"], tags: [gift], attributes: {COLOR: Red}}
"""
MORE = """
- {sku: RT-MUG-2, name: Second Mug, categories: ["Kitchen > Mugs"], tags: [gift], attributes: {COLOR: Red}}
"""
MAPPING = """
store: Real Store
export:
  selectedFields: [name, sku, categories, tags, COLOR]
  fieldMappings: {COLOR: pa_color}
"""


def export(cli: Any) -> dict[str, Any]:
    result = cli("--json", "export", "--all", "--partial")
    assert result.exit_code == 0, result.stdout + result.stderr
    return dict(json.loads(result.stdout))


def test_what_was_deleted_in_the_store_is_made_again(
    cli: Any, real_connection: RealStore, tmp_path: Path
) -> None:
    store = real_connection
    for name, text in (("catalog.yaml", CATALOG), ("more.yaml", MORE), ("store.yaml", MAPPING)):
        (tmp_path / name).write_text(text)
    assert cli("products", "load", str(tmp_path / "catalog.yaml")).exit_code == 0
    assert cli("mappings", "apply", str(tmp_path / "store.yaml")).exit_code == 0
    export(cli)
    [first] = store_products_with_sku(store, "RT-MUG-1")
    mugs = {c["name"]: c["id"] for c in first["categories"]}["Mugs"]
    [gift] = first["tags"]
    [color] = first["attributes"]
    with store.api() as api:
        for path in (
            f"/products/categories/{mugs}",
            f"/products/tags/{gift['id']}",
            f"/products/attributes/{color['id']}",
        ):
            assert api.delete(path, params={"force": "true"}).status_code == 200

    assert cli("products", "load", str(tmp_path / "more.yaml")).exit_code == 0
    export(cli)

    [second] = store_products_with_sku(store, "RT-MUG-2")
    assert [c["name"] for c in second["categories"]] == ["Mugs"]  # not Uncategorized
    assert second["categories"][0]["id"] != mugs
    assert [t["name"] for t in second["tags"]] == ["gift"]
    assert [(a["slug"], a["options"]) for a in second["attributes"]] == [("pa_color", ["Red"])]
    with store.api() as api:
        made = api.get(f"/products/categories/{second['categories'][0]['id']}").json()
        kitchen = api.get(f"/products/categories/{made['parent']}").json()
    assert kitchen["name"] == "Kitchen"  # under the Kitchen that was kept
