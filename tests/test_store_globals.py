"""A store's global attribute stays global: an attribute the catalog took from a store's global
``pa_size`` (named "Size") goes back to ``pa_size``, never as a local "Size" that would replace it
and leave the variations, which point at ``pa_size``, without their options (seen on a real
WooCommerce 11.0.1 store). Through the CLI against served sandbox stores; ``tests/realstore``
runs the first case against a real store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from served_stores import cli_json, served_stores
from woosync.sandbox import SandboxStore
from woosync.services.sync.store_globals import implicit_mappings
from woosync.woo import WooClient

FIELDS = ["--fields", "name,sku,price,Size"]


def test_an_unmapped_name_goes_to_the_stores_global_attribute_of_that_name() -> None:
    known = {"size": "pa_size", "color": "pa_color"}
    found = implicit_mappings(["name", "Size", "COLOR", "Material", "weight"], {}, known)
    assert found == {"Size": "pa_size", "COLOR": "pa_color"}
    # a mapping always wins, for the name and for the slug it sends something else to
    assert implicit_mappings(["Size", "Colour"], {"Colour": "pa_color"}, known) == {
        "Size": "pa_size"
    }
    assert implicit_mappings(["Size"], {"Size": "pa_dimension"}, known) == {}
    assert implicit_mappings(["attribute:Size", "custom:Size"], {}, known) == {}
    assert implicit_mappings(["Size"], {}, {}) == {}
    assert implicit_mappings(["Size", "SIZE"], {}, known) == {"Size": "pa_size"}  # one per key


def _manager(store: SandboxStore) -> WooClient:
    key, secret = store.create_key("read_write")
    return WooClient(store.home, key, secret, max_retries=0)


def _global_tee(store: SandboxStore, sku: str = "TEE") -> None:
    """A shop manager's tee varying by the global attribute Size (``pa_size``)."""
    with _manager(store) as client:
        size = client.post("/products/attributes", {"name": "Size", "slug": "pa_size"})
        for term in ("S", "M"):
            client.post(f"/products/attributes/{size['id']}/terms", {"name": term})
        tee = client.post("/products", {"sku": sku, "name": "Tee", "type": "variable",
            "attributes": [{"id": size["id"], "options": ["S", "M"], "variation": True}]})  # fmt: skip
        client.post(f"/products/{tee['id']}/variations/batch", {"create": [
            {"sku": f"{sku}-{o}", "regular_price": "15.00", "attributes": [{"id": size["id"], "option": o}]}
            for o in ("S", "M")
        ]})  # fmt: skip


def _local_tee(store: SandboxStore) -> None:
    """The same tee in another store, varying by a local attribute Size."""
    with _manager(store) as client:
        tee = client.post("/products", {"sku": "TEE", "name": "Tee", "type": "variable",
            "attributes": [{"name": "Size", "options": ["S", "M"], "variation": True}]})  # fmt: skip
        client.post(f"/products/{tee['id']}/variations/batch", {"create": [
            {"sku": f"TEE-{o}", "regular_price": "15.00", "attributes": [{"name": "Size", "option": o}]}
            for o in ("S", "M")
        ]})  # fmt: skip


def _kinds(store: SandboxStore, sku: str) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """The product's attributes as (``pa_`` slug, or "local NAME"; options), its variations'
    options as ``attribute=option``."""

    def kind(entry: dict[str, Any]) -> str:
        return str(entry["slug"]) if entry["id"] else f"local {entry['name']}"

    product = store.find_sku(sku)
    assert product is not None, sku
    attributes = [(kind(a), sorted(a["options"])) for a in product["attributes"]]
    options = [
        f"{kind(a)}={a['option']}".casefold()
        for v in store.variations(product["id"])
        for a in v["attributes"]
    ]
    return attributes, sorted(options)


@pytest.fixture
def stores(cli: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with served_stores(db_path, monkeypatch, count=2) as (_db, served, _urls):
        yield served


def test_a_global_attribute_taken_in_goes_back_global(cli: Any, stores: Any) -> None:
    store = stores[0]
    _global_tee(store)
    cli_json(cli("--json", "import", "--connection", "1"))
    store.stats.reset()
    cli_json(cli("--json", "export", "-c", "1", "--all", "--partial", *FIELDS))
    assert store.stats.snapshot()["items_written"] == 0  # nothing changed, nothing sent

    assert cli("products", "edit", "TEE-S", "--price", "16").exit_code == 0
    sent = cli_json(cli("--json", "export", "-c", "1", "--all", "--partial", *FIELDS))
    variation = cli_json(cli("--json", "products", "show", "TEE-S"))["id"]
    updated = [
        (r["productId"], r["exportedFields"]) for r in sent["results"] if r["change"] == "updated"
    ]
    assert updated == [(variation, ["price"])]
    full = cli_json(cli("--json", "export", "-c", "1", "--all", *FIELDS))
    assert full["counts"]["failed"] == 0
    assert _kinds(store, "TEE") == ([("pa_size", ["M", "S"])], ["pa_size=m", "pa_size=s"])


def test_each_store_keeps_its_own_kind_of_attribute(cli: Any, stores: Any, tmp_path: Path) -> None:
    local, global_ = stores
    _local_tee(local)
    _global_tee(global_)
    cli_json(cli("--json", "import", "--connection", "1"))
    cli_json(cli("--json", "import", "--connection", "2", "--update-existing"))
    (tmp_path / "more.yaml").write_text(
        "- sku: TEE\n  attributes: {Size: [S, M, L]}\n  variations:\n"
        "    - {sku: TEE-L, attributes: {Size: L}, price: '17.00'}\n"
        "- sku: HAT\n  name: Hat\n  type: variable\n  attributes: {Size: [S, M]}\n  variations:\n"
        "    - {sku: HAT-S, attributes: {Size: S}, price: '9.00'}\n"
    )
    assert cli("products", "load", str(tmp_path / "more.yaml")).exit_code == 0

    for connection in ("1", "2"):
        sent = cli_json(cli("--json", "export", "-c", connection, "--all", "--partial", *FIELDS))
        assert sent["counts"]["failed"] == 0

    assert _kinds(local, "TEE") == (
        [("local Size", ["L", "M", "S"])],
        ["local size=l", "local size=m", "local size=s"],
    )
    assert _kinds(global_, "TEE") == (
        [("pa_size", ["L", "M", "S"])],
        ["pa_size=l", "pa_size=m", "pa_size=s"],
    )
    assert _kinds(local, "HAT")[0] == [("local Size", ["M", "S"])]  # new: each store's own kind
    assert _kinds(global_, "HAT")[0] == [("pa_size", ["M", "S"])]
    for connection in ("1", "2"):  # and then nothing moves either way
        again = cli_json(cli("--json", "import", "-c", connection, "--update-existing"))
        assert again["counts"]["updated"] == again["conflictCount"] == 0
        quiet = cli_json(cli("--json", "export", "-c", connection, "--all", "--partial", *FIELDS))
        assert quiet["counts"]["updated"] == quiet["counts"]["created"] == 0


def _tee(store: SandboxStore, sizes: list[str]) -> None:
    """A shop manager's tee varying by a local Size, a variation per size."""
    with _manager(store) as client:
        tee = client.post("/products", {"sku": "TEE", "name": "Tee", "type": "variable",
            "attributes": [{"name": "Size", "options": sizes, "variation": True}]})  # fmt: skip
        client.post(f"/products/{tee['id']}/variations/batch", {"create": [
            {"sku": f"TEE-{o}", "regular_price": "15.00", "attributes": [{"name": "Size", "option": o}]}
            for o in sizes
        ]})  # fmt: skip


def test_options_in_conflict_stay_the_stores_until_settled(cli: Any, stores: Any) -> None:
    """Adopting a store whose tee has a size more than the catalog's: the options are a conflict,
    and the export's variation stage leaves them alone too (it used to send the catalog's, which
    took the size away from the store's parent while its variation stayed)."""
    first, second = stores
    _tee(first, ["S", "M"])
    _tee(second, ["S", "M", "L"])
    cli_json(cli("--json", "import", "--connection", "1"))
    done = cli("--json", "import", "--connection", "2", "--update-existing")
    assert [(c["sku"], c["field"]) for c in json.loads(done.stdout)["conflicts"]] == [
        ("TEE", "Size")
    ]

    plan = cli("export", "-c", "2", "--all", "--partial", *FIELDS, "--dry-run")
    assert "! TEE Size left out: in conflict" in plan.stdout and "->" not in plan.stdout
    cli("--json", "export", "-c", "2", "--all", "--partial", *FIELDS)
    assert _kinds(second, "TEE")[0] == [("local Size", ["L", "M", "S"])]

    settled = cli_json(
        cli("--json", "import", "-c", "2", "--update-existing", "--on-conflict", "store")
    )
    assert settled["conflictCount"] == 0 and settled["counts"]["created"] == 1  # TEE-L now
    cli_json(cli("--json", "export", "-c", "1", "--all", "--partial", *FIELDS))
    assert _kinds(first, "TEE") == (
        [("local Size", ["L", "M", "S"])],
        ["local size=l", "local size=m", "local size=s"],
    )


def test_a_dry_run_matches_the_variations_of_a_parent_it_would_adopt(cli: Any, stores: Any) -> None:
    """A store that has the catalog's tee (by SKU) before woosync ever wrote to it: the dry run
    reads its variations and matches them, as the export does, and never plans them as new."""
    first, second = stores
    _tee(first, ["S", "M"])
    _tee(second, ["S", "M"])
    cli_json(cli("--json", "import", "--connection", "1"))
    plan = cli_json(cli("--json", "export", "-c", "2", "--all", *FIELDS, "--dry-run"))
    actions = {v["sku"]: v["action"] for v in plan["variations"]}
    assert actions["TEE-S"] != "create" and actions["TEE-M"] != "create", actions
    sent = cli_json(cli("--json", "export", "-c", "2", "--all", *FIELDS))
    assert sent["counts"]["created"] == 0
    assert len(second.variations(second.find_sku("TEE")["id"])) == 2


def test_an_export_never_puts_a_local_attribute_over_a_stores_global_one(
    cli: Any, stores: Any
) -> None:
    """A store exported to before it was imported: its tee varies by pa_size, the catalog's by a
    local Size (read from another store). The export fails that tee, saying what to do, and
    leaves the store's attribute and variations as they are; after an import from that store,
    Size goes there as pa_size."""
    local, global_ = stores
    _local_tee(local)
    _global_tee(global_)
    cli_json(cli("--json", "import", "--connection", "1"))
    held = _kinds(global_, "TEE")

    done = cli("--json", "export", "-c", "2", "--all", *FIELDS)
    failed = [r for r in json.loads(done.stdout)["results"] if r["status"] == "error"]
    assert done.exit_code != 0 and len(failed) == 3  # the tee, and so its two variations
    tee = next(r for r in failed if "parentProductId" not in r)
    assert 'holds "Size" as its global attribute pa_size' in tee["message"]
    assert "--update-existing" in tee["message"]
    assert _kinds(global_, "TEE") == held  # pa_size and its variations' options stay

    plan = cli("export", "-c", "2", "--all", "--fields", "name,sku,price", "--dry-run")
    assert "! TEE-S (variation" in plan.stdout and "{{" not in plan.stdout  # flags spelled
    assert "--update-existing" in plan.stdout
    plan = cli("export", "-c", "2", "--all", *FIELDS, "--dry-run")
    assert '! TEE (product 1) error: the store product holds "Size"' in plan.stdout

    cli_json(cli("--json", "import", "--connection", "2", "--update-existing"))
    sent = cli_json(cli("--json", "export", "-c", "2", "--all", *FIELDS))
    assert sent["counts"]["failed"] == 0
    assert _kinds(global_, "TEE") == held


def test_a_simple_product_keeps_the_stores_global_attribute_too(cli: Any, stores: Any) -> None:
    first, second = stores
    for store, attribute in ((first, {"name": "Size"}), (second, None)):
        with _manager(store) as client:
            if attribute is None:
                size = client.post("/products/attributes", {"name": "Size", "slug": "pa_size"})
                client.post(f"/products/attributes/{size['id']}/terms", {"name": "S"})
                attribute = {"id": size["id"]}
            client.post("/products", {"sku": "CAP", "name": "Cap", "regular_price": "5.00",
                "attributes": [{**attribute, "options": ["S"], "visible": True}]})  # fmt: skip
    cli_json(cli("--json", "import", "--connection", "1"))
    done = cli("--json", "export", "-c", "2", "--all", *FIELDS)
    assert done.exit_code != 0
    assert _kinds(second, "CAP")[0] == [("pa_size", ["S"])]


def test_a_local_attribute_woosync_made_moves_to_the_global_one_the_store_turns_out_to_use(
    cli: Any, stores: Any, tmp_path: Path
) -> None:
    """A tee woosync created with a local Size in a store whose own products (read by a later
    import) vary by pa_size: its next write moves it to pa_size, its variations with it."""
    store = stores[0]
    (tmp_path / "hat.yaml").write_text(
        "- sku: HAT\n  name: Hat\n  type: variable\n  attributes: {Size: [S, M]}\n  variations:\n"
        "    - {sku: HAT-S, attributes: {Size: S}, price: '9.00'}\n"
        "    - {sku: HAT-M, attributes: {Size: M}, price: '9.00'}\n"
    )
    assert cli("products", "load", str(tmp_path / "hat.yaml")).exit_code == 0
    cli_json(cli("--json", "export", "-c", "1", "--all", *FIELDS))
    assert _kinds(store, "HAT")[0] == [("local Size", ["M", "S"])]
    _global_tee(store)  # the shop's own products vary by pa_size
    cli_json(cli("--json", "import", "--connection", "1", "--update-existing"))

    sent = cli_json(cli("--json", "export", "-c", "1", "--all", "--partial", *FIELDS))
    assert sent["counts"]["failed"] == 0
    assert _kinds(store, "HAT") == ([("pa_size", ["M", "S"])], ["pa_size=m", "pa_size=s"])
    again = cli_json(cli("--json", "export", "-c", "1", "--all", "--partial", *FIELDS))
    assert again["counts"]["updated"] == 0


def test_in_a_store_using_both_kinds_the_variations_move_with_their_parent(
    cli: Any, stores: Any
) -> None:
    """The second store has the catalog's tee with a local Size, and its own products vary by
    pa_size: the export moves the tee to pa_size (each store's one kind of Size), and its
    variations with it, their options kept, here and in the other store."""
    first, second = stores
    _tee(first, ["S", "M"])
    _tee(second, ["S", "M"])
    _global_tee(second, "OWN")  # the store's own product, varying by pa_size
    cli_json(cli("--json", "import", "--connection", "1"))
    for _ in range(2):  # the second one knows the store's pa_size from the start
        cli_json(cli("--json", "import", "--connection", "2", "--update-existing"))

    for connection in ("2", "1"):
        sent = cli_json(cli("--json", "export", "-c", connection, "--all", "--partial", *FIELDS))
        assert sent["counts"]["failed"] == 0
    assert _kinds(second, "TEE") == ([("pa_size", ["M", "S"])], ["pa_size=m", "pa_size=s"])
    assert _kinds(first, "TEE") == (
        [("local Size", ["M", "S"])],
        ["local size=m", "local size=s"],
    )
    for connection in ("2", "1"):  # nothing moves after: no option lost, none sent back
        again = cli_json(cli("--json", "import", "-c", connection, "--update-existing"))
        assert again["counts"]["updated"] == 0, again
    shown = cli_json(cli("--json", "products", "show", "TEE-S"))
    assert shown["attributes"] == {"Size": "S"}


def test_fields_without_the_attribute_still_keep_the_stores_global_one(
    cli: Any, stores: Any
) -> None:
    """Fields without Size (a price list): a variation's price goes out, and its parent keeps
    varying by the store's pa_size (the variation stage knows it from the import too)."""
    store = stores[0]
    _global_tee(store)
    cli_json(cli("--json", "import", "--connection", "1"))
    assert cli("products", "edit", "TEE-S", "--price", "16").exit_code == 0
    prices = ["--fields", "name,sku,price"]
    sent = cli_json(cli("--json", "export", "-c", "1", "--all", "--partial", *prices))
    assert sent["counts"]["failed"] == 0 and sent["counts"]["updated"] == 1
    assert _kinds(store, "TEE") == ([("pa_size", ["M", "S"])], ["pa_size=m", "pa_size=s"])
    assert store.find_sku("TEE-S")["regular_price"] == "16"
