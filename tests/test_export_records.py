"""The export's bulk paths: writes go to the driver as plain tuples and must be byte for byte what
SQLAlchemy's own insert would have written (JSON text, datetime text, NULLs), upserts included;
field values are read as catalog.field_value reads them (the collector's thresholds during a run:
test_gc_tuning.py)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from manual_clock import ManualClock
from woosync.db.engine import Database, open_database
from woosync.db.models import ProductSync, StoreRef
from woosync.services.export.records import SyncRow, write_syncs
from woosync.services.export.registry import IMAGE, StoreRegistry

NOW = datetime(2025, 12, 11, 10, 0, 0, 123000, tzinfo=UTC)  # woosync's clock reads milliseconds
LATER = NOW + timedelta(minutes=5)

ROWS = [
    SyncRow(product_id=1, woo_product_id=0, sync_status="pending"),
    SyncRow(
        product_id=2,
        woo_product_id=501,
        sync_status="synced",
        last_exported_at=datetime(2025, 12, 11, 11, 30, 0, 5, tzinfo=timezone(timedelta(hours=1))),
        last_modified_fields=["name", "sku", "COLOR"],
        exported_values={"name": "e9ad5c1d7b72c6bb", "attribute:COLOR": "1d8cff350e4571b8"},
        store_attributes=[
            {"id": 0, "name": "Größe & Farbe", "options": ["Rot", "Blau"], "visible": True}
        ],
        store_echoes={"description": "0123456789abcdef"},
        image_sources={"31": "https://img.example/ä.jpg"},
        conflicts={"regular_price": {"field": "price", "catalog": "12", "store": "13.5"}},
    ),
    SyncRow(
        product_id=3,
        woo_product_id=0,
        sync_status="error",
        error_message='woocommerce_product_image_upload_error: "bad" – image',
        last_modified_fields=[],
        store_attributes=[],
    ),
]


def dump(db: Database, table: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db.path) as conn:
        return list(conn.execute(f"SELECT * FROM {table} ORDER BY id"))


def reference_sync_upsert(db: Database, rows: list[SyncRow], now: datetime) -> None:
    """What write_syncs used to do: SQLAlchemy's insert ... on conflict do update."""
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    table: Any = ProductSync.__table__  # type: ignore[attr-defined]
    statement = sqlite_insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=["connection_id", "product_id"],
        set_={
            name: statement.excluded[name]
            for name in (
                "woo_product_id",
                "sync_status",
                "error_message",
                "last_exported_at",
                "last_modified_fields",
                "exported_values",
                "store_attributes",
                "updated_at",
                "store_echoes",
                "image_sources",
                "conflicts",
            )
        },
    )
    values = [
        {
            "connection_id": 1,
            "product_id": row.product_id,
            "woo_product_id": row.woo_product_id,
            "sync_status": row.sync_status,
            "error_message": row.error_message,
            "last_exported_at": row.last_exported_at,
            "last_modified_fields": row.last_modified_fields,
            "exported_values": row.exported_values,
            "store_attributes": row.store_attributes,
            "created_at": now,
            "updated_at": now,
            "store_echoes": row.store_echoes,
            "image_sources": row.image_sources,
            "conflicts": row.conflicts,
        }
        for row in rows
    ]
    with db.session() as session:
        session.execute(statement, values)


def test_sync_rows_are_byte_identical_to_sqlalchemys(
    db_pair: tuple[Database, Database], clock: ManualClock
) -> None:
    fast, reference = db_pair
    clock.set(NOW)
    with fast.session() as session:
        write_syncs(session, 1, ROWS)
    reference_sync_upsert(reference, ROWS, NOW)
    assert dump(fast, "product_sync") == dump(reference, "product_sync")
    assert dump(fast, "product_sync")[1][4] == "2025-12-11 10:30:00.000005"  # in UTC, as text

    # the upsert: the same rows again, changed; created_at stays, the rest is replaced
    changed = [
        SyncRow(product_id=1, woo_product_id=77, sync_status="synced", exported_values={"a": "b"}),
        ROWS[2],
        SyncRow(product_id=4, woo_product_id=9, sync_status="pending"),
    ]
    clock.set(LATER)
    with fast.session() as session:
        write_syncs(session, 1, changed)
    reference_sync_upsert(reference, changed, LATER)
    rows = dump(fast, "product_sync")
    assert rows == dump(reference, "product_sync")
    assert [row[2] for row in rows] == [1, 2, 3, 4] and rows[0][3] == 77


def row_kind(kind: str) -> str:
    """Categories are stored as paths (kind ``category_path``), the rest under their kind."""
    return "category_path" if kind == "category" else kind


def test_registry_rows_are_byte_identical_to_sqlalchemys(
    db_pair: tuple[Database, Database], clock: ManualClock
) -> None:
    fast, reference = db_pair
    clock.set(NOW)
    refs = {
        (IMAGE, "https://img.example/a.jpg"): 11,
        ("category", "Tees & Tops"): 12,
        ("term:pa_color", "Grün"): 13,
    }
    learnt = StoreRegistry(1)
    for (kind, key), woo_id in refs.items():
        learnt.remember(kind, key, woo_id)
    with fast.session() as session:
        assert learnt.flush(session) == 3
    table: Any = StoreRef.__table__  # type: ignore[attr-defined]
    with reference.session() as session:
        session.execute(
            insert(table),
            [
                {"connection_id": 1, "kind": row_kind(k), "key": key, "woo_id": woo_id}
                | {"created_at": NOW}
                for (k, key), woo_id in refs.items()
            ],
        )
    assert dump(fast, "store_refs") == dump(reference, "store_refs")

    # a ref learnt again with another id replaces the id only
    with fast.session() as session:
        again = StoreRegistry.load(session, 1)
    again.remember(IMAGE, "https://img.example/a.jpg", 21)
    clock.set(LATER)
    with fast.session() as session:
        assert again.flush(session) == 1
    rows = dump(fast, "store_refs")
    assert rows[0][4] == 21 and rows[0][5] == dump(reference, "store_refs")[0][5]


def test_field_readers_read_what_field_value_reads(tmp_path: Path) -> None:
    """The per-run readers of the export give what catalog.field_value gives, for every kind of
    field name (standard scalar, list, dimensions, attribute, custom field, unknown)."""
    from sqlalchemy import select

    from woosync.db.models import Product
    from woosync.services.catalog.reading import field_value
    from woosync.services.export.records import product_columns
    from woosync.services.export.select import field_readers

    names = [
        "name",
        "sku",
        "price",
        "weight",
        "images",
        "categories",
        "tags",
        "dimensions",
        "COLOR",
        "attribute:COLOR",
        "wholesale",
        "custom:wholesale",
        "missing",
    ]
    db = open_database(tmp_path / "readers.db")
    with db.session() as session:
        session.add(
            Product(
                sku="A",
                name="Tee & co",
                price="10.00",
                weight=None,
                images=["https://img.example/a.jpg"],
                categories=["Tees"],
                length="10",
                attributes={"COLOR": ["Red", "Blue"]},
                custom_fields={"wholesale": 7.5},
            )
        )
        session.add(Product(sku="B", name="Bare"))
    with db.session() as session:
        table: Any = Product.__table__  # type: ignore[attr-defined]
        columns = [table.c[name] for name in product_columns(names)]
        rows: list[Any] = list(session.execute(select(*columns).order_by(table.c.id)))
    readers = field_readers(names)
    for row in rows:
        assert {n: readers[n](row) for n in names} == {n: field_value(row, n) for n in names}
    assert readers["dimensions"](rows[0]) == {"length": "10", "width": None, "height": None}
    db.dispose()


def test_the_pending_mark_moves_the_status_only(
    db_pair: tuple[Database, Database], clock: ManualClock
) -> None:
    """Before a write: a product without a record gets the record write_syncs would write for it
    (nothing known yet); one with a record keeps what it knew (base fingerprints, echoes, times),
    and says pending, linked, with no error and no digest."""
    from woosync.services.export.records import mark_pending

    fast, reference = db_pair
    clock.set(NOW)
    synced = SyncRow(
        product_id=2,
        woo_product_id=501,
        sync_status="synced",
        last_exported_at=NOW,
        exported_values={"name": "e9ad5c1d7b72c6bb"},
        store_echoes={"description": "0123456789abcdef"},
        export_digest="d1",
    )
    for db in (fast, reference):
        with db.session() as session:
            write_syncs(session, 1, [synced, ROWS[2]])
    clock.set(LATER)
    with fast.session() as session:
        mark_pending(session, 1, [(1, 0), (2, 501), (3, 0)])
    with reference.session() as session:
        write_syncs(session, 1, [SyncRow(product_id=1, woo_product_id=0, sync_status="pending")])
    by_product = {row[2]: row for row in dump(fast, "product_sync")}
    expected = {row[2]: row for row in dump(reference, "product_sync")}
    assert by_product[1][1:] == expected[1][1:]  # the new record: what write_syncs writes
    columns = [c.name for c in ProductSync.__table__.columns]  # type: ignore[attr-defined]
    for product_id in (2, 3):
        now, before = (
            dict(zip(columns, by_product[product_id], strict=True)),
            dict(zip(columns, expected[product_id], strict=True)),
        )
        moved = {k for k in columns if now[k] != before[k]}
        assert now["sync_status"] == "pending" and now["updated_at"] == "2025-12-11 10:05:00.123000"
        assert moved <= {"sync_status", "error_message", "export_digest", "updated_at"}
        assert now["error_message"] is None and now["export_digest"] is None
    kept = dict(zip(columns, by_product[2], strict=True))
    assert (
        kept["exported_values"] == '{"name": "e9ad5c1d7b72c6bb"}' and kept["woo_product_id"] == 501
    )


def test_raw_rows_decode_as_sqlalchemy_does(tmp_path: Path) -> None:
    """db.raw_rows: the rows of a plain cursor, decoded column by column, are the values
    session.execute(select(...)) gives (JSON, booleans, datetimes, NULLs, integers)."""
    from sqlalchemy import select

    from woosync.db.models import Product
    from woosync.db.raw_rows import row_reader

    db = open_database(tmp_path / "raw.db")
    with db.session() as session:
        session.add(
            Product(
                sku="A",
                name="Tee & co",
                price="10.00",
                images=["https://img.example/ä.jpg"],
                categories=["Tees > Organic"],
                attributes={"COLOR": ["Red", "Blue"]},
                custom_fields={"wholesale": 7.5, "flags": {"a": [1, None, True]}},
                manage_stock=True,
                stock_quantity=4,
                date_on_sale_from="2026-01-01",
            )
        )
        session.add(Product(sku="B", name="Bare", manage_stock=False))
        session.add(Product(sku="C", name="Nothing set"))
    table: Any = Product.__table__  # type: ignore[attr-defined]
    names = [column.name for column in table.columns]
    with db.session() as session:
        expected = [tuple(row) for row in session.execute(select(table).order_by(table.c.id))]
        cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        raw = cursor.execute(
            f"SELECT {', '.join(names)}, 'more' FROM products ORDER BY id"
        ).fetchall()
        decode = row_reader(table, names, session.connection().dialect)
    decoded = decode(raw)
    assert [tuple(row) for row in decoded] == expected
    assert decoded[0].attributes == {"COLOR": ["Red", "Blue"]} and decoded[0].manage_stock is True
    assert decoded[1].manage_stock is False and decoded[2].manage_stock is None
    assert decoded[0].created_at.tzinfo is not None and decode([]) == []
    db.dispose()


def test_pending_marks_in_one_statement_match_one_row_each(
    db_pair: tuple[Database, Database], clock: ManualClock
) -> None:
    """records.mark_pending hands SQLite the links as one JSON array (bulk_sql.write_int_rows):
    the records are those one executemany row per link writes, inserted in the links' order
    (rowids), a record that exists moves as an upsert moves it; anything but integers is refused
    before SQLite sees it."""
    import pytest

    from woosync.db.bulk_sql import write_int_rows, write_many
    from woosync.services.export.records import mark_pending

    fast, reference = db_pair
    clock.set(NOW)
    links = [(product_id, (product_id * 7919) % 1000) for product_id in range(1300, 0, -1)]
    for db in (fast, reference):
        with db.session() as session:
            write_syncs(session, 1, [ROWS[1]])
    with fast.session() as session:
        mark_pending(session, 1, links)
    table: Any = ProductSync.__table__  # type: ignore[attr-defined]
    known = ("last_modified_fields", "store_attributes", "store_echoes", "image_sources")
    now = ("created_at", "updated_at")
    linked = ("connection_id", "product_id", "woo_product_id")
    with reference.session() as session:
        write_many(
            session,
            table,
            (*linked, "sync_status", "exported_values", *now, *known, "conflicts"),
            [(1, p, w, "pending", {}, NOW, NOW, None, None, None, None, None) for p, w in links],
            conflict=("connection_id", "product_id"),
            keep=("created_at", "exported_values", *known, "conflicts"),
        )
    rows = dump(fast, "product_sync")
    assert rows == dump(reference, "product_sync")
    assert [row[2] for row in rows[1:]] == [p for p, _ in links if p != 2]  # in order
    kept = rows[0]
    assert kept[2] == 2 and kept[7] == "pending" and kept[3] == links[-2][1]
    assert kept[9] == '{"name": "e9ad5c1d7b72c6bb", "attribute:COLOR": "1d8cff350e4571b8"}'

    bad_rows: list[list[tuple[Any, ...]]] = [[(1, "2")], [(1, 2.0)], [(1, True)], [(1,)]]
    for bad in bad_rows:
        with fast.session() as session, pytest.raises(ValueError, match="integers"):
            write_int_rows(session, table, ("product_id", "woo_product_id"), bad, {})
