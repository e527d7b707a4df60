"""``WooClient``: the one object in woosync that talks HTTP to a WooCommerce store.

It is put together from one module per job, each a class over :class:`~woosync.woo.transport.
Transport` (the signed, retried, bounded request every call goes through):

- :mod:`woosync.woo.listing`: one page, or every page of a collection, a few in flight;
- :mod:`woosync.woo.batches`: one ``/batch`` request, or chunks of them, a few in flight;
- :mod:`woosync.woo.variations`: a parent's variations, several parents at once; ``?sku=``
  lookups told apart by type;
- :mod:`woosync.woo.variation_batches`: variation writes with adaptive size and recovery;
- :mod:`woosync.woo.store_facts`: the store's name and versions, and whether the key may write.
"""

from __future__ import annotations

from woosync.woo.site import site_root
from woosync.woo.store_facts import StoreFacts
from woosync.woo.variation_batches import VariationBatches


class WooClient(StoreFacts, VariationBatches):
    """A WooCommerce REST API v3 client for one store.

    ``store_url`` is the site root (``https://shop.example``); requests go to
    ``{store_url}/wp-json/wc/v3``. HTTPS uses Basic auth, plain HTTP OAuth 1.0a (HMAC-SHA256, in the
    query string, signed afresh for every attempt and page). ``verify`` is ``True`` (system/certifi
    roots; ``SSL_CERT_FILE``/``SSL_CERT_DIR`` honoured), ``False``, or a CA bundle file/directory.
    ``sleep`` is what waits between retries (default: the pause of woosync's clock, core.timeutil).
    """


__all__ = ["WooClient", "site_root"]
