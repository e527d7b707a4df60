"""``woosync connections test`` (the spec's *Test connection*) against stores mocked with pytest-httpx."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import httpx
import pytest
from pytest_httpx import HTTPXMock

from woosync.services.connections.probe import test_connection
from woosync.shapes.connections import connection_test_json

KEY = "ck_testtesttesttest1"
SECRET = "cs_testtesttesttest1"
ENV = {"WOOSYNC_CONSUMER_KEY": KEY, "WOOSYNC_CONSUMER_SECRET": SECRET}
INDEX = {
    "name": "My Store",
    "description": "",
    "url": "https://shop.example",
    "home": "https://shop.example",
    "namespaces": ["wp/v2", "wc/v3"],
}
STATUS = {"environment": {"version": "8.5.1", "wp_version": "6.4.2"}}
CANNOT_VIEW = {
    "code": "woocommerce_rest_cannot_view",
    "message": "Sorry, you cannot list resources.",
    "data": {"status": 401},
}

Route = Callable[[httpx.Request], httpx.Response]


def serve(httpx_mock: HTTPXMock, routes: dict[str, Route]) -> list[httpx.Request]:
    """Answer by path; remember every request."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return routes[request.url.path](request)

    httpx_mock.add_callback(answer, is_reusable=True)
    return seen


def healthy_store(httpx_mock: HTTPXMock) -> list[httpx.Request]:
    return serve(
        httpx_mock,
        {
            "/wp-json/": lambda _r: httpx.Response(200, json=INDEX),
            "/wp-json/wc/v3/system_status": lambda _r: httpx.Response(200, json=STATUS),
            "/wp-json/wc/v3/products/batch": lambda _r: httpx.Response(200, json=[]),
        },
    )


def basic_auth(key: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


SUCCESS = {
    "success": True,
    "message": "Connection successful",
    "storeInfo": {"wpVersion": "6.4.2", "wooVersion": "8.5.1", "storeName": "My Store"},
}


def test_test_url_before_saving_prints_the_spec_success_shape(cli, httpx_mock) -> None:
    seen = healthy_store(httpx_mock)
    result = cli("--json", "connections", "test", "--url", "https://shop.example/", env=ENV)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == SUCCESS
    api_calls = [r for r in seen if r.url.path.startswith("/wp-json/wc/v3")]
    assert api_calls and all(
        r.headers["Authorization"] == basic_auth(KEY, SECRET) for r in api_calls
    )
    assert "Authorization" not in seen[0].headers  # the site index is public
    assert cli("connections", "list", "--json").stdout.strip() == "[]"  # nothing saved


def test_test_saved_connection_and_default_use_the_stored_secrets(cli, httpx_mock) -> None:
    seen = healthy_store(httpx_mock)
    add = cli("connections", "add", "--name", "S", "--url", "https://shop.example", env=ENV)
    assert add.exit_code == 0
    for args in (["test", "1"], ["test"], ["test", "S"]):
        result = cli("--json", "connections", *args)
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout) == SUCCESS
    assert seen[-1].headers["Authorization"] == basic_auth(KEY, SECRET)
    human = cli("connections", "test")
    assert human.exit_code == 0
    assert "Connection successful" in human.stderr
    assert "My Store" in human.stdout and "6.4.2" in human.stdout and "8.5.1" in human.stdout


def test_test_failure_reports_the_store_code_and_message_and_exits_5(cli, httpx_mock) -> None:
    serve(
        httpx_mock,
        {
            "/wp-json/": lambda _r: httpx.Response(200, json=INDEX),
            "/wp-json/wc/v3/system_status": lambda _r: httpx.Response(401, json=CANNOT_VIEW),
            "/wp-json/wc/v3/products": lambda _r: httpx.Response(401, json=CANNOT_VIEW),
        },
    )
    result = cli("--json", "connections", "test", "--url", "https://shop.example", env=ENV)
    assert result.exit_code == 5
    body = json.loads(result.stdout)
    assert list(body) == ["success", "message"] and body["success"] is False
    assert body["message"].startswith(
        "Failed to connect to WooCommerce store: woocommerce_rest_cannot_view, "
        "Sorry, you cannot list resources."
    )
    human = cli("connections", "test", "--url", "https://shop.example", env=ENV)
    assert human.exit_code == 5 and human.stdout == ""
    assert "woocommerce_rest_cannot_view, Sorry, you cannot list resources." in human.stderr
    assert SECRET not in human.stderr and KEY not in human.stderr


def test_a_store_that_quotes_the_rejected_key_never_gets_it_shown(cli, httpx_mock) -> None:
    key, secret = "rejected-key-" + "5c6d7e8f", "rejected-secret-" + "1a2b3c4d"  # not ck_/cs_

    def quoting(request: httpx.Request) -> httpx.Response:
        # a security plugin (or proxy) answering with what it was sent
        sent = request.headers.get("Authorization", "")
        decoded = base64.b64decode(sent.split(" ", 1)[1]).decode() if sent else ""
        body = {"code": f"bad_key:{decoded}", "message": f"no such key {key}", "data": {}}
        return httpx.Response(401, json=body)

    serve(
        httpx_mock,
        {
            "/wp-json/": lambda _r: httpx.Response(200, json=INDEX),
            "/wp-json/wc/v3/system_status": quoting,
            "/wp-json/wc/v3/products": quoting,
        },
    )
    env = {"WOOSYNC_CONSUMER_KEY": key, "WOOSYNC_CONSUMER_SECRET": secret}
    url = ("--url", "https://shop.example")
    for root in (("--json",), ("--debug", "--log-level", "debug")):
        result = cli(*root, "connections", "test", *url, env=env)
        assert result.exit_code == 5
        assert "Failed to connect to WooCommerce store: bad_key:" in result.stdout + result.stderr
        for value in (key, secret):
            assert value not in result.stdout and value not in result.stderr


def test_test_html_page_instead_of_json(cli, httpx_mock) -> None:
    page = "<!DOCTYPE html><html><body>Welcome to my blog</body></html>"
    serve(
        httpx_mock,
        {
            "/wp-json/": lambda _r: httpx.Response(
                200, text=page, headers={"Content-Type": "text/html"}
            )
        },
    )
    result = cli("--json", "connections", "test", "--url", "https://shop.example", env=ENV)
    assert result.exit_code == 5
    message = json.loads(result.stdout)["message"]
    assert message.startswith("Failed to connect to WooCommerce store: ")
    assert "an HTML page instead of JSON" in message


def test_test_dns_error(cli, httpx_mock) -> None:
    httpx_mock.add_exception(httpx.ConnectError("[Errno -2] Name or service not known"))
    result = cli("connections", "test", "--url", "https://no-such-store.example", env=ENV)
    assert result.exit_code == 5
    assert "Failed to connect to WooCommerce store: cannot resolve host no-such-store.example" in (
        result.stderr
    )


def test_test_redirect_from_http_to_https(cli, httpx_mock) -> None:
    serve(
        httpx_mock,
        {
            "/wp-json/": lambda r: httpx.Response(
                301, headers={"Location": str(r.url.copy_with(scheme="https"))}
            )
        },
    )
    result = cli("--json", "connections", "test", "--url", "http://shop.example", env=ENV)
    assert result.exit_code == 5
    assert "redirects to https://shop.example" in json.loads(result.stdout)["message"]


@pytest.mark.parametrize(
    ("args", "env", "code", "message"),
    [
        (["--url", "https://shop.example"], {}, 2, "the consumer key is missing"),
        (["--url", "nope"], ENV, 2, "is not a store URL"),
        (["1", "--url", "https://shop.example"], ENV, 2, "not both"),
        (["7"], {}, 3, "connection 7 not found"),
        ([], {}, 3, "no active connections found"),
        (["1", "--insecure"], {}, 2, "are for --url"),
    ],
)
def test_test_usage_errors(cli, args, env, code, message) -> None:
    result = cli("connections", "test", *args, env=env)
    assert result.exit_code == code
    assert message in result.stderr


def test_test_saved_connection_without_secrets_is_exit_7(cli, memory_keyring) -> None:
    cli("connections", "add", "--name", "S", "--url", "https://shop.example", env=ENV)
    memory_keyring.entries.clear()
    result = cli("connections", "test", "1")
    assert result.exit_code == 7
    assert "WOOSYNC_CONN_1_CONSUMER_KEY" in result.stderr


def test_insecure_connection_warns_on_every_client(cli, httpx_mock, db_path, caplog) -> None:
    healthy_store(httpx_mock)
    cli("connections", "add", "--name", "S", "--url", "https://shop.example", "--insecure", env=ENV)
    result = cli("connections", "test", "1")
    assert result.exit_code == 0
    assert "TLS certificate verification is OFF for connection 1" in result.stderr


def test_service_test_connection_passes_client_options(httpx_mock) -> None:
    healthy_store(httpx_mock)
    result = test_connection("https://shop.example/wp-json/wc/v3", KEY, SECRET, timeout=5.0)
    assert connection_test_json(result) == SUCCESS
    timeouts = [request.extensions["timeout"] for request in httpx_mock.get_requests()]
    assert timeouts and all(
        t == dict.fromkeys(("connect", "read", "write", "pool"), 5.0) for t in timeouts
    )


def test_the_timeout_is_configurable_with_woosync_timeout(cli) -> None:
    from woosync.sandbox import Faults, SandboxStore

    store = SandboxStore(faults=Faults(latency_ms=500))
    key, secret = store.create_key("read_write")
    env = {"WOOSYNC_CONSUMER_KEY": key, "WOOSYNC_CONSUMER_SECRET": secret}
    with store.serve() as base_url:
        slow = cli(
            "connections",
            "test",
            "--url",
            base_url,
            env={**env, "WOOSYNC_TIMEOUT": "0.1", "WOOSYNC_RETRIES": "0"},  # no backing off
        )
        assert slow.exit_code == 5, slow.stderr
        assert "did not answer within 0.1 s" in slow.stderr
        assert "WOOSYNC_TIMEOUT" in slow.stderr  # the hint names the setting
        patient = cli("connections", "test", "--url", base_url, env={**env, "WOOSYNC_TIMEOUT": "5"})
        assert patient.exit_code == 0, patient.stderr
        cli("connections", "add", "--name", "S", "--url", base_url, env=env)
        saved = cli(
            "connections", "test", "S", env={"WOOSYNC_TIMEOUT": "0.1", "WOOSYNC_RETRIES": "0"}
        )
        assert saved.exit_code == 5 and "did not answer within 0.1 s" in saved.stderr
    for value in ("0", "-1", "soon", "nan", "inf"):
        bad = cli("connections", "test", "S", env={"WOOSYNC_TIMEOUT": value})
        assert bad.exit_code == 2, (value, bad.stderr)
        assert "WOOSYNC_TIMEOUT" in bad.stderr


def test_write_access_is_checked_with_an_empty_batch_that_changes_nothing(cli, httpx_mock) -> None:
    cannot_batch = {
        "code": "woocommerce_rest_cannot_batch",
        "message": "Sorry, you are not allowed to batch manipulate this resource.",
        "data": {"status": 403},
    }
    seen = serve(
        httpx_mock,
        {
            "/wp-json/": lambda _r: httpx.Response(200, json=INDEX),
            "/wp-json/wc/v3/system_status": lambda _r: httpx.Response(200, json=STATUS),
            "/wp-json/wc/v3/products/batch": lambda _r: httpx.Response(403, json=cannot_batch),
        },
    )
    result = cli("--json", "connections", "test", "--url", "https://shop.example", env=ENV)
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    assert {k: body[k] for k in SUCCESS} == SUCCESS
    assert body["warnings"] == [
        "the key can read but not write: woocommerce_rest_cannot_batch, Sorry, you are not "
        "allowed to batch manipulate this resource. (the key's WordPress user may not do this; "
        "use a key that belongs to an Administrator or Shop Manager)"
    ]
    writes = [r for r in seen if r.method != "GET"]
    assert [(r.method, r.url.path, json.loads(r.content)) for r in writes] == [
        ("POST", "/wp-json/wc/v3/products/batch", {})
    ]


def test_a_failed_write_check_is_reported_as_unknown(cli, httpx_mock, clock) -> None:
    # the 503s are retried: their back-off passes on woosync's clock, not in real time
    serve(
        httpx_mock,
        {
            "/wp-json/": lambda _r: httpx.Response(200, json=INDEX),
            "/wp-json/wc/v3/system_status": lambda _r: httpx.Response(200, json=STATUS),
            "/wp-json/wc/v3/products/batch": lambda _r: httpx.Response(
                503, text="<html>busy</html>", headers={"Content-Type": "text/html"}
            ),
        },
    )
    result = cli("connections", "test", "--url", "https://shop.example", env=ENV)
    assert result.exit_code == 0, result.stderr
    assert "could not check whether the key can write: the store answered an HTML page" in (
        result.stderr
    )


def test_add_with_test_adds_only_a_store_that_answers(cli, httpx_mock) -> None:
    answering = True

    def status(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200 if answering else 401, json=STATUS if answering else CANNOT_VIEW)

    serve(
        httpx_mock,
        {
            "/wp-json/": lambda _r: httpx.Response(200, json=INDEX),
            "/wp-json/wc/v3/system_status": status,
            "/wp-json/wc/v3/products": lambda _r: httpx.Response(401, json=CANNOT_VIEW),
            "/wp-json/wc/v3/products/batch": lambda _r: httpx.Response(200, json=[]),
        },
    )
    answering = False
    add = ["connections", "add", "--name", "S", "--url", "https://shop.example", "--test"]
    refused = cli(*add, env=ENV)
    assert refused.exit_code == 5 and refused.stdout == ""
    assert "woocommerce_rest_cannot_view" in refused.stderr
    assert "nothing was added" in refused.stderr and refused.stderr.count("\n") == 1
    assert SECRET not in refused.stderr and KEY not in refused.stderr
    assert cli("connections", "list", "--json").stdout.strip() == "[]"

    answering = True
    added = cli(*add, env=ENV)
    assert added.exit_code == 0, added.stderr
    assert "store 'My Store' answers (WordPress 6.4.2, WooCommerce 8.5.1)" in added.stderr
    assert [c["storeName"] for c in json.loads(cli("--json", "connections", "list").stdout)] == [
        "S"
    ]
