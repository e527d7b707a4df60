"""An unchanged ``export --partial`` is decided in SQL from a stamp (issue 12, migration 12;
``services/export/unchanged.py``): nothing is decoded and nothing is sent. Each way the stamp goes
stale has its test here: each asserts that the product is decoded and sent again when it must be,
and that the run after it is quiet again (nothing decoded, no request).

A product counts as decoded when ``select.load_items`` gets its row; the CLI runs in-process, so
the spy sees what the command does."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from random import Random
from typing import Any

import pytest

from queued_runs import connection
from test_export_sandbox import client_for
from test_export_support import add_products, edit_product, tee
from woosync.db import migrations
from woosync.db.engine import Database, open_database
from woosync.sandbox import SandboxStore
from woosync.services.connections.records import create_connection
from woosync.services.export import decide, match, select, unchanged
from woosync.services.export.dry_run import plan_export
from woosync.services.export.request import ExportRequest
from woosync.services.export.run import export_products
from woosync.woo import WooClient

CATALOG = """
- {sku: A, name: Alpha, price: "10.00", categories: [Tees]}
- {sku: B, name: Beta, price: "11.00", categories: [Tees]}
- {sku: C, name: Gamma, price: "12.00", categories: [Mugs], description: Plain}
- sku: TEE
  name: Organic Tee
  type: variable
  categories: [Tees]
  attributes: {Size: [S, M]}
  variations:
    - {sku: TEE-S, attributes: {Size: S}, price: "20.00"}
    - {sku: TEE-M, attributes: {Size: M}, price: "21.00"}
"""
FIELDS = "name,sku,price,categories"
PRODUCTS = ["A", "B", "C", "TEE"]

pytestmark = pytest.mark.usefixtures("clock")  # a retry's pause returns at once


class Shop:
    """The catalog, exported once to a sandbox store served on a loopback port."""

    def __init__(
        self, cli: Any, db_path: Path, sandbox: SandboxStore, conn: int, client: WooClient
    ) -> None:
        self.cli, self.db_path, self.sandbox, self.conn = cli, db_path, sandbox, conn
        self.client = client  # to change the store as a shop manager would
        self.decoded: list[str] = []  # SKUs whose row select.load_items got, in this run

    def export(self, *extra: str, fields: str | None = FIELDS) -> dict[str, Any]:
        """``export --all --partial`` (``extra`` added); the store's counts start afresh."""
        self.decoded.clear()
        self.sandbox.stats.reset()
        chosen = ("--fields", fields) if fields else ()
        args = ("--json", "export", "-c", str(self.conn), "--all", "--partial", *chosen, *extra)
        result = self.cli(*args)
        assert result.exit_code in (0, 1), result.stderr
        document: dict[str, Any] = json.loads(result.stdout)
        return document

    def assert_quiet(self, *extra: str, fields: str | None = FIELDS) -> None:
        """A partial export now decodes nothing and asks the store nothing."""
        document = self.export(*extra, fields=fields)
        assert document["success"], document
        assert self.decoded == [] and self.sandbox.stats.requests == 0
        assert document["counts"]["unchanged"] == len(PRODUCTS) + 2  # the variations too

    def run(self, *args: str) -> None:
        result = self.cli(*args)
        assert result.exit_code == 0, result.stderr

    def store(self, sku: str) -> dict[str, Any]:
        found = self.sandbox.find_sku(sku)
        assert found is not None
        return found

    def sql(self, statement: str, *params: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.db_path) as connection:
            return connection.execute(statement, params).fetchall()

    def digest(self, sku: str) -> str | None:
        rows = self.sql(
            "SELECT s.export_digest FROM product_sync s JOIN products p ON p.id = s.product_id "
            "WHERE p.sku = ?",
            sku,
        )
        return rows[0][0] if rows else None


@pytest.fixture
def shop(
    cli: Any, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Shop]:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(CATALOG)
    assert cli("products", "load", str(catalog)).exit_code == 0
    sandbox = SandboxStore(seed=3)
    db = open_database(db_path)
    with sandbox.serve() as url:
        key, secret = sandbox.create_key("read_write")
        conn = create_connection(
            db, name="Retail", url=url, consumer_key=key, consumer_secret=secret
        )
        client = WooClient(url, key, secret)
        found = Shop(cli, db_path, sandbox, int(conn.id or 0), client)
        load_items = select.load_items

        def noted(session: Any, connection_id: int, rows: Any, *rest: Any) -> Any:
            found.decoded += [row[1] for row in rows]  # id, sku: product_columns' first two
            return load_items(session, connection_id, rows, *rest)

        monkeypatch.setattr(select, "load_items", noted)
        first = found.export()
        assert first["success"] and first["counts"]["created"] == len(PRODUCTS) + 2, first
        yield found
        client.close()
    db.dispose()


def sent(document: dict[str, Any]) -> dict[str, list[str]]:
    """``product id -> fields sent`` of the products written (by SKU: the shop's ids)."""
    return {
        str(r["productId"]): r["exportedFields"]
        for r in document["results"]
        if r["change"] in ("created", "updated")
    }


def ids(shop: Shop, *skus: str) -> list[str]:
    return [str(shop.sql("SELECT id FROM products WHERE sku = ?", sku)[0][0]) for sku in skus]


def test_a_partial_after_the_first_export_decodes_nothing_and_sends_nothing(shop: Shop) -> None:
    assert all(shop.digest(sku) for sku in PRODUCTS)
    shop.assert_quiet()


def test_a_cli_edit_is_decoded_and_sent(shop: Shop) -> None:
    shop.run("products", "edit", "A", "--price", "10.50")
    document = shop.export()
    assert shop.decoded == ["A"]
    assert sent(document) == {ids(shop, "A")[0]: ["price"]}
    assert shop.store("A")["regular_price"] == "10.50"
    shop.assert_quiet()


def test_a_load_that_changes_a_product_or_renames_its_category_is_sent_and_an_unchanged_reload_is_not(
    shop: Shop, tmp_path: Path
) -> None:
    same = tmp_path / "catalog.yaml"
    shop.run("products", "load", str(same))  # unchanged (it fills the load's digests)
    shop.assert_quiet()
    shop.run("products", "load", str(same))  # unchanged, read by the load's digests
    shop.assert_quiet()

    changed = tmp_path / "changed.yaml"
    changed.write_text(
        CATALOG.replace('price: "11.00"', 'price: "11.50"').replace("[Mugs]", "[Cups]")
    )
    shop.run("products", "load", str(changed))
    document = shop.export()
    assert sorted(shop.decoded) == ["B", "C"]
    b, c = ids(shop, "B", "C")
    assert sent(document) == {b: ["price"], c: ["categories"]}
    assert shop.store("B")["regular_price"] == "11.50"
    assert [c["name"] for c in shop.store("C")["categories"]] == ["Cups"]
    shop.assert_quiet()


def test_a_variation_edit_goes_out_without_decoding_its_parent(shop: Shop) -> None:
    shop.run("products", "edit", "TEE-M", "--price", "25.00")
    document = shop.export()
    assert shop.decoded == []  # the parent is quiet; its variations go their own way
    assert document["counts"]["updated"] == 1
    parent = shop.store("TEE")
    held = {v["sku"]: v for v in shop.sandbox.variations(parent["id"])}
    assert held["TEE-M"]["regular_price"] == "25.00"
    shop.assert_quiet()


def test_other_fields_or_allow_empty_decide_the_full_way(shop: Shop) -> None:
    document = shop.export(fields=f"{FIELDS},description")
    assert sorted(shop.decoded) == sorted(PRODUCTS)
    assert sent(document) == {ids(shop, "C")[0]: ["description"]}  # the only one with one
    assert shop.store("C")["description"] == "Plain"
    shop.assert_quiet(fields=f"{FIELDS},description")

    shop.export("--allow-empty", "description", fields=f"{FIELDS},description")
    assert sorted(shop.decoded) == sorted(PRODUCTS)
    shop.assert_quiet("--allow-empty", "description", fields=f"{FIELDS},description")
    shop.export()  # the first settings again: their stamps were replaced, decided the full way
    assert sorted(shop.decoded) == sorted(PRODUCTS)
    shop.assert_quiet()


def test_another_version_of_woosync_decides_the_full_way(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It may read or fingerprint values another way: its first partial decides everything."""
    monkeypatch.setattr(unchanged, "__version__", "99.0.0")
    shop.export()
    assert sorted(shop.decoded) == sorted(PRODUCTS) and shop.sandbox.stats.requests == 0
    shop.assert_quiet()


def test_an_edited_export_mapping_decides_the_full_way(shop: Shop) -> None:
    shop.run("export-mapping", "create", str(shop.conn), "--fields", FIELDS)
    shop.export(fields=None)  # the mapping's settings are the --fields ones: nothing changes
    assert shop.decoded == []
    mapping = shop.sql("SELECT id FROM export_mappings")[0][0]
    shop.run("export-mapping", "update", str(mapping), "--map", "price=sale_price")
    document = shop.export(fields=None)
    assert sorted(shop.decoded) == sorted(PRODUCTS)
    a = ids(shop, "A")[0]
    assert sent(document)[a] == ["price"]
    assert shop.store("A")["sale_price"] == "10.00"
    shop.assert_quiet(fields=None)


def test_a_base_moved_by_an_import_is_sent_again(shop: Shop) -> None:
    # as an import writes a record (imports/syncs.py: an upsert that leaves export_digest alone)
    shop.sql(
        "UPDATE product_sync SET exported_values = json_set(exported_values, "
        "'$.regular_price', 'moved') WHERE product_id = ?",
        int(ids(shop, "B")[0]),
    )
    assert shop.digest("B") is None
    document = shop.export()
    assert shop.decoded == ["B"] and sent(document) == {ids(shop, "B")[0]: ["price"]}
    shop.assert_quiet()


def test_an_import_of_a_store_change_is_decided_again_and_sends_nothing_back(shop: Shop) -> None:
    woo_id = shop.store("A")["id"]
    shop.client.put(f"/products/{woo_id}", {"regular_price": "13.00"})
    shop.run("import", "-c", str(shop.conn), "--update-existing", "--quiet")
    assert shop.sql("SELECT price FROM products WHERE sku = 'A'") == [("13.00",)]
    shop.export()
    # A's row changed; TEE's base too (the import adds a variable product's attribute options
    # and stock status to it): both decided the full way, neither sent back
    assert shop.decoded == ["A", "TEE"] and shop.sandbox.stats.by_method.get("POST", 0) == 0
    assert shop.store("A")["regular_price"] == "13.00"
    shop.assert_quiet()


def test_a_failed_or_pending_write_is_never_stamped(shop: Shop) -> None:
    shop.run("products", "edit", "A", "--price", "10.50")
    shop.sandbox.faults.error_rates = {500: 1.0}
    failed = shop.export()
    assert failed["failedCount"] == 1 and shop.digest("A") is None
    shop.sandbox.faults.error_rates = {}
    document = shop.export()
    assert shop.decoded == ["A"] and sent(document) == {ids(shop, "A")[0]: ["price"]}
    shop.assert_quiet()

    # left pending by an interrupted run (records.mark_pending moves the status alone)
    shop.sql(
        "UPDATE product_sync SET sync_status = 'pending' WHERE product_id = ?",
        int(ids(shop, "B")[0]),
    )
    assert shop.digest("B") is None
    shop.export()
    assert shop.decoded == ["B"]
    shop.assert_quiet()


def test_an_edit_made_while_the_export_runs_is_not_hidden_by_its_stamp(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop.run("products", "edit", "A", "--price", "10.50")
    plan_chunk = match.plan_chunk

    def edited_meanwhile(run: Any, items: Any) -> Any:
        """Another command edits A after this run read it, before its answer is booked."""
        shop.sql("UPDATE products SET price = '10.75' WHERE sku = 'A'")
        return plan_chunk(run, items)

    monkeypatch.setattr(match, "plan_chunk", edited_meanwhile)
    shop.export()
    assert shop.store("A")["regular_price"] == "10.50"  # what it read
    monkeypatch.setattr(match, "plan_chunk", plan_chunk)
    document = shop.export()
    assert shop.decoded == ["A"] and sent(document) == {ids(shop, "A")[0]: ["price"]}
    assert shop.store("A")["regular_price"] == "10.75"
    shop.assert_quiet()


def test_a_reused_product_id_does_not_take_the_old_products_stamp(shop: Shop) -> None:
    a = int(ids(shop, "A")[0])
    assert shop.digest("A")
    shop.sql("DELETE FROM products WHERE id = ?", a)  # its record left behind, as SQL may
    shop.sql(
        "INSERT INTO products (id, sku, name, price, categories, tags, images, attributes, "
        "custom_fields, created_at, updated_at) VALUES (?, 'A', 'Alpha', '99.00', '[\"Tees\"]', "
        "'[]', '[]', '{}', '{}', '2026-01-01', '2026-01-01')",
        a,
    )
    assert shop.digest("A") is None
    document = shop.export()
    assert shop.decoded == ["A"] and sent(document) == {str(a): ["price"]}
    shop.assert_quiet()


def test_any_write_of_the_row_bumps_its_revision_and_the_load_keeps_what_it_loaded(
    db: Database, db_path: Path
) -> None:
    with sqlite3.connect(db_path) as connection:
        connection.execute(
            "INSERT INTO products (sku, name, categories, tags, images, attributes, custom_fields,"
            " created_at, updated_at, load_digest) VALUES ('S', 'N', '[]', '[]', '[]', '{}', '{}',"
            " '2026-01-01', '2026-01-01', 'd1')"
        )

        def row() -> tuple[Any, ...]:
            query = "SELECT revision, load_digest, load_base FROM products"
            return tuple(connection.execute(query).fetchone())

        assert row() == (0, "d1", None)
        connection.execute("UPDATE products SET name = 'M', load_digest = 'd2'")  # a load
        assert row() == (1, "d2", None)
        connection.execute("UPDATE products SET name = 'O'")  # anything else
        assert row() == (2, "d2", '{"name":"M"}')  # the name as loaded
        connection.execute("UPDATE products SET name = 'P', tags = '[\"x\"]'")
        assert row() == (3, "d2", '{"name":"M","tags":[]}')  # the first value since the load
        connection.execute("UPDATE products SET name = 'P', revision = 0")  # never backwards
        assert row()[0] == 4


def test_digests_of_an_older_woosync_are_dropped_on_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path, isolation_level=None) as connection:
        migrations.upgrade(connection, path, target=11)
        connection.execute(
            "INSERT INTO connections (id, store_name, store_url, is_default, is_active, verify_tls,"
            " created_at, updated_at) VALUES (1, 'S', 'https://s.test', 1, 1, 1, '2026-01-01', "
            "'2026-01-01')"
        )
        connection.execute(
            "INSERT INTO products (id, sku, name, categories, tags, images, attributes, "
            "custom_fields, created_at, updated_at) VALUES (1, 'S', 'N', '[]', '[]', '[]', '{}', "
            "'{}', '2026-01-01', '2026-01-01')"
        )
        connection.execute(
            "INSERT INTO product_sync (connection_id, product_id, woo_product_id, sync_status, "
            "exported_values, created_at, updated_at, export_digest) VALUES (1, 1, 7, 'synced', "
            "'{}', '2026-01-01', '2026-01-01', ?)",
            ("0" * 40,),  # migration 9's kind: a hash of the columns
        )
        migrations.upgrade(connection, path)
        assert connection.execute("SELECT export_digest FROM product_sync").fetchall() == [(None,)]
        assert connection.execute("SELECT revision FROM products").fetchall() == [(0,)]


def test_the_revision_trigger_lists_every_column_of_products(db: Database, db_path: Path) -> None:
    """A column added to ``products`` by a later migration must bump the revision too (that
    migration makes ``products_revised`` again with it); only the bookkeeping is left out."""
    with sqlite3.connect(db_path) as connection:
        columns = {row[1] for row in connection.execute("PRAGMA table_info(products)")}
        (trigger,) = connection.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'products_revised'"
        ).fetchone()
    listed = set(re.findall(r"NEW\.(\w+) IS NOT OLD\.\1", trigger))
    assert listed == columns - {"revision", "load_digest", "load_base", "created_at", "updated_at"}


def test_quiet_products_are_exactly_those_the_full_decision_finds_unchanged(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A seeded random walk of edits (ORM and plain SQL, values changed or written as they
    were), bases moved, statuses set, exports with one field list or another, partial or not:
    after each step, a partial dry run leaves quiet only products that the full decision (every
    product decoded: no record holds the stamp) finds unchanged, and decides the others as it
    does."""
    sandbox = SandboxStore()
    conn = connection(db, "Retail")
    products = add_products(db, [tee(f"R-{n}", categories=["Tees"]) for n in range(5)])
    few, more = ["name", "sku", "price"], ["name", "sku", "price", "categories"]
    random = Random(12)
    fields = few
    decide_linked = decide.decide_linked

    def run(**options: Any) -> None:
        with client_for(sandbox) as client:
            export_products(db, ExportRequest(conn, **options), client=client)

    def decisions(quiet: bool) -> dict[int, tuple[str, list[str]]]:
        """``product id -> (action, keys)`` of each linked product decided (not quiet)."""
        found: dict[int, tuple[str, list[str]]] = {}

        def noted(run: Any, item: Any) -> None:
            decide_linked(run, item)
            found[item.product_id] = (item.action, list(item.keys))

        with monkeypatch.context() as patch:
            patch.setattr(decide, "decide_linked", noted)
            if not quiet:  # the oracle: no record ever holds the stamp
                patch.setattr(unchanged, "quiet", lambda record: "? IS NULL")
            with client_for(sandbox) as client:
                request = ExportRequest(conn, fields=fields, all_products=True, partial=True)
                plan_export(db, request, client=client, on_product=lambda planned: None)
        return found

    def sql(statement: str, *params: Any) -> None:
        with db.session() as session:
            session.connection().exec_driver_sql(statement, params)

    run(fields=few, all_products=True)
    quiet_seen = 0
    for _step in range(40):
        product = random.choice(products)
        step = random.choice(
            ["edit", "sql", "same", "base", "status", "export", "export", "fields"]
        )
        if step == "edit":
            edit_product(db, product, price=random.choice(["10.00", "11.00", "12.50"]))
        elif step == "sql":
            column, value = random.choice([("name", "Renamed"), ("categories", '["Mugs"]')])
            sql(f"UPDATE products SET {column} = ? WHERE id = ?", value, product)
        elif step == "same":  # the row written with the values it holds: nothing changes
            sql("UPDATE products SET price = price, name = name WHERE id = ?", product)
        elif step == "base":
            sql(
                "UPDATE product_sync SET exported_values = json_set(exported_values, "
                "'$.regular_price', 'moved') WHERE product_id = ?",
                product,
            )
        elif step == "status":
            status = random.choice(["pending", "error", "synced"])
            sql("UPDATE product_sync SET sync_status = ? WHERE product_id = ?", status, product)
        elif step == "export":
            run(fields=fields, all_products=True, partial=random.random() < 0.7)
        else:
            fields = more if fields is few else few
        oracle = decisions(quiet=False)
        assert set(oracle) == set(products), step  # every product decided the full way
        seen = decisions(quiet=True)
        quiet = set(products) - set(seen)
        assert all(oracle[p] == ("unchanged", []) for p in quiet), (step, quiet, oracle)
        assert all(oracle[p] == seen[p] for p in seen), (step, seen, oracle)
        quiet_seen += len(quiet)
    assert quiet_seen > 40  # the walk met quiet products, often
