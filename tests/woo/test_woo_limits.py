"""Store answers are bounded: an overall deadline per attempt (not only per read) and a size cap.

Small stores on loopback misbehave on purpose, byte by byte: one trickles its answer (in the body,
or already in the status line), one announces a huge ``Content-Length``, one streams a chunked body
without end. Tiny timeouts and caps keep the tests fast.
"""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from woosync.woo import WooClient, WooError, WooTimeoutError
from woosync.woo.errors import AnswerTooLargeError

Behaviour = Callable[[socket.socket], None]


@contextmanager
def misbehaving_store(behaviour: Behaviour) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 that reads a request, then lets ``behaviour`` answer."""

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            received = b""
            while b"\r\n\r\n" not in received:
                chunk = self.request.recv(65536)
                if not chunk:
                    return
                received += chunk
            try:
                behaviour(self.request)
            except OSError:  # the client gave up and closed: that is the point
                return

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def trickle_body(sock: socket.socket) -> None:
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n")
    for _ in range(40):  # bounded: 40 x 0.1 s at most
        sock.sendall(b" ")
        time.sleep(0.1)


def trickle_status_line(sock: socket.socket) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]"[:40]:
        sock.sendall(bytes([byte]))
        time.sleep(0.1)


def huge_length(sock: socket.socket) -> None:
    sock.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        b"Content-Length: 300000000\r\n\r\n[" + b"1," * 1000
    )


def endless_chunks(sock: socket.socket) -> None:
    sock.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"1," * 32768
    for _ in range(200):  # bounded: 13 MB at most
        sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")


def client(url: str, **kwargs: object) -> WooClient:
    kwargs.setdefault("max_retries", 0)
    return WooClient(url, "key-limits-0123456789", "secret-limits-0123456789", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("behaviour", [trickle_body, trickle_status_line])
def test_a_trickling_answer_fails_at_the_overall_deadline(behaviour: Behaviour) -> None:
    with misbehaving_store(behaviour) as url, client(url, timeout=0.5) as woo:
        started = time.monotonic()
        with pytest.raises(WooTimeoutError) as raised:
            woo.get("/products")
        elapsed = time.monotonic() - started
    assert 0.45 <= elapsed < 1.2  # each byte came within the per-read timeout: only the deadline
    message = str(raised.value)
    assert "0.5 s" in message and "WOOSYNC_TIMEOUT" in message
    if behaviour is trickle_body:
        assert f"{url}/wp-json/wc/v3/products" in message and "whole answer" in message
        assert "oauth_signature=" not in message  # the URL is shown unsigned


def test_a_trickling_answer_is_retried_like_a_stall() -> None:
    waits: list[float] = []
    with (
        misbehaving_store(trickle_body) as url,
        client(url, timeout=0.3, max_retries=1, sleep=waits.append) as woo,
    ):
        with pytest.raises(WooTimeoutError):
            woo.get("/products")
        assert woo.stats.requests == 2 and len(waits) == 1


def test_an_announced_body_over_the_cap_is_refused_before_reading() -> None:
    with misbehaving_store(huge_length) as url, client(url, max_response_mb=1) as woo:
        with pytest.raises(AnswerTooLargeError) as raised:
            woo.get("/products")
        assert woo.stats.requests == 1  # not retried: it would be as big again
    assert str(raised.value).startswith(f"the answer from {url}/wp-json/wc/v3/products")
    assert "larger than 1 MB" in str(raised.value)
    assert "WOOSYNC_MAX_RESPONSE_MB" in str(raised.value)


def test_a_chunked_body_is_read_as_a_stream_and_cut_at_the_cap() -> None:
    with misbehaving_store(endless_chunks) as url, client(url, max_response_mb=0.5) as woo:
        started = time.monotonic()
        with pytest.raises(AnswerTooLargeError):
            woo.get("/products")
        assert time.monotonic() - started < 2


def test_an_answer_under_the_cap_and_in_time_is_read() -> None:
    def fine(sock: socket.socket) -> None:
        body = b'[{"id": 1}]'
        sock.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-WP-Total: 1\r\n"
            b"X-WP-TotalPages: 1\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        )

    with misbehaving_store(fine) as url, client(url, timeout=2, max_response_mb=0.001) as woo:
        assert woo.get("/products") == [{"id": 1}]


def test_connections_test_gives_up_at_woosync_timeout(cli) -> None:
    with misbehaving_store(trickle_status_line) as url:
        started = time.monotonic()
        result = cli(
            "connections", "test", "--url", url,
            env={
                "WOOSYNC_CONSUMER_KEY": "key-limits-0123456789",
                "WOOSYNC_CONSUMER_SECRET": "secret-limits-0123456789",
                "WOOSYNC_TIMEOUT": "0.5",
                "WOOSYNC_RETRIES": "0",
            },
        )  # fmt: skip
        elapsed = time.monotonic() - started
    assert result.exit_code == 5, result.stderr
    assert elapsed < 3
    assert "did not answer within 0.5 s" in result.stderr


def test_connections_test_refuses_an_answer_past_woosync_max_response_mb(cli) -> None:
    with misbehaving_store(endless_chunks) as url:
        result = cli(
            "connections", "test", "--url", url,
            env={
                "WOOSYNC_CONSUMER_KEY": "key-limits-0123456789",
                "WOOSYNC_CONSUMER_SECRET": "secret-limits-0123456789",
                "WOOSYNC_MAX_RESPONSE_MB": "0.25",
            },
        )  # fmt: skip
    assert result.exit_code == 5, result.stderr
    assert f"the answer from {url}/wp-json/" in result.stderr
    assert "is larger than 0.25 MB" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WOOSYNC_MAX_RESPONSE_MB", "lots"),
        ("WOOSYNC_MAX_RESPONSE_MB", "0"),
        ("WOOSYNC_RETRIES", "1.5"),
    ],
)
def test_bad_limits_in_the_environment_are_usage_errors(cli, name: str, value: str) -> None:
    result = cli(
        "connections", "test", "--url", "http://127.0.0.1:9",
        env={
            "WOOSYNC_CONSUMER_KEY": "key-limits-0123456789",
            "WOOSYNC_CONSUMER_SECRET": "secret-limits-0123456789",
            name: value,
        },
    )  # fmt: skip
    assert result.exit_code == 2, result.stderr
    assert name in result.stderr


def test_store_errors_are_woo_errors() -> None:
    assert issubclass(AnswerTooLargeError, WooError)


def test_an_answer_nested_too_deeply_is_a_store_error() -> None:
    def deep(sock: socket.socket) -> None:
        body = b"[" * 100_000 + b"]" * 100_000
        sock.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        )

    with (
        misbehaving_store(deep) as url,
        client(url) as woo,
        pytest.raises(WooError, match="nested too deeply to read"),
    ):
        woo.get("/products")
