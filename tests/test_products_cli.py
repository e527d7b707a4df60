"""``woosync products`` through the CLI: add, list, show, edit, remove and load."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from woosync.db.engine import open_database
from woosync.db.models import Connection, ProductSync

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_YAML = ROOT / "examples" / "catalog.yaml"
EXAMPLE_CSV = ROOT / "examples" / "catalog.csv"


def add(cli, *args: str) -> dict[str, Any]:
    result = cli("--json", "products", "add", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def listed(cli, *args: str) -> list[dict[str, Any]]:
    result = cli("--json", "products", "list", "--limit", "0", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def load(cli, path: Path | str, *args: str) -> tuple[int, dict[str, Any] | None, str]:
    result = cli("--json", "products", "load", str(path), *args)
    data = json.loads(result.stdout) if result.stdout.strip() else None
    return result.exit_code, data, result.stderr


# add / show / list --------------------------------------------------------------------------------
def test_add_stores_every_kind_of_field_and_show_prints_it(cli) -> None:
    created = add(
        cli,
        "--sku", " MUG-1 ",
        "--name", "Salt & Pepper Mill",
        "--price", "12.50",
        "--sale-price", "10",
        "--length", "10", "--height", "4",
        "--status", "publish",
        "--stock-status", "instock",
        "--category", "Kitchen", "--category", "Gifts",
        "--tag", "wood",
        "--image", "https://picsum.photos/seed/MUG-1/600",
        "--attr", "COLOR=Red,Blue",
        "--attr", "Dimension=10x20",
        "--custom", "wholesalePrice=8.50",
    )  # fmt: skip
    assert created["sku"] == "MUG-1"
    assert created["price"] == "12.50" and created["sale_price"] == "10"
    assert created["dimensions"] == {"length": "10", "width": None, "height": "4"}
    assert created["categories"] == ["Kitchen", "Gifts"]
    assert created["attributes"] == {"COLOR": ["Red", "Blue"], "Dimension": "10x20"}
    assert created["customFields"] == {"wholesalePrice": "8.50"}
    assert created["createdAt"] == created["updatedAt"]

    shown = cli("--json", "products", "show", str(created["id"]))
    assert json.loads(shown.stdout) == created
    by_sku = cli("--json", "products", "show", "--sku", "MUG-1")
    assert json.loads(by_sku.stdout) == created

    human = cli("products", "show", str(created["id"]))
    assert human.exit_code == 0
    assert "Salt & Pepper Mill" in human.stdout
    assert "COLOR (attribute)" in human.stdout and "Red, Blue" in human.stdout
    assert "wholesalePrice (custom)" in human.stdout and "8.50" in human.stdout
    assert human.stderr == ""


def test_add_reports_success_on_stderr_only(cli) -> None:
    result = cli("products", "add", "--sku", "A", "--name", "Mug [large]")
    assert result.exit_code == 0
    assert "added product 1 (A)" in result.stderr
    assert "Mug [large]" in result.stdout  # printed as text, not taken as Rich markup


def test_add_validation_errors_exit_2_and_store_nothing(cli) -> None:
    cases = [
        (["--name", "No SKU"], "sku: is required"),
        (["--sku", "A"], "name: is required"),
        (["--sku", "A", "--name", "N", "--price", "abc"], "price: 'abc' is not a number"),
        (["--sku", "A", "--name", "N", "--price", "-3"], "price: '-3' is not a number"),
        (["--sku", "A", "--name", "N", "--status", "live"], "status: 'live' is not one of"),
        (["--sku", "A", "--name", "N", "--type", "bundle"], "type: 'bundle' is not one of"),
        (["--sku", "A", "--name", "N", "--stock-status", "some"], "stock_status: 'some'"),
        (["--sku", "A", "--name", "N", "--image", "ftp://x/y.jpg"], "not an http(s) URL"),
        (["--sku", "A", "--name", "N", "--attr", "COLOR"], "--attr expects NAME=VALUE"),
    ]
    for args, message in cases:
        result = cli("products", "add", *args)
        assert result.exit_code == 2, (args, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert result.stdout == ""
    assert listed(cli) == []


def test_duplicate_sku_on_add_is_a_conflict_and_changes_nothing(cli) -> None:
    first = add(cli, "--sku", "DUP", "--name", "First", "--price", "5")
    result = cli("products", "add", "--sku", "DUP", "--name", "Second", "--price", "9")
    assert result.exit_code == 4
    assert "a product with SKU 'DUP' already exists (id 1)" in result.stderr
    assert listed(cli) == [first]


def test_list_filters_by_sku_and_search_and_limits(cli) -> None:
    for sku, name in [("MUG-1", "Red Mug"), ("MUG-2", "Blue Mug"), ("TEE-1", "T-Shirt 100%")]:
        add(cli, "--sku", sku, "--name", name)
    assert [p["sku"] for p in listed(cli)] == ["MUG-1", "MUG-2", "TEE-1"]
    assert [p["sku"] for p in listed(cli, "--sku", "TEE-1,MUG-2")] == ["MUG-2", "TEE-1"]
    assert [p["sku"] for p in listed(cli, "--search", "mug")] == ["MUG-1", "MUG-2"]
    assert [p["sku"] for p in listed(cli, "--search", "100%")] == ["TEE-1"]
    assert [p["sku"] for p in listed(cli, "--search", "%")] == ["TEE-1"]  # % is literal
    limited = cli("--json", "products", "list", "--limit", "2")
    assert len(json.loads(limited.stdout)) == 2
    assert "showing 2 of 3 products" in limited.stderr
    human = cli("products", "list")
    assert "Blue Mug" in human.stdout and "SKU" in human.stdout


def test_list_sku_filter_ignores_case_like_woocommerce(cli) -> None:
    add(cli, "--sku", "SKU-0009", "--name", "Nine")
    add(cli, "--sku", "SKU-0010", "--name", "Ten")
    found = cli("--json", "products", "list", "--sku", "sku-0009")
    assert [p["sku"] for p in json.loads(found.stdout)] == ["SKU-0009"]
    assert [p["sku"] for p in listed(cli, "--sku", " sku-0010 ,Sku-0009")] == [
        "SKU-0009",
        "SKU-0010",
    ]
    assert json.loads(cli("--json", "products", "list", "--sku", "sku-9").stdout) == []


def test_json_list_is_never_cut_unless_limit_says_so(cli, db_path) -> None:
    from woosync.db.engine import open_database
    from woosync.services.catalog.upsert import upsert_products

    db = open_database(db_path)
    with db.session() as session:
        rows = [{"sku": f"BULK-{n:03}", "name": f"Bulk {n}"} for n in range(103)]
        upsert_products(session, rows)
        session.commit()
    db.dispose()
    everything = cli("--json", "products", "list")
    assert len(json.loads(everything.stdout)) == 103
    assert "showing" not in everything.stderr
    table = cli("products", "list")
    assert "showing 100 of 103 products" in table.stderr
    cut = cli("products", "list", "--json", "--limit", "5")
    assert len(json.loads(cut.stdout)) == 5 and "showing 5 of 103" in cut.stderr


def test_show_unknown_product_is_not_found(cli) -> None:
    assert cli("products", "show", "42").exit_code == 3
    result = cli("products", "show", "--sku", "NOPE")
    assert result.exit_code == 3 and "no product with SKU 'NOPE'" in result.stderr
    assert cli("products", "show").exit_code == 2


# edit ---------------------------------------------------------------------------------------------
def test_edit_changes_only_the_given_fields(cli) -> None:
    created = add(
        cli, "--sku", "E1", "--name", "Mug", "--price", "5", "--category", "Kitchen",
        "--attr", "COLOR=Red,Blue", "--attr", "Dimension=10x20", "--custom", "wholesalePrice=3",
    )  # fmt: skip
    result = cli(
        "--json", "products", "edit", "1", "--price", "6.00", "--attr", "Size=L",
        "--custom", "wholesalePrice=3.50", "--unset", "COLOR", "--unset", "categories",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    edited = json.loads(result.stdout)
    assert edited["price"] == "6.00"
    assert edited["categories"] == []
    assert edited["attributes"] == {"Dimension": "10x20", "Size": "L"}
    assert edited["customFields"] == {"wholesalePrice": "3.50"}
    assert edited["name"] == "Mug" and edited["createdAt"] == created["createdAt"]
    assert edited["updatedAt"] >= created["updatedAt"]
    assert "updated product 1 (E1): price, categories, COLOR, Size, wholesalePrice" in result.stderr

    dims = cli("--json", "products", "edit", "1", "--length", "3", "--width", "2")
    assert json.loads(dims.stdout)["dimensions"] == {"length": "3", "width": "2", "height": None}
    cleared = cli("--json", "products", "edit", "1", "--unset", "dimensions")
    assert json.loads(cleared.stdout)["dimensions"] == {
        "length": None,
        "width": None,
        "height": None,
    }
    edited = json.loads(cleared.stdout)

    same = cli("--json", "products", "edit", "1", "--price", "6.00")
    assert same.exit_code == 0
    assert json.loads(same.stdout)["updatedAt"] == edited["updatedAt"]
    assert "nothing changed" in same.stderr


def test_edit_errors(cli) -> None:
    add(cli, "--sku", "E1", "--name", "One", "--attr", "COLOR=Red")
    add(cli, "--sku", "E2", "--name", "Two")
    before = listed(cli)
    conflict = cli("products", "edit", "2", "--sku", "E1")
    assert conflict.exit_code == 4 and "SKU 'E1' is already used by product 1" in conflict.stderr
    assert cli("products", "edit", "9", "--price", "1").exit_code == 3
    for args, message in [
        (["--unset", "name"], "name is required and cannot be unset"),
        (["--name", "  "], "name: is required and cannot be empty"),
        (["--unset", "Material"], "has no field, attribute or custom field 'Material'"),
        (["--price", "1,50"], "price: '1,50' is not a number"),
        ([], "nothing to change"),
        (["--attr", "COLOR=Blue", "--unset", "COLOR"], "is both set and unset"),
    ]:
        result = cli("products", "edit", "1", *args)
        assert result.exit_code == 2, (args, result.stderr)
        assert message in result.stderr, (args, result.stderr)
    assert listed(cli) == before


def test_edit_sku_to_a_new_value(cli) -> None:
    add(cli, "--sku", "OLD", "--name", "Mug")
    result = cli("--json", "products", "edit", "1", "--sku", "NEW")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["sku"] == "NEW"
    assert cli("products", "show", "--sku", "OLD").exit_code == 3


# remove -------------------------------------------------------------------------------------------
def test_remove_needs_confirmation_and_deletes_sync_records(cli, db_path: Path) -> None:
    add(cli, "--sku", "R1", "--name", "Keep me")
    add(cli, "--sku", "R2", "--name", "Remove me")
    db = open_database(db_path)
    with db.session() as session:
        connection = Connection(store_name="Shop", store_url="https://shop.example")
        session.add(connection)
        session.flush()
        assert connection.id is not None
        session.add(ProductSync(connection_id=connection.id, product_id=2, woo_product_id=77))
        session.add(ProductSync(connection_id=connection.id, product_id=1, woo_product_id=76))

    refused = cli("products", "remove", "2")
    assert refused.exit_code == 2 and "pass --yes" in refused.stderr
    assert len(listed(cli)) == 2

    removed = cli("--json", "products", "remove", "2", "--yes")
    assert removed.exit_code == 0, removed.stderr
    assert json.loads(removed.stdout) == {
        "id": 2,
        "sku": "R2",
        "name": "Remove me",
        "syncRecordsRemoved": 1,
        "stores": [],
    }
    assert "the stores still have their copies" in removed.stderr
    assert [p["sku"] for p in listed(cli)] == ["R1"]
    with db.session() as session:
        from sqlmodel import select

        remaining = session.exec(select(ProductSync)).all()
    assert [(sync.product_id, sync.woo_product_id) for sync in remaining] == [(1, 76)]
    db.dispose()
    assert cli("products", "remove", "2", "--yes").exit_code == 3


# load ---------------------------------------------------------------------------------------------
def test_load_example_yaml_then_again_then_the_csv(cli) -> None:
    code, first, _ = load(cli, EXAMPLE_YAML)
    assert code == 0
    assert first is not None
    assert (first["created"], first["updated"], first["unchanged"], first["invalid"]) == (
        16,
        0,
        0,
        0,
    )
    assert first["applied"] is True and first["format"] == "yaml"
    assert "SALT-PEPPER-MILL" in first["createdSkus"] and "004512" in first["createdSkus"]

    code, second, _ = load(cli, EXAMPLE_YAML)
    assert code == 0 and second is not None
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, 16)

    # the CSV example holds the same data for four of the products, and a variable product with
    # its three variations (rows of type variation naming their parent_sku)
    code, from_csv, _ = load(cli, EXAMPLE_CSV)
    assert code == 0 and from_csv is not None
    assert (from_csv["created"], from_csv["updated"], from_csv["unchanged"]) == (4, 0, 4)

    mill = json.loads(cli("--json", "products", "show", "--sku", "SALT-PEPPER-MILL").stdout)
    assert mill["name"] == "Salt & Pepper Mill"
    assert mill["sale_price"] == "29.00"
    assert mill["customFields"] == {"wholesalePrice": "17.00"}
    candle = json.loads(cli("--json", "products", "show", "--sku", "004512").stdout)
    assert candle["name"] == "Beeswax Candle Set"


def test_load_human_output(cli) -> None:
    result = cli("products", "load", str(EXAMPLE_YAML))
    assert result.exit_code == 0
    assert result.stdout.strip() == f"{EXAMPLE_YAML}: 16 created, 0 updated, 0 unchanged"


def test_load_json_reports_updated_products_and_their_changes(cli, tmp_path: Path) -> None:
    path = tmp_path / "products.json"
    rows = [
        {"sku": "J1", "name": "One", "price": 10, "attributes": {"COLOR": ["Red"]}},
        {"sku": "J2", "name": "Two", "price": 12.5},
    ]
    path.write_text(json.dumps({"products": rows}))
    code, data, _ = load(cli, path)
    assert code == 0 and data is not None and data["createdSkus"] == ["J1", "J2"]

    rows[1]["price"] = 13
    rows.append({"sku": "J3", "name": "Three"})
    path.write_text(json.dumps(rows))
    code, data, _ = load(cli, path)
    assert code == 0 and data is not None
    assert data["createdSkus"] == ["J3"]
    assert data["updatedSkus"] == ["J2"]
    assert data["unchangedSkus"] == ["J1"]
    assert data["changes"] == [
        {"sku": "J2", "fields": [{"field": "price", "old": "12.5", "new": "13"}]}
    ]


def test_listing_loads_back_unchanged(cli, tmp_path: Path) -> None:
    load(cli, EXAMPLE_YAML)
    dump = tmp_path / "dump.json"
    dump.write_text(cli("--json", "products", "list", "--limit", "0").stdout)
    code, data, _ = load(cli, dump)
    assert code == 0 and data is not None
    assert (data["created"], data["updated"], data["unchanged"]) == (0, 0, 16)


def test_yaml_skus_and_values_keep_their_text(cli, tmp_path: Path) -> None:
    path = tmp_path / "traps.yml"
    path.write_text(
        "- {sku: 0123, name: NO, price: 012.50, attributes: {Size: 08}, customFields: {code: 1e3}}\n"
        "- {sku: 1_000, name: yes, description: 2024-01-01}\n"
    )
    code, data, stderr = load(cli, path)
    assert code == 0, stderr
    assert data is not None and data["createdSkus"] == ["0123", "1_000"]
    first = json.loads(cli("--json", "products", "show", "--sku", "0123").stdout)
    assert first["name"] == "NO"
    assert first["price"] == "012.50"
    assert first["attributes"] == {"Size": "08"}
    assert first["customFields"] == {"code": "1e3"}
    second = json.loads(cli("--json", "products", "show", "--sku", "1_000").stdout)
    assert (second["name"], second["description"]) == ("yes", "2024-01-01")


def test_bad_rows_are_reported_with_row_numbers_and_change_nothing(cli, tmp_path: Path) -> None:
    add(cli, "--sku", "KEEP", "--name", "Kept", "--price", "1")
    path = tmp_path / "bad.csv"
    path.write_text(
        "sku,name,price,status\n"
        "KEEP,Kept,2,publish\n"  # row 2: valid update
        "B1,Bad price,abc,publish\n"  # row 3
        "\n"  # row 4: blank, ignored
        ",No SKU,3,publish\n"  # row 5
        "B2,Good,4,publish\n"  # row 6: valid create
        "B3,,4,publish\n"  # row 7: new product without a name
        "B4,Status,4,live\n"  # row 8
        "B2,Again,5,draft\n"  # row 9: SKU twice
    )
    result = cli("products", "load", str(path))
    assert result.exit_code == 2
    assert "row 3 (B1): price: 'abc' is not a number like 12.50" in result.stderr
    assert "row 5: sku: is required" in result.stderr
    assert "row 7 (B3): name: is required for a new product" in result.stderr
    assert "row 8 (B4): status: 'live' is not one of publish" in result.stderr
    assert "row 9 (B2): SKU 'B2' is also on row 6" in result.stderr
    assert "5 invalid row(s)" in result.stderr and "nothing was loaded" in result.stderr
    assert result.stdout == ""
    assert [(p["sku"], p["price"]) for p in listed(cli)] == [("KEEP", "1")]

    code, data, _ = load(cli, path)
    assert code == 2 and data is not None and data["applied"] is False
    assert [error["row"] for error in data["errors"]] == [3, 5, 7, 8, 9]
    assert [(p["sku"], p["price"]) for p in listed(cli)] == [("KEEP", "1")]


def test_skus_that_differ_only_in_case_are_refused(cli, tmp_path: Path) -> None:
    # WooCommerce compares SKUs without regard to case: two such products could never both be
    # exported (the second would be matched to the first's store product or refused).
    first = add(cli, "--sku", "MUG-1", "--name", "Mug")
    twin = cli("products", "add", "--sku", "mug-1", "--name", "Other mug")
    assert twin.exit_code == 4
    assert "SKU 'mug-1' differs only in case from product 1's SKU 'MUG-1'" in twin.stderr
    add(cli, "--sku", "BOWL", "--name", "Bowl")
    renamed = cli("products", "edit", "2", "--sku", "Mug-1")
    assert renamed.exit_code == 4
    assert "SKU 'Mug-1' differs only in case from product 1's SKU 'MUG-1'" in renamed.stderr
    path = tmp_path / "case.csv"
    path.write_text("sku,name\nCUP,Cup\ncup,Small cup\nmug-1,Mug again\nBOWL,Bowl\n")
    result = cli("products", "load", str(path))
    assert result.exit_code == 2
    assert "row 3 (cup): SKU 'cup' differs only in case from 'CUP' on row 2" in result.stderr
    assert (
        "row 4 (mug-1): SKU 'mug-1' differs only in case from product 1's SKU 'MUG-1'"
        in result.stderr
    )
    assert [p["sku"] for p in listed(cli)] == ["MUG-1", "BOWL"]
    # a product may change the case of its own SKU
    changed = cli("--json", "products", "edit", "1", "--sku", "Mug-1")
    assert changed.exit_code == 0, changed.stderr
    assert json.loads(changed.stdout)["sku"] == "Mug-1" and first["id"] == 1


def test_skip_invalid_applies_the_valid_rows_and_exits_1(cli, tmp_path: Path) -> None:
    path = tmp_path / "mixed.yaml"
    path.write_text(
        "products:\n"
        "  - {sku: OK1, name: Fine, price: 3}\n"
        "  - {sku: BAD, name: Broken, price: three}\n"
        "  - {sku: OK2, name: Fine too, COLOR: Red}\n"
        "  - just text\n"
    )
    result = cli("products", "load", str(path), "--skip-invalid")
    assert result.exit_code == 1
    assert result.stdout.strip() == f"{path}: 1 created, 0 updated, 0 unchanged, 3 invalid skipped"
    assert "row 2 (BAD): price: 'three' is not a number" in result.stderr
    assert "row 3 (OK2): unknown field 'COLOR'" in result.stderr
    assert "row 4: a product must be an object" in result.stderr
    assert [p["sku"] for p in listed(cli)] == ["OK1"]


def test_dry_run_changes_nothing(cli, tmp_path: Path) -> None:
    load(cli, EXAMPLE_YAML)
    path = tmp_path / "prices.csv"
    path.write_text("sku,price\nMUG-CLASSIC,13.00\nNEW-1,1\n")
    result = cli("products", "load", str(path), "--dry-run", "--skip-invalid")
    assert result.exit_code == 1  # NEW-1 has no name
    assert "0 would be created, 1 would be updated" in result.stdout
    assert "MUG-CLASSIC: price: '12.50' -> '13.00'" in result.stdout
    assert "dry run: nothing was changed" in result.stderr
    mug = json.loads(cli("--json", "products", "show", "--sku", "MUG-CLASSIC").stdout)
    assert mug["price"] == "12.50"

    path.write_text("sku,price\nMUG-CLASSIC,13.00\n")
    code, data, _ = load(cli, path)
    assert code == 0 and data is not None and data["updatedSkus"] == ["MUG-CLASSIC"]
    mug = json.loads(cli("--json", "products", "show", "--sku", "MUG-CLASSIC").stdout)
    assert mug["price"] == "13.00" and mug["name"] == "Classic Ceramic Mug"


def test_file_level_errors(cli, tmp_path: Path) -> None:
    cases = {
        "unknown.csv": ("sku,name,colour\nA,B,red\n", "unknown column 'colour'"),
        "broken.json": ('[{"sku": "A",', "is not valid JSON"),
        "broken.yaml": ("- sku: [A\n", "is not valid YAML"),
        "scalar.json": ('"hello"', "must hold a list of products"),
        "products.txt": ("sku\nA\n", "cannot tell the format"),
    }
    for name, (text, message) in cases.items():
        path = tmp_path / name
        path.write_text(text)
        result = cli("products", "load", str(path))
        assert result.exit_code == 2, name
        assert message in result.stderr, (name, result.stderr)
    missing = cli("products", "load", str(tmp_path / "missing.csv"))
    assert missing.exit_code == 2 and "cannot read" in missing.stderr
    forced = cli("--json", "products", "load", str(tmp_path / "products.txt"), "--format", "csv")
    assert forced.exit_code == 2 and "1 invalid row(s)" in forced.stderr
    assert json.loads(forced.stdout)["errors"] == [
        {"row": 2, "sku": "A", "message": "name: is required for a new product"}
    ]


def test_load_from_stdin(cli) -> None:
    result = cli(
        "--json", "products", "load", "-", "--format", "json", input='[{"sku":"S","name":"N"}]'
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["createdSkus"] == ["S"]


def test_show_says_yes_or_no_for_a_true_or_false_field(cli) -> None:
    made = cli("products", "add", "--sku", "S-1", "--name", "Stocked", "--manage-stock")
    assert made.exit_code == 0, made.stderr
    row = next(line for line in made.stdout.splitlines() if "Manage stock" in line)
    assert "yes" in row and "True" not in row
    cli("products", "edit", "S-1", "--no-manage-stock")
    shown = cli("products", "show", "S-1").stdout
    assert "no" in next(line for line in shown.splitlines() if "Manage stock" in line)
