"""``woosync fields``: the local standard fields and the WooCommerce targets, with their types."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from woosync.cli.render import Output
from woosync.core.errors import ValidationError
from woosync.core.fields import DEFAULT_IMPORT_FIELDS, DIMENSION_PARTS, STANDARD_FIELDS
from woosync.sandbox.products.schema import SCHEMA
from woosync.services.fields import list_fields
from woosync.services.mappings.rules import validate_export_fields

CAPTURES = Path(__file__).resolve().parent / "captures"
WIDE = {"COLUMNS": "200"}


@pytest.fixture(autouse=True)
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The human output as a terminal shows it (a pipe gets plain rows: tests/test_output_formats)."""
    monkeypatch.setattr(Output, "stdout_is_terminal", property(lambda _self: True))


def _row(text: str, name: str, *, woo: bool = False) -> str:
    """The row whose first cell is ``name`` in the local table, or with ``woo`` the WooCommerce one."""
    local, _, targets = text.partition("WooCommerce targets")
    for line in (targets if woo else local).splitlines():
        cells = line.split("│")
        if len(cells) > 2 and cells[1].strip() == name:
            return line
    raise AssertionError(f"no row for {name}")


def test_human_output_lists_both_tables_with_types_and_choices(cli) -> None:
    result = cli("fields", env=WIDE)
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "Local standard fields" in text and "WooCommerce targets" in text
    price = _row(text, "price")
    assert "regular_price" in price and "money" in price
    regular = _row(text, "regular_price", woo=True)
    assert "money" in regular and "12.50" in regular
    stock = _row(text, "stock_status", woo=True)
    assert "instock, outofstock, onbackorder" in stock
    assert "required" in _row(text, "name") and "required" in _row(text, "sku")
    assert "required" not in _row(text, "description")
    assert "pa_<slug>" in text and "custom field" in text and "meta:KEY" in text


def test_json_shape_is_camel_case_with_choices_only_where_there_are_some(cli) -> None:
    result = cli("fields", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"localFields", "wooFields"}
    local = {entry["name"]: entry for entry in data["localFields"]}
    assert local["price"] == {
        "name": "price",
        "defaultTarget": "regular_price",
        "type": "money",
        "required": False,
    }
    assert local["sku"]["required"] is True and local["name"]["required"] is True
    assert set(local) == set(STANDARD_FIELDS) | set(DIMENSION_PARTS)
    woo = {entry["name"]: entry for entry in data["wooFields"]}
    assert woo["stock_status"]["choices"] == ["instock", "outofstock", "onbackorder"]
    assert woo["stock_status"]["type"] == "choice"
    assert woo["regular_price"]["type"] == "money" and "choices" not in woo["regular_price"]
    assert woo["stock_quantity"]["type"] == "integer"
    assert woo["date_on_sale_from"]["type"] == "date"
    for entry in data["wooFields"]:
        assert set(entry) <= {"name", "type", "description", "choices"}
        assert entry["description"]


def test_target_shows_one_field_and_the_standard_fields_that_go_there(cli) -> None:
    data = json.loads(cli("fields", "--target", "regular_price", "--json").stdout)
    assert [entry["name"] for entry in data["wooFields"]] == ["regular_price"]
    assert [entry["name"] for entry in data["localFields"]] == ["price"]
    human = cli("fields", "--target", "backorders", env=WIDE).stdout
    assert "no, notify, yes" in human and "stock_status" not in human
    slug = json.loads(cli("fields", "--target", "pa_color", "--json").stdout)
    assert slug["wooFields"][0]["name"] == "pa_color"
    assert slug["wooFields"][0]["type"] == "attribute"
    meta = json.loads(cli("fields", "--target", "meta:_wholesale_price", "--json").stdout)
    assert [(f["name"], f["type"]) for f in meta["wooFields"]] == [
        ("meta:_wholesale_price", "meta")
    ]
    assert meta["localFields"] == []


def test_a_meta_key_woocommerce_keeps_a_field_under_is_a_usage_error(cli) -> None:
    result = cli("fields", "--target", "meta:_sku")
    assert result.exit_code == 2 and result.stdout == ""
    assert "'_sku', where WooCommerce keeps a field of its own" in result.stderr


def test_an_unknown_target_is_a_one_line_usage_error_listing_the_valid_ones(cli) -> None:
    result = cli("fields", "--target", "prise")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert '"prise"' in lines[0]
    assert "regular_price" in lines[0] and "stock_status" in lines[0] and "pa_<slug>" in lines[0]
    typo = cli("fields", "--target", "stok_status")
    assert typo.exit_code == 2 and "(did you mean stock_status?)" in typo.stderr
    local = cli("fields", "--target", "price")
    assert local.exit_code == 2 and "woosync fields --target regular_price" in local.stderr
    as_json = cli("fields", "--target", "prise", "--json")
    assert as_json.exit_code == 2
    assert json.loads(as_json.stdout)["error"]["exitCode"] == 2


def test_the_service_refuses_an_unknown_target() -> None:
    with pytest.raises(ValidationError):
        list_fields("pa_")
    assert [field.name for field in list_fields("length").local_fields] == ["length"]


def _accepted_as_target(target: str) -> bool:
    """Does an export mapping accept ``target`` as a WooCommerce field (the rules, not a list)?"""
    # the standard field that goes there by default (name to name, dimensions to dimensions:
    # no clash), else a custom field
    defaults = {woo: local for local, woo in STANDARD_FIELDS.items()}
    key = defaults.get(target, "customValue")
    try:
        validate_export_fields(list(dict.fromkeys(["name", "sku", key])), {key: target})
    except ValidationError:
        return False
    return True


def test_every_target_a_mapping_accepts_is_listed(cli) -> None:
    """The candidates come from outside core.fields: every writable field of a WooCommerce product
    (the sandbox's schema, the captured product) and the import defaults, so a target the mapping
    rules start accepting cannot be missing from ``woosync fields``."""
    captured = json.loads((CAPTURES / "product_get.json").read_text())["response"]["body"]
    candidates = set(SCHEMA) | set(captured) | set(DEFAULT_IMPORT_FIELDS)
    candidates |= set(STANDARD_FIELDS.values()) | set(DIMENSION_PARTS)
    accepted = {name for name in candidates if _accepted_as_target(name)}
    assert {"regular_price", "stock_quantity", "date_on_sale_to", "length"} <= accepted
    assert not _accepted_as_target("meta_data") and not _accepted_as_target("price")
    listed = {entry["name"] for entry in json.loads(cli("fields", "--json").stdout)["wooFields"]}
    assert accepted - listed == set()
    # and everything listed is accepted: the list offers nothing a mapping would refuse
    assert {name for name in listed if not _accepted_as_target(name)} == set()
    assert _accepted_as_target("pa_color")  # slugs: the line under the tables
    assert "pa_<slug>" in cli("fields", env=WIDE).stdout


def test_kind_keeps_one_kind_so_ids_are_each_name_once(cli) -> None:
    local = cli("fields", "--kind", "local", "--format", "ids")
    assert local.exit_code == 0, local.stderr
    names = local.stdout.split()
    assert len(names) == len(set(names)) and set(names) >= set(STANDARD_FIELDS)
    assert "regular_price" not in names
    woo = cli("fields", "--kind", "WooCommerce", "--format", "ids").stdout.split()
    assert len(woo) == len(set(woo)) and "regular_price" in woo and "name" in woo
    both = cli("fields", "--format", "ids").stdout.split()
    assert sorted(both) == sorted(local.stdout.split() + woo)
    table = cli("fields", "--kind", "local", env=WIDE)
    assert "Local standard fields" in table.stdout and "WooCommerce targets" not in table.stdout
    assert table.stderr == ""
    wrong = cli("fields", "--kind", "remote")
    assert wrong.exit_code == 2
    assert "'remote' is not a kind: use local or woocommerce" in wrong.stderr
