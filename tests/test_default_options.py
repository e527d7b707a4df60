"""A variable product's default options (WooCommerce's ``default_attributes``) through the CLI,
between two sandbox stores on loopback ports: in the catalog, out to a store, a shop manager's
change back in and on to another store; and the store's answer read in the catalog's terms."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from served_stores import cli_json as _json
from served_stores import mapped_catalog, served_stores
from woosync.sandbox import SandboxStore
from woosync.services.sync.default_options import (
    default_options_payload,
    option_of_slug,
    slug_of,
    store_default_options,
)
from woosync.woo import WooClient

CATALOG = """
- sku: TEE
  name: Organic Tee
  type: variable
  attributes: {Size: [S, M, "L & XL"], Color: [Red, Dark Blue]}
  default_attributes: {Size: M, Color: Dark Blue}
  variations:
    - {sku: TEE-S, attributes: {Size: S, Color: Red}, price: "20.00"}
    - {sku: TEE-M, attributes: {Size: M, Color: Dark Blue}, price: "21.00"}
    - {sku: TEE-L, attributes: {Size: "L & XL", Color: Red}, price: "22.00"}
- {sku: MUG, name: Mug, price: "9.00"}
"""
# store 1 takes Color as a global attribute (its option comes back as a term slug), store 2 as
# a local one
FIELDS = "name,sku,price,Size,Color,default_attributes"
MAPPINGS = {
    "1": ["--fields", FIELDS, "--map", "Color=pa_color"],
    "2": ["--fields", FIELDS],
}


@pytest.fixture
def stores(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Any, tmp_path: Path
) -> Iterator[tuple[list[SandboxStore], list[str]]]:
    """Two sandbox stores (connections 1 and 2, each with an export mapping) and the catalog."""
    with served_stores(db_path, monkeypatch) as (_db, sandboxes, urls):
        mapped_catalog(cli, tmp_path, CATALOG, MAPPINGS)
        yield sandboxes, urls


def _defaults(sandbox: SandboxStore, sku: str) -> list[dict[str, Any]]:
    found = sandbox.find_sku(sku)
    assert found is not None
    return list(found["default_attributes"])


def test_default_options_go_out_come_back_and_travel_between_stores(
    stores: tuple[list[SandboxStore], list[str]], cli: Any
) -> None:
    sandboxes, urls = stores
    plan = _json(cli("export", "-c", "1", "--all", "--dry-run", "--json"))
    [tee] = [p for p in plan["products"] if p["sku"] == "TEE"]
    assert {c["field"]: c["new"] for c in tee["fields"]}["default_attributes"] == {
        "Size": "M",
        "Color": "Dark Blue",
    }
    _json(cli("export", "-c", "all", "--all", "--json"))
    color = sandboxes[0].attributes["pa_color"]
    # the global one is kept (and answered) as its term's slug, the local one as sent
    assert _defaults(sandboxes[0], "TEE") == [
        {"id": 0, "name": "Size", "option": "M"},
        {"id": color, "name": "Color", "option": "dark-blue"},
    ]
    assert _defaults(sandboxes[1], "TEE") == [
        {"id": 0, "name": "Size", "option": "M"},
        {"id": 0, "name": "Color", "option": "Dark Blue"},
    ]
    assert _defaults(sandboxes[0], "MUG") == []
    # read back in the catalog's terms: nothing to send, nothing to take
    again = _json(cli("export", "-c", "all", "--all", "--partial", "--json"))
    assert [s["result"]["counts"]["updated"] for s in again["stores"]] == [0, 0]
    back = _json(cli("import", "-c", "all", "--update-existing", "--json"))
    assert [
        (s["result"]["updatedCount"], s["result"]["conflictCount"]) for s in back["stores"]
    ] == [
        (0, 0),
        (0, 0),
    ]

    # a shop manager opens the page on "L & XL" in store 1: it comes in, and goes on to store 2
    tee = sandboxes[0].find_sku("TEE")
    assert tee is not None
    key, secret = sandboxes[0].create_key("read_write")
    with WooClient(urls[0], key, secret, max_retries=0) as client:
        client.put(
            f"/products/{tee['id']}",
            {"default_attributes": [{"id": color, "option": "L & XL"}, {"id": 0, "name": "size"}]},
        )
        client.put(
            f"/products/{tee['id']}",
            {
                "default_attributes": [
                    {"name": "Size", "option": "L & XL"},
                    {"id": color, "option": "Red"},
                ]
            },
        )
    taken = _json(cli("import", "-c", "1", "--update-existing", "--json"))
    assert [(p["sku"], p.get("changedFields")) for p in taken["products"] if p["sku"] == "TEE"] == [
        ("TEE", ["default_attributes"])
    ]
    shown = _json(cli("products", "show", "TEE", "--json"))
    assert shown["default_attributes"] == {"Size": "L & XL", "Color": "Red"}
    sent = _json(cli("export", "-c", "2", "--all", "--partial", "--json"))
    assert sent["counts"]["updated"] == 1
    assert _defaults(sandboxes[1], "TEE") == [
        {"id": 0, "name": "Size", "option": "L & XL"},
        {"id": 0, "name": "Color", "option": "Red"},
    ]

    # emptied in the catalog: the stores' defaults are cleared by the next export
    cleared = cli("products", "edit", "TEE", "--default", "Size=")
    assert cleared.exit_code == 0, cleared.stderr
    assert "default_attributes" not in _json(cli("products", "show", "TEE", "--json"))
    _json(cli("export", "-c", "all", "--all", "--partial", "--json"))
    assert _defaults(sandboxes[0], "TEE") == _defaults(sandboxes[1], "TEE") == []


def test_default_options_are_checked_against_the_products_options(
    stores: tuple[list[SandboxStore], list[str]], cli: Any, tmp_path: Path
) -> None:
    wrong = cli("products", "edit", "TEE", "--default", "Size=XL")
    assert wrong.exit_code != 0
    assert "default_attributes: Size 'XL' is not one of its options S, M, L & XL" in wrong.stderr
    cased = cli("products", "edit", "TEE", "--default", "Color=dark blue")
    assert "(write 'Dark Blue')" in cased.stderr
    simple = cli("products", "edit", "MUG", "--default", "Size=M")
    assert "only a variable product has default options, not a simple one" in simple.stderr
    variation = cli("products", "edit", "TEE-S", "--default", "Size=M")
    assert variation.exit_code != 0 and "change the parent" in variation.stderr
    # a load that drops the default's option from the product says which default is in the way
    more = ("--attr", "Size=S,M,L & XL,XS", "--default", "Size=XS", "--default", "Color=Red")
    assert cli("products", "edit", "TEE", *more).exit_code == 0
    (tmp_path / "fewer.yaml").write_text(
        "- {sku: TEE, attributes: {Size: [S, M, 'L & XL'], Color: [Red, Dark Blue]}}\n"
    )
    dropped = cli("products", "load", str(tmp_path / "fewer.yaml"))
    assert dropped.exit_code != 0
    assert "default_attributes: Size 'XS' is not one of its options S, M, L & XL" in (
        dropped.stderr
    )
    assert _json(cli("products", "show", "TEE", "--json"))["default_attributes"] == {
        "Size": "XS",
        "Color": "Red",
    }
    # a CSV cell writes them ATTRIBUTE=OPTION|...
    (tmp_path / "cells.csv").write_text('sku,default_attributes\nTEE,"Size=S|Color=Red"\n')
    assert cli("products", "load", str(tmp_path / "cells.csv")).exit_code == 0
    listed = cli("products", "list", "--format", "csv", "--sku", "TEE")
    assert "Size=S|Color=Red" in listed.stdout


def test_the_stores_answer_is_read_in_the_catalogs_terms() -> None:
    assert slug_of("L &amp; XL") == slug_of("L & XL") == "l-xl"
    assert slug_of("Médium") == "medium" and slug_of("Kid's <b>Tee</b> 2.5") == "kids-tee-2-5"
    assert option_of_slug(["Small", "Médium"], "medium") == "Médium"
    assert option_of_slug(["Small", "Medium"], "m") == "m"  # a slug of its own: kept as is
    product = {
        "attributes": [
            {"id": 7, "name": "Size", "options": ["Small", "Médium"], "variation": True},
            {"id": 0, "name": "Fit", "options": ["Slim", "Loose"], "variation": True},
        ],
        "default_attributes": [
            {"id": 7, "name": "Size", "option": "medium"},
            {"id": 0, "name": "Fit", "option": "Loose"},
        ],
    }
    assert store_default_options(product) == {"Size": "Médium", "Fit": "Loose"}
    renamed = store_default_options(product, lambda entry: {7: "Größe"}.get(entry["id"]))
    assert renamed == {"Größe": "Médium", "Fit": "Loose"}
    assert store_default_options({"default_attributes": []}) is None
    assert default_options_payload({"Size": "M", "Fit": "Slim"}, {"Size": 7}.get) == [
        {"id": 7, "option": "M"},
        {"name": "Fit", "option": "Slim"},
    ]


def test_a_renamed_term_keeps_its_default(
    stores: tuple[list[SandboxStore], list[str]], cli: Any
) -> None:
    """WordPress keeps a term's slug when it is renamed, and WooCommerce answers a global
    default by slug: the default is read through the store's terms, so a shop manager's
    "Dark Blue" -> "Navy" rename comes in as the default Navy (not a default dropped)."""
    sandboxes, urls = stores
    _json(cli("export", "-c", "1", "--all", "--json"))
    color = sandboxes[0].attributes["pa_color"]
    key, secret = sandboxes[0].create_key("read_write")
    with WooClient(urls[0], key, secret, max_retries=0) as client:
        terms = client.get(f"/products/attributes/{color}/terms")
        [blue] = [t for t in terms if t["name"] == "Dark Blue"]
        renamed = client.put(f"/products/attributes/{color}/terms/{blue['id']}", {"name": "Navy"})
        assert renamed["slug"] == "dark-blue"  # kept, as WordPress does
    taken = _json(cli("import", "-c", "1", "--update-existing", "--json"))
    assert taken["conflictCount"] == 0, taken
    tee = _json(cli("products", "show", "TEE", "--json"))
    assert sorted(tee["attributes"]["Color"]) == ["Navy", "Red"]
    assert tee["default_attributes"] == {"Size": "M", "Color": "Navy"}
    again = _json(cli("import", "-c", "1", "--update-existing", "--json"))
    assert again["updatedCount"] == 0, again
    _json(cli("export", "-c", "2", "--all", "--partial", "--json"))
    assert _defaults(sandboxes[1], "TEE") == [
        {"id": 0, "name": "Size", "option": "M"},
        {"id": 0, "name": "Color", "option": "Navy"},
    ]
