"""The ``woosync`` script ends its process with ``os._exit`` (cli/process_exit.py): nothing a
normal exit would do that matters may be lost — exit codes, output, atexit handlers, the
database closed with no write-ahead log left beside it, a thread still working."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ENV = {**os.environ, "WOOSYNC_SECRETS": "env", "PYTHONDONTWRITEBYTECODE": "1"}


def run(tmp_path: Path, *args: str, before: str = "") -> subprocess.CompletedProcess[str]:
    """``woosync --db tmp_path/w.db ARGS`` through the script's ``main``, after ``before``."""
    code = f"{before}\nfrom woosync.cli.app import main\nmain()"
    return subprocess.run(
        [sys.executable, "-c", code, "--db", str(tmp_path / "w.db"), *args],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    rows = "\n".join(f"SKU-{n:03},Product {n},{n}.50" for n in range(300))
    path = tmp_path / "catalog.csv"
    path.write_text("sku,name,price\n" + rows + "\n")
    return path


def test_a_write_is_in_the_database_file_and_no_wal_is_left(tmp_path: Path, catalog: Path) -> None:
    loaded = run(tmp_path, "products", "load", str(catalog))
    assert loaded.returncode == 0, loaded.stderr
    assert not (tmp_path / "w.db-wal").exists()  # closed: checkpointed, as a normal exit does
    listed = run(tmp_path, "--json", "products", "list", "--all")
    assert listed.returncode == 0, listed.stderr
    products = json.loads(listed.stdout)  # the whole document reached the pipe
    assert [p["sku"] for p in products][-1] == "SKU-299"
    assert len(products) == 300


def test_exit_codes_and_error_lines_come_through(tmp_path: Path, catalog: Path) -> None:
    run(tmp_path, "products", "load", str(catalog))
    missing = run(tmp_path, "products", "show", "NOPE")
    assert missing.returncode == 3
    assert missing.stderr.startswith("error: no product with SKU 'NOPE'")
    usage = run(tmp_path, "products", "list", "--limit", "x")
    assert usage.returncode == 2


def test_atexit_handlers_still_run(tmp_path: Path) -> None:
    before = "import atexit, sys\natexit.register(lambda: print('said goodbye', file=sys.stderr))"
    done = run(tmp_path, "path", before=before)
    assert done.returncode == 0
    assert done.stdout.strip() == str(tmp_path / "w.db")
    assert "said goodbye" in done.stderr


def test_a_thread_still_working_is_waited_for(tmp_path: Path) -> None:
    before = (  # a thread that is still at work when the command has finished and is leaving
        "import threading, time\n"
        "import woosync.cli.process_exit as process_exit\n"
        "leaving = threading.Event()\n"
        "real_leave = process_exit.leave\n"
        "def leave(code):\n"
        "    leaving.set()\n"
        "    real_leave(code)\n"
        "process_exit.leave = leave\n"
        "def late():\n"
        "    leaving.wait()\n"
        "    time.sleep(0.2)\n"
        "    print('thread finished', flush=True)\n"
        "threading.Thread(target=late).start()"
    )
    done = run(tmp_path, "path", before=before)
    assert done.returncode == 0
    assert done.stdout.splitlines() == [str(tmp_path / "w.db"), "thread finished"]


def test_a_profiler_still_gets_to_write_its_figures(tmp_path: Path) -> None:
    figures = tmp_path / "run.prof"  # `path` opens no database
    done = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(figures), "-m", "woosync", "path"],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert figures.stat().st_size > 0
