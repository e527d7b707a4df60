"""An unchanged re-load decided by the products' load digests (issue 12); what every other writer
of a product row (``products edit``, an import's update, any SQL ``UPDATE``) wrote since the last
load stays unless the file changes that column too (the trigger of migration 13 keeps the values
as loaded in ``load_base``)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from woosync.db import migrations
from woosync.db.engine import Database, open_database
from woosync.db.models import Product
from woosync.services.catalog import load as load_module
from woosync.services.catalog import stored as stored_module
from woosync.services.catalog.changes import apply_product_fields
from woosync.services.catalog.load import load_products

ROWS = [f"S-{n:03d},Product {n},{n}.50,Kitchen|Mugs,Red|Blue" for n in range(1, 8)]


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load_module, "LOAD_CHUNK", 3)


def csv_file(tmp_path: Path, rows: list[str], name: str = "c.csv") -> Path:
    path = tmp_path / name
    path.write_text("sku,name,price,categories,attribute:COLOR\n" + "\n".join(rows) + "\n")
    return path


def stored(db_path: Path) -> dict[str, tuple[Any, ...]]:
    """Every column of every product, by SKU, the load digest last (but the count of the row's
    writes, ``revision``: SQLite's bookkeeping for export, tests/test_export_digest.py)."""
    with sqlite3.connect(db_path) as connection:
        names = [row[1] for row in connection.execute("PRAGMA table_info(products)")]
        shown = [name for name in names if name not in _LAST] + ["sku", "load_digest"]
        rows = connection.execute(f"SELECT {', '.join(shown)} FROM products ORDER BY id")
        return {row[-2]: (*row[:-2], row[-1]) for row in rows}


_LAST = ("load_digest", "revision")


def digests(db_path: Path) -> dict[str, str | None]:
    with sqlite3.connect(db_path) as connection:
        return dict(connection.execute("SELECT sku, load_digest FROM products").fetchall())


class Spy:
    """What a load read whole and what it wrote (the load module's own helpers)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.compared: list[str] = []
        self.written: list[str] = []
        self.filled: list[int] = []
        real_stored = stored_module.stored_by_sku
        real_changes = stored_module.write_changes
        real_fill = stored_module.fill_digests

        def stored_by_sku(session: Any, skus: Any) -> Any:
            self.compared += list(skus)
            return real_stored(session, skus)

        def write_changes(session: Any, changes: Any, now: Any) -> None:
            self.written += [str(product_id) for product_id, _ in changes]
            real_changes(session, changes, now)

        def fill_digests(session: Any, found: Any) -> None:
            self.filled += [product_id for *_, product_id in found]
            real_fill(session, found)

        for name, spy in (
            ("stored_by_sku", stored_by_sku),
            ("write_changes", write_changes),
            ("fill_digests", fill_digests),
        ):
            monkeypatch.setattr(f"woosync.services.catalog.load.{name}", spy)


def test_an_unchanged_reload_is_decided_by_digest_and_writes_nothing(
    db: Database, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = csv_file(tmp_path, ROWS)
    assert load_products(db, path).result.counts["created"] == 7
    before = stored(db_path)
    assert all(digests(db_path).values())  # the first load keeps each row's digest
    spy = Spy(monkeypatch)
    again = load_products(db, path).result
    assert again.unchanged == [f"S-{n:03d}" for n in range(1, 8)] and again.updated == []
    assert (spy.compared, spy.written, spy.filled) == ([], [], [])  # nothing read whole
    assert stored(db_path) == before


def test_a_changed_row_is_written_and_gets_its_new_digest(
    db: Database, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: Any
) -> None:
    load_products(db, csv_file(tmp_path, ROWS))
    before = stored(db_path)
    first = digests(db_path)
    changed = [row.replace("3.50", "3.75").replace("Product 5,", "Product five,") for row in ROWS]
    path = csv_file(tmp_path, changed, "changed.csv")
    clock.advance(seconds=60)
    spy = Spy(monkeypatch)
    report = load_products(db, path).result
    assert report.updated == ["S-003", "S-005"] and len(report.unchanged) == 5
    assert sorted(spy.compared) == ["S-003", "S-005"]  # only those were read whole
    after = stored(db_path)
    assert {sku for sku in after if after[sku] != before[sku]} == {"S-003", "S-005"}
    now = digests(db_path)
    assert {sku for sku in now if now[sku] != first[sku]} == {"S-003", "S-005"}
    assert all(now.values())
    spy.compared.clear()
    assert load_products(db, path).result.updated == []
    assert spy.compared == []
    assert load_products(db, csv_file(tmp_path, ROWS)).result.updated == [
        "S-003",
        "S-005",
    ]


def bases(db_path: Path) -> dict[str, Any]:
    with sqlite3.connect(db_path) as connection:
        rows = connection.execute("SELECT sku, load_base FROM products").fetchall()
    return {sku: json.loads(base) for sku, base in rows if base is not None}


def test_a_products_edit_stays_until_the_file_changes_that_field(
    db: Database, db_path: Path, tmp_path: Path, cli: Any
) -> None:
    path = csv_file(tmp_path, ROWS)
    load_products(db, path)
    edited = cli("products", "edit", "S-002", "--price", "9.99")
    assert edited.exit_code == 0, edited.stderr
    assert digests(db_path)["S-002"] is not None and bases(db_path) == {"S-002": {"price": "2.50"}}
    assert load_products(db, path).result.updated == []  # the file did not change: the edit stays
    assert load_products(db, path, dry_run=True, overwrite=True).result.updated == ["S-002"]

    renamed = [row.replace("Product 2,", "Product two,") for row in ROWS]
    report = load_products(db, csv_file(tmp_path, renamed, "renamed.csv")).result
    assert report.updated == ["S-002"]
    assert [(c.field, c.new) for c in report.changes["S-002"]] == [("name", "Product two")]
    assert bases(db_path) == {"S-002": {"price": "2.50"}}  # still the price as loaded

    repriced = [row.replace("2.50", "2.75") for row in renamed]
    report = load_products(db, csv_file(tmp_path, repriced, "repriced.csv")).result
    assert [(c.field, c.old, c.new) for c in report.changes["S-002"]] == [("price", "9.99", "2.75")]
    assert bases(db_path) == {}  # the file changed it too: the file's price, as loaded now

    assert cli("products", "edit", "S-003", "--price", "1.00").exit_code == 0
    overwritten = load_products(db, csv_file(tmp_path, repriced, "again.csv"), overwrite=True)
    assert overwritten.result.updated == ["S-003"] and bases(db_path) == {}
    assert load_products(db, csv_file(tmp_path, repriced, "again.csv")).result.updated == []


def test_an_import_update_and_any_sql_update_keep_the_values_as_loaded(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    """An import writes a product through ``apply_product_fields`` (the ORM); other writers may
    use plain SQL: the trigger keeps each changed column's value as loaded, the first time, and
    the digest; loading the same file again leaves their values alone."""
    path = csv_file(tmp_path, ROWS)
    load_products(db, path)
    with db.session() as session:
        product = session.get(Product, 4)
        assert product is not None and product.sku == "S-004"
        assert apply_product_fields(product, {"attribute:COLOR": ["Green"]})
    with sqlite3.connect(db_path) as connection:
        connection.execute("UPDATE products SET name = 'Renamed' WHERE sku = 'S-006'")
        connection.execute("UPDATE products SET name = 'Again' WHERE sku = 'S-006'")
        connection.execute("UPDATE products SET updated_at = updated_at WHERE sku = 'S-007'")
    assert all(digests(db_path).values())
    assert bases(db_path) == {
        "S-004": {"attributes": {"COLOR": ["Red", "Blue"]}},
        "S-006": {"name": "Product 6"},
    }
    before = stored(db_path)
    report = load_products(db, path).result
    assert report.updated == [] and stored(db_path) == before


def test_products_without_a_digest_are_compared_once_then_found_by_digest(
    db: Database, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database from before migration 11 (no digests): the first re-load compares, writes
    only the digests (``updated_at`` stays), and the next one reads none whole."""
    path = csv_file(tmp_path, ROWS)
    load_products(db, path)
    with sqlite3.connect(db_path) as connection:
        connection.execute("UPDATE products SET load_digest = NULL")
    before = stored(db_path)
    spy = Spy(monkeypatch)
    assert load_products(db, path).result.updated == []
    assert len(spy.compared) == 7 and spy.written == [] and len(spy.filled) == 7
    after = stored(db_path)
    assert all(digests(db_path).values())
    assert {sku: row[:-1] for sku, row in after.items()} == {
        sku: row[:-1] for sku, row in before.items()
    }  # all but the digest (the last column) as it was
    spy.compared.clear()
    assert load_products(db, path).result.updated == []
    assert spy.compared == []


def test_a_dry_run_or_a_refused_load_leaves_the_digests_alone(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    path = csv_file(tmp_path, ROWS)
    load_products(db, path)
    with sqlite3.connect(db_path) as connection:
        connection.execute("UPDATE products SET load_digest = NULL WHERE sku = 'S-001'")
    before = stored(db_path)
    assert load_products(db, path, dry_run=True).result.unchanged
    bad = csv_file(tmp_path, [*ROWS, "S-099,,1.00,Kitchen,Red"], "bad.csv")
    assert not load_products(db, bad).result.applied
    assert stored(db_path) == before


def test_the_migration_adds_the_base_column_empty_and_its_trigger(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.upgrade(conn, path, target=migrations.LATEST - 1)
    conn.execute(
        "INSERT INTO products (sku, name, categories, tags, images, attributes, custom_fields, "
        "created_at, updated_at, load_digest) VALUES ('OLD-1', 'Old', '[\"A\"]', '[]', '[]', "
        "'{}', '{}', '2025-01-01 00:00:00.000000', '2025-01-01 00:00:00.000000', 'd')"
    )
    conn.close()
    db = open_database(path)
    try:
        assert digests(path) == {"OLD-1": "d"} and bases(path) == {}
        with sqlite3.connect(path) as connection:
            connection.execute("UPDATE products SET price = '1.00', categories = '[]'")
        assert digests(path) == {"OLD-1": "d"}
        assert bases(path) == {"OLD-1": {"price": None, "categories": ["A"]}}
    finally:
        db.dispose()


def test_attributes_are_merged_entry_by_entry_with_the_edits_made_since(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    """A store added the size L to the tee (an import), the file then adds the colour Blue: the
    tee has both, and a variation's row the file did not change keeps the store's price."""
    catalog = """
- sku: TEE
  name: Tee
  attributes: {{Size: [S, M], Color: [{colors}]}}
  variations:
    - {{sku: TEE-S, attributes: {{Size: S, Color: Red}}, price: "20.00"}}
"""
    path = tmp_path / "c.yaml"
    path.write_text(catalog.format(colors="Red"))
    assert load_products(db, path).result.counts["created"] == 2
    with db.session() as session:
        [tee, small] = [session.get(Product, product_id) for product_id in (1, 2)]
        assert tee is not None and small is not None
        apply_product_fields(tee, {"attribute:Size": ["S", "M", "L"]})
        apply_product_fields(small, {"price": "19.00"})

    path.write_text(catalog.format(colors="Red, Blue"))
    report = load_products(db, path).result
    assert report.updated == ["TEE"] and report.errors == []
    with db.session() as session:
        tee, small = session.get(Product, 1), session.get(Product, 2)
        assert tee is not None and small is not None
        assert tee.attributes == {"Size": ["S", "M", "L"], "Color": ["Red", "Blue"]}
        assert small.price == "19.00"
    assert bases(db_path) == {
        "TEE": {"attributes": {"Size": ["S", "M"], "Color": ["Red", "Blue"]}},
        "TEE-S": {"price": "20.00"},
    }
    assert load_products(db, path).result.updated == []


def test_a_sku_renamed_since_the_load_still_finds_its_product(
    db: Database, db_path: Path, tmp_path: Path, cli: Any
) -> None:
    """The file names products by their SKU as it was loaded; one renamed since (a store's rename
    an import brought in, ``products edit --sku``) is still that product, never a second one."""
    path = csv_file(tmp_path, ROWS)
    load_products(db, path)
    catalog = tmp_path / "tee.yaml"
    catalog.write_text(
        "- {sku: TEE, name: Tee, attributes: {Size: [S, M]}, variations: ["
        '{sku: TEE-S, attributes: {Size: S}, price: "20.00"}, '
        '{sku: TEE-M, attributes: {Size: M}, price: "21.00"}]}\n'
    )
    load_products(db, catalog)
    for old, new in (("S-003", "S-003-NEW"), ("TEE-S", "TEE-SMALL"), ("TEE", "TEE-2")):
        assert cli("products", "edit", old, "--sku", new).exit_code == 0

    assert load_products(db, path).result.counts["created"] == 0
    assert load_products(db, catalog).result.counts["created"] == 0
    repriced = [row.replace("3.50", "3.99") for row in ROWS]
    report = load_products(db, csv_file(tmp_path, repriced, "repriced.csv")).result
    assert (report.created, report.updated) == ([], ["S-003"])
    catalog.write_text(catalog.read_text().replace('"20.00"', '"19.00"'))
    report = load_products(db, catalog).result
    assert (report.created, report.updated, report.errors) == ([], ["TEE-S"], [])
    with sqlite3.connect(db_path) as connection:
        rows = connection.execute("SELECT sku, price FROM products ORDER BY id").fetchall()
    skus = [sku for sku, _price in rows]
    assert len(skus) == len(set(skus)) == 10
    assert ("S-003-NEW", "3.99") in rows and ("TEE-SMALL", "19.00") in rows
