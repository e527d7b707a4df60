"""End to end over a real socket: a store's key and secret appear in no output, log or local file.

Runs add, test, export, import and a failing test at ``--log-level debug`` (and ``--debug``)
against the sandbox store on a loopback port, then reads every byte woosync wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from woosync.sandbox import SandboxStore

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def served() -> Iterator[tuple[str, str, str]]:
    store = SandboxStore(seed=3)
    key, secret = store.create_key("read_write")
    with store.serve() as url:
        yield url, key, secret


def test_no_secret_in_output_logs_or_files(cli, tmp_path: Path, served) -> None:
    url, key, secret = served
    log_file = tmp_path / "run.log"
    env = {"WOOSYNC_CONSUMER_KEY": key, "WOOSYNC_CONSUMER_SECRET": secret}
    debug = ("--log-level", "debug")
    results = [
        cli(*debug, "connections", "add", "--name", "Main Retail Store", "--url", url, env=env),
        cli(*debug, "connections", "test"),
        cli("products", "load", str(EXAMPLES / "catalog.yaml")),
        cli("mappings", "apply", str(EXAMPLES / "mappings" / "retail.yaml")),
        cli(*debug, "export", "--all"),
        cli(*debug, "import", "--update-existing", "--log-file", str(log_file)),
        # a rejected secret, with tracebacks on: still nothing of either secret
        cli(
            *debug,
            "--debug",
            "connections",
            "test",
            "--url",
            url,
            env={"WOOSYNC_CONSUMER_KEY": key, "WOOSYNC_CONSUMER_SECRET": secret[:-4] + "XXXX"},
        ),
    ]
    assert [r.exit_code for r in results] == [0, 0, 0, 0, 0, 0, 5]
    text = "".join(r.stdout + r.stderr for r in results) + log_file.read_text()
    assert "GET" in text and "oauth_signature" in text  # the debug lines are there...
    for value in (key, secret, secret[:-4]):
        assert value not in text  # ...but not the secrets
    assert not re.search(r"oauth_signature=(?!REDACTED)", text)
    files = [path for path in (tmp_path / "woosync-home").rglob("*") if path.is_file()]
    assert tmp_path / "woosync-home" / "woosync.db" in files  # the scan reads woosync's files
    for path in files:
        data = path.read_bytes()
        assert key.encode() not in data and secret.encode() not in data, path
