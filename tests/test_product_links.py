"""Upsells and cross-sells through the CLI, between two sandbox stores on loopback ports: the
catalog names them by SKU, each store by its own ids. A first export links products it creates
in the same run; a store's change comes back by SKU and goes on to the other store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from served_stores import cli_json as _json
from served_stores import mapped_catalog, served_stores
from woosync.sandbox import SandboxStore
from woosync.woo import WooClient

CATALOG = """
- {sku: LAMP, name: Lamp, price: "30", upsells: [BULB-LED, shade], cross_sells: [BULB-LED]}
- {sku: BULB-LED, name: LED bulb, price: "5", upsells: [LAMP]}
- {sku: SHADE, name: Shade, price: "12"}
- {sku: HOOK, name: Hook, price: "2", cross_sells: [NOT-HERE]}
- {sku: SET, name: Lamp set, type: grouped, grouped_products: [LAMP, BULB-LED]}
"""
FIELDS = "name,sku,price,upsells,cross_sells,grouped_products"


@pytest.fixture
def stores(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Any, tmp_path: Path
) -> Iterator[tuple[list[SandboxStore], list[str]]]:
    """Two sandbox stores (connections 1 and 2, both sent upsells and cross-sells), the catalog."""
    with served_stores(db_path, monkeypatch) as (_db, sandboxes, urls):
        mapped_catalog(cli, tmp_path, CATALOG, {c: ["--fields", FIELDS] for c in ("1", "2")})
        yield sandboxes, urls


def _links(sandbox: SandboxStore, sku: str, *keys: str) -> tuple[list[str], ...]:
    """A store product's upsells and cross-sells (or ``keys``), as the SKUs of the store's
    products."""
    found = sandbox.find_sku(sku)
    assert found is not None
    skus = {woo_id: sandbox.products[woo_id]["sku"] for woo_id in sandbox.products}
    return tuple([skus[i] for i in found[key]] for key in keys or ("upsell_ids", "cross_sell_ids"))


def test_links_are_sent_as_each_stores_ids_and_come_back_by_sku(
    stores: tuple[list[SandboxStore], list[str]], cli: Any
) -> None:
    sandboxes, urls = stores
    first = _json(cli("export", "-c", "1", "--all", "--json"))
    assert first["counts"]["created"] == 5 and first["failedCount"] == 0
    # created in the same run, linked all the same (the product named in another case too)
    assert _links(sandboxes[0], "LAMP") == (["BULB-LED", "SHADE"], ["BULB-LED"])
    assert _links(sandboxes[0], "BULB-LED") == (["LAMP"], [])
    assert _links(sandboxes[0], "HOOK") == ([], [])
    assert _links(sandboxes[0], "SET", "grouped_products") == (["LAMP", "BULB-LED"],)
    assert sandboxes[0].find_sku("SET")["type"] == "grouped"  # type: ignore[index]
    [warning] = first["warnings"]
    assert warning.startswith("upsells or cross-sells not in this store (connection 1): NOT-HERE")
    assert "(named by HOOK)" in warning

    # read back by SKU: nothing to send again, nothing to take back
    again = _json(cli("export", "-c", "1", "--all", "--partial", "--json"))
    assert again["counts"]["updated"] == 0
    back = _json(cli("import", "-c", "1", "--update-existing", "--json"))
    assert (back["updatedCount"], back["conflictCount"]) == (0, 0), back

    # a shop manager suggests the hook instead of the shade: it comes back by SKU, and goes on
    lamp, hook = sandboxes[0].find_sku("LAMP"), sandboxes[0].find_sku("HOOK")
    bulb = sandboxes[0].find_sku("BULB-LED")
    assert lamp is not None and hook is not None and bulb is not None
    key, secret = sandboxes[0].create_key("read_write")
    with WooClient(urls[0], key, secret, max_retries=0) as client:
        # and an id the store keeps though no product has it (WooCommerce does: checked)
        client.put(f"/products/{lamp['id']}", {"upsell_ids": [bulb["id"], hook["id"], 999999]})
    taken = _json(cli("import", "-c", "1", "--update-existing", "--json"))
    assert {p["sku"]: p.get("changedFields") for p in taken["products"]}["LAMP"] == ["upsells"]
    assert _json(cli("products", "show", "LAMP", "--json"))["upsells"] == ["BULB-LED", "HOOK"]
    still = _json(cli("import", "-c", "1", "--update-existing", "--json"))
    assert (still["updatedCount"], still["conflictCount"]) == (0, 0), still
    plan = _json(cli("export", "-c", "1", "--all", "--partial", "--dry-run", "--json"))
    assert plan["summary"]["update"] == 0  # the store has it already
    second = _json(cli("export", "-c", "2", "--all", "--json"))
    assert second["counts"]["created"] == 5
    assert _links(sandboxes[1], "LAMP") == (["BULB-LED", "HOOK"], ["BULB-LED"])
    assert _links(sandboxes[1], "SET", "grouped_products") == (["LAMP", "BULB-LED"],)


def test_links_are_checked_and_shown(
    stores: tuple[list[SandboxStore], list[str]], cli: Any, tmp_path: Path
) -> None:
    (tmp_path / "self.yaml").write_text("- {sku: SHADE, upsells: [shade]}\n")
    refused = cli("products", "load", str(tmp_path / "self.yaml"))
    assert refused.exit_code != 0
    assert "upsells: a product does not name itself ('SHADE')" in refused.stderr
    edited = cli("products", "edit", "SHADE", "--upsell", "LAMP", "--cross-sell", "HOOK")
    assert edited.exit_code == 0, edited.stderr
    shown = cli("products", "show", "SHADE")
    assert "Upsells\tLAMP" in shown.stdout and "Cross-sells\tHOOK" in shown.stdout
    listed = cli("products", "list", "--format", "csv", "--sku", "LAMP")
    header, lamp = listed.stdout.splitlines()[:2]
    assert "upsells,cross_sells" in header and "BULB-LED|shade,BULB-LED" in lamp
    not_grouped = cli("products", "edit", "SHADE", "--grouped-product", "LAMP")
    assert not_grouped.exit_code != 0
    assert "only a grouped product holds products, not a simple one" in not_grouped.stderr
    unset = cli("products", "edit", "SHADE", "--unset", "upsells")
    assert unset.exit_code == 0, unset.stderr
    assert "upsells" not in _json(cli("products", "show", "SHADE", "--json"))


def test_a_first_import_names_links_from_the_listing_itself(
    stores: tuple[list[SandboxStore], list[str]], cli: Any
) -> None:
    """A store's links to products of the same page or an earlier one need no request of their
    own (the page, and the pages written before it, know their SKUs); a link to a later page's
    product is asked for, once."""
    sandbox, url = stores[0][1], stores[1][1]
    ids = sandbox.seed_products(150, prefix="P-")  # two pages of 100
    key, secret = sandbox.create_key("read_write")
    with WooClient(url, key, secret, max_retries=0) as client:
        client.put(f"/products/{ids[140]}", {"upsell_ids": [ids[10], ids[145]]})  # earlier, same
        client.put(f"/products/{ids[5]}", {"cross_sell_ids": [ids[120], ids[130]]})  # later page
    sandbox.stats.reset()
    imported = _json(cli("import", "-c", "2", "--json"))
    assert imported["importedCount"] == 150
    assert _json(cli("products", "show", "P-00141", "--json"))["upsells"] == ["P-00011", "P-00146"]
    assert _json(cli("products", "show", "P-00006", "--json"))["cross_sells"] == [
        "P-00121",
        "P-00131",
    ]
    listed = sandbox.stats.snapshot()["by_route"]["GET /wc/v3/products"]
    assert listed == 2 + 1  # the two pages, and one request for the later page's two


def test_a_product_deleted_from_one_store_stays_in_the_links_of_the_catalog(
    stores: tuple[list[SandboxStore], list[str]], cli: Any
) -> None:
    """``woosync delete`` takes a product out of one store only; WooCommerce keeps its id in
    the links of the products that suggested it (checked). An import from that store must not
    take those links as removed there: the other stores still sell it."""
    _json(cli("export", "-c", "all", "--all", "--json"))
    deleted = cli("delete", "--sku", "SHADE", "-c", "1", "--yes")
    assert deleted.exit_code == 0, deleted.stderr
    lamp = _json(cli("products", "show", "LAMP", "--json"))
    back = _json(cli("import", "-c", "1", "--update-existing", "--json"))
    assert (back["updatedCount"], back["conflictCount"]) == (0, 0), back
    assert _json(cli("products", "show", "LAMP", "--json"))["upsells"] == lamp["upsells"]
    assert "shade" in lamp["upsells"]


def test_a_renamed_product_stays_linked(
    stores: tuple[list[SandboxStore], list[str]], cli: Any
) -> None:
    """Links name products by SKU: a product's new SKU replaces the old one in the others'
    links (here an edit; a load or an import of a store's rename alike), so the next time they
    are sent they still find it."""
    _json(cli("export", "-c", "1", "--all", "--json"))
    renamed = cli("products", "edit", "BULB-LED", "--sku", "BULB-E27")
    assert renamed.exit_code == 0, renamed.stderr
    lamp = _json(cli("products", "show", "LAMP", "--json"))
    assert (lamp["upsells"], lamp["cross_sells"]) == (["BULB-E27", "shade"], ["BULB-E27"])
    assert _json(cli("products", "show", "SET", "--json"))["grouped_products"] == [
        "LAMP",
        "BULB-E27",
    ]
    # the links change in the catalog: sent again, the renamed product still in them
    assert (
        cli("products", "edit", "LAMP", "--upsell", "BULB-E27", "--upsell", "HOOK").exit_code == 0
    )
    sent = _json(cli("export", "-c", "1", "--all", "--partial", "--json"))
    assert not [w for w in sent["warnings"] if "BULB" in w], sent["warnings"]
    assert _links(stores[0][0], "LAMP") == (["BULB-E27", "HOOK"], ["BULB-E27"])


def test_an_update_links_a_product_the_same_partial_run_creates(
    stores: tuple[list[SandboxStore], list[str]], cli: Any, tmp_path: Path
) -> None:
    sandboxes = stores[0]
    _json(cli("export", "-c", "1", "--all", "--json"))
    (tmp_path / "new.yaml").write_text(
        "- {sku: LAMP, upsells: [BULB-LED, CORD]}\n- {sku: CORD, name: Cord, price: '4'}\n"
    )
    assert cli("products", "load", str(tmp_path / "new.yaml")).exit_code == 0
    sent = _json(cli("export", "-c", "1", "--all", "--partial", "--json"))
    assert (sent["counts"]["created"], sent["counts"]["updated"]) == (1, 1), sent
    assert _links(sandboxes[0], "LAMP") == (["BULB-LED", "CORD"], ["BULB-LED"])
    again = _json(cli("export", "-c", "1", "--all", "--partial", "--json"))
    assert again["counts"]["updated"] == 0 and again["warnings"] == []


def test_a_link_the_store_holds_to_a_product_without_a_sku_stays_in_the_store(
    stores: tuple[list[SandboxStore], list[str]], cli: Any, tmp_path: Path
) -> None:
    """WooCommerce replaces a product's links with the list it is sent. A shop manager's link
    to a product the catalog cannot name (it has no SKU) stays: an import leaves it out of the
    catalog without calling it a difference, and an export that sends the product's links keeps
    it (before, the next partial export dropped it)."""
    sandboxes, urls = stores
    _json(cli("export", "-c", "1", "--all", "--json"))
    lamp, bulb = sandboxes[0].find_sku("LAMP"), sandboxes[0].find_sku("BULB-LED")
    assert lamp is not None and bulb is not None
    key, secret = sandboxes[0].create_key("read_write")
    with WooClient(urls[0], key, secret, max_retries=0) as client:
        gift = client.post("/products", {"name": "Gift wrap", "regular_price": "1"})  # no SKU
        client.put(f"/products/{lamp['id']}", {"upsell_ids": [bulb["id"], gift["id"]]})

    taken = _json(cli("import", "-c", "1", "--update-existing", "--json"))
    assert {p["sku"]: p.get("changedFields") for p in taken["products"]}["LAMP"] == ["upsells"]
    assert _json(cli("products", "show", "LAMP", "--json"))["upsells"] == ["BULB-LED"]
    quiet = _json(cli("export", "-c", "1", "--all", "--partial", "--json"))
    assert quiet["counts"]["updated"] == 0  # the store's own link is no difference
    assert sandboxes[0].find_sku("LAMP")["upsell_ids"] == [bulb["id"], gift["id"]]  # type: ignore[index]

    # the catalog's links change: they go out, and the store's own link stays with them
    (tmp_path / "more.yaml").write_text("- {sku: LAMP, upsells: [BULB-LED, SHADE]}\n")
    assert cli("products", "load", str(tmp_path / "more.yaml")).exit_code == 0
    sent = _json(cli("export", "-c", "1", "--all", "--partial", "--json"))
    assert sent["counts"]["updated"] == 1
    shade = sandboxes[0].find_sku("SHADE")
    assert shade is not None
    held = sandboxes[0].find_sku("LAMP")["upsell_ids"]  # type: ignore[index]
    assert held == [bulb["id"], shade["id"], gift["id"]]
    full = _json(cli("export", "-c", "1", "--all", "--json"))  # a full export keeps it too
    assert full["failedCount"] == 0
    assert sandboxes[0].find_sku("LAMP")["upsell_ids"] == held  # type: ignore[index]
    assert _json(cli("import", "-c", "1", "--update-existing", "--json"))["updatedCount"] == 0
