"""Export to a sandbox store that fails on purpose, and count what it took.

Faults (issue 11): 10% of requests answered 5xx (4% 500, 3% 502, 3% 503, as HTML pages), 5% 429
with ``Retry-After: 1``, 2% stalls (the request is applied, the answer never comes: held past the
client's timeout), 1% dropped connections; every request, reads and term creates included. The
catalog has 24 categories and 40 tags, so term creation meets the faults too.

Prints, as one JSON object: products, the runs needed until every product is synced (at most 5),
products failed after the first run, duplicate SKUs and duplicate category/tag names in the store,
HTTP requests and retries (client side), requests the store saw, and the wall time.

Usage: ``python benchmarks/fault_run.py [products] [seed] [timeout_s]`` (default 2,000, 11, 2).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

FIELDS = ["name", "sku", "price", "categories", "tags"]
MAX_RUNS = 5


def faults(timeout: float) -> Any:
    from woosync.sandbox import Faults

    return Faults(
        error_rates={500: 0.04, 502: 0.03, 503: 0.03},
        rate_429=0.05,
        retry_after=1,
        stall_rate=0.02,
        stall_seconds=timeout + 1.0,
        drop_rate=0.01,
    )


def add_catalog(store: Any, products: int) -> None:
    from sqlalchemy import insert

    from woosync.core.timeutil import utcnow
    from woosync.db.models import Product

    now = utcnow()
    rows = [
        {
            "sku": f"FAULT-{n:05d}",
            "name": f"Fault tee {n}",
            "price": f"{10 + n % 90}.{n % 100:02d}",
            "description": "",
            "images": [],
            "categories": [f"Category {n % 24}"],
            "tags": [f"tag-{n % 40}", f"tag-{(n * 7) % 40}"],
            "attributes": {},
            "custom_fields": {},
            "created_at": now,
            "updated_at": now,
        }
        for n in range(1, products + 1)
    ]
    with store.session() as session:
        session.execute(insert(Product.__table__), rows)  # type: ignore[attr-defined]


def duplicates(sandbox: Any) -> dict[str, int]:
    """How many SKUs, category names and tag names the store holds more than once."""
    skus = Counter(sandbox.products[i]["sku"] for i in sandbox.products)
    found = {"skus": sum(1 for count in skus.values() if count > 1)}
    for kind, path in (("categories", "/products/categories"), ("tags", "/products/tags")):
        names = Counter(term["name"] for term in _terms(sandbox, path))
        found[kind] = sum(1 for count in names.values() if count > 1)
    return found


def _terms(sandbox: Any, path: str) -> list[dict[str, Any]]:
    import httpx

    key, secret = sandbox.create_key("read")
    transport = httpx.WSGITransport(app=sandbox.wsgi_app)
    from woosync.woo import WooClient

    saved = sandbox.faults
    sandbox.faults = type(saved)()  # counting is not part of the run
    try:
        with WooClient("http://store.test", key, secret, transport=transport) as client:
            return client.list_all(path, {"hide_empty": "false"})
    finally:
        sandbox.faults = saved


def fault_run(
    products: int, *, seed: int, timeout: float, home: Path, backoff_base: float = 0.5
) -> dict[str, Any]:
    """Export ``products`` to a faulty sandbox on loopback until all are synced; the figures."""
    from woosync.db.engine import open_database
    from woosync.db.models import Connection
    from woosync.sandbox import SandboxStore
    from woosync.services.export.request import ExportRequest
    from woosync.services.export.run import export_products
    from woosync.woo import WooClient

    sandbox = SandboxStore(seed=seed)
    key, secret = sandbox.create_key("read_write")
    db = open_database(home / "woosync.db")
    add_catalog(db, products)
    runs: list[dict[str, Any]] = []
    messages: Counter[str] = Counter()
    requests = retries = 0
    started = time.perf_counter()
    with sandbox.serve() as url:
        with db.session() as session:
            session.add(Connection(id=1, store_name="Faulty", store_url=url, is_default=True))
        sandbox.faults = faults(timeout)
        for _ in range(MAX_RUNS):
            with WooClient(url, key, secret, timeout=timeout, backoff_base=backoff_base) as client:
                try:
                    request = ExportRequest(1, all_products=True, fields=FIELDS)
                    result = export_products(db, request, client=client)
                except Exception as exc:  # the whole run aborted (a read that failed, ...)
                    runs.append({"synced": 0, "failed": products, "aborted": str(exc)[:160]})
                    continue
                finally:
                    requests += client.stats.requests
                    retries += client.stats.retries
            runs.append({"synced": result.synced_count, "failed": result.failed_count})
            if not messages:  # why the first run's products failed, if any did
                messages.update(str(r.message)[:120] for r in result.results if r.message)
            if result.failed_count == 0:
                break
        sandbox.faults = type(sandbox.faults)()
        seen = sandbox.stats.snapshot()
    db.dispose()
    wall = time.perf_counter() - started
    return {
        "products": products,
        "seed": seed,
        "runsNeeded": len(runs) if runs[-1]["failed"] == 0 else None,
        "failedAfterFirstRun": runs[0]["failed"],
        "runs": runs,
        "firstRunFailures": dict(messages.most_common(5)),
        "duplicates": duplicates(sandbox),
        "clientRequests": requests,
        "clientRetries": retries,
        "storeRequests": seen["requests"],
        "storeFaults": seen["faults"],
        "wallSeconds": round(wall, 1),
    }


def main() -> None:
    products = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 11
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 2.0
    home = Path(tempfile.mkdtemp(prefix="woosync-fault-run-"))
    os.environ["WOOSYNC_HOME"] = str(home)
    print(json.dumps(fault_run(products, seed=seed, timeout=timeout, home=home), indent=2))


if __name__ == "__main__":
    main()
