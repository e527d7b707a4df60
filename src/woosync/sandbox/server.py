"""A threaded HTTP server for the sandbox (stdlib ``wsgiref`` with one daemon thread a request).

A dropped or stalled request closes its connection without a byte of answer, as a dying proxy would.
"""

from __future__ import annotations

import socket
import socketserver
import sys
from collections.abc import Callable
from typing import Any
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from woosync.sandbox.app import SERVED
from woosync.sandbox.faults import DroppedConnection


class _ServerHandler(ServerHandler):
    def handle_error(self) -> None:
        if isinstance(sys.exc_info()[1], DroppedConnection):
            return  # write nothing; the connection is closed when the request ends
        super().handle_error()


class _RequestHandler(WSGIRequestHandler):
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # the app keeps its own log
        pass

    def get_environ(self) -> dict[str, Any]:
        environ = super().get_environ()
        environ[SERVED] = True
        return environ

    def handle(self) -> None:
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = ""
            self.request_version = ""
            self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():
            return
        handler = _ServerHandler(
            self.rfile,
            self.wfile,  # type: ignore[arg-type]
            self.get_stderr(),
            self.get_environ(),
            multithread=True,
        )
        handler.request_handler = self  # type: ignore[attr-defined]
        handler.run(self.server.get_app())  # type: ignore[attr-defined]


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


class _IPv6Server(ThreadingWSGIServer):
    address_family = socket.AF_INET6


def make_server(host: str, port: int, app: Callable[..., Any]) -> ThreadingWSGIServer:
    server_class = _IPv6Server if ":" in host else ThreadingWSGIServer
    server = server_class((host, port), _RequestHandler)
    server.set_app(app)
    return server


__all__ = ["ThreadingWSGIServer", "make_server"]
