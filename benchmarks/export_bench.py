"""Export 10,000 products to the sandbox store over loopback with 50 ms latency per request.

The sandbox runs in its own process (its CPU is not the client's); every scenario runs in a fresh
client process on the same database, so peak memory is that scenario's own. Prints, per scenario:
HTTP requests (and how many were writes), wall time, client CPU time (and per product), peak memory
(RSS of the client process), and what the store saw (items written, images downloaded):

  (a) first export of N products (fields: name, sku, price, description, images, categories, COLOR)
  (b) the same export again at once with --partial (nothing changed)
  (c) a price change on N/10 of them, exported with --partial
  (d) a naive client: one POST /products per product, one after another, measured on a subset
      (300 by default) and extrapolated to N (said so in the output)

Targets (issue 5): (a) at most 2 requests per 100 products and at least 50 times faster than (d);
(b) zero write requests; (c) at most 1 write request per 100 changed products; client CPU under
0.3 ms per product; peak memory under 200 MB.
Usage: ``python benchmarks/export_bench.py [products] [latency_ms] [naive_subset]``.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_common import worker_figures

FIELDS = ["name", "sku", "price", "description", "images", "categories", "COLOR"]


def _serve(latency_ms: float, ready: Any, commands: Any, answers: Any) -> None:
    """The sandbox process: serve until told to stop; answer "stats" with the counters (then reset)."""
    from woosync.sandbox import Faults, SandboxStore

    sandbox = SandboxStore(seed=0)
    key, secret = sandbox.create_key("read_write")
    sandbox.faults = Faults(latency_ms=latency_ms)
    with sandbox.serve() as url:
        ready.put((url, key, secret))
        while True:
            command = commands.get()
            if command == "stats":
                answers.put(sandbox.stats.snapshot())
                sandbox.stats.reset()
            else:
                break


def _catalog(db: Path, products: int) -> None:
    from sqlalchemy import insert

    from woosync.core.timeutil import utcnow
    from woosync.store.engine import open_store
    from woosync.store.models import Product

    store = open_store(db)
    now = utcnow()
    rows = [
        {
            "sku": f"BENCH-{n:05d}",
            "name": f"Benchmark tee {n} & co",
            "price": f"{10 + n % 90}.{n % 100:02d}",
            "description": f"A cotton tee, number {n}. " * 8,
            "images": [f"https://img.example/bench/{n}.jpg"],
            "categories": [f"Category {n % 5}"],
            "tags": [],
            "attributes": {"COLOR": ["Red", "Blue"] if n % 2 else ["Green"]},
            "custom_fields": {},
            "created_at": now,
            "updated_at": now,
        }
        for n in range(1, products + 1)
    ]
    with store.session() as session:
        session.execute(insert(Product.__table__), rows)  # type: ignore[attr-defined]
    store.dispose()


def _worker(db: str, url: str, key: str, secret: str, scenario: str, count: int) -> None:
    """One scenario in this process; prints its figures as JSON on stdout."""
    import resource

    from woosync.services.export import export_products
    from woosync.store.engine import open_store
    from woosync.store.models import Connection, Product
    from woosync.woo import WooClient

    store = open_store(Path(db))
    with store.session() as session:
        conn = session.get(Connection, 1)
        if conn is None:
            session.add(Connection(id=1, store_name="Bench", store_url=url, is_default=True))
    if scenario == "change":
        from sqlalchemy import update

        with store.session() as session:
            table: Any = Product.__table__  # type: ignore[attr-defined]
            session.execute(
                update(table).where(table.c.id <= count).values(price=table.c.price + "1")
            )
    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with WooClient(url, key, secret, timeout=120) as client:
        wall, cpu = time.perf_counter(), time.process_time()
        if scenario == "naive":
            with store.session() as session:
                rows = session.execute(
                    Product.__table__.select().order_by(Product.id).limit(count)  # type: ignore[attr-defined]
                ).all()
            for row in rows:  # what a naive client does: one request per product, in turn
                client.post(
                    "/products",
                    {
                        "name": row.name,
                        "sku": "NAIVE-" + row.sku,
                        "regular_price": row.price,
                        "description": row.description,
                    },
                )
            products = len(rows)
            synced = products
        else:
            result = export_products(
                store,
                1,
                all_products=True,
                fields=FIELDS,
                partial=scenario != "first",
                client=client,
            )
            products = len(result["results"])
            synced = result["syncedCount"]
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        stats = client.stats.as_dict()
    print(
        json.dumps(
            {
                "products": products,
                "synced": synced,
                "requests": stats["requests"],
                "writes": stats["byMethod"].get("POST", 0) + stats["byMethod"].get("PUT", 0),
                "wall_s": wall,
                "cpu_s": cpu,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "baseline_rss_mb": baseline_kb / 1024,
            }
        )
    )


def _run(db: Path, url: str, key: str, secret: str, scenario: str, count: int) -> dict[str, Any]:
    """One scenario in a fresh client process (bench_common.worker_figures)."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import export_bench as b; "
        "b._worker(*sys.argv[2:7], int(sys.argv[7]))"
    )
    here = str(Path(__file__).resolve().parent)
    return worker_figures(
        [sys.executable, "-c", code, here, str(db), url, key, secret, scenario, str(count)]
    )


def main() -> None:
    products = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    latency = float(sys.argv[2]) if len(sys.argv) > 2 else 50.0
    naive_subset = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    home = Path(tempfile.mkdtemp(prefix="woosync-export-bench-"))
    os.environ["WOOSYNC_HOME"] = str(home)
    db = home / "woosync.db"
    _catalog(db, products)

    ctx = mp.get_context("spawn")
    ready, commands, answers = ctx.Queue(), ctx.Queue(), ctx.Queue()
    server = ctx.Process(target=_serve, args=(latency, ready, commands, answers), daemon=True)
    server.start()
    url, key, secret = ready.get(timeout=60)
    print(f"sandbox at {url}, {latency:g} ms latency per request; {products} products\n")
    changed = max(1, products // 10)
    scenarios = [
        ("(a) first export", "first", products),
        ("(b) re-export --partial, nothing changed", "partial", products),
        (f"(c) price change on {changed}, --partial", "change", changed),
        (f"(d) naive, 1 request/product ({naive_subset} measured)", "naive", naive_subset),
    ]
    rows = []
    try:
        for label, scenario, count in scenarios:
            figures = _run(db, url, key, secret, scenario, count)
            commands.put("stats")
            figures["store"] = answers.get(timeout=60)
            rows.append((label, scenario, count, figures))
    finally:
        commands.put("stop")
        server.join(timeout=10)

    header = (
        f"{'scenario':46} {'requests':>8} {'writes':>6} {'wall s':>8} {'CPU s':>7} "
        f"{'CPU ms/prod':>11} {'peak MB':>8} {'items written':>13} {'image dl':>8}"
    )
    print(header)
    print("-" * len(header))
    for label, _scenario, _count, f in rows:
        per_product = 1000 * f["cpu_s"] / max(1, f["products"])
        print(
            f"{label:46} {f['requests']:>8} {f['writes']:>6} {f['wall_s']:>8.2f} {f['cpu_s']:>7.2f} "
            f"{per_product:>11.3f} {f['peak_rss_mb']:>8.1f} {f['store']['items_written']:>13} "
            f"{f['store']['image_downloads']:>8}"
        )
    first = rows[0][3]
    naive = rows[3][3]
    naive_total = naive["wall_s"] * products / max(1, naive["products"])
    print()
    print(
        f"(d) extrapolated to {products} products: {naive_total:.1f} s wall, "
        f"{products} requests (measured {naive['products']} products in {naive['wall_s']:.2f} s)"
    )
    print(f"(a) is {naive_total / first['wall_s']:.0f}x faster than (d) (target: at least 50x)")
    print(
        f"(a) {100 * first['requests'] / products:.2f} requests per 100 products (target <= 2); "
        f"(b) {rows[1][3]['writes']} write requests (target 0); "
        f"(c) {100 * rows[2][3]['writes'] / changed:.2f} write requests per 100 changed (target <= 1)"
    )
    worst_cpu = max(1000 * r[3]["cpu_s"] / max(1, r[3]["products"]) for r in rows[:3])
    worst_rss = max(r[3]["peak_rss_mb"] for r in rows)
    print(
        f"client CPU at most {worst_cpu:.3f} ms per product (target < 0.3); "
        f"peak memory at most {worst_rss:.0f} MB (target < 200)"
    )


if __name__ == "__main__":
    main()
