"""Images once per store (issue 11 point 6), counted by the sandbox's downloads: a URL shared by
several products (in one batch, in batches in flight together, in later batches), an export queued
behind another, and a re-run after a run died between the store applying a batch and this database
recording it."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest

from queued_runs import WAIT, Gate, Run, client_for, connection, is_batch, queue_behind
from test_export_support import add_products, edit_product, export_json, refs_of, tee
from woosync.db.engine import Database
from woosync.sandbox import Faults, SandboxStore
from woosync.services.export.registry import IMAGE
from woosync.services.sync.image_files import same_image_file
from woosync.woo import WooClient

FIELDS = ["name", "sku", "images"]
IMG = "https://img.example"


def images_in_store(sandbox: SandboxStore) -> dict[str, list[int]]:
    """SKU -> media ids of its images, in order."""
    return {p["sku"]: [i["id"] for i in p["images"]] for p in sandbox.products.values()}


def batches(sandbox: SandboxStore) -> int:
    return sandbox.stats.by_route[("POST", "/wc/v3/products/batch")]


SHARED = [  # 8 products, 5 distinct URLs; a.jpg on five of them
    tee("S-1", images=[f"{IMG}/a.jpg", f"{IMG}/b.jpg"]),
    tee("S-2", images=[f"{IMG}/a.jpg"]),
    tee("S-3", images=[f"{IMG}/c.jpg"]),
    tee("S-4", images=[f"{IMG}/c.jpg", f"{IMG}/a.jpg"]),
    tee("S-5", images=[f"{IMG}/b.jpg"]),
    tee("S-6", images=[f"{IMG}/d.jpg", f"{IMG}/a.jpg"]),
    tee("S-7", images=[f"{IMG}/a.jpg", f"{IMG}/e.jpg"]),
    tee("S-8"),
]


@pytest.mark.parametrize(("batch_size", "concurrency"), [(100, 1), (2, 2), (3, 4)])
def test_a_url_shared_by_several_products_is_downloaded_once(
    db: Database, batch_size: int, concurrency: int
) -> None:
    sandbox = SandboxStore(seed=31)
    conn = connection(db)
    add_products(db, SHARED)
    with client_for(sandbox) as client:
        result = export_json(
            db,
            conn,
            all_products=True,
            fields=FIELDS,
            batch_size=batch_size,
            concurrency=concurrency,
            client=client,
        )
    assert result["success"], result["results"]
    assert sandbox.stats.image_downloads == sandbox.media_count == 5
    held = images_in_store(sandbox)
    a_jpg = held["S-1"][0]
    assert held["S-2"] == [a_jpg] and held["S-4"][1] == a_jpg and held["S-6"][1] == a_jpg
    assert held["S-5"] == [held["S-1"][1]] and held["S-3"] == [held["S-4"][0]]
    assert held["S-8"] == []
    assert refs_of(db, conn, IMAGE)[f"{IMG}/a.jpg"] == a_jpg
    # holding a product back costs at most one more batch per wave of shared URLs
    assert batches(sandbox) <= -(-len(SHARED) // batch_size) + 2


def test_an_export_queued_behind_another_sends_the_ids_the_first_got(
    db: Database, lock_waits: threading.Event
) -> None:
    sandbox = SandboxStore(seed=32)
    conn = connection(db)
    ids = add_products(db, [tee(f"W-{n}", images=[f"{IMG}/w-{n}.jpg"]) for n in range(4)])
    gate = Gate(sandbox, is_batch)  # the first export holds the lock, its batch not yet sent
    with client_for(sandbox, gate) as first, client_for(sandbox) as second:

        def exporting(client: WooClient) -> Run:
            return Run(
                lambda: export_json(
                    db, conn, product_ids=ids, fields=FIELDS, lock_wait=WAIT, client=client
                )
            )

        runs = [exporting(first), exporting(second)]
        queue_behind(runs[0], gate, runs[1], lock_waits)
        assert all(run.outcome()["success"] for run in runs)
    assert sandbox.stats.image_downloads == sandbox.media_count == 4
    assert len(sandbox.products) == 4
    # the second read the links the first recorded: it did not look the SKUs up again
    assert sandbox.stats.by_route[("GET", "/wc/v3/products")] == 1


class Crash(BaseException):
    """The process dies (kill -9, power cut): nothing after it runs, no except clause catches it."""


class CrashAfterBatch(httpx.BaseTransport):
    """The store applies batch number ``at`` (1-based), then the run dies before reading the answer."""

    def __init__(self, sandbox: SandboxStore, at: int) -> None:
        self.inner = httpx.WSGITransport(app=sandbox.wsgi_app)
        self.at = at
        self.seen = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.method == "POST" and request.url.path.endswith("/products/batch"):
            self.seen += 1
            if self.seen == self.at:
                raise Crash
        return response


@pytest.mark.parametrize("partial", [False, True])
def test_a_rerun_after_a_crash_does_not_download_what_the_store_got(
    db: Database, partial: bool
) -> None:
    sandbox = SandboxStore(seed=33)
    conn = connection(db)
    catalog = [
        tee("K-1", images=[f"{IMG}/k-1.jpg", f"{IMG}/shared.jpg"]),
        tee("K-2", images=[f"{IMG}/k-2.jpg"]),
        tee("K-3", images=[f"{IMG}/Photo%20K-3.JPG", f"{IMG}/shared.jpg"]),  # batch 2: lost
        tee("K-4", images=[f"{IMG}/k-4.png"]),
        tee("K-5", images=[f"{IMG}/shared.jpg", f"{IMG}/k-5.jpg"]),  # never sent
    ]
    ids = add_products(db, catalog)
    with client_for(sandbox, CrashAfterBatch(sandbox, at=2)) as dying, pytest.raises(Crash):
        export_json(
            db, conn, all_products=True, fields=FIELDS, batch_size=2, concurrency=1, client=dying
        )
    assert sorted(images_in_store(sandbox)) == ["K-1", "K-2", "K-3", "K-4"]
    assert f"{IMG}/k-4.png" not in refs_of(db, conn, IMAGE)  # its answer never arrived
    before = images_in_store(sandbox)

    with client_for(sandbox) as client:
        result = export_json(
            db, conn, product_ids=ids, fields=FIELDS, partial=partial, client=client
        )

    assert result["success"], result["results"]
    assert sandbox.stats.image_downloads == sandbox.media_count == 6
    after = images_in_store(sandbox)
    assert len(after) == 5
    assert {sku: after[sku] for sku in before} == before
    assert after["K-5"][0] == before["K-1"][1]


class OneBatchFault(httpx.BaseTransport):
    """The first batch request meets ``faults``: ``stall`` lands and its answer is lost, ``503``
    is refused before anything is applied."""

    def __init__(self, sandbox: SandboxStore, faults: Faults) -> None:
        self.sandbox = sandbox
        self.inner = httpx.WSGITransport(app=sandbox.wsgi_app)
        self.faults: Faults | None = faults

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        faults, self.faults = (self.faults, None) if is_batch(request) else (None, self.faults)
        if faults is not None:
            self.sandbox.faults = faults
        try:
            return self.inner.handle_request(request)
        finally:
            self.sandbox.faults = Faults()


@pytest.mark.usefixtures("clock")
def test_a_batch_whose_answer_was_lost_does_not_send_its_urls_again(db: Database) -> None:
    sandbox = SandboxStore(seed=34)
    conn = connection(db)
    ids = add_products(
        db,
        [
            tee("L-1", images=[f"{IMG}/l-1.jpg"]),
            tee("L-2", images=[f"{IMG}/l-2.jpg", f"{IMG}/l-shared.jpg"]),
            tee("L-3", images=[f"{IMG}/l-3.jpg", f"{IMG}/l-shared.jpg"]),
            tee("L-4", images=[f"{IMG}/l-4.jpg"]),
        ],
    )
    with client_for(sandbox) as client:  # two linked already, without their images
        export_json(db, conn, product_ids=ids[:2], fields=["name", "sku"], client=client)
    stall = OneBatchFault(sandbox, Faults(stall_rate=1.0, stall_seconds=0))
    with client_for(sandbox, stall) as client:  # two updates and two creates in one batch
        result = export_json(db, conn, product_ids=ids, fields=FIELDS, client=client)
    assert result["success"], result["results"]
    assert sandbox.stats.faults.get("stall") == 1
    assert sandbox.stats.image_downloads == sandbox.media_count == 5
    assert len(sandbox.products) == 4


@pytest.mark.usefixtures("clock")
def test_an_older_picture_under_the_same_file_name_is_not_taken_for_a_new_url(db: Database) -> None:
    sandbox = SandboxStore(seed=35)
    conn = connection(db)
    [pid] = add_products(db, [tee("N-1", images=[f"{IMG}/2024/photo.jpg"])])
    with client_for(sandbox) as client:
        export_json(db, conn, product_ids=[pid], fields=FIELDS, client=client)
    [old] = images_in_store(sandbox)["N-1"]
    edit_product(db, pid, images=[f"{IMG}/2025/photo.jpg"])  # a new picture, same file name
    refused = OneBatchFault(sandbox, Faults(error_rates={503: 1.0}))
    with client_for(sandbox, refused) as client:
        result = export_json(db, conn, product_ids=[pid], fields=FIELDS, client=client)
    assert result["success"], result["results"]
    assert sandbox.stats.by_status[503] == 1
    [new] = images_in_store(sandbox)["N-1"]
    assert new != old and sandbox.stats.image_downloads == 2


@pytest.mark.usefixtures("clock")
def test_an_export_under_faults_downloads_each_url_once_and_duplicates_nothing(
    db: Database,
) -> None:
    """Stalled batches (applied, answer lost), dropped connections, 503s and 429s (one request at
    a time, so the seed decides which request meets which)."""
    sandbox = SandboxStore(seed=1)
    conn = connection(db)
    catalog = [
        tee(f"F-{n}", images=[f"{IMG}/f-{n % 100}.jpg", f"{IMG}/common-{n % 7}.jpg"])
        for n in range(120)
    ]
    add_products(db, catalog)
    sandbox.faults = Faults(
        stall_rate=0.1, stall_seconds=0, error_rates={503: 0.1}, drop_rate=0.03, rate_429=0.05
    )
    sandbox.faults.retry_after = 0
    with client_for(sandbox) as client:
        result = export_json(
            db,
            conn,
            all_products=True,
            fields=FIELDS,
            batch_size=20,
            concurrency=1,
            client=client,
        )
    assert result["success"], result["results"]
    assert sum(sandbox.stats.faults.values()) >= 10
    assert sandbox.stats.image_downloads == sandbox.media_count == 107
    assert sorted(p["sku"] for p in sandbox.products.values()) == sorted(t["sku"] for t in catalog)


@pytest.mark.parametrize(
    ("url", "image", "same"),
    [
        (f"{IMG}/tee-1.jpg", {"src": "http://s/wp-content/uploads/2025/12/tee-1.jpg"}, True),
        (f"{IMG}/tee-1.jpg", {"src": "http://s/uploads/tee-1-2.jpg"}, True),
        (f"{IMG}/Tee%201.JPG?v=3", {"src": "http://s/uploads/tee-1-scaled.jpg"}, True),
        (f"{IMG}/tee-1.jpg", {"src": "http://s/uploads/x.jpg", "name": "tee-1.jpg"}, True),
        (f"{IMG}/tee.jpg", {"src": "http://s/uploads/tee-shirt.jpg"}, False),
        (f"{IMG}/tee-1.jpg", {"src": "http://s/uploads/tee-10.jpg"}, False),
        (f"{IMG}/", {"src": "http://s/uploads/image.jpeg"}, False),
    ],
)
def test_same_image_file(url: str, image: dict[str, Any], same: bool) -> None:
    assert same_image_file(url, image) is same
