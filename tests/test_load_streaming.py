"""``products load`` streamed in chunks inside one transaction (issue 12): files of any length in
bounded memory, an unchanged re-load that writes nothing, all-or-nothing across chunks, SKU
clashes found file-wide, variations whose parent comes in another chunk (or later in the file)."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from woosync.db.engine import Database
from woosync.files import json_stream
from woosync.files.json_stream import JsonProducts
from woosync.files.product_files import iter_product_file, parse_products
from woosync.products.rows import SkuRegister, validate_rows
from woosync.services.catalog import load as load_module
from woosync.services.catalog.load import load_products
from woosync.services.catalog.lookup import get_product_by_sku
from woosync.services.catalog.upsert import upsert_products


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 3 rows, so a file of a dozen rows crosses several."""
    monkeypatch.setattr(load_module, "LOAD_CHUNK", 3)


def csv_file(tmp_path: Path, rows: list[str], name: str = "c.csv") -> Path:
    path = tmp_path / name
    path.write_text("sku,name,price,categories\n" + "\n".join(rows) + "\n")
    return path


def products(db_path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db_path) as connection:
        return connection.execute(
            "SELECT id, sku, name, price, categories, updated_at FROM products ORDER BY id"
        ).fetchall()


ROWS = [f"S-{n:03d},Product {n},{n}.50,Kitchen|Mugs" for n in range(1, 13)]


def test_an_unchanged_reload_writes_nothing(db: Database, db_path: Path, tmp_path: Path) -> None:
    path = csv_file(tmp_path, ROWS)
    first = load_products(db, path)
    assert first.result.counts["created"] == 12 and first.result.applied
    before = products(db_path)
    writes: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if not statement.lstrip().upper().startswith("SELECT"):
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    again = load_products(db, path)
    event.remove(db.engine, "before_cursor_execute", count)
    assert again.result.counts == {
        "created": 0,
        "updated": 0,
        "unchanged": 12,
        "skipped": 0,
        "invalid": 0,
    }
    assert again.result.unchanged == [f"S-{n:03d}" for n in range(1, 13)]
    assert writes == []
    assert products(db_path) == before  # updated_at did not move


def test_a_change_in_one_row_writes_that_row_only(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    load_products(db, csv_file(tmp_path, ROWS))
    before = {row[1]: row for row in products(db_path)}
    changed = [row.replace("7.50", "7.75") for row in ROWS]
    report = load_products(db, csv_file(tmp_path, changed))
    assert report.result.updated == ["S-007"] and report.result.counts["unchanged"] == 11
    assert [(c.field, c.old, c.new) for c in report.result.changes["S-007"]] == [
        ("price", "7.50", "7.75")
    ]
    after = {row[1]: row for row in products(db_path)}
    assert after["S-007"][3] == "7.75" and after["S-007"][5] > before["S-007"][5]
    assert {sku: row for sku, row in after.items() if sku != "S-007"} == {
        sku: row for sku, row in before.items() if sku != "S-007"
    }


@pytest.mark.parametrize("skip_invalid", [False, True])
def test_an_error_in_the_last_row_leaves_the_database_unchanged(
    db: Database, db_path: Path, tmp_path: Path, skip_invalid: bool
) -> None:
    load_products(db, csv_file(tmp_path, ROWS[:4]))
    before = products(db_path)
    rows = [row.replace(".50,", ".25,") for row in ROWS] + ["S-099,Last,abc,"]
    report = load_products(db, csv_file(tmp_path, rows), skip_invalid=skip_invalid)
    assert [(e.row, e.sku) for e in report.errors] == [(14, "S-099")]
    assert report.result.counts["created"] == 8 and report.result.counts["updated"] == 4
    if skip_invalid:
        assert report.result.applied and len(products(db_path)) == 12
    else:
        assert not report.result.applied
        assert products(db_path) == before  # the chunks written before it were rolled back


def test_a_dry_run_reports_every_chunk_and_writes_nothing(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    report = load_products(db, csv_file(tmp_path, ROWS), dry_run=True)
    assert report.result.counts["created"] == 12 and not report.result.applied
    assert products(db_path) == []


def test_sku_clashes_are_found_across_the_whole_file_and_the_catalog(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    load_products(db, csv_file(tmp_path, ["Mixed-1,Stored,1"]))
    rows = [*ROWS, "s-002,Twin,1", "S-005,Again,1", "mixed-1,Catalog twin,1"]
    report = load_products(db, csv_file(tmp_path, rows))
    assert [(e.row, e.message) for e in report.errors] == [
        (
            14,
            "SKU 's-002' differs only in case from 'S-002' on row 3 (WooCommerce treats them "
            "as one SKU)",
        ),
        (15, "SKU 'S-005' is also on row 6"),
        (
            16,
            "SKU 'mixed-1' differs only in case from product 1's SKU 'Mixed-1' (WooCommerce "
            "treats them as one SKU)",
        ),
    ]
    assert [row[1] for row in products(db_path)] == ["Mixed-1"]


def test_variation_rows_before_after_and_chunks_away_from_their_parent(
    db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "family.csv"
    path.write_text(
        "sku,name,type,parent_sku,price,attribute:Size\n"
        "T-S,,variation,T,10,S\n"  # before its parent, several chunks away
        "A,Apron,,,5,\n"
        "B,Bowl,,,6,\n"
        "C,Cup,,,7,\n"
        "D,Dish,,,8,\n"
        "T,Tee,variable,,,S|M\n"
        "E,Egg cup,,,9,\n"
        "F,Fork,,,9,\n"
        "T-M,,variation,T,11,M\n"  # after it, in a later chunk
    )
    report = load_products(db, path)
    assert report.errors == [] and report.result.counts["created"] == 9
    with db.session() as session:
        parent = get_product_by_sku(session, "T")
        for sku, size in (("T-S", "S"), ("T-M", "M")):
            variation = get_product_by_sku(session, sku)
            assert variation.parent_id == parent.id
            assert variation.name == f"Tee - {size}"
    again = load_products(db, path)
    assert again.result.counts["unchanged"] == 9 and again.errors == []


def test_a_variation_whose_parent_is_nowhere_is_an_error_naming_its_row(
    db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "orphan.csv"
    path.write_text("sku,name,type,parent_sku,attribute:Size\nA,Apron,,,\nX-S,,variation,X,S\n")
    report = load_products(db, path)
    assert [(e.row, e.sku) for e in report.errors] == [(3, "X-S")]
    assert "no product 'X'" in report.errors[0].message and not report.result.applied


def test_a_generated_file_loads_in_every_format(db: Database, tmp_path: Path) -> None:
    """A few hundred products with descriptions, images, categories and attributes, written as
    CSV, JSON (a list and a 'products' object) and YAML: the same catalog from each."""
    items = [
        {
            "sku": f"G-{n:04d}",
            "name": f"Generated {n}",
            "price": f"{n % 90 + 10}.{n % 100:02d}",
            "description": f'<p>Product {n} \u00b0 \\ "quoted"</p>' * 3,
            "images": [f"https://img.example/{n}-{k}.jpg" for k in range(1 + n % 3)],
            "categories": [f"Category {n % 7}"],
            "attributes": {"COLOR": ["Red", "Blue"][: 1 + n % 2], "Size": "M"},
        }
        for n in range(300)
    ]
    json_path = tmp_path / "g.json"
    json_path.write_text(json.dumps(items, indent=1))
    wrapped = tmp_path / "w.json"
    wrapped.write_text(json.dumps({"version": 1, "products": items}))
    yaml_path = tmp_path / "g.yaml"
    yaml_path.write_text("".join(f"- {json.dumps(item)}\n" for item in items))
    first = load_products(db, json_path)
    assert first.result.counts["created"] == 300 and first.errors == []
    for path in (wrapped, yaml_path, json_path):
        again = load_products(db, path)
        assert again.result.counts["unchanged"] == 300, path
    with db.session() as session:
        stored = get_product_by_sku(session, "G-0007")
        assert stored.description == items[7]["description"]
        assert stored.attributes == {"COLOR": ["Red", "Blue"], "Size": "M"}


@pytest.mark.parametrize("window", [1, 2, 5, 64])
def test_json_products_decoded_across_any_window(
    monkeypatch: pytest.MonkeyPatch, window: int
) -> None:
    monkeypatch.setattr(json_stream, "_CHUNK", window)
    items = [{"sku": f"S{n}", "n": 1234567, "ok": True, "d": 'x"\u00b0\n' * n} for n in range(30)]
    text = json.dumps({"a": [1, 2], "products": items, "z": None}, indent=1)
    reader = JsonProducts(io.StringIO(text), "x", dict)
    assert list(reader) == items and reader.document == {"a": [1, 2], "z": None}
    broken = text.replace("1234567,", "1234567", 3).replace("1234567", "1234567,", 2)
    with pytest.raises(json.JSONDecodeError) as raised:
        list(JsonProducts(io.StringIO(broken), "x", dict))
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(broken)
    assert (raised.value.msg, raised.value.lineno, raised.value.colno) == (
        expected.value.msg,
        expected.value.lineno,
        expected.value.colno,
    )


def test_rows_come_one_at_a_time_and_a_late_syntax_error_still_names_the_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "late.json"
    path.write_text('[{"sku": "A"},\n{"sku": "B"},\n{"sku": "C" "name": "x"}]')
    rows = iter_product_file(path)
    assert next(rows).data == {"sku": "A"}  # before the rest of the file is read
    assert next(rows).data == {"sku": "B"}
    with pytest.raises(
        Exception,
        match=r"late\.json is not valid JSON: Expecting ',' delimiter "
        r"\(line 3, column 13\)",
    ):
        next(rows)
    yaml_rows = parse_products("products:\n  - {sku: A}\n  - {sku: B}\nmore: 1\n", "yaml")
    assert [row.data for row in yaml_rows] == [{"sku": "A"}, {"sku": "B"}]


def test_the_sku_register_keeps_the_first_spelling_and_place() -> None:
    register = SkuRegister()
    for sku, row in (("ABC-1", 2), ("abc-2", 3), ("Mixed-3", 4), ("STRASSE", 5)):
        assert register.claim(sku, row) is None
    assert register.claim("abc-1", 9) == ("ABC-1", "row 2")
    assert register.claim("ABC-2", 9, 2) == ("abc-2", "row 3")
    assert register.claim("mixed-3", 9) == ("Mixed-3", "row 4")
    assert register.claim("straße", 9) == ("STRASSE", "row 5")  # casefold, as before
    assert register.claim("Mixed-3", 4) is None  # the same place again
    assert "abc-1" in register and "nope" not in register
    _valid, errors = validate_rows(
        parse_products('[{"sku": "T", "variations": [{"sku": "V"}, {"sku": "v"}]}]', "json")
    )
    assert "differs only in case from 'V' on row 1, variation 1" in errors[-1].message


def test_a_variation_chunks_after_a_parent_that_fails_says_so(db: Database, tmp_path: Path) -> None:
    load_products(db, csv_file(tmp_path, ["P,Plain,1,"]))
    path = tmp_path / "turn.csv"
    path.write_text(
        "sku,name,type,parent_sku,price,attribute:Size\n"
        "P,Tee,variable,,,S|M\n"
        + "".join(f"F{n},Filler {n},,,1,\n" for n in range(4))
        + "P-S,,variation,P,10,S\n"
    )
    report = load_products(db, path)
    assert [(e.row, e.sku) for e in report.errors] == [(2, "P"), (7, "P-S")]
    assert "is a simple product in the catalog and cannot become variable" in (
        report.errors[0].message
    )
    assert report.errors[1].message == "its parent 'P' cannot be loaded (see its row)"


def test_through_the_cli_a_late_bad_row_changes_nothing_and_a_reload_nothing_either(
    cli: Any, db_path: Path, tmp_path: Path
) -> None:
    good = csv_file(tmp_path, ROWS, "good.csv")
    first = cli("--json", "products", "load", str(good))
    assert first.exit_code == 0, first.stderr
    assert json.loads(first.stdout)["created"] == 12
    before = products(db_path)
    bad = csv_file(tmp_path, [*(row.replace("Kitchen", "Home") for row in ROWS), "Z,,x,"], "b.csv")
    refused = cli("--json", "products", "load", str(bad))
    assert refused.exit_code == 2
    data = json.loads(refused.stdout)
    assert (data["applied"], data["updated"], data["invalid"]) == (False, 12, 1)
    assert [error["row"] for error in data["errors"]] == [14]
    assert "1 invalid row(s)" in refused.stderr and "nothing was loaded" in refused.stderr
    assert products(db_path) == before
    again = cli("--json", "products", "load", str(good))
    assert json.loads(again.stdout)["unchanged"] == 12
    assert products(db_path) == before


def test_a_changed_row_is_stored_as_the_orm_stores_it(
    db_pair: tuple[Database, Database], tmp_path: Path, clock: Any
) -> None:
    """The load's column updates (one executemany) store the bytes an ORM update stores."""
    streamed, orm = db_pair
    rows = ["A,Mug,1.50,Kitchen", "B,Bowl,2,Kitchen|Gifts"]
    for database in db_pair:
        load_products(database, csv_file(tmp_path, rows))
    path = tmp_path / "change.csv"
    path.write_text(
        "sku,price,categories,attribute:COLOR,custom:note,manage_stock,stock_quantity\n"
        "A,1.75,Home|Gifts,Red|Blue,fragile,yes,4\nB,2,Kitchen|Gifts,,,,\n"
    )
    clock.advance(seconds=60)
    loaded = load_products(streamed, path).result
    assert (loaded.updated, loaded.unchanged) == (["A"], ["B"])
    changes: list[dict[str, Any]] = [
        {
            "sku": "A",
            "price": "1.75",
            "categories": ["Home", "Gifts"],
            "COLOR": ["Red", "Blue"],
            "custom:note": "fragile",
            "manage_stock": True,
            "stock_quantity": 4,
        },
        {"sku": "B", "manage_stock": None, "stock_quantity": None, "COLOR": None},
    ]
    with orm.session() as session:
        upsert_products(session, changes)

    def stored(database: Database) -> list[tuple[Any, ...]]:
        """Every column but the bookkeeping (the load's digest of the row loaded and the values
        as loaded of what else wrote it since, the count of the row's writes)."""
        bookkeeping = ("load_digest", "load_base", "revision")
        with sqlite3.connect(database.path) as connection:
            names = [row[1] for row in connection.execute("PRAGMA table_info(products)")]
            kept = ", ".join(name for name in names if name not in bookkeeping)
            return connection.execute(f"SELECT {kept} FROM products ORDER BY id").fetchall()

    assert stored(streamed) == stored(orm)
