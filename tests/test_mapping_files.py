"""``woosync mappings apply`` / ``dump``: YAML mapping files as the source of truth for mappings."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mapping_helpers import (
    add_two_stores,
    create_export,
    create_import,
    refused,
    run_json,
    snapshot,
)
from woosync.db.engine import open_database
from woosync.db.models import Connection

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "mappings"


@pytest.fixture
def stores(db_path: Path) -> Path:
    """The two connections of the examples, made directly in the store (ids 1 and 2)."""
    return add_two_stores(db_path)


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def apply(cli, *args: str | Path):
    return cli("mappings", "apply", *map(str, args))


def test_the_examples_apply_then_a_second_apply_changes_nothing(cli, stores) -> None:
    files = sorted(str(p) for p in EXAMPLES.glob("*.yaml"))
    assert [Path(f).name for f in files] == ["import.yaml", "retail.yaml", "wholesale.yaml"]
    first = apply(cli, "--json", *files)
    assert first.exit_code == 0, first.stderr
    changes = json.loads(first.stdout)
    assert sorted((c["store"], c["direction"], c["action"]) for c in changes) == [
        ("Main Retail Store", "export", "create"),
        ("Main Retail Store", "import", "create"),
        ("Wholesale Store", "export", "create"),
    ]
    retail = run_json(cli, "export-mapping", "active", "Main Retail Store")
    assert retail["selectedFields"] == [
        "name",
        "sku",
        "description",
        "price",
        "images",
        "COLOR",
        "Dimension",
    ]
    assert retail["fieldMappings"] == {
        "price": "regular_price",
        "COLOR": "pa_color",
        "Dimension": "pa_dimension",
    }
    wholesale = run_json(cli, "export-mapping", "active", "Wholesale Store")
    assert wholesale["fieldMappings"] == {"wholesalePrice": "regular_price"}
    imported = run_json(cli, "import-mapping", "active", "Main Retail Store")
    assert imported["attributeMappings"] == {
        "pa_material": "material",
        "pa_color": "color",
        "pa_size": "size",
    }
    assert imported["fieldMappings"] == {
        "regular_price": "price",
        "sale_price": "salePrice",
        "weight": "productWeight",
    }

    before = snapshot(stores)
    second = apply(cli, *files)
    assert second.exit_code == 0 and second.stdout.strip() == "no changes"
    assert json.loads(apply(cli, "--json", *files).stdout) == []
    assert snapshot(stores) == before  # not even updatedAt moved


def test_dry_run_shows_the_changes_and_writes_nothing(cli, stores) -> None:
    result = apply(cli, "--dry-run", EXAMPLES / "retail.yaml")
    assert result.exit_code == 0
    assert "would create export mapping for 'Main Retail Store'" in result.stdout
    assert "dry run: nothing was changed" in result.stderr
    assert snapshot(stores) == []

    as_json = json.loads(apply(cli, "--json", "--dry-run", EXAMPLES / "retail.yaml").stdout)
    assert [(c["action"], c["mappingId"]) for c in as_json] == [("create", None)]
    assert snapshot(stores) == []


def test_dry_run_lists_each_value_that_changes(cli, stores, tmp_path) -> None:
    path = write(
        tmp_path / "retail.yaml",
        "store: Main Retail Store\nexport:\n  selectedFields: [name, sku, price, weight]\n"
        "  fieldMappings: {price: regular_price, weight: weight}\n",
    )
    assert apply(cli, path).exit_code == 0
    write(
        path,
        "store: Main Retail Store\nexport:\n  selectedFields: [name, sku, price, description]\n"
        "  fieldMappings: {price: sale_price, description: short_description}\n",
    )
    dry = apply(cli, "--dry-run", path)
    assert dry.exit_code == 0
    assert dry.stdout.splitlines() == [
        f"~ would update export mapping 1 for 'Main Retail Store' ({path})",
        "    + selectedFields description",
        "    - selectedFields weight",
        "    ~ fieldMappings.price regular_price -> sale_price",
        "    - fieldMappings.weight (was weight)",
        "    + fieldMappings.description = short_description",
    ]
    write(path, "store: Main Retail Store\nexport:\n  selectedFields: [sku, name, price, weight]\n"
          "  fieldMappings: {price: regular_price, weight: weight}\n")  # fmt: skip
    reordered = apply(cli, "--dry-run", path).stdout.splitlines()
    assert reordered[1:] == [
        "    ~ selectedFields [name, sku, price, weight] -> [sku, name, price, weight]"
    ]
    new_store = write(
        tmp_path / "wholesale.yaml",
        "store: Wholesale Store\nimport:\n  attributeMappings: {pa_color: color}\n",
    )
    created = apply(cli, "--dry-run", new_store).stdout.splitlines()
    assert created[0].startswith("+ would create import mapping for 'Wholesale Store'")
    assert "    + attributeMappings.pa_color = color" in created


def test_a_changed_file_updates_the_active_mapping_in_place(cli, stores, tmp_path) -> None:
    path = write(
        tmp_path / "retail.yaml",
        "store: Main Retail Store\nexport:\n  selectedFields: [name, sku, price]\n",
    )
    created = json.loads(apply(cli, "--json", path).stdout)[0]
    write(
        path,
        "store: https://retail.example.com\n"
        "export:\n  selectedFields: [name, sku, price]\n  fieldMappings: {price: regular_price}\n",
    )
    dry = apply(cli, "--dry-run", path)
    assert f"would update export mapping {created['mappingId']}" in dry.stdout
    assert "fieldMappings" in dry.stdout and "selectedFields" not in dry.stdout

    updated = json.loads(apply(cli, "--json", path).stdout)
    assert updated == [
        {
            "file": str(path),
            "store": "Main Retail Store",
            "connectionId": 1,
            "direction": "export",
            "action": "update",
            "mappingId": created["mappingId"],
            "changes": {"fieldMappings": {"from": {}, "to": {"price": "regular_price"}}},
        }
    ]
    listed = run_json(cli, "export-mapping", "list", "1")
    assert len(listed) == 1 and listed[0]["fieldMappings"] == {"price": "regular_price"}


def test_apply_updates_the_active_one_and_leaves_older_mappings_alone(
    cli, stores, tmp_path
) -> None:
    old = create_export(cli, "1", "--fields", "name,sku,images")
    active = create_export(cli, "1", "--fields", "name,sku")
    path = write(
        tmp_path / "m.yaml",
        "store: Main Retail Store\nexport:\n  selectedFields: [name, sku, price]\n",
    )
    apply(cli, path)
    listed = {m["id"]: m for m in run_json(cli, "export-mapping", "list", "1")}
    assert listed[old["id"]]["selectedFields"] == ["name", "sku", "images"]
    assert listed[active["id"]]["selectedFields"] == ["name", "sku", "price"]
    assert listed[active["id"]]["isActive"] is True and len(listed) == 2


def test_an_identical_inactive_mapping_is_reactivated_not_copied(cli, stores, tmp_path) -> None:
    kept = create_export(cli, "1", "--fields", "name,sku,price", "--inactive")
    path = write(
        tmp_path / "m.yaml",
        "store: Main Retail Store\nexport:\n  selectedFields: [name, sku, price]\n",
    )
    changes = json.loads(apply(cli, "--json", path).stdout)
    assert [(c["action"], c["mappingId"]) for c in changes] == [("activate", kept["id"])]
    assert [m["id"] for m in run_json(cli, "export-mapping", "list", "1")] == [kept["id"]]
    assert run_json(cli, "export-mapping", "active", "1")["id"] == kept["id"]


def test_dump_then_apply_is_a_no_op(cli, stores, tmp_path) -> None:
    # names that YAML 1.1 would misread unless quoted, and characters that need quoting
    create_export(
        cli,
        "1",
        "--fields",
        "name,sku,price,NO,0123,on,Size: EU,#tag",
        "--map",
        "price=regular_price",
        "--map",
        "NO=pa_no",
        "--map",
        "Size: EU=pa_size",
    )
    create_import(cli, "1", "--attr", "pa_color=yes", "--map", "weight=1.5")
    create_import(cli, "2", "--attr", "Color=colour")
    before = snapshot(stores)

    dumped = cli("mappings", "dump")
    assert dumped.exit_code == 0, dumped.stderr
    assert dumped.stdout.count("store:") == 2
    assert "# woosync mappings for Main Retail Store (https://retail.example.com)" in dumped.stdout
    path = write(tmp_path / "all.yaml", dumped.stdout)
    result = apply(cli, path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "no changes"

    out = tmp_path / "mappings"
    written = json.loads(cli("--json", "mappings", "dump", "--output", str(out)).stdout)
    # both stores were applied from all.yaml: they are written back to all.yaml
    assert [(Path(w["file"]).name, w["action"], w["stores"]) for w in written] == [
        ("all.yaml", "create", ["Main Retail Store", "Wholesale Store"])
    ]
    assert apply(cli, *sorted(out.iterdir())).stdout.strip() == "no changes"

    only = cli("mappings", "dump", "--connection", "Wholesale Store")
    assert "store: Wholesale Store" in only.stdout and "Main Retail" not in only.stdout
    assert json.loads(cli("--json", "mappings", "dump", "-c", "2").stdout)[0]["import"] == {
        "attributeMappings": {"Color": "colour"},
        "fieldMappings": {},
    }
    assert snapshot(stores) == before


def test_dump_names_the_store_by_url_when_its_name_is_ambiguous(cli, stores) -> None:
    db = open_database(stores)
    with db.session() as session:
        session.add(
            Connection(store_name="Wholesale Store", store_url="https://wholesale-eu.example.com")
        )
    db.dispose()
    create_export(cli, "3", "--fields", "name,sku")
    dumped = cli("mappings", "dump", "--connection", "3").stdout
    assert "store: https://wholesale-eu.example.com" in dumped


def test_dump_without_active_mappings_writes_nothing(cli, stores) -> None:
    result = cli("mappings", "dump")
    assert result.exit_code == 0 and result.stdout == ""
    assert "no active mappings to dump" in result.stderr
    assert cli("mappings", "dump", "-c", "9").exit_code == 3


GOOD = "store: Main Retail Store\nexport:\n  selectedFields: [name, sku, price]\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "store: Main Retail Store\nexport:\n  selectedFields: [name, sku\n  fieldMappings: {}\n",
            "bad.yaml:4: YAML syntax error",
        ),
        (
            "store: Main Retail Store\nexport:\n  selectedFields: [name, sku]\n  fieldMapping:\n    a: b\n",
            "bad.yaml:4: export.fieldMapping: unknown key (did you mean 'fieldMappings'?",
        ),
        (
            "store: Main Retail Store\nexport:\n  selectedFields: [name, sku, NO]\n",
            "bad.yaml:3: export.selectedFields[2]: YAML reads the unquoted 'NO' as false",
        ),
        (
            "store: Main Retail Store\nimport:\n  fieldMappings:\n    weight: 0123\n",
            "bad.yaml:4: import.fieldMappings.weight: YAML reads the unquoted '0123' as 83",
        ),
        (
            "store: Main Retail Store\nexport:\n  selectedFields: [name, sku]\n  fieldMappings:\n"
            "    price: regular_price\n",
            'bad.yaml:5: export: fieldMappings key "price" is not among the selected fields',
        ),
        (
            "store: Main Retail Store\nexport:\n  selectedFields:\n    - name\n    - price\n",
            'bad.yaml:3: export: Export mapping must include "name" and "sku" fields',
        ),
        (
            "store: Main Retail Store\nexport:\n  selectedFields: [name, sku, price, price]\n",
            'bad.yaml:3: export: selectedFields lists "price" twice',
        ),
        (
            "store: Main Retail Store\nimport:\n  attributeMappings:\n    pa_color: color\n"
            "  fieldMappings:\n    pa_size: size\n",
            'bad.yaml:6: import: fieldMappings key "pa_size" is an attribute slug',
        ),
        (
            "store: Main Retail Store\nexport:\n  selectedFields: [name, sku]\n  fieldMappings:\n"
            "    sku: sku\n    sku: name\n",
            "bad.yaml:6: export.fieldMappings.sku: duplicate key (first given on line 5)",
        ),
        (
            "store: '1'\nexport:\n  selectedFields: [name, sku]\n",
            "bad.yaml:1: store: name the store",
        ),
        (
            "store: Main Retail Store\n",
            "bad.yaml:1: a mapping document needs an 'export:', 'import:' or 'products:'",
        ),
        ("version: 2\n" + GOOD, "bad.yaml:1: version: unsupported version 2"),
        (
            "\n\nstore: Main Retail Store\nexport: {}\n",
            "bad.yaml:4: export.selectedFields: required key",
        ),
    ],
)
def test_invalid_files_name_file_line_and_key_and_change_nothing(
    cli, stores, tmp_path, text, expected
) -> None:
    good = write(tmp_path / "good.yaml", GOOD)
    bad = write(tmp_path / "bad.yaml", text)
    result = refused(cli, stores, "mappings", "apply", str(good), str(bad))  # good.yaml neither
    assert f"{tmp_path}/{expected}" in result.stderr
    assert result.stdout == "" and result.stderr.count("\n") == 1


def test_an_unknown_store_is_not_found_and_nothing_is_applied(cli, stores, tmp_path) -> None:
    good = write(tmp_path / "good.yaml", GOOD)
    bad = write(
        tmp_path / "bad.yaml",
        "# moved\nstore: Closed Store\nexport:\n  selectedFields: [name, sku]\n",
    )
    result = apply(cli, good, bad)
    assert result.exit_code == 3
    assert f"{bad}:2: store: connection 'Closed Store' not found" in result.stderr
    assert snapshot(stores) == []


def test_two_files_for_the_same_store_and_direction_are_refused(cli, stores, tmp_path) -> None:
    one = write(tmp_path / "one.yaml", GOOD)
    two = write(
        tmp_path / "two.yaml", GOOD.replace("Main Retail Store", "https://retail.example.com")
    )
    result = apply(cli, one, two)
    assert result.exit_code == 2
    assert (
        f"{two}:2: export: the export mapping of 'Main Retail Store' is also given in {one}:2"
        in result.stderr
    )
    assert snapshot(stores) == []


def test_several_files_apply_together(cli, stores, tmp_path) -> None:
    export_file = write(tmp_path / "export.yaml", GOOD)
    import_file = shutil.copy(EXAMPLES / "import.yaml", tmp_path / "import.yaml")
    both = write(
        tmp_path / "wholesale.yaml",
        "store: Wholesale Store\nexport:\n  selectedFields: [name, sku]\n"
        "import:\n  attributeMappings: {Color: colour}\n",
    )
    changes = json.loads(apply(cli, "--json", export_file, import_file, both).stdout)
    assert len(changes) == 4
    assert len(snapshot(stores)) == 4


def test_a_missing_file_is_a_usage_error(cli, stores, tmp_path) -> None:
    result = apply(cli, tmp_path / "nope.yaml")
    assert result.exit_code == 2 and "nope.yaml: no such file" in result.stderr
