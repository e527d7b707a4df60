"""A real WordPress 7.0.4 + WooCommerce 11.0.1 store for the tests in this folder.

The store is stood up once per test session by ``shared/realstore/setup.sh`` (beside the repository
clone; ``WOOSYNC_REALSTORE_SETUP=/path/to/setup.sh`` overrides) into a temporary directory (on the
tmpfs /dev/shm where there is one: see ``store_parent``) on a free loopback port, reset before every
test and stopped at the end. Every test here is marked ``realstore``; with ``-n 2`` they all run in
one worker and share one store (the scheduler in tests/conftest.py keeps this folder together).

``WOOSYNC_REALSTORE`` decides what happens when the store cannot be set up:
- ``require`` (CI): a failed setup is an error, with setup.sh's output and its logs;
- ``skip``: never set up a store, skip these tests;
- unset: try when running as root with setup.sh and the Debian packages present (setup.sh would
  install missing packages; that is left to ``require``), else skip, with one line saying why.

The fixture API for real-store tests (also for the tests other features add later):
- ``real_store`` (function scope): a :class:`RealStore`, freshly reset (the rows of the dump taken
  at setup put back in place: restore_sql.py): no products, terms or webhooks, an empty access
  log, the image server's download counts at zero. Its attributes and methods: ``url``, ``keys`` /
  ``read_only_keys`` (consumer key, secret), ``dir``, ``reset()``,
  ``api(read_only=False)`` (a raw httpx client signed with OAuth 1.0a, base URL ``.../wp-json/wc/v3``,
  answers returned as they are), ``woo()`` (woosync's own :class:`~woosync.woo.WooClient`),
  ``requests()`` / ``write_requests()`` (the REST API requests in the access log since the reset or the
  last ``mark()``, as ``LoggedRequest(method, path, status, params)``, OAuth parameters left out;
  write requests are POST, PUT, PATCH and DELETE), ``media_count()`` (attachments in the store's
  database), ``sql(query)`` and ``sql_script(statements)`` (MariaDB as root), ``run_queue()``
  (WooCommerce's queue once: webhook deliveries go out), and ``images``.
- ``real_store.images`` (an :class:`ImageServer` on a loopback port): ``url(name)`` for the
  generated images in ``IMAGE_NAMES`` (PNG and JPEG) and ``downloads(name)`` / ``total_downloads()``
  (how often the store fetched them).
- ``real_connection`` (function scope): the reset store added to woosync through the CLI as the
  default connection "Real Store"; returns the :class:`RealStore`.
- ``WOOSYNC_TIMEOUT`` is 120 s in these tests (a real store downloading images is slow on a busy
  2-core machine).
- ``realstore_support.py`` also has CLI helpers: ``add_product(cli, sku, price=, images=)``,
  ``export(cli, *args)`` (``--json export ... --fields name,sku,price,images``, checked),
  ``store_products_with_sku(store, sku, status="any")`` and ``woo_id(cli, product_id)``.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from realstore.realstore_support import (
    MODE,
    SETUP_TIMEOUT,
    ImageServer,
    RealStore,
    Session,
    free_port,
    reason_not_to_try,
    setup_report,
    setup_script,
    store_parent,
)

HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of this folder ``realstore``, before ``-m`` selects by marks."""
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.realstore)


SKIP_PREFIX = "real WooCommerce store not set up"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, object, object]:
    """Give every "store not set up" skip one location, so ``-ra`` says it once for all files."""
    report = yield
    longrepr = getattr(report, "longrepr", None)
    if isinstance(longrepr, tuple) and SKIP_PREFIX in str(longrepr[2]):
        report.longrepr = (str(HERE), None, longrepr[2])  # type: ignore[attr-defined]
    return report


@pytest.fixture(scope="session")
def real_store_session() -> Iterator[Session]:
    """Sets the store up once (or says why not); stops it and removes its directory at the end."""
    if MODE not in ("", "require", "skip"):
        yield Session(failure=f"WOOSYNC_REALSTORE={MODE}: use require, skip, or leave it unset")
        return
    script = setup_script()
    reason = reason_not_to_try(script)
    if reason is not None:
        if MODE == "require":
            yield Session(failure=f"WOOSYNC_REALSTORE=require, but {reason}")
        else:
            yield Session(skip_reason=f"{SKIP_PREFIX}: {reason}")
        return
    directory = Path(tempfile.mkdtemp(prefix="woosync-realstore-", dir=store_parent()))
    directory.chmod(0o755)
    images = ImageServer()
    session = Session()
    try:
        try:
            done = subprocess.run(
                [str(script), str(directory), str(free_port())],
                capture_output=True,
                text=True,
                timeout=SETUP_TIMEOUT,
            )
            output, ok = done.stdout + done.stderr, done.returncode == 0
        except subprocess.TimeoutExpired as timed_out:
            output, ok = f"setup.sh did not finish in {SETUP_TIMEOUT} s: {timed_out}", False
        if ok:
            session.store = RealStore(directory, images)
        elif MODE == "require":
            session.failure = "setup.sh failed:\n" + setup_report(directory, output)
        else:
            last = output.strip().splitlines()[-1:] or ["no output"]
            session.skip_reason = (
                f"{SKIP_PREFIX}: setup.sh failed ({last[0]}); "
                "WOOSYNC_REALSTORE=require shows its logs"
            )
        yield session
    finally:
        stop = directory / "stop.sh"
        if stop.exists():
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                subprocess.run([str(stop)], capture_output=True, timeout=60)
        images.close()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def real_store(
    real_store_session: Session, monkeypatch: pytest.MonkeyPatch, isolated: object
) -> RealStore:
    """The store, reset: no products, an empty access log (see the module docstring)."""
    session = real_store_session
    if session.skip_reason:
        pytest.skip(session.skip_reason)
    if session.failure:
        if session.failure_shown:
            pytest.fail("the real store could not be set up (see the first error)", pytrace=False)
        session.failure_shown = True
        pytest.fail(session.failure, pytrace=False)
    assert session.store is not None
    monkeypatch.setenv("WOOSYNC_TIMEOUT", "120")
    session.store.reset()
    return session.store


@pytest.fixture
def real_connection(real_store: RealStore, cli) -> RealStore:  # type: ignore[no-untyped-def]
    """The reset store as woosync's default connection "Real Store" (secrets in the test keyring)."""
    key, secret = real_store.keys
    added = cli(
        "connections", "add", "--name", "Real Store", "--url", real_store.url, "--default",
        env={"WOOSYNC_CONSUMER_KEY": key, "WOOSYNC_CONSUMER_SECRET": secret},
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    return real_store
