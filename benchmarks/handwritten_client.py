"""The baselines woosync is measured against: what a hand-written script must do, and no more.

Standalone on purpose (plain httpx and oauthlib, nothing from woosync), run by ``cli_bench.py`` as
a child process, so start-up counts for it exactly as it does for ``woosync``:

- ``export``: read the catalog CSV as it streams, make the store's categories (one listing request,
  one create per missing category, as woosync does), then send ``POST /products/batch`` with 100 products each, 4 requests in flight
  (threads sharing one ``httpx.Client``), with the payload woosync sends for the same fields (name,
  sku, regular_price, description, images by src, categories by id, local attributes); each answer is
  decoded and checked per item, and the new ids are kept (a real script must remember them).
- ``naive``: one ``POST /products`` per product, one after another, for the first ``--subset``
  products of the catalog (SKUs prefixed ``NAIVE-`` so they never meet the batch client's).
- ``variations``: variable products (``type`` variable/variation rows with ``parent_sku``, the
  layout of issue 13): parents by ``POST /products/batch`` (100 each), then one
  ``POST /products/{id}/variations/batch`` per parent (the REST API writes variations one parent at
  a time), 4 requests in flight throughout: the floor of a variable export.
- ``list``: the listing an import cannot do without: pages of 100 (``context=edit``, the ``_fields``
  woosync's import asks for), the first page alone, then the rest 4 in flight; decoded, nothing kept.

Over plain http WooCommerce only accepts one-legged OAuth 1.0a (HMAC-SHA256, in the query string),
so every request is signed with oauthlib, as woosync does. Prints one JSON line: requests sent,
items accepted and refused (``naive`` adds the wall and CPU time of its one-by-one part). The key and secret come from ``WOO_CONSUMER_KEY`` and
``WOO_CONSUMER_SECRET``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import httpx
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256, SIGNATURE_TYPE_QUERY
from oauthlib.oauth1 import Client as OAuth1Client

BATCH = 100
IN_FLIGHT = 4
LIST_FIELDS = (
    "attributes,categories,date_modified_gmt,description,dimensions,id,images,name,parent_id,"
    "regular_price,sale_price,sku,status,stock_status,tags,type,weight"
)


class Database:
    """A signed JSON client for one store's ``/wp-json/wc/v3`` API; counts its requests."""

    def __init__(self, url: str, key: str, secret: str) -> None:
        self.base = url.rstrip("/") + "/wp-json/wc/v3"
        self.key, self.secret = key, secret
        self.http = httpx.Client(timeout=120, limits=httpx.Limits(max_connections=IN_FLIGHT))
        self.requests = 0
        self._lock = threading.Lock()

    def call(self, method: str, path: str, body: Any = None, params: str = "") -> httpx.Response:
        url = self.base + path + (f"?{params}" if params else "")
        signer = OAuth1Client(
            self.key,
            client_secret=self.secret,
            signature_method=SIGNATURE_HMAC_SHA256,
            signature_type=SIGNATURE_TYPE_QUERY,
        )
        signed, _headers, _body = signer.sign(url, http_method=method)
        with self._lock:
            self.requests += 1
        answer = self.http.request(method, signed, json=body)
        answer.raise_for_status()
        return answer


def rows(catalog: str) -> Iterator[dict[str, str]]:
    with open(catalog, newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def split(value: str) -> list[str]:
    return [part for part in value.split("|") if part] if value else []


def category_ids(db: Database, catalog: str) -> dict[str, int]:
    """The store's categories by name; the missing ones created."""
    names = sorted({name for row in rows(catalog) for name in split(row["categories"])})
    known: dict[str, int] = {}
    for page in range(1, 1000):
        answer = db.call(
            "GET", "/products/categories", params=f"per_page=100&page={page}&hide_empty=false"
        ).json()
        known.update({item["name"]: item["id"] for item in answer})
        if len(answer) < 100:
            break
    for name in names:  # the sandbox has no categories/batch route; a real store would take one
        if name not in known:
            known[name] = db.call("POST", "/products/categories", {"name": name}).json()["id"]
    return known


def payload(
    row: dict[str, str], categories: dict[str, int], sku_prefix: str = ""
) -> dict[str, Any]:
    """What woosync sends for name, sku, price, description, images, categories and attributes."""
    body: dict[str, Any] = {
        "name": row["name"],
        "sku": sku_prefix + row["sku"],
        "regular_price": row["price"],
        "description": row["description"],
        "images": [{"src": src} for src in split(row["images"])],
        "categories": [{"id": categories[name]} for name in split(row["categories"])],
    }
    attributes = [
        {
            "name": column[10:],
            "position": n,
            "visible": True,
            "variation": False,
            "options": split(v),
        }
        for n, (column, v) in enumerate(
            (c, v) for c, v in row.items() if c.startswith("attribute:") and v
        )
    ]
    if attributes:
        body["attributes"] = attributes
    return body


def export(db: Database, catalog: str) -> dict[str, float]:
    categories = category_ids(db, catalog)
    ids: dict[str, int] = {}
    refused = 0
    lock = threading.Lock()
    slots = threading.BoundedSemaphore(IN_FLIGHT * 2)  # a few batches ready, never the catalog

    def send(chunk: list[dict[str, str]]) -> None:
        nonlocal refused
        try:
            body = {"create": [payload(row, categories) for row in chunk]}
            answer = db.call("POST", "/products/batch", body).json()
            with lock:
                for item in answer.get("create", []):
                    if "error" in item or not item.get("id"):
                        refused += 1
                    else:
                        ids[item["sku"]] = item["id"]
        finally:
            slots.release()

    futures: list[Future[None]] = []
    with ThreadPoolExecutor(IN_FLIGHT) as pool:
        chunk: list[dict[str, str]] = []
        for row in rows(catalog):
            chunk.append(row)
            if len(chunk) == BATCH:
                slots.acquire()
                futures.append(pool.submit(send, chunk))
                chunk = []
        if chunk:
            slots.acquire()
            futures.append(pool.submit(send, chunk))
    for future in futures:
        future.result()  # raise what a batch raised
    return {"requests": db.requests, "accepted": len(ids), "refused": refused}


def naive(db: Database, catalog: str, subset: int) -> dict[str, float]:
    categories = category_ids(db, catalog)
    sent = accepted = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for row in rows(catalog):
        if sent == subset:
            break
        answer = db.call("POST", "/products", payload(row, categories, "NAIVE-")).json()
        sent += 1
        accepted += bool(answer.get("id"))
    return {
        "requests": db.requests,
        "accepted": accepted,
        "refused": sent - accepted,
        "products_wall_s": time.perf_counter() - wall,  # the one-by-one part, for extrapolating
        "products_cpu_s": time.process_time() - cpu,
    }


def variable_payload(row: dict[str, str], categories: dict[str, int]) -> dict[str, Any]:
    """A variable parent: its options per attribute, every attribute a variation attribute."""
    return {
        "name": row["name"],
        "sku": row["sku"],
        "type": "variable",
        "categories": [{"id": categories[name]} for name in split(row["categories"])],
        "attributes": [
            {
                "name": column[10:],
                "position": n,
                "visible": True,
                "variation": True,
                "options": split(value),
            }
            for n, (column, value) in enumerate(
                (c, v) for c, v in row.items() if c.startswith("attribute:") and v
            )
        ],
    }


def variation_payload(row: dict[str, str]) -> dict[str, Any]:
    return {
        "sku": row["sku"],
        "regular_price": row["price"],
        "attributes": [
            {"name": column[10:], "option": value}
            for column, value in row.items()
            if column.startswith("attribute:") and value
        ],
    }


def variable_export(db: Database, catalog: str) -> dict[str, float]:
    categories = category_ids(db, catalog)
    parents: list[dict[str, str]] = []
    children: dict[str, list[dict[str, str]]] = {}
    for row in rows(catalog):
        if row["type"] == "variation":
            children.setdefault(row["parent_sku"], []).append(row)
        else:
            parents.append(row)
    ids: dict[str, int] = {}
    refused = 0
    lock = threading.Lock()

    def tally(items: list[dict[str, Any]]) -> None:
        nonlocal refused
        with lock:
            for item in items:
                if "error" in item or not item.get("id"):
                    refused += 1
                else:
                    ids[item["sku"]] = item["id"]

    def send_parents(chunk: list[dict[str, str]]) -> None:
        body = {"create": [variable_payload(row, categories) for row in chunk]}
        tally(db.call("POST", "/products/batch", body).json().get("create", []))

    def send_variations(parent: str) -> None:
        body = {"create": [variation_payload(row) for row in children.get(parent, [])]}
        path = f"/products/{ids[parent]}/variations/batch"
        tally(db.call("POST", path, body).json().get("create", []))

    with ThreadPoolExecutor(IN_FLIGHT) as pool:
        chunks = [parents[k : k + BATCH] for k in range(0, len(parents), BATCH)]
        list(pool.map(send_parents, chunks))
        made = [row["sku"] for row in parents if row["sku"] in ids and children.get(row["sku"])]
        list(pool.map(send_variations, made))
    return {"requests": db.requests, "accepted": len(ids), "refused": refused}


def listing(db: Database) -> dict[str, float]:
    def page(number: int) -> httpx.Response:
        params = (
            f"per_page=100&page={number}&orderby=id&order=asc&context=edit&_fields={LIST_FIELDS}"
        )
        return db.call("GET", "/products", params=params)

    first = page(1)
    received = len(first.json())
    pages = int(first.headers.get("X-WP-TotalPages", "1"))
    with ThreadPoolExecutor(IN_FLIGHT) as pool:
        for answer in pool.map(page, range(2, pages + 1)):
            received += len(answer.json())
    return {"requests": db.requests, "accepted": received, "refused": 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["export", "naive", "list", "variations"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--catalog", default="")
    parser.add_argument("--subset", type=int, default=300)
    args = parser.parse_args()
    db = Database(args.url, os.environ["WOO_CONSUMER_KEY"], os.environ["WOO_CONSUMER_SECRET"])
    with db.http:
        figures: dict[str, float]
        if args.mode == "export":
            figures = export(db, args.catalog)
        elif args.mode == "variations":
            figures = variable_export(db, args.catalog)
        elif args.mode == "naive":
            figures = naive(db, args.catalog, args.subset)
        else:
            figures = listing(db)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
