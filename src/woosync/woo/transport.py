"""The one way out to a store: ``Transport`` sends a request and hands back its decoded answer.

One httpx transport (thread-safe, pooled) is shared by the worker threads of the listing and batch
methods. Every attempt goes through :meth:`Transport._exchange`: build the request and add its credentials
(over http signed by :class:`~woosync.woo.auth.OAuth1Signer`, a fresh OAuth nonce per attempt; over
https the Basic header), send, log one redacted DEBUG line, retry per :mod:`woosync.woo.retry`, and
decode or raise per :mod:`woosync.woo.translate`. The URL is redacted only when shown (a log line
or an error): :class:`~woosync.woo.site.ShownURL`.
:meth:`Transport.create` is the one POST that may be repeated: only after looking up whether the
earlier attempt landed. :class:`~woosync.woo.client.WooClient` adds listings, batches and store facts.
"""

from __future__ import annotations

import itertools
import logging
import re
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl

import httpx

from woosync import __version__
from woosync.core.errors import ValidationError
from woosync.core.logging import redact_url, register_credentials, register_signature
from woosync.core.timeutil import clock
from woosync.woo.auth import AuthScheme, OAuth1Signer, basic_header, query_pairs, scheme_for
from woosync.woo.concurrency import MAX_CONNECTIONS
from woosync.woo.errors import WooError, WooHTTPError, WooTimeoutError, WooTransportError
from woosync.woo.limits import deadline, deadline_transport, read_body
from woosync.woo.models import ClientStats
from woosync.woo.retry import RetryPolicy, is_retriable_exception, is_retriable_response
from woosync.woo.site import API_PATH, ShownURL, site_root
from woosync.woo.tls import client_context
from woosync.woo.translate import decode, transport_error
from woosync.woo.wire_json import request_body

log = logging.getLogger("woosync.woo")

CONNECT_TIMEOUT = 10.0
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
MAX_RESPONSE_MB = 64  # the default cap on one answer's (decoded) body
# a URL httpx sends as it is written (no character it would percent-encode): signed as written
_AS_SENT = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/\[\]]|%[0-9A-Fa-f]{2})*")
# a create whose answer is one of these may be repeated, after looking up whether it landed
CREATE_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class Transport:
    """Signed, retried, bounded requests to one store's REST API (``{store_url}/wp-json/wc/v3``).

    ``store_url`` is the site root (``https://shop.example``). HTTPS uses Basic auth, plain HTTP
    OAuth 1.0a (HMAC-SHA256, in the query string, signed afresh for every attempt and page).
    ``verify`` is ``True`` (system/certifi roots; ``SSL_CERT_FILE``/``SSL_CERT_DIR`` honoured),
    ``False``, or a CA bundle file/directory. ``sleep`` is what waits between retries (tests pass
    one that does not sleep; default: the pause of woosync's clock, core.timeutil).
    """

    def __init__(
        self,
        store_url: str,
        consumer_key: str,
        consumer_secret: str,
        *,
        verify: bool | str = True,
        timeout: float = 30.0,
        max_retries: int = 4,
        transport: httpx.BaseTransport | None = None,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        sleep: Callable[[float], None] | None = None,
        max_response_mb: float = MAX_RESPONSE_MB,
    ) -> None:
        register_credentials(consumer_key, consumer_secret)
        if not consumer_key or not consumer_secret:
            raise ValidationError("a consumer key and a consumer secret are both needed")
        self.store_url = site_root(store_url)
        self.api_url = self.store_url + API_PATH
        self.auth_scheme: AuthScheme = scheme_for(self.store_url)
        self.timeout = timeout
        self.max_response_bytes = max(1, int(max_response_mb * 1024 * 1024))
        self.stats = ClientStats()
        # the credentials' per-client part, made once: the OAuth signer or the Basic header
        self._signer: OAuth1Signer | None = None
        basic: list[tuple[bytes, bytes]] = []
        if self.auth_scheme == "oauth1":
            self._signer = OAuth1Signer(consumer_key, consumer_secret)
        else:
            basic = [(b"Authorization", basic_header(consumer_key, consumer_secret).encode())]
        self._retry = RetryPolicy(
            max_retries=max_retries,
            backoff_base=backoff_base,
            backoff_max=backoff_max,
            sleep=sleep or (lambda seconds: clock().sleep(seconds)),
            on_retry=self.stats.count_retry,
        )
        limits = httpx.Limits(
            max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS
        )
        if transport is None:  # every socket operation of an attempt bound by its deadline
            tls = client_context(verify, plain_http=self.auth_scheme == "oauth1")
            transport = deadline_transport(verify=tls, limits=limits)
        self._http = httpx.Client(  # closes the transport; its headers and timeout are ours
            timeout=httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout)),
            limits=limits,
            # Never follow: OAuth signs the exact URL, and a write must not silently land elsewhere.
            follow_redirects=False,
            transport=transport,
            headers={"User-Agent": f"woosync/{__version__}", "Accept": "application/json"},
        )
        # Each request goes to the transport as the client would build it (httpx's headers with
        # ours, its timeouts), without its per-request work: merging URL, headers and cookies,
        # auth flow, redirect checks (about 8% of a request's CPU). No cookie is kept or sent:
        # WooCommerce's REST API authenticates every request by its key, never by a cookie.
        self._transport = transport
        self._headers = list(self._http.headers.raw)
        self._timeouts = self._http.timeout.as_dict()
        self._authorized = [*self._headers, *basic]  # over https: the Basic header too

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.store_url!r}, auth={self.auth_scheme})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # ------------------------------------------------------------------ single requests

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """Send one request (retried when idempotent); a non-2xx or non-JSON answer raises."""
        response, _body = self._exchange(
            method, self._url(path), params=params, json=json, idempotent=idempotent
        )
        return response

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self._exchange("GET", self._url(path), params=params)[1]

    def post(self, path: str, json: Any) -> Any:
        return self._exchange("POST", self._url(path), json=json)[1]

    def put(self, path: str, json: Any) -> Any:
        return self._exchange("PUT", self._url(path), json=json)[1]

    def delete(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self._exchange("DELETE", self._url(path), params=params)[1]

    # ------------------------------------------------------------------ the one way out

    def _url(self, path: str) -> str:
        return self.api_url + "/" + path.lstrip("/")

    def _exchange(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        authenticate: bool = True,
    ) -> tuple[httpx.Response, Any]:
        method = method.upper()
        retriable = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        if isinstance(json, dict) and "inventory_delta" in json:
            retriable = False  # a relative stock change must not be applied twice
        shown = ShownURL(url, params)  # redacted only if a log line or an error shows it
        attempts = itertools.count(1)
        signature: str | None = None

        def attempt() -> httpx.Response:
            nonlocal signature
            number = next(attempts)
            request, signature = self._build(method, url, params, json, authenticate)
            self.stats.count_request(method)
            started = time.perf_counter()
            answered = False
            with deadline(self.timeout) as until:
                try:
                    response = self._transport.handle_request(request)
                    response.request = request
                    answered = True
                    read_body(response, shown, self.max_response_bytes, until)
                except httpx.RequestError as exc:
                    exc.request = request  # as the client attaches it
                    if log.isEnabledFor(logging.DEBUG):  # redacting a URL costs: only if shown
                        log.debug(
                            "%s %s -> %s after %d ms (attempt %d)",
                            method,
                            redact_url(request.url),
                            type(exc).__name__,
                            _ms(started),
                            number,
                        )
                    if answered and isinstance(exc, httpx.TimeoutException):
                        exc.overran = True  # type: ignore[attr-defined]  # the body came too slowly
                    raise
            if log.isEnabledFor(logging.DEBUG):
                log.debug(
                    "%s %s -> %d in %d ms (attempt %d)",
                    method,
                    redact_url(response.request.url),
                    response.status_code,
                    _ms(started),
                    number,
                )
            return response

        try:
            response: httpx.Response = self._attempts(attempt, retriable, method, shown)
        except httpx.RequestError as exc:
            raise transport_error(exc, str(shown), self.timeout) from exc
        return response, decode(response, shown, self.auth_scheme, signature)

    def _attempts(
        self,
        attempt: Callable[[], httpx.Response],
        retriable: bool,
        method: str,
        shown: ShownURL,
    ) -> httpx.Response:
        """``attempt()`` under the retry policy. The first attempt is made here: when it is not
        to be retried (nearly always: an answer that is no 429/5xx, or a request not to repeat)
        it is the outcome, as tenacity would hand it back, without building and running
        tenacity's loop (a tenth of a request's CPU); otherwise the loop runs from it."""
        may_retry = retriable and self._retry.max_retries > 0
        try:
            first = attempt()
        except httpx.RequestError as exc:
            if not (may_retry and is_retriable_exception(exc)):
                raise
            failed: httpx.RequestError | None = exc
        else:
            if not (may_retry and is_retriable_response(first, method)):
                return first
            failed = None
        replayed = False

        def again() -> httpx.Response:
            nonlocal replayed
            if replayed:
                return attempt()
            replayed = True  # tenacity's first attempt is the one already made
            if failed is not None:
                raise failed
            return first

        return self._retry.retrying(retriable=True, method=method, url=shown)(again)

    def _build(
        self,
        method: str,
        url: str,
        params: dict[str, Any] | None,
        json: Any,
        authenticate: bool,
    ) -> tuple[httpx.Request, str | None]:
        """One attempt's request, with its credentials, and its OAuth signature (if signed).

        Over plain http the URL is signed afresh (new nonce and timestamp) and handed to httpx
        whole, parsed once; over https the Basic header made when the client was is added.
        """
        body = request_body(json)
        if not authenticate:
            return self._request(method, url, params, body, self._headers), None
        if self._signer is None:
            return self._request(method, url, params, body, self._authorized), None
        base, has_query, query = url.partition("?")
        if not _AS_SENT.fullmatch(base):  # a path httpx would escape: signed as it is sent
            base = str(httpx.URL(base))
        pairs = query_pairs(params)
        if has_query:
            pairs = parse_qsl(query, keep_blank_values=True) + pairs
        signed, signature = self._signer.sign(method, base, pairs)
        register_signature(signature)  # a proxy may quote it back: the redactor learns it
        return self._request(method, signed, None, body, self._headers), signature

    def _request(
        self,
        method: str,
        url: str,
        params: dict[str, Any] | None,
        body: dict[str, Any],
        headers: list[tuple[bytes, bytes]],
    ) -> httpx.Request:
        """The request ``Client.build_request`` would make: ``headers`` (the client's), the body's
        own (its Content-Type) and the client's timeouts."""
        if own := body.pop("headers", None):
            headers = [*headers, *((k.encode(), v.encode()) for k, v in own.items())]
        timeouts = {"timeout": self._timeouts}
        return httpx.Request(
            method, url, params=params, headers=headers, extensions=timeouts, **body
        )

    def pause_before_retry(self, failures: int, retry_after: float | None = None) -> None:
        """Wait, as the retry policy would, before a request that failed ``failures`` times in a
        row goes again (a batch is resent by its caller, after checking what landed)."""
        self._retry.on_retry()
        self._retry.sleep(self._retry.delay(failures, retry_after))

    # ------------------------------------------------------------------ creates that may land

    def create(self, path: str, json: Any, *, lookup: Callable[[], Any]) -> Any:
        """``POST path`` to create one object, under the same retry policy as every other call.

        A create is not blindly repeated: an attempt that failed in a way that may have landed
        (a timeout, a dropped connection, a 5xx) or was refused for now (429) is followed by
        ``lookup()``, which returns the object when the store has it (it is then returned as if
        created) or ``None``; only then is the POST sent again, after the policy's wait. When the
        retries run out, a last lookup decides between the object and the error.
        """
        url = self._url(path)
        tries = self._retry.max_retries + 1
        for number in range(1, tries + 1):
            if number > 1:
                found = lookup()
                if found is not None:
                    log.info("%s: the earlier attempt had landed; not sending it again", path)
                    return found
            try:
                return self._exchange("POST", url, json=json, idempotent=False)[1]
            except WooError as exc:
                if not _create_may_repeat(exc):
                    raise
                if number == tries:  # out of retries: the last attempt may still have landed
                    found = lookup()
                    if found is None:
                        raise
                    return found
                wait = self._retry.delay(number, getattr(exc, "retry_after", None))
                self._retry.note(
                    method="POST", url=redact_url(url), wait=wait, reason=exc, attempt=number
                )
                self._retry.sleep(wait)
        raise AssertionError("unreachable")


def _create_may_repeat(exc: WooError) -> bool:
    if isinstance(exc, WooHTTPError):
        return exc.status in CREATE_RETRY_STATUSES
    if isinstance(exc, WooTimeoutError):
        return True
    cause = exc.__cause__
    return (
        isinstance(exc, WooTransportError) and cause is not None and is_retriable_exception(cause)
    )


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
