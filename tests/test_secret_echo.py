"""Stores (or proxies) that quote the request back: no form of any secret reaches output, logs or files.

Every store-facing command runs against :mod:`echo_store` answering 200 (the echo in every text
field), 401 and 500 (the echo as the error message) and a 500 HTML page, over HTTP (OAuth 1.0a in
the query string) and HTTPS (Basic auth), at ``--log-level debug`` with ``--log-file``. Then
stdout, stderr, the log file and every file in the data directory (the database with its -wal and
-shm, the lock files) are searched for the key, the consumer secret and the webhook secret —
raw, URL-encoded, JSON-escaped — ``base64(key:secret)`` and the whole ``Authorization`` value, and
every OAuth signature the store received.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from echo_store import TLS, EchoState, echo_store

# Not shaped like ck_/cs_ tokens (the scrubber's pattern must not be what hides a leak), and with
# characters that URL-encoding and base64 change.
KEY = "key+/echo0123456789abcdef"
SECRET = "secret/+=echo9876543210fedc"
WEBHOOK = "hook:secret/echo+42"
PRODUCTS = [
    {"sku": "ECHO-A", "name": "Alpha", "price": "1.00"},
    {"sku": "ECHO-B", "name": "Beta", "price": "2.00"},
]


# woosync's clock stands still and a pause after a failed batch returns at once (conftest's clock)
pytestmark = pytest.mark.usefixtures("clock")


def forms(value: str) -> set[str]:
    found = {value, quote(value, safe=""), quote_plus(value, safe=""), quote(value)}
    found |= {form.replace("/", "\\/") for form in found}
    found |= {json.dumps(value)[1:-1]}
    return found


def secret_forms(state: EchoState) -> set[str]:
    pair = base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    found = forms(KEY) | forms(SECRET) | forms(WEBHOOK) | forms(pair) | forms(f"Basic {pair}")
    for signature in state.signatures:
        found |= forms(signature)
    for header in state.authorizations:
        found |= forms(header)
    return found


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_no_form_of_a_secret_survives_a_store_that_echoes_the_request(
    cli, tmp_path: Path, scheme: str
) -> None:
    log_file = tmp_path / "cron.log"
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(PRODUCTS))
    env = {
        "WOOSYNC_CONSUMER_KEY": KEY,
        "WOOSYNC_CONSUMER_SECRET": SECRET,
        "WOOSYNC_WEBHOOK_SECRET": WEBHOOK,
        "WOOSYNC_RETRIES": "0",
    }
    debug = ("--log-level", "debug")
    logged = ("--log-file", str(log_file))
    fields = ("--fields", "name,sku,price")
    with echo_store(scheme) as (url, state):
        tls = ("--ca-bundle", str(TLS / "cert.pem")) if scheme == "https" else ()
        results = [
            cli(*debug, "connections", "add", "--name", "Echo", "--url", url, *tls, env=env),
            cli("products", "load", str(catalog)),
            cli(*debug, "export", "--all", *fields, *logged, env=env),  # links ECHO-A
        ]
        assert [r.exit_code for r in results] == [0, 0, 1], results[-1].stderr[-1500:]  # B fails
        commands = [
            ("connections", "test"),
            ("connections", "test", "--url", url, *tls),
            ("export", "--all", "--dry-run", *fields, *logged),
            ("export", "--all", *fields, *logged),
            ("--json", "update", "--product", "1", *fields, *logged),
            ("import", "--dry-run", *logged),
            ("import", "--update-existing", "--quiet", *logged),
        ]
        # an HTML page is quoted nowhere, but its route through the client differs: once is enough
        modes = ("401", "500", "500-html", "200") if scheme == "http" else ("401", "500", "200")
        for mode in modes:
            state.mode = mode
            for command in commands:
                result = cli(*debug, *command, env=env)
                assert "internal error" not in result.stderr, (mode, command, result.stderr)
                results.append(result)
        results.append(cli(*debug, "delete", "--product", "1", "--yes", *logged, env=env))
        # the debug switch too: tracebacks are scrubbed as well
        state.mode = "500"
        results.append(cli(*debug, "--debug", "connections", "test", env=env))

    text = "".join(r.stdout + r.stderr for r in results) + log_file.read_text()
    assert "Echo" in text and "REDACTED" in text  # the echoes were seen, and scrubbed
    assert state.signatures if scheme == "http" else state.authorizations
    leaks = {form for form in secret_forms(state) if form in text}
    assert not leaks, leaks
    files = [p for p in (tmp_path / "woosync-home").rglob("*") if p.is_file()]
    assert tmp_path / "woosync-home" / "woosync.db" in files
    for path in files:
        data = path.read_bytes()
        leaked = {form for form in secret_forms(state) if form.encode() in data}
        assert not leaked, (path, leaked)
