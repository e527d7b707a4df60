"""External (affiliate) products through the CLI, between two sandbox stores on loopback ports:
an import brings one in with its link and button, and an export never makes it a simple product
the other store sells (seen on a real WooCommerce 11 store: a store whose mapping does not send
``type`` got a purchasable simple product)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from served_stores import cli_json as _json
from served_stores import served_stores
from woosync.sandbox import SandboxStore
from woosync.woo import WooClient

LINK = "https://books.example.com/garden?ref=1&x=2"
BUTTON = "Buy at Books & Co"


@pytest.fixture
def stores(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[list[SandboxStore], list[str]]]:
    """Two sandbox stores served on loopback ports, connections 1 (default) and 2; the first
    holds an external product and a grouped one."""
    with served_stores(db_path, monkeypatch) as (_db, sandboxes, urls):
        book = sandboxes[0].create_product(
            {
                "name": "Garden Book",
                "sku": "EXT-1",
                "type": "external",
                "regular_price": "19.99",
                "external_url": LINK,
                "button_text": BUTTON,
            }
        )
        sandboxes[0].create_product(
            {
                "name": "Gift set",
                "sku": "GRP-1",
                "type": "grouped",
                "grouped_products": [book["id"]],
            }
        )
        yield sandboxes, urls


def test_an_external_product_comes_in_with_its_link_and_goes_out_as_external(
    stores: tuple[list[SandboxStore], list[str]], cli: Any
) -> None:
    sandboxes, urls = stores
    imported = _json(cli("import", "-c", "1", "--json"))
    by_sku = {p["sku"]: p for p in imported["products"]}
    assert by_sku["EXT-1"]["status"] == "imported"
    assert by_sku["GRP-1"]["status"] == "imported"  # a grouped product, with its products
    grouped = _json(cli("products", "show", "GRP-1", "--json"))
    assert (grouped["type"], grouped["grouped_products"]) == ("grouped", ["EXT-1"])
    shown = _json(cli("products", "show", "EXT-1", "--json"))
    assert (shown["type"], shown["price"]) == ("external", "19.99")
    assert shown["customFields"] == {"external_url": LINK, "button_text": BUTTON}

    # a store whose mapping sends no type: the create carries it all the same, and says what
    # the store lacks
    fields = ("--fields", "name,sku,price")
    plan = _json(cli("export", "-c", "2", "--sku", "EXT-1", *fields, "--dry-run", "--json"))
    [planned] = plan["products"]
    assert {c["field"]: c["new"] for c in planned["fields"]}["type"] == "external"
    sent = cli("export", "-c", "2", "--sku", "EXT-1", *fields)
    assert sent.exit_code == 0, sent.stderr
    assert (
        "EXT-1: created in this store (connection 2) as an external product without its product "
        "URL: this store's export mapping does not send external_url"
    ) in " ".join(sent.stderr.split())
    copy = sandboxes[1].find_sku("EXT-1")
    assert copy is not None
    assert (copy["type"], copy["purchasable"], copy["external_url"]) == ("external", False, "")

    # mapped, the link and button go out; nothing changes after, and nothing comes back
    mapping = cli(
        "export-mapping",
        "create",
        "2",
        "--fields",
        "name,sku,price,external_url,button_text",
        "--map",
        "external_url=external_url",
        "--map",
        "button_text=button_text",
    )
    assert mapping.exit_code == 0, mapping.stderr
    updated = _json(cli("export", "-c", "2", "--all", "--partial", "--json"))
    by_id = {r["productId"]: r["exportedFields"] for r in updated["results"]}
    assert by_id[shown["id"]] == ["external_url", "button_text"]
    assert updated["warnings"] == []
    copy = sandboxes[1].find_sku("EXT-1")
    assert copy is not None
    assert (copy["type"], copy["external_url"], copy["button_text"]) == ("external", LINK, BUTTON)
    again = _json(cli("export", "-c", "2", "--all", "--partial", "--json"))
    assert again["counts"]["unchanged"] == 2 and again["counts"]["updated"] == 0  # and GRP-1
    back = _json(cli("import", "-c", "2", "--update-existing", "--json"))
    assert back["counts"]["unchanged"] == 2 and back["conflictCount"] == 0

    # a shop manager's new link in the first store comes in, and goes on to the second
    original = sandboxes[0].find_sku("EXT-1")
    assert original is not None
    key, secret = sandboxes[0].create_key("read_write")
    with WooClient(urls[0], key, secret, max_retries=0) as client:
        client.put(f"/products/{original['id']}", {"external_url": LINK + "9"})
    changed = _json(cli("import", "-c", "1", "--update-existing", "--json"))
    assert {p["sku"]: p.get("changedFields") for p in changed["products"]} == {
        "EXT-1": ["external_url"],
        "GRP-1": [],  # unchanged
    }
    _json(cli("export", "-c", "2", "--all", "--partial", "--json"))
    assert sandboxes[1].find_sku("EXT-1")["external_url"] == LINK + "9"  # type: ignore[index]


def test_each_type_is_created_as_the_catalog_holds_it_whatever_the_mapping_sends(
    stores: tuple[list[SandboxStore], list[str]], cli: Any, tmp_path: Path
) -> None:
    """A product file's external and grouped products (WooCommerce's own export holds them):
    created as such in a store whose mapping sends no type, and nothing warned when the link
    goes out; a simple product is created simple."""
    sandboxes = stores[0]
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        "products:\n"
        "  - {sku: PLAIN-1, name: Plain, price: 3}\n"
        "  - {sku: GRP-2, name: Set, type: grouped}\n"
        "  - {sku: EXT-2, name: Elsewhere, type: external, price: 5,"
        f" customFields: {{external_url: '{LINK}'}}}}\n"
    )
    assert cli("products", "load", str(catalog)).exit_code == 0
    mapping = cli(
        "export-mapping",
        "create",
        "2",
        "--fields",
        "name,sku,price,external_url",
        "--map",
        "external_url=external_url",
    )
    assert mapping.exit_code == 0, mapping.stderr
    sent = _json(cli("export", "-c", "2", "--all", "--json"))
    assert sent["warnings"] == [] and sent["counts"]["created"] == 3
    made = {sku: sandboxes[1].find_sku(sku) or {} for sku in ("PLAIN-1", "GRP-2", "EXT-2")}
    assert {sku: p.get("type") for sku, p in made.items()} == {
        "PLAIN-1": "simple",
        "GRP-2": "grouped",
        "EXT-2": "external",
    }
    assert made["PLAIN-1"]["purchasable"] is True and made["EXT-2"]["external_url"] == LINK
    assert _json(cli("export", "-c", "2", "--all", "--partial", "--json"))["counts"] == {
        **sent["counts"],
        "created": 0,
        "unchanged": 3,
    }
