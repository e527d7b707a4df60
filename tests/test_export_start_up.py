"""An unchanged ``export --partial`` sends nothing, so it loads no HTTP client (httpx, httpcore, h11,
oauthlib, tenacity) and reads no secret, nor the mapping-file or YAML code; a run with a change loads
the client, reads the secrets and sends.

Real ``woosync`` processes (``-X importtime`` lists what each one imported) against a sandbox on a
loopback port, secrets from the environment (``WOOSYNC_SECRETS=env``)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from test_export_support import add_products, edit_product, set_mapping, tee
from woosync.core.exit_codes import ExitCode
from woosync.db.engine import open_database
from woosync.sandbox import SandboxStore
from woosync.services.connections.records import create_connection

# the WooCommerce client stack: loaded only when a request is about to be made
CLIENT_STACK = ("httpx", "httpcore", "h11", "oauthlib", "tenacity", "woosync.woo.client")
# files: the export reads the active mapping from the database, never a file, and no YAML
MAPPING_FILES = ("woosync.files.mapping_files", "woosync.services.mappings.documents", "yaml")
# the other command groups' modules (cli/registry.py): a command imports only its own
OTHER_GROUPS = ("woosync.cli.connections", "woosync.cli.products", "woosync.cli.mapping_files")
# the catalog's commands and views (and the product record model), the mapping services beyond the
# active row (records, rules, views, the import's field rules) and Rich (the summary is one plain
# line on a pipe): none is needed to find that nothing changed
NOT_NEEDED = (
    "woosync.services.catalog.commands",
    "woosync.services.catalog.views",
    "woosync.products.record",
    "woosync.services.mappings.records",
    "woosync.services.mappings.rules",
    "woosync.services.mappings.views",
    "woosync.services.imports.fields",
    "rich",
    # the connection services beyond finding one and opening its client (services/connections
    # re-exports nothing)
    "woosync.services.connections.records",
    "woosync.services.connections.update",
    "woosync.services.connections.moves",
    "woosync.services.connections.validate",
    "woosync.services.connections.views",
)


@pytest.fixture
def exported(db_path: Path, tmp_path: Path) -> Iterator[tuple[SandboxStore, dict[str, str], int]]:
    """Three products exported once to a served sandbox (by a real ``woosync`` too); the store,
    the environment that gives the child its secrets, and the first product's id."""
    shop = SandboxStore(seed=12)
    with shop.serve() as url:
        db = open_database(db_path)
        key, secret = shop.create_key("read_write")
        conn = create_connection(db, name="Shop", url=url, consumer_key=key, consumer_secret=secret)
        assert conn.id is not None
        set_mapping(db, conn.id, ["name", "sku", "price"])
        ids = add_products(db, [tee("UP-1"), tee("UP-2"), tee("UP-3")])
        db.dispose()
        env = {k: v for k, v in os.environ.items() if not k.startswith("WOOSYNC_")}
        env.update(WOOSYNC_HOME=str(tmp_path / "home"), WOOSYNC_SECRETS="env")
        env.update(
            {
                f"WOOSYNC_CONN_{conn.id}_CONSUMER_KEY": key,
                f"WOOSYNC_CONN_{conn.id}_CONSUMER_SECRET": secret,
            }
        )
        first = _export(db_path, env)
        assert first.returncode == 0, first.stderr[-2000:]
        assert "3 created" in first.stdout
        yield shop, env, ids[0]


def _export(db_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "woosync", "--db", str(db_path),
         "export", "--connection", "1", "--all", "--partial"],
        capture_output=True, text=True, check=False, env=env, timeout=120,
    )  # fmt: skip


def _loaded(done: subprocess.CompletedProcess[str]) -> set[str]:
    """The modules the child imported (``-X importtime`` writes one line each on stderr)."""
    return {
        line.rsplit("|", 1)[-1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }


def _client_stack(loaded: set[str]) -> set[str]:
    return {m for m in loaded for top in CLIENT_STACK if m == top or m.startswith(top + ".")}


def test_an_unchanged_partial_export_loads_no_client_and_reads_no_secret(
    exported: tuple[SandboxStore, dict[str, str], int], db_path: Path
) -> None:
    shop, env, _ = exported
    no_secrets = {k: v for k, v in env.items() if "_CONSUMER_" not in k}
    requests = shop.stats.snapshot()["requests"]
    done = _export(db_path, no_secrets)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "0 created, 0 updated, 3 unchanged" in done.stdout
    assert shop.stats.snapshot()["requests"] == requests  # nothing sent
    loaded = _loaded(done)
    assert "woosync.services.export.run" in loaded  # the export did run in that process
    assert _client_stack(loaded) == set()
    assert loaded & set(MAPPING_FILES) == set()
    assert loaded & set(OTHER_GROUPS) == set()
    assert loaded & set(NOT_NEEDED) == set()


def test_a_partial_export_with_a_change_loads_the_client_and_sends(
    exported: tuple[SandboxStore, dict[str, str], int], db_path: Path
) -> None:
    shop, env, first = exported
    db = open_database(db_path)
    edit_product(db, first, price="12.50")
    db.dispose()
    done = _export(db_path, env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "0 created, 1 updated, 2 unchanged" in done.stdout
    assert {"httpx", "woosync.woo.client"} <= _loaded(done)
    assert [p["regular_price"] for p in shop.products.values() if p["sku"] == "UP-1"] == ["12.50"]


def test_a_change_without_its_secrets_is_the_clear_error_and_sends_nothing(
    exported: tuple[SandboxStore, dict[str, str], int], db_path: Path
) -> None:
    shop, env, first = exported
    db = open_database(db_path)
    edit_product(db, first, price="13.00")
    db.dispose()
    requests = shop.stats.snapshot()["requests"]
    done = _export(db_path, {k: v for k, v in env.items() if "_CONSUMER_" not in k})
    assert done.returncode == ExitCode.FAILURE, done.stderr[-2000:]  # that product failed
    errors = [line for line in done.stderr.splitlines() if not line.startswith("import time:")]
    assert any("WOOSYNC_CONN_1_CONSUMER_KEY" in line for line in errors), errors
    assert "Traceback" not in done.stderr
    assert shop.stats.snapshot()["requests"] == requests


def test_an_unchanged_partial_export_builds_no_table_validator_and_freezes_start_up(
    exported: tuple[SandboxStore, dict[str, str], int], db_path: Path
) -> None:
    """The tables' pydantic validators are built when first used (``db.models._Table``), and an
    unchanged export never uses them; what start-up allocated is out of the collector's sight
    (``core.gc_tuning``: the script freezes it when the command opens the database)."""
    _, env, _ = exported
    code = (
        "import atexit, gc, sys\n"
        "def seen():\n"
        "    from woosync.db import models\n"
        "    built = [t.__name__ for t in models._Table.__subclasses__() if t.__pydantic_complete__]\n"
        "    print('BUILT', ','.join(built), 'FROZEN', gc.get_freeze_count(), file=sys.stderr)\n"
        "atexit.register(seen)\n"
        "sys.argv = ['woosync', *sys.argv[1:]]\n"
        "from woosync.cli.launch import main\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "--db", str(db_path), "export", "--connection", "1",
         "--all", "--partial"],
        capture_output=True, text=True, check=False, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "0 created, 0 updated, 3 unchanged" in done.stdout
    line = [x for x in done.stderr.splitlines() if x.startswith("BUILT")][-1].split()
    assert line[1] == "FROZEN"  # no table built (an empty name list)
    assert int(line[2]) > 50_000
