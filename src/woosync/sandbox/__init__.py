"""A WooCommerce-compatible REST API store for tests, the demo, benchmarks and rehearsals.

It stands apart from the rest of woosync (imports nothing from it)::

    from woosync.sandbox import SandboxStore, Faults
    store = SandboxStore(seed=0, faults=Faults(latency_ms=5))
    key, secret = store.create_key("read_write")
    httpx.Client(transport=httpx.WSGITransport(app=store.wsgi_app), base_url="http://store.test")
    with store.serve(port=0) as base_url: ...
"""

from __future__ import annotations

from woosync.sandbox.faults import Faults
from woosync.sandbox.http import ApiError
from woosync.sandbox.stats import LoggedRequest, Stats
from woosync.sandbox.store import ProductsView, SandboxStore

__all__ = ["ApiError", "Faults", "LoggedRequest", "ProductsView", "SandboxStore", "Stats"]
