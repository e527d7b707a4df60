"""A real store's global attribute stays global through woosync.

A shop manager's tee varies by the global attribute Size (``pa_size``). Imported, the catalog
holds it as "Size"; exports that send ``Size`` (no mapping) must write it back as ``pa_size``.
Before, they sent a local "Size", which replaced ``pa_size`` on the product, and WooCommerce
then showed the variations, which point at ``pa_size``, with no options at all."""

from __future__ import annotations

import json
from typing import Any

from realstore.realstore_support import RealStore, store_products_with_sku
from served_stores import cli_json as as_json

FIELDS = "name,sku,price,Size"


def _global_tee(store: RealStore) -> int:
    with store.api() as api:
        size = api.post("/products/attributes", json={"name": "Size", "slug": "pa_size"}).json()
        for term in ("S", "M"):
            api.post(f"/products/attributes/{size['id']}/terms", json={"name": term})
        made = api.post("/products", json={"sku": "RG-TEE", "name": "Real Tee", "type": "variable",
            "attributes": [{"id": size["id"], "options": ["S", "M"], "variation": True}]})  # fmt: skip
        assert made.status_code == 201, made.text
        tee = made.json()["id"]
        for option in ("S", "M"):
            done = api.post(f"/products/{tee}/variations", json={"sku": f"RG-TEE-{option}",
                "regular_price": "15.00", "attributes": [{"id": size["id"], "option": option}]})  # fmt: skip
            assert done.status_code == 201, done.text
    return int(tee)


def _held(store: RealStore, tee: int) -> tuple[list[str], list[str]]:
    """The tee's attribute slugs and its variations' ``slug=option``, as the store holds them."""
    [product] = store_products_with_sku(store, "RG-TEE")
    with store.api() as api:
        variations = api.get(f"/products/{tee}/variations", params={"context": "edit"}).json()
    options = sorted(f"{a['slug']}={a['option']}" for v in variations for a in v["attributes"])
    return [a["slug"] for a in product["attributes"]], options


def test_a_global_attribute_taken_in_goes_back_global(cli: Any, real_connection: RealStore) -> None:
    store = real_connection
    tee = _global_tee(store)
    as_json(cli("--json", "import"))
    store.mark()
    as_json(cli("--json", "export", "--all", "--partial", "--fields", FIELDS))
    assert store.write_requests() == []

    assert cli("products", "edit", "RG-TEE-S", "--price", "16").exit_code == 0
    sent = as_json(cli("--json", "export", "--all", "--partial", "--fields", FIELDS))
    updated = [r["exportedFields"] for r in sent["results"] if r["change"] == "updated"]
    assert updated == [["price"]], sent
    full = as_json(cli("--json", "export", "--all", "--fields", FIELDS))
    assert full["failedCount"] == 0, full

    assert _held(store, tee) == (["pa_size"], ["pa_size=M", "pa_size=S"])
    again = as_json(cli("--json", "import", "--update-existing"))
    assert again["counts"]["updated"] == again["conflictCount"] == 0, again


def test_a_store_not_imported_from_keeps_its_global_attribute(
    cli: Any, real_connection: RealStore, tmp_path: Any
) -> None:
    """The catalog's tee (from a file: a local Size) exported to a store whose tee of that SKU
    varies by pa_size, before any import from it: the tee fails, saying what to do, and the
    store keeps pa_size and its variations' options; once imported from, Size goes as pa_size."""
    store = real_connection
    tee = _global_tee(store)
    (tmp_path / "tee.yaml").write_text(
        "- sku: RG-TEE\n  name: Real Tee\n  type: variable\n  attributes: {Size: [S, M]}\n"
        "  variations:\n"
        "    - {sku: RG-TEE-S, attributes: {Size: S}, price: '15.00'}\n"
        "    - {sku: RG-TEE-M, attributes: {Size: M}, price: '15.00'}\n"
    )
    assert cli("products", "load", str(tmp_path / "tee.yaml")).exit_code == 0
    done = cli("--json", "export", "--all", "--fields", FIELDS)
    failed = [r for r in json.loads(done.stdout)["results"] if r["status"] == "error"]
    assert done.exit_code != 0 and failed, done.stdout
    assert any("global attribute pa_size" in r["message"] for r in failed)
    assert _held(store, tee) == (["pa_size"], ["pa_size=M", "pa_size=S"])

    as_json(cli("--json", "import", "--update-existing"))
    sent = as_json(cli("--json", "export", "--all", "--fields", FIELDS))
    assert sent["failedCount"] == 0, sent
    assert _held(store, tee) == (["pa_size"], ["pa_size=M", "pa_size=S"])


def test_a_tee_on_a_local_size_in_a_store_using_pa_size_moves_with_its_variations(
    cli: Any, real_connection: RealStore
) -> None:
    """The store's own products vary by pa_size, one tee by a local Size. Once woosync knows the
    store's pa_size (a second import), an export sends the tee's Size as pa_size: the
    variations go with it, their options kept (before, they were left on the local Size, and
    WooCommerce showed them with no options)."""
    store = real_connection
    _global_tee(store)
    with store.api() as api:
        made = api.post("/products", json={"sku": "RM-TEE", "name": "Mixed Tee", "type": "variable",
            "attributes": [{"name": "Size", "options": ["S", "M"], "variation": True}]}).json()  # fmt: skip
        for option in ("S", "M"):
            done = api.post(f"/products/{made['id']}/variations", json={"sku": f"RM-TEE-{option}",
                "regular_price": "11.00", "attributes": [{"name": "Size", "option": option}]})  # fmt: skip
            assert done.status_code == 201, done.text
    for _ in range(2):  # the second import knows the store's pa_size from its start
        as_json(cli("--json", "import", "--update-existing"))
    sent = as_json(cli("--json", "export", "--all", "--partial", "--fields", FIELDS))
    assert sent["failedCount"] == 0, sent
    with store.api() as api:
        held = api.get(f"/products/{made['id']}/variations", params={"context": "edit"}).json()
    assert sorted(f"{a['slug']}={a['option']}" for v in held for a in v["attributes"]) == [
        "pa_size=M",
        "pa_size=S",
    ]
    again = as_json(cli("--json", "import", "--update-existing"))
    assert again["counts"]["updated"] == 0, again
