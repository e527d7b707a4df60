"""Variable products through the ``woosync`` command (issue 13, section 6).

A catalog of ``--parents`` variable products (default 1,000), each with 6 variations (Size S/M/L x
Color Red/Blue): 7,000 store objects. The catalog is a CSV file laid out as WooCommerce's own CSV
exporter does (issue 13): a ``type`` column (variable/variation), ``parent_sku``, and
``attribute:Size`` / ``attribute:Color`` holding the parent's options (``S|M|L``) or the variation's
one option. The sandbox store runs in its own process (``--latency-ms``, default 50; optional
``--per-item-ms`` per product or variation written). Every command is a measured child process
(wall, CPU, peak RSS from ``os.wait4``), the store counts the requests of each.

Scenarios, in order: ``products load``; the first export (``export --all``); an unchanged
``--partial``; 10% of variation prices changed (the catalog loaded again with every tenth
variation's price raised; not measured), then ``--partial``; ``import`` into an empty database;
the same import again with ``--update-existing`` (nothing changed: nothing may be written
locally); and the hand-written client (``handwritten_client.py variations``: parents in batches of
100, then one ``/variations/batch`` per parent, 4 in flight) into a second store.

Targets (issue 13, printed PASS/MISS beside the figures; a failed command is FAILED and nothing is
judged): the first export at the API's floor (one
request per 100 parents plus one per parent, besides lookups and terms, counted apart) and its wall
time within 1.3x of ``(requests / 4) x latency + client CPU``; an unchanged ``--partial`` writes
nothing; the price change sends one request per parent with a changed variation and nothing else;
the import lists one page per 100 parents plus at most one variation list per parent (a store on
WooCommerce 10.3 or later lists the variations of many parents at once: far fewer), within the
same 1.3x of its floor, and brings every variation in (a woosync that skips variable products on import is
told "variable products not imported", never a PASS); the re-import changes no row of the local
catalog, and writes nothing locally (every row of products, product_sync and store_refs compared
before and after; what changed is listed per table and column); client CPU under 0.3 ms per store
object (export and import). The woosync measured is byte-compiled first
(``bench_common.compile_woosync``), as installing it does. ``--json-out FILE`` keeps the figures, ``--markdown FILE`` prints the
README table from them.

The woosync part needs variable products in the catalog (the ``products.parent_id`` column of
issue 13); on a woosync without them the script says so after ``products load`` and measures only
the hand-written client.

Usage: ``python benchmarks/variation_bench.py [--parents 1000] [--latency-ms 50] [--per-item-ms 0]``
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import shutil
import sqlite3
import sys
import tempfile
from dataclasses import dataclass
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
SIZES = ["S", "M", "L"]
COLORS = ["Red", "Blue"]
PER_PARENT = len(SIZES) * len(COLORS)
IN_FLIGHT = 4  # woosync's default --concurrency, and the hand-written client's
FLOOR_SLACK = 1.3
CPU_TARGET_MS = 0.3  # client CPU per store object
COLUMNS = ["type", "sku", "parent_sku", "name", "price", "categories", "attribute:Size"]
COLUMNS.append("attribute:Color")
FIELDS = "name,sku,price,categories,Size,Color"  # what the export sends (no mapping in the bench)
LOCAL_TABLES = ("products", "product_sync", "store_refs")  # what an import may write


def write_catalog(path: Path, parents: int, changed: bool = False) -> tuple[int, int]:
    """The catalog; with ``changed``, every tenth variation (counted across the catalog) costs a
    euro more. Returns (variations changed, parents that have one)."""
    changes, touched = 0, set()
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for p in range(1, parents + 1):
            sku, name = f"VAR-{p:05d}", f"Organic tee {p}"
            writer.writerow(
                {
                    "type": "variable",
                    "sku": sku,
                    "name": name,
                    "categories": f"Tees {p % 10}",
                    "attribute:Size": "|".join(SIZES),
                    "attribute:Color": "|".join(COLORS),
                }
            )
            for j, (size, color) in enumerate((s, c) for s in SIZES for c in COLORS):
                bump = changed and ((p - 1) * PER_PARENT + j) % 10 == 0
                changes += bump
                if bump:
                    touched.add(p)
                writer.writerow(
                    {
                        "type": "variation",
                        "sku": f"{sku}-{size}-{color.upper()}",
                        "parent_sku": sku,
                        "name": f"{name} - {size}, {color}",
                        "price": f"{20 + j + bump}.{p % 100:02d}",
                        "attribute:Size": size,
                        "attribute:Color": color,
                    }
                )
    return changes, len(touched)


@dataclass
class Step:
    label: str
    done: Measured
    store: dict[str, Any]
    load_avg: float = 0.0  # the machine's 1-minute load average when the command ended

    def routes(self, *parts: str) -> int:
        return sum(
            count
            for route, count in self.store.get("by_route", {}).items()
            if any(part in route for part in parts)
        )

    def writes_to(self, part: str) -> int:
        return sum(
            count
            for route, count in self.store.get("by_route", {}).items()
            if part in route and route.split(" ")[0] in ("POST", "PUT", "PATCH", "DELETE")
        )

    def exactly(self, route: str) -> int:
        return int(self.store.get("by_route", {}).get(route, 0))

    @property
    def requests(self) -> int:
        return int(self.store.get("requests", 0))

    @property
    def writes(self) -> int:
        methods = self.store.get("by_method", {})
        return sum(methods.get(m, 0) for m in ("POST", "PUT", "PATCH", "DELETE"))


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.parents = args.parents
        self.objects = args.parents * (1 + PER_PARENT)
        self.work = Path(tempfile.mkdtemp(prefix="woosync-variation-bench-"))
        self.catalog = self.work / "catalog.csv"
        self.steps: dict[str, Step] = {}
        self.notes: list[str] = []
        self.changes = self.touched = self.imported_variations = 0
        self.reimport_changes: list[str] = ["not run"]

    def woo(self, home: Path, sandbox: SandboxProcess, key: str, label: str, *args: str) -> Step:
        print(f"  {label} ...", file=sys.stderr, flush=True)
        sandbox.stats()
        done = measure([*woosync_command(), *args], woosync_env(home, sandbox))
        step = Step(label, done, sandbox.stats(), os.getloadavg()[0])
        if done.returncode != 0:
            self.notes.append(f"{label}: exit {done.returncode}: {done.stderr.strip()[-300:]}")
        self.steps[key] = step
        return step

    def connect(self, home: Path, sandbox: SandboxProcess) -> None:
        home.mkdir(parents=True, exist_ok=True)
        add = ["connections", "add", "--name", "Bench", "--url", sandbox.url, "--default"]
        done = measure([*woosync_command(), *add], woosync_env(home, sandbox, adding=True))
        if done.returncode != 0:
            sys.exit(f"connections add failed: {done.stderr[-1000:]}")

    @staticmethod
    def catalog_rows(home: Path) -> tuple[int, str]:
        """(variations in the local catalog, a digest of every product row); raises
        ``sqlite3.OperationalError`` on a catalog without variable products."""
        with sqlite3.connect(home / "woosync.db") as db:
            count: int = db.execute(
                "SELECT count(*) FROM products WHERE parent_id IS NOT NULL"
            ).fetchone()[0]
            digest = hashlib.sha256()
            for row in db.execute("SELECT * FROM products ORDER BY id"):
                digest.update(repr(row).encode())
        return count, digest.hexdigest()

    @staticmethod
    def local_state(home: Path) -> dict[str, dict[Any, tuple[Any, ...]]]:
        """Every row of the tables an import writes (catalog, sync records, store registry),
        by id, to tell afterwards exactly what a run changed."""
        state: dict[str, dict[Any, tuple[Any, ...]]] = {}
        with sqlite3.connect(home / "woosync.db") as db:
            for table in LOCAL_TABLES:
                cursor = db.execute(f"SELECT * FROM {table}")  # fixed table names
                columns = [c[0] for c in cursor.description]
                state[table] = {row[0]: row for row in cursor}
                state[f"{table}:columns"] = {0: tuple(columns)}
        return state

    @staticmethod
    def differences(
        before: dict[str, dict[Any, tuple[Any, ...]]], after: dict[str, dict[Any, tuple[Any, ...]]]
    ) -> list[str]:
        """What differs, per table: rows added, removed, and changed (with the columns)."""
        out = []
        for table in LOCAL_TABLES:
            old, new = before[table], after[table]
            columns = before[f"{table}:columns"][0]
            added, removed = len(new.keys() - old.keys()), len(old.keys() - new.keys())
            changed_columns: dict[str, int] = {}
            changed = 0
            for key in old.keys() & new.keys():
                if old[key] != new[key]:
                    changed += 1
                    for name, a, b in zip(columns, old[key], new[key], strict=True):
                        if a != b:
                            changed_columns[name] = changed_columns.get(name, 0) + 1
            if added or removed or changed:
                cols = ", ".join(f"{c} {n}" for c, n in sorted(changed_columns.items()))
                out.append(
                    f"{table}: {added} added, {removed} removed, {changed} changed"
                    + (f" ({cols})" if cols else "")
                )
        return out

    def woosync_part(self, sandbox: SandboxProcess) -> bool:
        home = self.work / "home"
        self.connect(home, sandbox)
        self.woo(home, sandbox, "load", "products load", "products", "load", str(self.catalog))
        try:
            loaded, _ = self.catalog_rows(home)
        except sqlite3.OperationalError:
            loaded = -1
        if loaded != self.parents * PER_PARENT:
            self.notes.append(
                "this woosync does not load variable products "
                f"(variations in the catalog: {max(loaded, 0)}; issue 13 not merged?): "
                "only the hand-written client is measured"
            )
            return False
        export = ["export", "--connection", "1", "--all", "--fields", FIELDS, "--quiet"]
        self.woo(home, sandbox, "export", "first export", *export)
        self.notes.append(
            f"store after the export: {sandbox.product_count()} products, "
            f"{sandbox.variation_count()} variations"
        )
        self.woo(home, sandbox, "partial", "export --partial, unchanged", *export, "--partial")
        changed = self.work / "changed.csv"
        self.changes, self.touched = write_catalog(changed, self.parents, changed=True)
        loaded_change = measure(
            [*woosync_command(), "products", "load", str(changed)], woosync_env(home, sandbox)
        )
        if loaded_change.returncode != 0:
            self.notes.append(f"loading the price change failed: {loaded_change.stderr[-300:]}")
        self.woo(
            home, sandbox, "change", "--partial, 10% of variation prices", *export, "--partial"
        )
        fresh = self.work / "home-import"
        self.connect(fresh, sandbox)
        imported = ["import", "--connection", "1", "--quiet"]
        self.woo(fresh, sandbox, "import", "import into an empty database", *imported)
        self.imported_variations = self.catalog_rows(fresh)[0]
        before = self.local_state(fresh)
        again = [*imported, "--update-existing"]
        self.woo(fresh, sandbox, "reimport", "import again, unchanged", *again)
        self.reimport_changes = self.differences(before, self.local_state(fresh))
        return True

    def hand_part(self, sandbox: SandboxProcess) -> None:
        print("  hand-written client ...", file=sys.stderr, flush=True)
        env = woosync_env(self.work / "unused", sandbox)
        env.update(WOO_CONSUMER_KEY=sandbox.key, WOO_CONSUMER_SECRET=sandbox.secret)
        sandbox.stats()
        command = [sys.executable, str(HERE / "handwritten_client.py"), "variations"]
        done = measure([*command, "--catalog", str(self.catalog), "--url", sandbox.url], env)
        self.steps["hand"] = Step(
            "hand-written client (floor)", done, sandbox.stats(), os.getloadavg()[0]
        )
        accepted = json.loads(done.stdout or "{}").get("accepted", 0)
        if accepted != self.objects:
            self.notes.append(f"hand-written client: {accepted} of {self.objects} accepted")

    def run(self) -> list[str]:
        args = self.args
        write_catalog(self.catalog, self.parents)
        try:
            with SandboxProcess(args.latency_ms, args.per_item_ms) as sandbox:
                measured = self.woosync_part(sandbox)
            with SandboxProcess(args.latency_ms, args.per_item_ms) as sandbox:
                self.hand_part(sandbox)
        finally:
            shutil.rmtree(self.work, ignore_errors=True)
        return self.report(measured)

    def floor_s(self, step: Step) -> float:
        """(requests / concurrency) x latency + the client's CPU."""
        return step.requests / IN_FLIGHT * self.args.latency_ms / 1000 + step.done.cpu_s

    def report(self, measured: bool) -> list[str]:
        lines = [
            f"\n{self.parents:,} variable products x {PER_PARENT} variations "
            f"({self.objects:,} store objects); latency {self.args.latency_ms:g} ms, "
            f"{self.args.per_item_ms:g} ms per product written",
            f"{'scenario':36} {'requests':>8} {'writes':>7} {'wall s':>8} {'CPU s':>7} "
            f"{'CPU ms/object':>13} {'peak MB':>8} {'floor s':>8} {'x floor':>7} {'load':>5}",
        ]
        for step in self.steps.values():
            per = 1000 * step.done.cpu_s / self.objects
            failed = "" if step.done.returncode == 0 else f"  FAILED (exit {step.done.returncode})"
            lines.append(
                f"{step.label:36} {step.requests:>8} {step.writes:>7} {step.done.wall_s:>8.2f} "
                f"{step.done.cpu_s:>7.2f} {per:>13.3f} {step.done.peak_rss_mb:>8.1f} "
                f"{self.floor_s(step):>8.2f} {step.done.wall_s / self.floor_s(step):>7.2f} "
                f"{step.load_avg:>5.1f}{failed}"
            )
        lines += [f"note: {note}" for note in self.notes]
        if measured:
            lines.append("targets (issue 13, informational):")
            lines += [f"  {line}" for line in self.targets()]
        return lines

    def targets(self) -> list[str]:
        s, p = self.steps, self.parents
        lines: list[str] = []
        failed = [step.label for step in s.values() if step.done.returncode != 0]
        if failed:  # a command that failed measured nothing: no verdict may pass on its figures
            return [f"FAILED: {', '.join(failed)} failed (see the notes); no target is judged"]
        first = s["export"]
        batches, per_parent = first.routes("/products/batch"), first.routes("/variations/batch")
        floor_batches = -(-p // 100)
        lines.append(
            f"first export: {batches} product batches and {per_parent} variation batches for "
            f"{p:,} parents (floor {floor_batches} + {p}; {first.requests} requests in all): "
            f"{verdict(batches <= floor_batches and per_parent <= p)}"
        )
        for key in ("export", "import"):
            step = s[key]
            ratio = step.done.wall_s / self.floor_s(step)
            lines.append(
                f"{step.label} wall {step.done.wall_s:.2f} s = {ratio:.2f}x its floor "
                f"({self.floor_s(step):.2f} s): {verdict(ratio <= FLOOR_SLACK)} (<= 1.3x)"
            )
            ms = 1000 * step.done.cpu_s / self.objects
            lines.append(
                f"{step.label} client CPU {ms:.3f} ms per store object: "
                f"{verdict(ms < CPU_TARGET_MS)} (< 0.3)"
            )
        partial = s["partial"]
        lines.append(
            f"unchanged --partial: {partial.writes} writes: {verdict(partial.writes == 0)} (0)"
        )
        change = s["change"]
        variation_writes = change.writes_to("/variations")
        lines.append(
            f"10% of variation prices ({self.changes} in {self.touched} parents): "
            f"{change.writes} writes, {variation_writes} to /variations: "
            f"{verdict(change.writes == variation_writes == self.touched)} "
            f"(one per parent with a change, none for the others or for parents)"
        )
        listed = s["import"]
        pages = listed.exactly("GET /wc/v3/products")
        lists = listed.exactly("GET /wc/v3/products/{product_id}/variations")
        expected = self.objects - p
        if self.imported_variations == 0:
            lines.append(
                f"import: variable products not imported (0 of {expected:,} variations in the "
                f"local catalog; {listed.requests} requests, {lists} variation lists): MISS"
            )
        else:
            # WooCommerce 10.3 and later list many parents' variations at once (/variations)
            together = listed.exactly("GET /wc/v3/variations")
            fewer = lists + together <= p
            lines.append(
                f"import: {pages} product pages, {lists} variation lists of one parent and "
                f"{together} of many for {p:,} parents (floor {floor_batches} + {p} lists of "
                f"one parent; {listed.requests} requests in all), "
                f"{self.imported_variations:,} of {expected:,} variations imported: "
                f"{verdict(pages <= floor_batches + 1 and fewer and self.imported_variations == expected)}"
            )
        if self.imported_variations == 0:
            lines.append(
                "import again, unchanged: not judged (nothing variable was imported): MISS"
            )
        else:
            changed = self.reimport_changes
            catalog = [c for c in changed if c.startswith("products:")]
            lines.append(
                "import again, unchanged: local catalog "
                + ("unchanged" if not catalog else "; ".join(catalog))
                + f": {verdict(not catalog)} (no product or variation row changed)"
            )
            lines.append(
                "import again, unchanged: "
                + ("nothing written locally" if not changed else "; ".join(changed))
                + f": {verdict(not changed)} (no row of {', '.join(LOCAL_TABLES)} added, "
                "removed or changed)"
            )
        return lines


def markdown(figures_file: Path) -> list[str]:
    """The README table from the last ``--json-out`` line."""
    lines = [line for line in figures_file.read_text(encoding="utf-8").splitlines() if line]
    figures = json.loads(lines[-1])
    objects = figures["objects"]
    loads = [step["load_avg"] for step in figures["steps"].values()]
    out = [
        f"{figures['parents']:,} parents × {PER_PARENT} variations ({objects:,} store objects), "
        f"{figures['latency_ms']:g} ms latency, load average {min(loads):.1f}–{max(loads):.1f}:",
        "",
        "| Scenario | Requests | Writes | Wall | × floor | CPU | CPU ms/object | Peak RSS |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for step in figures["steps"].values():
        if step["returncode"] != 0:
            out.append(f"| {step['label']} | FAILED (exit {step['returncode']}) |||||||")
            continue
        out.append(
            f"| {step['label']} | {step['requests']:,} | {step['writes']:,} | "
            f"{step['wall_s']:.1f} s | {step['wall_s'] / step['floor_s']:.2f} | "
            f"{step['cpu_s']:.2f} s | {1000 * step['cpu_s'] / objects:.2f} | "
            f"{step['peak_rss_mb']:.0f} MB |"
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parents", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--per-item-ms", type=float, default=0.0)
    parser.add_argument("--json-out", type=Path, help="append the figures as a JSON line")
    parser.add_argument(
        "--markdown", type=Path, help="print the README table of a --json-out file's last line"
    )
    args = parser.parse_args()
    if args.markdown:
        print("\n".join(markdown(args.markdown)))
        return
    compile_woosync()  # as installed: no module compiled from source in a measured command
    bench = Bench(args)
    print("\n".join(bench.run()), flush=True)
    if args.json_out:
        with open(args.json_out, "a", encoding="utf-8") as out:
            figures = {
                "parents": args.parents,
                "latency_ms": args.latency_ms,
                "per_item_ms": args.per_item_ms,
                "objects": bench.objects,
                "notes": bench.notes,
                "steps": {
                    key: {
                        "label": step.label,
                        "requests": step.requests,
                        "writes": step.writes,
                        "returncode": step.done.returncode,
                        "wall_s": step.done.wall_s,
                        "cpu_s": step.done.cpu_s,
                        "peak_rss_mb": step.done.peak_rss_mb,
                        "floor_s": bench.floor_s(step),
                        "load_avg": step.load_avg,
                        "by_route": step.store.get("by_route", {}),
                    }
                    for key, step in bench.steps.items()
                },
            }
            out.write(json.dumps(figures) + "\n")


if __name__ == "__main__":
    main()
