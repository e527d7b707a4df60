"""WooCommerce fields the catalog has no field of its own for (``short_description``,
``featured``, ``purchase_note`` ...), sent from custom fields by the export mapping
(``short_description: short_description``): a shop manager's edit of one in the store comes back
into the custom field it is sent from, like any field the mapping sends. Before, the import did
not read them, took the store's value as the new base, and the next ``export --partial`` sent the
catalog's old value over the edit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from served_stores import cli_json, mapped_catalog, served_stores
from woosync.sandbox import SandboxStore
from woosync.woo import WooClient

CATALOG = """
- sku: COURSE
  name: Course
  price: "49.00"
  customFields: {short_description: Learn it, featured: "no", note: Thanks}
"""
FIELDS = [
    "--fields", "name,sku,price,short_description,featured,note",
    "--map", "price=regular_price",
    "--map", "short_description=short_description",
    "--map", "featured=featured",
    "--map", "note=purchase_note",
]  # fmt: skip


def shop_edit(store: SandboxStore, sku: str, body: dict[str, Any]) -> None:
    """A shop manager's edit of the product ``sku``, through the store's REST API."""
    found = store.find_sku(sku)
    assert found is not None
    key, secret = store.create_key("read_write")
    with WooClient(store.home, key, secret, max_retries=0) as client:
        client.put(f"/products/{found['id']}", body)


def test_a_store_edit_of_a_field_sent_from_a_custom_field_comes_back(
    cli: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with served_stores(db_path, monkeypatch, count=1) as (_db, [store], _urls):
        mapped_catalog(cli, tmp_path, CATALOG, {"1": FIELDS})
        cli_json(cli("--json", "export", "--all"))
        edit = {"short_description": "Learn it well", "featured": True, "purchase_note": "Enjoy"}
        shop_edit(store, "COURSE", edit)

        taken = cli_json(cli("--json", "import", "--update-existing"))

        assert taken["updatedCount"] == 1, taken["products"]
        shown = cli_json(cli("--json", "products", "show", "COURSE"))
        assert shown["customFields"] == {
            "short_description": "Learn it well",
            "featured": True,
            "note": "Enjoy",
        }
        again = cli_json(cli("--json", "export", "--all", "--partial"))
        assert again["counts"]["updated"] == 0  # nothing goes back over the edit
        assert cli_json(cli("--json", "import", "--update-existing"))["updatedCount"] == 0


def test_a_store_edit_the_import_mapping_does_not_take_is_named_before_it_is_sent_back(
    cli: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An import mapping that takes only the price leaves the description to the catalog: a
    shop manager's edit of it is sent back over by the next partial export. The import says so,
    naming the field and the product, before that export runs."""
    with served_stores(db_path, monkeypatch, count=1) as (_db, [store], _urls):
        mapped_catalog(cli, tmp_path, CATALOG, {"1": FIELDS})
        made = cli("import-mapping", "create", "1", "--map", "regular_price=price")
        assert made.exit_code == 0, made.stderr
        cli_json(cli("--json", "export", "--all"))
        shop_edit(store, "COURSE", {"short_description": "Store words"})

        taken = cli_json(cli("--json", "import", "--update-existing"))

        [warning] = [w for w in taken["warnings"] if "does not take" in w]
        assert "(short_description: COURSE)" in warning
        assert "'woosync export --connection 1 --partial' sends them back" in warning
        plan = cli("export", "--all", "--partial", "--dry-run")
        assert '~ COURSE short_description "Store words" -> "Learn it"' in plan.stdout
        again = cli_json(cli("--json", "import", "--update-existing"))
        assert not [w for w in again["warnings"] if "does not take" in w]  # said once


def test_a_dry_run_names_the_store_edits_an_export_would_send_back_over(
    cli: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with served_stores(db_path, monkeypatch, count=1) as (_db, [store], _urls):
        mapped_catalog(cli, tmp_path, CATALOG, {"1": FIELDS})
        assert cli("import-mapping", "create", "1", "--map", "regular_price=price").exit_code == 0
        cli_json(cli("--json", "export", "--all"))
        shop_edit(store, "COURSE", {"purchase_note": "Store words"})

        preview = cli_json(cli("--json", "import", "--update-existing", "--dry-run"))

        assert [w for w in preview["warnings"] if "(purchase_note: COURSE)" in w]
        taken = cli_json(cli("--json", "import", "--update-existing"))  # nothing was written
        assert [w for w in taken["warnings"] if "(purchase_note: COURSE)" in w]


def test_no_word_when_the_catalog_already_holds_the_stores_value(
    cli: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The catalog as the stock master: the shop's ERP file, loaded before the import, already
    counts the sale the store made. The import takes no stock (its mapping names the price
    only), and nothing would go back over the store's count: it says nothing."""
    stocked = '- {sku: MUG, name: Mug, price: "9.00", manage_stock: true, stock_quantity: 10}\n'
    fields = ["--fields", "name,sku,price,manage_stock,stock_quantity"]
    with served_stores(db_path, monkeypatch, count=1) as (_db, [store], _urls):
        mapped_catalog(cli, tmp_path, stocked, {"1": fields})
        assert cli("import-mapping", "create", "1", "--map", "regular_price=price").exit_code == 0
        cli_json(cli("--json", "export", "--all"))
        shop_edit(store, "MUG", {"stock_quantity": 8})  # a sale
        (tmp_path / "erp.yaml").write_text(stocked.replace("10}", "8}"))
        assert cli("products", "load", str(tmp_path / "erp.yaml")).exit_code == 0

        taken = cli_json(cli("--json", "import", "--update-existing"))

        assert not [w for w in taken["warnings"] if "does not take" in w], taken["warnings"]
        assert cli_json(cli("--json", "export", "--all", "--partial"))["counts"]["updated"] == 0
        assert store.find_sku("MUG")["stock_quantity"] == 8  # type: ignore[index]
