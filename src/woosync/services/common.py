"""Lookups every service shares: finding a connection by id, name or URL, and the default one."""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, urlsplit, urlunsplit

from woosync.core.errors import NotFoundError, ValidationError
from woosync.core.ids import SQLITE_MAX_INTEGER, id_from_text

if TYPE_CHECKING:
    from sqlmodel import Session

    from woosync.db.models import Connection

_REST_SUFFIX = re.compile(r"/(wp-json|index\.php)(/.*)?$", re.IGNORECASE)
DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_store_url(url: str) -> str:
    """``https://Shop.example/wp-json/wc/v3/`` -> ``https://shop.example``.

    The URL must be http(s) with a host; a pasted REST suffix, query, fragment and trailing slash go.
    """
    text = (url or "").strip()
    if not text:
        raise ValidationError(
            "the store URL is required", hint="pass --url https://your-store.example"
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


def get_connection(session: Session, ref: int | str) -> Connection:
    """A connection by id (``3``), exact store name, or store URL; else a not-found error."""
    from sqlmodel import select

    from woosync.db.models import Connection

    text = str(ref).strip()
    if text.isascii() and text.isdigit():
        connection_id = id_from_text(text)
        if connection_id is None:
            raise ValidationError(
                f"{text!r} is not a connection id",
                hint=f"ids go from 1 to {SQLITE_MAX_INTEGER}; or give the store name or URL",
            )
        found = session.get(Connection, connection_id)
        if found is None:
            raise NotFoundError(
                f"connection {text} not found", hint="run 'woosync connections list' to see them"
            )
        return found
    by_name = session.exec(select(Connection).where(Connection.store_name == text)).all()
    if len(by_name) == 1:
        return by_name[0]
    if len(by_name) > 1:
        raise ValidationError(
            f"several connections are named {text!r}", hint="use the connection id instead"
        )
    try:
        url = normalize_store_url(text)
    except ValidationError:
        url = None
    if url:
        found = session.exec(select(Connection).where(Connection.store_url == url)).first()
        if found is not None:
            return found
    raise NotFoundError(
        f"connection {text!r} not found", hint="run 'woosync connections list' to see them"
    )


def default_connection(session: Session) -> Connection:
    """The default connection, else the newest active one (the spec's Get default connection)."""
    from sqlmodel import col, select

    from woosync.db.models import Connection

    found = session.exec(
        select(Connection)
        .where(col(Connection.is_default).is_(True))
        .order_by(col(Connection.created_at).desc(), col(Connection.id).desc())
    ).first()
    if found is None:
        found = session.exec(
            select(Connection)
            .where(col(Connection.is_active).is_(True))
            .order_by(col(Connection.created_at).desc(), col(Connection.id).desc())
        ).first()
    if found is None:
        raise NotFoundError(
            "no active connections found",
            hint="add one with 'woosync connections add --name NAME --url URL'",
        )
    return found


def connection_or_default(session: Session, ref: int | str | None) -> Connection:
    """``ref`` when given, else the default connection (the spec's backward compatibility)."""
    return default_connection(session) if ref is None else get_connection(session, ref)
