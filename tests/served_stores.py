"""Sandbox stores served on loopback ports, each a connection of one database, for tests that go
through the CLI: connection 1 is the default, the stores' keys are in the environment as the CLI
reads them (``WOOSYNC_CONN_<id>_CONSUMER_KEY``)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest

from woosync.db.engine import Database, open_database
from woosync.db.models import Connection
from woosync.sandbox import SandboxStore
from woosync.woo import WooClient


@contextmanager
def served_stores(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, count: int = 2
) -> Iterator[tuple[Database, list[SandboxStore], list[str]]]:
    """``count`` sandbox stores (seeds 1, 2, ...), served, named "Store 1", "Store 2" ...; the
    database open on them, and their URLs."""
    sandboxes = [SandboxStore(seed=number) for number in range(1, count + 1)]
    with ExitStack() as stack:
        urls = [stack.enter_context(sandbox.serve()) for sandbox in sandboxes]
        db = open_database(db_path)
        for number, (sandbox, url) in enumerate(zip(sandboxes, urls, strict=True), start=1):
            with db.session() as session:
                session.add(
                    Connection(store_name=f"Store {number}", store_url=url, is_default=number == 1)
                )
            key, secret = sandbox.create_key("read_write")
            monkeypatch.setenv(f"WOOSYNC_CONN_{number}_CONSUMER_KEY", key)
            monkeypatch.setenv(f"WOOSYNC_CONN_{number}_CONSUMER_SECRET", secret)
        try:
            yield db, sandboxes, urls
        finally:
            db.dispose()


def as_manager(store: SandboxStore, method: str, path: str, body: Any = None) -> Any:
    """A shop manager's request to ``store`` (a key of its own, no retries): GET with ``body``
    as its query, POST, PUT, or DELETE for good; the store's answer."""
    key, secret = store.create_key("read_write")
    with WooClient(store.home, key, secret, max_retries=0) as client:
        if method == "GET":
            return client.get(path, body)
        if method == "DELETE":
            return client.delete(path, {"force": "true"})
        return client.post(path, body) if method == "POST" else client.put(path, body)


def cli_json(result: Any) -> Any:
    """A CLI result's JSON, after checking the command succeeded."""
    assert result.exit_code == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def mapped_catalog(
    cli: Any, directory: Path, catalog: str, mappings: Mapping[str, Sequence[str]]
) -> None:
    """Export mappings (connection -> ``export-mapping create`` arguments after it) and the
    product file ``catalog`` (YAML) loaded."""
    for connection, arguments in mappings.items():
        made = cli("export-mapping", "create", connection, *arguments)
        assert made.exit_code == 0, made.stderr
    (directory / "catalog.yaml").write_text(catalog)
    loaded = cli("products", "load", str(directory / "catalog.yaml"))
    assert loaded.exit_code == 0, loaded.stderr
