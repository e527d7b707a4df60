"""The bulk writes of imports and loads store exactly what SQLAlchemy's own value processing stores.

``bulk_sql`` encodes JSON and datetime columns itself (cheaper per row); the reference here is
SQLAlchemy Core's ``session.execute(insert(table), rows)`` (the ORM's own comparison is in
``test_bulk_sql_orm.py``).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from woosync.db.bulk_sql import insert_many, upsert_many, write_many
from woosync.db.engine import Database
from woosync.db.models import Product, ProductSync, StoreRef
from woosync.services.connections.records import create_connection
from write_counter import rows_written

NOW = datetime(2025, 12, 11, 10, 0, 0, 123456, tzinfo=UTC)
WHOLE_SECOND = datetime(2025, 12, 11, 10, 0, 0, tzinfo=UTC)
ELSEWHERE = datetime(2025, 12, 11, 12, 0, 0, 5, tzinfo=timezone(timedelta(hours=2)))


def _product(n: int, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "sku": f"SKU-{n}",
        "name": f"Product {n}",
        "description": None,
        "status": "publish",
        "type": "simple",
        "price": "1.50",
        "sale_price": None,
        "weight": None,
        "length": None,
        "width": None,
        "height": None,
        "stock_status": "instock",
        "categories": [],
        "tags": [],
        "images": [],
        "attributes": {},
        "custom_fields": {},
        "created_at": NOW,
        "updated_at": NOW,
    }
    row.update(values)
    return row


PRODUCTS = [
    _product(1),
    _product(2, categories=["Caf\u00e9 & Bar"], tags=["a", "b"], images=["https://x.test/1.jpg"]),
    _product(3, attributes={"COLOR": ["Red", "Blue"], "Size": "M"}, custom_fields={"flag": True}),
    _product(4, created_at=WHOLE_SECOND, updated_at=ELSEWHERE),
    _product(5, attributes={"nested": {"a": [1, 2.5, None]}}, custom_fields={"\u2603": "snow"}),
]


def _sync(product_id: int, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "connection_id": 1,
        "product_id": product_id,
        "woo_product_id": 100 + product_id,
        "last_imported_at": NOW,
        "sync_status": "synced",
        "error_message": None,
        "exported_values": {"name": "0123456789abcdef"},
        "store_attributes": [],
        "created_at": NOW,
        "updated_at": NOW,
    }
    row.update(values)
    return row


SYNCS = [
    _sync(1),
    _sync(2, exported_values={}, store_attributes=None, last_imported_at=None),
    _sync(3, store_attributes=[{"id": 1, "name": "Color", "options": ["Red"]}]),
    _sync(4, last_imported_at=ELSEWHERE, updated_at=WHOLE_SECOND),
]


def _reference_insert(db: Database, table: Any, rows: list[dict[str, Any]]) -> None:
    """What SQLAlchemy itself stores (its processors as the dialect implements each type)."""
    from sqlalchemy import insert

    with db.session() as session:
        session.execute(insert(table), rows)


def _stored(path: Path, table: str) -> list[tuple[Any, ...]]:
    """Every row with each value's SQLite storage class (text vs NULL matters, not just equality)."""
    with sqlite3.connect(path) as conn:
        columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
        kinds = ", ".join(f"{name}, typeof({name})" for name in columns)
        return conn.execute(f"SELECT {kinds} FROM {table} ORDER BY id").fetchall()


def test_insert_many_stores_what_sqlalchemy_stores(db_pair: tuple[Database, Database]) -> None:
    fast, reference = db_pair
    table: Any = Product.__table__  # type: ignore[attr-defined]
    with fast.session() as session:
        insert_many(session, table, PRODUCTS)
    _reference_insert(reference, table, PRODUCTS)
    stored = _stored(fast.path, "products")
    assert stored == _stored(reference.path, "products")
    # the figures behind the comparison: empty JSON as text, aware datetimes as UTC text in
    # SQLAlchemy's SQLite format (microseconds always, no offset)
    assert "[]" in stored[0] and "{}" in stored[0]
    assert "2025-12-11 10:00:00.123456" in stored[0]
    assert "2025-12-11 10:00:00.000000" in stored[3]  # a whole second
    assert "2025-12-11 10:00:00.000005" in stored[3]  # 12:00+02:00 stored in UTC


def test_upsert_many_stores_what_sqlalchemy_stores(db_pair: tuple[Database, Database]) -> None:
    fast, reference = db_pair
    products: Any = Product.__table__  # type: ignore[attr-defined]
    syncs: Any = ProductSync.__table__  # type: ignore[attr-defined]
    for each in db_pair:
        with each.session() as session:
            insert_many(session, products, PRODUCTS)
    with fast.session() as session:
        upsert_many(session, syncs, SYNCS, conflict=("connection_id", "product_id"))
    _reference_insert(reference, syncs, SYNCS)
    assert _stored(fast.path, "product_sync") == _stored(reference.path, "product_sync")
    stored = _stored(fast.path, "product_sync")
    assert "null" in stored[1]  # a JSON column's None is the JSON text null, not SQL NULL


def test_upsert_updates_the_given_columns_and_keeps_the_kept_ones(
    db_pair: tuple[Database, Database],
) -> None:
    db = db_pair[0]
    products: Any = Product.__table__  # type: ignore[attr-defined]
    syncs: Any = ProductSync.__table__  # type: ignore[attr-defined]
    later = NOW + timedelta(hours=1)
    with db.session() as session:
        insert_many(session, products, PRODUCTS[:2])
        upsert_many(session, syncs, [_sync(1), _sync(2)], conflict=("connection_id", "product_id"))
    with db.session() as session:
        upsert_many(
            session,
            syncs,
            [_sync(1, created_at=later, updated_at=later, exported_values={"sku": "x"})],
            conflict=("connection_id", "product_id"),
            keep=("created_at",),
        )
        rows = session.execute(
            text("SELECT product_id, exported_values, created_at, updated_at FROM product_sync")
        ).all()
    assert [tuple(row) for row in rows] == [
        (1, '{"sku": "x"}', "2025-12-11 10:00:00.123456", "2025-12-11 11:00:00.123456"),
        (2, '{"name": "0123456789abcdef"}', *["2025-12-11 10:00:00.123456"] * 2),
    ]


def test_a_naive_datetime_is_refused_as_before(db_pair: tuple[Database, Database]) -> None:
    db = db_pair[0]
    products: Any = Product.__table__  # type: ignore[attr-defined]
    with pytest.raises(Exception, match="timezone"), db.session() as session:
        insert_many(session, products, [_product(1, created_at=NOW.replace(tzinfo=None))])


def test_changed_only_leaves_rows_holding_the_values_unwritten(
    db_pair: tuple[Database, Database],
) -> None:
    db = db_pair[0]
    refs: Any = StoreRef.__table__  # type: ignore[attr-defined]
    columns = ("connection_id", "kind", "key", "woo_id", "created_at")
    create_connection(
        db,
        name="S",
        url="https://s.example",
        consumer_key="ck_" + "1" * 40,
        consumer_secret="cs_" + "2" * 40,
    )
    with db.session() as session:
        write_many(session, refs, columns, [(1, "image", "a.png", 5, NOW)])
    again = [(1, "image", "a.png", 5, NOW), (1, "image", "b.png", 6, NOW)]
    with rows_written(db.path) as written, db.session() as session:
        write_many(
            session,
            refs,
            columns,
            again,
            conflict=columns[:3],
            keep=("created_at",),
            changed_only=True,
        )
    assert written == Counter({("store_refs", "INSERT"): 1})  # a.png held 5 already
    moved = [(1, "image", "a.png", 7, NOW + timedelta(hours=1))]
    with rows_written(db.path) as written, db.session() as session:
        write_many(
            session,
            refs,
            columns,
            moved,
            conflict=columns[:3],
            keep=("created_at",),
            changed_only=True,
        )
    assert written == Counter({("store_refs", "UPDATE"): 1})
    with db.session() as session:
        rows = session.execute(text("SELECT key, woo_id, created_at FROM store_refs ORDER BY key"))
        assert [tuple(row) for row in rows] == [
            ("a.png", 7, "2025-12-11 10:00:00.123456"),  # created_at kept
            ("b.png", 6, "2025-12-11 10:00:00.123456"),
        ]
