"""Several sandbox stores, in-process, each a connection of one catalog: for two-way sync tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import select

from import_helpers import import_products_json
from test_export_support import export_json
from woosync.db.engine import Database, open_database
from woosync.db.models import Connection, Product
from woosync.sandbox import SandboxStore
from woosync.woo import WooClient

# Every field woosync exports, with the values a real store answers differently: an entity-encoded
# description, a price the store may spell "12.5" or "12.50", images the store copies to its uploads.
EVERY_FIELD = ["name", "sku", "description", "status", "type", "price", "sale_price", "weight"]
EVERY_FIELD += ["dimensions", "stock_status", "categories", "tags", "images", "color", "Material"]
EVERY_FIELD += ["manage_stock", "stock_quantity", "backorders", "low_stock_amount"]
EVERY_FIELD += ["date_on_sale_from", "date_on_sale_to"]


@dataclass
class Shop:
    connection_id: int
    url: str
    sandbox: SandboxStore
    client: WooClient

    def export(self, db: Database, **options: Any) -> dict[str, Any]:
        options.setdefault("all_products", True)
        shown: dict[str, Any] = export_json(db, self.connection_id, client=self.client, **options)
        return shown

    def import_(self, db: Database, **options: Any) -> dict[str, Any]:
        options.setdefault("update_existing", True)
        return import_products_json(db, self.connection_id, client=self.client, **options)

    def product(self, sku: str) -> dict[str, Any]:
        """The store product holding ``sku`` as the store answers it (its own URLs)."""
        product: dict[str, Any] = self.client.get(
            f"/products/{self.woo_id(sku)}", {"context": "edit"}
        )
        return product

    def woo_id(self, sku: str) -> int:
        found = self.sandbox.find_sku(sku)
        assert found is not None, sku
        return int(found["id"])


@contextmanager
def shops(db_path: Path, count: int) -> Iterator[tuple[Database, list[Shop]]]:
    """``count`` sandbox stores (``http://store1.test`` ...) as connections 1..count."""
    db = open_database(db_path)
    made: list[Shop] = []
    try:
        for n in range(1, count + 1):
            url = f"http://store{n}.test"
            sandbox = SandboxStore(seed=n)
            key, secret = sandbox.create_key("read_write")
            client = WooClient(
                url,
                key,
                secret,
                transport=httpx.WSGITransport(app=sandbox.wsgi_app),
                max_retries=0,
            )
            with db.session() as session:
                conn = Connection(store_name=f"Store {n}", store_url=url, is_default=n == 1)
                session.add(conn)
                session.flush()
                assert conn.id is not None
                made.append(Shop(conn.id, url, sandbox, client))
        yield db, made
    finally:
        for shop in made:
            shop.client.close()
        db.dispose()


def catalog(db: Database) -> list[dict[str, Any]]:
    """Every product's values (no timestamps), for comparing the catalog before and after."""
    with db.session() as session:
        rows = session.exec(select(Product).order_by(Product.id)).all()  # type: ignore[arg-type]
        return [
            json.loads(row.model_dump_json(exclude={"created_at", "updated_at"})) for row in rows
        ]


_VOLATILE = ("date_modified", "date_modified_gmt", "_links")


def store_state(shop: Shop) -> list[dict[str, Any]]:
    """The store's products as it answers them (no modification dates)."""
    products = [shop.sandbox.products[i] for i in sorted(shop.sandbox.products)]
    return [{k: v for k, v in product.items() if k not in _VOLATILE} for product in products]
