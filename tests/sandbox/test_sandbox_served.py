"""The sandbox on a real loopback socket: threads, dropped and stalled connections, persistence."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from woosync.sandbox import Faults, SandboxStore

Client = Callable[..., httpx.Client]


def test_served_store_handles_concurrent_signed_requests(served_client: Client) -> None:
    store = SandboxStore(seed=2, faults=Faults(latency_ms=400))
    store.seed_products(12)
    key, secret = store.create_key()
    with store.serve() as base_url, served_client(base_url, key, secret) as api:
        assert base_url.startswith("http://127.0.0.1:")
        started = time.perf_counter()
        with ThreadPoolExecutor(4) as pool:
            pages = list(
                pool.map(
                    lambda p: api.get("/products", params={"per_page": 3, "page": p}), range(1, 5)
                )
            )
        elapsed = time.perf_counter() - started
        assert [r.status_code for r in pages] == [200] * 4
        assert sorted(p["id"] for r in pages for p in r.json()) == sorted(store.products)
        # four 400 ms requests one after another take at least 1.6 s, so anything under that proves
        # they overlapped; the whole margin is left to a loaded machine
        assert elapsed < 1.55
        assert pages[0].headers["Link"].startswith(f"<{base_url}/wp-json/wc/v3/products?")


def test_drop_and_stall_close_the_socket(served_client: Client) -> None:
    client_timeout = 0.3
    store = SandboxStore(faults=Faults(drop_rate=1.0))
    key, secret = store.create_key()
    with (
        store.serve() as base_url,
        served_client(base_url, key, secret, timeout=client_timeout) as api,
    ):
        with pytest.raises(httpx.RemoteProtocolError):
            api.get("/products")
        store.faults = Faults(stall_rate=1.0, stall_seconds=client_timeout * 3)
        with pytest.raises(httpx.ReadTimeout):
            api.post("/products", json={"name": "slow", "sku": "SLOW"})
        store.faults = Faults()
        assert api.get("/products", params={"sku": "SLOW"}).json()[0]["sku"] == "SLOW"


def test_connections_are_kept_alive_between_requests(served_client: Client) -> None:
    """One TCP connection carries many requests, as behind nginx or Apache: a benchmark against
    the sandbox must not charge the client a connect per request. A refused request whose body
    the store never read leaves nothing behind for the next one on the same connection; stopping
    the store ends the connections still open."""
    store = SandboxStore(seed=3)
    store.seed_products(3)
    key, secret = store.create_key()
    peers: set[Any] = set()

    def track(request: httpx.Request) -> None:
        request.extensions["trace"] = lambda name, info: (
            peers.add(id(info["return_value"]))
            if name == "connection.connect_tcp.complete"
            else None
        )

    with store.serve() as base_url:
        with served_client(base_url, key, secret) as api:
            api.event_hooks["request"].append(track)
            for _ in range(5):
                assert api.get("/products").status_code == 200
            answer = api.post("/products", json={"name": "Kept", "sku": "KEPT"})
            assert answer.status_code == 201
            assert api.get("/products", params={"sku": "KEPT"}).json()[0]["sku"] == "KEPT"
            assert len(peers) == 1
        with httpx.Client(base_url=base_url) as anonymous:
            refused = anonymous.post("/wp-json/wc/v3/products", content=b'{"name": "x"}' * 1000)
            assert refused.status_code == 401
            assert anonymous.get("/wp-json/").status_code == 200
            assert refused.http_version == "HTTP/1.1"
    with httpx.Client() as late, pytest.raises(httpx.ConnectError):
        late.get(f"{base_url}/wp-json/")


def test_data_file_keeps_the_store_between_runs(tmp_path: Path, served_client: Client) -> None:
    data = tmp_path / "sandbox.json"
    with SandboxStore(data_file=data) as first:
        key, secret = first.create_key()
        with first.serve() as base_url, served_client(base_url, key, secret) as api:
            assert api.post("/products", json={"name": "Kept", "sku": "KEEP"}).status_code == 201
            api.post("/products/attributes", json={"name": "Color"})
    assert json.loads(data.read_text())["format"] == 1
    with SandboxStore(data_file=data) as second:
        assert second.find_sku("KEEP") is not None
        with second.serve() as base_url, served_client(base_url, key, secret) as api:
            dup = api.post("/products", json={"name": "Again", "sku": "KEEP"})
            assert dup.json()["code"] == "product_invalid_sku"
            assert api.post("/products", json={"name": "New"}).json()["id"] == 11


def test_cli_serve_prints_a_working_url_and_key(tmp_path: Path, served_client: Client) -> None:
    from served_child import read_until_serving, served, stop

    args = ["--json", "sandbox", "serve", "--port", "0", "--products", "3", "--seed", "4"]
    with served(tmp_path, *args) as child:
        assert child.stdout is not None
        shown = read_until_serving(child)
        lines = [child.stdout.readline()]
        while lines[-1] and lines[-1].rstrip() != "}":
            lines.append(child.stdout.readline())
        started = json.loads("".join(lines))
        with served_client(
            started["url"], started["consumerKey"], started["consumerSecret"]
        ) as api:
            listed = api.get("/products")
            assert listed.headers["X-WP-Total"] == "3"
        _, stderr = stop(child)
    assert child.returncode == 0, stderr
    assert "woosync connections add" in shown and "stopped" in stderr


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_cli_serve_stops_on_a_signal_even_when_started_with_sigint_ignored(
    tmp_path: Path, signum: int
) -> None:
    """A script's ``woosync sandbox serve &`` starts with SIGINT ignored: Ctrl-C (kill -INT) and
    kill (SIGTERM) must stop it all the same, saving the data file."""
    from served_child import read_until_serving, served, stop

    data = tmp_path / "store.json"
    with served(
        tmp_path,
        *("sandbox", "serve", "--port", "0", "--products", "2", "--data", str(data)),
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    ) as child:
        read_until_serving(child)
        _, stderr = stop(child, signum)
    assert child.returncode == 0, stderr
    assert "Sandbox store stopped." in stderr and "Traceback" not in stderr
    assert data.exists()


def test_connections_add_and_test_against_the_sandbox_on_a_real_port(cli: Any) -> None:
    store = SandboxStore(store_name="Rehearsal Store")
    key, secret = store.create_key("read")
    with store.serve() as base_url:
        env = {"WOOSYNC_CONSUMER_KEY": key, "WOOSYNC_CONSUMER_SECRET": secret}
        added = cli("connections", "add", "--name", "Sandbox", "--url", base_url, env=env)
        assert added.exit_code == 0, added.stderr
        tested = cli("--json", "connections", "test", "Sandbox")
        assert tested.exit_code == 0, tested.stderr
        result = json.loads(tested.stdout)
        human = cli("connections", "test", "Sandbox")
        assert human.exit_code == 0, human.stderr
        assert "Connection successful" in human.stderr
        assert "the key can read but not write" in human.stderr
    assert result["success"] is True
    assert result["storeInfo"]["storeName"] == "Rehearsal Store"
    assert (result["storeInfo"]["wpVersion"], result["storeInfo"]["wooVersion"]) == (
        "7.0.4",
        "11.0.1",
    )
    assert store.stats.by_route[("GET", "/wc/v3/system_status")] >= 1
    # a read-only key: the test succeeds (it can read) but says it cannot write, and why
    assert result["warnings"] == [
        "the key can read but not write: woocommerce_rest_authentication_error, The API key "
        "provided does not have write permissions. (create a key with Read/Write permission in "
        "WooCommerce > Settings > Advanced > REST API)"
    ]
    assert store.stats.by_status.get(401, 0) == 2  # the write checks; every read was signed well


def test_connections_test_checks_write_access_without_writing(cli: Any) -> None:
    store = SandboxStore()
    store.seed_products(2)
    key, secret = store.create_key("read_write")
    with store.serve() as base_url:
        env = {"WOOSYNC_CONSUMER_KEY": key, "WOOSYNC_CONSUMER_SECRET": secret}
        tested = cli("--json", "connections", "test", "--url", base_url, env=env)
        human = cli("connections", "test", "--url", base_url, env=env)
    assert tested.exit_code == 0, tested.stderr
    assert "warnings" not in json.loads(tested.stdout)
    assert human.exit_code == 0 and "write" not in human.stderr
    assert store.stats.by_route[("POST", "/wc/v3/products/batch")] == 2
    assert store.stats.items_written == 0 and len(store.products) == 2
