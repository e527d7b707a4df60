"""woosync measured the way shop owners run it: the ``woosync`` command, against a hand-written client.

Every scenario runs ``woosync`` as a child process (start-up, database, secrets from the environment
with ``WOOSYNC_SECRETS=env``, rendering: all included) against the sandbox store served from its own
process on a loopback port (its CPU is never the client's). For each child: wall time, CPU time
(user + system) and peak memory (``ru_maxrss``), all from ``os.wait4`` for that child alone, and the
requests the store saw. Scenarios (``--scenarios``, comma separated, default ``all``):

  startup   ``woosync --json connections list`` (the fixed cost of a command that reads no more than
            the connections: plain sqlite3; one that opens the database with SQLAlchemy costs more)
  load      ``woosync products load catalog.csv``: N new products (CSV; ``--load-format json``)
  reload    the same file again: nothing changes
  export    first export of the N products: ``export --all --fields F --quiet`` (an empty store)
  partial   ``export --all --partial --quiet`` at once: nothing changed
  change    a price change on N/10 products (loaded from a file, not measured), then ``--partial``
  status    ``woosync --json sync-status > /dev/null``
  import    ``woosync import --quiet`` into an empty database, from the store the export filled
  list      the hand-written listing of that store (pages of 100, 4 in flight, nothing written):
            the floor of an import's wall time
  hand      the hand-written batch client (``handwritten_client.py export``: batch 100, 4 in flight,
            the same payload, OAuth-signed, its own start-up included) into a second, empty store
  naive     one ``POST /products`` per product, one after another, on ``--naive-subset`` products,
            extrapolated to N (said so in the table)

The woosync measured is byte-compiled first (``bench_common.compile_woosync``), as installing it
does. Scenarios a selected one needs (load, export) run unmeasured when not selected. Each woosync
command gets ``WOOSYNC_TIMEOUT=120`` so that a machine shared with other work never turns a slow
answer into a retry (with the store cost below, a batch takes about 2.5 s; the default is 30 s).

Fixtures are realistic: a description of ~260 characters of HTML, 1–3 images, 1–2 of 21 categories,
COLOR (1–3 values) and Size attributes. Exported fields: name, sku, price, description, images,
categories, COLOR, Size. ``--per-item-ms`` makes the store spend that much per product written (each
item of a batch, each single create or update: ``Faults.per_item_ms``), as a real store does (a
WooCommerce 11 store spends about 16–33 ms of server time per product in a batch create; 25 is a
fair middle); ``--latency-ms`` is added to every request.

Targets of issue 12, printed PASS/MISS beside the figures (informational: the script's exit code
does not depend on them; a scenario whose command failed, or whose check of the store's counts
did not hold, is printed FAILED and no target is judged on it): peak RSS
under 200 MB; first export wall <= 1.15x and CPU <= 2x the hand-written client's; an unchanged
``--partial`` <= 0.05 ms CPU per product (also shown above the start-up's CPU); <= 1.01 product
requests per 100 products for the first export (the category creates, which the hand-written client
makes too, counted apart); an unchanged re-load no slower than the first load (CPU within 5%: wall
time is too noisy on a shared machine).

Usage::

  python benchmarks/cli_bench.py --n 10000,100000 [--latency-ms 0,50] [--per-item-ms 0,25]
      [--scenarios all|export,hand,...] [--naive-subset 300] [--json-out figures.jsonl]
      [--fixture-dir DIR]
  python benchmarks/cli_bench.py --markdown figures.jsonl   # README tables, runs nothing

Each row also shows the machine's 1-minute load average when its command ended, and the first
export's and the import's wall and CPU as multiples of the hand-written client's (the batch client
and the listing). The catalog files are written once per N into ``--fixture-dir`` (default
``$TMPDIR/woosync-bench-fixtures``) and reused by later runs (500,000 products: about 150 MB).

``--n``, ``--latency-ms`` and ``--per-item-ms`` take comma-separated lists; one table per
combination (wall and CPU ms per product, peak MB), then, with several tables, one line per scenario
across them all, so a reader sees whether time per product and memory stay flat as N grows.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench_common import (
    Measured,
    SandboxProcess,
    compile_woosync,
    measure,
    woosync_command,
    woosync_env,
)

HERE = Path(__file__).resolve().parent
FIELDS = "name,sku,price,description,images,categories,COLOR,Size"
SCENARIOS = [
    "startup",
    "load",
    "reload",
    "export",
    "partial",
    "change",
    "status",
    "import",
    "list",
    "hand",
    "naive",
]
NEEDS_LOAD = {"reload", "export", "partial", "change", "status", "import", "list"}
NEEDS_EXPORT = {"partial", "change", "status", "import", "list"}
COLORS = ["Red", "Blue", "Green", "Black", "White", "Navy", "Grey", "Yellow"]
SIZES = ["XS", "S", "M", "L", "XL"]
RSS_TARGET_MB = 200.0


# fixtures ----------------------------------------------------------------------------------------
def product_row(n: int) -> dict[str, str]:
    """Product ``n`` of the catalog: the same for every run and every N."""
    images = [f"https://img.example/bench/{n}-{k}.jpg" for k in range(1 + n % 3)]
    categories = [f"Category {n % 20}"] + (["Sale"] if n % 7 == 0 else [])
    colors = [COLORS[(n + k) % len(COLORS)] for k in range(1 + n % 3)]
    return {
        "sku": f"BENCH-{n:06d}",
        "name": f"Organic cotton tee {n} & co",
        "price": f"{10 + n % 90}.{n % 100:02d}",
        "description": (
            f"<p>A soft organic cotton tee, number {n}, cut for everyday wear.</p>"
            "<ul><li>Relaxed fit, double-stitched seams</li><li>Machine washable at 30 °C</li>"
            "<li>Printed with water-based inks</li></ul>"
            "<p>Made in a certified workshop; ships within two working days.</p>"
        ),
        "images": "|".join(images),
        "categories": "|".join(categories),
        "attribute:COLOR": "|".join(colors),
        "attribute:Size": SIZES[n % len(SIZES)],
    }


def write_catalog(path: Path, products: int) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(product_row(1)))
        writer.writeheader()
        for n in range(1, products + 1):
            writer.writerow(product_row(n))


def write_catalog_json(path: Path, products: int) -> None:
    """The same products in the JSON shape ``products show --json`` prints."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("[\n")
        for n in range(1, products + 1):
            row = product_row(n)
            product = {
                "sku": row["sku"],
                "name": row["name"],
                "price": row["price"],
                "description": row["description"],
                "images": row["images"].split("|"),
                "categories": row["categories"].split("|"),
                "attributes": {
                    "COLOR": row["attribute:COLOR"].split("|"),
                    "Size": row["attribute:Size"],
                },
            }
            handle.write(json.dumps(product) + (",\n" if n < products else "\n"))
        handle.write("]\n")


def write_price_change(path: Path, products: int) -> int:
    """A file changing the price of every tenth product; returns how many."""
    changed = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "price"])
        for n in range(10, products + 1, 10):
            writer.writerow([f"BENCH-{n:06d}", f"{11 + n % 90}.{n % 100:02d}"])
            changed += 1
    return changed


# running -----------------------------------------------------------------------------------------
@dataclass
class Row:
    key: str
    label: str
    products: int  # the denominator of "per product"
    requests: int
    writes: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    ok: bool
    note: str = ""
    extrapolated: bool = False
    term_requests: int = 0  # categories, tags, attributes and their terms
    server_cpu_s: float = 0.0
    store: dict[str, Any] = field(default_factory=dict)
    load_avg: float = 0.0  # the machine's 1-minute load average when the command ended


class Suite:
    """One N, one latency, one per-item cost: every selected scenario, in order."""

    def __init__(
        self, args: argparse.Namespace, products: int, latency_ms: float, per_item_ms: float
    ) -> None:
        self.args = args
        self.n = products
        self.latency_ms = latency_ms
        self.per_item_ms = per_item_ms
        selected = set(SCENARIOS if args.scenarios == "all" else args.scenarios.split(","))
        unknown = selected - set(SCENARIOS)
        if unknown:
            sys.exit(f"unknown scenario(s): {', '.join(sorted(unknown))}; known: {SCENARIOS}")
        self.work = Path(tempfile.mkdtemp(prefix="woosync-cli-bench-"))
        self.rows: list[Row] = []
        self.selected = selected
        self.needed = set(selected)
        if selected & NEEDS_LOAD:
            self.needed.add("load")
        if selected & NEEDS_EXPORT:
            self.needed.add("export")
        self.woosync = woosync_command()
        self.fixtures = Path(args.fixture_dir) if args.fixture_dir else self.work
        self.fixtures.mkdir(parents=True, exist_ok=True)
        self.catalog = self.fixtures / f"catalog-{products}.{args.load_format}"

    def fixture(self, path: Path, write: Callable[[Path, int], None]) -> None:
        """``path`` written once: kept in ``--fixture-dir`` for the next run (written under a
        temporary name first, so an interrupted write never leaves half a catalog behind)."""
        if path.exists():
            print(f"  reusing {path}", file=sys.stderr, flush=True)
            return
        partial = path.with_name(path.name + ".part")
        write(partial, self.n)
        partial.replace(path)

    # helpers -------------------------------------------------------------------------------------
    def env(self, home: Path, sandbox: SandboxProcess, adding: bool = False) -> dict[str, str]:
        return woosync_env(home, sandbox, adding)

    def add_connection(self, home: Path, sandbox: SandboxProcess) -> None:
        home.mkdir(parents=True, exist_ok=True)
        command = [*self.woosync, "connections", "add", "--name", "Bench", "--url", sandbox.url]
        done = measure([*command, "--default"], self.env(home, sandbox, adding=True))
        self.check(done, "connections add")

    def woo(
        self, home: Path, sandbox: SandboxProcess, args: list[str], devnull: bool = False
    ) -> tuple[Measured, dict[str, Any]]:
        """``woosync ARGS`` measured; the store's counters for exactly this command."""
        sandbox.stats()  # start counting afresh
        done = measure(
            [*self.woosync, *args],
            self.env(home, sandbox),
            stdout=Path(os.devnull) if devnull else None,
        )
        return done, sandbox.stats()

    @staticmethod
    def check(done: Measured, what: str) -> None:
        if done.returncode != 0:
            sys.exit(f"{what} failed (exit {done.returncode}):\n{done.stderr[-2000:]}")

    def step(self, key: str, label: str, run: Callable[[], Row | None]) -> None:
        if key not in self.needed:
            return
        print(f"  {label} ...", file=sys.stderr, flush=True)
        row = run()
        if row is not None and key in self.selected:
            self.rows.append(row)

    def row(
        self,
        key: str,
        label: str,
        done: Measured,
        store: dict[str, Any],
        ok: bool,
        note: str = "",
    ) -> Row:
        methods = store.get("by_method", {})
        writes = sum(methods.get(m, 0) for m in ("POST", "PUT", "PATCH", "DELETE"))
        terms = sum(
            count
            for route, count in store.get("by_route", {}).items()
            if any(part in route for part in ("/categories", "/tags", "/attributes"))
        )
        if done.returncode != 0:
            ok, note = False, f"exit {done.returncode}: {done.stderr.strip().splitlines()[-1:]}"
        if not ok:
            note = f"{note}; {keep_failure(key, done, store)}".lstrip("; ")
        return Row(
            key=key,
            label=label,
            products=self.n,
            requests=store.get("requests", 0),
            writes=writes,
            wall_s=done.wall_s,
            cpu_s=done.cpu_s,
            peak_rss_mb=done.peak_rss_mb,
            ok=ok,
            note=note,
            term_requests=terms,
            server_cpu_s=store.get("server_cpu_s", 0.0),
            store={k: store[k] for k in ("items_written", "image_downloads") if k in store},
            load_avg=os.getloadavg()[0],
        )

    def count_products(self, home: Path) -> int:
        with sqlite3.connect(home / "woosync.db") as db:
            count: int = db.execute("SELECT count(*) FROM products").fetchone()[0]
        return count

    # the run -------------------------------------------------------------------------------------
    def run(self) -> list[Row]:
        print(
            f"N={self.n}, latency {self.latency_ms:g} ms, per item {self.per_item_ms:g} ms: "
            f"fixtures in {self.fixtures}, work in {self.work}",
            file=sys.stderr,
        )
        json_catalog = self.args.load_format == "json"
        self.fixture(self.catalog, write_catalog_json if json_catalog else write_catalog)
        csv_catalog = self.fixtures / f"catalog-{self.n}.csv"
        self.fixture(csv_catalog, write_catalog)
        try:
            if self.needed - {"hand", "naive"}:
                with SandboxProcess(self.latency_ms, self.per_item_ms) as sandbox:
                    self.woosync_scenarios(sandbox)
            if self.needed & {"hand", "naive"}:
                with SandboxProcess(self.latency_ms, self.per_item_ms) as sandbox:
                    self.handwritten_scenarios(sandbox, csv_catalog)
        finally:
            if not self.args.keep:
                shutil.rmtree(self.work, ignore_errors=True)
        return self.rows

    def woosync_scenarios(self, sandbox: SandboxProcess) -> None:
        home = self.work / "home"
        self.add_connection(home, sandbox)
        n = self.n

        def startup() -> Row:
            done, store = self.woo(home, sandbox, ["--json", "connections", "list"], devnull=True)
            return self.row("startup", "start-up (connections list)", done, store, True)

        def load() -> Row:
            done, store = self.woo(home, sandbox, ["products", "load", str(self.catalog)])
            ok = f"{n} created" in done.stdout
            return self.row("load", f"products load ({self.args.load_format})", done, store, ok)

        def reload() -> Row:
            done, store = self.woo(home, sandbox, ["products", "load", str(self.catalog)])
            ok = f"{n} unchanged" in done.stdout
            return self.row("reload", "products load again, unchanged", done, store, ok)

        export = ["export", "--connection", "1", "--all", "--fields", FIELDS, "--quiet"]

        def first() -> Row:
            done, store = self.woo(home, sandbox, export)
            ok = store.get("items_created") == n
            note = "" if ok else f"store created {store.get('items_created')}"
            return self.row("export", "first export", done, store, ok, note)

        def partial() -> Row:
            done, store = self.woo(home, sandbox, [*export, "--partial"])
            ok = store.get("items_written") == 0
            return self.row("partial", "export --partial, unchanged", done, store, ok)

        def change() -> Row:
            prices = self.work / "prices.csv"
            changed = write_price_change(prices, n)
            loaded = measure(
                [*self.woosync, "products", "load", str(prices)], self.env(home, sandbox)
            )
            if loaded.returncode != 0:  # nothing to measure: the row says why, never a PASS
                return self.row("change", "export --partial, 10% prices", loaded, {}, False)
            done, store = self.woo(home, sandbox, [*export, "--partial"])
            ok = store.get("items_updated") == changed
            note = f"{changed} changed; CPU per catalog product"
            return self.row("change", "export --partial, 10% prices", done, store, ok, note)

        def status() -> Row:
            args = ["--json", "sync-status", "--connection", "1"]
            done, store = self.woo(home, sandbox, args, devnull=True)
            return self.row("status", "sync-status --json > /dev/null", done, store, True)

        def import_() -> Row:
            fresh = self.work / "home-import"
            self.add_connection(fresh, sandbox)
            done, store = self.woo(fresh, sandbox, ["import", "--connection", "1", "--quiet"])
            count = self.count_products(fresh) if done.returncode == 0 else 0
            note = "" if count == n else f"{count} products in the database"
            return self.row(
                "import", "import into an empty database", done, store, count == n, note
            )

        def listing() -> Row:
            done, store = self.handwritten(sandbox, ["list"])
            received = json.loads(done.stdout or "{}").get("accepted", 0)
            return self.row(
                "list", "hand-written listing (import floor)", done, store, received == n
            )

        self.step("startup", "start-up", startup)
        self.step("load", "products load", load)
        self.step("reload", "products load again", reload)
        self.step("export", "first export", first)
        self.step("partial", "unchanged --partial", partial)
        self.step("change", "10% price change", change)
        self.step("status", "sync-status", status)
        self.step("import", "import", import_)
        self.step("list", "hand-written listing", listing)

    def handwritten(self, sandbox: SandboxProcess, args: list[str]) -> tuple[Measured, Any]:
        env = dict(os.environ, WOO_CONSUMER_KEY=sandbox.key, WOO_CONSUMER_SECRET=sandbox.secret)
        sandbox.stats()
        command = [sys.executable, str(HERE / "handwritten_client.py"), *args, "--url", sandbox.url]
        done = measure(command, env)
        return done, sandbox.stats()

    def handwritten_scenarios(self, sandbox: SandboxProcess, catalog: Path) -> None:
        n, subset = self.n, min(self.args.naive_subset, self.n)

        def hand() -> Row:
            done, store = self.handwritten(sandbox, ["export", "--catalog", str(catalog)])
            ok = store.get("items_created") == n
            return self.row("hand", "hand-written batch client", done, store, ok)

        def naive() -> Row:
            args = ["naive", "--catalog", str(catalog), "--subset", str(subset)]
            done, store = self.handwritten(sandbox, args)
            ok = store.get("items_created") == subset
            row = self.row("naive", "naive, 1 request per product", done, store, ok)
            # start-up and categories once, the one-by-one part (timed inside) N/subset times
            work = json.loads(done.stdout or "{}")
            more = n / max(subset, 1) - 1
            row.note = f"{subset} measured, extrapolated to {n}"
            row.wall_s += more * work.get("products_wall_s", 0.0)
            row.cpu_s += more * work.get("products_cpu_s", 0.0)
            row.requests += n - subset
            row.writes += n - subset
            row.extrapolated = True
            return row

        self.step("hand", "hand-written batch client", hand)
        self.step("naive", "naive client", naive)


# reporting ---------------------------------------------------------------------------------------
def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def failed(*rows: Row) -> str:
    """Why a target cannot be judged (a command failed or its check did not hold), or ""."""
    bad = [r for r in rows if not r.ok]
    return "; ".join(f"FAILED: {r.label} ({r.note or 'its check did not hold'})" for r in bad)


def combine(runs: list[list[Row]]) -> list[Row]:
    """Rows of repeated runs as one: the median wall, CPU, store CPU and peak memory of each."""
    combined = []
    for same in zip(*runs, strict=True):
        row = Row(**{**asdict(same[0])})
        row.wall_s = statistics.median(r.wall_s for r in same)
        row.cpu_s = statistics.median(r.cpu_s for r in same)
        row.server_cpu_s = statistics.median(r.server_cpu_s for r in same)
        row.peak_rss_mb = statistics.median(r.peak_rss_mb for r in same)
        row.ok = all(r.ok for r in same)
        failed = next((r for r in same if not r.ok), None)
        if failed is not None:  # what went wrong, not the first run's note
            row.note = f"run {same.index(failed) + 1} of {len(same)}: {failed.note}"
        if len(same) > 1:
            walls = sorted(r.wall_s for r in same)
            row.note = f"wall {walls[0]:.2f}-{walls[-1]:.2f} s; {row.note}".rstrip("; ")
        combined.append(row)
    return combined


FAILURES = Path(tempfile.gettempdir()) / "woosync-bench-failures"


def keep_failure(key: str, done: Measured, store: dict[str, Any]) -> str:
    """A failed scenario's whole story in a file that outlives the work directory: exit code,
    times, the store's counters for that command, its stdout's tail and its full stderr (a
    traceback, the one-line error, the log). Returns where it is, for the row's note."""
    FAILURES.mkdir(parents=True, exist_ok=True)
    when = time.strftime("%Y%m%dT%H%M%S")
    with tempfile.NamedTemporaryFile(
        "w", dir=FAILURES, prefix=f"{when}-{key}-", suffix=".log", delete=False
    ) as kept:  # a unique name: two failures in one second both stay
        path = Path(kept.name)
    path.write_text(
        f"scenario {key}: exit {done.returncode}, wall {done.wall_s:.2f} s, "
        f"CPU {done.cpu_s:.2f} s, load {os.getloadavg()[0]:.1f}\n"
        f"store counters: {json.dumps(store, sort_keys=True)}\n"
        f"--- stdout (last 4000 characters)\n{done.stdout[-4000:]}\n"
        f"--- stderr\n{done.stderr}\n"
    )
    return f"kept in {path}"


BASELINES = {"export": "hand", "import": "list"}  # a scenario and the hand-written floor beside it


def against(row: Row, by_key: dict[str, Row]) -> str:
    """Wall and CPU as multiples of the hand-written baseline's (``1.6x/3.2x``), or ""."""
    base = by_key.get(BASELINES.get(row.key, ""))
    if base is None or not base.wall_s or not base.cpu_s:
        return ""
    return f"{row.wall_s / base.wall_s:.2f}x/{row.cpu_s / base.cpu_s:.2f}x"


def report(rows: list[Row], products: int, heading: str) -> list[str]:
    by_key = {r.key: r for r in rows}
    lines = [
        f"\nN = {products:,} products; {heading}",
        f"{'scenario':38} {'requests':>8} {'/100 prod':>9} {'wall s':>8} {'CPU s':>7} "
        f"{'wall ms/prod':>12} {'CPU ms/prod':>11} {'peak MB':>8} {'<200MB':>6} "
        f"{'x hand w/CPU':>12} {'store CPU s':>11} {'load':>5}  notes",
    ]
    lines.append("-" * (len(lines[-1]) + 20))
    for r in rows:
        per100 = 100 * r.requests / max(r.products, 1)
        per = r.key != "startup"
        wall_ms = f"{1000 * r.wall_s / max(r.products, 1):12.3f}" if per else " " * 12
        ms = f"{1000 * r.cpu_s / max(r.products, 1):11.3f}" if per else " " * 11
        rss = f"{r.peak_rss_mb:8.1f}" if not r.extrapolated else f"{'':>8}"
        rss_ok = verdict(r.peak_rss_mb < RSS_TARGET_MB) if not r.extrapolated else ""
        server = f"{r.server_cpu_s:11.2f}" if not r.extrapolated else " " * 11
        mark = "" if r.ok else " CHECK FAILED"
        approx = "~" if r.extrapolated else " "
        lines.append(
            f"{r.label:38} {approx}{r.requests:>7} {per100:>9.2f} {approx}{r.wall_s:>7.2f} "
            f"{approx}{r.cpu_s:>6.2f} {wall_ms} {ms} {rss} {rss_ok:>6} "
            f"{against(r, by_key):>12} {server} {r.load_avg:>5.1f}  {r.note}{mark}"
        )
    targets = check_targets({r.key: r for r in rows}, products)
    if targets:
        lines.append("targets (issue 12, informational):")
        lines.extend(f"  {line}" for line in targets)
    return lines


def check_targets(by_key: dict[str, Row], products: int) -> list[str]:
    targets: list[str] = []
    first, hand, startup = by_key.get("export"), by_key.get("hand"), by_key.get("startup")
    if first and hand and failed(first, hand):
        targets.append(f"first export against the hand-written client: {failed(first, hand)}")
    elif first and hand:
        wall, cpu = first.wall_s / hand.wall_s, first.cpu_s / hand.cpu_s
        targets.append(
            f"first export wall {wall:.2f}x the hand-written client's "
            f"({first.wall_s:.2f} s / {hand.wall_s:.2f} s): {verdict(wall <= 1.15)} (<= 1.15x)"
        )
        targets.append(
            f"first export CPU {cpu:.2f}x the hand-written client's "
            f"({first.cpu_s:.2f} s / {hand.cpu_s:.2f} s): {verdict(cpu <= 2)} (<= 2x)"
        )
    if first and not first.ok:
        targets.append(f"first export requests: {failed(first)}")
    elif first:
        per100 = 100 * (first.requests - first.term_requests) / products
        also = f"; the hand-written client {hand.requests} in all" if hand else ""
        targets.append(
            f"first export {per100:.2f} product requests per 100 products: "
            f"{verdict(per100 <= 1.01)} (<= 1.01; plus {first.term_requests} for categories "
            f"and terms, {first.requests} in all{also})"
        )
    if "change" in by_key and failed(by_key["change"]):
        targets.append(f"10% price change: {failed(by_key['change'])}")
    elif "change" in by_key:
        change, changed = by_key["change"], products // 10
        per100 = 100 * change.writes / max(changed, 1)
        reads = change.requests - change.writes - change.term_requests
        targets.append(
            f"10% price change {per100:.2f} writes per 100 changed products: "
            f"{verdict(per100 <= 1.01)} (<= 1.01; plus {reads} reads of the products to update, "
            f"so that no edit made in the store is overwritten: "
            f"{100 * (change.requests - change.term_requests) / products:.2f} requests per 100 "
            f"products, {change.requests} for {changed:,} changed)"
        )
    if "import" in by_key and failed(by_key["import"]):
        targets.append(f"import: {failed(by_key['import'])}")
    elif "import" in by_key:
        imported = by_key["import"]
        per100 = 100 * (imported.requests - imported.term_requests) / products
        targets.append(
            f"import {per100:.2f} listing requests per 100 products: {verdict(per100 <= 1.01)} "
            f"(<= 1.01; {imported.requests} in all)"
        )
    if "partial" in by_key and failed(by_key["partial"]):
        targets.append(f"unchanged --partial: {failed(by_key['partial'])}")
    elif "partial" in by_key:
        partial = by_key["partial"]
        ms = 1000 * partial.cpu_s / products
        above = (
            f" ({1000 * (partial.cpu_s - startup.cpu_s) / products:.3f} above the start-up's CPU)"
            if startup
            else ""
        )
        targets.append(
            f"unchanged --partial {ms:.3f} ms CPU per product{above}: {verdict(ms <= 0.05)} "
            "(<= 0.05)"
        )
    if "load" in by_key and "reload" in by_key and failed(by_key["load"], by_key["reload"]):
        targets.append(f"unchanged re-load: {failed(by_key['load'], by_key['reload'])}")
    elif "load" in by_key and "reload" in by_key:
        load, reload = by_key["load"], by_key["reload"]
        targets.append(
            f"unchanged re-load {reload.cpu_s:.2f} s CPU ({reload.wall_s:.2f} s wall) against "
            f"{load.cpu_s:.2f} s ({load.wall_s:.2f} s) for the first load: "
            f"{verdict(reload.cpu_s <= 1.05 * load.cpu_s)} (no slower: CPU within 5%)"
        )
    measured = [r for r in by_key.values() if not r.extrapolated and r.key not in ("hand", "list")]
    if measured:
        worst = max(measured, key=lambda r: r.peak_rss_mb)
        over = [f"{r.label} {r.peak_rss_mb:.0f} MB" for r in measured if r.peak_rss_mb >= 200]
        broken = failed(*measured)
        targets.append(
            f"woosync's peak RSS at most {worst.peak_rss_mb:.0f} MB ({worst.label}): "
            f"{verdict(not over and not broken)} (< 200 MB"
            + (f"; over: {', '.join(over)}" if over else "")
            + (f"; {broken}" if broken else "")
            + ")"
        )
    return targets


def flatness(tables: list[tuple[str, list[Row]]]) -> list[str]:
    """One line per scenario across every table: wall and CPU ms per product and peak MB, so a
    reader sees whether they stay flat as N grows."""
    keys = [
        k for k in SCENARIOS if k != "startup" and any(r.key == k for _, t in tables for r in t)
    ]
    width = 22
    lines = [
        "\nPer product across the tables: wall ms / CPU ms / peak MB (flat = scales with N)",
        f"{'scenario':38} " + " ".join(f"{name:>{width}}" for name, _ in tables),
    ]
    for key in keys:
        cells, label = [], key
        for _, rows in tables:
            row = next((r for r in rows if r.key == key), None)
            if row is None:
                cells.append(f"{'-':>{width}}")
                continue
            label = row.label
            per = max(row.products, 1)
            rss = "-" if row.extrapolated else f"{row.peak_rss_mb:.0f}"
            cell = f"{1000 * row.wall_s / per:.3f} / {1000 * row.cpu_s / per:.3f} / {rss}"
            cells.append(f"{cell:>{width}}")
        lines.append(f"{label:38} " + " ".join(cells))
    return lines


def markdown(figures_file: Path) -> list[str]:
    """README tables from ``--json-out`` lines: one table per latency and per-item cost, one
    group of columns per N; a later line's row for the same N, latency, cost and scenario
    replaces an earlier one (re-run a few scenarios, keep the rest). Each table says the load
    average the machine had while its rows ran."""
    tables: dict[tuple[float, float], dict[int, dict[str, Row]]] = {}
    for line in figures_file.read_text(encoding="utf-8").splitlines():
        if line.strip():
            figures = json.loads(line)
            key = (figures["latency_ms"], figures["per_item_ms"])
            by_key = tables.setdefault(key, {}).setdefault(figures["n"], {})
            for row in figures["rows"]:
                by_key[row["key"]] = Row(**row)
    lines: list[str] = []
    for (latency, per_item), by_n in sorted(tables.items()):
        sizes = sorted(by_n)
        loads = "; ".join(
            f"{n:,}: {min(loads):.1f}–{max(loads):.1f}"
            for n in sizes
            if (loads := [r.load_avg for r in by_n[n].values() if r.load_avg])
        )
        lines += [
            "",
            f"Store latency {latency:g} ms per request, {per_item:g} ms per product written"
            + (f" (load average during the runs, by N: {loads})" if loads else "")
            + ":",
            "",
            "| Scenario | "
            + " | ".join(
                f"Req./100 {n:,} | Wall {n:,} | CPU {n:,} | CPU ms/product {n:,} | "
                f"Peak RSS {n:,} | × hand {n:,}"
                for n in sizes
            )
            + " |",
            "|---|" + "---|---|---|---|---|---|" * len(sizes),
        ]
        keys = [k for k in SCENARIOS if any(k in rows for rows in by_n.values())]
        for key in keys:
            cells: list[str] = []
            label = key
            for n in sizes:
                row = by_n[n].get(key)
                if row is None:
                    cells += ["—"] * 6
                    continue
                label, approx = row.label, "~" if row.extrapolated else ""
                if not row.ok:
                    cells += ["FAILED", row.note[:60] or "check failed"] + ["—"] * 4
                    continue
                per = max(row.products, 1)
                cells += [
                    f"{100 * row.requests / per:.2f}",
                    f"{approx}{row.wall_s:.2f} s",
                    f"{approx}{row.cpu_s:.2f} s",
                    "—" if key == "startup" else f"{approx}{1000 * row.cpu_s / per:.3f}",
                    "—" if row.extrapolated else f"{row.peak_rss_mb:.0f} MB",
                    against(row, by_n[n]).replace("x", "×") or "—",
                ]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def numbers(text: str, kind: type[float] | type[int]) -> list[Any]:
    return [kind(v) for v in text.split(",") if v.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(
        description="woosync through its CLI against the sandbox store and a hand-written client",
        epilog="See the module docstring for the scenarios and targets.",
    )
    parser.add_argument("--n", default="10000", help="products, comma separated (10000,100000)")
    parser.add_argument(
        "--latency-ms", default="0,50", help="per request, comma separated (default 0,50)"
    )
    parser.add_argument(
        "--per-item-ms", default="0", help="store time per product written, comma separated (0,25)"
    )
    parser.add_argument("--scenarios", default="all", help=f"all, or some of {','.join(SCENARIOS)}")
    parser.add_argument("--repeat", type=int, default=1, help="runs of everything; medians shown")
    parser.add_argument("--naive-subset", type=int, default=300)
    parser.add_argument("--load-format", choices=["csv", "json"], default="csv")
    parser.add_argument("--json-out", type=Path, help="append each table's figures as a JSON line")
    parser.add_argument("--keep", action="store_true", help="keep the work directories")
    parser.add_argument(
        "--fixture-dir",
        default=str(Path(tempfile.gettempdir()) / "woosync-bench-fixtures"),
        help="where the catalog files are kept between runs ('' for a fresh one each run)",
    )
    parser.add_argument(
        "--markdown", type=Path, help="print README tables from a --json-out file, run nothing"
    )
    args = parser.parse_args()
    if args.markdown:
        print("\n".join(markdown(args.markdown)))
        return
    compile_woosync()  # as installed: no module compiled from source in a measured command
    tables: list[tuple[str, list[Row]]] = []
    for products in numbers(args.n, int):
        for latency in numbers(args.latency_ms, float):
            for per_item in numbers(args.per_item_ms, float):
                runs = [
                    Suite(args, products, latency, per_item).run()
                    for _ in range(max(args.repeat, 1))
                ]
                rows = combine(runs)
                heading = (
                    f"store latency {latency:g} ms per request, {per_item:g} ms per product "
                    f"written; {len(runs)} run(s), medians; load average "
                    f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
                )
                print("\n".join(report(rows, products, heading)), flush=True)
                tables.append((f"{products:,} @{latency:g}+{per_item:g}ms", rows))
                if args.json_out:
                    with open(args.json_out, "a", encoding="utf-8") as out:
                        figures = {
                            "n": products,
                            "latency_ms": latency,
                            "per_item_ms": per_item,
                            "repeat": len(runs),
                            "load_average": os.getloadavg(),
                            "rows": [asdict(r) for r in rows],
                            "runs": [[asdict(r) for r in run] for run in runs],
                        }
                        out.write(json.dumps(figures) + "\n")
    if len(tables) > 1:
        print("\n".join(flatness(tables)), flush=True)


if __name__ == "__main__":
    main()
