"""``sync-status`` streamed: the same bytes whatever the chunk size, for every output and filter.

The expected outputs in ``tests/fixtures/sync_status/`` were written by the command before it read
its records by group ranges (one sorted query over the whole store per chunk): the order (each
variation right after its parent, even when its id comes much later), the exclusions, the
conflicts and the several-store envelope must stay byte for byte what they were.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest

from woosync.db.engine import Database, open_database
from woosync.db.models import Connection, Product, ProductExclusion, ProductSync

EXPECTED = Path(__file__).parent / "fixtures" / "sync_status"
WHEN = datetime(2025, 12, 11, 10, 30, 15, 123456, tzinfo=UTC)
LATER = datetime(2025, 12, 12, 8, 0, tzinfo=UTC)

# (file name, command line) of every output compared
OUTPUTS = [
    ("retail.json", ["--json", "sync-status", "-c", "Retail"]),
    ("all.json", ["sync-status", "-c", "all", "--json"]),
    ("retail.txt", ["sync-status", "-c", "Retail", "--all"]),
    ("all.txt", ["sync-status", "-c", "all"]),
    ("all.csv", ["sync-status", "-c", "all", "--format", "csv"]),
    ("all.yaml", ["sync-status", "-c", "all", "--format", "yaml"]),
    ("excluded.json", ["sync-status", "-c", "Retail", "--status", "excluded", "--json"]),
    ("error.txt", ["sync-status", "-c", "all", "--status", "error"]),
    ("variation.json", ["sync-status", "-c", "Retail", "--product", "108,205", "--json"]),
    ("sku.json", ["sync-status", "-c", "all", "--sku", "var-101-s,SKU-104", "--json"]),
    ("conflicts.txt", ["sync-status", "-c", "Retail", "--conflicts"]),
    ("conflicts.json", ["sync-status", "-c", "all", "--conflicts", "--json"]),
    ("wholesale-ids.txt", ["sync-status", "-c", "Wholesale", "--format", "ids"]),
]


def _sync(connection: int, product: int, status: str = "synced", **values: Any) -> ProductSync:
    given: dict[str, Any] = {
        "woo_product_id": 1000 + product,
        "last_exported_at": WHEN,
        "last_modified_fields": ["name", "price"],
        "created_at": WHEN,
        "updated_at": LATER,
        **values,
    }
    return ProductSync(connection_id=connection, product_id=product, sync_status=status, **given)


@pytest.fixture
def db(db_path: Path) -> Database:
    """Two stores; a variable product (101) whose variations come last (205, 206) and one
    (108) whose variation (207) has a record in Retail when it has none; a product excluded by
    hand, one deleted from the store (no record left), one in error, one with a conflict, one
    only in Wholesale."""
    db = open_database(db_path)
    with db.session() as session:
        session.add_all(
            [
                Connection(
                    store_name="Retail", store_url="https://retail.example", is_default=True
                ),
                Connection(store_name="Wholesale", store_url="https://wholesale.example"),
            ]
        )
        session.flush()
        session.add(Product(id=101, sku="VAR-101", name="Tee", type="variable", price="10.00"))
        for number in range(102, 109):
            session.add(
                Product(id=number, sku=f"SKU-{number}", name=f"Product {number}", price="5.00")
            )
        session.flush()
        session.add_all(
            [
                Product(id=205, sku="VAR-101-S", name="Tee - S", type="variation", parent_id=101),
                Product(id=206, sku="VAR-101-M", name="Tee - M", type="variation", parent_id=101),
                Product(id=207, sku="SKU-108-X", name="Odd - X", type="variation", parent_id=108),
            ]
        )
        session.flush()
        conflict = {"regular_price": {"field": "price", "catalog": "4.00", "store": "6.50"}}
        session.add_all(
            [
                _sync(1, 101),
                _sync(1, 102, last_imported_at=LATER, last_modified_fields=None),
                _sync(1, 103, "error", error_message="Failed: \u00e9t\u00e9 <b>bad</b>"),
                _sync(1, 104),  # excluded by hand below
                _sync(1, 106, conflicts=conflict),
                _sync(1, 107, "pending", woo_product_id=0),
                _sync(1, 205),
                _sync(1, 206, "error", error_message="no such option"),
                _sync(1, 207),
                _sync(2, 102),
                _sync(2, 106, conflicts=conflict),
                _sync(2, 108, "pending"),
                _sync(2, 206),
            ]
        )
        session.add_all(
            [
                ProductExclusion(
                    connection_id=1, product_id=104, reason="excluded", created_at=WHEN
                ),
                ProductExclusion(
                    connection_id=1, product_id=105, reason="deleted", created_at=LATER
                ),
                ProductExclusion(
                    connection_id=2, product_id=103, reason="excluded", created_at=WHEN
                ),
            ]
        )
    return db


def _outputs(cli: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, args in OUTPUTS:
        result = cli(*args)
        assert result.exit_code == 0, (args, result.stderr)
        found[name] = result.stdout
    return found


@pytest.mark.parametrize("chunk", [1, 2, 3, 2000])
def test_every_output_is_byte_for_byte_the_same_at_any_chunk_size(
    db: Database, cli: Any, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    from woosync.services import sync_status

    monkeypatch.setattr(sync_status, "CHUNK", chunk)
    for name, text in _outputs(cli).items():
        assert text == (EXPECTED / name).read_text(encoding="utf-8"), name


def test_json_is_written_while_the_records_are_read(
    db: Database, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each chunk's records are on stdout before the next chunk is read: the command never holds
    the store's records (or their JSON) whole."""
    import io
    import sys

    from woosync.cli import render
    from woosync.services import sync_records, sync_status

    read = sync_records.read_syncs
    written: list[int] = []

    def spying(*args: Any) -> Any:
        sys.stdout.flush()
        written.append(cast(io.BytesIO, sys.stdout.buffer).getvalue().count(b'"productId"'))
        return read(*args)

    monkeypatch.setattr(sync_status, "CHUNK", 2)
    monkeypatch.setattr("woosync.services.sync_status.read_syncs", spying)
    monkeypatch.setattr(render, "_BLOCK", 1)
    result = cli("--json", "sync-status", "-c", "Retail")
    assert result.stdout == (EXPECTED / "retail.json").read_text(encoding="utf-8")
    assert written == sorted(written) and written[0] == 0 and written[-1] >= 8
