"""Reading product files (CSV, JSON, YAML) into numbered rows and validating them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from woosync.core.errors import ValidationError, param
from woosync.files.product_files import parse_products, read_product_file
from woosync.products.rows import validate_rows

ROOT = Path(__file__).resolve().parents[1]


def fields_of(text: str, fmt: str) -> list[tuple[int, dict[str, Any]]]:
    valid, errors = validate_rows(parse_products(text, fmt))
    assert errors == []
    return [(row.row, row.fields) for row in valid]


def test_csv_lists_attributes_custom_fields_and_spreadsheet_row_numbers() -> None:
    text = (
        "sku,name,price,length,categories,images,attribute:COLOR,attribute:Dimension,custom:wholesalePrice\n"
        'A1,"Salt & Pepper Mill, large",12.50,10,Kitchen|Gifts,https://x.example/a.jpg,Red|Blue,10x20,8.50\n'
        ",,,,,,,,\n"
        'A2,Mug,3,,,,,,"Multi\nline"\n'  # a quoted cell may span lines (a note)
    )
    rows = fields_of(text, "csv")
    assert rows[0] == (
        2,
        {
            "sku": "A1",
            "name": "Salt & Pepper Mill, large",
            "price": "12.50",
            "length": "10",
            "categories": ["Kitchen", "Gifts"],
            "images": ["https://x.example/a.jpg"],
            "attribute:COLOR": ["Red", "Blue"],
            "attribute:Dimension": "10x20",
            "custom:wholesalePrice": "8.50",
        },
    )
    row, second = rows[1]
    assert row == 4  # the blank row 3 is skipped but still counted
    assert second["custom:wholesalePrice"] == "Multi\nline"
    assert second["length"] is None and second["categories"] == []
    assert second["attribute:COLOR"] is None  # an empty cell removes the attribute


def test_json_accepts_a_list_or_a_products_object_and_canonical_numbers() -> None:
    listed = fields_of('[{"sku": 123, "name": "N", "price": 12.5, "weight": 2}]', "json")
    wrapped = fields_of(
        '{"products": [{"sku": "123", "name": "N", "price": "12.5", "weight": "2"}]}', "json"
    )
    assert listed == wrapped == [(1, {"sku": "123", "name": "N", "price": "12.5", "weight": "2"})]
    nested = fields_of(
        '[{"sku": "D", "dimensions": {"length": 1e1, "width": null}, '
        '"attributes": {"Size": 42}, "customFields": {"flag": true, "n": 0.1}}]',
        "json",
    )
    assert nested == [
        (
            1,
            {
                "sku": "D",
                "length": "10",
                "width": None,
                "attributes": {"Size": "42"},
                "custom_fields": {"flag": True, "n": "0.1"},
            },
        )
    ]


def test_yaml_keeps_scalars_as_written() -> None:
    rows = fields_of(
        "- sku: 0123\n"
        "  name: NO\n"
        "  price: 1.50\n"
        "  description: ~\n"
        "  attributes: {COLOR: [Red, Blue], Size: 010, Dimension: 10x20}\n"
        "  customFields: {wholesalePrice: 8.50, launch: 2024-01-01, active: on}\n",
        "yaml",
    )
    assert rows == [
        (
            1,
            {
                "sku": "0123",
                "name": "NO",
                "price": "1.50",
                "description": None,
                "attributes": {"COLOR": ["Red", "Blue"], "Size": "010", "Dimension": "10x20"},
                "custom_fields": {"wholesalePrice": "8.50", "launch": "2024-01-01", "active": "on"},
            },
        )
    ]


def test_example_files_are_valid() -> None:
    for name in ("catalog.yaml", "catalog.csv"):
        valid, errors = validate_rows(read_product_file(ROOT / "examples" / name))
        assert errors == [] and len(valid) >= 4
    yaml_rows, _ = validate_rows(read_product_file(ROOT / "examples" / "catalog.yaml"))
    assert len(yaml_rows) == 16  # 13 products, 3 of them the variations of TEE
    assert "004512" in [row.sku for row in yaml_rows]


def test_row_errors_name_the_row_the_sku_and_every_problem() -> None:
    rows = parse_products(
        '[{"sku": "A", "price": "x", "status": "gone"},'
        ' {"name": "no sku"},'
        ' {"sku": "B", "COLOR": "Red"},'
        ' {"sku": "C", "dimensions": {"depth": 1}},'
        ' {"sku": "D", "dimensions": {"length": 1}, "width": 2},'
        ' {"sku": 1.5},'
        ' {"sku": "A"},'
        ' ["not", "an", "object"]]',
        "json",
    )
    valid, errors = validate_rows(rows)
    assert valid == []
    assert [(e.row, e.sku, e.message) for e in errors] == [
        (
            1,
            "A",
            "status: 'gone' is not one of publish, draft, pending, private; "
            "price: 'x' is not a number like 12.50",
        ),
        (2, None, "sku: is required"),
        (
            3,
            "B",
            "unknown field 'COLOR' (put attributes under 'attributes' and custom fields "
            "under 'customFields', or name them attribute:X / custom:X)",
        ),
        (4, "C", "dimensions.depth: is not a known field"),
        (5, "D", "give either 'dimensions' or length/width/height, not both"),
        (6, None, "sku: 1.5 must be text (quote it)"),
        (7, "A", "SKU 'A' is also on row 1"),
        (8, None, "a product must be an object of field: value"),
    ]


def test_csv_file_level_problems_raise() -> None:
    with pytest.raises(ValidationError, match="unknown column 'attribute:'"):
        parse_products("sku,attribute:\nA,x\n", "csv")
    with pytest.raises(ValidationError, match="a column appears twice"):
        parse_products("sku,name,name\nA,b,c\n", "csv")
    _valid, errors = validate_rows(parse_products("sku,name\nA,b,c\n", "csv"))
    assert [(e.row, e.message) for e in errors] == [(2, "more cells than columns in the header")]
    assert parse_products("", "csv") == [] and parse_products("", "yaml") == []


def test_yaml_anchors_merges_and_explicit_nulls() -> None:
    rows = fields_of(
        "defaults: &defaults {status: publish, categories: [Kitchen]}\n"
        "products:\n"
        "  - <<: *defaults\n"
        "    sku: M1\n"
        "    name: 'null'\n"
        "    description: null\n"
        "    weight:\n"
        "  - {<<: *defaults, sku: M2, status: draft}\n",
        "yaml",
    )
    assert rows == [
        (
            1,
            {
                "sku": "M1",
                "name": "null",
                "status": "publish",
                "categories": ["Kitchen"],
                "description": None,
                "weight": None,
            },
        ),
        (2, {"sku": "M2", "status": "draft", "categories": ["Kitchen"]}),
    ]


def test_yaml_document_problems_raise_with_the_source() -> None:
    for text, message in [
        ("- {sku: A}\n---\n- {sku: B}\n", "expected one YAML document"),
        ("- {sku: *nowhere}\n", "has no anchor"),
        ("- {[a]: b}\n", "YAML keys must be plain text"),
        ("- sku: [A\n", "is not valid YAML"),
    ]:
        with pytest.raises(ValidationError, match=r"^products\.yaml") as caught:
            parse_products(text, "yaml", source="products.yaml")
        assert message in caught.value.message


def test_csv_an_unclosed_quote_is_an_error_naming_the_line_not_a_swallowed_row() -> None:
    # Non-strict csv read everything after the quote as one cell: the product got the name
    # 'unterminated,1\n...' and the rows below it vanished into that name.
    text = 'sku,name,price\nA,Mug,1\nB,"unterminated,2\nC,Cup,3\n'
    with pytest.raises(ValidationError, match=r"^x\.csv:3: not valid CSV: .*quote"):
        parse_products(text, "csv", source="x.csv")
    with pytest.raises(ValidationError, match=r"^x\.csv:2: not valid CSV"):
        parse_products('sku,name\nA,"Mug" large\n', "csv", source="x.csv")


def test_csv_semicolon_or_tab_separated_files_from_spreadsheets_load() -> None:
    expected = [(2, {"sku": "A", "name": "Mug, large", "price": "2.50", "tags": ["x", "y"]})]
    assert fields_of('sku;name;price;tags\nA;"Mug, large";2.50;x|y\n', "csv") == expected
    assert fields_of('sku\tname\tprice\ttags\nA\t"Mug, large"\t2.50\tx|y\n', "csv") == expected
    # a decimal comma is reported on its row, not read as two cells
    _valid, errors = validate_rows(parse_products("sku;name;price\nA;Mug;2,50\n", "csv"))
    assert [(e.row, e.message) for e in errors] == [
        (
            2,
            "price: '2,50' is not a number like 12.50 (write 2.50, or load the file with "
            + param("decimal_comma")
            + ")",
        )
    ]


def test_csv_byte_order_mark_windows_line_endings_and_header_case(tmp_path: Path) -> None:
    text = "\ufeffSKU,Name,Price,Attribute:COLOR\r\nA,Mug,1,Red|Blue\r\n"
    expected = [(2, {"sku": "A", "name": "Mug", "price": "1", "attribute:COLOR": ["Red", "Blue"]})]
    assert fields_of(text, "csv") == expected  # as read from stdin: the BOM is still there
    path = tmp_path / "excel.csv"
    path.write_bytes(text.encode("utf-8"))
    assert [row.data["sku"] for row in read_product_file(path)] == ["A"]


def test_csv_cells_larger_than_the_csv_module_default_limit_load() -> None:
    description = "<p>" + "x" * 300_000 + "</p>"  # the csv module refuses cells over 128 KiB
    rows = fields_of(f'sku,name,description\nA,Mug,"{description}"\n', "csv")
    assert rows[0][1]["description"] == description


def test_a_key_given_twice_in_one_product_is_a_row_error_not_a_silent_overwrite() -> None:
    json_text = (
        '[{"sku": "A", "price": "1"},'
        ' {"sku": "B", "price": "1", "name": "N", "price": "2"},'
        ' {"sku": "C", "attributes": {"COLOR": "Red", "COLOR": "Blue"}},'
        ' {"sku": "D", "sku": "E"}]'
    )
    yaml_text = (
        "- {sku: A, price: '1'}\n"
        "- sku: B\n  price: '1'\n  name: N\n  price: '2'\n"
        "- sku: C\n  attributes: {COLOR: Red, COLOR: Blue}\n"
        "- {sku: D, sku: E}\n"
    )
    for text, fmt in ((json_text, "json"), (yaml_text, "yaml")):
        valid, errors = validate_rows(parse_products(text, fmt))
        assert [row.sku for row in valid] == ["A"], fmt
        assert [(e.row, e.sku, e.message) for e in errors] == [
            (2, "B", "key 'price' appears twice"),
            (3, "C", "key 'COLOR' appears twice in 'attributes'"),
            (4, "E", "key 'sku' appears twice"),
        ], fmt


def test_a_key_given_twice_outside_the_products_is_a_file_error() -> None:
    with pytest.raises(ValidationError, match=r"^p\.json: key 'products' appears twice"):
        parse_products('{"products": [{"sku": "A"}], "products": []}', "json", source="p.json")
    with pytest.raises(ValidationError, match=r"^p\.yaml: key 'price' appears twice in 'defaults'"):
        parse_products(
            "defaults: &d {price: '1', price: '2'}\nproducts:\n  - {<<: *d, sku: A}\n",
            "yaml",
            source="p.yaml",
        )


def test_yaml_a_key_the_mapping_sets_over_a_merge_is_an_override_not_a_duplicate() -> None:
    text = (
        "defaults: &d {status: publish, price: '1'}\n"
        "more: &m {price: '5', weight: '2'}\n"
        "products:\n"
        "  - {<<: *d, sku: A, price: '2'}\n"  # merge first, then the override
        "  - {sku: B, price: '3', <<: *d}\n"  # the override first, then the merge
        "  - {<<: [*d, *m], sku: C}\n"  # two merges sharing a key: the first wins
        "  - {<<: *d, sku: D, price: '2', price: '4'}\n"  # overriding twice is a duplicate
    )
    valid, errors = validate_rows(parse_products(text, "yaml"))
    assert [(row.sku, row.fields["price"]) for row in valid] == [("A", "2"), ("B", "3"), ("C", "1")]
    assert valid[2].fields["weight"] == "2" and valid[0].fields["status"] == "publish"
    assert [(e.row, e.sku, e.message) for e in errors] == [(4, "D", "key 'price' appears twice")]
