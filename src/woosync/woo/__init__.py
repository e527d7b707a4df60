"""The WooCommerce REST API client: the only code in woosync that talks HTTP to a store.

    from woosync.woo import WooClient, StoreInfo, BatchResult
    from woosync.woo.errors import WooError, WooHTTPError, WooAuthError, ...

Imports only ``woosync.core``; the store, services and secrets layers never come in here.
"""

from __future__ import annotations

from woosync.woo.client import WooClient
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
from woosync.woo.models import BatchResult, ClientStats, StoreInfo

__all__ = [
    "BatchResult",
    "ClientStats",
    "StoreInfo",
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
