"""Names WooCommerce tells apart without regard to case: ``Red`` and ``red`` are one tag in a
store, ``Home > Décor`` and ``home > décor`` one category, ``mug-1`` and ``MUG-1`` one SKU. The
catalog keeps one of each (the first spelling), so what it holds is what a store can hold, and an
import right after an export finds nothing changed (before, it took the store's one category over
the catalog's two: an echo read as an edit)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from served_stores import cli_json, mapped_catalog, served_stores

CATALOG = """
- sku: MUG-1
  name: Mug
  price: "9.00"
  tags: [Red, red, RED, Blue]
  categories: ["Home > Décor", "home > décor", "Home>Décor", Kitchen]
  upsells: [tee-1, TEE-1]
- {sku: TEE-1, name: Tee, price: "20.00"}
"""
FIELDS = "name,sku,price,tags,categories,upsells"


def test_a_product_holds_each_tag_category_and_link_once_whatever_its_case(
    cli: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with served_stores(db_path, monkeypatch, count=1) as (_db, [store], _urls):
        mapped_catalog(cli, tmp_path, CATALOG, {"1": ["--fields", FIELDS]})
        shown = cli_json(cli("--json", "products", "show", "MUG-1"))
        assert shown["tags"] == ["Red", "Blue"]
        assert shown["categories"] == ["Home > Décor", "Kitchen"]
        assert shown["upsells"] == ["tee-1"]  # the first spelling; it links TEE-1

        cli_json(cli("--json", "export", "--all"))
        found = store.find_sku("MUG-1")
        assert found is not None
        assert [tag["name"] for tag in found["tags"]] == ["Blue", "Red"]  # listed by name
        assert found["upsell_ids"] == [store.find_sku("TEE-1")["id"]]  # type: ignore[index]
        taken = cli_json(cli("--json", "import", "--update-existing"))

        assert (taken["updatedCount"], taken["unchangedCount"]) == (0, 2), taken["products"]
        assert cli_json(cli("--json", "products", "show", "MUG-1")) == shown
