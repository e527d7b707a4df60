"""``WooClient``: the one object in woosync that talks HTTP to a WooCommerce store.

One ``httpx.Client`` (thread-safe, pooled) is shared by the worker threads of ``list_all`` and
``batch_chunks``. Every attempt goes through :meth:`WooClient._exchange`: build the request, let
:class:`~woosync.woo.auth.WooAuth` sign it (fresh OAuth nonce per attempt), send, log one redacted
DEBUG line, retry per :mod:`woosync.woo.retry`, and decode or raise per :mod:`woosync.woo.translate`.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import ssl
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from types import TracebackType
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import httpx

from woosync import __version__
from woosync.core.errors import ValidationError
from woosync.core.logging import redact_url, register_credentials
from woosync.core.timeutil import clock
from woosync.woo.auth import AuthScheme, WooAuth, scheme_for
from woosync.woo.errors import (
    WooAuthError,
    WooError,
    WooHTTPError,
    WooNotFoundError,
    WooTimeoutError,
    WooTransportError,
)
from woosync.woo.limits import deadline, deadline_transport, read_body
from woosync.woo.models import BatchResult, ClientStats, StoreInfo
from woosync.woo.pagination import Deduplicator, listing_params, page_params, totals
from woosync.woo.retry import RetryPolicy, is_retriable_exception
from woosync.woo.translate import NO_REST_API, decode, transport_error

log = logging.getLogger("woosync.woo")

T = TypeVar("T")
BatchKind = Literal["create", "update", "delete"]

API_PATH = "/wp-json/wc/v3"
MAX_CONNECTIONS = 16  # the pool size; concurrency above it would only queue for a connection
CONNECT_TIMEOUT = 10.0
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
INDEX_FIELDS = "name,description,url,home,namespaces"
MAX_RESPONSE_MB = 64  # the default cap on one answer's (decoded) body
# a create whose answer is one of these may be repeated, after looking up whether it landed
CREATE_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class WooClient:
    """A WooCommerce REST API v3 client for one store.

    ``store_url`` is the site root (``https://shop.example``); requests go to
    ``{store_url}/wp-json/wc/v3``. HTTPS uses Basic auth, plain HTTP OAuth 1.0a (HMAC-SHA256, in the
    query string, signed afresh for every attempt and page). ``verify`` is ``True`` (system/certifi
    roots; ``SSL_CERT_FILE``/``SSL_CERT_DIR`` honoured), ``False``, or a CA bundle file/directory.
    ``sleep`` is what waits between retries (default: the pause of woosync's clock, core.timeutil).
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
        self._auth = WooAuth(consumer_key, consumer_secret)
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
            transport = deadline_transport(verify=_tls_verify(verify), limits=limits)
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout)),
            limits=limits,
            # Never follow: OAuth signs the exact URL, and a write must not silently land elsewhere.
            follow_redirects=False,
            transport=transport,
            headers={"User-Agent": f"woosync/{__version__}", "Accept": "application/json"},
        )

    def __repr__(self) -> str:
        return f"WooClient({self.store_url!r}, auth={self.auth_scheme})"

    def __enter__(self) -> WooClient:
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

    # ------------------------------------------------------------------ collections

    def get_page(
        self, path: str, params: dict[str, Any] | None, page: int, per_page: int = 100
    ) -> tuple[list[dict[str, Any]], int, int]:
        """One page: ``(items, X-WP-Total, X-WP-TotalPages)``."""
        url = self._url(path)
        response, body = self._exchange("GET", url, params=page_params(params, page, per_page))
        if not isinstance(body, list):
            raise WooError(f"expected a list from {redact_url(url)}, got {type(body).__name__}")
        if len(body) >= per_page and "X-WP-TotalPages" not in response.headers:
            # Without it a full page looks like the whole collection: never list silently short.
            raise WooError(
                f"{redact_url(url)} answered a full page without X-WP-Total/X-WP-TotalPages, "
                "so the number of pages is unknown",
                hint="a proxy, cache or security plugin in front of WordPress strips these "
                "headers; let them through",
                url=redact_url(url),
            )
        total, pages = totals(response, body)
        return body, total, pages

    def list_all(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        per_page: int = 100,
        concurrency: int = 4,
        on_page: Callable[[list[dict[str, Any]]], None] | None = None,
    ) -> list[dict[str, Any]]:
        """Every item of a collection, ordered by id unless ``params`` set ``orderby``.

        Page 1 tells how many pages there are; the rest are fetched ``concurrency`` at a time and
        put back in page order; duplicate ids are dropped. When the totals show the collection
        changed during the read (an item deleted shifts the later pages, so one may be missed)
        it is read once more; ``on_page`` sees only the first read.
        """
        params = listing_params(params)
        items, problem = self._read_collection(path, params, per_page, concurrency, on_page)
        if problem is None:
            return items
        log.warning("%s changed while it was read (%s); reading it again", path, problem)
        items, problem = self._read_collection(path, params, per_page, concurrency, None)
        if problem is not None:
            log.warning("%s is still changing (%s); using %d items", path, problem, len(items))
        return items

    def _read_collection(
        self,
        path: str,
        params: dict[str, Any],
        per_page: int,
        concurrency: int,
        on_page: Callable[[list[dict[str, Any]]], None] | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        first, total, pages = self.get_page(path, params, 1, per_page)
        seen = Deduplicator()
        seen.add(first)
        if on_page is not None:
            on_page(first)
        reported = {total}
        last_fetched = 1
        while pages > last_fetched:
            numbers = range(last_fetched + 1, pages + 1)
            calls = [self._page_call(path, params, number, per_page) for number in numbers]
            with contextlib.closing(self._in_order(calls, concurrency)) as done:
                for future in done:
                    items, page_total, page_count = future.result()
                    seen.add(items)
                    if on_page is not None:
                        on_page(items)
                    reported.add(page_total)
                    total = page_total
                    pages = max(pages, page_count)  # it grew: fetch the new pages too
            last_fetched = numbers[-1]
        problem = None
        if len(reported) > 1:
            problem = f"X-WP-Total went {' -> '.join(str(t) for t in sorted(reported))}"
        elif len(seen.items) != total:
            problem = f"got {len(seen.items)} distinct items, X-WP-Total says {total}"
        if seen.duplicates:
            log.debug("%s: dropped %d duplicate items", path, seen.duplicates)
        return seen.items, problem

    def _page_call(
        self, path: str, params: dict[str, Any], page: int, per_page: int
    ) -> Callable[[], tuple[list[dict[str, Any]], int, int]]:
        return lambda: self.get_page(path, params, page, per_page)

    # ------------------------------------------------------------------ batches

    def batch(
        self,
        path: str,
        *,
        create: Sequence[dict[str, Any]] = (),
        update: Sequence[dict[str, Any]] = (),
        delete: Sequence[dict[str, Any] | int] = (),
    ) -> BatchResult:
        """ONE ``POST {path}`` (e.g. ``/products/batch``); never retried, it may have been applied.

        ``delete`` takes ids or objects with an ``id``. The caller chunks (at most 100 objects in
        total, unless the store raised its limit) and inspects every item for ``"error"``.
        """
        body: dict[str, list[Any]] = {}
        if create:
            body["create"] = list(create)
        if update:
            body["update"] = list(update)
        if delete:
            body["delete"] = [item["id"] if isinstance(item, dict) else item for item in delete]
        if not body:
            return BatchResult()
        url = self._url(path)
        answer = self._exchange("POST", url, json=body, idempotent=False)[1]
        if not isinstance(answer, dict):
            raise WooError(f"unexpected batch answer from {redact_url(url)}: not an object")
        return BatchResult.from_body(answer)

    def batch_chunks(
        self,
        path: str,
        items: list[dict[str, Any]],
        kind: BatchKind,
        *,
        size: int = 100,
        concurrency: int = 4,
    ) -> Iterator[tuple[list[dict[str, Any]], BatchResult | WooError]]:
        """Send ``items`` as ``kind`` in chunks of ``size``, ``concurrency`` requests in flight.

        Yields ``(chunk sent, BatchResult or the WooError that chunk raised)`` in chunk order, so a
        failed chunk does not stop the others; stop iterating to stop sending.
        """
        if kind not in ("create", "update", "delete"):
            raise ValueError(f"kind must be create, update or delete, not {kind!r}")
        if size < 1:
            raise ValueError("size must be at least 1")
        chunks = [items[start : start + size] for start in range(0, len(items), size)]

        def call(chunk: list[dict[str, Any]]) -> Callable[[], BatchResult | WooError]:
            def send() -> BatchResult | WooError:
                try:
                    return self.batch(path, **{kind: chunk})
                except WooError as exc:
                    return exc

            return send

        with contextlib.closing(self._in_order([call(c) for c in chunks], concurrency)) as done:
            for chunk, future in zip(chunks, done, strict=True):
                yield chunk, future.result()

    def _in_order(
        self, calls: Iterable[Callable[[], T]], concurrency: int
    ) -> Generator[Future[T], None, None]:
        """Run ``calls`` with at most ``concurrency`` in flight; yield their futures in order."""
        workers = max(1, min(concurrency, MAX_CONNECTIONS))
        pending: deque[Future[T]] = deque()
        queue = iter(calls)
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="woosync-woo")
        try:
            for call in itertools.islice(queue, workers):
                pending.append(pool.submit(call))
            while pending:
                oldest = pending.popleft()
                wait_for([oldest])
                following = next(queue, None)
                if following is not None:
                    pending.append(pool.submit(following))
                yield oldest
        finally:
            for future in pending:
                future.cancel()
            pool.shutdown(wait=True)

    # ------------------------------------------------------------------ store facts

    def store_info(self) -> StoreInfo:
        """Name and versions of the store, checking on the way that the key can read.

        1. ``GET /wp-json/`` (public, sent without credentials): the site name, its address and
           whether the ``wc/v3`` namespace exists.
        2. ``GET /system_status`` for the WordPress and WooCommerce versions; keys whose user lacks
           ``manage_woocommerce`` get 401/403 there, so fall back to a products probe
           (``GET /products?per_page=1&_fields=id``) and leave the versions unknown. A failing probe
           raises the store's own error.
        """
        index_url = self.store_url + "/wp-json/"
        home: str | None = None
        name = urlsplit(self.store_url).hostname or self.store_url
        try:
            index = self._exchange(
                "GET", index_url, params={"_fields": INDEX_FIELDS}, authenticate=False
            )[1]
        except WooAuthError as exc:  # some hosts close the index to anonymous visitors
            log.info("the site index is not public (%s); skipping the namespace check", exc.code)
        else:
            if not isinstance(index, dict):
                raise WooError(f"{index_url} is not a WordPress REST API index", hint=NO_REST_API)
            namespaces = index.get("namespaces") or []
            if "wc/v3" not in namespaces:
                raise WooError(
                    f"WooCommerce REST API (wc/v3) not found at {self.store_url}",
                    hint="is the WooCommerce plugin installed and active?",
                    url=index_url,
                )
            name = str(index.get("name") or name)
            home = str(index.get("home") or index.get("url") or "").rstrip("/") or None
            if home and _origin(home) != _origin(self.store_url):
                log.warning(
                    "the site calls itself %s, not %s; OAuth signatures and links use its own address",
                    redact_url(home),
                    redact_url(self.store_url),
                )
        wp_version, woo_version = self._versions()
        return StoreInfo(
            store_name=name,
            wp_version=wp_version,
            woo_version=woo_version,
            store_url=self.store_url,
            home_url=home,
        )

    def write_access(self) -> WooError | None:
        """Whether the key may write, found out without changing anything; ``None`` when it may.

        Sends an empty batch (``POST /products/batch`` with ``{}``): WooCommerce checks the key's
        permission (a read-only key gets 401 "does not have write permissions") and the user's
        right to batch-edit products (403), then applies nothing and answers ``[]``. Any other
        failure is returned too: write access is then unknown.
        """
        try:
            # an empty batch applies nothing: as safe to repeat as a read
            self._exchange("POST", self._url("/products/batch"), json={}, idempotent=True)
        except WooError as exc:
            return exc
        return None

    def _versions(self) -> tuple[str | None, str | None]:
        try:
            # Only the two fields: the whole environment section makes WooCommerce run slow
            # outbound self-tests. Servers that ignore nested _fields get the section instead.
            status = self.get(
                "/system_status", {"_fields": "environment.version,environment.wp_version"}
            )
            environment = _environment(status)
            if not environment.get("version"):
                environment = _environment(self.get("/system_status", {"_fields": "environment"}))
        except (WooAuthError, WooNotFoundError) as exc:
            log.info("system_status not readable (%s); probing products instead", exc.code)
            self.get("/products", {"per_page": 1, "_fields": "id"})
            return None, None
        wp_version = environment.get("wp_version")
        woo_version = environment.get("version")
        return (
            str(wp_version) if wp_version else None,
            str(woo_version) if woo_version else None,
        )

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
        shown = redact_url(httpx.URL(url, params=params) if params else url)
        attempts = itertools.count(1)

        def attempt() -> httpx.Response:
            number = next(attempts)
            request = self._http.build_request(method, url, params=params, json=json)
            self.stats.count_request(method)
            started = time.perf_counter()
            answered = False
            with deadline(self.timeout) as until:
                try:
                    response = self._http.send(
                        request, auth=self._auth if authenticate else None, stream=True
                    )
                    answered = True
                    read_body(response, shown, self.max_response_bytes, until)
                except httpx.RequestError as exc:
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
            log.debug(
                "%s %s -> %d in %d ms (attempt %d)",
                method,
                redact_url(response.request.url),
                response.status_code,
                _ms(started),
                number,
            )
            return response

        retrying = self._retry.retrying(retriable=retriable, method=method, url=shown)
        try:
            response: httpx.Response = retrying(attempt)
        except httpx.RequestError as exc:
            raise transport_error(exc, shown, self.timeout) from exc
        return response, decode(response, shown, self.auth_scheme)

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


def site_root(store_url: str) -> str:
    """The site root the client talks to: http(s), a host, no query; a ``/wp-json`` suffix cut."""
    text = (store_url or "").strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(f"the store URL must be an http(s) URL with a host, not {text!r}")
    if parts.username or parts.password:
        raise ValidationError("the store URL must not contain a user name or password")
    if any(key == "rest_route" for key, _ in parse_qsl(parts.query)):
        raise ValidationError(
            "?rest_route= URLs cannot authenticate with WooCommerce API keys",
            hint="use the site root; woosync talks to /wp-json/ (enable pretty permalinks)",
        )
    path = parts.path.split("/wp-json", 1)[0].rstrip("/")
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise ValidationError(f"the store URL {text!r} does not have a valid port")
    host = parts.hostname.lower()
    host = f"[{host}]" if ":" in host else host
    if port is not None and port != {"http": 80, "https": 443}[scheme]:
        host = f"{host}:{port}"
    return urlunsplit((scheme, host, path, "", ""))


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _environment(status: Any) -> dict[str, Any]:
    environment = status.get("environment") if isinstance(status, dict) else None
    return environment if isinstance(environment, dict) else {}


def _tls_verify(verify: bool | str) -> bool | ssl.SSLContext:
    """``True`` keeps httpx's default (certifi, or ``SSL_CERT_FILE``/``SSL_CERT_DIR`` when set)."""
    if isinstance(verify, bool):
        return verify
    path = os.path.expanduser(verify)
    try:
        if os.path.isdir(path):
            return ssl.create_default_context(capath=path)
        return ssl.create_default_context(cafile=path)
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise WooTransportError(
            f"cannot load the CA bundle {path}: {reason}",
            hint="point the connection's CA bundle at a PEM file of trusted certificates",
        ) from exc


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
