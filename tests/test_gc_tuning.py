"""core.gc_tuning: the collector runs less often inside the block, its thresholds come back after,
and imports and exports run inside it; and rarely while the ``woosync`` script starts."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from import_helpers import import_products_json
from test_export_support import export_json
from woosync.core.gc_tuning import (
    START_UP_THRESHOLD,
    YOUNG_THRESHOLD,
    end_start_up,
    fewer_gc_passes,
    quiet_start_up,
)
from woosync.db.engine import open_database
from woosync.db.models import Connection
from woosync.sandbox import SandboxStore
from woosync.woo import WooClient

DEFAULT = (700, 10, 10)


@pytest.fixture
def default_thresholds() -> Iterator[None]:
    """CPython's default thresholds during the test (whatever they were, they come back)."""
    previous = gc.get_threshold()
    gc.set_threshold(*DEFAULT)
    yield
    gc.set_threshold(*previous)


@pytest.mark.usefixtures("default_thresholds")
def test_the_thresholds_are_raised_inside_and_restored_after() -> None:
    with fewer_gc_passes(young=12_345):
        assert gc.get_threshold() == (12_345, 10, 10)
        with fewer_gc_passes(young=500):  # never more often than it already runs
            assert gc.get_threshold() == (12_345, 10, 10)
        assert gc.get_threshold() == (12_345, 10, 10)
    assert gc.get_threshold() == DEFAULT
    with pytest.raises(RuntimeError), fewer_gc_passes():
        assert gc.get_threshold() == (YOUNG_THRESHOLD, 10, 10)
        raise RuntimeError("the run failed")
    assert gc.get_threshold() == DEFAULT


@pytest.mark.usefixtures("default_thresholds")
def test_imports_and_exports_run_with_fewer_passes(db_path: Path) -> None:
    sandbox = SandboxStore(seed=0)
    sandbox.seed_products(3, prefix="GC-")
    key, secret = sandbox.create_key("read_write")
    db = open_database(db_path)
    with db.session() as session:
        session.add(Connection(store_name="Sandbox", store_url="http://sandbox.test"))
    seen: list[tuple[int, int, int]] = []

    def progress(_count: int) -> None:
        seen.append(gc.get_threshold())

    transport = httpx.WSGITransport(app=sandbox.wsgi_app)
    with WooClient("http://sandbox.test", key, secret, transport=transport) as client:
        imported = import_products_json(db, 1, progress=progress, client=client)
        assert imported["importedCount"] == 3 and seen
        assert set(seen) == {(YOUNG_THRESHOLD, 10, 10)}
        assert gc.get_threshold() == DEFAULT
        seen.clear()
        exported = export_json(
            db,
            1,
            all_products=True,
            fields=["name", "sku", "price"],
            progress=progress,
            client=client,
        )
        assert exported["success"] and seen
        assert set(seen) == {(YOUNG_THRESHOLD, 10, 10)}
        assert gc.get_threshold() == DEFAULT
    db.dispose()


@pytest.mark.usefixtures("default_thresholds")
def test_start_up_runs_the_collector_rarely_until_the_database_opens_or_a_bulk_run_starts(
    cli: Any,
) -> None:
    quiet_start_up()
    assert gc.get_threshold() == (START_UP_THRESHOLD, 10, 10)
    quiet_start_up()  # once: what comes back is what was there before the first
    assert cli("products", "list").exit_code == 0  # it opens the database
    assert gc.get_threshold() == DEFAULT
    end_start_up()  # over already: nothing changes
    assert gc.get_threshold() == DEFAULT
    quiet_start_up()
    with fewer_gc_passes():  # a bulk run gets its own threshold, not start-up's
        assert gc.get_threshold() == (YOUNG_THRESHOLD, 10, 10)
    assert gc.get_threshold() == DEFAULT


def test_the_woosync_script_starts_quietly(tmp_path: Path) -> None:
    """Through the script's own entry point: start-up's threshold while the command imports and
    reads connections, CPython's default once a command opened the database, and what start-up
    allocated frozen then (no later pass scans it again), never before."""
    code = (
        "import atexit, gc, sys; from woosync.cli import launch; before = gc.get_threshold()[0]; "
        "atexit.register(lambda: print(before, gc.get_threshold()[0], gc.get_freeze_count(), "
        "file=sys.stderr)); sys.argv = ['woosync', *sys.argv[1:]]; launch.main()"
    )
    env = {**os.environ, "WOOSYNC_HOME": str(tmp_path / "home")}
    env.pop("WOOSYNC_DB", None)
    seen = {}
    frozen = {}
    for command in (("--version",), ("products", "list")):
        done = subprocess.run(
            [sys.executable, "-c", code, *command], capture_output=True, text=True, env=env
        )
        assert done.returncode == 0, done.stderr
        before, after, count = done.stderr.strip().splitlines()[-1].split()
        seen[command[0]] = int(after)
        frozen[command[0]] = int(count)
    assert seen == {"--version": START_UP_THRESHOLD, "products": int(before)}
    assert frozen["--version"] == 0
    assert frozen["products"] > 50_000  # SQLAlchemy, SQLModel, the tables: out of every pass


@pytest.mark.usefixtures("default_thresholds")
def test_only_the_script_freezes_what_start_up_allocated(cli: Any) -> None:
    """A library's caller (here the tests' own process) keeps its heap in the collector's sight."""
    frozen = gc.get_freeze_count()
    quiet_start_up()
    assert cli("products", "list").exit_code == 0  # start-up ends: the database opened
    assert gc.get_threshold() == DEFAULT
    assert gc.get_freeze_count() == frozen
