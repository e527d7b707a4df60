"""Bounds on one answer: an overall deadline per attempt and a size cap on the body.

httpx's ``timeout`` bounds each socket read, so a store that trickles one byte every few seconds
never trips it. Here every read, write and connect of an attempt is clamped to what is left of the
attempt's deadline (a thread-local set by :func:`deadline`; the client's worker threads each have
their own), through a wrapper around httpcore's network backend. The body is read as a stream and
refused as soon as it passes the size cap (a ``Content-Length`` over the cap is refused before any
of it is read).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpcore
import httpx

from woosync.core.logging import redact_url
from woosync.woo.errors import AnswerTooLargeError
from woosync.woo.site import ShownURL

_local = threading.local()


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[float]:
    """Every network operation of this thread inside the block ends by ``now + seconds``."""
    previous = getattr(_local, "deadline", None)
    until = time.monotonic() + seconds
    _local.deadline = until
    try:
        yield until
    finally:
        _local.deadline = previous


def _clamp(timeout: float | None) -> float | None:
    until: float | None = getattr(_local, "deadline", None)
    if until is None:
        return timeout
    left = until - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the answer took longer than the overall deadline")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _clamp(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _clamp(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(
            self._stream.start_tls(ssl_context, server_hostname, _clamp(timeout))
        )

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(
            host, port, _clamp(timeout), local_address, socket_options
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(
            self._backend.connect_unix_socket(path, _clamp(timeout), socket_options)
        )

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def deadline_transport(**kwargs: Any) -> httpx.HTTPTransport:
    """httpx's own transport, its sockets bound by :func:`deadline`."""
    transport = httpx.HTTPTransport(**kwargs)
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(backend, httpcore.NetworkBackend):  # httpcore 1.x keeps it there
        pool._network_backend = _DeadlineBackend(backend)  # type: ignore[union-attr]
    return transport


def too_large(url: str | ShownURL, limit: int) -> AnswerTooLargeError:
    return AnswerTooLargeError(
        f"the answer from {redact_url(url)} is larger than {limit / (1024 * 1024):.4g} MB",
        hint="if the store really sends that much, raise WOOSYNC_MAX_RESPONSE_MB; "
        "otherwise something in front of the store answers instead of WooCommerce",
        url=redact_url(url),
    )


def read_body(response: httpx.Response, url: str | ShownURL, limit: int, until: float) -> None:
    """Read ``response``'s body (decoded) into it, at most ``limit`` bytes and by ``until``.

    Raises :class:`AnswerTooLargeError` past the cap and ``httpx.ReadTimeout`` past the deadline
    (for transports that do not go through the deadline backend, e.g. in tests).
    """
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        response.close()
        raise too_large(url, limit)
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise too_large(url, limit)
            if time.monotonic() > until:
                raise httpx.ReadTimeout(
                    "the answer took longer than the overall deadline", request=response.request
                )
            chunks.append(chunk)
    finally:
        response.close()
    # what Response.read() does, bounded: later .content / .text / .json() use these bytes
    response._content = b"".join(chunks)
