"""A first export counted in instructions, which do not depend on the machine's speed.

Timings on a shared machine drift by 10-40% from one session to the next; the number of
instructions a command executes does not (repeatable to about 0.2%). This runs a first export at
two catalog sizes under ``valgrind --tool=callgrind`` (every thread counted), against the sandbox
store in its own process at 0 ms latency, and the hand-written client (``handwritten_client.py``)
the same way, then prints for each the start-up (the line through the two sizes, at zero
products) and the instructions per product (or per store object for variable products), and the
ratio of the two at a few catalog sizes: the issue's "CPU <= 2x the hand-written client" in
instructions.

Needs valgrind (``apt-get install valgrind``); a command runs about 50 times slower under it, so
the sizes are small (300 and 2,000 simple products, 50 and 200 variable ones by default).

    python benchmarks/instructions.py                 # simple products
    python benchmarks/instructions.py --variations    # 6 variations per variable product
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import cli_bench
import variation_bench
from bench_common import SandboxProcess, compile_woosync, woosync_command, woosync_env

HERE = Path(__file__).parent
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def callgrind(command: list[str], env: dict[str, str], work: Path) -> int:
    """The instructions ``command`` executed (all its threads); it must succeed."""
    out = work / "callgrind.out"
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *command],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    found = _REFS.findall(done.stderr)
    if done.returncode != 0 or not found:
        raise SystemExit(f"{command[0]} failed under valgrind:\n{done.stderr[-2000:]}")
    out.unlink(missing_ok=True)
    return int(found[-1].replace(",", ""))


def woosync_export(size: int, variations: bool) -> int:
    with tempfile.TemporaryDirectory() as tmp, SandboxProcess(0) as store:
        work = Path(tmp)
        catalog = work / "catalog.csv"
        if variations:
            variation_bench.write_catalog(catalog, size)
            fields = variation_bench.FIELDS
        else:
            cli_bench.write_catalog(catalog, size)
            fields = cli_bench.FIELDS
        woosync = woosync_command()
        adding = woosync_env(work / "home", store, adding=True)
        setup = [["connections", "add", "--name", "B", "--url", store.url, "--default"]]
        for args, env in zip(
            [*setup, ["products", "load", str(catalog)]],
            [adding, woosync_env(work / "home", store)],
            strict=True,
        ):
            subprocess.run([*woosync, *args], env=env, check=True, capture_output=True)
        export = ["export", "--connection", "1", "--all", "--fields", fields, "--quiet"]
        return callgrind([*woosync, *export], woosync_env(work / "home", store), work)


def hand_export(size: int, variations: bool) -> int:
    with tempfile.TemporaryDirectory() as tmp, SandboxProcess(0) as store:
        work = Path(tmp)
        catalog = work / "catalog.csv"
        (variation_bench if variations else cli_bench).write_catalog(catalog, size)
        env = dict(os.environ, WOO_CONSUMER_KEY=store.key, WOO_CONSUMER_SECRET=store.secret)
        mode = "variations" if variations else "export"
        client = [sys.executable, str(HERE / "handwritten_client.py"), mode]
        return callgrind([*client, "--url", store.url, "--catalog", str(catalog)], env, work)


def line(small: int, large: int, at_small: int, at_large: int) -> tuple[float, float]:
    """(start-up, per unit) of the straight line through the two measurements."""
    per = (at_large - at_small) / (large - small)
    return at_small - per * small, per


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variations", action="store_true", help="variable products, 6 each")
    parser.add_argument("--sizes", default="", help="two catalog sizes (300,2000 or 50,200)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    default = "50,200" if args.variations else "300,2000"
    small, large = (int(n) for n in (args.sizes or default).split(","))
    per_unit = 7 if args.variations else 1  # store objects per catalog row: a parent and 6
    unit = "store object" if args.variations else "product"
    compile_woosync()
    figures = {}
    for name, run in (("woosync", woosync_export), ("hand-written client", hand_export)):
        counts = [run(size, args.variations) for size in (small, large)]
        start, per = line(small, large, *counts)
        figures[name] = (start, per / per_unit)
        print(
            f"{name:20} start-up {start / 1e9:5.2f} billion, "
            f"{per / per_unit / 1e6:5.3f} million per {unit} "
            f"(measured at {small:,} and {large:,}: {counts[0]:,} and {counts[1]:,})"
        )
    (ours_start, ours_per), (hand_start, hand_per) = figures.values()
    for size in (10_000, 100_000) if not args.variations else (1_000 * per_unit,):
        ratio = (ours_start + ours_per * size) / (hand_start + hand_per * size)
        print(f"at {size:,} {unit}s: woosync {ratio:.2f}x the hand-written client's instructions")


if __name__ == "__main__":
    main()
