"""The store's address as the client uses it: the site root, whether two URLs share an origin, and
a request's URL as it is shown (redacted, when shown)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import httpx

from woosync.core.errors import ValidationError
from woosync.core.logging import redact_url

API_PATH = "/wp-json/wc/v3"


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


def origin(url: str) -> tuple[str, str]:
    """``(scheme, host[:port])`` of ``url``, lower-cased."""
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


class ShownURL:
    """A request's URL as logs and errors show it: redacted (``core.logging.redact_url``), and
    only when something shows it, so a request that goes well never pays for the redaction.

    ``str()`` (and so an f-string) gives the redacted text; ``params`` are the query's, encoded
    as httpx encodes a params dict.
    """

    __slots__ = ("_params", "_text", "_url")

    def __init__(self, url: str, params: Mapping[str, Any] | None = None) -> None:
        self._url = url
        self._params = params
        self._text: str | None = None

    def __str__(self) -> str:
        if self._text is None:
            full = httpx.URL(self._url, params=dict(self._params)) if self._params else self._url
            self._text = redact_url(full)
        return self._text

    def __repr__(self) -> str:
        return f"ShownURL({str(self)!r})"
