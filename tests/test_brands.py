"""A product's brands (WooCommerce 9.6 and later), through the CLI against served sandbox stores.

WooCommerce 11 keeps brands as it keeps categories (``/products/brands``, each with a parent) but
takes a product's brands by id only: ``[{"id": 7}]``; a bare ``7`` is refused and a brand given
by name is dropped without a word (checked on a real WooCommerce 11.0.1 store; ``tests/realstore``
runs the same against one). The catalog knows a brand by its path, like a category (``Acme >
Acme Pro``): each store's id of it is found under its parent (a lone name also lower down) or
made there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from served_stores import as_manager, cli_json, mapped_catalog, served_stores
from woosync.sandbox import SandboxStore
from woosync.services.export.store_terms import NO_BRANDS
from woosync.woo.errors import WooHTTPError

CATALOG = """
- {sku: MUG, name: Mug, price: "9.00", brands: [Acme]}
- {sku: CUP, name: Cup, price: "7.00", brands: [acme, "Café & Co"]}
- {sku: BOWL, name: Bowl, price: "5.00"}
"""
FIELDS = ["--fields", "name,sku,price,brands"]


def brands_of(store: SandboxStore, sku: str) -> list[str]:
    found = store.find_sku(sku)
    assert found is not None, sku
    return [brand["name"] for brand in found["brands"]]


def shown(cli: Any, sku: str) -> list[str]:
    brands: list[str] = cli_json(cli("--json", "products", "show", sku)).get("brands", [])
    return brands


@pytest.fixture
def two_stores(cli: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    with served_stores(db_path, monkeypatch, count=2) as (_db, stores, _urls):
        mapped_catalog(cli, tmp_path, CATALOG, {"1": FIELDS, "2": FIELDS})
        yield stores


def test_brands_are_names_in_the_catalog_one_per_spelling(cli: Any, two_stores: Any) -> None:
    assert shown(cli, "CUP") == ["acme", "Café & Co"]
    assert shown(cli, "BOWL") == []  # none: the JSON leaves the key out
    assert "brands" not in cli_json(cli("--json", "products", "show", "BOWL"))
    assert "Brands" in cli("products", "show", "MUG").stdout


def test_an_export_finds_or_makes_each_brand_once_per_store_and_sends_its_id(
    cli: Any, two_stores: Any
) -> None:
    first, second = two_stores
    made = as_manager(first, "POST", "/products/brands", {"name": "ACME"})  # the shop's own

    for connection in ("1", "2"):
        cli_json(cli("--json", "export", "--all", "--connection", connection))

    assert brands_of(first, "MUG") == ["ACME"]  # the store's brand, found by name in any case
    assert brands_of(first, "CUP") == ["ACME", "Café &amp; Co"]
    assert brands_of(second, "CUP") == ["Acme", "Café &amp; Co"]  # made by the first product
    assert brands_of(first, "BOWL") == []
    listed = as_manager(first, "GET", "/products/brands", {"per_page": 100})
    assert sorted(b["name"] for b in listed) == ["ACME", "Café &amp; Co"]  # none made twice
    assert first.find_sku("MUG")["brands"][0]["id"] == made["id"]
    again = cli_json(cli("--json", "export", "--all", "--partial"))
    assert again["counts"]["updated"] == 0  # the store's "&amp;" is no change


def test_a_changed_brand_goes_out_alone_and_a_dry_run_names_the_brand_it_would_make(
    cli: Any, two_stores: Any
) -> None:
    cli_json(cli("--json", "export", "--all", "--connection", "1"))
    assert cli("products", "edit", "MUG", "--brand", "Zeta", "--brand", "Acme").exit_code == 0

    plan = cli("export", "--all", "--partial", "--dry-run", "--connection", "1")
    assert plan.exit_code == 0, plan.stderr
    assert "~ MUG brands [Acme] -> [Zeta, Acme]" in plan.stdout
    assert "+ create brand Zeta in the store" in plan.stdout
    assert brands_of(two_stores[0], "MUG") == ["Acme"]  # nothing sent

    sent = cli_json(cli("--json", "export", "--all", "--partial", "--connection", "1"))

    mug = cli_json(cli("--json", "products", "show", "MUG"))["id"]
    assert [r["productId"] for r in sent["results"] if r["change"] == "updated"] == [mug]
    assert brands_of(two_stores[0], "MUG") == ["Acme", "Zeta"]  # the store lists them by name


def test_a_brand_deleted_in_the_store_is_made_again_not_sent_by_its_old_id(
    cli: Any, two_stores: Any
) -> None:
    store = two_stores[0]
    cli_json(cli("--json", "export", "--all", "--connection", "1"))
    old = store.find_sku("MUG")["brands"][0]["id"]
    as_manager(store, "DELETE", f"/products/brands/{old}")
    assert cli("products", "edit", "MUG", "--price", "9.50").exit_code == 0

    cli_json(cli("--json", "export", "--all", "--connection", "1"))

    assert brands_of(store, "MUG") == ["Acme"]
    assert store.find_sku("MUG")["brands"][0]["id"] != old


def test_a_sub_brand_comes_in_by_its_path_and_goes_out_under_its_parent(
    cli: Any, two_stores: Any
) -> None:
    first, second = two_stores
    acme = as_manager(first, "POST", "/products/brands", {"name": "Acme"})
    pro = as_manager(first, "POST", "/products/brands", {"name": "Acme Pro", "parent": acme["id"]})
    as_manager(first, "POST", "/products", {"name": "Drill", "sku": "DRILL", "brands": [{"id": pro["id"]}]})  # fmt: skip

    cli_json(cli("--json", "import", "--connection", "1"))

    assert shown(cli, "DRILL") == ["Acme > Acme Pro"]
    cli_json(cli("--json", "export", "--all", "--connection", "2"))
    listed = as_manager(second, "GET", "/products/brands", {})
    ids, parents = {b["name"]: b["id"] for b in listed}, {b["name"]: b["parent"] for b in listed}
    assert (parents["Acme"], parents["Acme Pro"]) == (0, ids["Acme"])  # made under its parent
    assert [b["id"] for b in second.find_sku("DRILL")["brands"]] == [ids["Acme Pro"]]
    for connection in ("1", "2"):
        again = cli_json(cli("--json", "import", "-c", connection, "--update-existing"))
        assert (again["updatedCount"], again["conflictCount"]) == (0, 0), again
    assert cli("products", "edit", "MUG", "--brand", "Acme Pro").exit_code == 0  # a lone name
    cli_json(cli("--json", "export", "--all", "--partial", "--connection", "1"))
    assert first.find_sku("MUG")["brands"] == [
        {"id": pro["id"], "name": "Acme Pro", "slug": "acme-pro"}
    ]


def test_a_store_edit_of_brands_comes_in_and_goes_to_the_other_store(
    cli: Any, two_stores: Any
) -> None:
    for connection in ("1", "2"):
        cli_json(cli("--json", "export", "--all", "--connection", connection))
    first, second = two_stores
    new = as_manager(first, "POST", "/products/brands", {"name": "Nord"})
    mug = first.find_sku("MUG")
    as_manager(first, "PUT", f"/products/{mug['id']}", {"brands": [{"id": new["id"]}]})

    taken = cli_json(cli("--json", "import", "--update-existing", "--connection", "1"))

    assert taken["updatedCount"] == 1
    assert shown(cli, "MUG") == ["Nord"]
    cli_json(cli("--json", "export", "--all", "--partial", "--connection", "2"))
    assert brands_of(second, "MUG") == ["Nord"]
    again = cli_json(cli("--json", "import", "--update-existing", "--connection", "1"))
    assert again["updatedCount"] == 0


def test_an_import_into_an_empty_catalog_takes_the_brands(
    cli: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with served_stores(db_path, monkeypatch, count=1) as (_db, stores, _urls):
        store = stores[0]
        brand = as_manager(store, "POST", "/products/brands", {"name": "Tom &amp; Co"})
        as_manager(
            store,
            "POST",
            "/products",
            {"name": "Lamp", "sku": "LAMP", "brands": [{"id": brand["id"]}]},
        )

        cli_json(cli("--json", "import"))

        assert shown(cli, "LAMP") == ["Tom & Co"]


def test_the_sandbox_takes_a_brand_by_id_only_as_woocommerce_does(two_stores: Any) -> None:
    store = two_stores[0]
    brand = as_manager(store, "POST", "/products/brands", {"name": "Acme"})
    child = as_manager(store, "POST", "/products/brands", {"name": "Pro", "parent": brand["id"]})
    assert child["parent"] == brand["id"]
    with pytest.raises(WooHTTPError) as refused:
        as_manager(store, "POST", "/products", {"name": "X", "brands": [brand["id"]]})
    assert refused.value.code == "rest_invalid_param"
    assert refused.value.data["params"] == {"brands": "brands[0] is not of type object."}

    made = as_manager(
        store, "POST", "/products", {"name": "X", "brands": [{"name": "Acme"}, {"id": 99999}]}
    )

    assert made["brands"] == []  # by name, or an id the store lacks: dropped without a word
    with pytest.raises(WooHTTPError) as twice:
        as_manager(store, "POST", "/products/brands", {"name": "acme"})
    assert twice.value.code == "term_exists"


def test_a_variation_has_no_brands_of_its_own(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "tee.yaml"
    path.write_text(
        "- sku: TEE\n  name: Tee\n  type: variable\n  attributes: {Size: [S]}\n"
        "  variations: [{sku: TEE-S, attributes: {Size: S}, brands: [Acme]}]\n"
    )

    result = cli("products", "load", str(path))

    assert result.exit_code == 2
    assert "a variation's brands are its parent's" in result.stderr


def test_brands_round_trip_through_a_csv_file_and_come_from_woocommerces_export(
    cli: Any, tmp_path: Path
) -> None:
    (tmp_path / "catalog.yaml").write_text(CATALOG)
    assert cli("products", "load", str(tmp_path / "catalog.yaml")).exit_code == 0
    listed = cli("products", "list", "--format", "csv")
    assert listed.exit_code == 0, listed.stderr
    header = listed.stdout.splitlines()[0].split(",")
    assert "brands" in header
    (tmp_path / "back.csv").write_text(listed.stdout)
    reloaded = cli("products", "load", str(tmp_path / "back.csv"))
    assert reloaded.exit_code == 0, reloaded.stderr
    assert "0 created, 0 updated, 3 unchanged" in reloaded.stdout
    # WooCommerce's own exporter writes a sub-brand as its path, as the catalog does
    (tmp_path / "wc.csv").write_text(
        "ID,Type,SKU,Name,Published,Regular price,Brands\n"
        '1,simple,LAMP,Lamp,1,12,"Acme > Acme Pro, Nord"\n'
    )
    loaded = cli("products", "load", str(tmp_path / "wc.csv"))
    assert loaded.exit_code == 0, loaded.stderr
    assert shown(cli, "LAMP") == ["Acme > Acme Pro", "Nord"]


def test_a_store_before_woocommerce_9_6_has_no_brands_and_says_so_per_product(
    cli: Any, tmp_path: Path
) -> None:
    store = SandboxStore(wc_version="9.5.2")
    with store.serve() as url:
        key, secret = store.create_key("read_write")
        added = cli(
            "connections", "add", "--name", "Old", "--url", url,
            "--consumer-key", key, "--consumer-secret", secret,
        )  # fmt: skip
        assert added.exit_code == 0, added.stderr
        (tmp_path / "catalog.yaml").write_text(CATALOG)
        assert cli("products", "load", str(tmp_path / "catalog.yaml")).exit_code == 0

        plan = cli("export", "--all", "--dry-run", *FIELDS)
        assert plan.exit_code == 1, plan.stderr  # as the export would
        assert "create brand" not in plan.stdout
        assert "2 with errors" in plan.stdout and "WooCommerce 9.6" in plan.stdout

        sent = cli("--json", "export", "--all", *FIELDS)

        result = json.loads(sent.stdout)
        assert sent.exit_code != 0 and result["failedCount"] == 2
        failed = {r["message"] for r in result["results"] if r["status"] == "error"}
        assert failed == {NO_BRANDS}
        bowl = store.find_sku("BOWL")
        assert bowl is not None and store.find_sku("MUG") is None
        assert "brands" not in bowl  # such a store answers no brands
        cli_json(cli("--json", "export", "--all", "--fields", "name,sku,price"))
        mug = store.find_sku("MUG")
        assert mug is not None
        as_manager(store, "PUT", f"/products/{mug['id']}", {"name": "Big Mug"})

        taken = cli_json(cli("--json", "import", "--update-existing"))

        assert taken["updatedCount"] == 1
        shown_mug = cli_json(cli("--json", "products", "show", "MUG"))
        assert (shown_mug["name"], shown_mug["brands"]) == ("Big Mug", ["Acme"])  # none cleared
