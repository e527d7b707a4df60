"""Helpers shared by the export tests (no tests here): a local store with a connection, products
and mappings, and a small scriptable WooCommerce fake for pytest-httpx."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx

from woosync.db.engine import Database, open_database
from woosync.db.models import Connection, ExportMapping, Product, ProductSync, StoreRef
from woosync.sandbox import Faults, SandboxStore
from woosync.services.export.request import ExportRequest

API = "/wp-json/wc/v3"


def make_database(path: Path) -> Database:
    return open_database(path)


def add_connection(db: Database, name: str = "Retail", url: str = "https://shop.test") -> int:
    with db.session() as session:
        conn = Connection(store_name=name, store_url=url, is_default=True)
        session.add(conn)
        session.flush()
        assert conn.id is not None
        return conn.id


def add_products(db: Database, rows: list[dict[str, Any]]) -> list[int]:
    ids = []
    with db.session() as session:
        for row in rows:
            product = Product(**row)
            session.add(product)
            session.flush()
            assert product.id is not None
            ids.append(product.id)
    return ids


def edit_product(db: Database, product_id: int, **changes: Any) -> None:
    with db.session() as session:
        product = session.get(Product, product_id)
        assert product is not None
        for name, value in changes.items():
            setattr(product, name, value)
        session.add(product)


def set_mapping(
    db: Database, connection_id: int, selected: list[str], mappings: dict[str, str] | None = None
) -> None:
    with db.session() as session:
        session.add(
            ExportMapping(
                connection_id=connection_id,
                selected_fields=selected,
                field_mappings=mappings or {},
            )
        )


def sync_of(db: Database, connection_id: int, product_id: int) -> ProductSync | None:
    from sqlmodel import select

    with db.session() as session:
        return session.exec(
            select(ProductSync)
            .where(ProductSync.connection_id == connection_id)
            .where(ProductSync.product_id == product_id)
        ).first()


def refs_of(db: Database, connection_id: int, kind: str) -> dict[str, int]:
    from sqlmodel import select

    with db.session() as session:
        rows = session.exec(
            select(StoreRef).where(StoreRef.connection_id == connection_id, StoreRef.kind == kind)
        ).all()
        return {row.key: row.woo_id for row in rows}


def tee(sku: str, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"sku": sku, "name": f"Tee {sku}", "price": "10.00"}
    row.update(extra)
    return row


class FakeWoo:
    """Enough of WooCommerce for precise request tests: products, SKU lookups (trash included),
    batches with per-item errors, categories. Scripted faults via ``batch_faults``."""

    def __init__(self) -> None:
        self.products: dict[int, dict[str, Any]] = {}
        self.trash: dict[int, dict[str, Any]] = {}
        self.categories: dict[int, str] = {}
        self.next_id = 100
        self.downloads = 0
        self.bad_skus: set[str] = set()
        # each entry: "503", "413", or "timeout-applied" (apply, then time out)
        self.batch_faults: list[str] = []
        # each entry: "503" (nothing created) or "503-applied" (created, then answered 503)
        self.category_faults: list[str] = []
        self.requests: list[tuple[str, str, dict[str, str], Any]] = []

    # -- helpers for tests
    def writes(self) -> list[dict[str, Any]]:
        return [
            body
            for method, path, _q, body in self.requests
            if method == "POST" and path == "/products/batch"
        ]

    def count(self, method: str, path: str) -> int:
        return sum(1 for m, p, _q, _b in self.requests if m == method and p == path)

    def by_sku(self, sku: str) -> list[dict[str, Any]]:
        return [p for p in self.products.values() if p["sku"] == sku]

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id

    def _images(self, images: list[dict[str, Any]]) -> list[dict[str, Any]]:
        result = []
        for image in images:
            if image.get("id"):
                result.append({"id": image["id"], "src": f"https://shop.test/up/{image['id']}.jpg"})
            else:
                self.downloads += 1
                new = self._id()
                result.append({"id": new, "src": f"https://shop.test/up/{new}.jpg"})
        return result

    def _apply(self, product: dict[str, Any], body: dict[str, Any]) -> None:
        for key, value in body.items():
            if key == "images":
                product["images"] = self._images(value)
            elif key == "categories":
                product["categories"] = [
                    {"id": c["id"], "name": self.categories.get(c["id"], "?")} for c in value
                ]
            elif key == "name":
                product["name"] = str(value).replace("&", "&amp;")
            elif key != "id":
                product[key] = value

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        sku = body.get("sku", "")
        taken = [
            p for p in [*self.products.values(), *self.trash.values()] if sku and p["sku"] == sku
        ]
        if sku in self.bad_skus:
            return {
                "id": 0,
                "error": {
                    "code": "woocommerce_product_image_upload_error",
                    "message": "Invalid image",
                    "data": {"status": 400},
                },
            }
        if taken:
            return {
                "id": 0,
                "error": {
                    "code": "product_invalid_sku",
                    "message": "Invalid or duplicated SKU.",
                    "data": {"status": 400, "resource_id": taken[0]["id"]},
                },
            }
        product: dict[str, Any] = {
            "id": self._id(),
            "type": "simple",
            "status": "publish",
            "description": "",
            "regular_price": "",
            "images": [],
            "attributes": [],
            "categories": [],
            "parent_id": 0,
        }
        self._apply(product, body)
        self.products[product["id"]] = product
        return product

    def update(self, body: dict[str, Any]) -> dict[str, Any]:
        product_id = int(body["id"])
        if product_id in self.trash and body.get("status") not in (None, "trash"):
            self.products[product_id] = self.trash.pop(product_id)
        product = self.products.get(product_id)
        if product is None:
            return {
                "id": product_id,
                "error": {
                    "code": "woocommerce_rest_product_invalid_id",
                    "message": "Invalid ID.",
                    "data": {"status": 400},
                },
            }
        self._apply(product, body)
        return product

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix(API)
        query = {k: v[-1] for k, v in parse_qs(request.url.query.decode()).items()}
        body: Any = json.loads(request.content) if request.content else None
        self.requests.append((request.method, path, query, body))
        headers = {"X-WP-Total": "0", "X-WP-TotalPages": "1"}
        if request.method == "GET" and path == "/products":
            pool = self.trash if query.get("status") == "trash" else self.products
            found = list(pool.values())
            if "sku" in query:
                wanted = set(query["sku"].split(","))
                found = [p for p in found if p["sku"] in wanted]
            if "include" in query:
                wanted_ids = {int(i) for i in query["include"].split(",")}
                found = [p for p in found if p["id"] in wanted_ids]
            headers["X-WP-Total"] = str(len(found))
            return httpx.Response(200, json=found, headers=headers)
        if request.method == "GET" and path == "/products/categories":
            found = [{"id": i, "name": n.replace("&", "&amp;")} for i, n in self.categories.items()]
            headers["X-WP-Total"] = str(len(found))
            return httpx.Response(200, json=found, headers=headers)
        if request.method == "POST" and path == "/products/categories":
            fault = self.category_faults.pop(0) if self.category_faults else None
            unavailable = httpx.Response(
                503, json={"code": "fault", "message": "injected", "data": {"status": 503}}
            )
            if fault == "503":
                return unavailable
            taken = [i for i, n in self.categories.items() if n == body["name"]]
            if taken:
                return httpx.Response(
                    400,
                    json={
                        "code": "term_exists",
                        "message": "A term with the name provided already exists.",
                        "data": {"status": 400, "resource_id": taken[0]},
                    },
                )
            new = self._id()
            self.categories[new] = body["name"]
            if fault == "503-applied":
                return unavailable
            return httpx.Response(201, json={"id": new, "name": body["name"]})
        if request.method == "DELETE" and path.startswith("/products/"):
            product_id = int(path.rsplit("/", 1)[1])
            if product_id not in self.products:
                return httpx.Response(
                    404,
                    json={
                        "code": "woocommerce_rest_product_invalid_id",
                        "message": "Invalid ID.",
                        "data": {"status": 404},
                    },
                )
            return httpx.Response(200, json=self.products.pop(product_id))
        if request.method == "POST" and path == "/products/batch":
            fault = self.batch_faults.pop(0) if self.batch_faults else None
            if fault in ("503", "413"):
                return httpx.Response(
                    int(fault),
                    json={"code": "fault", "message": "injected", "data": {"status": int(fault)}},
                )
            answer: dict[str, Any] = {}
            if body.get("create"):
                answer["create"] = [self.create(item) for item in body["create"]]
            if body.get("update"):
                answer["update"] = [self.update(item) for item in body["update"]]
            if fault == "timeout-applied":
                raise httpx.ReadTimeout("injected timeout", request=request)
            return httpx.Response(200, json=answer)
        return httpx.Response(
            404, json={"code": "rest_no_route", "message": "No route", "data": {"status": 404}}
        )


def fake_client(max_retries: int = 0) -> Any:
    """A WooClient over HTTPS (Basic auth: plain URLs), no retries unless asked (their pauses are
    the clock fixture's); the tests route its requests to a :class:`FakeWoo` with pytest-httpx."""
    from woosync.woo import WooClient

    return WooClient("https://shop.test", "ck_test", "cs_test", max_retries=max_retries)


CALL_OPTIONS = ("progress", "on_result", "on_excluded", "on_product", "lock_wait", "client")


def export_request(
    connection: int | str | None, options: dict[str, Any]
) -> tuple[ExportRequest, dict[str, Any]]:
    """The :class:`ExportRequest` of keyword ``options`` and the rest (the callbacks, the client,
    ``lock_wait``): how ``export_products``/``plan_export`` take them."""
    call = {name: options.pop(name) for name in CALL_OPTIONS if name in options}
    return ExportRequest(connection, **options), call


def export_json(db: Database, connection: int | str | None = None, **options: Any) -> Any:
    """``export_products`` (``plan_export`` with ``dry_run=True``) as ``export --json`` shows it
    (messages spelled for the CLI, as a user reads them)."""
    from woosync.cli.flags import flag_of
    from woosync.services.export.dry_run import plan_export
    from woosync.services.export.run import export_products
    from woosync.shapes import export as shapes

    dry_run = options.pop("dry_run", False)
    request, call = export_request(connection, options)
    if dry_run:
        for writing_only in ("lock_wait", "progress"):
            call.pop(writing_only, None)
        return shapes.export_plan(plan_export(db, request, **call), flag_of)
    return shapes.export_result(export_products(db, request, **call), flag_of)


def update_json(db: Database, connection: int | str | None, product_id: int, **options: Any) -> Any:
    """``update_product`` as ``update --json`` shows it."""
    from woosync.cli.flags import flag_of
    from woosync.services.export.run import update_product
    from woosync.shapes import export as shapes

    return shapes.product_result(update_product(db, connection, product_id, **options), flag_of)


def delete_json(db: Database, connection: int | str | None, product_id: int, **options: Any) -> Any:
    """``delete_product`` as ``delete --json`` shows it."""
    from woosync.services.export.run import delete_product
    from woosync.shapes import export as shapes

    return shapes.delete_result(delete_product(db, connection, product_id, **options))


class BatchStall(httpx.BaseTransport):
    """In-process transport to the sandbox that lets the next ``stalls`` batch requests be applied
    by the store and then time out (the answer is lost), as a slow store behind a proxy would."""

    def __init__(self, sandbox: SandboxStore, stalls: int = 0) -> None:
        self.sandbox = sandbox
        self.inner = httpx.WSGITransport(app=sandbox.wsgi_app)
        self.stalls = stalls

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        stall = self.stalls > 0 and request.method == "POST" and request.url.path.endswith("/batch")
        if stall:
            self.stalls -= 1
            self.sandbox.faults = Faults(stall_rate=1.0, stall_seconds=0)
        try:
            return self.inner.handle_request(request)
        finally:
            if stall:
                self.sandbox.faults = Faults()
