"""One retry policy for every call: reads, term creates, connection tests and dry runs get through a
faulty store like product batches do, and nothing is created twice.

The sandbox runs on a loopback port (stalls and dropped connections need a real socket) with the
fault mix of issue 11 — 10% 5xx, 5% 429, 2% stalls, 1% drops — or 50% 500s for the short checks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from test_export_support import add_products, export_json, tee
from woosync.db.engine import Database
from woosync.db.models import Connection
from woosync.sandbox import Faults, SandboxStore
from woosync.woo import WooClient

TIMEOUT = 0.4


# woosync's clock stands still and a pause after a failed batch returns at once (conftest's clock)
pytestmark = pytest.mark.usefixtures("clock")


def issue_faults() -> Faults:
    return Faults(
        error_rates={500: 0.04, 502: 0.03, 503: 0.03},
        rate_429=0.05,
        retry_after=0,
        stall_rate=0.02,
        stall_seconds=TIMEOUT + 0.3,
        drop_rate=0.01,
    )


def terms(sandbox: SandboxStore, path: str) -> list[dict[str, Any]]:
    key, secret = sandbox.create_key("read")
    transport = httpx.WSGITransport(app=sandbox.wsgi_app)
    with WooClient("http://store.test", key, secret, transport=transport) as client:
        return client.list_all(path, {"hide_empty": "false"})


def test_an_export_under_every_fault_completes_in_one_run_without_duplicates(
    db: Database,
) -> None:
    sandbox = SandboxStore(seed=5)
    key, secret = sandbox.create_key("read_write")
    catalog = [
        tee(
            f"F-{n:03d}",
            price=f"{10 + n}.00",
            categories=[f"Cat {n % 6}"],
            tags=[f"tag-{n % 9}", f"tag-{(n * 5) % 9}"],
        )
        for n in range(80)
    ]
    add_products(db, catalog)
    with sandbox.serve() as url:
        with db.session() as session:
            session.add(Connection(id=1, store_name="Faulty", store_url=url))
        sandbox.faults = issue_faults()
        with WooClient(url, key, secret, timeout=TIMEOUT) as client:  # pauses: the clock fixture
            result = export_json(
                db,
                1,
                all_products=True,
                fields=["name", "sku", "price", "categories", "tags"],
                client=client,
            )
            retries = client.stats.retries
        sandbox.faults = Faults()
        seen = sandbox.stats.snapshot()["faults"]

    assert result["failedCount"] == 0, [r.get("message") for r in result["results"]][:5]
    assert result["syncedCount"] == 80
    assert retries > 0 and sum(seen.values()) > 0  # the faults happened, and were ridden out
    skus = Counter(sandbox.products[i]["sku"] for i in sandbox.products)
    assert len(skus) == 80 and max(skus.values()) == 1
    for path, expected in (("/products/categories", 6), ("/products/tags", 9)):
        names = Counter(term["name"] for term in terms(sandbox, path))
        assert len(names) >= expected and max(names.values()) == 1, (path, names)


@pytest.fixture
def flaky_store() -> Iterator[tuple[str, dict[str, str]]]:
    """Half of all requests answered with an HTML 500 page (the seed fixes which)."""
    sandbox = SandboxStore(seed=2)
    key, secret = sandbox.create_key("read_write")
    with sandbox.serve() as url:
        sandbox.faults = Faults(error_rates={500: 0.5})
        yield url, {"WOOSYNC_CONSUMER_KEY": key, "WOOSYNC_CONSUMER_SECRET": secret}


def test_connection_tests_retry_like_every_other_call(cli, flaky_store) -> None:
    url, env = flaky_store
    for _ in range(3):
        result = cli("connections", "test", "--url", url, env=env)
        assert result.exit_code == 0, result.stderr
    assert cli("connections", "add", "--name", "Flaky", "--url", url, env=env).exit_code == 0
    saved = cli("connections", "test")
    assert saved.exit_code == 0, saved.stderr


def test_a_dry_run_retries_its_reads(cli, flaky_store, tmp_path: Path) -> None:
    url, env = flaky_store
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        "products:\n"
        + "".join(f"  - {{sku: D-{n}, name: Dry {n}, categories: [Dry]}}\n" for n in range(5))
    )
    assert cli("connections", "add", "--name", "Flaky", "--url", url, env=env).exit_code == 0
    assert cli("products", "load", str(catalog)).exit_code == 0
    for _ in range(2):
        result = cli("export", "--all", "--dry-run", "--fields", "name,sku,categories")
        assert result.exit_code == 0, result.stderr
        assert "HTML page" not in result.stderr
    imported = cli("import", "--dry-run")
    assert imported.exit_code == 0, imported.stderr
