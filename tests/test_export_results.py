"""Results people read (issue 14): every export ends with counts per store, human tables show only
what changed or failed (``--verbose``: all), and dry runs list only real differences,
terraform-style. Through the CLI, against a sandbox store on a loopback port."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from test_export_support import add_products, edit_product, tee
from woosync.db.engine import Database, open_database
from woosync.sandbox import SandboxStore
from woosync.services.connections.records import create_connection
from woosync.services.export.state import Item

if TYPE_CHECKING:
    from conftest import Cli  # not at run time: tests/sandbox has a conftest module too

Shop = tuple[SandboxStore, str]
Catalog = tuple[Database, list[int]]

FIELDS = ("--fields", "name,sku,price")
COUNTS = ("created", "updated", "unchanged", "skipped", "excluded", "conflicts", "failed")


@pytest.fixture
def shop() -> Iterator[Shop]:
    store = SandboxStore(seed=3)
    with store.serve() as url:
        yield store, url


@pytest.fixture
def catalog(db_path: Path, shop: Shop) -> Iterator[Catalog]:
    sandbox, url = shop
    db = open_database(db_path)
    key, secret = sandbox.create_key("read_write")
    create_connection(db, name="Retail", url=url, consumer_key=key, consumer_secret=secret)
    ids = add_products(db, [tee(f"RES-{n:02}") for n in range(1, 31)])
    yield db, ids
    db.dispose()


def _counts(**given: int) -> dict[str, int]:
    return {name: given.get(name, 0) for name in COUNTS}


def _line(**given: int) -> str:
    return ", ".join(f"{count} {name}" for name, count in _counts(**given).items())


def test_an_unchanged_partial_export_prints_the_summary_line_not_a_table(
    cli: Cli, catalog: Catalog
) -> None:
    first = cli("export", "--all", *FIELDS)
    assert first.exit_code == 0, first.stderr
    assert f"connection 1: {_line(created=30)}" in first.stdout

    again = cli("export", "--all", "--partial", *FIELDS)
    assert again.exit_code == 0, again.stderr
    assert again.stdout.strip() == f"connection 1: {_line(unchanged=30)}"

    everything = cli("export", "--all", "--partial", "--verbose", *FIELDS)
    assert everything.stdout.count("unchanged") == 31  # 30 rows and the summary line


def test_the_table_shows_only_the_products_that_changed_or_failed(
    cli: Cli, catalog: Catalog
) -> None:
    db, ids = catalog
    assert cli("export", "--all", *FIELDS).exit_code == 0
    edit_product(db, ids[4], price="13.90")
    edit_product(db, ids[9], price="14.90")
    add_products(db, [tee("RES-NEW"), tee("RES-bad", price="not a price")])

    result = cli("export", "--all", "--partial", *FIELDS)
    assert result.exit_code == 1  # one product failed
    # on a pipe (as here) the table is plain rows: a header line, tab-separated values, no box
    assert "│" not in result.stdout and result.stdout.startswith("Product\tSKU\tWoo ID\t")
    body = [line.split("\t") for line in result.stdout.splitlines()[1:] if "\t" in line]
    assert len(body) == 4, result.stdout  # 2 updated, 1 created, 1 failed; no unchanged row
    assert sum(row[3] == "updated" for row in body) == 2
    assert sum(row[3] == "created" for row in body) == 1
    assert sum("failed" in row[4] for row in body) == 1
    assert [row[1] for row in body] == [
        "RES-05",
        "RES-10",
        "RES-NEW",
        "RES-bad",
    ]
    assert f"connection 1: {_line(created=1, updated=2, unchanged=28, failed=1)}" in result.stdout

    data = json.loads(cli("--json", "export", "--all", "--partial", *FIELDS).stdout)
    assert data["counts"] == _counts(unchanged=31, failed=1)
    assert len(data["results"]) == 32  # the spec's per-product results stay in --json
    assert {r["change"] for r in data["results"]} == {"unchanged", "failed"}


def test_counts_per_store_with_several_stores(cli: Cli, catalog: Catalog, shop: Shop) -> None:
    db, ids = catalog
    other = SandboxStore(seed=4)
    with other.serve() as url:
        key, secret = other.create_key("read_write")
        create_connection(db, name="Wholesale", url=url, consumer_key=key, consumer_secret=secret)
        assert cli("export", "-c", "1", "--all", *FIELDS).exit_code == 0
        edit_product(db, ids[1], price="11.00")
        human = cli("export", "-c", "all", "--all", "--partial", *FIELDS)
        lines = human.stdout.splitlines()
        assert lines[:2] == [
            f"Retail (connection 1): {_line(updated=1, unchanged=29)} [exit 0]",
            f"  ~ updated RES-02 (product {ids[1]}): price",
        ]
        assert lines[2] == f"Wholesale (connection 2): {_line(created=30)} [exit 0]"
        assert lines[3] == f"  + created RES-01 (product {ids[0]}): name, sku, price"
        assert len(lines) == 3 + 30
        data = json.loads(
            cli("--json", "export", "-c", "all", "--all", "--partial", *FIELDS).stdout
        )
        assert [s["result"]["counts"] for s in data["stores"]] == [_counts(unchanged=30)] * 2
        assert not cli("export", "-c", "all", "--all", "--partial", *FIELDS).stdout.count("\n  ")
        plan = json.loads(
            cli("--json", "export", "-c", "all", "--all", "--dry-run", *FIELDS).stdout
        )
        assert [s["result"]["counts"] for s in plan["stores"]] == [_counts(unchanged=30)] * 2
        edit_product(db, ids[0], price="12.50")
        dry = cli("export", "-c", "all", "--all", "--dry-run", *FIELDS)
        assert dry.stdout.splitlines() == [
            "Retail (connection 1): 0 to create, 1 to update, 29 unchanged, 0 skipped, "
            "0 excluded, 0 conflicts, 0 with errors (dry run: nothing was written) [exit 0]",
            "  ~ RES-01 price 10.00 -> 12.50",
            "Wholesale (connection 2): 0 to create, 1 to update, 29 unchanged, 0 skipped, "
            "0 excluded, 0 conflicts, 0 with errors (dry run: nothing was written) [exit 0]",
            "  ~ RES-01 price 10.00 -> 12.50",
        ]


def test_a_full_dry_run_lists_only_values_that_differ(
    cli: Cli, catalog: Catalog, shop: Shop
) -> None:
    db, ids = catalog
    sandbox, _url = shop
    assert cli("export", "--all", *FIELDS).exit_code == 0
    edit_product(db, ids[0], price="12.50")
    edit_product(db, ids[1], name="Tee with a new name")
    edit_product(db, ids[2], price="10.0")  # the same price, written differently
    add_products(db, [tee("RES-NEW", price="7.00")])
    sandbox.stats.reset()

    plan = cli("export", "--all", "--dry-run", *FIELDS)  # a full plan: every field compared
    assert plan.exit_code == 0, plan.stderr
    lines = plan.stdout.splitlines()
    assert "~ RES-01 price 10.00 -> 12.50" in lines
    assert '~ RES-02 name "Tee RES-02" -> "Tee with a new name"' in lines
    assert f"+ create RES-NEW (product {ids[-1] + 1})" in lines
    assert not [line for line in lines if line.startswith("~ RES-03")]  # 10.0 is 10.00
    assert not [line for line in lines if "RES-01 -> RES-01" in line or " sku " in line]
    changes = [line for line in lines if line[:1] in "+~-"]
    assert len(changes) == 3, plan.stdout
    assert lines[-1] == (
        "connection 1: 1 to create, 2 to update, 28 unchanged, 0 skipped, 0 excluded, "
        "0 conflicts, 0 with errors (dry run: nothing was written)"
    )
    assert sandbox.stats.by_method.get("POST", 0) == 0

    verbose = cli("export", "--all", "--dry-run", "--verbose", *FIELDS)
    assert "    price = 7.00" in verbose.stdout  # the values a create sends
    assert f"  RES-30 (product {ids[29]}) unchanged" in verbose.stdout

    data = json.loads(cli("--json", "export", "--all", "--dry-run", *FIELDS).stdout)
    assert data["counts"] == _counts(created=1, updated=2, unchanged=28)
    updates = {p["sku"]: p["fields"] for p in data["products"] if p["action"] == "update"}
    assert updates == {
        "RES-01": [{"field": "price", "wooField": "regular_price", "old": "10.00", "new": "12.50"}],
        "RES-02": [
            {"field": "name", "wooField": "name", "old": "Tee RES-02", "new": "Tee with a new name"}
        ],
    }


def test_a_product_gone_from_the_catalog_during_the_run_is_counted_skipped(
    cli: Cli, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    from woosync.services.export import select

    load_items = select.load_items

    def without_the_third(*args: Any, **kwargs: Any) -> list[Item]:
        return [item for item in load_items(*args, **kwargs) if item.sku != "RES-03"]

    monkeypatch.setattr(select, "load_items", without_the_third)
    result = cli("export", "--all", *FIELDS)
    assert result.exit_code == 0, result.stderr
    assert f"connection 1: {_line(created=29, skipped=1)}" in result.stdout
    data = json.loads(cli("--json", "export", "--all", *FIELDS).stdout)
    assert data["counts"] == _counts(updated=29, skipped=1)
    assert data["syncedCount"] == 29 and len(data["results"]) == 29
