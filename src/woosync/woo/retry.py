"""When and how long to wait before trying a request again.

Retried: connection errors, timeouts (a stall, or an answer past the attempt's overall deadline),
429 and 502/503/504 — and 500 for reads (GET/HEAD), where a PHP error on one page is usually
passing — for requests that are safe to repeat (the caller decides; POST is not by default,
because a write that timed out may have been applied: creates go through ``WooClient.create``,
which looks the object up before sending it again, with the same waits). The wait is exponential backoff with full jitter, capped; a ``Retry-After`` header (seconds
or an HTTP date) wins over the backoff but is capped as well. tenacity runs the loop; each attempt
calls back into the client, which builds and signs the request afresh.
"""

from __future__ import annotations

import logging
import random
import socket
import ssl
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception, retry_if_result
from tenacity.stop import stop_after_attempt

from woosync.core.logging import redact_url
from woosync.core.timeutil import clock
from woosync.woo.site import ShownURL

log = logging.getLogger("woosync.woo")

RETRY_STATUSES = frozenset({429, 502, 503, 504})
READ_RETRY_STATUSES = RETRY_STATUSES | {500}
READ_METHODS = frozenset({"GET", "HEAD"})


def root_causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions it was raised from (httpx wraps httpcore wraps ``OSError``)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def is_permanent_connect_error(exc: BaseException) -> bool:
    """DNS failures and TLS failures do not heal in a few seconds: do not retry them."""
    for cause in root_causes(exc):
        if isinstance(cause, socket.gaierror | ssl.SSLError):
            return True
        text = str(cause)
        if "CERTIFICATE_VERIFY_FAILED" in text or "Name or service not known" in text:
            return True
    return False


def is_retriable_exception(exc: BaseException) -> bool:
    if isinstance(exc, httpx.TimeoutException):
        return True
    if isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError):
        return not is_permanent_connect_error(exc)
    return False


def is_retriable_response(response: object, method: str = "POST") -> bool:
    statuses = READ_RETRY_STATUSES if method.upper() in READ_METHODS else RETRY_STATUSES
    return isinstance(response, httpx.Response) and response.status_code in statuses


def retry_after_seconds(response: httpx.Response, *, now: datetime | None = None) -> float | None:
    """The wait a ``Retry-After`` header asks for, in seconds (``None`` when absent or unreadable)."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or clock().now())).total_seconds())


class RetryPolicy:
    """Backoff settings plus the sleep function (tests inject one that does not sleep)."""

    def __init__(
        self,
        *,
        max_retries: int,
        backoff_base: float,
        backoff_max: float,
        sleep: Callable[[float], None],
        on_retry: Callable[[], None],
    ) -> None:
        self.max_retries = max(0, max_retries)
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.sleep = sleep
        self.on_retry = on_retry

    def wait(self, state: RetryCallState) -> float:
        outcome = state.outcome
        requested = None
        if outcome is not None and not outcome.failed:
            requested = retry_after_seconds(outcome.result())
        return self.delay(state.attempt_number, requested)

    def delay(self, attempt_number: int, retry_after: float | None = None) -> float:
        """The wait after attempt ``attempt_number``: ``Retry-After`` (capped) or full jitter."""
        if retry_after is not None:
            return min(retry_after, self.backoff_max)
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** (attempt_number - 1))
        return random.uniform(0, ceiling)

    def note(self, *, method: str, url: str, wait: float, reason: object, attempt: int) -> None:
        """Count and log one retry (``url`` already redacted)."""
        self.on_retry()
        if isinstance(reason, BaseException):
            status = getattr(reason, "status", None)
            reason = f"HTTP {status}" if status else type(reason).__name__
        log.info(
            "retrying %s %s in %.1f s after %s (attempt %d of %d)",
            method,
            url,
            wait,
            reason,
            attempt + 1,
            self.max_retries + 1,
        )

    def retrying(self, *, retriable: bool, method: str, url: str | ShownURL) -> Retrying:
        """A tenacity loop for one request; ``retriable=False`` makes exactly one attempt.
        ``url`` is redacted when a retry is logged."""

        def before_sleep(state: RetryCallState) -> None:
            outcome = state.outcome
            if outcome is None:
                reason = "?"
            elif outcome.failed:
                reason = type(outcome.exception()).__name__
            else:
                reason = f"HTTP {outcome.result().status_code}"
            wait = state.next_action.sleep if state.next_action else 0.0
            self.note(
                method=method,
                url=redact_url(url),
                wait=wait,
                reason=reason,
                attempt=state.attempt_number,
            )

        return Retrying(
            stop=stop_after_attempt(self.max_retries + 1 if retriable else 1),
            wait=self.wait,
            retry=retry_if_exception(is_retriable_exception)
            | retry_if_result(lambda response: is_retriable_response(response, method)),
            sleep=self.sleep,
            before_sleep=before_sleep,
            # On exhaustion hand back the last outcome as it was: the response (translated into a
            # typed error by the client) or the original exception, not tenacity's RetryError.
            retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
            reraise=True,
        )
