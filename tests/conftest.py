"""Every test runs in its own data directory with an in-memory keyring and plain, wide output.

The fixtures the test modules share live here, once: ``clock`` (woosync's time, moved by hand),
``lock_waits``, ``db``, ``db_pair``, ``cli`` and ``memory_keyring``."""

from __future__ import annotations

import functools
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
import typer
from keyring.backend import KeyringBackend
from typer.testing import CliRunner, Result

from manual_clock import ManualClock
from queued_runs import lock_waits as watch_lock_waits
from woosync.cli.app import app
from woosync.core.logging import forget_secrets
from woosync.core.timeutil import use_clock
from woosync.db.engine import Database, open_database
from woosync.db.models import Connection

MEMORY_DISK = Path("/dev/shm")
# a container's /dev/shm is often 64 MB: too small for the databases (and the store's MariaDB)
MEMORY_DISK_NEEDS = 1 << 30


def pytest_configure(config: pytest.Config) -> None:
    """Temporary directories (``tmp_path``, so every test's database) in memory where the machine
    has a tmpfs at /dev/shm: SQLite syncs the file at each migration step and WAL checkpoint, which
    costs a test tens of milliseconds waiting on a real disk. ``PYTEST_DEBUG_TEMPROOT`` (pytest's
    own setting) or ``--basetemp`` given by hand still win; the files are the same files."""
    if config.option.basetemp or os.environ.get("PYTEST_DEBUG_TEMPROOT"):
        return
    if (
        MEMORY_DISK.is_dir()
        and os.access(MEMORY_DISK, os.W_OK | os.X_OK)
        and shutil.disk_usage(MEMORY_DISK).free >= MEMORY_DISK_NEEDS
    ):
        os.environ["PYTEST_DEBUG_TEMPROOT"] = str(MEMORY_DISK)


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps secrets in a dict (tests only)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # keyring leaves it untyped
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if (service, username) not in self.entries:
            raise PasswordDeleteError(username)
        del self.entries[(service, username)]


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    for name in list(os.environ):
        if name.startswith("WOOSYNC_") or name == "LOG_LEVEL":
            monkeypatch.delenv(name, raising=False)
    home = tmp_path / "woosync-home"
    monkeypatch.setenv("WOOSYNC_HOME", str(home))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("TERM", "dumb")
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
    forget_secrets()  # each test starts as a new process would, with no secret registered


@pytest.fixture
def memory_keyring(isolated: MemoryKeyring) -> MemoryKeyring:
    return isolated


@pytest.fixture
def clock() -> Iterator[ManualClock]:
    """woosync's clock for this test (every service and thread reads it): time stands still until
    the test moves it, and a pause (a retry's back-off) returns at once, moving it on."""
    manual = ManualClock()
    with use_clock(manual):
        yield manual


@pytest.fixture
def lock_waits() -> Iterator[threading.Event]:
    """Set once a run (any thread, the CLI included) starts waiting for a store lock that another
    run holds: a test holding a lock releases it on this event instead of sleeping."""
    with watch_lock_waits() as event:
        yield event


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "woosync-home" / "woosync.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    """The test's database (migrated, empty) at the CLI's default path, closed at the end. Modules
    whose tests need connections or products in it override this fixture."""
    opened = open_database(db_path)
    yield opened
    opened.dispose()


@pytest.fixture
def db_pair(tmp_path: Path) -> Iterator[tuple[Database, Database]]:
    """Two fresh databases holding the same connection 1, for tests that compare how rows are
    written (one way, then another)."""
    pair = (open_database(tmp_path / "first.db"), open_database(tmp_path / "second.db"))
    for each in pair:
        with each.session() as session:
            session.add(Connection(id=1, store_name="Retail", store_url="https://shop.test"))
    yield pair
    for each in pair:
        each.dispose()


@functools.cache
def woosync_command() -> Any:  # Typer's vendored Click Command
    """The Click command tree of ``woosync``, built once per test process.

    ``CliRunner.invoke(app, ...)`` rebuilds it from the Typer app on every call (some 30 ms, most of
    a quick command's time); the tree holds no state between runs (each run gets its own Click
    context), so every test's ``cli`` runs the same one."""
    return typer.main.get_command(app)


class Cli:
    """Runs ``woosync`` in-process; stdout and stderr stay separate.

    As ``CliRunner.invoke(app, args, catch_exceptions=False)`` does, on the command tree built once
    (:func:`woosync_command`): an exception other than ``SystemExit`` propagates to the test."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(
        self, *args: str, input: str | None = None, env: dict[str, str] | None = None
    ) -> Result:
        command = woosync_command()
        exit_code: int = 0
        exception: BaseException | None = None
        exc_info: Any = None
        with self.runner.isolation(input=input, env=env) as (stdout, stderr, output):
            try:
                command.main(args=list(args), prog_name=self.runner.get_default_prog_name(command))
            except SystemExit as exit:
                exc_info = sys.exc_info()
                code: Any = 0 if exit.code is None else exit.code
                if code != 0:
                    exception = exit
                if not isinstance(code, int):
                    sys.stdout.write(f"{code}\n")
                    code = 1
                exit_code = code
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                written = (stdout.getvalue(), stderr.getvalue(), output.getvalue())
        return Result(
            runner=self.runner,
            stdout_bytes=written[0],
            stderr_bytes=written[1],
            output_bytes=written[2],
            return_value=None,
            exit_code=exit_code,
            exception=exception,
            exc_info=exc_info,
        )


@pytest.fixture
def cli() -> Cli:
    return Cli()


@pytest.hookimpl(optionalhook=True)  # pytest-xdist may not be installed
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """With ``-n``, every test in tests/realstore goes to the same worker, so one real store is set up
    per run; the other tests are spread one by one as usual. (xdist's own ``--dist loadgroup`` does
    not group with pytest 9, which ignores the node ids it rewrites.)"""
    if config.getoption("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class RealStoreInOneWorker(LoadScopeScheduling):  # type: ignore[misc]  # xdist is untyped
        def _split_scope(self, nodeid: str) -> str:
            return "tests/realstore" if nodeid.startswith("tests/realstore/") else nodeid

    return RealStoreInOneWorker(config, log)
