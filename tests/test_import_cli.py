"""``woosync import`` against the sandbox on a real loopback port: output, exit codes, cron behaviour."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from import_helpers import import_products_json
from queued_runs import WAIT, lock_held_until_queued
from woosync.core.errors import LockedError
from woosync.core.locks import store_lock
from woosync.db.engine import Database, open_database
from woosync.db.models import Connection, Product
from woosync.sandbox import Faults, SandboxStore

# a product the store publishes later: skipped by an import until then (the skipped example)
SCHEDULED = {"name": "Scheduled", "status": "future", "date_created": "2099-01-01T00:00:00"}


def _add_connection(
    db: Database, url: str, name: str, monkeypatch: pytest.MonkeyPatch, sandbox: SandboxStore
) -> int:
    with db.session() as session:
        conn = Connection(store_name=name, store_url=url, is_default=name == "Sandbox")
        session.add(conn)
        session.flush()
        assert conn.id is not None
        connection_id = conn.id
    key, secret = sandbox.create_key("read_write")
    monkeypatch.setenv(f"WOOSYNC_CONN_{connection_id}_CONSUMER_KEY", key)
    monkeypatch.setenv(f"WOOSYNC_CONN_{connection_id}_CONSUMER_SECRET", secret)
    return connection_id


@pytest.fixture
def sandbox() -> Iterator[SandboxStore]:
    store = SandboxStore(seed=0)
    yield store


@pytest.fixture
def served(sandbox: SandboxStore) -> Iterator[str]:
    with sandbox.serve() as url:
        yield url


@pytest.fixture
def db(
    db_path: Path, served: str, sandbox: SandboxStore, monkeypatch: pytest.MonkeyPatch
) -> Database:
    db = open_database(db_path)
    _add_connection(db, served, "Sandbox", monkeypatch, sandbox)
    return db


def _skus(db: Database) -> list[str]:
    with db.session() as session:
        return [p.sku for p in session.exec(select(Product).order_by(Product.id))]  # type: ignore[arg-type]


def test_json_result_has_the_spec_shape(db: Database, sandbox: SandboxStore, cli: Any) -> None:
    sandbox.seed_products(3, prefix="J-")
    result = cli("import", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert {k: data[k] for k in ("success", "importedCount", "updatedCount", "failedCount")} == {
        "success": True,
        "importedCount": 3,
        "updatedCount": 0,
        "failedCount": 0,
    }
    assert data["products"][0] == {
        "wooProductId": data["products"][0]["wooProductId"],
        "productId": 1,
        "sku": "J-00001",
        "status": "imported",
    }
    assert _skus(db) == ["J-00001", "J-00002", "J-00003"]


def test_human_summary_and_skipped_table(db: Database, sandbox: SandboxStore, cli: Any) -> None:
    sandbox.seed_products(2, prefix="H-")
    sandbox.create_product(SCHEDULED | {"sku": "V-1"})
    result = cli("import")
    assert result.exit_code == 0
    assert (
        "2 created, 0 updated, 0 unchanged, 1 skipped, 0 excluded, 0 conflicts, 0 failed"
        in result.stdout
    )
    assert "+ imported H-00001 (store product 10) as product 1" in result.stdout.splitlines()
    # skipped products are counted; --verbose lists them and why
    assert "is scheduled: the store publishes it" not in result.stdout
    assert "1 skipped: --verbose lists them and why" in result.stdout
    verbose = cli("import", "--verbose")
    assert "is scheduled: the store publishes it" in verbose.stdout
    again = cli("import", "--update-existing", "--woo-ids", "10,11")
    assert again.stdout.splitlines() == [
        "0 created, 0 updated, 2 unchanged, 0 skipped, 0 excluded, 0 conflicts, 0 failed"
    ]


def test_json_ends_with_the_export_counts_beside_the_spec_counts(
    db: Database, sandbox: SandboxStore, cli: Any
) -> None:
    sandbox.seed_products(2, prefix="C-")
    sandbox.create_product(SCHEDULED | {"sku": "V-1"})
    data = json.loads(cli("--json", "import").stdout)
    assert data["counts"] == {
        "created": 2, "updated": 0, "unchanged": 0, "skipped": 1, "excluded": 0,
        "conflicts": 0, "failed": 0,
    }  # fmt: skip
    # the spec's fields stay as they were
    assert (data["importedCount"], data["updatedCount"], data["failedCount"]) == (2, 0, 0)
    assert list(data)[8:10] == ["conflictCount", "counts"]
    dry = json.loads(cli("--json", "import", "--dry-run", "--update-existing").stdout)
    assert dry["counts"] == data["counts"] | {"created": 0, "unchanged": 2}
    assert dry["dryRun"] is True


def test_a_dry_run_shows_only_real_differences_with_their_values(
    db: Database, sandbox: SandboxStore, served: str, cli: Any
) -> None:
    from woosync.woo import WooClient

    sandbox.seed_products(3, prefix="D-")
    assert cli("import").exit_code == 0
    key, secret = sandbox.create_key("read_write")
    stored = sandbox.find_sku("D-00002")
    assert stored is not None
    before = stored["regular_price"]
    with WooClient(served, key, secret) as client:
        client.put(f"/products/{stored['id']}", {"regular_price": "13.90"})
    new_id = sandbox.create_product({"name": "New one", "sku": "D-NEW", "regular_price": "5"})["id"]

    dry = cli("import", "--dry-run", "--update-existing")
    assert dry.exit_code == 0, dry.stderr
    changes = [line for line in dry.stdout.splitlines() if line[:1] in "+~-"]
    assert changes == [
        f"~ D-00002 price {before} -> 13.90",
        f"+ import D-NEW (store product {new_id})",
    ]
    assert "1 to create, 1 to update, 2 unchanged" in dry.stdout
    data = json.loads(cli("--json", "import", "--dry-run", "--update-existing").stdout)
    [updated] = [p for p in data["products"] if p["status"] == "updated"]
    assert updated["changes"] == [{"field": "price", "old": before, "new": "13.90"}]
    assert _skus(db) == ["D-00001", "D-00002", "D-00003"]  # nothing written


def test_a_failed_product_means_exit_1_and_a_line_on_stderr(
    db: Database, sandbox: SandboxStore, cli: Any
) -> None:
    sandbox.seed_products(1, prefix="E-")
    sandbox.create_product({"name": "Bad weight", "sku": "BAD-1", "weight": "heavy"})
    result = cli("import", "--quiet")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "BAD-1: " in result.stderr and "heavy" in result.stderr
    assert _skus(db) == ["E-00001"]


def test_quiet_prints_nothing_and_the_log_file_gets_the_run(
    db: Database, sandbox: SandboxStore, cli: Any, tmp_path: Path
) -> None:
    sandbox.seed_products(4, prefix="Q-")
    log = tmp_path / "import.log"
    result = cli("import", "--incremental", "--quiet", "--log-file", str(log))
    assert result.exit_code == 0
    assert (result.stdout, result.stderr) == ("", "")
    text = log.read_text()
    assert "import from connection 1" in text
    assert "finished: 4 imported, 0 updated, 0 unchanged, 0 skipped, 0 failed" in text
    assert "oauth_signature" not in text and "consumer_key" not in text


def test_dry_run_changes_nothing(db: Database, sandbox: SandboxStore, cli: Any) -> None:
    sandbox.seed_products(2, prefix="DR-")
    result = cli("import", "--dry-run")
    assert result.exit_code == 0
    assert "2 to create" in result.stdout and "nothing was written" in result.stdout
    assert _skus(db) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2h", "--incremental"], "--since and --incremental exclude each other"),
        (["--woo-id", "12,abc"], "'abc' is not a WooCommerce product id"),
        (["--woo-id", "5", "--incremental"], "--woo-id and --incremental exclude each other"),
        (["--since", "yesterday-ish"], "--since 'yesterday-ish' is not a time"),
        (["--concurrency", "0"], "concurrency must be between 1 and 16"),
        (["--connection", "9"], "connection 9 not found"),
        (["--wait", "-1"], "--wait must not be negative"),
        (["--woo-id", ","], "--woo-id is empty"),
    ],
)
def test_bad_options_are_one_line_errors_and_change_nothing(
    db: Database, sandbox: SandboxStore, cli: Any, args: list[str], message: str
) -> None:
    sandbox.seed_products(1, prefix="B-")
    result = cli("import", *args)
    assert result.exit_code in (2, 3)
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == "" and _skus(db) == []
    assert sandbox.stats.by_route[("GET", "/wc/v3/products")] == 0


def test_never_prompts_without_a_terminal(
    db: Database, sandbox: SandboxStore, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WOOSYNC_CONN_1_CONSUMER_SECRET")
    result = cli("import")
    assert result.exit_code == 7
    assert "consumer secret" in result.stderr


# locks --------------------------------------------------------------------------------------------


def test_a_second_run_on_the_same_store_exits_6_or_waits(
    db: Database, sandbox: SandboxStore, cli: Any, lock_waits: threading.Event
) -> None:
    sandbox.seed_products(2, prefix="LK-")
    with store_lock(1, database=db.path):
        locked = cli("import")
    assert locked.exit_code == 6
    assert "another woosync run is working on connection 1" in locked.stderr
    assert "--wait" in locked.stderr
    assert _skus(db) == []

    with lock_held_until_queued(1, lock_waits, database=db.path):
        waited = cli("import", "--wait", str(WAIT))  # let in as soon as it queues
    assert waited.exit_code == 0, waited.stderr
    assert len(_skus(db)) == 2


def test_overlapping_runs_on_one_store_are_serialised(db: Database, sandbox: SandboxStore) -> None:
    sandbox.seed_products(250, prefix="S-")
    sandbox.faults = Faults(latency_ms=30)
    inside = threading.Event()
    first: dict[str, Any] = {}

    def run_first() -> None:
        first.update(import_products_json(db, progress=lambda _n: inside.set(), concurrency=1))

    thread = threading.Thread(target=run_first)
    thread.start()
    assert inside.wait(10)
    with pytest.raises(LockedError):
        import_products_json(db)  # no --wait: refused at once
    second = import_products_json(db, lock_wait=30)  # queues behind the first run
    thread.join()
    assert first["importedCount"] == 250
    # the second run started after the first one committed everything: all matched, none created
    assert second["skippedCount"] == 250 and second["importedCount"] == 0


def test_runs_on_different_stores_proceed_in_parallel(
    db: Database, sandbox: SandboxStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = SandboxStore(seed=1)
    sandbox.seed_products(150, prefix="A-")
    other.seed_products(150, prefix="O-")
    with other.serve() as other_url:
        second_id = _add_connection(db, other_url, "Other", monkeypatch, other)
        started = {1: threading.Event(), second_id: threading.Event()}
        results: dict[int, dict[str, Any]] = {}

        def run(connection_id: int, partner: int) -> None:
            def on_page(_n: int) -> None:
                started[connection_id].set()
                # both runs hold their store's lock at this point; neither waits for the other
                assert started[partner].wait(10)

            results[connection_id] = import_products_json(db, connection_id, progress=on_page)

        threads = [
            threading.Thread(target=run, args=(1, second_id)),
            threading.Thread(target=run, args=(second_id, 1)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert results[1]["importedCount"] == 150 and results[second_id]["importedCount"] == 150


def test_a_refused_run_is_in_the_log_file_too(
    db: Database, sandbox: SandboxStore, cli: Any, tmp_path: Path, lock_waits: threading.Event
) -> None:
    """A cron job's log file shows why a run did nothing, not only the runs that worked."""
    log = tmp_path / "import.log"
    with store_lock(1, database=db.path):
        result = cli("import", "--quiet", "--log-file", str(log))
    assert result.exit_code == 6
    assert result.stderr.count("another woosync run is working on connection 1") == 1
    assert "ERROR woosync.import: import failed: another woosync run" in log.read_text()

    with lock_held_until_queued(1, lock_waits, database=db.path):
        waited = cli("import", "--quiet", "--wait", str(WAIT), "--log-file", str(log))
    assert waited.exit_code == 0 and waited.stderr == ""
    assert f"waiting up to {WAIT:g} s for another woosync run on connection 1" in log.read_text()


def test_json_goes_through_a_spool_file_and_prints_as_one_document(
    db: Database, sandbox: SandboxStore, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from woosync.cli import json_stream

    monkeypatch.setattr(json_stream, "_SPOOL", 64)  # every list goes to a file
    ids = sandbox.seed_products(120, prefix="SP-")
    sandbox.create_product(SCHEDULED | {"sku": "V-1"})
    sandbox.create_product({"name": "Caf\u00e9", "sku": "U-\u00e9\u2028\u0085-1"})
    result = cli("import", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    # printed exactly as json.dumps(indent=2) prints the whole result
    assert result.stdout == json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    assert list(data)[-2:] == ["conflicts", "products"] and data["conflicts"] == []
    imported = [p["wooProductId"] for p in data["products"] if p["status"] == "imported"]
    assert imported[:-1] == ids
    assert (data["importedCount"], data["skippedCount"], len(data["products"])) == (121, 1, 122)


def test_human_tables_and_failure_lines_are_capped(
    db: Database, sandbox: SandboxStore, cli: Any
) -> None:
    for n in range(23):
        sandbox.create_product(SCHEDULED | {"name": f"Scheduled {n}", "sku": f"V-{n}"})
    for n in range(22):
        sandbox.create_product({"name": f"Bad {n}", "sku": f"BAD-{n}", "weight": "heavy"})
    result = cli("import", "--verbose")
    assert result.exit_code == 1
    assert "0 created, 0 updated, 0 unchanged, 23 skipped, 0 excluded, 0 conflicts, 22 failed" in (
        result.stdout
    )
    assert result.stdout.count("is scheduled: the store publishes it") == 20
    assert "... and 3 more skipped (see --json)" in result.stdout
    failed = [line for line in result.stderr.splitlines() if "BAD-" in line]
    assert len(failed) == 20
    assert "... and 2 more failed (see --json)" in result.stderr
    data = json.loads(cli("import", "--json").stdout)  # --json lists them all
    assert len(data["products"]) == 45


def test_json_still_says_failures_and_warnings_on_stderr(
    db: Database, sandbox: SandboxStore, cli: Any
) -> None:
    sandbox.create_product({"name": "Bad weight", "sku": "BAD-1", "weight": "heavy"})
    sandbox.create_product({"name": "No SKU", "sku": ""})
    result = cli("import", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["failedCount"] == 1
    assert "BAD-1: " in result.stderr and "heavy" in result.stderr
    assert "without a SKU skipped" in result.stderr and "--link-without-sku" in result.stderr
