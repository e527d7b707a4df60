"""``products list --format csv`` (and ``tsv``) writes the catalog in the layout ``products load``
reads (WooCommerce's CSV exporter's: ``type``, ``parent_sku``, ``attribute:NAME``,
``custom:NAME``), so a catalog taken to a spreadsheet loads back unchanged; text a spreadsheet
would run as a formula is escaped as WooCommerce escapes it; a value a CSV cell cannot hold is an
error naming the product, and nothing is printed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from woosync.files.product_csv import parse_csv

EXAMPLES = Path(__file__).parent.parent / "examples"
ODD = """
- sku: ODD
  name: '=HYPERLINK("http://x")'
  description: "-5 degrees, @home, +1"
  tags: ["-sale", "@new"]
  categories: ["Kitchen > Mugs", 'Sale \\> 50%']
  attributes: {Material: [Oak], Finish: Matte}
  customFields: {note: "=1+1", several: [a, b], one: [x]}
"""


def listed(cli: Any) -> list[dict[str, Any]]:
    """The catalog as ``products list --json`` says it, without what a load does not set."""
    result = cli("--json", "products", "list", "--all")
    assert result.exit_code == 0, result.stderr
    products: list[dict[str, Any]] = json.loads(result.stdout)
    for row in [*products, *(v for p in products for v in p.get("variations") or [])]:
        for key in ("id", "createdAt", "updatedAt"):
            row.pop(key)
    return products


def load(cli: Any, path: Path) -> dict[str, Any]:
    result = cli("--json", "products", "load", str(path))
    assert result.exit_code == 0, result.stdout + result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_the_example_catalog_goes_to_a_spreadsheet_and_loads_back_unchanged(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    load(cli, EXAMPLES / "catalog.yaml")  # simple and variable products, stock, category paths
    before = listed(cli)
    assert any(p["type"] == "variable" and p.get("variations") for p in before)
    written = cli("products", "list", "--all", "--format", fmt)
    assert written.exit_code == 0, written.stderr
    sheet = tmp_path / f"catalog.{fmt}"
    sheet.write_text(written.stdout)
    header = written.stdout.splitlines()[0].split("," if fmt == "csv" else "\t")
    assert header[:4] == ["sku", "name", "type", "parent_sku"]
    assert "attribute:Size" in header and "custom:wholesalePrice" in header

    again = load(cli, sheet)

    rows = len(before) + sum(len(p.get("variations") or []) for p in before)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, rows), again
    assert listed(cli) == before

    monkeypatch.setenv("WOOSYNC_HOME", str(tmp_path / "another"))  # a new catalog from the sheet
    assert load(cli, sheet)["created"] == rows
    assert listed(cli) == before


def test_text_a_spreadsheet_would_run_is_escaped_and_read_back_as_written(
    cli: Any, tmp_path: Path
) -> None:
    (tmp_path / "odd.yaml").write_text(ODD)
    load(cli, tmp_path / "odd.yaml")
    before = listed(cli)
    written = cli("products", "list", "--format", "csv").stdout
    assert '"\'=HYPERLINK(""http://x"")"' in written  # shown, not run, by a spreadsheet
    assert "'-sale|'@new" in written and ",'=1+1," in written
    (tmp_path / "odd.csv").write_text(written)

    again = load(cli, tmp_path / "odd.csv")

    assert again["unchanged"] == 1 and again["updated"] == 0, again
    assert listed(cli) == before  # [Oak] and [x] stay lists: a cell of one value is the same
    assert before[0]["attributes"] == {"Material": ["Oak"], "Finish": "Matte"}


def test_a_cell_woocommerce_escaped_reads_as_its_text() -> None:
    [row] = parse_csv("sku,name,tags\nA,'=SUM(1),'+x|'plain\n", "woo.csv")
    assert row.data == {"sku": "A", "name": "=SUM(1)", "tags": ["+x", "'plain"]}


@pytest.mark.parametrize(
    ("product", "problem"),
    [
        ("{sku: BAR, name: Bar, tags: ['a|b']}", "product 'BAR': tags holds 'a|b'"),
        ("{sku: BAR, name: Bar, customFields: {sizes: 'S|M'}}", "custom:sizes holds 'S|M'"),
        ("{sku: BAR, name: Bar, attributes: {Fit: ['slim|tall']}}", "attribute:Fit holds"),
    ],
)
def test_a_value_a_csv_cell_cannot_hold_is_an_error_and_nothing_is_printed(
    cli: Any, tmp_path: Path, product: str, problem: str
) -> None:
    (tmp_path / "bad.yaml").write_text(f"- {product}\n- {{sku: OK, name: Fine}}\n")
    load(cli, tmp_path / "bad.yaml")

    result = cli("products", "list", "--format", "csv")

    assert result.exit_code != 0 and result.stdout == ""
    assert problem in result.stderr and "--format json or yaml" in result.stderr
    assert result.stderr.count("\n") == 1
