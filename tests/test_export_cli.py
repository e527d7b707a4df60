"""``woosync export``, ``update`` and ``delete`` end to end: a sandbox on a loopback port, a connection
with its secrets in the (test) keyring, stdout and stderr checked apart."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from test_export_support import add_products, edit_product, set_mapping, sync_of, tee
from woosync.db.engine import Database, open_database
from woosync.sandbox import SandboxStore
from woosync.services.connections.records import create_connection
from woosync.woo import WooClient


@pytest.fixture
def sandbox() -> Iterator[tuple[SandboxStore, str]]:
    shop = SandboxStore(seed=11)
    with shop.serve() as url:
        yield shop, url


@pytest.fixture
def setup(
    db_path: Path, sandbox: tuple[SandboxStore, str]
) -> Iterator[tuple[Database, int, list[int]]]:
    shop, url = sandbox
    db = open_database(db_path)
    key, secret = shop.create_key("read_write")
    conn = create_connection(db, name="Retail", url=url, consumer_key=key, consumer_secret=secret)
    ids = add_products(db, [tee("CLI-1"), tee("CLI-2", images=["https://img.invalid/x.jpg"])])
    yield db, conn.id, ids
    db.dispose()


def test_export_json_is_the_spec_shape_and_exit_code_tells_failure(cli, setup, sandbox) -> None:
    _database, conn, ids = setup
    result = cli(
        "--json", "export", "--connection", str(conn), "--products", f"{ids[0]},{ids[1]}",
        "--fields", "name,sku,price,images",
    )  # fmt: skip
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) == {
        "success", "connectionId", "syncedCount", "failedCount", "counts", "results",
        "excludedCount", "excluded", "warnings",
    }  # fmt: skip
    assert (data["success"], data["syncedCount"], data["failedCount"]) == (False, 1, 1)
    assert data["warnings"] == []
    assert data["counts"] == {
        "created": 1, "updated": 0, "unchanged": 0, "skipped": 0, "excluded": 0, "conflicts": 0,
        "failed": 1,
    }  # fmt: skip
    assert [r["change"] for r in data["results"]] == ["created", "failed"]
    assert data["results"][0]["status"] == "success"
    assert data["results"][1]["status"] == "error" and "message" in data["results"][1]
    assert f"product {ids[1]} (CLI-2):" in result.stderr and "error" in result.stderr

    ok = cli("export", "--sku", "CLI-1", "--fields", "name,sku,price", "--partial")
    assert ok.exit_code == 0, ok.stderr
    assert "0 created, 0 updated, 1 unchanged, 0 skipped, 0 excluded, 0 conflicts, 0 failed" in (
        ok.stdout
    )
    assert "Exported fields" not in ok.stdout  # no table of unchanged products
    verbose = cli(
        "export", "--sku", "CLI-1", "--fields", "name,sku,price", "--partial", "--verbose"
    )
    assert "unchanged" in verbose.stdout and "Exported fields" in verbose.stdout


def test_dry_run_prints_the_plan_and_writes_nothing(cli, setup, sandbox) -> None:
    store, conn, ids = setup
    shop, _url = sandbox
    assert cli("export", "--products", str(ids[0]), "--fields", "name,sku,price").exit_code == 0
    edit_product(store, ids[0], price="12.00")
    shop.stats.reset()
    human = cli("export", "--all", "--fields", "name,sku,price", "--partial", "--dry-run")
    assert human.exit_code == 0, human.stderr
    assert "10.00 -> 12.00" in human.stdout and "create" in human.stdout
    assert "dry run: nothing was written" in human.stdout
    as_json = cli(
        "--json", "export", "--all", "--fields", "name,sku,price", "--partial", "--dry-run"
    )
    plan = json.loads(as_json.stdout)
    assert plan["summary"] == {"create": 1, "update": 1, "unchanged": 0, "error": 0, "excluded": 0}
    assert plan["products"][0]["fields"] == [
        {"field": "price", "wooField": "regular_price", "old": "10.00", "new": "12.00"}
    ]
    assert shop.stats.by_method.get("POST", 0) == 0
    assert sync_of(store, conn, ids[1]) is None


def test_update_and_delete_commands(cli, setup, sandbox) -> None:
    store, conn, ids = setup
    shop, _url = sandbox
    never = cli("update", "--connection", str(conn), "--product", str(ids[0]))
    assert never.exit_code == 3 and "Product not synced to this connection" in never.stderr
    assert cli("export", "--products", str(ids[0]), "--fields", "name,sku,price").exit_code == 0
    edit_product(store, ids[0], price="13.00")
    set_mapping(store, conn, ["name", "sku", "price"])
    updated = cli("--json", "update", "--connection", str(conn), "--product", str(ids[0]))
    assert updated.exit_code == 0, updated.stderr
    assert json.loads(updated.stdout)["exportedFields"] == ["price"]
    assert shop.find_sku("CLI-1")["regular_price"] == "13.00"

    refused = cli("delete", "--connection", str(conn), "--product", str(ids[0]))
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    deleted = cli("--json", "delete", "--connection", str(conn), "--product", str(ids[0]), "--yes")
    assert deleted.exit_code == 0 and json.loads(deleted.stdout) == {"success": True}
    assert shop.find_sku("CLI-1") is None and sync_of(store, conn, ids[0]) is None


def test_update_takes_fields_when_the_store_has_no_mapping(cli, setup, sandbox) -> None:
    store, _conn, ids = setup
    shop, _url = sandbox
    assert cli("export", "--products", str(ids[0]), "--fields", "name,sku,price").exit_code == 0
    edit_product(store, ids[0], price="15.00")
    no_mapping = cli("update", "--product", str(ids[0]))
    assert no_mapping.exit_code == 2 and "--fields" in no_mapping.stderr
    updated = cli("--json", "update", "--product", str(ids[0]), "--fields", "name,sku,price")
    assert updated.exit_code == 0, updated.stderr
    assert json.loads(updated.stdout)["exportedFields"] == ["price"]
    assert shop.find_sku("CLI-1")["regular_price"] == "15.00"
    refused = cli("update", "--product", str(ids[0]), "--fields", "price")
    assert refused.exit_code == 2 and '"name" and "sku"' in refused.stderr


def test_delete_of_a_product_gone_from_the_store(cli, setup, sandbox) -> None:
    store, conn, ids = setup
    shop, _url = sandbox
    assert cli("export", "--products", str(ids[0]), "--fields", "name,sku").exit_code == 0
    woo_id = shop.find_sku("CLI-1")["id"]
    from woosync.db.models import Connection
    from woosync.services.connections.client import open_client

    with store.session() as session:
        row = session.get(Connection, conn)
    assert row is not None
    with open_client(store, row) as client:
        client.delete(f"/products/{woo_id}", params={"force": "true"})
    gone = cli("--json", "delete", "--product", str(ids[0]), "--yes")
    assert gone.exit_code == 1
    assert json.loads(gone.stdout) == {
        "success": False,
        "message": "Product not found in WooCommerce",
    }
    assert sync_of(store, conn, ids[0]) is None


def test_bad_selection_is_a_usage_error(cli, setup) -> None:
    _database, _conn, ids = setup
    neither = cli("export", "--fields", "name,sku")
    assert neither.exit_code == 2 and "exactly one of" in neither.stderr
    both = cli("export", "--all", "--products", str(ids[0]), "--fields", "name,sku")
    assert both.exit_code == 2
    no_fields = cli("export", "--all")
    assert no_fields.exit_code == 2 and "no active export mapping" in no_fields.stderr
    required = cli("export", "--all", "--fields", "name,price")
    assert required.exit_code == 2
    assert 'Export mapping must include "name" and "sku" fields' in required.stderr
    bad_ids = cli("export", "--products", "1,x")
    assert bad_ids.exit_code == 2 and "'x' is not a product id" in bad_ids.stderr
    missing = cli("export", "--products", "999", "--fields", "name,sku")
    assert missing.exit_code == 3
    for command in (["export", "--all"], ["update", "--product", "1"], ["delete", "-p", "1", "-y"]):
        negative = cli(*command, "--wait", "-1")
        assert negative.exit_code == 2
        assert negative.stderr == "error: --wait must not be negative (e.g. --wait 300)\n"


def test_quiet_prints_nothing_on_success_and_only_errors_on_failure(cli, setup) -> None:
    _database, _conn, ids = setup
    ok = cli("export", "--products", str(ids[0]), "--fields", "name,sku,price", "--quiet")
    assert ok.exit_code == 0
    assert (ok.stdout, ok.stderr) == ("", "")

    failed = cli("export", "--all", "--fields", "name,sku,price,images", "-q")
    assert failed.exit_code == 1 and failed.stdout == ""
    lines = failed.stderr.strip().splitlines()
    assert lines == [lines[0]] and lines[0].startswith(f"error: product {ids[1]} (CLI-2):")

    as_json = cli("--json", "export", "--all", "--fields", "name,sku,price", "--partial", "-q")
    assert as_json.exit_code == 0 and as_json.stderr == ""
    assert json.loads(as_json.stdout)["syncedCount"] == 2


def test_log_file_gets_the_run_and_no_secret(cli, setup, memory_keyring, tmp_path) -> None:
    _database, conn, ids = setup
    secrets = [value for value in memory_keyring.entries.values() if value]
    assert len(secrets) >= 2  # the connection's consumer key and secret
    log = tmp_path / "export.log"
    args = ["export", "--all", "--fields", "name,sku,price,images", "--partial"]
    first = cli("--log-level", "debug", *args, "--quiet", "--log-file", str(log))
    assert first.exit_code == 1 and first.stdout == ""
    assert first.stderr.startswith("error: product") and "DEBUG" not in first.stderr
    text = log.read_text()
    assert f"export to connection {conn} (" in text and "2 products, changed fields only" in text
    assert "finished: 1 synced, 1 failed" in text and f"product {ids[1]} failed:" in text
    assert "POST http://127.0.0.1" in text and "/products/batch?" in text  # the request lines
    assert "oauth_signature=REDACTED" in text and "oauth_consumer_key=REDACTED" in text
    assert not [secret for secret in secrets if secret in text]

    again = cli(*args, "--log-file", str(log))  # appends; INFO lines only at the default level
    assert again.exit_code == 1 and "1 unchanged, 0 skipped, 0 excluded, 0 conflicts, 1 failed" in (
        again.stdout
    )
    added = log.read_text()[len(text) :]
    assert "finished: 1 synced, 1 failed" in added and "DEBUG" not in added
    assert not [secret for secret in secrets if secret in added]


def test_update_and_delete_take_quiet_and_log_file(cli, setup, tmp_path) -> None:
    store, conn, ids = setup
    assert cli("export", "--products", str(ids[0]), "--fields", "name,sku,price").exit_code == 0
    edit_product(store, ids[0], price="14.00")
    set_mapping(store, conn, ["name", "sku", "price"])
    log = tmp_path / "one.log"
    updated = cli("update", "--product", str(ids[0]), "--quiet", "--log-file", str(log))
    assert updated.exit_code == 0 and (updated.stdout, updated.stderr) == ("", "")
    deleted = cli("delete", "--product", str(ids[0]), "--yes", "-q", "--log-file", str(log))
    assert deleted.exit_code == 0 and (deleted.stdout, deleted.stderr) == ("", "")
    gone = cli("update", "--product", str(ids[0]), "--quiet")
    assert gone.exit_code == 3 and gone.stdout == "" and "not synced" in gone.stderr


def test_log_file_in_a_missing_folder_is_a_usage_error(cli, setup, tmp_path) -> None:
    store, conn, ids = setup
    missing = tmp_path / "no-such-folder" / "export.log"
    result = cli(
        "export", "--products", str(ids[0]), "--fields", "name,sku", "--log-file", str(missing)
    )
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"error: --log-file {missing}: No such file or directory")
    assert len(result.stderr.strip().splitlines()) == 1
    assert sync_of(store, conn, ids[0]) is None


FIELDS = ("--fields", "name,sku,price")


def _exported_then_deleted(cli: Any, setup: Any, sandbox: Any, *, force: bool) -> int:
    """The first product exported, then deleted in the store by its manager (``force``: for
    good, else to the trash); its store id."""
    store, conn, ids = setup
    shop, url = sandbox
    assert cli("export", "--products", str(ids[0]), *FIELDS).exit_code == 0
    woo_id = int(sync_of(store, conn, ids[0]).woo_product_id)  # type: ignore[union-attr]
    key, secret = shop.create_key("read_write")
    with WooClient(url, key, secret) as client:
        client.delete(f"/products/{woo_id}", params={"force": "true"} if force else None)
    return woo_id


def test_dry_run_says_a_trashed_product_would_be_restored(cli, setup, sandbox) -> None:
    _store, _conn, ids = setup
    _exported_then_deleted(cli, setup, sandbox, force=False)  # to the trash
    fields = FIELDS
    plan = cli("export", "--products", str(ids[0]), *fields, "--dry-run", "--restore-trashed")
    assert plan.exit_code == 0, plan.stderr
    assert "restore" in plan.stdout


def test_a_product_trashed_in_the_store_fails_saying_how_to_keep_it_out(
    cli, setup, sandbox
) -> None:
    """Deleted in the store by its manager: never sent there silently again; the error names
    both ways out, and the one that keeps it out works as written."""
    _store, _conn, ids = setup
    woo_id = _exported_then_deleted(cli, setup, sandbox, force=False)  # to the trash
    fields = FIELDS
    failed = cli("export", "--products", str(ids[0]), *fields)
    assert failed.exit_code != 0
    hint = failed.stderr.split("keep it out of this store ('", 1)[1].split("')", 1)[0]
    assert "--restore-trashed" in failed.stderr and hint.startswith("woosync products exclude ")
    # the product's sync record keeps the error; sync-status shows it with the flag spelled
    shown = cli("sync-status", "--status", "error")
    assert "run again with --restore-trashed" in shown.stdout and "{{" not in shown.stdout
    (record,) = json.loads(cli("sync-status", "--status", "error", "--json").stdout)["records"]
    assert "run again with --restore-trashed" in record["errorMessage"]
    assert cli(*hint.split()[1:]).exit_code == 0
    kept_out = cli("export", "--products", str(ids[0]), *fields, "--json")
    assert kept_out.exit_code == 0, kept_out.stderr
    assert json.loads(kept_out.stdout)["counts"]["excluded"] == 1
    shop, url = sandbox
    key, secret = shop.create_key("read_write")
    with WooClient(url, key, secret) as client:
        assert client.get(f"/products/{woo_id}")["status"] == "trash"  # left as its manager left it


def test_a_product_deleted_in_the_store_is_created_again_with_a_warning_naming_the_way_out(
    cli, setup, sandbox
) -> None:
    _store, _conn, ids = setup
    woo_id = _exported_then_deleted(cli, setup, sandbox, force=True)
    fields = FIELDS
    again = cli("export", "--products", str(ids[0]), *fields)
    assert again.exit_code == 0, again.stderr
    assert (
        f"store product #{woo_id} is gone from the store (deleted there); it is created again"
        in (again.stderr)
    )
    exclude = again.stderr.split("To keep it out of this store: ", 1)[1].splitlines()[0]
    assert cli(*exclude.split()[1:]).exit_code == 0
    kept_out = cli("export", "--products", str(ids[0]), *fields, "--json")
    assert json.loads(kept_out.stdout)["counts"]["excluded"] == 1


def test_a_refused_export_is_in_the_log_file_and_locks_are_per_database(
    cli, setup, tmp_path
) -> None:
    from woosync.core.locks import store_lock

    store, conn, ids = setup
    log = tmp_path / "export.log"
    args = (
        "export",
        "--products",
        str(ids[0]),
        "--fields",
        "name,sku",
        "-q",
        "--log-file",
        str(log),
    )
    with store_lock(conn, database=store.path):
        locked = cli(*args)
    assert locked.exit_code == 6
    assert locked.stderr.count("another woosync run is working") == 1
    assert "ERROR woosync.export: export failed: another woosync run" in log.read_text()
    with store_lock(conn, database=tmp_path / "another.db"):  # another database's connection
        assert cli(*args).exit_code == 0
