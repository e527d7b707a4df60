"""The WooCommerce REST API client: the only code in woosync that talks HTTP to a store.

    from woosync.woo import WooClient, StoreInfo, BatchResult, VariationWrite, SkuHits
    from woosync.woo.errors import WooError, WooHTTPError, WooAuthError, ...

Imports only ``woosync.core``; the store, services and secrets layers never come in here.
"""

from __future__ import annotations

import logging

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
from woosync.woo.models import BatchResult, ClientStats, ItemError, StoreInfo
from woosync.woo.variation_batches import VariationOutcome, VariationWrite
from woosync.woo.variations import SkuHits

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
