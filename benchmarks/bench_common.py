"""What the benchmark scripts share: the sandbox store in its own process, and measured child processes.

- :class:`SandboxProcess` runs a :class:`woosync.sandbox.SandboxStore` on a loopback port in a
  process of its own (its CPU is never the client's), with fixed latency per request and an optional
  server cost per item of a ``/batch`` request; ``stats()`` returns what the store saw since the
  last call (requests by method and route, items written, its own CPU time) and starts afresh.
- :func:`measure` runs one command as a child process and returns its exit code, wall time, CPU
  time (user + system) and peak memory (``ru_maxrss``), all taken from ``os.wait4`` for that child
  alone.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def _serve(latency_ms: float, per_item_ms: float, ready: Any, commands: Any, answers: Any) -> None:
    """The sandbox process: serve until told to stop; answer "stats" with the counters and the
    store's own CPU time since the last "stats" (then start afresh)."""
    import time

    from woosync.sandbox import Faults, SandboxStore

    sandbox = SandboxStore(seed=0)
    key, secret = sandbox.create_key("read_write")
    sandbox.faults = Faults(latency_ms=latency_ms, per_item_ms=per_item_ms)
    with sandbox.serve() as url:
        ready.put((url, key, secret))
        cpu = time.process_time()
        while True:
            command = commands.get()
            if command == "stats":
                now = time.process_time()
                answers.put({**sandbox.stats.snapshot(), "server_cpu_s": now - cpu})
                sandbox.stats.reset()
                cpu = now
            elif command == "count":
                answers.put(len(sandbox.products))
            elif command == "variations":
                answers.put(sum(len(sandbox.variations(i)) for i in list(sandbox.products)))
            else:
                break


class SandboxProcess:
    """A fresh, empty sandbox store served from its own process; use as a context manager."""

    def __init__(self, latency_ms: float, per_item_ms: float = 0.0) -> None:
        ctx = mp.get_context("spawn")
        self._commands, self._answers = ctx.Queue(), ctx.Queue()
        ready = ctx.Queue()
        self._process = ctx.Process(
            target=_serve,
            args=(latency_ms, per_item_ms, ready, self._commands, self._answers),
            daemon=True,
        )
        self._process.start()
        self.url, self.key, self.secret = ready.get(timeout=120)

    def stats(self) -> dict[str, Any]:
        """The store's counters since the last call (requests, by method, items written, ...)."""
        self._commands.put("stats")
        answer: dict[str, Any] = self._answers.get(timeout=120)
        return answer

    def product_count(self) -> int:
        self._commands.put("count")
        count: int = self._answers.get(timeout=120)
        return count

    def variation_count(self) -> int:
        """Variations in the store, all parents together."""
        self._commands.put("variations")
        count: int = self._answers.get(timeout=120)
        return count

    def stop(self) -> None:
        if self._process.is_alive():
            self._commands.put("stop")
            self._process.join(timeout=30)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=10)

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


COMMAND_TIMEOUT_S = 1800.0  # one command; a stuck one is killed and reported, the rest go on


def compile_woosync() -> None:
    """Byte-compile the woosync package being measured, as installing it does (pip writes the
    ``.pyc`` files of a wheel). A checkout run with ``PYTHONDONTWRITEBYTECODE`` set (as on the
    development machine) would otherwise compile every module from source in every command,
    a cost no installed woosync pays; the hand-written client is one small script either way."""
    import compileall

    import woosync

    compileall.compile_dir(str(Path(woosync.__file__).parent), quiet=1)


def woosync_command() -> list[str]:
    """The ``woosync`` of this interpreter's environment."""
    script = Path(sys.executable).parent / "woosync"
    return [str(script)] if script.exists() else [sys.executable, "-m", "woosync"]


def woosync_env(home: Path, sandbox: SandboxProcess, adding: bool = False) -> dict[str, str]:
    """The environment of a measured ``woosync``: its own data directory, secrets from the
    environment (``WOOSYNC_SECRETS=env``; the key pair of connection 1, or of the one being added),
    a 120 s timeout so a slow answer on a busy machine never turns into a retry."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WOOSYNC_")}
    env.update(WOOSYNC_HOME=str(home), WOOSYNC_SECRETS="env", WOOSYNC_TIMEOUT="120")
    if adding:
        env.update(WOOSYNC_CONSUMER_KEY=sandbox.key, WOOSYNC_CONSUMER_SECRET=sandbox.secret)
    else:
        env.update(
            WOOSYNC_CONN_1_CONSUMER_KEY=sandbox.key,
            WOOSYNC_CONN_1_CONSUMER_SECRET=sandbox.secret,
        )
    return env


@dataclass
class Measured:
    """One child process: exit code, wall seconds, CPU seconds (user + sys), peak RSS in MB."""

    returncode: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    stdout: str
    stderr: str


def measure(
    command: list[str],
    env: dict[str, str],
    stdout: Path | None = None,
    timeout_s: float = COMMAND_TIMEOUT_S,
) -> Measured:
    """Run ``command`` with no input; its stdout goes to the file ``stdout`` (``/dev/null`` for
    rendered output nobody reads) or, when ``None``, is returned; stderr is returned. Wall time
    covers the whole child, start-up included; CPU and peak memory come from ``os.wait4`` for this
    child alone. A child still running after ``timeout_s`` is killed (exit code -9, said on stderr),
    so one stuck command never stalls a whole benchmark."""
    with (
        tempfile.TemporaryFile() as captured,
        tempfile.TemporaryFile() as errors,
        open(os.devnull, "rb") as nothing,
        open(stdout if stdout is not None else os.devnull, "wb") as target,
    ):
        started = time.perf_counter()
        child = subprocess.Popen(
            command,
            env=env,
            stdin=nothing,
            stdout=captured if stdout is None else target,
            stderr=errors,
        )
        limit = threading.Timer(timeout_s, child.kill)  # wait4 itself has no time limit
        limit.start()
        try:
            _pid, status, usage = os.wait4(child.pid, 0)
        finally:
            limit.cancel()
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        captured.seek(0)
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
        if wall >= timeout_s:
            stderr += f"\nkilled after {timeout_s:g} s (the benchmark's time limit per command)"
        return Measured(
            returncode=child.returncode,
            wall_s=wall,
            cpu_s=usage.ru_utime + usage.ru_stime,
            peak_rss_mb=usage.ru_maxrss / 1024,
            stdout=captured.read().decode(errors="replace"),
            stderr=stderr,
        )
