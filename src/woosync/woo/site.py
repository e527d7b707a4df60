"""The store's address as the client uses it: the site root, and whether two URLs share an origin."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit, urlunsplit

from woosync.core.errors import ValidationError

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
