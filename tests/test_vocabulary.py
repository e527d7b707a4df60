"""One vocabulary: ``--product/-p`` (ids) and ``--sku`` wherever a product is chosen, ``--fields``
checked like a mapping file (a typo is an error naming the valid fields, nothing sent)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from test_export_support import add_products, tee
from woosync.db.engine import Database, open_database
from woosync.sandbox import SandboxStore
from woosync.services.connections.records import create_connection


@pytest.fixture
def shop(db_path: Path) -> Iterator[tuple[SandboxStore, list[int]]]:
    store = SandboxStore(seed=5)
    with store.serve() as url:
        db: Database = open_database(db_path)
        key, secret = store.create_key("read_write")
        create_connection(db, name="Retail", url=url, consumer_key=key, consumer_secret=secret)
        ids = add_products(db, [tee("VOC-1"), tee("VOC-2")])
        db.dispose()
        yield store, ids


def test_a_typo_in_fields_is_refused_before_anything_is_sent(cli, shop) -> None:
    store, _ids = shop
    typo = cli("export", "--all", "--fields", "name,sku,prise")
    assert typo.exit_code == 2 and typo.stdout == ""
    assert '--fields: "prise" is not a field (did you mean price?)' in typo.stderr
    assert "attribute:NAME" in typo.stderr and len(typo.stderr.strip().splitlines()) == 1
    assert store.find_sku("VOC-1") is None  # nothing sent
    as_json = cli("export", "--all", "--fields", "name,sku,prise", "--json")
    assert json.loads(as_json.stdout)["error"]["code"] == "usage"


def test_product_and_sku_choose_a_product_everywhere(cli, shop) -> None:
    store, ids = shop
    sent = cli("export", "--product", str(ids[0]), "--fields", "name,sku,price")
    assert sent.exit_code == 0, sent.stderr
    again = cli("export", "-p", str(ids[1]), "--fields", "name,sku,price")
    assert again.exit_code == 0, again.stderr
    updated = cli("update", "--sku", "VOC-1", "--fields", "name,sku,price")
    assert updated.exit_code == 0, updated.stderr
    assert f"product {ids[0]} -> store product" in updated.stdout
    neither = cli("update", "--fields", "name,sku,price")
    assert neither.exit_code == 2 and "--product ID or --sku SKU" in neither.stderr
    both = cli("delete", "-p", str(ids[1]), "--sku", "VOC-2", "--yes")
    assert both.exit_code == 2
    unknown = cli("delete", "--sku", "NOPE", "--yes")
    assert unknown.exit_code == 3 and "NOPE" in unknown.stderr
    deleted = cli("delete", "--sku", "VOC-2", "--yes")
    assert deleted.exit_code == 0, deleted.stderr
    assert store.find_sku("VOC-2") is None
    assert "woosync export --product" in deleted.stderr


def test_the_old_plural_spellings_still_work_but_help_hides_them(cli, shop) -> None:
    """``--products`` and ``--woo-ids`` are accepted as before; ``--help`` shows only
    ``--product`` and ``--woo-id`` (one vocabulary)."""
    store, ids = shop
    export_help = cli("export", "--help").stdout
    import_help = cli("import", "--help").stdout
    assert "--products" not in export_help and "--product " in export_help
    assert "--woo-ids" not in import_help and "--woo-id " in import_help

    sent = cli("export", "--products", f"{ids[0]},{ids[1]}", "--fields", "name,sku", "--json")
    assert sent.exit_code == 0, sent.stderr
    assert [r["productId"] for r in json.loads(sent.stdout)["results"]] == ids
    woo_id = store.find_sku("VOC-2")["id"]
    pulled = cli("import", "--woo-ids", str(woo_id), "--update-existing", "--json")
    assert pulled.exit_code == 0, pulled.stderr
    assert [p["wooProductId"] for p in json.loads(pulled.stdout)["products"]] == [woo_id]
    bad = cli("export", "--products", "1,x")  # checked under the flag's one name
    assert bad.exit_code == 2 and "--product" in bad.stderr
    both = cli("export", "--product", str(ids[0]), "--products", str(ids[1]))
    assert both.exit_code == 2, both.stdout
    assert "--products is another spelling of --product" in both.stderr
    assert store.find_sku("VOC-1")["name"]
