"""Import 10,000 products from the sandbox store over loopback with 50 ms latency per request.

The sandbox runs in its own process (so its CPU does not count as the client's); each import runs in a
fresh process with a fresh database, so peak memory is the import's own. Prints, per run: list
requests, wall time, client CPU time, peak memory (RSS); first with the default concurrency (4 pages
in flight while the pages already received are written), then fetching the pages one after another
(concurrency 1), and then an incremental run after 100 products changed in the store; last, the
listing alone (the same pages with 4 in flight, nothing written): the wall time an import cannot go
below, set by the store's answers and the latency.

Targets: at most 101 list requests for 10,000 products; wall time at most a third of the sequential
run's. Usage: ``python benchmarks/import_bench.py [products] [latency_ms]``.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_common import worker_figures

CHANGED = 100  # products changed in the store before the incremental run


def _serve(products: int, latency_ms: float, ready: Any, stop: Any) -> None:
    from datetime import UTC, datetime, timedelta

    from woosync.sandbox import Faults, SandboxStore

    # a catalog edited over the past hours: 100 products a minute, the newest an hour ago
    offset = [timedelta(0)]
    sandbox = SandboxStore(seed=0, clock=lambda: datetime.now(UTC) - offset[0])
    chunks = max(products // 100, 1)
    for chunk in range(chunks):
        offset[0] = timedelta(hours=1, minutes=chunks - chunk)
        sandbox.seed_products(min(100, products - chunk * 100), prefix="BENCH-")
    offset[0] = timedelta(0)
    key, secret = sandbox.create_key("read_write")
    sandbox.faults = Faults(latency_ms=latency_ms)
    with sandbox.serve() as url:
        ready.put((url, key, secret))
        stop.wait()


def _worker(url: str, key: str, secret: str, concurrency: int, incremental: bool) -> None:
    """One import in this process; prints its figures as JSON on stdout."""
    import os
    import resource

    home = tempfile.mkdtemp(prefix="woosync-bench-")
    os.environ["WOOSYNC_HOME"] = home
    from woosync.services.importer import import_products
    from woosync.store.engine import open_store
    from woosync.store.models import Connection
    from woosync.woo import WooClient

    store = open_store(Path(home) / "woosync.db")
    with store.session() as session:
        session.add(Connection(store_name="Bench", store_url=url, is_default=True))
    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures: dict[str, Any] = {}
    # with ``incremental``: a first run without a bookmark (reads everything), then CHANGED products
    # change in the store, then an incremental run (what a cron job every 15 minutes does)
    for second in [False, True] if incremental else [False]:
        if second:
            with WooClient(url, key, secret, timeout=60) as writer:
                first = writer.get_page("/products", {"orderby": "id", "order": "asc"}, 1)[0]
                changes = [{"id": p["id"], "regular_price": "1.99"} for p in first[:CHANGED]]
                writer.batch("/products/batch", update=changes)
        with WooClient(url, key, secret, timeout=60) as client:
            wall, cpu = time.perf_counter(), time.process_time()
            result = import_products(
                store,
                client=client,
                concurrency=concurrency,
                incremental=incremental,
                update_existing=second,
            )
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            requests = client.stats.requests
        figures["incremental" if second else "full"] = {
            "list_requests": requests,
            "wall_s": round(wall, 2),
            "cpu_s": round(cpu, 2),
            "imported": result["importedCount"],
            "updated": result["updatedCount"],
            "unchanged": result["unchangedCount"],
            "skipped": result["skippedCount"],
            "failed": result["failedCount"],
        }
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    figures["baseline_rss_mb"] = round(baseline_kb / 1024, 1)
    print(json.dumps(figures))


def _fetch_worker(url: str, key: str, secret: str, concurrency: int) -> None:
    """Only the listing an import does (same pages, same fields, same concurrency), nothing written:
    the wall time an import cannot go below, set by the store and the latency."""
    from woosync.services.import_fetch import list_params, pages, wanted_fields
    from woosync.services.import_fields import ImportRules
    from woosync.services.import_fingerprints import Fingerprinter
    from woosync.services.import_run import ImportRun
    from woosync.woo import WooClient

    rules, fingerprinter = ImportRules.default(), Fingerprinter()
    with WooClient(url, key, secret, timeout=60) as client:
        run = ImportRun(
            connection_id=0,
            rules=rules,
            update_existing=False,
            dry_run=True,
            client=client,
            fingerprinter=fingerprinter,
        )
        params = list_params(None, wanted_fields(rules, fingerprinter))
        wall, cpu = time.perf_counter(), time.process_time()
        received = sum(
            len(items) for items, _ready in pages(client, params, None, concurrency, run)
        )
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(json.dumps({"received": received, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2)}))


def _run(url: str, key: str, secret: str, concurrency: int, incremental: bool) -> dict[str, Any]:
    flags = [str(concurrency), str(int(incremental))]
    return worker_figures([sys.executable, __file__, "--worker", url, key, secret, *flags])


def main() -> None:
    products = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    latency_ms = float(sys.argv[2]) if len(sys.argv) > 2 else 50.0
    context = mp.get_context("spawn")
    ready, stop = context.Queue(), context.Event()
    server = context.Process(target=_serve, args=(products, latency_ms, ready, stop), daemon=True)
    server.start()
    try:
        url, key, secret = ready.get(timeout=300)
        print(f"sandbox: {products} products at {url}, {latency_ms:g} ms latency per request")
        concurrent = _run(url, key, secret, 4, incremental=True)
        sequential = _run(url, key, secret, 1, incremental=False)
        fetching = worker_figures([sys.executable, __file__, "--fetch", url, key, secret, "4"])
    finally:
        stop.set()
        server.join(10)
    rows = [
        ("import, concurrency 4", concurrent["full"], concurrent["peak_rss_mb"]),
        ("import, sequential pages", sequential["full"], sequential["peak_rss_mb"]),
        (f"incremental, {CHANGED} changed", concurrent["incremental"], None),
    ]
    print(f"{'run':28} {'list req':>8} {'wall s':>7} {'CPU s':>6} {'peak MB':>8}  result")
    for name, run, rss in rows:
        outcome = (
            f"{run['imported']} imported, {run['updated']} updated, {run['unchanged']} unchanged, "
            f"{run['failed']} failed"
        )
        peak = f"{rss:8.1f}" if rss is not None else f"{'':>8}"
        print(
            f"{name:28} {run['list_requests']:8d} {run['wall_s']:7.2f} {run['cpu_s']:6.2f} {peak}"
            f"  {outcome}"
        )
    full, seq = concurrent["full"], sequential["full"]
    per_product_ms = full["cpu_s"] / max(products, 1) * 1000
    print(
        f"{'listing only, concurrency 4':28} {'':8} {fetching['wall_s']:7.2f} {fetching['cpu_s']:6.2f}"
        f" {'':8}  {fetching['received']} received, nothing written (the floor for the wall time)"
    )
    print(
        f"interpreter baseline {concurrent['baseline_rss_mb']} MB; client CPU {per_product_ms:.2f} ms "
        f"per product; wall {full['wall_s'] / seq['wall_s']:.2f} of sequential "
        f"(target <= 0.33; listing alone {fetching['wall_s'] / seq['wall_s']:.2f}); "
        f"list requests {full['list_requests']} (target <= {products // 100 + 1})"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        _worker(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6] == "1")
    elif len(sys.argv) > 1 and sys.argv[1] == "--fetch":
        _fetch_worker(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        main()
