"""Variable products and their variations in the local catalog (issue 13, section 1), through the
CLI and the catalog service: files (YAML/JSON nested, CSV as WooCommerce's exporter lays it out),
validation, show/list/edit/remove by a variation's SKU, round trips, category paths."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import select

from woosync.core.errors import ValidationError
from woosync.db.engine import open_database
from woosync.db.models import Connection, Product, ProductSync, RemovedProduct
from woosync.products.categories import (
    canonical_category,
    join_category_path,
    parse_category_path,
)
from woosync.services.catalog.commands import add_product
from woosync.services.catalog.load import load_products
from woosync.services.catalog.lookup import all_products, get_product_by_sku
from woosync.services.catalog.upsert import upsert_products

TEE_YAML = """\
- sku: TEE
  name: Organic Tee
  type: variable
  categories: ["Clothing > Tees"]
  attributes: {Size: [S, M, L], Color: [Red, Blue]}
  variations:
    - {sku: TEE-S-RED, attributes: {Size: S, Color: Red}, price: "20.00", manage_stock: true, stock_quantity: 5}
    - {sku: TEE-M-RED, attributes: {Size: M, Color: Red}, price: "21.00", stock_quantity: 0, stock_status: outofstock}
"""

# WooCommerce exporter headers (Type, Parent, Stock) read as type, parent_sku, stock_quantity
TEE_CSV = """\
SKU,Name,Type,Parent,price,Stock,manage_stock,categories,attribute:Size,attribute:Material
TEE,Organic Tee,variable,,,,,Clothing > Tees,S|M|L,Cotton
TEE-S,Organic Tee - S,variation,TEE,20.00,5,yes,,S,
TEE-M,,variation,TEE,21.00,0,,,M,
"""


def load(cli: Any, path: Path, *args: str) -> tuple[int, dict[str, Any] | None, str]:
    result = cli("--json", "products", "load", str(path), *args)
    data = json.loads(result.stdout) if result.stdout.strip() else None
    return result.exit_code, data, result.stderr


def show(cli: Any, ref: str) -> dict[str, Any]:
    result = cli("--json", "products", "show", ref)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def rows(db_path: Path) -> dict[str, tuple[Any, ...]]:
    db = open_database(db_path)
    try:
        with db.session() as session:
            products = {p.id: p for p in all_products(session)}
            return {
                p.sku: (
                    p.type,
                    products[p.parent_id].sku if p.parent_id else None,
                    p.name,
                    p.attributes,
                )
                for p in products.values()
            }
    finally:
        db.dispose()


# loading ------------------------------------------------------------------------------------------
def test_a_yaml_variable_product_loads_with_its_variations(
    cli: Any, tmp_path: Path, db_path: Path
) -> None:
    code, data, stderr = load(cli, write(tmp_path, "tee.yaml", TEE_YAML))
    assert code == 0, stderr
    assert data is not None and data["createdSkus"] == ["TEE", "TEE-S-RED", "TEE-M-RED"]
    assert rows(db_path) == {
        "TEE": (
            "variable",
            None,
            "Organic Tee",
            {"Size": ["S", "M", "L"], "Color": ["Red", "Blue"]},
        ),
        "TEE-S-RED": ("variation", "TEE", "Organic Tee - S, Red", {"Size": "S", "Color": "Red"}),
        "TEE-M-RED": ("variation", "TEE", "Organic Tee - M, Red", {"Size": "M", "Color": "Red"}),
    }
    tee = show(cli, "TEE")
    assert tee["categories"] == ["Clothing > Tees"]
    assert [(v["sku"], v["price"], v["stock_quantity"]) for v in tee["variations"]] == [
        ("TEE-S-RED", "20.00", 5),
        ("TEE-M-RED", "21.00", 0),
    ]
    variation = show(cli, "tee-m-red")  # a variation's SKU, in any case
    assert variation["parent_sku"] == "TEE" and variation["stock_status"] == "outofstock"
    assert "categories" not in variation and "variations" not in variation
    # loading again changes nothing
    code, again, _ = load(cli, write(tmp_path, "tee.yaml", TEE_YAML))
    assert code == 0 and again is not None
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)


def test_a_csv_as_woocommerce_exports_it_loads_variations_under_their_parent(
    cli: Any, tmp_path: Path, db_path: Path
) -> None:
    code, data, stderr = load(cli, write(tmp_path, "tee.csv", TEE_CSV))
    assert code == 0, stderr
    assert data is not None and data["created"] == 3
    found = rows(db_path)
    assert found["TEE"][3] == {"Size": ["S", "M", "L"], "Material": "Cotton"}
    assert found["TEE-S"] == ("variation", "TEE", "Organic Tee - S", {"Size": "S"})
    assert found["TEE-M"] == ("variation", "TEE", "Organic Tee - M", {"Size": "M"})
    # a price-only file (no type, no parent) updates a variation by its SKU
    prices = write(tmp_path, "prices.csv", "sku,price\nTEE-M,22.50\n")
    code, data, _ = load(cli, prices)
    assert code == 0 and data is not None and data["updatedSkus"] == ["TEE-M"]
    assert show(cli, "TEE-M")["price"] == "22.50"


def test_bad_variations_are_errors_that_name_the_row_and_the_variation(
    cli: Any, tmp_path: Path, db_path: Path
) -> None:
    bad = TEE_YAML.replace("{Size: M, Color: Red}", "{Size: XL, Color: Red}")
    bad += "- {sku: tee-s-red, name: Twin}\n"
    bad += "- {sku: MUG, name: Mug}\n"
    code, data, _ = load(cli, write(tmp_path, "bad.yaml", bad))
    assert code == 2 and data is not None and not data["applied"]
    assert [(e["row"], e["sku"], e["message"]) for e in data["errors"]] == [
        (
            1,
            "TEE-M-RED",
            "variation 2 (TEE-M-RED): attributes: Size 'XL' is not one of the parent's options "
            "S, M, L",
        ),
        (
            2,
            "tee-s-red",
            "SKU 'tee-s-red' differs only in case from 'TEE-S-RED' on row 1, variation 1 "
            "(WooCommerce treats them as one SKU)",
        ),
    ]
    assert rows(db_path) == {}  # nothing was loaded

    path = write(
        tmp_path,
        "bad.csv",
        "sku,name,type,parent_sku,attribute:Size,price\n"
        "SHIRT,Shirt,simple,,S|M,\n"
        "SHIRT-S,,variation,SHIRT,S,1\n"
        "HAT-S,,variation,HAT,S,1\n"
        "SHIRT-M,,variation,,M,1\n",
    )
    code, data, _ = load(cli, path)
    assert code == 2 and data is not None
    assert [(e["row"], e["message"]) for e in data["errors"]] == [
        (3, "parent_sku: 'SHIRT' is a simple product, not a variable one (give it type: variable)"),
        (4, "parent_sku: there is no product 'HAT' in the catalog nor a valid one in the file"),
        (5, "parent_sku: a variation needs its parent's SKU"),
    ]


def test_two_variations_with_the_same_options_and_a_variation_on_a_list_are_refused(
    cli: Any, tmp_path: Path
) -> None:
    text = (
        "- sku: CAP\n  name: Cap\n  type: variable\n  attributes: {Size: [S, M]}\n"
        "  variations:\n"
        "    - {sku: CAP-S, attributes: {Size: S}}\n"
        "    - {sku: CAP-S2, attributes: {Size: s}}\n"
        "    - {sku: CAP-M, attributes: {Size: [S, M]}}\n"
        "    - {sku: CAP-X, categories: [Hats]}\n"
    )
    code, data, _ = load(cli, write(tmp_path, "cap.yaml", text))
    assert code == 2 and data is not None
    messages = [e["message"] for e in data["errors"]]
    assert messages == [
        "variation 4 (CAP-X): categories: a variation's categories are its parent's; set them "
        "there",
        "variation 2 (CAP-S2): attributes: Size 's' is not one of the parent's options S, M "
        "(write 'S')",
        "variation 3 (CAP-M): attributes: Size: a variation has one option, not a list",
    ]
    fixed = text.replace("{Size: s}", "{Size: M}").replace("{Size: [S, M]}}", "{Size: S}}")
    fixed = fixed.replace("    - {sku: CAP-X, categories: [Hats]}\n", "")
    code, data, _ = load(cli, write(tmp_path, "cap.yaml", fixed))
    assert code == 2 and data is not None
    assert [e["message"] for e in data["errors"]] == [
        "variation 3 (CAP-M): variation 'CAP-M' has the same options as variation 'CAP-S' of "
        "the same parent"
    ]


def test_a_product_turning_simple_or_variable_is_an_error_that_says_what_to_do(
    cli: Any, tmp_path: Path
) -> None:
    assert cli("products", "add", "--sku", "MUG", "--name", "Mug").exit_code == 0
    text = "- {sku: MUG, type: variable, attributes: {Size: [S]}, variations: [{sku: MUG-S, attributes: {Size: S}}]}\n"
    code, data, _ = load(cli, write(tmp_path, "mug.yaml", text))
    assert code == 2 and data is not None
    assert data["errors"][0]["message"] == (
        "type: 'MUG' is a simple product in the catalog and cannot become variable: remove it "
        "first ('woosync products remove MUG', --from-stores to delete the stores' copies too) "
        "and add it again as variable, or keep its type"
    )
    load(cli, write(tmp_path, "tee.yaml", TEE_YAML))
    result = cli("products", "edit", "TEE", "--type", "simple")
    assert result.exit_code == 2 and "cannot become simple" in result.stderr
    result = cli("products", "add", "--sku", "X", "--name", "X", "--type", "variation")
    assert result.exit_code == 2 and "a variation is added under its variable product" in (
        result.stderr
    )


# show / list / edit / remove by a variation's SKU -------------------------------------------------
def test_edit_a_variation_by_its_sku_and_the_parent_by_its_options(
    cli: Any, tmp_path: Path, db_path: Path
) -> None:
    load(cli, write(tmp_path, "tee.yaml", TEE_YAML))
    result = cli("products", "edit", "TEE-M-RED", "--price", "25.00", "--stock-quantity", "3")
    assert result.exit_code == 0, result.stderr
    assert "updated variation 3 (TEE-M-RED): price, stock_quantity" in result.stderr
    assert (show(cli, "TEE-M-RED")["price"], show(cli, "3")["stock_quantity"]) == ("25.00", 3)

    # an option the parent does not list, a field the parent holds: refused, nothing changed
    refused = cli("products", "edit", "TEE-M-RED", "--attr", "Size=XL")
    assert refused.exit_code == 2
    assert "Size 'XL' is not one of the parent's options S, M, L" in refused.stderr
    refused = cli("products", "edit", "TEE-M-RED", "--name", "Other")
    assert refused.exit_code == 2 and "name is its parent's name and its options" in refused.stderr
    # the parent cannot drop an option a variation uses
    refused = cli("products", "edit", "TEE", "--attr", "Size=S,L", "--attr", "Color=Red,Blue")
    assert refused.exit_code == 2
    assert "its variation 'TEE-M-RED' is Size 'M', which they no longer list" in refused.stderr

    # a variation's new option renames it; the parent's new name renames every variation
    assert cli("products", "edit", "TEE-M-RED", "--attr", "Size=L").exit_code == 0
    assert cli("products", "edit", "TEE", "--name", "Bio Tee").exit_code == 0
    assert {sku: row[2] for sku, row in rows(db_path).items()} == {
        "TEE": "Bio Tee",
        "TEE-S-RED": "Bio Tee - S, Red",
        "TEE-M-RED": "Bio Tee - L, Red",
    }


def test_add_a_variation_under_its_parent(cli: Any, tmp_path: Path, db_path: Path) -> None:
    load(cli, write(tmp_path, "tee.yaml", TEE_YAML))
    args = ("products", "add", "--parent", "TEE", "--sku", "TEE-L-BLUE", "--price", "22.00")
    added = cli("--json", *args, "--attr", "Size=L", "--attr", "Color=Blue")
    assert added.exit_code == 0, added.stderr
    assert "added variation 4 (TEE-L-BLUE) of TEE" in added.stderr
    data = json.loads(added.stdout)
    assert (data["name"], data["parent_sku"], data["price"]) == (
        "Organic Tee - L, Blue",
        "TEE",
        "22.00",
    )
    twin = cli(*args[:5], "TEE-L-BLUE-2", "--attr", "Size=L", "--attr", "Color=Blue")
    assert twin.exit_code == 2
    assert "has the same options as variation 'TEE-L-BLUE'" in twin.stderr
    clash = cli(*args[:5], "tee-l-blue", "--attr", "Size=L", "--attr", "Color=Red")
    assert clash.exit_code == 4 and "differs only in case" in clash.stderr
    assert len(rows(db_path)) == 4


def test_list_shows_variations_under_their_parent_and_a_variation_sku_finds_it(
    cli: Any, tmp_path: Path
) -> None:
    load(cli, write(tmp_path, "tee.yaml", TEE_YAML + "- {sku: MUG, name: Mug}\n"))
    listed = json.loads(cli("--json", "products", "list").stdout)
    assert [item["sku"] for item in listed] == ["TEE", "MUG"]
    assert "variations" not in listed[1]  # a simple product's JSON is as it was
    found = json.loads(cli("--json", "products", "list", "--sku", "tee-m-red").stdout)
    assert [item["sku"] for item in found] == ["TEE"]
    searched = json.loads(cli("--json", "products", "list", "--search", "S-RED").stdout)
    assert [item["sku"] for item in searched] == ["TEE"]
    table = cli("products", "list").stdout
    assert "  TEE-S-RED" in table and "Size: S" in table
    shown = cli("products", "show", "TEE").stdout
    assert "2 variation(s)" in shown and "TEE-M-RED" in shown


def test_remove_a_variation_or_the_parent_with_its_variations(
    cli: Any, tmp_path: Path, db_path: Path
) -> None:
    load(cli, write(tmp_path, "tee.yaml", TEE_YAML))
    db = open_database(db_path)
    with db.session() as session:  # sync records of the parent and its variations
        store = Connection(store_name="Shop", store_url="https://shop.example")
        session.add(store)
        session.flush()
        assert store.id is not None
        for product_id in (1, 2, 3):
            session.add(
                ProductSync(connection_id=store.id, product_id=product_id, woo_product_id=9)
            )
    db.dispose()
    removed = cli("--json", "products", "remove", "TEE-S-RED", "--yes")
    assert removed.exit_code == 0, removed.stderr
    assert json.loads(removed.stdout)["syncRecordsRemoved"] == 1
    assert [v["sku"] for v in show(cli, "TEE")["variations"]] == ["TEE-M-RED"]

    removed = cli("--json", "products", "remove", "TEE", "--yes")
    assert removed.exit_code == 0, removed.stderr
    data = json.loads(removed.stdout)
    assert (data["variationSkus"], data["syncRecordsRemoved"]) == (["TEE-M-RED"], 2)
    assert rows(db_path) == {}
    db = open_database(db_path)
    with db.session() as session:
        tombstones = sorted(r.sku for r in session.exec(select(RemovedProduct)))
        assert session.exec(select(ProductSync)).all() == []
    db.dispose()
    assert tombstones == ["TEE", "TEE-M-RED", "TEE-S-RED"]


# round trips --------------------------------------------------------------------------------------
def test_the_listing_and_a_shown_variation_load_back_unchanged(cli: Any, tmp_path: Path) -> None:
    load(cli, write(tmp_path, "tee.yaml", TEE_YAML))
    load(cli, write(tmp_path, "tee.csv", TEE_CSV.replace("TEE", "SHIRT")))
    dump = write(tmp_path, "dump.json", cli("--json", "products", "list").stdout)
    code, data, stderr = load(cli, dump)
    assert code == 0, stderr
    assert data is not None and (data["created"], data["updated"], data["unchanged"]) == (0, 0, 6)
    one = write(tmp_path, "one.json", cli("--json", "products", "show", "SHIRT-M").stdout)
    code, data, _ = load(cli, one)
    assert code == 0 and data is not None and data["unchangedSkus"] == ["SHIRT-M"]

    # the same dump loads into an empty catalog as the same catalog
    before = json.loads(dump.read_text())
    cli("products", "remove", "TEE", "--yes")
    cli("products", "remove", "SHIRT", "--yes")
    code, data, _ = load(cli, dump)
    assert code == 0 and data is not None and data["created"] == 6
    after = json.loads(cli("--json", "products", "list").stdout)

    def stable(items: list[dict[str, Any]]) -> list[Any]:
        volatile = ("id", "createdAt", "updatedAt")
        return [
            {
                **{k: v for k, v in item.items() if k not in volatile},
                "variations": [
                    {k: v for k, v in var.items() if k not in volatile}
                    for var in item.get("variations", [])
                ],
            }
            for item in items
        ]

    assert stable(after) == stable(before)


# category paths -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "names", "canonical"),
    [
        ("Kitchen > Mugs", ("Kitchen", "Mugs"), "Kitchen > Mugs"),
        ("Kitchen>Mugs", ("Kitchen", "Mugs"), "Kitchen > Mugs"),
        ("Tools \\> Parts > Bolts", ("Tools > Parts", "Bolts"), "Tools \\> Parts > Bolts"),
        ("C:\\\\Temp", ("C:\\Temp",), "C:\\Temp"),
        ("Home", ("Home",), "Home"),
    ],
)
def test_category_paths_parse_join_and_round_trip(
    text: str, names: tuple[str, ...], canonical: str
) -> None:
    assert parse_category_path(text) == names
    assert canonical_category(text) == canonical
    assert parse_category_path(join_category_path(names)) == names


def test_a_category_path_with_an_empty_level_is_refused(cli: Any) -> None:
    with pytest.raises(ValueError, match="empty level"):
        parse_category_path("Kitchen > > Mugs")
    result = cli("products", "add", "--sku", "A", "--name", "A", "--category", "> Mugs")
    assert result.exit_code == 2 and "has an empty level" in result.stderr
    added = cli("--json", "products", "add", "--sku", "B", "--name", "B", "--category", "A>B")
    assert json.loads(added.stdout)["categories"] == ["A > B"]


# the service, in bulk -----------------------------------------------------------------------------
def test_loading_many_variations_takes_a_few_statements(db_path: Path, tmp_path: Path) -> None:
    parents = 200
    lines = ["sku,name,type,parent_sku,price,attribute:Size"]
    for n in range(parents):
        lines.append(f"P{n},Product {n},variable,,,S|M|L")
        lines += [f"P{n}-{size},,variation,P{n},{n}.50,{size}" for size in ("S", "M", "L")]
    path = write(tmp_path, "many.csv", "\n".join(lines) + "\n")
    db = open_database(db_path)
    statements: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    report = load_products(db, path)
    assert report.result.counts["created"] == parents * 4 and report.errors == []
    assert len(statements) <= 20, len(statements)
    statements.clear()
    path.write_text("\n".join(lines).replace(".50,", ".75,") + "\n")
    report = load_products(db, path)
    assert report.result.counts["updated"] == parents * 3
    assert len(statements) <= 20, len(statements)
    with db.session() as session:
        variation = get_product_by_sku(session, "P7-M")
        assert (variation.name, variation.price, variation.parent_id) == (
            "Product 7 - M",
            "7.75",
            8,
        )
    db.dispose()


def test_a_variation_needs_a_parent_and_cannot_move_to_another(
    cli: Any, db_path: Path, tmp_path: Path
) -> None:
    db = open_database(db_path)
    with db.session() as session:
        for sku in ("A", "B"):
            session.add(Product(sku=sku, name=sku, type="variable", attributes={"Size": ["S"]}))
    orphan = [{"sku": "A-S", "type": "variation", "attributes": {"Size": "S"}}]
    with db.session() as session:
        result = upsert_products(session, orphan)
    assert [e.message for e in result.errors] == ["parent_sku: a variation needs its parent's SKU"]
    with pytest.raises(ValidationError, match="a variation is added under its variable product"):
        add_product(db, {"sku": "V", "name": "V", "type": "variation"})
    db.dispose()
    under_a = "- {sku: A, variations: [{sku: A-S, attributes: {Size: S}}]}\n"
    assert load(cli, write(tmp_path, "a.yaml", under_a))[0] == 0
    code, data, _ = load(cli, write(tmp_path, "b.yaml", under_a.replace("sku: A,", "sku: B,")))
    assert code == 2 and data is not None
    assert data["errors"][0]["message"] == (
        "variation 1 (A-S): parent_sku: 'A-S' is a variation of 'A' in the catalog, not of 'B': "
        "a variation cannot move; remove it ('woosync products remove A-S') and add it under the "
        "other product"
    )


def test_a_reference_is_an_id_when_such_a_product_exists_else_a_sku(cli: Any) -> None:
    for sku in ("A", "7", "0042"):
        assert cli("products", "add", "--sku", sku, "--name", f"N{sku}").exit_code == 0
    assert show(cli, "2")["sku"] == "7"  # product 2
    assert show(cli, "7")["sku"] == "7"  # no product 7: the SKU
    assert show(cli, "0042")["sku"] == "0042"  # a leading zero is never an id
    assert show(cli, "a")["sku"] == "A"  # SKUs in any case
    missing = cli("products", "show", "99")
    assert missing.exit_code == 3 and "product 99 not found" in missing.stderr
