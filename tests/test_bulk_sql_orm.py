"""Rows written by the bulk paths are byte for byte the rows the ORM writes (``session.add`` +
commit): every column, as SQLite stores it (storage class and bytes), for every table written in
bulk (products: loads and imports; product_sync: imports and exports; store_refs: the export's
registry; connections: boolean columns)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from manual_clock import ManualClock
from woosync.db.bulk_sql import insert_many, upsert_many
from woosync.db.engine import Database, open_database
from woosync.db.models import Connection, Product, ProductSync, StoreRef
from woosync.services.export.records import SyncRow, write_syncs
from woosync.services.export.registry import IMAGE, StoreRegistry

NOW = datetime(2025, 12, 11, 10, 0, 0, 123000, tzinfo=UTC)  # woosync's clock reads milliseconds
WHOLE_SECOND = datetime(2025, 12, 11, 10, 0, 0, tzinfo=UTC)
ELSEWHERE = datetime(2025, 12, 11, 12, 0, 0, 5000, tzinfo=timezone(timedelta(hours=2)))
LATER = NOW + timedelta(minutes=5)

PRODUCTS: list[dict[str, Any]] = [
    {
        "sku": "PLAIN",
        "name": "Plain",
        "description": None,
        "status": None,
        "type": None,
        "price": None,
        "sale_price": None,
        "weight": None,
        "length": None,
        "width": None,
        "height": None,
        "stock_status": None,
        "categories": [],
        "tags": [],
        "images": [],
        "attributes": {},
        "custom_fields": {},
        "created_at": NOW,
        "updated_at": NOW,
    },
    {
        "sku": "GR\u00dcN-\u2603",
        "name": "Gr\u00fcner Tee \u2014 \u65e5\u672c \U0001f375",
        "description": '<p>Caf\u00e9 & "Bar"</p>\n\ttab',
        "status": "publish",
        "type": "variable",
        "price": "10.50",
        "sale_price": "",
        "weight": "0.25",
        "length": "10",
        "width": "5",
        "height": "2",
        "stock_status": "instock",
        "categories": ["Tees & Tops", "Caf\u00e9"],
        "tags": ["\u2603"],
        "images": ["https://img.example/a b.jpg"],
        "attributes": {"COLOR": ["Gr\u00fcn", "Rot"], "Size": "M", "nested": {"a": [1, 2.5, None]}},
        "custom_fields": {"flag": True, "off": False, "none": None, "n": 7, "x": 1e-7},
        "created_at": WHOLE_SECOND,
        "updated_at": ELSEWHERE,
    },
]

SYNCS: list[dict[str, Any]] = [
    {
        "connection_id": 1,
        "product_id": 1,
        "woo_product_id": 0,
        "last_exported_at": None,
        "last_imported_at": None,
        "last_modified_fields": None,
        "sync_status": "pending",
        "error_message": None,
        "exported_values": {},
        "store_attributes": None,
        "created_at": NOW,
        "updated_at": NOW,
        "store_echoes": None,
        "image_sources": None,
        "conflicts": None,
    },
    {
        "connection_id": 1,
        "product_id": 2,
        "woo_product_id": 501,
        "last_exported_at": ELSEWHERE,
        "last_imported_at": WHOLE_SECOND,
        "last_modified_fields": ["name", "COLOR", "Gr\u00f6\u00dfe"],
        "sync_status": "error",
        "error_message": 'woocommerce_rest_error: "bad" \u2013 image',
        "exported_values": {"name": "e9ad5c1d7b72c6bb", "attribute:COLOR": "1d8cff350e4571b8"},
        "store_attributes": [{"id": 0, "name": "Gr\u00f6\u00dfe", "options": [], "visible": True}],
        "created_at": NOW,
        "updated_at": NOW,
        "store_echoes": {"description": "0123456789abcdef"},
        "image_sources": {"31": "https://img.example/a.jpg"},
        "conflicts": {"regular_price": {"field": "price", "catalog": "12", "store": "13.5"}},
    },
]

REFS = {
    (IMAGE, "https://img.example/a.jpg"): 11,
    ("category", "Tees & Tops"): 12,
    ("term:pa_color", "Gr\u00fcn \u2603"): 13,
}


def stored(db: Database, table: str) -> list[tuple[Any, ...]]:
    """Every row, each column as (storage class, bytes in hex)."""
    with sqlite3.connect(db.path) as conn:
        columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
        kinds = ", ".join(f"typeof({name}), hex({name})" for name in columns)
        return list(conn.execute(f"SELECT {kinds} FROM {table} ORDER BY id"))


def text_of(db: Database, table: str, column: str) -> list[Any]:
    with sqlite3.connect(db.path) as conn:
        return [row[0] for row in conn.execute(f"SELECT {column} FROM {table} ORDER BY id")]


def add_products(db: Database) -> None:
    with db.session() as session:
        for row in PRODUCTS:
            session.add(Product(**row))


def test_products_inserted_in_bulk_are_the_orms(db_pair: tuple[Database, Database]) -> None:
    orm, bulk = db_pair
    add_products(orm)
    with bulk.session() as session:
        insert_many(session, Product.__table__, PRODUCTS)  # type: ignore[attr-defined]
    assert stored(bulk, "products") == stored(orm, "products")
    # what the comparison is about: SQLAlchemy's datetime text (UTC, microseconds, no offset)
    assert text_of(bulk, "products", "updated_at") == [
        "2025-12-11 10:00:00.123000",
        "2025-12-11 10:00:00.005000",
    ]
    assert text_of(bulk, "products", "created_at")[1] == "2025-12-11 10:00:00.000000"


def test_sync_records_upserted_in_bulk_are_the_orms(db_pair: tuple[Database, Database]) -> None:
    orm, bulk = db_pair
    for each in db_pair:
        add_products(each)
    with orm.session() as session:
        for row in SYNCS:
            session.add(ProductSync(**row))
    table: Any = ProductSync.__table__  # type: ignore[attr-defined]
    with bulk.session() as session:
        upsert_many(session, table, SYNCS, conflict=("connection_id", "product_id"))
    assert stored(bulk, "product_sync") == stored(orm, "product_sync")
    assert text_of(bulk, "product_sync", "store_attributes")[0] == "null"  # JSON null, as the ORM

    # an existing record changed: the ORM's update and the upsert's update store the same
    changes = {"sync_status": "synced", "error_message": None, "last_imported_at": LATER}
    with orm.session() as session:
        record = session.get(ProductSync, 2)
        assert record is not None
        for name, value in {**changes, "updated_at": LATER}.items():
            setattr(record, name, value)
    with bulk.session() as session:
        upsert_many(
            session,
            table,
            [{**SYNCS[1], **changes, "created_at": LATER, "updated_at": LATER}],
            conflict=("connection_id", "product_id"),
            keep=("created_at",),
        )
    assert stored(bulk, "product_sync") == stored(orm, "product_sync")


def test_export_sync_records_are_the_orms(
    db_pair: tuple[Database, Database], clock: ManualClock
) -> None:
    orm, bulk = db_pair
    for each in db_pair:
        add_products(each)
    clock.set(NOW)
    rows = [
        SyncRow(
            product_id=row["product_id"],
            woo_product_id=row["woo_product_id"],
            sync_status=row["sync_status"],
            error_message=row["error_message"],
            last_exported_at=row["last_exported_at"],
            last_modified_fields=row["last_modified_fields"],
            exported_values=row["exported_values"],
            store_attributes=row["store_attributes"],
            store_echoes=row["store_echoes"],
            image_sources=row["image_sources"],
            conflicts=row["conflicts"],
        )
        for row in SYNCS
    ]
    with bulk.session() as session:
        write_syncs(session, 1, rows)
    with orm.session() as session:
        for row in SYNCS:
            session.add(ProductSync(**{**row, "last_imported_at": None}))
    assert stored(bulk, "product_sync") == stored(orm, "product_sync")


def test_registry_rows_are_the_orms(db_pair: tuple[Database, Database], clock: ManualClock) -> None:
    orm, bulk = db_pair
    clock.set(ELSEWHERE)
    registry = StoreRegistry(1)
    for (kind, key), woo_id in REFS.items():
        registry.remember(kind, key, woo_id)
    with bulk.session() as session:
        assert registry.flush(session) == len(REFS)
    with orm.session() as session:
        for (kind, key), woo_id in REFS.items():
            kind = "category_path" if kind == "category" else kind  # categories are stored as paths
            session.add(
                StoreRef(connection_id=1, kind=kind, key=key, woo_id=woo_id, created_at=ELSEWHERE)
            )
    assert stored(bulk, "store_refs") == stored(orm, "store_refs")
    assert set(text_of(bulk, "store_refs", "created_at")) == {"2025-12-11 10:00:00.005000"}


def test_boolean_columns_inserted_in_bulk_are_the_orms(tmp_path: Path) -> None:
    orm, bulk = open_database(tmp_path / "orm.db"), open_database(tmp_path / "bulk.db")
    rows: list[dict[str, Any]] = [
        {
            "store_name": name,
            "store_url": f"https://{n}.test",
            "is_active": n % 2 == 0,
            "is_default": n == 1,
            "verify_tls": n != 2,
            "ca_bundle": None if n else "/etc/ssl/\u00e9.pem",
            "last_synced_at": None if n else ELSEWHERE,
            "created_at": NOW,
            "updated_at": WHOLE_SECOND,
        }
        for n, name in enumerate(["Retail", "Gro\u00dfhandel \u2603", "Outlet"])
    ]
    with orm.session() as session:
        for row in rows:
            session.add(Connection(**row))
    with bulk.session() as session:
        insert_many(session, Connection.__table__, rows)  # type: ignore[attr-defined]
    assert stored(bulk, "connections") == stored(orm, "connections")
    assert text_of(bulk, "connections", "is_active") == [1, 0, 1]
    for each in (orm, bulk):
        each.dispose()
