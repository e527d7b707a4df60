"""A tax class or shipping class the store does not have: WooCommerce drops it from the write
without a word (checked on a real store: the product answers "" and is taxed at the standard
rate). The export says so, names the products, and sends the value again until the store takes
it; a class the store has (by slug or name) is taken and said nothing about."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from test_export_support import set_mapping
from woosync.db.engine import open_database
from woosync.sandbox import SandboxStore
from woosync.services.connections.records import create_connection

CATALOG = """
- {sku: LUX-1, name: Watch, price: "900.00", customFields: {taxClass: luxury}}
- {sku: LUX-2, name: Ring, price: "500.00", customFields: {taxClass: luxury}}
- {sku: FOOD-1, name: Bread, price: "2.00", customFields: {taxClass: Reduced rate}}
"""


TEE = """
- sku: TEE
  name: Tee
  attributes: {Size: [S, M]}
  variations:
    - {sku: TEE-S, attributes: {Size: S}, price: "9.00", customFields: {taxClass: kids}}
    - {sku: TEE-M, attributes: {Size: M}, price: "9.00", customFields: {taxClass: zero-rate}}
"""


@contextlib.contextmanager
def served(
    cli: Any, db_path: Path, tmp_path: Path, catalog: str, selected: list[str]
) -> Iterator[tuple[SandboxStore, int]]:
    """``catalog`` loaded, and a sandbox store served as a connection whose mapping sends the
    custom field taxClass to ``tax_class``, with ``selected``."""
    (tmp_path / "catalog.yaml").write_text(catalog)
    assert cli("products", "load", str(tmp_path / "catalog.yaml")).exit_code == 0
    sandbox = SandboxStore(seed=11)
    db = open_database(db_path)
    with sandbox.serve() as url:
        key, secret = sandbox.create_key("read_write")
        conn = create_connection(db, name="Shop", url=url, consumer_key=key, consumer_secret=secret)
        set_mapping(db, conn.id, [*selected, "taxClass"], {"taxClass": "tax_class"})
        yield sandbox, conn.id
    db.dispose()


def export(cli: Any, conn: int, *extra: str) -> dict[str, Any]:
    result = cli("--json", "export", "-c", str(conn), "--all", *extra)
    assert result.exit_code == 0, result.stdout + result.stderr
    return dict(json.loads(result.stdout))


def tax_classes(sandbox: SandboxStore) -> dict[str, str]:
    return {p["sku"]: p["tax_class"] for p in sandbox.products.values()}


def test_a_tax_class_the_store_lacks_is_said_and_sent_again(
    cli: Any, db_path: Path, tmp_path: Path
) -> None:
    with served(cli, db_path, tmp_path, CATALOG, ["name", "sku", "price"]) as (sandbox, conn):
        first = export(cli, conn)
        classes = tax_classes(sandbox)
        sandbox.stats.reset()
        again = export(cli, conn, "--partial")

    assert classes == {"LUX-1": "", "LUX-2": "", "FOOD-1": "reduced-rate"}
    [warning] = first["warnings"]
    assert warning.startswith("tax class 'luxury' does not exist in this store")
    assert "LUX-1, LUX-2" in warning and "FOOD-1" not in warning
    assert sandbox.stats.items_updated == 2  # the two luxury products, nothing else
    assert again["warnings"] == [warning]


def test_a_variations_tax_class_the_store_lacks_is_said_too(
    cli: Any, db_path: Path, tmp_path: Path
) -> None:
    with served(cli, db_path, tmp_path, TEE, ["name", "sku", "price", "Size"]) as (sandbox, conn):
        first = export(cli, conn)
        sandbox.stats.reset()
        again = export(cli, conn, "--partial")

    [warning] = first["warnings"]
    assert (
        warning.startswith("tax class 'kids' does not exist in this store") and "TEE-S" in warning
    )
    assert "TEE-M" not in warning
    assert again["warnings"] == [warning] and sandbox.stats.items_updated == 1  # TEE-S again
