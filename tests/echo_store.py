"""A small fake store on loopback that quotes every request back: a proxy or a debug plugin that
echoes the method, URL (OAuth parameters included), headers (``Authorization`` included) and body.

``mode`` picks the answer: ``200`` (a store just good enough for every command, with the echo in
every text field it sends), ``401`` or ``500`` (an error whose message is the echo), ``500-html``
(an HTML error page quoting it). JSON is written the way PHP writes it (``/`` escaped as ``\\/``).
Over HTTPS it uses the committed test certificate (``tests/fixtures/tls``).
"""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

TLS = Path(__file__).resolve().parent / "fixtures" / "tls"
API = "/wp-json/wc/v3"


class EchoState:
    def __init__(self) -> None:
        self.mode = "200"
        self.signatures: set[str] = set()  # every oauth_signature received, as sent
        self.authorizations: set[str] = set()  # every Authorization header received
        self.lock = threading.Lock()


def _product(product_id: int, echo: str) -> dict[str, Any]:
    return {
        "id": product_id,
        "sku": f"ECHO-{product_id}",
        "name": f"Echo {echo}",
        "type": "simple",
        "status": "publish",
        "description": echo,
        "short_description": "",
        "regular_price": "1.00",
        "sale_price": "",
        "categories": [],
        "tags": [],
        "images": [],
        "attributes": [],
        "meta_data": [],
        "date_modified_gmt": "2025-01-01T00:00:00",
        "date_created_gmt": "2025-01-01T00:00:00",
    }


def _handler(state: EchoState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _echo(self, body: bytes) -> str:
            headers = "; ".join(f"{k}: {v}" for k, v in self.headers.items())
            return f"{self.command} {self.path} | {headers} | body: {body.decode(errors='replace')}"

        def _answer(self, status: int, payload: Any, *, html: bool = False) -> None:
            if html:
                data = f"<html><body><pre>{payload}</pre></body></html>".encode()
                kind = "text/html"
            else:
                data = json.dumps(payload).replace("/", "\\/").encode()
                kind = "application/json"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            total = len(payload) if isinstance(payload, list) else 1
            self.send_header("X-WP-Total", str(total))
            self.send_header("X-WP-TotalPages", "1")
            self.end_headers()
            self.wfile.write(data)

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            query = dict(parse_qsl(parts.query))
            with state.lock:
                if "oauth_signature" in query:
                    state.signatures.add(query["oauth_signature"])
                if self.headers.get("Authorization"):
                    state.authorizations.add(self.headers["Authorization"])
                mode = state.mode
            echo = self._echo(body)
            if mode == "401":
                message = {"code": "woocommerce_rest_cannot_view", "message": echo}
                self._answer(401, message | {"data": {"status": 401, "request": echo}})
            elif mode == "500":
                message = {"code": "internal_server_error", "message": echo}
                self._answer(500, message | {"data": {"status": 500}})
            elif mode == "500-html":
                self._answer(500, echo, html=True)
            else:
                self._ok(parts.path, query, body, echo)

        def _ok(self, path: str, query: dict[str, str], body: bytes, echo: str) -> None:
            method = self.command
            if path.rstrip("/") == "/wp-json":
                self._answer(200, {"name": f"Echo {echo}", "namespaces": ["wc/v3"]})
                return
            route = path.removeprefix(API)
            if route == "/system_status":
                self._answer(200, {"environment": {"version": "9.9", "wp_version": echo}})
            elif route == "/products/batch" and method == "POST":
                sent = json.loads(body or b"{}")
                answer: dict[str, Any] = {}
                for kind in ("create", "update", "delete"):
                    items = sent.get(kind) or []
                    error = {"code": "echo", "message": echo, "data": {"status": 400}}
                    answer[kind] = [
                        # the first new product is created, everything else fails with the echo
                        _product(11, echo) | {"sku": item.get("sku")}
                        if kind == "create" and index == 0
                        else {"id": item.get("id", 0) if isinstance(item, dict) else item}
                        | {"error": error}
                        for index, item in enumerate(items)
                    ]
                self._answer(200, answer if sent else [])
            elif route == "/products" and method == "GET":
                self._answer(200, [] if "sku" in query else [_product(7, echo)])
            elif route.startswith("/products/") and route.rsplit("/", 1)[1].isdigit():
                self._answer(200, _product(int(route.rsplit("/", 1)[1]), echo))
            elif method == "GET":
                self._answer(200, [])
            else:
                self._answer(400, {"code": "echo", "message": echo, "data": {"status": 400}})

        do_GET = do_POST = do_PUT = do_DELETE = _handle

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    return Handler


@contextmanager
def echo_store(scheme: str) -> Iterator[tuple[str, EchoState]]:
    """``(base URL, state)`` of an echoing store on 127.0.0.1 over ``scheme`` (http or https)."""
    state = EchoState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    if scheme == "https":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(TLS / "cert.pem", TLS / "key.pem")
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
