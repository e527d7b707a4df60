"""``products load`` reads a CSV file WooCommerce's own product exporter wrote.

``fixtures/woocommerce_csv/exported.csv`` was written by WooCommerce 11.0.1's exporter on a real
store (its README says what it shows); ``tests/realstore/test_real_woocommerce_csv.py`` makes one
afresh and sends what loads from it to a store."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from woosync.files.product_files import parse_products
from woosync.files.woocommerce_csv import is_woocommerce_header
from woosync.sandbox import SandboxStore

EXPORTED = Path(__file__).parent / "fixtures" / "woocommerce_csv" / "exported.csv"
EXAMPLE_MAPPING = Path(__file__).parents[1] / "examples" / "woocommerce-copy.yaml"
HEADER = (
    "ID,Type,SKU,Name,Published,Description,Regular price,Sale price,In stock?,Stock,"
    "Categories,Images,Parent,Attribute 1 name,Attribute 1 value(s),Attribute 1 global"
)


def load(cli: Any, path: Path, *extra: str) -> dict[str, Any]:
    result = cli("--json", "products", "load", str(path), *extra)
    assert result.stdout, result.stderr
    return dict(json.loads(result.stdout))


def show(cli: Any, *sku: str) -> dict[str, Any]:
    result = cli("--json", "products", "show", *sku)
    assert result.exit_code == 0, result.stderr
    return dict(json.loads(result.stdout))


def write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "wc.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_woocommerce_export_loads_into_the_catalogs_fields(cli) -> None:
    data = load(cli, EXPORTED, "--skip-invalid")

    assert data["created"] == 11 and data["updated"] == 0
    [error] = data["errors"]  # the variation WooCommerce holds without a SKU
    assert (
        error["row"] == 11
        and "a variation of 'TEE' (Color Red, Size M) has no SKU" in (error["message"])
    )
    mug = show(cli, "MUG-1")
    assert mug["name"] == "Classic Mug & Saucer"  # the exporter's &amp; decoded
    assert mug["description"].startswith("<p>A <strong>big</strong> mug.</p>\n<p>")
    assert (mug["price"], mug["sale_price"]) == ("12.50", "9.99")
    assert (mug["date_on_sale_from"], mug["date_on_sale_to"]) == (
        "2026-12-01T00:00:00",  # written "2026-12-01 0:00:00"
        "2027-01-31T23:59:59",
    )
    assert mug["categories"] == ["Kitchen > Cups, Saucers & Plates", "Kitchen > Mugs"]
    assert mug["tags"] == ["ceramic, white", "gift"]  # "ceramic\, white, gift"
    assert len(mug["images"]) == 2
    assert (mug["weight"], mug["dimensions"]) == (
        "0.35",
        {"length": "10", "width": "8", "height": "9.5"},
    )
    assert (mug["manage_stock"], mug["stock_quantity"], mug["stock_status"]) == (
        True,
        25,
        "instock",
    )
    assert (mug["backorders"], mug["low_stock_amount"]) == ("notify", 3)
    custom = mug["customFields"]
    assert custom["short_description"] == "Short & sweet" and custom["featured"] is True
    assert (custom["catalog_visibility"], custom["tax_class"], custom["menu_order"]) == (
        "search",
        "reduced-rate",
        "4",
    )
    assert (custom["brand"], custom["_wholesale_price"]) == ("Acme", "7.00")  # Meta: columns
    assert custom["virtual"] is False and custom["reviews_allowed"] is True


def test_statuses_stock_and_formula_escapes_read_as_woocommerce_writes_them(cli) -> None:
    load(cli, EXPORTED, "--skip-invalid")

    dash = show(cli, "--", "-DASH")  # written '-DASH: a spreadsheet would take it for a formula
    assert dash["name"] == "=SUM(1) formula" and dash["status"] == "draft"  # Published -1
    assert (show(cli, "PRIV")["status"], show(cli, "PRIV")["stock_status"]) == (
        "private",  # Published 0
        "outofstock",  # In stock? 0
    )
    pending = show(cli, "PEND")
    assert (pending["status"], pending["stock_status"]) == ("pending", "onbackorder")
    assert pending["manage_stock"] is False  # no quantity: the stock is not managed
    album = show(cli, "ALBUM")["customFields"]  # Type "simple, downloadable, virtual"
    assert album["virtual"] is True and album["downloadable"] is True
    pennant = show(cli, "PEN")
    assert pennant["type"] == "external"
    assert pennant["customFields"]["external_url"] == "https://example.com/p"


def test_a_variable_product_comes_with_its_variations(cli) -> None:
    load(cli, EXPORTED, "--skip-invalid")

    tee = show(cli, "TEE")
    assert tee["type"] == "variable" and tee["categories"] == ["Clothing > Tees"]
    assert tee["attributes"] == {
        "Color": ["Blue", "Red"],
        "Size": ["S", "M", "L"],
        "Material": "Cotton",
    }
    assert tee["default_attributes"] == {"Size": "M"}  # "Attribute 2 default"
    assert (
        "stock_status" not in tee or tee["stock_status"] is None
    )  # the store's summary: not taken
    held = {v["sku"]: v for v in tee["variations"]}
    assert sorted(held) == ["TEE-ANY-L", "TEE-M-BLUE", "TEE-S-RED"]
    assert held["TEE-S-RED"]["attributes"] == {"Color": "Red", "Size": "S"}
    assert held["TEE-ANY-L"]["attributes"] == {"Color": "*", "Size": "L"}  # any colour
    assert (held["TEE-S-RED"]["price"], held["TEE-S-RED"]["stock_quantity"]) == ("20.00", 5)
    assert held["TEE-S-RED"]["description"] == "Small red"
    blue = held["TEE-M-BLUE"]
    assert (blue["status"], blue["sale_price"], len(blue["images"])) == ("private", "19.00", 1)
    assert "tax_class" not in blue["customFields"]  # "parent": the default, not kept
    assert "featured" not in blue["customFields"]  # a product's field, not a variation's


def test_the_notes_say_what_came_in_as_custom_fields_and_what_was_left_out(
    cli, tmp_path: Path
) -> None:
    header, *rows = csv.reader(io.StringIO(EXPORTED.read_text(encoding="utf-8"), newline=""))
    text = io.StringIO()
    writer = csv.writer(text)
    # a download (the catalog keeps it, with its id) and a plugin's column (it cannot hold that)
    writer.writerow([*header, "Download 1 ID", "Download 1 URL", "Gift wrap"])
    for row in rows:
        album = row[2] == "ALBUM"
        file = ["d-1", "https://example.com/a.zip"] if album else ["", ""]
        writer.writerow([*row, *file, "yes" if album else ""])
    with_download = tmp_path / "with-download.csv"
    with_download.write_text(text.getvalue(), encoding="utf-8")
    data = load(cli, with_download, "--skip-invalid")
    notes = data["notes"]

    [custom] = [n for n in notes if "came in as custom fields" in n]
    assert "short_description" in custom and "brand" in custom and "_wholesale_price" in custom
    assert "shipping_class" not in custom and "global_unique_id" not in custom  # always empty
    [global_] = [n for n in notes if "global in the exporting store" in n]
    assert "Color: pa_color" in global_ and "Size" not in global_
    [left_out] = [n for n in notes if "left out" in n]
    assert left_out.endswith("left out: Gift wrap")  # links and downloads are kept
    human = cli("products", "load", str(with_download), "--skip-invalid", "--dry-run")
    assert "columns woosync does not keep were left out: Gift wrap" in human.stderr
    [download] = show(cli, "ALBUM")["downloads"]
    assert download == {"id": "d-1", "name": "a.zip", "file": "https://example.com/a.zip"}
    assert show(cli, "MUG-1")["upsells"] == ["TEE"]
    assert show(cli, "SET")["grouped_products"] == ["MUG-1"]
    plain = load(cli, EXPORTED, "--skip-invalid", "--dry-run")
    assert not [n for n in plain["notes"] if "left out" in n]


def test_loading_the_same_export_again_changes_nothing(cli) -> None:
    load(cli, EXPORTED, "--skip-invalid")

    again = load(cli, EXPORTED, "--skip-invalid")

    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 11)


def test_a_parent_given_by_id_and_stock_counted_on_the_parent(cli, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '7,variable,HOOD,Hoodie,1,,,,1,12,,,,Size,"S, M",0',
        "8,variation,HOOD-S,Hoodie - S,1,,30.00,,1,parent,,,id:7,Size,S,0",
        "9,variation,HOOD-M,Hoodie - M,-1,,31.00,,1,3,,,HOOD,Size,M,0",
    )

    data = load(cli, path)

    assert data["created"] == 3, data
    hoodie = show(cli, "HOOD")
    assert (hoodie["manage_stock"], hoodie["stock_quantity"]) == (True, 12)
    held = {v["sku"]: v for v in hoodie["variations"]}
    assert held["HOOD-S"]["stock_quantity"] is None  # counted on its parent
    assert held["HOOD-S"].get("manage_stock") in (None, False)
    assert (held["HOOD-M"]["manage_stock"], held["HOOD-M"]["stock_quantity"]) == (True, 3)
    assert held["HOOD-M"]["status"] == "publish"  # -1 on a variation: enabled (WooCommerce's rule)


def test_an_option_any_is_kept_as_a_star(cli, tmp_path: Path) -> None:
    """WooCommerce's sample V-Neck T-Shirt: each colour in any size (the size named on the
    variation row without a value)."""
    path = write(
        tmp_path,
        '7,variable,VNECK,V-Neck,1,,,,1,,,,,Color,"Red, Blue",1,Size,"S, M",1',
        "8,variation,VNECK-RED,V-Neck,1,,20.00,,1,,,,VNECK,Color,Red,1,Size,,1",
        "9,variation,VNECK-BLUE,V-Neck,1,,21.00,,1,,,,VNECK,Color,Blue,1,Size,,1",
        header=HEADER + ",Attribute 2 name,Attribute 2 value(s),Attribute 2 global",
    )

    data = load(cli, path)

    assert data["created"] == 3, data
    options = [v["attributes"] for v in show(cli, "VNECK")["variations"]]
    assert options == [{"Color": "Red", "Size": "*"}, {"Color": "Blue", "Size": "*"}]
    listed = cli("products", "list").stdout
    assert "Color: Red, Size: any" in listed
    shown = cli("products", "show", "VNECK-RED").stdout
    assert (
        "Size (attribute)" in shown and "any" in shown.split("Size (attribute)")[1].split("\n")[0]
    )


def test_descriptions_keep_their_line_breaks_and_backslashes(cli, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        r'1,simple,NOTE,"Tom &amp; Jerry",1,"one\ntwo \\n three &lt;b&gt;",5.00,,1,,"A > B",,,,,',
    )

    assert load(cli, path)["created"] == 1
    note = show(cli, "NOTE")
    assert note["name"] == "Tom & Jerry"
    assert note["description"] == "one\ntwo \\n three <b>"
    assert note["categories"] == ["A > B"]


def test_a_column_a_plugin_added_is_left_out_and_said_only_when_it_holds_something(
    cli, tmp_path: Path
) -> None:
    header = HEADER + ",Badges,Swatches"
    path = write(tmp_path, '1,simple,CAP,Cap,1,,5.00,,1,,,,,,,,"New",', header=header)

    data = load(cli, path)

    assert data["created"] == 1
    assert data["notes"][-1] == "columns woosync does not keep were left out: Badges"
    assert "Swatches" not in " ".join(data["notes"])


def test_bad_values_are_row_errors_that_load_nothing(cli, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "1,simple,OK,Fine,1,,5.00,,1,,,,,,,",
        "2,simple,BAD,Broken,1,,cheap,,1,,,,,,,",
        "3,simple,,Nameless SKU,1,,5.00,,1,,,,,,,",
    )

    result = cli("--json", "products", "load", str(path))

    assert result.exit_code == 2
    errors = {e["row"]: e["message"] for e in json.loads(result.stdout)["errors"]}
    assert "price" in errors[3]
    assert "'Nameless SKU' has no SKU in the store it was exported from" in errors[4]
    assert cli("--json", "products", "list").stdout.strip() in ("[]", "")


def test_only_a_woocommerce_header_is_read_in_its_layout() -> None:
    assert is_woocommerce_header(["ID", "Type", "SKU", "Name", "Published"])
    assert is_woocommerce_header(["SKU", "Meta: _brand"])
    assert not is_woocommerce_header(["sku", "name", "price", "attribute:Size"])
    rows = parse_products(EXPORTED.read_text(encoding="utf-8"), "csv")
    assert len(rows) == 12 and rows[0].data["sku"] == "MUG-1"


def test_the_example_mapping_sends_what_a_woocommerce_export_carried(cli) -> None:
    sandbox = SandboxStore(seed=5)
    with sandbox.serve() as url:
        key, secret = sandbox.create_key("read_write")
        added = cli(
            "connections", "add", "--name", "Copy Store", "--url", url, "--default",
            env={"WOOSYNC_CONSUMER_KEY": key, "WOOSYNC_CONSUMER_SECRET": secret},
        )  # fmt: skip
        assert added.exit_code == 0, added.stderr
        applied = cli("mappings", "apply", str(EXAMPLE_MAPPING))
        assert applied.exit_code == 0, applied.stderr
        load(cli, EXPORTED, "--skip-invalid")
        result = cli("--json", "export", "--all")
    assert json.loads(result.stdout)["failedCount"] == 0, result.stdout + result.stderr

    held = {p["sku"]: p for p in sandbox.products.values()}
    mug = held["MUG-1"]
    assert (mug["short_description"], mug["featured"], mug["catalog_visibility"]) == (
        "Short &amp; sweet",
        True,
        "search",
    )
    assert (mug["tax_class"], mug["menu_order"], mug["purchase_note"]) == (
        "reduced-rate",
        4,
        "Thanks!",
    )
    assert (
        held["ALBUM"]["virtual"] is True and held["PEN"]["external_url"] == "https://example.com/p"
    )
    colour = next(a for a in held["TEE"]["attributes"] if a["name"] == "Color")
    assert colour["id"] > 0 and colour["variation"] is True  # global, as in the exporting store


def test_a_woocommerce_export_saved_by_a_european_spreadsheet_loads(cli, tmp_path: Path) -> None:
    """Semicolons between cells, decimal commas, a byte order mark: a comma inside the quoted
    header "GTIN, UPC, EAN, or ISBN" does not make it a file of commas."""
    rows = list(csv.reader(io.StringIO(EXPORTED.read_text(encoding="utf-8"), newline="")))
    header = rows[0]
    money = [header.index(name) for name in ("Regular price", "Sale price", "Weight (lbs)")]
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";")
    writer.writerow(header)
    for row in rows[1:]:
        writer.writerow(
            [cell.replace(".", ",") if i in money else cell for i, cell in enumerate(row)]
        )
    path = tmp_path / "excel.csv"
    path.write_text(text.getvalue(), encoding="utf-8-sig")

    data = load(cli, path, "--skip-invalid", "--decimal-comma")

    assert data["created"] == 11, data
    mug = show(cli, "MUG-1")
    assert (mug["price"], mug["sale_price"], mug["weight"]) == ("12.50", "9.99", "0.35")


def test_the_catalog_listed_as_csv_loads_back_unchanged_its_yes_no_fields_too(
    cli, tmp_path: Path
) -> None:
    load(cli, EXPORTED, "--skip-invalid")
    listed = cli("products", "list", "--all", "--format", "csv")
    path = tmp_path / "listed.csv"
    path.write_text(listed.stdout, encoding="utf-8")

    again = load(cli, path)

    assert (again["updated"], again["unchanged"]) == (0, 11), again["changes"]
    header, *rows = csv.reader(io.StringIO(listed.stdout, newline=""))
    [mug] = [row for row in rows if row[0] == "MUG-1"]
    assert mug[header.index("custom:featured")] == "yes"
    mug[header.index("custom:featured")] = "no"
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([header, mug])
    edited = tmp_path / "edited.csv"
    edited.write_text(text.getvalue(), encoding="utf-8")
    assert load(cli, edited)["updated"] == 1
    assert show(cli, "MUG-1")["customFields"]["featured"] is False  # still a true/false field
