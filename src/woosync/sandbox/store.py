"""``SandboxStore``: the sandbox's Python API for tests, the demo, benchmarks and the CLI."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from woosync.sandbox import auth
from woosync.sandbox.app import SandboxApp
from woosync.sandbox.env import Env
from woosync.sandbox.faults import FaultInjector, Faults
from woosync.sandbox.products import (
    publish_due,
    render_product,
    render_variation,
    write_product,
    write_variation,
)
from woosync.sandbox.server import make_server
from woosync.sandbox.state import State, is_variation
from woosync.sandbox.stats import Stats
from woosync.sandbox.taxonomy import add_attribute

SAVE_INTERVAL_SECONDS = 0.5


class ProductsView(Mapping[int, dict[str, Any]]):
    """``store.products``: id -> the product as ``context=edit`` shows it (trashed ones included).

    Variations are not in it (see ``SandboxStore.variations``), as ``GET /products`` lists none.
    """

    def __init__(self, store: SandboxStore) -> None:
        self._store = store

    def __getitem__(self, product_id: int) -> dict[str, Any]:
        state = self._store._state
        with state.lock:
            record = state.products[product_id]
            if is_variation(record):
                raise KeyError(product_id)
            return render_product(state, self._store.home, record, "edit")

    def __iter__(self) -> Iterator[int]:
        with self._store._state.lock:
            products = self._store._state.products
            return iter([i for i, record in products.items() if not is_variation(record)])

    def __len__(self) -> int:
        with self._store._state.lock:
            return sum(not is_variation(r) for r in self._store._state.products.values())


class SandboxStore:
    """A WooCommerce-compatible store in memory (or in ``data_file``), served over WSGI.

    ``faults`` may be replaced or changed at any time; ``stats`` counts what clients did.
    ``sleep`` waits out every delay the faults ask for (latency, per-item time, stalls); tests
    pass a recorder to check the delays without waiting.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        faults: Faults | None = None,
        store_name: str = "Sandbox Store",
        data_file: str | Path | None = None,
        clock: Callable[[], datetime] | None = None,
        wp_version: str = "7.0.4",
        wc_version: str = "11.0.1",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.faults = faults or Faults()
        self.stats = Stats()
        self._state = State(clock)
        self._env = Env(
            self._state, self.stats, store_name, wp_version=wp_version, wc_version=wc_version
        )
        self._state.has_brands = self._env.has_brands
        self._random = random.Random(seed)
        self._app = SandboxApp(self._env, FaultInjector(seed), lambda: self.faults, sleep=sleep)
        self.home = "http://localhost"
        self.data_file = Path(data_file) if data_file else None
        self._saved_version = -1
        self._save_lock = threading.Lock()
        self._saver_stop = threading.Event()
        self._saver: threading.Thread | None = None
        if self.data_file is not None:
            if self.data_file.exists():
                self._state.load(self.data_file)
            self._saved_version = self._state.version
            self._saver = threading.Thread(
                target=self._save_loop, name="sandbox-saver", daemon=True
            )
            self._saver.start()

    # the WSGI app and the server -------------------------------------------------------------------
    @property
    def wsgi_app(self) -> SandboxApp:
        """For ``httpx.WSGITransport(app=store.wsgi_app)`` or any WSGI server."""
        return self._app

    @contextmanager
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
        """Serve on a real socket (threaded) while the block runs; yields the base URL."""
        server = make_server(host, port, self._app)
        shown_host = f"[{host}]" if ":" in host else host
        url = f"http://{shown_host}:{server.server_port}"
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="sandbox-server",
            daemon=True,
        )
        thread.start()
        self.home = url
        try:
            yield url
        finally:
            server.shutdown()
            server.server_close()
            thread.join()
            self.save()

    # keys and data ---------------------------------------------------------------------------------
    def create_key(self, permissions: str = "read_write", description: str = "") -> tuple[str, str]:
        """A new API key pair: ``permissions`` is "read", "write" or "read_write"."""
        key_pair = auth.new_key(self._state, permissions, description)
        self._state.touch()
        return key_pair

    @property
    def products(self) -> ProductsView:
        return ProductsView(self)

    def find_sku(self, sku: str) -> dict[str, Any] | None:
        """The product or variation holding ``sku`` (trashed included), as ``context=edit`` shows
        it in product shape (a variation has ``type: "variation"`` and its ``parent_id``)."""
        with self._state.lock:
            record = self._state.product_by_sku(sku)
            return render_product(self._state, self.home, record, "edit") if record else None

    def run_cron(self) -> int:
        """What a visit to ``wp-cron.php`` does: scheduled products whose date has come are
        published (a real store does it only then, not on REST requests). Returns how many."""
        with self._state.lock:
            return publish_due(self._state)

    @property
    def media_count(self) -> int:
        return len(self._state.media)

    def create_product(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a product as ``POST /products`` would (raises ``ApiError``); not counted."""
        with self._state.lock:
            record = write_product(self._env, data, None, strict=True, count=False)
            return render_product(self._state, self.home, record, "edit")

    def update_product(self, product_id: int, data: dict[str, Any]) -> dict[str, Any]:
        """Update a product as ``PUT /products/{product_id}`` would (a shop manager's edit in
        the store; raises ``ApiError``); not counted."""
        with self._state.lock:
            record = write_product(self._env, data, product_id, strict=True, count=False)
            return render_product(self._state, self.home, record, "edit")

    def create_variation(self, parent_id: int, data: dict[str, Any]) -> dict[str, Any]:
        """Create a variation as ``POST /products/{parent_id}/variations`` would; not counted."""
        with self._state.lock:
            record = write_variation(self._env, parent_id, data, None, strict=True, count=False)
            return render_variation(self._state, self.home, record, "edit")

    def variations(self, parent_id: int) -> list[dict[str, Any]]:
        """A product's variations (trashed included), oldest first, as ``context=edit`` shows them."""
        with self._state.lock:
            return [
                render_variation(self._state, self.home, record, "edit")
                for record in self._state.variations_of(parent_id)
            ]

    def create_attribute(self, name: str, slug: str | None = None) -> dict[str, Any]:
        """Create a global attribute as ``POST /products/attributes`` would (not counted).

        Returns ``{"id", "name", "slug"}`` with the ``pa_`` slug the API shows.
        """
        with self._state.lock:
            attribute = add_attribute(self._state, {"name": name, "slug": slug or ""})
            return {
                "id": attribute["id"],
                "name": attribute["name"],
                "slug": f"pa_{attribute['slug']}",
            }

    @property
    def attributes(self) -> dict[str, int]:
        """Global attributes as ``{"pa_slug": id}``."""
        with self._state.lock:
            return {f"pa_{a['slug']}": a["id"] for a in self._state.attributes.values()}

    def seed_products(self, count: int, prefix: str = "SBX-") -> list[int]:
        """Add ``count`` simple products (reproducible from the seed); returns their ids."""
        ids = []
        with self._state.lock:
            start = len(self._state.products) + 1
            for n in range(start, start + count):
                body = {
                    "name": f"Sandbox product {n}",
                    "sku": f"{prefix}{n:05d}",
                    "regular_price": f"{self._random.randint(100, 9999) / 100:.2f}",
                    "description": f"Sample product number {n}.",
                    "manage_stock": True,
                    "stock_quantity": self._random.randint(0, 50),
                }
                ids.append(write_product(self._env, body, None, strict=False, count=False)["id"])
        return ids

    def seed_variable_products(
        self, count: int, sizes: Sequence[str] = ("S", "M", "L"), prefix: str = "SBX-V"
    ) -> list[int]:
        """Add ``count`` variable products, each with a local "Size" attribute and one variation
        (with its own SKU, price and managed stock) per size, reproducible from the seed; returns
        the parents' ids."""
        ids = []
        with self._state.lock:
            start = len(self._state.products) + 1
            for n in range(start, start + count):
                parent = {
                    "name": f"Sandbox variable product {n}",
                    "type": "variable",
                    "sku": f"{prefix}{n:05d}",
                    "attributes": [{"name": "Size", "variation": True, "options": list(sizes)}],
                }
                parent_id = write_product(self._env, parent, None, strict=False, count=False)["id"]
                for size in sizes:
                    body = {
                        "sku": f"{prefix}{n:05d}-{size}",
                        "regular_price": f"{self._random.randint(100, 9999) / 100:.2f}",
                        "manage_stock": True,
                        "stock_quantity": self._random.randint(0, 50),
                        "attributes": [{"name": "Size", "option": size}],
                    }
                    write_variation(self._env, parent_id, body, None, strict=False, count=False)
                ids.append(parent_id)
        return ids

    # persistence -----------------------------------------------------------------------------------
    def save(self) -> None:
        """Write ``data_file`` now (no-op without one, or when nothing changed)."""
        if self.data_file is None:
            return
        with self._save_lock:
            version = self._state.version
            if version == self._saved_version:
                return
            self._state.save(self.data_file)
            self._saved_version = version

    def _save_loop(self) -> None:
        while not self._saver_stop.wait(SAVE_INTERVAL_SECONDS):
            self.save()

    def close(self) -> None:
        """Stop the background saver and save a last time."""
        self._saver_stop.set()
        if self._saver is not None:
            self._saver.join()
            self._saver = None
        self.save()

    def __enter__(self) -> SandboxStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
