"""Store URLs: one spelling per store (:func:`normalize_store_url`), and when two URLs name the
same store (:func:`same_store_url`, which decides whether a new URL is a move or another store)."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import SplitResult, urlsplit, urlunsplit

from woosync.core.errors import ValidationError, param

_REST_SUFFIX = re.compile(r"/(wp-json|index\.php)(/.*)?$", re.IGNORECASE)
DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_store_url(url: str) -> str:
    """``https://Shop.example/wp-json/wc/v3/`` -> ``https://shop.example``.

    The URL must be http(s) with a host; a pasted REST suffix, query, fragment and trailing slash go.
    """
    text = (url or "").strip()
    if not text:
        raise ValidationError(
            "the store URL is required", hint=f"pass {param('url')} https://your-store.example"
        )
    if not text.isprintable() or " " in text:
        raise ValidationError(
            f"{text!r} is not a store URL: it contains spaces or control characters",
            hint="use the address as the browser shows it, e.g. https://shop.example",
        )
    try:
        parts = urlsplit(text)
        hostname = parts.hostname
    except ValueError as exc:  # 'http://[::1' (an unclosed bracket), a bad IPv6 address
        raise ValidationError(
            f"{text!r} is not a store URL: {exc}",
            hint="an IPv6 address goes in brackets, e.g. http://[::1]:8080",
        ) from None
    if parts.scheme.lower() not in ("http", "https") or not hostname:
        raise ValidationError(
            f"{text!r} is not a store URL", hint="use the full address, e.g. https://shop.example"
        )
    _check_host(text, parts.netloc, hostname)
    if parts.username or parts.password:
        raise ValidationError(
            "the store URL must not contain a user name or password",
            hint="give credentials with the key and secret options instead",
        )
    scheme = parts.scheme.lower()
    path = _REST_SUFFIX.sub("", parts.path).rstrip("/")
    return urlunsplit((scheme, host_and_port(scheme, hostname, _port(parts)), path, "", ""))


_HOST_LABEL = re.compile(r"^(?!-)[\w-]{1,63}(?<!-)$")


def _check_host(text: str, netloc: str, hostname: str) -> None:
    """A host name of letters, digits and hyphens between dots, or an IP address."""
    if "[" in netloc:
        try:
            ipaddress.IPv6Address(hostname.split("%", 1)[0])
        except ValueError:
            raise ValidationError(
                f"{text!r} is not a store URL: {hostname!r} is not an IPv6 address",
                hint="an IPv6 address goes in brackets, e.g. http://[::1]:8080",
            ) from None
        return
    labels = hostname.removesuffix(".").split(".")
    if len(hostname) > 253 or not all(_HOST_LABEL.match(label) for label in labels):
        raise ValidationError(
            f"{text!r} is not a store URL: {hostname!r} is not a host name",
            hint="use the address as the browser shows it, e.g. https://shop.example",
        )


def host_and_port(scheme: str, hostname: str, port: int | None) -> str:
    """``shop.example``, ``shop.example:8080``, ``[::1]:8080``: lower case, no default port."""
    host = hostname.lower()
    if ":" in host:  # an IPv6 address goes back in brackets
        host = f"[{host}]"
    return host if port is None or port == DEFAULT_PORTS.get(scheme) else f"{host}:{port}"


def _port(parts: SplitResult) -> int | None:
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise ValidationError(
            f"{parts.netloc!r} does not have a valid port",
            hint="a port is a number from 1 to 65535, e.g. https://shop.example:8443",
        )
    return port


def same_store_url(old: str, new: str) -> bool:
    """Whether two normalised URLs name one store: equal but perhaps for http versus https."""
    before, after = urlsplit(old), urlsplit(new)
    return (before.netloc, before.path) == (after.netloc, after.path)
