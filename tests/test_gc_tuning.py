"""core.gc_tuning: the collector runs less often inside the block, its thresholds come back after,
and imports and exports run inside it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from import_helpers import import_products_json
from test_export_support import export_json
from woosync.core.gc_tuning import YOUNG_THRESHOLD, fewer_gc_passes
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
