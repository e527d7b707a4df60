"""sync-status after exporting a variable product: a record per variation carrying its store
variation id and its parent's product id; simple products keep their JSON; the table nests a
variation under its product."""

from __future__ import annotations

import json
from typing import Any

from test_variation_export import export, shop, store_parent

__all__ = ["shop"]  # the fixture, used by name


def test_sync_status_has_a_record_per_variation(cli: Any, shop: Any) -> None:
    sandbox, conn = shop
    export(cli, conn)

    result = cli("--json", "sync-status", "-c", str(conn))

    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    listed = json.loads(cli("--json", "products", "list", "--all").stdout)
    products = {p["sku"]: p for p in listed}
    products |= {v["sku"]: v for p in listed for v in p.get("variations") or ()}
    records = {r["productId"]: r for r in data["records"]}
    parent = store_parent(sandbox)
    held = {v["sku"]: v["id"] for v in sandbox.variations(parent["id"])}
    assert len(held) == 3
    for sku, woo_id in held.items():
        record = records[products[sku]["id"]]
        assert record["wooVariationId"] == woo_id
        assert record["wooProductId"] == parent["id"]  # /products/{parent}/variations/{id}
        assert record["parentProductId"] == products["TEE"]["id"]
        assert record["syncStatus"] == "synced"
    for simple in ("TEE", "MUG"):  # the parent and a simple product: the spec's keys only
        record = records[products[simple]["id"]]
        assert "wooVariationId" not in record and "parentProductId" not in record
    assert records[products["TEE"]["id"]]["wooProductId"] == parent["id"]
    assert data["summary"]["synced"] == 5


def test_the_matrix_nests_variations_under_their_product(cli: Any, shop: Any) -> None:
    _sandbox, conn = shop
    export(cli, conn)

    table = cli("sync-status", "-c", str(conn))
    csv = cli("sync-status", "-c", str(conn), "--format", "csv")

    assert table.exit_code == 0, table.stderr
    skus = [line.split("\t")[1] for line in table.stdout.splitlines()[1:] if "\t" in line]
    assert skus[:4] == ["TEE", "  TEE-S-RED", "  TEE-M-RED", "  TEE-L-BLUE"]
    assert "MUG" in skus
    assert ",TEE-S-RED," in csv.stdout and ",  TEE" not in csv.stdout  # csv: the SKU as it is
