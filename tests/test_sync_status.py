"""``woosync sync-status`` and its service: the spec's *Get sync status* records plus counts by status."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from status_json import sync_status
from woosync.core.errors import NotFoundError, ValidationError
from woosync.db.engine import Database, open_database
from woosync.db.models import Connection, Product, ProductSync
from woosync.services.imports.bookmark import write_cursor

WHEN = datetime(2025, 12, 11, 10, 30, tzinfo=UTC)


@pytest.fixture
def db(db_path: Path) -> Database:
    db = open_database(db_path)
    with db.session() as session:
        retail = Connection(
            store_name="Retail", store_url="https://retail.example", is_default=True
        )
        wholesale = Connection(store_name="Wholesale", store_url="https://wholesale.example")
        session.add_all([retail, wholesale])
        session.flush()
        assert retail.id is not None and wholesale.id is not None
        for number in (101, 102, 103):
            session.add(Product(id=number, sku=f"SKU-{number}", name=f"Product {number}"))
        session.add_all(
            [
                ProductSync(
                    connection_id=retail.id,
                    product_id=101,
                    woo_product_id=456,
                    last_exported_at=WHEN,
                    last_modified_fields=["name", "sku", "price"],
                    sync_status="synced",
                    created_at=WHEN,
                    updated_at=WHEN,
                ),
                ProductSync(
                    connection_id=retail.id,
                    product_id=102,
                    woo_product_id=0,
                    sync_status="error",
                    error_message="Failed to create product in WooCommerce",
                    created_at=WHEN,
                    updated_at=WHEN,
                ),
                ProductSync(connection_id=retail.id, product_id=103, sync_status="pending"),
                ProductSync(
                    connection_id=wholesale.id,
                    product_id=101,
                    woo_product_id=9,
                    sync_status="synced",
                ),
            ]
        )
    return db


def test_records_have_the_spec_shape_and_summary_counts(db: Database) -> None:
    result = sync_status(db)  # the default connection: Retail
    assert result["connectionId"] == 1
    assert [r["productId"] for r in result["records"]] == [101, 102, 103]
    assert result["records"][0] == {
        "id": 1,
        "connectionId": 1,
        "productId": 101,
        "wooProductId": 456,
        "lastExportedAt": "2025-12-11T10:30:00.000Z",
        "lastImportedAt": None,
        "lastModifiedFields": ["name", "sku", "price"],
        "syncStatus": "synced",
        "errorMessage": None,
        "createdAt": "2025-12-11T10:30:00.000Z",
        "updatedAt": "2025-12-11T10:30:00.000Z",
    }
    assert result["summary"] == {"synced": 1, "pending": 1, "error": 1, "total": 3, "excluded": 0}
    assert result["importCursor"] is None


def test_filters_by_status_and_product_keep_the_summary_of_the_connection(db: Database) -> None:
    errors = sync_status(db, "Retail", status="ERROR")
    assert [r["productId"] for r in errors["records"]] == [102]
    assert errors["records"][0]["errorMessage"] == "Failed to create product in WooCommerce"
    assert errors["summary"]["total"] == 3
    one = sync_status(db, 2, product_id=101)
    assert [(r["connectionId"], r["wooProductId"]) for r in one["records"]] == [(2, 9)]
    assert one["summary"] == {"synced": 1, "pending": 0, "error": 0, "total": 1, "excluded": 0}
    assert sync_status(db, 2, product_id=102)["records"] == []


def test_bad_status_unknown_product_and_unknown_connection(db: Database) -> None:
    with pytest.raises(ValidationError, match="unknown sync status 'done'"):
        sync_status(db, status="done")
    with pytest.raises(NotFoundError, match="product 999"):
        sync_status(db, product_id=999)
    with pytest.raises(NotFoundError):
        sync_status(db, 42)


def test_the_import_bookmark_is_shown(db: Database) -> None:
    with db.session() as session:
        write_cursor(session, 1, WHEN)
    assert sync_status(db)["importCursor"] == "2025-12-11T10:30:00.000Z"


def test_cli_json_and_filters(db: Database, cli: Any) -> None:
    result = cli("--json", "sync-status", "--connection", "1", "--status", "error")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [r["productId"] for r in data["records"]] == [102]
    assert data["summary"] == {"synced": 1, "pending": 1, "error": 1, "total": 3, "excluded": 0}
    by_product = cli("sync-status", "--product", "101", "--json")
    assert [r["wooProductId"] for r in json.loads(by_product.stdout)["records"]] == [456]


def test_cli_human_output_and_errors(db: Database, cli: Any) -> None:
    result = cli("sync-status", "--connection", "Retail")
    assert result.exit_code == 0
    assert "Failed to create product in WooCommerce" in result.stdout
    assert "1 synced, 1 pending, 1 error (3 total)" in result.stdout
    assert "woosync export --connection 1 --retry-failed" in result.stdout
    assert result.stderr == ""
    bad = cli("sync-status", "--status", "broken")
    assert bad.exit_code == 2
    assert "unknown sync status 'broken'" in bad.stderr and bad.stdout == ""
    missing = cli("sync-status", "--connection", "77")
    assert missing.exit_code == 3 and "connection 77 not found" in missing.stderr
