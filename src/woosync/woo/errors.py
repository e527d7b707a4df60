"""The client's exception tree: catch ``WooError`` for anything a store did, or a subclass for one cause.

Every class is a :class:`~woosync.core.errors.StoreError` (exit code 5). Messages name the
(redacted, unsigned) URL where it helps and never carry a key, secret or signature.

    WooError
    ├── WooHTTPError            the store answered with a non-2xx status (.status .code .message .data)
    │   ├── WooAuthError        401 / 403
    │   ├── WooNotFoundError    404
    │   ├── WooRedirectError    3xx (never followed: OAuth signs the exact URL, writes must not move)
    │   └── WooNotJSONError     the answer is not JSON (an HTML error, login or maintenance page)
    ├── AnswerTooLargeError     the answer is bigger than the size cap (WOOSYNC_MAX_RESPONSE_MB)
    └── WooTransportError       DNS, refused, TLS, connection reset
        └── WooTimeoutError     no answer in time
"""

from __future__ import annotations

import html
import re
from typing import Any

from woosync.core.errors import StoreError
from woosync.core.logging import scrub

_LINK = re.compile(r"""<a\s[^>]*href=["']([^"']+)["'][^>]*>(.*?)</a>""", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def plain_message(text: str) -> str:
    """A store's message as one line of text: WooCommerce writes some in HTML (``<code>`` around
    a file, a "Learn more." link): a link becomes its text and address, other tags go."""
    if "<" not in text and "&" not in text:
        return text
    text = _TAG.sub("", _LINK.sub(lambda m: f"{m[2]} ({m[1]})", text))
    return " ".join(html.unescape(text).split())


class WooError(StoreError):
    """Anything that went wrong talking to a WooCommerce store."""

    def __init__(self, message: str, *, hint: str | None = None, url: str | None = None) -> None:
        # whatever a store or a proxy quoted (the request, its Authorization header) ends here
        message = scrub(message)
        hint = scrub(hint) if hint else hint
        super().__init__(message, hint=hint)
        self.summary = message
        self.url = scrub(url) if url else url

    def __str__(self) -> str:
        return f"{self.summary} ({self.hint})" if self.hint else self.summary


class WooHTTPError(WooError):
    """The store answered with an error status; ``code``/``message``/``data`` are the store's own.

    ``str(error)`` is one line, e.g.
    ``woocommerce_rest_cannot_view: Sorry, you cannot list resources. (HTTP 401)`` plus a hint.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        data: dict[str, Any] | None = None,
        url: str | None = None,
        *,
        hint: str | None = None,
    ) -> None:
        message = plain_message(message) + _param_details(data)
        super().__init__(self._summarise(status, code, message, url), hint=hint, url=url)
        self.status = status
        self.code = scrub(code)
        self.message = scrub(message)  # the store's message; str(self) is the full line
        self.data: dict[str, Any] = data if data is not None else {}
        self.retry_after: float | None = None  # what a Retry-After header asked for, in seconds

    @staticmethod
    def _summarise(status: int, code: str, message: str, url: str | None) -> str:
        return f"{code}: {message} (HTTP {status})"


def _param_details(data: dict[str, Any] | None) -> str:
    """What WordPress says of each parameter it refused (``rest_invalid_param`` names only the
    parameters in its message: "Invalid parameter(s): brands"), as ``: brands[0] is not of type
    object.``; empty when it says nothing more."""
    params = (data or {}).get("params")
    if not isinstance(params, dict):
        return ""
    said = [plain_message(text) for text in params.values() if isinstance(text, str) and text]
    return f": {'; '.join(said)}" if said else ""


class WooAuthError(WooHTTPError):
    """401 or 403: the key is unknown, wrong, lacks a permission, or was not seen at all."""


class WooNotFoundError(WooHTTPError):
    """404: no such object (``woocommerce_rest_product_invalid_id``) or route (``rest_no_route``)."""


class WooRedirectError(WooHTTPError):
    """The store answered with a redirect; ``location`` is where it points (query removed)."""

    def __init__(self, status: int, location: str, url: str | None = None, *, hint: str) -> None:
        self.location = location
        super().__init__(
            status, "redirect", f"the store redirects to {location}", url=url, hint=hint
        )

    @staticmethod
    def _summarise(status: int, code: str, message: str, url: str | None) -> str:
        return f"{message} (HTTP {status})"


class WooNotJSONError(WooHTTPError):
    """The answer is not JSON: an HTML error page, a login page, a proxy's error, ..."""

    def __init__(
        self, status: int, url: str, content_type: str, *, what: str, hint: str | None = None
    ) -> None:
        self.content_type = content_type
        message = f"the store answered {what} instead of JSON for {url}"
        super().__init__(status, "not_json", message, url=url, hint=hint)

    @staticmethod
    def _summarise(status: int, code: str, message: str, url: str | None) -> str:
        return f"{message} (HTTP {status})"


class AnswerTooLargeError(WooError):
    """The store's answer is bigger than the client's cap (``WOOSYNC_MAX_RESPONSE_MB``)."""


class WooTransportError(WooError):
    """The request did not get an HTTP answer: DNS, connection refused, TLS, connection reset."""


class WooTimeoutError(WooTransportError):
    """The store did not answer (or accept the connection) in time."""


__all__ = [
    "AnswerTooLargeError",
    "WooAuthError",
    "WooError",
    "WooHTTPError",
    "WooNotFoundError",
    "WooNotJSONError",
    "WooRedirectError",
    "WooTimeoutError",
    "WooTransportError",
]
