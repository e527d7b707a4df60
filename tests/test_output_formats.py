"""``--format table|json|csv|tsv|yaml|ids|count``, ``--limit``/``--all``, tables that fit the
terminal, and ``sync-status`` as a products x stores matrix."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from woosync.cli.render import Output
from woosync.db.engine import Database, open_database
from woosync.db.models import Connection, Product, ProductExclusion, ProductSync

WHEN = datetime(2025, 12, 11, 10, 30, tzinfo=UTC)
FIX = "Failed to create product in WooCommerce: the SKU is taken; run with --restore-trash to fix"


@pytest.fixture
def db(db_path: Path) -> Database:
    """Retail (default): 101 synced, 102 error, 103 pending; Wholesale: 101 synced, 103 excluded."""
    db = open_database(db_path)
    with db.session() as session:
        retail = Connection(
            store_name="Retail", store_url="https://retail.example", is_default=True
        )
        wholesale = Connection(store_name="Wholesale", store_url="https://wholesale.example")
        session.add_all([retail, wholesale])
        session.flush()
        assert retail.id is not None and wholesale.id is not None
        for number in (101, 102, 103, 104):
            session.add(Product(id=number, sku=f"SKU-{number}", name=f"Product {number}"))
        session.add_all(
            [
                ProductSync(
                    connection_id=retail.id,
                    product_id=101,
                    woo_product_id=456,
                    last_exported_at=WHEN,
                    sync_status="synced",
                ),
                ProductSync(
                    connection_id=retail.id, product_id=102, sync_status="error", error_message=FIX
                ),
                ProductSync(connection_id=retail.id, product_id=103, sync_status="pending"),
                ProductSync(
                    connection_id=wholesale.id,
                    product_id=101,
                    woo_product_id=9,
                    sync_status="synced",
                ),
                ProductExclusion(connection_id=wholesale.id, product_id=103, reason="deleted"),
            ]
        )
    return db


def _ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    return result


def test_the_matrix_shows_each_product_in_each_store_with_its_sku(db: Database, cli: Any) -> None:
    result = _ok(cli("sync-status", "-c", "all"))
    lines = result.stdout.splitlines()
    # a pipe gets plain rows: a header, then tab-separated values, nothing cut
    assert lines[0] == "Product\tSKU\tName\tRetail\tWholesale"
    assert lines[1] == "101\tSKU-101\tProduct 101\tsynced\tsynced"
    assert lines[2] == "102\tSKU-102\tProduct 102\terror\t-"
    assert lines[3] == "103\tSKU-103\tProduct 103\tpending\texcluded (deleted)"
    assert len([line for line in lines if line.startswith("10")]) == 3  # 104: in no store
    # the error in full, and a summary line per store
    assert f"SKU-102 (product 102) in Retail: {FIX}" in lines
    assert "Retail (connection 1): 1 synced, 1 pending, 1 error (3 total)" in lines
    assert "Wholesale (connection 2): 1 synced, 0 pending, 0 error, 1 excluded (2 total)" in lines
    assert "woosync export --connection 1 --retry-failed" in result.stdout
    assert result.stderr == ""


def test_one_store_adds_its_details_and_json_keeps_the_spec_shape(db: Database, cli: Any) -> None:
    result = _ok(cli("sync-status", "-c", "Retail"))
    assert result.stderr == ""
    default = _ok(cli("sync-status"))
    assert default.stdout == result.stdout
    assert "1 more active store(s): --connection all shows every store" in default.stderr
    header, first = result.stdout.splitlines()[:2]
    assert header == "Product\tSKU\tName\tRetail\tWoo ID\tLast exported\tLast imported"
    assert first == "101\tSKU-101\tProduct 101\tsynced\t456\t2025-12-11T10:30:00.000Z\tnever"
    data = json.loads(_ok(cli("sync-status", "--format", "json")).stdout)
    assert data["connectionId"] == 1 and [r["productId"] for r in data["records"]] == [
        101,
        102,
        103,
    ]
    assert data["summary"] == {"synced": 1, "pending": 1, "error": 1, "total": 3, "excluded": 0}
    several = json.loads(_ok(cli("sync-status", "-c", "all", "--json")).stdout)
    assert [s["result"]["summary"]["total"] for s in several["stores"]] == [3, 2]
    assert several["stores"][1]["result"]["records"][1]["excludedReason"] == "deleted"


def test_filters_status_connection_sku_and_product(db: Database, cli: Any) -> None:
    def products(*args: str) -> list[str]:
        return _ok(cli("sync-status", *args, "--format", "ids")).stdout.split()

    assert products("-c", "all", "--status", "error") == ["102"]
    assert products("-c", "all", "--status", "excluded") == ["103"]
    assert products("-c", "Wholesale") == ["101", "103"]
    assert products("-c", "all", "--sku", "sku-103,SKU-101") == ["101", "103"]  # any case
    assert products("-c", "all", "-p", "102,103") == ["102", "103"]
    # a store's summary counts all its records, whatever the filters let through
    only = _ok(cli("sync-status", "-c", "all", "--status", "error")).stdout
    assert "Retail (connection 1): 1 synced, 1 pending, 1 error (3 total)" in only
    unknown = cli("sync-status", "--sku", "NOPE")
    assert unknown.exit_code == 3 and "'nope'" in unknown.stderr.lower()


def test_csv_tsv_yaml_and_count(db: Database, cli: Any) -> None:
    rows = list(
        csv.reader(io.StringIO(_ok(cli("sync-status", "-c", "all", "--format", "csv")).stdout))
    )
    assert rows[0] == ["productId", "sku", "name", "Retail", "Wholesale"]
    assert rows[3] == ["103", "SKU-103", "Product 103", "pending", "excluded (deleted)"]
    tsv = _ok(cli("sync-status", "-c", "all", "--format", "tsv")).stdout.splitlines()
    assert tsv[0] == "productId\tsku\tname\tRetail\tWholesale" and len(tsv) == 4
    assert _ok(cli("sync-status", "-c", "all", "--format", "count")).stdout == "3\n"
    data = yaml.safe_load(_ok(cli("sync-status", "--format", "yaml")).stdout)
    assert data["summary"]["error"] == 1 and data["records"][1]["errorMessage"] == FIX
    assert _ok(cli("config", "list", "--format", "count")).stdout.strip().isdigit()


def test_limit_and_all_say_what_they_leave_out(db: Database, cli: Any) -> None:
    cut = _ok(cli("sync-status", "-c", "all", "--limit", "1"))
    rows = [line for line in cut.stdout.splitlines() if line[:3].isdigit()]
    assert [row.split("\t")[0] for row in rows] == ["101"]
    assert "showing 1 of 3 products" in cut.stderr and "--all" in cut.stderr
    assert _ok(cli("sync-status", "--format", "ids", "--limit", "2")).stdout.split() == [
        "101",
        "102",
    ]
    # JSON is never cut silently: every row by default
    assert len(json.loads(_ok(cli("sync-status", "--json")).stdout)["records"]) == 3
    both = cli("sync-status", "--limit", "1", "--all")
    assert both.exit_code == 2 and "--limit or --all" in both.stderr


def test_limit_cuts_the_json_and_yaml_records_and_says_so(db: Database, cli: Any) -> None:
    one = _ok(cli("sync-status", "--json", "--limit", "1"))
    data = json.loads(one.stdout)
    assert [r["productId"] for r in data["records"]] == [101]
    assert data["summary"]["total"] == 3  # the summary still counts every record
    assert "Retail (connection 1): showing 1 of 3 records" in one.stderr
    every = cli("sync-status", "--format", "yaml", "--limit", "2", "-c", "all")
    stores = yaml.safe_load(_ok(every).stdout)["stores"]
    assert [len(store["result"]["records"]) for store in stores] == [2, 2]
    assert "Wholesale (connection 2)" not in every.stderr  # it has only two
    envelope = json.loads(_ok(cli("sync-status", "--json", "-c", "all", "--limit", "1")).stdout)
    assert [len(store["result"]["records"]) for store in envelope["stores"]] == [1, 1]
    assert _ok(cli("sync-status", "--json", "--all")).stderr == ""


def test_a_bad_format_is_a_usage_error_and_format_json_errors_are_json(
    db: Database, cli: Any
) -> None:
    bad = cli("sync-status", "--format", "xml")
    assert bad.exit_code == 2 and "'xml' is not one of table, json, csv" in bad.stderr
    missing = cli("sync-status", "-c", "77", "--format", "json")
    assert missing.exit_code == 3
    assert json.loads(missing.stdout)["error"]["code"] == "not_found"


def test_a_terminal_table_wraps_values_and_drops_columns_in_order(
    db: Database, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Output, "stdout_is_terminal", property(lambda _self: True))
    wide = _ok(cli("sync-status", "-c", "Retail", env={"COLUMNS": "200"}))
    assert "Last imported" in wide.stdout and "…" not in wide.stdout and wide.stderr == ""
    narrow = _ok(cli("sync-status", "-c", "Retail", env={"COLUMNS": "60"}))
    assert "left out to fit 60 columns: Name, Last imported" in narrow.stderr
    assert "Woo ID" in narrow.stdout and "…" not in narrow.stdout
    table = [line for line in narrow.stdout.splitlines() if line[:1] in "┏┃┡│└"]
    assert table and max(len(line) for line in table) <= 60
    # the error message under the table is never cut: the fix is at its end
    assert "--restore-trash to fix" in " ".join(narrow.stdout.split())


def test_the_format_setting_is_every_listing_default(db: Database, cli: Any) -> None:
    assert _ok(cli("config", "set", "format", "csv")).exit_code == 0
    assert _ok(cli("sync-status")).stdout.splitlines()[0].startswith("productId,sku,name,Retail")
    assert _ok(cli("sync-status", "--format", "tsv")).stdout.startswith("productId\tsku")
    assert json.loads(_ok(cli("sync-status", "--json")).stdout)["connectionId"] == 1


def test_records_are_read_a_chunk_at_a_time_with_the_same_result(
    db: Database, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks of 1 and 2 products (sync records and exclusions on both sides of a chunk's edge)
    give what one chunk gives, in the matrix and in the spec's JSON."""
    from woosync.services import sync_status

    whole = (
        _ok(cli("sync-status", "-c", "all", "--json")).stdout,
        _ok(cli("sync-status", "-c", "all")).stdout,
    )
    for size in (1, 2):
        monkeypatch.setattr(sync_status, "CHUNK", size)
        assert (
            _ok(cli("sync-status", "-c", "all", "--json")).stdout,
            _ok(cli("sync-status", "-c", "all")).stdout,
        ) == whole


def test_a_store_that_fails_is_said_and_the_others_still_shown(db: Database, cli: Any) -> None:
    result = cli("sync-status", "-c", "all", "-p", "999", "--json")
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert data["success"] is False and data["exitCode"] == 3
    assert [s["error"]["message"] for s in data["stores"]] == ["product 999 not found"] * 2
    assert "Retail (connection 1): product 999 not found" in result.stderr


def test_connections_and_mappings_list_in_every_format(db: Database, cli: Any) -> None:
    rows = list(csv.reader(io.StringIO(_ok(cli("connections", "list", "--format", "csv")).stdout)))
    assert rows[0][:3] == ["id", "storeName", "storeUrl"]
    assert [row[2] for row in rows[1:]] == ["https://retail.example", "https://wholesale.example"]
    piped = _ok(cli("connections", "list")).stdout.splitlines()
    assert piped[0].startswith("ID\tName\tURL") and "https://wholesale.example" in piped[2]
    assert _ok(cli("connections", "list", "--format", "ids")).stdout == "1 2\n"
    assert _ok(cli("connections", "list", "--format", "count", "--limit", "1")).stdout == "2\n"
    one = yaml.safe_load(_ok(cli("connections", "list", "--format", "yaml", "--limit", "1")).stdout)
    assert [item["storeName"] for item in one] == ["Retail"]
    made = cli("export-mapping", "create", "Retail", "--fields", "name,sku,price")
    assert made.exit_code == 0, made.stderr
    assert _ok(cli("export-mapping", "list", "Retail", "--format", "ids")).stdout == "1\n"
    tsv = _ok(cli("export-mapping", "list", "Retail", "--format", "tsv")).stdout.splitlines()
    assert tsv[0].split("\t")[:3] == ["id", "isActive", "selectedFields"]
    assert tsv[1].split("\t")[:4] == ["1", "true", '["name","sku","price"]', "{}"]
    none = cli("import-mapping", "list", "Retail")
    assert (none.exit_code, none.stdout, none.stderr.strip()) == (0, "", "No mappings.")


def test_products_list_counts_and_pages_through_the_service(db: Database, cli: Any) -> None:
    assert _ok(cli("products", "list", "--format", "count")).stdout == "4\n"
    cut = _ok(cli("products", "list", "--format", "csv", "--limit", "2"))
    assert [row.split(",")[:1] for row in cut.stdout.splitlines()] == [
        ["sku"],
        ["SKU-101"],
        ["SKU-102"],
    ]  # the layout products load reads (no id: a product is matched by its SKU)
    assert "showing 2 of 4 products" in cut.stderr
    assert _ok(cli("products", "list", "--sku", "sku-104", "--format", "ids")).stdout == "104\n"
    assert len(json.loads(_ok(cli("products", "list", "--json")).stdout)) == 4


def test_products_list_indents_variations_only_in_a_table(cli: Any, tmp_path: Path) -> None:
    catalog = tmp_path / "tee.yaml"
    catalog.write_text(
        "- {sku: TEE, name: Tee, attributes: {Size: [S, M]}, variations: "
        "[{sku: TEE-S, attributes: {Size: S}, price: '20.00'}]}\n"
    )
    _ok(cli("products", "load", str(catalog)))
    rows = list(csv.DictReader(io.StringIO(_ok(cli("products", "list", "--format", "csv")).stdout)))
    assert [(r["sku"], r["name"], r["type"], r["parent_sku"]) for r in rows] == [
        ("TEE", "Tee", "variable", ""),
        ("TEE-S", "Tee - S", "variation", "TEE"),
    ]
    tsv = _ok(cli("products", "list", "--format", "tsv")).stdout.splitlines()
    assert tsv[2].split("\t")[0] == "TEE-S"
    piped = _ok(cli("products", "list")).stdout.splitlines()  # the table's plain rows
    assert piped[2].split("\t")[1:3] == ["  TEE-S", "  Size: S"]


def test_a_runs_table_is_a_box_on_a_terminal_and_plain_rows_on_a_pipe(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from woosync.cli.formats import run_table

    rows = [[1, "MUG-1", "updated", "price\tsale"]]
    run_table(Output(), ["Product", "SKU", "Change", "Fields"], rows, title="Results")
    piped = capsys.readouterr().out
    assert piped == "Results\nProduct\tSKU\tChange\tFields\n1\tMUG-1\tupdated\tprice\\tsale\n"
    monkeypatch.setattr(Output, "stdout_is_terminal", property(lambda _self: True))
    run_table(Output(), ["Product", "SKU", "Change", "Fields"], rows)
    boxed = capsys.readouterr().out
    assert "│ 1       │ MUG-1 │ updated │" in boxed


def test_csv_and_tsv_carry_the_jsons_values_and_the_table_its_words(db: Database, cli: Any) -> None:
    """csv/tsv are for spreadsheets and awk: true/false, empty for null, ISO times, as --json
    says them; the table (plain rows on a pipe) keeps yes/no/never."""
    listed = json.loads(_ok(cli("connections", "list", "--json")).stdout)
    rows = list(
        csv.DictReader(io.StringIO(_ok(cli("connections", "list", "--format", "csv")).stdout))
    )
    assert [row["isActive"] for row in rows] == [str(c["isActive"]).lower() for c in listed]
    assert {row["isDefault"] for row in rows} == {"true", "false"}
    assert [row["lastSyncedAt"] for row in rows] == [c["lastSyncedAt"] or "" for c in listed]
    assert all(row["createdAt"].endswith("Z") and "T" in row["createdAt"] for row in rows)
    tsv = [
        line.split("\t")
        for line in _ok(cli("connections", "list", "--format", "tsv")).stdout.splitlines()
    ]
    assert tsv[0][3:6] == ["isActive", "isDefault", "lastSyncedAt"] and tsv[1][3] == "true"
    piped = [line.split("\t") for line in _ok(cli("connections", "list")).stdout.splitlines()]
    assert piped[1][3] == "yes" and "never" in piped[1] + piped[2]
    settings = list(
        csv.DictReader(io.StringIO(_ok(cli("config", "list", "--format", "csv")).stdout))
    )
    assert {row["source"] for row in settings} <= {"default", "file", "env"}
    matrix = list(
        csv.reader(io.StringIO(_ok(cli("sync-status", "-c", "1", "--format", "csv")).stdout))
    )
    header = matrix[0]
    assert header[-2:] == ["lastExportedAt", "lastImportedAt"]
    assert all(cell != "never" for row in matrix[1:] for cell in row)
    assert "never" in _ok(cli("sync-status", "-c", "1")).stdout


def test_products_count_is_the_number_of_ids(cli: Any, tmp_path: Path) -> None:
    """``--format count`` counts the rows ``--format ids`` (and csv) print: products and their
    variations alike, whatever the filter."""
    catalog = tmp_path / "tee.yaml"
    catalog.write_text(
        "- {sku: MUG, name: Mug, price: '9.00'}\n"
        "- {sku: TEE, name: Tee, attributes: {Size: [S, M]}, variations: "
        "[{sku: TEE-S, attributes: {Size: S}, price: '20.00'}, "
        "{sku: TEE-M, attributes: {Size: M}, price: '21.00'}]}\n"
    )
    _ok(cli("products", "load", str(catalog)))
    for chosen in ([], ["--sku", "tee"], ["--search", "tee-m"], ["--sku", "mug"]):
        ids = _ok(cli("products", "list", *chosen, "--format", "ids")).stdout.split()
        count = _ok(cli("products", "list", *chosen, "--format", "count")).stdout
        lines = _ok(cli("products", "list", *chosen, "--format", "csv")).stdout.splitlines()
        assert count == f"{len(ids)}\n" and len(lines) == len(ids) + 1, chosen
    assert _ok(cli("products", "list", "--format", "count")).stdout == "4\n"
    cut = _ok(cli("products", "list", "--format", "ids", "--limit", "2"))
    assert len(cut.stdout.split()) == 2 and "showing 2 of 4 products and variations" in cut.stderr


def test_an_empty_mapping_listing_has_its_directions_header(db: Database, cli: Any) -> None:
    """No export mapping yet: csv still names the export's columns (a script's header is stable)."""
    exported = _ok(cli("export-mapping", "list", "Retail", "--format", "csv")).stdout
    imported = _ok(cli("import-mapping", "list", "Retail", "--format", "tsv")).stdout
    assert exported == "id,isActive,selectedFields,fieldMappings,updatedAt\n"
    assert imported == "id\tisActive\tattributeMappings\tfieldMappings\tupdatedAt\n"


def test_show_commands_print_plain_rows_on_a_pipe_and_a_box_on_a_terminal(
    db: Database, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    long = "A description " * 20  # longer than the 80 columns a pipe's console would wrap at
    _ok(cli("products", "edit", "SKU-101", "--description", long.strip()))
    piped = _ok(cli("products", "show", "SKU-101")).stdout
    assert piped.splitlines()[0] == "Field\tValue"
    assert "SKU\tSKU-101" in piped.splitlines()
    assert f"Description\t{long.strip()}" in piped.splitlines()  # one line, nothing cut
    assert "│" not in piped and "┃" not in piped
    details = _ok(cli("connections", "show", "Retail")).stdout.splitlines()
    assert details[0] == "Field\tValue"
    assert "URL\thttps://retail.example" in details
    monkeypatch.setattr(Output, "stdout_is_terminal", property(lambda _self: True))
    boxed = _ok(cli("products", "show", "SKU-101")).stdout
    assert "│ SKU" in boxed


@pytest.mark.parametrize(
    "text",
    [
        "connection 1: 0 created, 0 updated, 3 unchanged, 0 skipped, 0 excluded, 0 failed",
        "a :smile: code",  # Rich turns it into an emoji: the console prints it
        "tab\there",  # Rich expands the tab: the console prints it
        "[/b] not markup, \u00e9t\u00e9 \u4e2d\u6587 " + "long " * 40,
        "",
    ],
)
def test_a_plain_line_prints_what_the_rich_console_prints(
    text: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("TTY_COMPATIBLE", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    Output().out.print(text, highlight=False)
    by_rich = capsys.readouterr().out
    plain = Output()
    plain.line(text)
    assert capsys.readouterr().out == by_rich
    printable = text.isprintable() and ":smile:" not in text
    assert ("out" not in plain.__dict__) is printable  # Rich was not needed for a plain line


def test_a_line_to_a_forced_terminal_goes_through_rich(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    output = Output()
    output.line("connection 1: 0 created")
    assert "out" in output.__dict__
    assert capsys.readouterr().out == "connection 1: 0 created\n"
