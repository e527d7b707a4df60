"""``woosync export-mapping`` and ``woosync import-mapping``: the spec's mapping operations through the
CLI (ARCHITECTURE.md, operations table)."""

from __future__ import annotations

import re
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

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
REQUIRED = 'Export mapping must include "name" and "sku" fields'


@pytest.fixture
def stores(db_path: Path) -> Path:
    """Two connections made directly in the store (ids 1 and 2)."""
    return add_two_stores(db_path)


# --- export mappings -----------------------------------------------------------------------------


def test_create_export_mapping_prints_the_spec_shape(cli, stores) -> None:
    data = create_export(
        cli,
        "1",
        "--fields",
        "name,sku,description,price,images,COLOR,Dimension",
        "--map",
        "price=regular_price",
        "--map",
        "COLOR=pa_color",
        "--map",
        "Dimension=pa_dimension",
    )
    assert list(data) == [
        "id",
        "connectionId",
        "selectedFields",
        "fieldMappings",
        "isActive",
        "createdAt",
        "updatedAt",
    ]
    assert data["id"] == 1 and data["connectionId"] == 1 and data["isActive"] is True
    assert data["selectedFields"] == [
        "name",
        "sku",
        "description",
        "price",
        "images",
        "COLOR",
        "Dimension",
    ]
    assert data["fieldMappings"] == {
        "price": "regular_price",
        "COLOR": "pa_color",
        "Dimension": "pa_dimension",
    }
    assert ISO.match(data["createdAt"]) and ISO.match(data["updatedAt"])
    assert run_json(cli, "export-mapping", "list", "1") == [data]


def test_connection_is_found_by_id_name_or_url(cli, stores) -> None:
    by_name = create_export(cli, "Wholesale Store", "--fields", "name,sku")
    by_url = create_export(
        cli, "https://wholesale.example.com/wp-json/wc/v3", "--fields", "name,sku"
    )
    assert by_name["connectionId"] == by_url["connectionId"] == 2


def test_human_output_goes_to_stdout_and_the_confirmation_to_stderr(cli, stores) -> None:
    result = cli(
        "export-mapping",
        "create",
        "1",
        "--fields",
        "name, sku ,price",
        "--map",
        "price=regular_price",
    )
    assert result.exit_code == 0
    assert "export mapping 1" in result.stdout and "name, sku, price" in result.stdout
    assert "price → regular_price" in result.stdout
    assert "created export mapping 1" in result.stderr and "created" not in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fields", "name,price"], REQUIRED),
        (["--fields", "sku,price"], REQUIRED),
        (
            ["--fields", "name,sku,price", "--map", "COLOR=pa_color"],
            'fieldMappings key "COLOR" is not among',
        ),
        (
            ["--fields", "name,sku,price", "--map", "price=colour"],
            'fieldMappings["price"]: "colour" is not',
        ),
        (
            ["--fields", "name,sku,price", "--map", "price=regular_prise"],
            "did you mean regular_price",
        ),
        (["--fields", "name,sku,COLOR", "--map", "COLOR=pa_Color"], 'fieldMappings["COLOR"]'),
        (
            ["--fields", "name,sku,price,wholesalePrice", "--map", "wholesalePrice=regular_price"],
            '"price" and "wholesalePrice" would both go to the WooCommerce field "regular_price"',
        ),
        (
            ["--fields", "name,sku,a,b", "--map", "a=pa_x", "--map", "b=pa_x"],
            '"a" and "b" would both go to the WooCommerce field "pa_x"',
        ),
        (["--fields", "name,sku,price,price"], 'selectedFields lists "price" twice'),
        # values that cannot fit their target: the export would send "['a.jpg']" as a text or
        # drop the value without a word
        (
            ["--fields", "name,sku,images", "--map", "images=description"],
            'fieldMappings["images"]: "images" is a list and cannot go to the text field '
            '"description"',
        ),
        (
            ["--fields", "name,sku,dimensions", "--map", "dimensions=weight"],
            'fieldMappings["dimensions"]: "dimensions" can only go to "dimensions"',
        ),
        (
            ["--fields", "name,sku,Dimension", "--map", "Dimension=dimensions"],
            'fieldMappings["Dimension"]: only the "dimensions" field can go to "dimensions"',
        ),
        (
            ["--fields", "name,sku,dimensions,length"],
            '"dimensions" and "length" would both go to the WooCommerce field "length"',
        ),
        (
            ["--fields", "name,sku,dimensions,boxDepth", "--map", "boxDepth=width"],
            '"dimensions" and "boxDepth" would both go to the WooCommerce field "width"',
        ),
        (["--fields", "name,sku", "--map", "price"], '--map "price" must look like KEY=VALUE'),
        (
            [
                "--fields",
                "name,sku,price",
                "--map",
                "price=regular_price",
                "--map",
                "price=sale_price",
            ],
            '--map: "price" is given twice',
        ),
        (["--fields", "name,sku", "--file", "x.yaml"], "use either --file or --fields/--map"),
        ([], "give CONNECTION and --fields"),
    ],
)
def test_export_validation_errors_name_the_key_and_change_nothing(
    cli, stores, args, message
) -> None:
    create_export(cli, "1", "--fields", "name,sku")
    result = refused(cli, stores, "export-mapping", "create", "1", *args)
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""


def test_the_required_fields_error_is_the_spec_message_also_on_update(cli, stores) -> None:
    create_export(cli, "1", "--fields", "name,sku,price")
    result = cli("export-mapping", "update", "1", "--fields", "name,price")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {REQUIRED}")


def test_values_that_fit_their_targets_are_accepted(cli, stores) -> None:
    for fields, maps in [
        ("name,sku,categories", ["categories=tags"]),
        ("name,sku,tags,Brand", ["tags=pa_style", "Brand=categories"]),
        ("name,sku,extraImages", ["extraImages=images"]),
        ("name,sku,boxDepth,width", ["boxDepth=length"]),
    ]:
        args = [arg for pair in maps for arg in ("--map", pair)]
        data = create_export(cli, "1", "--fields", fields, *args)
        assert data["selectedFields"] == fields.split(",")
        assert data["fieldMappings"] == dict(pair.split("=") for pair in maps)


def test_standard_fields_and_attributes_are_accepted(cli, stores) -> None:
    data = create_export(
        cli,
        "1",
        "--fields",
        "name,sku,description,status,type,images,categories,tags,price,sale_price,weight,"
        "dimensions,stock_status,Size,Material,wholesalePrice",
        "--map",
        "Size=pa_size",
        "--map",
        "Material=pa_material",
    )
    assert len(data["selectedFields"]) == 16


def test_creating_makes_the_new_mapping_active_and_activating_switches(cli, stores) -> None:
    first = create_export(cli, "1", "--fields", "name,sku")
    second = create_export(cli, "1", "--fields", "name,sku,price")
    other_store = create_export(cli, "2", "--fields", "name,sku")
    listed = run_json(cli, "export-mapping", "list", "1")
    assert [(m["id"], m["isActive"]) for m in listed] == [
        (first["id"], False),
        (second["id"], True),
    ]
    assert run_json(cli, "export-mapping", "active", "1")["id"] == second["id"]

    run_json(cli, "export-mapping", "update", str(first["id"]), "--active")
    listed = run_json(cli, "export-mapping", "list", "1")
    assert [(m["id"], m["isActive"]) for m in listed] == [
        (first["id"], True),
        (second["id"], False),
    ]
    assert run_json(cli, "export-mapping", "active", "2")["id"] == other_store["id"]  # untouched

    inactive = create_export(cli, "1", "--fields", "name,sku,images", "--inactive")
    assert inactive["isActive"] is False
    assert run_json(cli, "export-mapping", "active", "1")["id"] == first["id"]


def test_active_prints_nothing_or_null_when_none_is_active(cli, stores) -> None:
    result = cli("export-mapping", "active", "1")
    assert result.exit_code == 0 and result.stdout == ""
    assert "no active export mapping" in result.stderr
    assert cli("--json", "export-mapping", "active", "1").stdout.strip() == "null"

    created = create_export(cli, "1", "--fields", "name,sku")
    run_json(cli, "export-mapping", "update", str(created["id"]), "--inactive")
    assert cli("export-mapping", "active", "1", "--json").stdout.strip() == "null"


def test_update_merges_replaces_and_clears_field_mappings(cli, stores) -> None:
    created = create_export(
        cli, "1", "--fields", "name,sku,price,COLOR", "--map", "price=regular_price"
    )
    mapping_id = str(created["id"])
    merged = run_json(cli, "export-mapping", "update", mapping_id, "--map", "COLOR=pa_color")
    assert merged["fieldMappings"] == {"price": "regular_price", "COLOR": "pa_color"}
    assert (
        merged["updatedAt"] >= created["updatedAt"] and merged["createdAt"] == created["createdAt"]
    )

    cleared = run_json(
        cli, "export-mapping", "update", mapping_id, "--clear-maps", "--map", "price=sale_price"
    )
    assert cleared["fieldMappings"] == {"price": "sale_price"}

    result = cli("export-mapping", "update", mapping_id, "--fields", "name,sku")
    assert result.exit_code == 2 and 'fieldMappings key "price"' in result.stderr

    fields = run_json(
        cli, "export-mapping", "update", mapping_id, "--fields", "name,sku", "--clear-maps"
    )
    assert fields["selectedFields"] == ["name", "sku"] and fields["fieldMappings"] == {}

    nothing = cli("export-mapping", "update", mapping_id)
    assert nothing.exit_code == 2 and "nothing to update" in nothing.stderr


def test_delete_asks_on_a_terminal_and_refuses_without_one_unless_yes(
    cli, stores, monkeypatch
) -> None:
    created = create_export(cli, "1", "--fields", "name,sku")
    before = snapshot(stores)
    scripted = cli("export-mapping", "delete", str(created["id"]))
    assert scripted.exit_code == 2
    assert (
        "refusing to delete export mapping 1 without confirmation (pass --yes)" in scripted.stderr
    )
    assert snapshot(stores) == before

    monkeypatch.setattr("woosync.core.terminal.stdin_is_terminal", lambda: True)
    refused = cli("export-mapping", "delete", str(created["id"]), input="n\n")
    assert refused.exit_code == 1 and "nothing deleted" in refused.stderr
    assert snapshot(stores) == before

    confirmed = cli("export-mapping", "delete", str(created["id"]), input="y\n")
    assert confirmed.exit_code == 0 and "deleted export mapping 1" in confirmed.stderr
    assert run_json(cli, "export-mapping", "list", "1") == []

    again = create_export(cli, "1", "--fields", "name,sku")
    assert run_json(cli, "export-mapping", "delete", str(again["id"]), "--yes") == {
        "id": again["id"],
        "deleted": True,
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export-mapping", "create", "9", "--fields", "name,sku"], "connection 9 not found"),
        (
            ["export-mapping", "create", "Nope", "--fields", "name,sku"],
            "connection 'Nope' not found",
        ),
        (["export-mapping", "list", "9"], "connection 9 not found"),
        (["export-mapping", "active", "https://nowhere.example.com"], "not found"),
        (["export-mapping", "update", "42", "--active"], "export mapping 42 not found"),
        (["export-mapping", "delete", "42", "--yes"], "export mapping 42 not found"),
        (["import-mapping", "create", "9", "--attr", "pa_color=color"], "connection 9 not found"),
        (["import-mapping", "list", "9"], "connection 9 not found"),
        (["import-mapping", "active", "9"], "connection 9 not found"),
        (["import-mapping", "update", "42", "--active"], "import mapping 42 not found"),
        (["import-mapping", "delete", "42"], "import mapping 42 not found"),
    ],
)
def test_missing_connections_and_mappings_are_not_found(cli, stores, args, message) -> None:
    result = cli(*args)
    assert result.exit_code == 3, result.stderr
    assert message in result.stderr and result.stdout == ""


def test_create_from_a_file_uses_its_store_or_the_given_connection(cli, stores, tmp_path) -> None:
    path = tmp_path / "retail.yaml"
    path.write_text(
        "store: Main Retail Store\n"
        "export:\n"
        "  selectedFields: [name, sku, price]\n"
        "  fieldMappings: {price: regular_price}\n"
    )
    from_file = create_export(cli, "--file", str(path))
    assert from_file["connectionId"] == 1
    assert from_file["fieldMappings"] == {"price": "regular_price"}
    elsewhere = create_export(cli, "Wholesale Store", "--file", str(path))
    assert elsewhere["connectionId"] == 2

    result = cli("import-mapping", "create", "--file", str(path))
    assert result.exit_code == 2 and "expected one 'import:' section, found no" in result.stderr

    path.write_text("store: Main Retail Store\nexport:\n  selectedFields: [name, price]\n")
    result = refused(cli, stores, "export-mapping", "create", "--file", str(path))
    assert f"{path}:3: export: {REQUIRED}" in result.stderr


# --- import mappings -----------------------------------------------------------------------------


def test_create_import_mapping_prints_the_spec_shape(cli, stores) -> None:
    data = create_import(
        cli,
        "1",
        "--attr",
        "pa_width=width",
        "--attr",
        "pa_height=height",
        "--attr",
        "pa_color=color",
        "--map",
        "regular_price=price",
        "--map",
        "sale_price=salePrice",
    )
    assert list(data) == [
        "id",
        "connectionId",
        "attributeMappings",
        "fieldMappings",
        "isActive",
        "createdAt",
        "updatedAt",
    ]
    assert data["attributeMappings"] == {
        "pa_width": "width",
        "pa_height": "height",
        "pa_color": "color",
    }
    assert data["fieldMappings"] == {"regular_price": "price", "sale_price": "salePrice"}
    assert data["isActive"] is True and ISO.match(data["createdAt"])
    assert run_json(cli, "import-mapping", "active", "Main Retail Store") == data
    local_names = create_import(cli, "2", "--attr", "Color=colour")
    assert local_names["attributeMappings"] == {"Color": "colour"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--attr", "regular_price=price"],
            'attributeMappings key "regular_price" is a WooCommerce product field',
        ),
        (
            ["--attr", "pa_Color=color"],
            'attributeMappings key "pa_Color" is not a valid attribute slug',
        ),
        (["--map", "pa_color=color"], 'fieldMappings key "pa_color" is an attribute slug'),
        (
            ["--map", "colour=color"],
            'fieldMappings key "colour" is not a WooCommerce product field',
        ),
        (
            ["--attr", "pa_color=color", "--attr", "Color=color"],
            'attributeMappings["Color"]: "color" is already filled by attributeMappings["pa_color"]',
        ),
        (
            ["--map", "regular_price=price", "--map", "sale_price=price"],
            'fieldMappings["sale_price"]: "price" is already filled by fieldMappings["regular_price"]',
        ),
        (
            ["--map", "sale_price=price"],
            '"price" is already filled by "regular_price" (by default)',
        ),
        (["--attr", "pa_weight=weight"], '"weight" is already filled by "weight" (by default)'),
        ([], "Import mapping must map at least one attribute or field"),
        (["--attr", "pa_color"], '--attr "pa_color" must look like KEY=VALUE'),
    ],
)
def test_import_validation_errors_name_the_key_and_change_nothing(
    cli, stores, args, message
) -> None:
    create_import(cli, "1", "--attr", "pa_size=size")
    result = refused(cli, stores, "import-mapping", "create", "1", *args)
    assert message in result.stderr and result.stdout == ""


def test_import_active_switch_update_and_delete(cli, stores) -> None:
    assert cli("--json", "import-mapping", "active", "1").stdout.strip() == "null"
    first = create_import(cli, "1", "--attr", "pa_color=color")
    second = create_import(cli, "1", "--attr", "pa_size=size", "--map", "weight=productWeight")
    assert run_json(cli, "import-mapping", "active", "1")["id"] == second["id"]

    updated = run_json(
        cli,
        "import-mapping",
        "update",
        str(first["id"]),
        "--attr",
        "pa_width=product_width",
        "--active",
    )
    assert updated["attributeMappings"] == {"pa_color": "color", "pa_width": "product_width"}
    listed = run_json(cli, "import-mapping", "list", "1")
    assert [(m["id"], m["isActive"]) for m in listed] == [
        (first["id"], True),
        (second["id"], False),
    ]

    replaced = run_json(
        cli,
        "import-mapping",
        "update",
        str(first["id"]),
        "--clear-attrs",
        "--attr",
        "pa_color=product_color",
        "--map",
        "regular_price=basePrice",
    )
    assert replaced["attributeMappings"] == {"pa_color": "product_color"}
    assert replaced["fieldMappings"] == {"regular_price": "basePrice"}

    emptied = cli("import-mapping", "update", str(first["id"]), "--clear-attrs", "--clear-maps")
    assert emptied.exit_code == 2 and "at least one attribute or field" in emptied.stderr

    human = cli("import-mapping", "list", "1")
    assert "pa_color → product_color" in human.stdout

    deleted = cli("import-mapping", "delete", str(first["id"]), "--yes")
    assert deleted.exit_code == 0
    assert cli("import-mapping", "active", "1").stdout == ""
    assert [m["id"] for m in run_json(cli, "import-mapping", "list", "1")] == [second["id"]]


def test_deleting_a_connection_deletes_its_mappings(cli, stores) -> None:
    create_export(cli, "2", "--fields", "name,sku")
    create_import(cli, "2", "--attr", "pa_color=color")
    db = open_database(stores)
    with db.session() as session:
        session.delete(session.get(Connection, 2))
    db.dispose()
    assert snapshot(stores) == []
