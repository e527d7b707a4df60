"""The WooCommerce REST API client: the only code in woosync that talks HTTP to a store.

    from woosync.woo import WooClient, StoreInfo, BatchResult, VariationWrite, SkuHits
    from woosync.woo.errors import WooError, WooHTTPError, WooAuthError, ...

Imports only ``woosync.core``; the store, services and secrets layers never come in here.

Importing the package, or its plain values (errors, :mod:`~woosync.woo.models`,
:mod:`~woosync.woo.variation_values`), loads no HTTP library: :class:`WooClient` (httpx, httpcore,
h11, oauthlib, tenacity) is loaded the first time its name is used, so a run that sends nothing,
such as an unchanged ``export --partial``, never pays for it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

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
from woosync.woo.models import BatchResult, ClientStats, ItemError, StoreInfo
from woosync.woo.variation_values import SkuHits, VariationOutcome, VariationWrite

if TYPE_CHECKING:
    from woosync.woo.client import WooClient

# httpx logs every request URL at INFO (OAuth parameters included) and oauthlib logs the consumer
# key, base string and signature at DEBUG. This package logs its own redacted line per request, so
# keep theirs quiet even when an application turns the root logger up (configure_logging agrees).
for _noisy in ("httpx", "httpcore", "oauthlib"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)

__all__ = [
    "BatchResult",
    "ClientStats",
    "ItemError",
    "SkuHits",
    "StoreInfo",
    "VariationOutcome",
    "VariationWrite",
    "WooAuthError",
    "WooClient",
    "WooError",
    "WooHTTPError",
    "WooNotFoundError",
    "WooNotJSONError",
    "WooRedirectError",
    "WooTimeoutError",
    "WooTransportError",
]


def __getattr__(name: str) -> Any:
    """``woosync.woo.WooClient``, loaded with the HTTP stack when it is first named."""
    if name == "WooClient":
        from woosync.woo.client import WooClient

        return WooClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
