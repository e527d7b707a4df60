"""``woosync connections`` through the CLI and the service layer (the spec's connection operations but
*Test connection*: ARCHITECTURE.md, operations table)."""

from __future__ import annotations

import json
import logging
import re
import stat
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail
from typer.testing import Result

from keyring_helpers import FailingKeyring
from woosync.core.errors import ConflictError, NotFoundError, ValidationError
from woosync.db.engine import open_database
from woosync.db.models import (
    Connection,
    ExportMapping,
    ImportMapping,
    ProductSync,
    StoreRef,
    SyncCursor,
)
from woosync.secrets import secrets_file
from woosync.services.connections import lookup, records, tls, update
from woosync.services.connections.client import open_client

KEY = "ck_aaaaaaaaaaaaaaaaaaaa"
SECRET = "cs_bbbbbbbbbbbbbbbbbbbb"
ENV = {"WOOSYNC_CONSUMER_KEY": KEY, "WOOSYNC_CONSUMER_SECRET": SECRET}
SPEC_KEYS = [
    "id",
    "storeName",
    "storeUrl",
    "isActive",
    "isDefault",
    "lastSyncedAt",
    "createdAt",
    "updatedAt",
]
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def run_add(
    cli,
    *extra: str,
    name: str = "A",
    url: str = "https://a.example",
    input: str | None = None,
    env: dict[str, str] | None = None,
    root: tuple[str, ...] = (),
) -> Result:
    """``woosync ROOT... connections add --name NAME --url URL EXTRA...`` (secrets only if given)."""
    command = (*root, "connections", "add", "--name", name, "--url", url, *extra)
    return cli(*command, input=input, env=env)


def add(cli, name: str, url: str, *extra: str, env: dict[str, str] | None = None) -> Any:
    result = run_add(cli, "--json", *extra, name=name, url=url, env=env or ENV)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def listed(cli) -> list[dict[str, Any]]:
    result = cli("--json", "connections", "list")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def scope(db_path: Path) -> str:
    return str(db_path.resolve())


# add ----------------------------------------------------------------------------------------------
def test_add_prints_the_spec_shape_and_keeps_secrets_in_the_keyring(
    cli, memory_keyring, db_path
) -> None:
    created = add(cli, "Main Store", "https://Shop.Example.com/", "--default")
    assert list(created) == SPEC_KEYS
    assert created["id"] == 1
    assert created["storeName"] == "Main Store"
    assert created["storeUrl"] == "https://shop.example.com"
    assert created["isActive"] is True and created["isDefault"] is True
    assert created["lastSyncedAt"] is None
    assert ISO.match(created["createdAt"]) and created["updatedAt"] == created["createdAt"]
    assert memory_keyring.entries == {
        ("woosync", f"connection:1:consumer_key@{scope(db_path)}"): KEY,
        ("woosync", f"connection:1:consumer_secret@{scope(db_path)}"): SECRET,
    }


def test_add_human_output_is_a_table_on_stdout_and_a_confirmation_on_stderr(cli) -> None:
    result = run_add(cli, name="Shop", url="https://shop.example", env=ENV)
    assert result.exit_code == 0
    assert "added connection 1 'Shop'" in result.stderr
    assert "https://shop.example" in result.stdout and "TLS verification" in result.stdout
    assert "WOOSYNC_CONN_1_*" in result.stdout


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--url", "https://a.example"], ENV, "the store name is required"),
        (["--name", "  ", "--url", "https://a.example"], ENV, "the store name is required"),
        (["--name", "A"], ENV, "the store URL is required"),
        (["--name", "A", "--url", "ftp://a.example"], ENV, "is not a store URL"),
        (["--name", "A", "--url", "shop.example"], ENV, "is not a store URL"),
        (["--name", "A", "--url", "https://u:p@a.example"], ENV, "user name or password"),
        (
            ["--name", "A", "--url", "https://a.example"],
            {**ENV, "WOOSYNC_CONSUMER_KEY": "ck_short"},
            "the consumer key must be at least 10 characters",
        ),
        (
            ["--name", "A", "--url", "https://a.example"],
            {**ENV, "WOOSYNC_CONSUMER_SECRET": "cs_short"},
            "the consumer secret must be at least 10 characters",
        ),
        (
            ["--name", "A", "--url", "https://a.example", "--ca-bundle", "/no/such/ca.pem"],
            ENV,
            "the CA bundle /no/such/ca.pem does not exist",
        ),
    ],
)
def test_add_validation_errors_exit_2_and_change_nothing(
    cli, memory_keyring, args, env, message
) -> None:
    result = cli("connections", "add", *args, env=env)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
    assert listed(cli) == []
    assert memory_keyring.entries == {}


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        ("HTTP://Shop.Example:80/Shop/", "http://shop.example/Shop"),  # a path keeps its case
        ("https://shop.example:443/", "https://shop.example"),
        ("http://shop.example:443", "http://shop.example:443"),  # not the default for http
        ("https://shop.example:8443/wp-json/wc/v3?x=1#top", "https://shop.example:8443"),
        ("http://[::1]:8080/shop/wp-json/", "http://[::1]:8080/shop"),
        ("http://[2001:DB8::1]", "http://[2001:db8::1]"),
        ("http://shop.example/blog/index.php/wp-json/wc/v3", "http://shop.example/blog"),
    ],
)
def test_store_urls_are_normalised(given: str, normalised: str) -> None:
    from woosync.core.store_urls import normalize_store_url
    from woosync.woo.client import site_root

    assert normalize_store_url(given) == normalised
    assert site_root(normalised) == normalised  # the client talks to exactly that root


@pytest.mark.parametrize(
    "url", ["http://shop.example:abc", "http://shop.example:99999", "http://shop.example:0"]
)
def test_a_bad_port_is_a_validation_error(cli, url: str) -> None:
    result = cli("connections", "add", "--name", "A", "--url", url, env=ENV)
    assert result.exit_code == 2, result.stderr
    assert "port" in result.stderr and "internal error" not in result.stderr
    assert listed(cli) == []
    tested = cli("connections", "test", "--url", url, env=ENV)
    assert tested.exit_code == 2 and "port" in tested.stderr


def test_add_without_secrets_and_without_a_terminal_fails_instead_of_hanging(cli) -> None:
    result = run_add(cli)
    assert result.exit_code == 2
    assert "the consumer key is missing and there is no terminal to ask for it" in result.stderr
    assert "WOOSYNC_CONSUMER_KEY" in result.stderr and "--secrets-from-stdin" in result.stderr
    result = run_add(cli, env={"WOOSYNC_CONSUMER_KEY": KEY})
    assert result.exit_code == 2 and "the consumer secret is missing" in result.stderr
    assert listed(cli) == []


def test_add_reads_secrets_from_stdin(cli, memory_keyring) -> None:
    result = run_add(cli, "--secrets-from-stdin", input=f"{KEY}\n{SECRET}\nhook-secret-value\n")
    assert result.exit_code == 0, result.stderr
    assert sorted(memory_keyring.entries.values()) == sorted([KEY, SECRET, "hook-secret-value"])


def test_add_stdin_with_one_line_is_an_error(cli) -> None:
    result = run_add(cli, "--secrets-from-stdin", input=f"{KEY}\n")
    assert result.exit_code == 2
    assert "expects the consumer key and the consumer secret on two lines" in result.stderr


def test_add_takes_webhook_secret_from_the_environment(cli, memory_keyring, db_path) -> None:
    add(cli, "A", "https://a.example", env={**ENV, "WOOSYNC_WEBHOOK_SECRET": "hook-from-env-1"})
    username = f"connection:1:webhook_secret@{scope(db_path)}"
    assert memory_keyring.entries[("woosync", username)] == "hook-from-env-1"


def test_add_secret_options_work_but_warn(cli, memory_keyring) -> None:
    result = run_add(cli, "--consumer-key", KEY, "--consumer-secret", SECRET)
    assert result.exit_code == 0
    assert "shell history" in result.stderr
    assert sorted(memory_keyring.entries.values()) == sorted([KEY, SECRET])


def test_add_prompts_with_hidden_input_on_a_terminal(cli, monkeypatch, memory_keyring) -> None:
    monkeypatch.setattr("woosync.core.terminal.stdin_is_terminal", lambda: True)
    result = run_add(cli, input=f"{KEY}\n{SECRET}\n")
    assert result.exit_code == 0, result.stderr
    assert "Consumer key" in result.stderr and "Consumer secret" in result.stderr
    assert KEY not in result.stdout + result.stderr  # hidden input is not echoed
    assert sorted(memory_keyring.entries.values()) == sorted([KEY, SECRET])


@pytest.mark.parametrize(
    "variant",
    [
        "https://shop.example",
        "https://shop.example/",
        "https://SHOP.example",
        "https://shop.example/wp-json/",
        "https://shop.example/wp-json/wc/v3/products?per_page=5",
        "https://shop.example:443",
        "HTTPS://Shop.Example:443/WP-JSON/wc/v3",
        "https://shop.example/index.php?rest_route=/wc/v3",
    ],
)
def test_second_connection_to_the_same_store_is_a_conflict(cli, memory_keyring, variant) -> None:
    add(cli, "First", "https://shop.example/")
    before = dict(memory_keyring.entries)
    result = run_add(
        cli,
        name="Second",
        url=variant,
        env={
            "WOOSYNC_CONSUMER_KEY": "ck_other_key_123",
            "WOOSYNC_CONSUMER_SECRET": "cs_other_1234",
        },
    )
    assert result.exit_code == 4
    assert "a connection to https://shop.example already exists (id 1, 'First')" in result.stderr
    assert [row["storeName"] for row in listed(cli)] == ["First"]
    assert memory_keyring.entries == before


def test_a_conflict_is_reported_before_asking_for_secrets(cli) -> None:
    add(cli, "First", "https://shop.example")
    result = run_add(cli, name="Second", url="https://shop.example/")
    assert result.exit_code == 4  # not the "secret is missing" error
    assert "a connection to https://shop.example already exists (id 1, 'First')" in result.stderr
    assert "secret" not in result.stderr


def test_headless_keyring_add_fails_with_what_to_do_and_writes_nothing(cli) -> None:
    keyring.set_keyring(fail.Keyring())
    result = run_add(cli, env=ENV)
    assert result.exit_code == 7
    assert "no keyring backend is available" in result.stderr
    assert "WOOSYNC_SECRETS=file" in result.stderr
    assert listed(cli) == []


def test_file_store_opt_in_through_the_cli_is_0600(cli, tmp_path) -> None:
    keyring.set_keyring(fail.Keyring())
    env = {**ENV, "WOOSYNC_SECRETS": "file"}
    add(cli, "A", "https://a.example", env=env)
    path = tmp_path / "woosync-home" / "secrets.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(json.loads(path.read_text()).values()) == sorted([KEY, SECRET])
    shown = cli("connections", "show", "1", env={"WOOSYNC_SECRETS": "file"})
    assert str(path) in shown.stdout


# list, show, default ------------------------------------------------------------------------------
def test_list_puts_the_default_first_then_newest_first(cli) -> None:
    add(cli, "Oldest", "https://one.example")
    add(cli, "Default", "https://two.example", "--default")
    add(cli, "Newest", "https://three.example")
    rows = listed(cli)
    assert [row["storeName"] for row in rows] == ["Default", "Newest", "Oldest"]
    assert all(list(row) == SPEC_KEYS for row in rows)
    human = cli("connections", "list")
    assert human.exit_code == 0
    lines = [line for line in human.stdout.splitlines() if "example" in line]
    assert ["two" in lines[0], "three" in lines[1], "one" in lines[2]] == [True, True, True]


def test_list_empty(cli) -> None:
    assert listed(cli) == []
    result = cli("connections", "list")
    assert result.exit_code == 0 and "no connections yet" in result.stderr


def test_add_default_unsets_the_previous_default(cli) -> None:
    add(cli, "A", "https://a.example", "--default")
    add(cli, "B", "https://b.example", "--default")
    defaults = [row["storeName"] for row in listed(cli) if row["isDefault"]]
    assert defaults == ["B"]


def test_show_by_id_name_and_url_and_404(cli) -> None:
    created = add(cli, "Main Store", "https://a.example")
    for ref in ("1", "Main Store", "https://a.example/wp-json/"):
        result = cli("--json", "connections", "show", ref)
        assert result.exit_code == 0
        assert json.loads(result.stdout) == created
    per_command_json = cli("connections", "show", "1", "--json")
    assert json.loads(per_command_json.stdout) == created
    missing = cli("connections", "show", "42")
    assert missing.exit_code == 3
    assert "connection 42 not found" in missing.stderr and missing.stdout == ""


def test_default_fallback_rule(cli) -> None:
    result = cli("connections", "default")
    assert result.exit_code == 3 and "no active connections found" in result.stderr
    add(cli, "Old", "https://old.example")
    add(cli, "New", "https://new.example")
    default = json.loads(cli("--json", "connections", "default").stdout)
    assert default["storeName"] == "New"  # no default: the most recent active one
    cli("connections", "update", "2", "--inactive")
    assert json.loads(cli("--json", "connections", "default").stdout)["storeName"] == "Old"
    cli("connections", "update", "2", "--default")
    assert json.loads(cli("--json", "connections", "default").stdout)["storeName"] == "New"
    cli("connections", "update", "2", "--no-default")
    cli("connections", "update", "1", "--inactive")
    result = cli("connections", "default")
    assert result.exit_code == 3


# update -------------------------------------------------------------------------------------------
def test_update_fields_and_updated_at(cli) -> None:
    created = add(cli, "A", "https://a.example")
    result = cli(
        "--json",
        "connections",
        "update",
        "1",
        "--name",
        "Renamed",
        "--url",
        "https://NEW.example/wp-json/wc/v3",
        "--inactive",
        "--default",
    )
    assert result.exit_code == 0, result.stderr
    updated = json.loads(result.stdout)
    assert list(updated) == SPEC_KEYS
    assert updated["storeName"] == "Renamed"
    assert updated["storeUrl"] == "https://new.example"
    assert updated["isActive"] is False and updated["isDefault"] is True
    assert updated["createdAt"] == created["createdAt"]
    assert updated["updatedAt"] >= created["updatedAt"]


def test_update_default_unsets_the_other_default(cli) -> None:
    add(cli, "A", "https://a.example", "--default")
    add(cli, "B", "https://b.example")
    cli("connections", "update", "2", "--default")
    assert [(r["storeName"], r["isDefault"]) for r in listed(cli)] == [("B", True), ("A", False)]


def test_update_url_conflict_is_409_and_changes_nothing(cli) -> None:
    add(cli, "A", "https://a.example")
    add(cli, "B", "https://b.example")
    result = cli("connections", "update", "2", "--url", "https://A.example/", "--name", "X")
    assert result.exit_code == 4
    assert "a connection to https://a.example already exists (id 1, 'A')" in result.stderr
    assert [r["storeName"] for r in listed(cli)] == ["B", "A"]
    same = cli("connections", "update", "1", "--url", "https://a.example/")
    assert same.exit_code == 0  # its own URL is not a conflict
    default_port = cli("connections", "update", "2", "--url", "HTTPS://a.example:443/wp-json")
    assert default_port.exit_code == 4, default_port.stderr
    assert "a connection to https://a.example already exists (id 1, 'A')" in default_port.stderr
    assert [r["storeUrl"] for r in listed(cli)] == ["https://b.example", "https://a.example"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "nothing to update"),
        (["--name", " "], "the store name is required"),
        (["--url", "nope"], "is not a store URL"),
        (["--consumer-key", "short"], "the consumer key must be at least 10 characters"),
        (["--ca-bundle", "/no/such.pem"], "does not exist"),
    ],
)
def test_update_validation_errors(cli, args, message) -> None:
    add(cli, "A", "https://a.example")
    before = listed(cli)
    result = cli("connections", "update", "1", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert listed(cli) == before


def test_update_and_remove_unknown_connection_is_404(cli) -> None:
    assert cli("connections", "update", "7", "--name", "X").exit_code == 3
    result = cli("connections", "remove", "7", "--yes")
    assert result.exit_code == 3 and "connection 7 not found" in result.stderr


def test_update_secrets_from_stdin_env_and_prompt(
    cli, memory_keyring, db_path, monkeypatch
) -> None:
    add(cli, "A", "https://a.example")
    user = f"connection:1:consumer_key@{scope(db_path)}"
    result = cli(
        "connections",
        "update",
        "1",
        "--secrets-from-stdin",
        input="ck_from_stdin_1\ncs_from_stdin_1\n",
    )
    assert result.exit_code == 0, result.stderr
    assert memory_keyring.entries[("woosync", user)] == "ck_from_stdin_1"
    # the environment is only read when asked for: it may belong to another store
    result = cli(
        "connections", "update", "1", "--name", "B", env={"WOOSYNC_CONSUMER_KEY": "ck_env_1234"}
    )
    assert memory_keyring.entries[("woosync", user)] == "ck_from_stdin_1"
    result = cli(
        "connections",
        "update",
        "1",
        "--secrets-from-env",
        env={"WOOSYNC_CONSUMER_KEY": "ck_env_1234", "WOOSYNC_WEBHOOK_SECRET": "hook-1234"},
    )
    assert result.exit_code == 0, result.stderr
    assert memory_keyring.entries[("woosync", user)] == "ck_env_1234"
    webhook_user = f"connection:1:webhook_secret@{scope(db_path)}"
    assert memory_keyring.entries[("woosync", webhook_user)] == "hook-1234"
    assert cli("connections", "update", "1", "--clear-webhook-secret").exit_code == 0
    assert ("woosync", webhook_user) not in memory_keyring.entries
    no_tty = cli("connections", "update", "1", "--prompt-secrets")
    assert no_tty.exit_code == 2 and "no terminal" in no_tty.stderr
    monkeypatch.setattr("woosync.core.terminal.stdin_is_terminal", lambda: True)
    prompted = cli(
        "connections", "update", "1", "--prompt-secrets", input="ck_prompted_12\ncs_prompted_12\n"
    )
    assert prompted.exit_code == 0, prompted.stderr
    assert memory_keyring.entries[("woosync", user)] == "ck_prompted_12"


def test_tls_settings_insecure_warns_and_ca_bundle(cli, tmp_path) -> None:
    result = run_add(cli, "--insecure", env=ENV)
    assert result.exit_code == 0
    assert "TLS certificate verification is OFF for connection 1" in result.stderr
    assert "OFF (insecure)" in cli("connections", "show", "1").stdout
    bundle = tmp_path / "staging-ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    result = cli("connections", "update", "1", "--ca-bundle", str(bundle))
    assert result.exit_code == 0 and "OFF" not in result.stderr
    shown = cli("connections", "show", "1").stdout
    assert str(bundle) in shown and "OFF" not in shown
    both = run_add(
        cli, "--insecure", "--ca-bundle", str(bundle), name="B", url="https://b.example", env=ENV
    )
    assert both.exit_code == 2 and "exclude each other" in both.stderr
    with open_database(tmp_path / "woosync-home" / "woosync.db").session() as session:
        conn = session.get(Connection, 1)
        assert conn is not None
        assert tls.tls_verify(conn) == str(bundle)
    # the service names parameters; the CLI spells them as this command's flags
    assert "--ca-bundle and --insecure exclude each other" in both.stderr
    clash = cli("connections", "update", "1", "--ca-bundle", str(bundle), "--no-ca-bundle")
    assert clash.exit_code == 2
    assert "--ca-bundle excludes --insecure and --no-ca-bundle" in clash.stderr
    db = open_database(tmp_path / "woosync-home" / "woosync.db")
    with pytest.raises(ValidationError) as refused:
        update.update_connection(db, 1, ca_bundle=bundle, clear_ca_bundle=True)
    assert str(refused.value).startswith("ca_bundle excludes insecure and clear_ca_bundle")
    db.dispose()


# update --url to another store ---------------------------------------------------------------------
STORE_STATE = (ExportMapping, ImportMapping, ProductSync, StoreRef, SyncCursor)


def _attach_store_state(db_path: Path, connection_id: int, *, sync_record: bool = True) -> None:
    with open_database(db_path).session() as session:
        session.add(ExportMapping(connection_id=connection_id, selected_fields=["name", "sku"]))
        session.add(ImportMapping(connection_id=connection_id))
        if sync_record:
            session.add(ProductSync(connection_id=connection_id, product_id=1, woo_product_id=10))
        session.add(StoreRef(connection_id=connection_id, kind="category", key="Kitchen", woo_id=7))
        session.add(SyncCursor(connection_id=connection_id, name="import", value="2025-01-01"))


def _state(db_path: Path, connection_id: int) -> dict[str, int]:
    from sqlmodel import select

    with open_database(db_path).session() as session:
        return {
            model.__name__: len(
                session.exec(select(model).where(model.connection_id == connection_id)).all()
            )
            for model in STORE_STATE
        }


ALL_KEPT = dict.fromkeys([m.__name__ for m in STORE_STATE], 1)
STORE_FORGOTTEN = {**ALL_KEPT, "ProductSync": 0, "StoreRef": 0, "SyncCursor": 0}


def test_update_url_to_another_store_with_sync_records_is_refused_and_changes_nothing(
    cli, db_path
) -> None:
    add(cli, "A", "https://a.example")
    _attach_store_state(db_path, 1)
    before = listed(cli)
    result = cli("connections", "update", "1", "--url", "https://b.example", "--name", "B")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) <= 2, result.stderr  # the error and its hint
    assert "connection 1 'A' has 1 sync record(s) with product ids of https://a.example" in lines[0]
    assert "https://b.example is another store" in lines[0]
    assert "--move-to-new-store" in result.stderr and "--same-store" in result.stderr
    assert listed(cli) == before
    assert _state(db_path, 1) == ALL_KEPT


@pytest.mark.parametrize(
    "args",
    [
        ("--url", "HTTPS://A.example:443/wp-json/wc/v3/"),  # the same store re-spelled
        ("--url", "http://a.example"),  # http <-> https is one store
        ("--url", "https://shop.a.example", "--same-store"),  # the store moved address
    ],
)
def test_update_url_to_the_same_store_keeps_its_sync_records(cli, db_path, args) -> None:
    add(cli, "A", "https://a.example")
    _attach_store_state(db_path, 1)
    result = cli("--json", "connections", "update", "1", *args)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["storeUrl"] == normalize(args[1])
    assert _state(db_path, 1) == ALL_KEPT
    assert "dropped" not in result.stderr


def normalize(url: str) -> str:
    from woosync.core.store_urls import normalize_store_url

    return normalize_store_url(url)


def test_move_to_new_store_drops_its_sync_records_store_ids_and_bookmark_keeps_mappings(
    cli, db_path
) -> None:
    add(cli, "A", "https://a.example")
    add(cli, "B", "https://b.example")
    _attach_store_state(db_path, 1)
    _attach_store_state(db_path, 2)
    result = cli(
        "--json", "connections", "update", "1", "--url", "https://c.example", "--move-to-new-store"
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["storeUrl"] == "https://c.example"
    assert "dropped 1 sync record(s), 1 store id(s) and 1 import bookmark(s)" in result.stderr
    assert _state(db_path, 1) == STORE_FORGOTTEN
    assert _state(db_path, 2) == ALL_KEPT  # another connection's records are not touched


def test_update_url_to_another_store_without_sync_records_needs_no_flag(cli, db_path) -> None:
    add(cli, "A", "https://a.example")
    _attach_store_state(db_path, 1, sync_record=False)
    result = cli("--json", "connections", "update", "1", "--url", "https://c.example")
    assert result.exit_code == 0, result.stderr
    # the old store's category ids and import bookmark mean nothing in the new store
    assert _state(db_path, 1) == {**STORE_FORGOTTEN, "ProductSync": 0}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--move-to-new-store", "--name", "X"], "--move-to-new-store goes with a new --url"),
        (["--same-store", "--name", "X"], "--same-store goes with a new --url"),
        (
            ["--url", "https://c.example", "--same-store", "--move-to-new-store"],
            "exclude each other",
        ),
    ],
)
def test_store_change_flags_misused_are_refused(cli, db_path, args, message) -> None:
    add(cli, "A", "https://a.example")
    _attach_store_state(db_path, 1)
    before = listed(cli)
    result = cli("connections", "update", "1", *args)
    assert result.exit_code == 2 and message in result.stderr
    assert listed(cli) == before and _state(db_path, 1) == ALL_KEPT


def test_update_help_documents_the_store_change_flags(cli) -> None:
    result = cli("connections", "update", "--help", env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "--move-to-new-store" in result.stdout and "--same-store" in result.stdout
    assert "refused while the connection has sync records" in result.stdout


# remove -------------------------------------------------------------------------------------------
def _attach_mappings_and_sync_records(db_path: Path, connection_id: int) -> None:
    with open_database(db_path).session() as session:
        session.add(ExportMapping(connection_id=connection_id, selected_fields=["name", "sku"]))
        session.add(ImportMapping(connection_id=connection_id))
        session.add(ProductSync(connection_id=connection_id, product_id=1, woo_product_id=10))


def _count(db_path: Path, model: Any) -> int:
    from sqlmodel import select

    with open_database(db_path).session() as session:
        return len(session.exec(select(model)).all())


def test_remove_needs_yes_without_a_terminal(cli) -> None:
    add(cli, "A", "https://a.example")
    result = cli("connections", "remove", "1")
    assert result.exit_code == 2
    assert "refusing to remove connection 1 'A'" in result.stderr and "--yes" in result.stderr
    assert len(listed(cli)) == 1


def test_remove_cascades_to_mappings_sync_records_and_keyring(cli, memory_keyring, db_path) -> None:
    add(cli, "A", "https://a.example", env={**ENV, "WOOSYNC_WEBHOOK_SECRET": "hook-12345"})
    add(cli, "B", "https://b.example")
    _attach_mappings_and_sync_records(db_path, 1)
    _attach_mappings_and_sync_records(db_path, 2)
    result = cli("--json", "connections", "remove", "1", "--yes")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["id"] == 1 and summary["deleted"] is True
    assert (summary["exportMappings"], summary["importMappings"], summary["syncRecords"]) == (
        1,
        1,
        1,
    )
    assert "removed connection 1 'A'" in result.stderr
    assert [r["storeName"] for r in listed(cli)] == ["B"]
    for model in (ExportMapping, ImportMapping, ProductSync):
        assert _count(db_path, model) == 1
    assert all(":1:" not in username for _, username in memory_keyring.entries)
    assert len(memory_keyring.entries) == 2  # B's key and secret stay


def test_remove_asks_on_a_terminal(cli, monkeypatch) -> None:
    add(cli, "A", "https://a.example")
    monkeypatch.setattr("woosync.core.terminal.stdin_is_terminal", lambda: True)
    declined = cli("connections", "remove", "1", input="n\n")
    assert declined.exit_code == 1 and "nothing removed" in declined.stderr
    assert len(listed(cli)) == 1
    accepted = cli("connections", "remove", "1", input="y\n")
    assert accepted.exit_code == 0 and listed(cli) == []


def test_a_new_connection_does_not_inherit_a_stale_webhook_secret(
    cli, memory_keyring, db_path
) -> None:
    # SQLite hands out a removed connection's id again; an entry left behind (say, the keyring
    # was locked during 'remove') must not become the new connection's webhook secret.
    stale = ("woosync", f"connection:1:webhook_secret@{scope(db_path)}")
    memory_keyring.entries[stale] = "stale-hook-12345"
    add(cli, "B", "https://b.example")
    assert stale not in memory_keyring.entries


# services -----------------------------------------------------------------------------------------
def test_service_layer_errors(db_path) -> None:
    db = open_database(db_path)
    kwargs: dict[str, Any] = {"consumer_key": KEY, "consumer_secret": SECRET}
    created = records.create_connection(db, name="A", url="https://a.example", **kwargs)
    assert created.id == 1
    with pytest.raises(ConflictError):
        records.create_connection(db, name="B", url="https://a.example/wp-json", **kwargs)
    with pytest.raises(ValidationError, match="consumer secret is required"):
        records.create_connection(
            db, name="B", url="https://b.example", consumer_key=KEY, consumer_secret=None
        )
    with pytest.raises(NotFoundError):
        records.get_connection_view(db, 99)
    with pytest.raises(NotFoundError):
        records.delete_connection(db, 99)
    assert records.delete_connection(db, 1).id == 1
    with pytest.raises(NotFoundError, match="no active connections found"):
        records.get_default_connection(db)


def test_active_connection_refuses_an_inactive_one_and_mark_synced_sets_last_synced_at(
    cli, db_path
) -> None:
    from datetime import UTC, datetime

    db = open_database(db_path)
    kwargs: dict[str, Any] = {"consumer_key": KEY, "consumer_secret": SECRET}
    records.create_connection(db, name="A", url="https://a.example", is_default=True, **kwargs)
    update.update_connection(db, 1, is_active=False)
    with db.session() as session, pytest.raises(ValidationError) as refused:
        lookup.active_connection(session, None)  # the default, inactive
    error = refused.value
    assert error.message == "connection 1 (A) is inactive"
    assert error.hint is not None and "woosync connections update 1 active" in str(error)
    update.update_connection(db, 1, is_active=True)
    when = datetime(2025, 12, 11, 10, 0, tzinfo=UTC)
    with db.session() as session:
        assert lookup.active_connection(session, "A").id == 1
        lookup.mark_synced(session, 1, when)
    db.dispose()
    shown = json.loads(cli("--json", "connections", "show", "1").stdout)
    assert shown["lastSyncedAt"] == "2025-12-11T10:00:00.000Z"


def test_open_client_without_secrets_is_a_secrets_error(db_path, memory_keyring) -> None:
    from woosync.core.errors import SecretsError

    db = open_database(db_path)
    records.create_connection(
        db, name="A", url="https://a.example", consumer_key=KEY, consumer_secret=SECRET
    )
    memory_keyring.entries.clear()
    with db.session() as session:
        conn = session.get(Connection, 1)
    assert conn is not None
    with pytest.raises(SecretsError, match="WOOSYNC_CONN_1_CONSUMER_KEY"):
        open_client(db, conn, interactive=False)


# secrets never leak -------------------------------------------------------------------------------
def test_a_secret_given_to_add_appears_in_no_output_log_or_database_byte(
    cli, db_path, caplog
) -> None:
    key = "ck_leakcheck_4f1c9e2a7b"
    secret = "cs_leakcheck_8d3e6a1f0c"
    webhook = "whsec_leakcheck_5b2d7e9a"
    loggers = [logging.getLogger(name) for name in ("woosync.connections", "woosync.secrets")]
    for logger in loggers:
        logger.addHandler(caplog.handler)
    debug = ("--log-level", "debug")
    try:
        caplog.set_level(logging.DEBUG)
        results = [
            run_add(
                cli,
                "--secrets-from-stdin",
                name="Leak check",
                url="https://leak.example",
                input=f"{key}\n{secret}\n{webhook}\n",
                root=debug,
            ),
            run_add(
                cli,
                *("--consumer-key", key, "--consumer-secret", secret, "--webhook-secret", webhook),
                name="Leak check 2",
                url="https://leak2.example",
                root=debug,
            ),
            cli(*debug, "--json", "connections", "list"),
            cli(*debug, "connections", "show", "1"),
            cli(*debug, "--json", "connections", "update", "1", "--name", "N"),
        ]
    finally:
        for logger in loggers:
            logger.removeHandler(caplog.handler)
    assert [r.exit_code for r in results] == [0, 0, 0, 0, 0]
    assert any("created connection" in record.getMessage() for record in caplog.records)
    assert "DEBUG woosync" in "".join(r.stderr for r in results)  # debug logging really ran
    for value in (key, secret, webhook):
        for result in results:
            assert value not in result.stdout and value not in result.stderr
        for record in caplog.records:
            assert value not in record.getMessage()
        assert value not in caplog.text
        files = sorted(db_path.parent.glob(db_path.name + "*"))
        assert files and db_path in files
        for path in files:
            assert value.encode() not in path.read_bytes(), path


def test_add_that_fails_after_the_secrets_were_read_keeps_none_and_shows_none_with_debug(
    cli,
) -> None:
    backend = FailingKeyring(fail_on="consumer_secret")  # the key is stored, then the secret fails
    keyring.set_keyring(backend)
    key, secret = "plain-key-" + "0a1b2c3d", "plain-secret-" + "4e5f6a7b"  # not ck_/cs_ shaped
    result = run_add(
        cli,
        "--secrets-from-stdin",
        input=f"{key}\n{secret}\n",
        root=("--debug", "--log-level", "debug"),
    )
    assert result.exit_code == 7
    assert "Traceback" in result.stderr  # --debug really printed one
    assert "cannot write to the keyring: RuntimeError" in result.stderr
    for value in (key, secret):
        assert value not in result.stdout and value not in result.stderr
    assert backend.entries == {}  # the consumer key written before the failure is gone again
    assert listed(cli) == []


def test_debug_tracebacks_are_scrubbed_of_secrets(cli, monkeypatch) -> None:
    key = "debug-key-" + "9f8e7d6c"

    def fail(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError(f"unexpected while handling {key}")

    monkeypatch.setattr(records, "create_connection", fail)
    result = run_add(cli, env={**ENV, "WOOSYNC_CONSUMER_KEY": key}, root=("--debug",))
    assert result.exit_code == 1
    assert (
        "Traceback" in result.stderr and "RuntimeError: unexpected while handling" in result.stderr
    )
    assert key not in result.stderr and key not in result.stdout


def test_remove_keeps_the_connection_when_a_secret_cannot_be_removed(
    cli, memory_keyring, monkeypatch
) -> None:
    keyring.set_keyring(fail.Keyring())
    monkeypatch.setenv("WOOSYNC_SECRETS", "file")
    add(cli, "A", "https://a.example")
    secrets_file().chmod(0o644)
    refused = cli("connections", "remove", "1", "--yes")
    assert refused.exit_code == 7 and "chmod 600" in refused.stderr
    assert [row["id"] for row in listed(cli)] == [1]  # still there: 'remove' can be run again
    secrets_file().chmod(0o600)
    assert cli("connections", "remove", "1", "--yes").exit_code == 0
    assert listed(cli) == [] and json.loads(secrets_file().read_text()) == {}

    monkeypatch.delenv("WOOSYNC_SECRETS")
    locked = FailingKeyring(fail_on="nothing yet")
    keyring.set_keyring(locked)
    add(cli, "B", "https://b.example")
    locked.fail_on = "delete"  # the keyring locks between 'add' and 'remove'
    refused = cli("connections", "remove", "1", "--yes")
    assert refused.exit_code == 7 and "cannot remove a secret from the keyring" in refused.stderr
    assert [row["storeName"] for row in listed(cli)] == ["B"]
    assert sorted(locked.entries.values()) == sorted([KEY, SECRET])


def test_remove_clears_the_keyring_and_the_file_store(cli, memory_keyring, monkeypatch) -> None:
    add(cli, "A", "https://a.example")  # keyring
    file_env = {"WOOSYNC_SECRETS": "file", "WOOSYNC_WEBHOOK_SECRET": "hook-in-file-1"}
    cli("connections", "update", "1", "--secrets-from-env", env=file_env)
    assert json.loads(secrets_file().read_text()) != {}
    assert cli("connections", "remove", "1", "--yes").exit_code == 0  # default setting: keyring
    assert memory_keyring.entries == {}
    assert json.loads(secrets_file().read_text()) == {}


def test_add_warns_when_old_per_connection_variables_would_override_its_secrets(cli) -> None:
    # ids are handed out again after a remove: WOOSYNC_CONN_1_* may belong to another store
    result = run_add(cli, env={**ENV, "WOOSYNC_CONN_1_CONSUMER_KEY": "ck_other_store_123"})
    assert result.exit_code == 0
    assert "WOOSYNC_CONN_1_CONSUMER_KEY is set in the environment" in result.stderr
    quiet = run_add(cli, name="B", url="https://b.example", env=ENV)
    assert "WOOSYNC_CONN_2" not in quiet.stderr


def test_add_in_env_mode_says_the_secrets_were_not_kept_and_what_to_set(cli, monkeypatch) -> None:
    monkeypatch.setenv("WOOSYNC_SECRETS", "env")
    result = run_add(cli, env=ENV)
    assert result.exit_code == 0, result.stderr
    assert "WOOSYNC_SECRETS=env: the consumer key and secret were not stored" in result.stderr
    assert "WOOSYNC_CONN_1_CONSUMER_KEY and WOOSYNC_CONN_1_CONSUMER_SECRET" in result.stderr
