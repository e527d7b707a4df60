"""A store product without a SKU that has the name of a catalog product (a store the shop ran
before woosync, the SKU never filled in): the import skips it, as every product without a SKU,
and says that an export would create the catalog's product beside it. Through the CLI against
two served sandbox stores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from served_stores import cli_json, served_stores
from woosync.woo import WooClient


def test_a_store_product_without_a_sku_named_as_a_catalog_product_is_named(
    cli: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with served_stores(db_path, monkeypatch, count=2) as (_db, stores, _urls):
        first, second = stores
        for store, sku in ((first, "MUG-1"), (second, "")):
            key, secret = store.create_key("read_write")
            with WooClient(store.home, key, secret, max_retries=0) as client:
                client.post("/products/batch", {"create": [
                    {"sku": sku, "name": "Classic Mug", "regular_price": "12.00"},
                    {"sku": "", "name": "Gift Card", "regular_price": "25.00"},
                ]})  # fmt: skip
        cli_json(cli("--json", "import", "--connection", "1"))
        done = cli("--json", "import", "--connection", "2")
        shown = cli_json(done)
        assert shown["counts"]["skipped"] == 2
        warning = next(w for w in shown["warnings"] if "have the name of a catalog product" in w)
        assert "'Classic Mug', like MUG-1" in warning and "Gift Card" not in warning
        assert "--connection 2" in warning
        assert "have the name of a catalog product" in done.stderr
