"""The TLS context of a store's client: the trusted roots, a connection's CA bundle, or none.

Loading the trusted roots (certifi's bundle, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` when set,
as httpx does by default) takes 20-40 ms, so it is done once per process and the context shared
by every client that verifies against them: a run over three stores, and later ``woosync serve``,
load them once, not once per store. An ``SSLContext`` is made to be shared by many connections,
as each client's pool already shares its own among the run's threads: nothing here changes it
after it is made, and httpcore only sets the same ALPN protocol (HTTP/1.1) on it for each
connection, as it did on a client's own context.
"""

from __future__ import annotations

import functools
import os
import ssl

import httpx

from woosync.woo.errors import WooTransportError


def client_context(verify: bool | str, plain_http: bool) -> bool | ssl.SSLContext:
    """What a client gives httpx as ``verify``: ``False`` (no check, the connection's choice), a
    CA bundle's context (``verify`` its path), no roots at all for a plain-http store
    (:func:`no_tls`), else the trusted roots (:func:`trusted_roots`)."""
    if verify is False:
        return False
    if isinstance(verify, str):
        return ca_bundle(verify)
    if plain_http:
        return no_tls()
    return trusted_roots()


def trusted_roots() -> ssl.SSLContext:
    """The context httpx would make by default (``verify=True``), made once per process for each
    ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` setting."""
    return _roots(os.environ.get("SSL_CERT_FILE") or "", os.environ.get("SSL_CERT_DIR") or "")


@functools.cache
def _roots(cert_file: str, cert_dir: str) -> ssl.SSLContext:
    # httpx's own default reads the two settings itself: they are this cache's key only
    return httpx.create_ssl_context(verify=True, trust_env=True)


def ca_bundle(verify: str) -> ssl.SSLContext:
    """The context of a connection's CA bundle (a PEM file, or a directory of them)."""
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


def no_tls() -> ssl.SSLContext:
    """The TLS context of a plain-http store's client: every request goes to the store's own
    http address (no redirect is followed, no ``Link`` URL requested), so no trusted roots are
    loaded; a TLS handshake through it would still verify the certificate, against no roots,
    and fail closed."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED, check_hostname: the defaults
