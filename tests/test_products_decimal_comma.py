"""``woosync products load --decimal-comma``: European spreadsheets ("12,50") through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EUROPEAN_CSV = (
    "sku;name;price;sale_price;weight;length;width;height;custom:eurPrice;custom:version\n"
    "EU-1;Mug;12,50;1.234,50;0,75;10,5;2;3,25;20,90;v1.2\n"
)


def _show(cli: Any, sku: str) -> dict[str, Any]:
    result = cli("--json", "products", "show", "--sku", sku)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_decimal_commas_are_read_in_every_money_and_measure_column_and_custom_field(
    cli: Any, tmp_path: Path
) -> None:
    path = tmp_path / "eu.csv"
    path.write_text(EUROPEAN_CSV, encoding="utf-8")
    result = cli("products", "load", str(path), "--decimal-comma")
    assert result.exit_code == 0, result.stderr
    product = _show(cli, "EU-1")
    assert (product["price"], product["sale_price"], product["weight"]) == (
        "12.50",
        "1234.50",
        "0.75",
    )
    assert product["dimensions"] == {"length": "10.5", "width": "2", "height": "3.25"}
    assert product["customFields"] == {"eurPrice": "20.90", "version": "v1.2"}  # text stays


def test_json_dimensions_and_custom_fields_too(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "eu.json"
    rows = [
        {
            "sku": "EU-2",
            "name": "Cup",
            "price": "1 234,00",
            "dimensions": {"length": "1,5"},
            "customFields": {"tiers": ["1,10", "2,20"], "code": "A,B"},
        }
    ]
    path.write_text(json.dumps(rows), encoding="utf-8")
    assert cli("products", "load", str(path), "--decimal-comma").exit_code == 0
    product = _show(cli, "EU-2")
    assert product["price"] == "1234.00" and product["dimensions"]["length"] == "1.5"
    assert product["customFields"] == {"tiers": ["1.10", "2.20"], "code": "A,B"}


def test_without_the_option_a_decimal_comma_is_an_error_that_suggests_it(
    cli: Any, tmp_path: Path
) -> None:
    path = tmp_path / "eu.csv"
    path.write_text(EUROPEAN_CSV, encoding="utf-8")
    result = cli("products", "load", str(path))
    assert result.exit_code == 2
    assert (
        "price: '12,50' is not a number like 12.50 (write 12.50, or load the file with "
        "--decimal-comma)" in result.stderr
    )
    assert cli("--json", "products", "list").stdout.strip() == "[]"


def test_a_dot_grouped_price_is_ambiguous_with_the_option(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "eu.csv"
    path.write_text("sku;name;price\nEU-3;Bowl;1.234\nEU-4;Plate;12.50\n", encoding="utf-8")
    result = cli("--json", "products", "load", str(path), "--decimal-comma")
    assert result.exit_code == 2
    errors = json.loads(result.stdout)["errors"]
    assert errors == [
        {
            "row": 2,
            "sku": "EU-3",
            "message": "price: '1.234' is ambiguous with --decimal-comma "
            "(write it without the dot, or with a decimal comma)",
        }
    ]
