"""A threaded HTTP/1.1 server for the sandbox (stdlib ``wsgiref``, one daemon thread a connection).

Connections are kept alive between requests, as a real WordPress behind nginx or Apache keeps them:
a client that pools its connections pays one TCP connect per connection, not one per request. Each
request's body is read whole before the app runs, so an answer that leaves it unread (a refused
signature) never leaves bytes behind for the next request. A dropped or stalled request closes its
connection without a byte of answer, as a dying proxy would; stopping the server closes the
connections still open.
"""

from __future__ import annotations

import contextlib
import io
import socket
import socketserver
import sys
import threading
from collections.abc import Callable
from typing import Any
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from woosync.sandbox.app import SERVED
from woosync.sandbox.faults import DroppedConnection

MAX_BODY = 256 * 1024 * 1024  # bigger than any batch the client sends


class _ServerHandler(ServerHandler):
    http_version = "1.1"

    def handle_error(self) -> None:
        if isinstance(sys.exc_info()[1], DroppedConnection):
            self.request_handler.close_connection = True  # type: ignore[attr-defined]
            return  # write nothing; the connection is closed when the request ends
        self.request_handler.close_connection = True  # type: ignore[attr-defined]
        super().handle_error()


class _RequestHandler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive unless the client says "Connection: close"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # the app keeps its own log
        pass

    def get_environ(self) -> dict[str, Any]:
        environ = super().get_environ()
        environ[SERVED] = True
        return environ

    def handle(self) -> None:
        self.close_connection = True
        self.handle_one_request()
        while not self.close_connection:
            self.handle_one_request()

    def handle_one_request(self) -> None:
        self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline:  # the client closed the connection
            self.close_connection = True
            return
        if len(self.raw_requestline) > 65536:
            self.requestline = ""
            self.request_version = ""
            self.command = ""
            self.send_error(414)
            self.close_connection = True
            return
        if not self.parse_request():
            self.close_connection = True
            return
        body = self._body()
        handler = _ServerHandler(
            body,
            self.wfile,  # type: ignore[arg-type]
            self.get_stderr(),
            self.get_environ(),
            multithread=True,
        )
        handler.request_handler = self  # type: ignore[attr-defined]
        handler.run(self.server.get_app())  # type: ignore[attr-defined]
        self.wfile.flush()

    def _body(self) -> io.BufferedIOBase:
        """The request's body, read whole (the app may leave it unread); a body whose length is
        not given is the app's to read, and the connection ends with the request."""
        length = self.headers.get("Content-Length", "")
        if self.headers.get("Transfer-Encoding") or (length.isdigit() and int(length) > MAX_BODY):
            self.close_connection = True
            return self.rfile
        return io.BytesIO(self.rfile.read(int(length)) if length.isdigit() else b"")


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def server_bind(self) -> None:
        # WSGIServer/HTTPServer would call socket.getfqdn(), which can stall on DNS.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)
        self.setup_environ()
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        """Stop listening and end the connections still kept alive."""
        super().server_close()
        with self._open_lock:
            still_open, self._open = list(self._open), set()
        for request in still_open:
            with contextlib.suppress(OSError):
                request.shutdown(socket.SHUT_RDWR)


class _IPv6Server(ThreadingWSGIServer):
    address_family = socket.AF_INET6


def make_server(host: str, port: int, app: Callable[..., Any]) -> ThreadingWSGIServer:
    server_class = _IPv6Server if ":" in host else ThreadingWSGIServer
    server = server_class((host, port), _RequestHandler)
    server.set_app(app)
    return server


__all__ = ["ThreadingWSGIServer", "make_server"]
