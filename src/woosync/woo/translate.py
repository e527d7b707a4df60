"""Turn what came back (an answer or a transport failure) into decoded JSON or a typed error.

Hints say what to do in the words of the situation: WooCommerce's own codes are kept, and the
cases that are easy to misread (an anonymous 401 because Basic auth was not seen, a signature
mismatch because the store signs against its own address, a login page instead of JSON) are
spelled out.
"""

from __future__ import annotations

import re
import socket
import ssl
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx

from woosync.core.logging import holds_secret, redact_url, scrub, scrub_data, secret_forms
from woosync.woo import wire_json
from woosync.woo.auth import AuthScheme
from woosync.woo.errors import (
    WooAuthError,
    WooError,
    WooHTTPError,
    WooNotFoundError,
    WooNotJSONError,
    WooRedirectError,
    WooTimeoutError,
    WooTransportError,
)
from woosync.woo.retry import retry_after_seconds, root_causes
from woosync.woo.site import ShownURL

NO_REST_API = "no WooCommerce REST API at that URL; is WooCommerce installed and active?"


def decode(
    response: httpx.Response,
    url: str | ShownURL,
    scheme: AuthScheme,
    signature: str | None = None,
) -> Any:
    """The JSON body of a 2xx answer; any other answer raises the matching :class:`WooError`.

    ``signature`` is the OAuth signature of the request answered (``None``: read it from the
    request's URL): a store or proxy that quotes the request back has it taken out.
    """
    status = response.status_code
    if 200 <= status < 300:
        content = response.content
        if not content.strip():
            return None
        try:
            return _json(response, content, signature)
        except RecursionError:
            raise _too_deep(str(url)) from None
        except ValueError:
            raise _with_retry_after(not_json_error(response, str(url)), response) from None
    return _refused(response, str(url), scheme, signature)


def _json(response: httpx.Response, content: bytes, signature: str | None) -> Any:
    body = wire_json.loads(content)
    # a store or proxy that echoes the request: its quote (this request's signature too) out
    if signature is None:
        signature = _signature(response)
    text = content.decode("utf-8", "replace")
    own = secret_forms(signature) if signature and _may_quote(text, signature) else set()
    if holds_secret(text) or any(form in text for form in own):
        body = scrub_data(body, own)
    return body


_PLAIN_START = re.compile(r"[A-Za-z0-9_.~-]*")  # what no encoding of secret_forms() changes


def _may_quote(text: str, signature: str) -> bool:
    """Whether ``text`` may hold ``signature`` in one of its forms: every form begins with the
    signature's leading run of characters no encoding changes, so without that run in the text
    (the usual case) none of them is there, and they need not be worked out."""
    start = _PLAIN_START.match(signature)
    plain = start.group() if start else ""
    return len(plain) < 8 or plain in text


def _refused(
    response: httpx.Response, url: str, scheme: AuthScheme, signature: str | None
) -> NoReturn:
    """Raise the error a non-2xx answer stands for."""
    status = response.status_code
    if 300 <= status < 400:
        raise redirect_error(response, url)
    if not response.content.strip():
        empty = WooHTTPError(
            status, f"http_{status}", response.reason_phrase or "empty answer", url=url
        )
        raise _with_retry_after(empty, response)
    try:
        body = _json(response, response.content, signature)
    except RecursionError:
        raise _too_deep(url) from None
    except ValueError:
        raise _with_retry_after(not_json_error(response, url), response) from None
    raise _with_retry_after(http_error(status, body, url, scheme), response)


def _too_deep(url: str) -> WooError:
    return WooError(f"the answer from {url} is nested too deeply to read", url=url)


_Raised = TypeVar("_Raised", bound=WooHTTPError)


def _with_retry_after(error: _Raised, response: httpx.Response) -> _Raised:
    error.retry_after = retry_after_seconds(response)
    return error


def _signature(response: httpx.Response) -> str | None:
    """The OAuth signature of the request ``response`` answers (a proxy may quote it back)."""
    try:
        signature: str | None = response.request.url.params.get("oauth_signature")
        return signature
    except RuntimeError:  # a response built without a request
        return None


def http_error(status: int, body: Any, url: str, scheme: AuthScheme) -> WooHTTPError:
    """A WordPress error body ``{code, message, data}`` as a typed exception with a hint."""
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        code = body["code"]
        message = scrub(str(body.get("message") or ""))
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
    else:
        code, message, data = f"http_{status}", "the store refused the request", {}
    hint = _hint(status, code, message, scheme)
    cls: type[WooHTTPError] = WooHTTPError
    if status in (401, 403):
        cls = WooAuthError
    elif status == 404:
        cls = WooNotFoundError
    return cls(status, code, message, data, url, hint=hint)


def _hint(status: int, code: str, message: str, scheme: AuthScheme) -> str | None:
    lowered = message.lower()
    if code == "rest_no_route":
        return NO_REST_API
    if code.startswith("woocommerce_rest_cannot_") and status == 401:
        if scheme == "basic":
            return (
                "the store treated the request as anonymous: either the consumer key is unknown to "
                "it, or the server does not see HTTPS (e.g. behind a proxy) and ignored the Basic "
                "auth — WooCommerce only accepts Basic auth over HTTPS"
            )
        return (
            "the store treated the request as anonymous although it was signed with OAuth 1.0a; "
            "over plain http WooCommerce ignores Basic auth and query-string keys, so check that "
            "nothing between here and the store drops the query string, or use the https URL"
        )
    if code.startswith("woocommerce_rest_cannot_") and status == 403:
        return (
            "the key's WordPress user may not do this; use a key that belongs to an "
            "Administrator or Shop Manager"
        )
    if "signature" in lowered and "does not match" in lowered:
        return (
            "check the consumer secret; over http the store checks the signature against its "
            "own address, so the connection URL must be exactly the site's address"
        )
    if "timestamp" in lowered:
        return "this computer's clock differs from the store's by more than 15 minutes"
    if "write permissions" in lowered or "read permissions" in lowered:
        return "create a key with Read/Write permission in WooCommerce > Settings > Advanced > REST API"
    if "consumer key is invalid" in lowered or "consumer secret is invalid" in lowered:
        return "check the consumer key and secret (WooCommerce > Settings > Advanced > REST API)"
    if status == 429:
        return "the store (or its host) is rate limiting; try again later or lower the concurrency"
    return None


def not_json_error(response: httpx.Response, url: str) -> WooNotJSONError:
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip() or "no type"
    text = response.text[:4000].lower()
    looks_html = "html" in content_type or "<html" in text or "<!doctype" in text
    what = "an HTML page" if looks_html else f"{content_type} content"
    status = response.status_code
    if "wp-login" in text or ('type="password"' in text and "<form" in text):
        hint = "that is a login page: the site (or a security plugin) asks for a password first"
    elif "maintenance" in text:
        hint = "the site seems to be in maintenance mode; try again later"
    elif status == 404:
        hint = "no WordPress REST API there; check the URL (WooCommerce needs /wp-json/ to work)"
    elif status in (401, 403):
        hint = "the web server itself refused the request before WordPress saw it"
    elif status >= 500 or status == 429:
        hint = "the web server or a proxy in front of WordPress failed; try again later"
    else:
        hint = "is this the address of a WordPress site with WooCommerce?"
    return WooNotJSONError(status, url, content_type, what=what, hint=hint)


def redirect_error(response: httpx.Response, url: str) -> WooRedirectError:
    location = response.headers.get("Location", "")
    target = str(response.request.url.join(location)) if location else ""
    parts = urlsplit(target)
    # Suggest a site root, not the API path we happened to request (and drop any echoed query).
    path = (
        parts.path.split("/wp-json", 1)[0].rstrip("/") if "/wp-json" in parts.path else parts.path
    )
    suggestion = urlunsplit((parts.scheme, parts.netloc, path, "", "")) if target else "?"
    suggestion = redact_url(suggestion)
    if urlsplit(url).scheme == "http" and parts.scheme == "https":
        hint = f"the store redirects to {suggestion}; use that URL"
    elif "wp-login" in parts.path:
        hint = "the store sends API requests to its login page; a security plugin may block the REST API"
    else:
        hint = f"use the address the store redirects to ({suggestion}) as the store URL"
    return WooRedirectError(response.status_code, suggestion, url, hint=hint)


def transport_error(exc: httpx.RequestError, url: str, timeout: float) -> WooError:
    """A failure before any answer: DNS, refused, TLS, timeout, reset — said plainly."""
    host = urlsplit(url).netloc or url
    if isinstance(exc, httpx.ConnectTimeout):
        return WooTimeoutError(f"could not connect to {host} in time", url=url)
    if isinstance(exc, httpx.TimeoutException) and getattr(exc, "overran", False):
        return WooTimeoutError(
            f"{url} did not send its whole answer within {timeout:g} s",
            hint="the store (or something in front of it) answers too slowly; try again, or "
            "raise the timeout (WOOSYNC_TIMEOUT=SECONDS)",
            url=url,
        )
    if isinstance(exc, httpx.TimeoutException):
        return WooTimeoutError(
            f"{host} did not answer within {timeout:g} s",
            hint="the store may be overloaded; try again, or raise the timeout "
            "(WOOSYNC_TIMEOUT=SECONDS)",
            url=url,
        )
    causes = root_causes(exc)
    detail = scrub(str(exc)) or type(exc).__name__
    verification = next((c for c in causes if isinstance(c, ssl.SSLCertVerificationError)), None)
    if verification is not None or "CERTIFICATE_VERIFY_FAILED" in detail:
        reason = getattr(verification, "verify_message", None) or detail
        return WooTransportError(
            f"the TLS certificate of {host} could not be verified: {reason}",
            hint="for a store with its own certificate, give the connection a CA bundle "
            "or set SSL_CERT_FILE",
            url=url,
        )
    for cause in causes:
        if isinstance(cause, ssl.SSLError):
            return WooTransportError(
                f"TLS handshake with {host} failed ({detail})",
                hint="does the server speak HTTPS on that port?",
                url=url,
            )
        if isinstance(cause, socket.gaierror) or "Name or service not known" in str(cause):
            return WooTransportError(
                f"cannot resolve host {urlsplit(url).hostname} (DNS: {detail})",
                hint="check the store URL",
                url=url,
            )
        if isinstance(cause, ConnectionRefusedError) or "Connection refused" in str(cause):
            return WooTransportError(
                f"connection to {host} refused",
                hint="is the store running, and is the port right?",
                url=url,
            )
    if isinstance(exc, httpx.UnsupportedProtocol):
        return WooTransportError(f"unsupported URL {url}", hint="use an http(s) URL", url=url)
    return WooTransportError(f"network error talking to {host}: {detail}", url=url)
