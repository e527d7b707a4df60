"""Input gaps of issue 11 (point 8), each reproduced through the CLI: control characters, strict
store URLs, ids beyond SQLite's integer range, deeply nested JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from woosync.db.engine import open_database
from woosync.db.models import Connection, Product
from woosync.sandbox import SandboxStore

KEY_ENV = {
    "WOOSYNC_CONSUMER_KEY": "ck_0123456789abcdef",
    "WOOSYNC_CONSUMER_SECRET": "cs_0123456789abcdef",
}


def _products(db_path: Path) -> list[Product]:
    from sqlmodel import select

    db = open_database(db_path)
    try:
        with db.session() as session:
            return list(session.exec(select(Product)).all())
    finally:
        db.dispose()


def _one_line_usage_error(result: Any) -> str:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    return lines[0]


# control characters -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("option", "value", "problem"),
    [
        ("--sku", "MUG\x001", "U+0000"),
        ("--sku", "MUG\x1b[31m", "U+001B"),
        ("--name", "Mug\x00", "U+0000"),
        ("--name", "Two\nlines", "must be a single line"),
        ("--category", "Kitchen\x07", "U+0007"),
    ],
)
def test_control_characters_are_refused_by_add(
    cli: Any, db_path: Path, option: str, value: str, problem: str
) -> None:
    args = {"--sku": "MUG-1", "--name": "Mug", option: value}
    result = cli("products", "add", *[part for pair in args.items() for part in pair])
    line = _one_line_usage_error(result)
    assert problem in line and "\x00" not in result.stderr and "\x1b" not in result.stderr
    assert _products(db_path) == []


# SKUs WooCommerce would store as another SKU (seen on a real WooCommerce 11.0.1 store: "MUG<1>"
# was saved as "MUG", so the catalog's SKU never found its store product again)
@pytest.mark.parametrize(
    ("sku", "problem"),
    [
        ("MUG<1>", "contains '<': WooCommerce strips tags"),
        ("A<B", "contains '<'"),
        ("A%20B", "contains '%20': WooCommerce removes percent-encoded characters"),
        ("A  B", "has a run of spaces"),
    ],
)
def test_a_sku_woocommerce_would_change_is_refused(
    cli: Any, db_path: Path, tmp_path: Path, sku: str, problem: str
) -> None:
    line = _one_line_usage_error(cli("products", "add", "--sku", sku, "--name", "Mug"))
    assert problem in line
    assert cli("products", "add", "--sku", "MUG-1", "--name", "Mug").exit_code == 0
    assert problem in _one_line_usage_error(cli("products", "edit", "1", "--sku", sku))
    source = tmp_path / "products.json"
    source.write_text(json.dumps([{"sku": sku, "name": "Mug"}]))
    loaded = cli("products", "load", str(source))
    assert loaded.exit_code != 0 and problem in loaded.stderr
    assert [p.sku for p in _products(db_path)] == ["MUG-1"]


def test_skus_woocommerce_keeps_as_they_are_are_taken(cli: Any, db_path: Path) -> None:
    for sku in ("50%off", "a&b", 'x\'y "z"', "Café-1", "A > B"):
        assert cli("products", "add", "--sku", sku, "--name", "Mug").exit_code == 0, sku
    assert len(_products(db_path)) == 5


def test_a_description_may_span_lines_but_not_hold_a_nul(cli: Any, db_path: Path) -> None:
    ok = cli("products", "add", "--sku", "A", "--name", "A", "--description", "one\n\ttwo")
    assert ok.exit_code == 0, ok.stderr
    bad = cli("products", "edit", "1", "--description", "one\x00two")
    assert "U+0000" in _one_line_usage_error(bad)
    assert [p.description for p in _products(db_path)] == ["one\n\ttwo"]


def test_edit_refuses_a_nul_in_the_name(cli: Any, db_path: Path) -> None:
    assert cli("products", "add", "--sku", "A", "--name", "Mug").exit_code == 0
    assert "U+0000" in _one_line_usage_error(cli("products", "edit", "1", "--name", "M\x00ug"))
    assert [p.name for p in _products(db_path)] == ["Mug"]


def test_load_reports_the_row_with_a_control_character_and_changes_nothing(
    cli: Any, tmp_path: Path, db_path: Path
) -> None:
    path = tmp_path / "bad.json"
    rows = [
        {"sku": "A\u0000B", "name": "Nul"},
        {"sku": "C", "name": "Fine", "attributes": {"COLOR": "Red\u0001"}},
        {"sku": "D", "name": "Note", "customFields": {"note": "line 1\nline 2"}},
    ]
    path.write_text(json.dumps(rows), encoding="utf-8")
    result = cli("--json", "products", "load", str(path))
    assert result.exit_code == 2
    errors = json.loads(result.stdout)["errors"]
    assert [(e["row"], e["sku"]) for e in errors] == [(1, "A\\x00B"), (2, "C")]
    assert "U+0000" in errors[0]["message"] and "U+0001" in errors[1]["message"]
    assert "\x00" not in result.stderr
    assert _products(db_path) == []


def test_a_connection_name_with_a_control_character_is_refused(cli: Any, db_path: Path) -> None:
    result = cli(
        "connections", "add", "--name", "Shop\x00", "--url", "https://shop.example", env=KEY_ENV
    )
    assert "U+0000" in _one_line_usage_error(result)


@pytest.fixture
def sandbox_connection(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxStore]:
    shop = SandboxStore(seed=3)
    with shop.serve() as url:
        db = open_database(db_path)
        with db.session() as session:
            session.add(Connection(id=1, store_name="Shop", store_url=url, is_default=True))
        db.dispose()
        key, secret = shop.create_key("read_write")
        monkeypatch.setenv("WOOSYNC_CONN_1_CONSUMER_KEY", key)
        monkeypatch.setenv("WOOSYNC_CONN_1_CONSUMER_SECRET", secret)
        yield shop


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"name": "Bell\x07", "sku": "BELL-1"}, "U+0007"),
        ({"name": "Bell", "sku": "BELL\x00"}, "U+0000"),
    ],
)
def test_an_import_reports_a_store_value_with_a_control_character_for_that_product(
    cli: Any,
    db_path: Path,
    sandbox_connection: SandboxStore,
    fields: dict[str, str],
    problem: str,
) -> None:
    bad = sandbox_connection.create_product(fields)
    sandbox_connection.create_product({"name": "Mug", "sku": "MUG-1"})
    result = cli("--json", "import")
    assert result.exit_code == 1, result.stderr
    data = json.loads(result.stdout)
    assert (data["importedCount"], data["failedCount"]) == (1, 1)
    failed = next(p for p in data["products"] if p["status"] == "failed")
    assert failed["wooProductId"] == bad["id"] and problem in failed["message"]
    assert [p.sku for p in _products(db_path)] == ["MUG-1"]
    human = cli("import", "--update-existing")  # a second run: still reported, escaped
    assert human.exit_code == 1 and problem in human.stderr
    assert not any(char in human.stdout + human.stderr for char in "\x00\x07")


# store URLs -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://exa mple.com", "contains spaces or control characters"),
        ("http://[::1", "Invalid IPv6 URL"),
        ("http://[zz]:8080", "not a store URL"),
        ("https://shop.example:99999", "does not have a valid port"),
        ("https://shop.example:abc", "does not have a valid port"),
        ("http://sh<op.example", "is not a host name"),
        ("http://shop..example", "is not a host name"),
    ],
)
def test_store_urls_are_parsed_strictly(cli: Any, db_path: Path, url: str, problem: str) -> None:
    added = cli("connections", "add", "--name", "Shop", "--url", url, env=KEY_ENV)
    assert problem in _one_line_usage_error(added)
    tested = cli("connections", "test", "--url", url, env=KEY_ENV)
    assert problem in _one_line_usage_error(tested)
    assert json.loads(cli("--json", "connections", "list").stdout) == []


def test_an_ipv6_store_url_in_brackets_is_fine(cli: Any) -> None:
    added = cli(
        "--json", "connections", "add", "--name", "V6", "--url", "http://[::1]:8080/", env=KEY_ENV
    )
    assert added.exit_code == 0, added.stderr
    assert json.loads(added.stdout)["storeUrl"] == "http://[::1]:8080"
    bad = cli("connections", "update", "1", "--url", "http://[::1:8080", env=KEY_ENV)
    assert "Invalid IPv6 URL" in _one_line_usage_error(bad)


# ids -----------------------------------------------------------------------------------------------
HUGE = "123456789012345678901234567890"


@pytest.mark.parametrize(
    "args",
    [
        # products show/edit/remove take an id or a SKU: HUGE is a SKU there (not found, exit 3)
        ("products", "list", "--limit", HUGE),
        ("export", "--products", HUGE),
        ("export", "--connection", HUGE, "--all"),
        ("update", "--product", HUGE),
        ("delete", "--product", HUGE, "--yes"),
        ("import", "--woo-ids", HUGE),
        ("connections", "show", HUGE),
        ("connections", "remove", HUGE, "--yes"),
        ("sync-status", "--product", HUGE),
        ("sync-status", "--connection", HUGE),
        ("export-mapping", "list", HUGE),
        ("export-mapping", "active", "1"),
        ("export-mapping", "delete", HUGE, "--yes"),
        ("import-mapping", "update", HUGE, "--attr", "pa_a=a"),
    ],
)
def test_an_id_beyond_sqlite_integers_is_a_usage_error(cli: Any, args: tuple[str, ...]) -> None:
    add = cli("connections", "add", "--name", "Shop", "--url", "https://shop.example", env=KEY_ENV)
    assert add.exit_code == 0, add.stderr
    result = cli(*args)
    if args == ("export-mapping", "active", "1"):  # the control: an id in range is not refused
        assert result.exit_code == 0, result.stderr
        return
    line = _one_line_usage_error(result)
    assert HUGE in line or "9223372036854775807" in line


# nesting -------------------------------------------------------------------------------------------
def test_a_json_product_file_nested_200000_deep_is_a_usage_error(
    cli: Any, tmp_path: Path, db_path: Path
) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    line = _one_line_usage_error(cli("products", "load", str(path)))
    assert "nested too deeply" in line
    assert _products(db_path) == []


def test_a_mapping_field_name_with_a_control_character_is_refused(cli: Any) -> None:
    assert (
        cli(
            "connections", "add", "--name", "S", "--url", "https://s.example", env=KEY_ENV
        ).exit_code
        == 0
    )
    result = cli("export-mapping", "create", "1", "--fields", "name,sku,CO\x01LOR")
    assert "U+0001" in _one_line_usage_error(result)
    assert cli("--json", "export-mapping", "list", "1").stdout.strip() == "[]"


def test_a_csv_or_yaml_with_control_characters_names_their_rows(
    cli: Any, tmp_path: Path, db_path: Path
) -> None:
    csv_file = tmp_path / "nul.csv"
    csv_file.write_text("sku,name\nA\x00B,Mug\nC,Cu\x01p\nD,Bowl\n", encoding="utf-8")
    result = cli("--json", "products", "load", str(csv_file))
    assert result.exit_code == 2
    assert [(e["row"], e["sku"]) for e in json.loads(result.stdout)["errors"]] == [
        (2, "A\\x00B"),
        (3, "C"),
    ]
    yaml_file = tmp_path / "esc.yaml"
    yaml_file.write_text('- sku: "E\\e[31m"\n  name: Red\n', encoding="utf-8")
    result = cli("products", "load", str(yaml_file), "--skip-invalid")
    assert result.exit_code == 1 and "U+001B" in result.stderr and "\x1b" not in result.stderr
    assert _products(db_path) == []


# numbers written with a bare point --------------------------------------------------------------
def test_a_store_number_with_a_bare_point_is_imported(
    cli: Any, db_path: Path, sandbox_connection: SandboxStore
) -> None:
    """WooCommerce keeps ``.5`` as written (its own sample catalog has such weights, and a real
    store answers them so): the product is imported, not failed, with ``0.5``; and the store's
    ``.5`` is its echo of ``0.5``, so an export after sends nothing."""
    sandbox_connection.create_product(
        {"name": "Half", "sku": "HALF", "regular_price": ".5", "weight": ".5",
         "dimensions": {"length": "2.", "width": "1", "height": "1"}}
    )  # fmt: skip

    result = cli("--json", "import")

    assert result.exit_code == 0, result.stdout + result.stderr
    [half] = _products(db_path)
    assert (half.price, half.weight, half.length) == ("0.5", "0.5", "2")
    sandbox_connection.stats.reset()
    again = cli("--json", "import", "--update-existing")
    assert json.loads(again.stdout)["unchangedCount"] == 1


def test_a_file_number_with_a_bare_point_loads(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "products.csv"
    path.write_text("sku,name,price,weight\nHALF,Half,.5,3.\n")

    assert cli("products", "load", str(path)).exit_code == 0

    shown = json.loads(cli("--json", "products", "show", "HALF").stdout)
    assert (shown["price"], shown["weight"]) == ("0.5", "3")
