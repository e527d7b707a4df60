"""TLS and the network for real, on loopback: certificate checks, CA bundles, SSL_CERT_FILE, refusals."""

from __future__ import annotations

import base64
import json
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from woo.woo_helpers import KEY, SECRET
from woosync.woo import WooClient, WooTransportError
from woosync.woo.tls import no_tls

TLS = Path(__file__).resolve().parent.parent / "fixtures" / "tls"


class Handler(BaseHTTPRequestHandler):
    """Answers like a store that only accepts the right Basic credentials."""

    def do_GET(self) -> None:
        expected = "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
        if self.headers.get("Authorization") == expected:
            status, body = 200, json.dumps([{"id": 1}])
        else:
            status, body = (
                401,
                json.dumps({"code": "woocommerce_rest_cannot_view", "message": "No."}),
            )
        payload = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture(scope="module")
def certificate() -> tuple[Path, Path]:
    """A committed self-signed certificate for 127.0.0.1 (valid until 2126): no openssl tool needed."""
    return TLS / "cert.pem", TLS / "key.pem"


@pytest.fixture(scope="module")
def tls_store(certificate: tuple[Path, Path]) -> Iterator[str]:
    cert, key = certificate
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_an_unknown_certificate_is_refused_plainly_and_not_retried(
    tls_store: str, make_client: Callable[..., WooClient], sleeps: list[float]
) -> None:
    client = make_client(tls_store, timeout=5.0)

    with pytest.raises(WooTransportError) as raised:
        client.get("/products")

    assert "TLS certificate of 127.0.0.1" in str(raised.value)
    assert "could not be verified" in str(raised.value)
    assert "CA bundle" in str(raised.value) and "self-signed" in str(raised.value)
    assert sleeps == []
    assert client.stats.requests == 1


def test_a_ca_bundle_makes_the_certificate_trusted(
    tls_store: str, certificate: tuple[Path, Path], make_client: Callable[..., WooClient]
) -> None:
    client = make_client(tls_store, verify=str(certificate[0]), timeout=5.0)
    assert client.get("/products") == [{"id": 1}]


def test_ssl_cert_file_is_honoured(
    tls_store: str,
    certificate: tuple[Path, Path],
    make_client: Callable[..., WooClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    assert make_client(tls_store, timeout=5.0).get("/products") == [{"id": 1}]


def test_verification_can_be_turned_off(
    tls_store: str, make_client: Callable[..., WooClient]
) -> None:
    assert make_client(tls_store, verify=False, timeout=5.0).get("/products") == [{"id": 1}]


def test_an_unreadable_ca_bundle_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.pem"
    with pytest.raises(WooTransportError, match="cannot load the CA bundle"):
        WooClient("https://shop.example", KEY, SECRET, verify=str(missing))


def test_a_refused_connection_is_reported_after_retries(
    make_client: Callable[..., WooClient], sleeps: list[float]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there

    with pytest.raises(WooTransportError, match=f"connection to 127.0.0.1:{port} refused"):
        make_client(f"http://127.0.0.1:{port}", max_retries=2).get("/products")
    assert len(sleeps) == 2


def test_a_plain_http_store_loads_no_trusted_roots_and_its_tls_fails_closed(
    tls_store: str, make_client: Callable[..., WooClient]
) -> None:
    """A plain-http store's client never talks TLS (its requests all go to the store's http
    address), so it does not load the trusted roots (20-40 ms a client); the context it has
    instead still refuses any certificate, rather than trusting one unverified."""
    plain = make_client("http://127.0.0.1:9", timeout=5.0)
    context = plain._http._transport._pool._ssl_context  # type: ignore[attr-defined]
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 0
    with (
        httpx.Client(verify=no_tls(), timeout=5.0) as raw,
        pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        raw.get(tls_store + "/products")
    secure = make_client(tls_store, timeout=5.0)
    roots = secure._http._transport._pool._ssl_context  # type: ignore[attr-defined]
    assert roots.cert_store_stats()["x509_ca"] > 0  # https: the system/certifi roots, as before


def test_the_trusted_roots_are_loaded_once_per_process_for_each_setting(
    certificate: tuple[Path, Path],
    make_client: Callable[..., WooClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Loading the roots takes 20-40 ms: every https client of a run over several stores shares
    one context; another ``SSL_CERT_FILE`` is another context, and a CA bundle its own."""
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)

    def context(client: WooClient) -> ssl.SSLContext:
        return client._http._transport._pool._ssl_context  # type: ignore[attr-defined]

    first, second = make_client("https://one.example"), make_client("https://two.example")
    assert context(first) is context(second)
    assert context(first).cert_store_stats()["x509_ca"] > 1  # certifi's many roots

    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    own = context(make_client("https://three.example"))
    assert own is not context(first) and own.cert_store_stats()["x509_ca"] == 1
    bundle = context(make_client("https://four.example", verify=str(certificate[0])))
    assert bundle is not own and bundle.cert_store_stats()["x509_ca"] == 1
