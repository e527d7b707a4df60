"""Helpers for tests of runs that queue behind each other (no tests here): a transport that pauses a
run at a known request, a run in a thread, and an event for "this run now waits for the lock"."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

import httpx

from woosync.core.locks import store_lock
from woosync.db.engine import Database
from woosync.db.models import Connection
from woosync.sandbox import SandboxStore
from woosync.woo import WooClient

WAIT = 30.0  # seconds; every wait below ends on an event long before this


class Gate(httpx.BaseTransport):
    """In-process transport to a sandbox that holds the first request ``stop_at`` accepts until
    :attr:`go` is set (:attr:`held` says it got there): a run paused at a known point."""

    def __init__(self, sandbox: SandboxStore, stop_at: Callable[[httpx.Request], bool]) -> None:
        self.inner = httpx.WSGITransport(app=sandbox.wsgi_app)
        self.stop_at = stop_at
        self.held = threading.Event()
        self.go = threading.Event()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not self.held.is_set() and self.stop_at(request):
            self.held.set()
            assert self.go.wait(WAIT), "the test never let the paused run go on"
        return self.inner.handle_request(request)


def client_for(sandbox: SandboxStore, transport: httpx.BaseTransport | None = None) -> WooClient:
    key, secret = sandbox.create_key("read_write")
    return WooClient(
        "http://store.test",
        key,
        secret,
        transport=transport or httpx.WSGITransport(app=sandbox.wsgi_app),
        sleep=lambda _seconds: None,
    )


class Waiting(logging.Handler):
    """Set once a run says it waits for another run's lock (after its first try failed)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.event = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if "waiting up to" in record.getMessage():
            self.event.set()


@contextmanager
def lock_waits() -> Iterator[threading.Event]:
    """An event set when a run starts waiting for the store lock another run holds."""
    logger = logging.getLogger("woosync.lock")
    handler, level = Waiting(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler.event
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@contextmanager
def lock_held_until_queued(
    connection_id: int, lock_waits: threading.Event, **where: Any
) -> Iterator[None]:
    """Another run (a thread) holds the store's lock when the block starts, and lets it go only
    once a run queues behind it (``lock_waits``), or when the block ends. Never on a timer: a
    holder that let go after a few seconds would, on a loaded machine, let a slow run in at its
    first try, and the run would never have queued. ``where``: ``store_lock``'s ``database`` or
    ``directory``."""
    held = threading.Event()

    def hold() -> None:
        with store_lock(connection_id, **where):
            held.set()
            lock_waits.wait()  # set by the queued run, or by the end of the block

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    try:
        assert held.wait(WAIT), "the holder never took the lock"
        yield
    finally:
        lock_waits.set()  # a run that never queued must not leave the holder waiting
        holder.join(WAIT)
    assert not holder.is_alive(), "the holder never let the lock go"


def connection(db: Database, name: str = "Retail", url: str = "http://store.test") -> int:
    with db.session() as session:
        conn = Connection(store_name=name, store_url=url)
        session.add(conn)
        session.flush()
        assert conn.id is not None
        return conn.id


class Run(threading.Thread):
    """A service call in a thread; :meth:`outcome` gives its result or raises its error."""

    def __init__(self, call: Callable[[], dict[str, Any]]) -> None:
        super().__init__(daemon=True)
        self.call = call
        self.result: dict[str, Any] | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.call()
        except BaseException as exc:  # handed to the test thread by outcome()
            self.error = exc

    def outcome(self) -> dict[str, Any]:
        self.join(WAIT)
        assert not self.is_alive(), "the run did not finish"
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


def is_listing(request: httpx.Request) -> bool:
    return request.method == "GET" and request.url.path.endswith("/products")


def is_batch(request: httpx.Request) -> bool:
    return request.method == "POST" and request.url.path.endswith("/products/batch")


class Pausing(Protocol):
    """A transport that pauses a run (:class:`Gate`, or one to a real store)."""

    held: threading.Event
    go: threading.Event


def queue_behind(first: Run, gate: Pausing, second: Run, lock_waits: threading.Event) -> None:
    """Start ``first`` and pause it holding the store's lock, start ``second`` and let it queue
    behind (it read whatever it reads before waiting), then let ``first`` finish."""
    first.start()
    assert gate.held.wait(WAIT)
    second.start()
    assert lock_waits.wait(WAIT)
    gate.go.set()
