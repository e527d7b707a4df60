"""How long ``woosync --help`` takes to start (target: under 0.3 s on a 2-core machine).

Runs the command in fresh interpreters and prints the median and best wall times, plus which heavy
modules were imported. Usage: ``python benchmarks/help_startup.py [runs]``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

HEAVY = ("sqlalchemy", "sqlmodel", "httpx", "keyring", "oauthlib", "pydantic", "yaml")


def time_help(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "woosync", "--help"], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def heavy_imports() -> list[str]:
    code = (
        "import sys; from woosync.cli.app import app; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return [name for name in out.stdout.strip().split(",") if name]


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    times = time_help(runs)
    print(
        f"woosync --help over {runs} runs: median {statistics.median(times) * 1000:.0f} ms, "
        f"best {min(times) * 1000:.0f} ms (target < 300 ms)"
    )
    print(f"heavy modules imported by the CLI at start: {', '.join(heavy_imports()) or 'none'}")


if __name__ == "__main__":
    main()
