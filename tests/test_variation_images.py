"""A new image URL is downloaded once per run by the store however many variations send it: the
sandbox counts its downloads. Variations of one parent sharing a URL (the first sends it, the
others go in the parent's next request by its media id), variations of two parents in flight
together (the second parent waits for the first's answer: no request added), a parent whose own
images hold the URL, a store that lost a cached media id, lost answers and faults."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from queued_runs import client_for, connection
from test_export_support import export_json
from woosync.db.engine import Database, open_database
from woosync.sandbox import Faults, SandboxStore
from woosync.services.connections.records import create_connection
from woosync.woo import WooClient

IMG = "https://img.example"
FIELDS = "name,sku,price,images,Size"
VARIATION_BATCH = ("POST", "/wc/v3/products/{product_id}/variations/batch")
VARIATION_LIST = ("GET", "/wc/v3/products/{product_id}/variations")


def variable(sku: str, images: list[str], variations: dict[str, str | None]) -> str:
    """A variable product in Size, with one variation per size (size -> its image URL)."""
    sizes = ", ".join(variations)
    lines = [
        f"- sku: {sku}",
        f"  name: {sku.title()}",
        "  type: variable",
        f"  images: {json.dumps(images)}",
        f"  attributes: {{Size: [{sizes}]}}",
        "  variations:",
    ]
    for n, (size, image) in enumerate(variations.items()):
        extra = f", image: {json.dumps(image)}" if image else ""
        lines.append(
            f'    - {{sku: {sku}-{size}, attributes: {{Size: {size}}}, price: "{10 + n}.00"{extra}}}'
        )
    return "\n".join(lines) + "\n"


@pytest.fixture
def shop(db_path: Path, cli: Any) -> Iterator[tuple[SandboxStore, int]]:
    sandbox = SandboxStore(seed=13)
    db = open_database(db_path)
    with sandbox.serve() as url:
        key, secret = sandbox.create_key("read_write")
        conn = create_connection(
            db, name="Retail", url=url, consumer_key=key, consumer_secret=secret
        )
        yield sandbox, conn.id
    db.dispose()


def load(cli: Any, tmp_path: Path, catalog: str) -> None:
    source = tmp_path / "catalog.yaml"
    source.write_text(catalog)
    loaded = cli("products", "load", str(source))
    assert loaded.exit_code == 0, loaded.stderr


def run_json(cli: Any, *args: str) -> dict[str, Any]:
    result = cli("--json", *args)
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def export(cli: Any, conn: int, *extra: str) -> dict[str, Any]:
    return run_json(cli, "export", "-c", str(conn), "--all", "--fields", FIELDS, *extra)


def variation_media(sandbox: SandboxStore) -> dict[str, int | None]:
    """Variation SKU -> the media id of its image, across every variable product."""
    held: dict[str, int | None] = {}
    for product in list(sandbox.products.values()):
        if product["type"] == "variable":
            for v in sandbox.variations(product["id"]):
                held[v["sku"]] = (v.get("image") or {}).get("id")
    return held


def catalog_images(cli: Any) -> dict[str, Any]:
    """SKU -> the images the catalog holds (products and variations)."""
    result = cli("--json", "products", "list", "--all")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    rows = [*rows, *(v for row in rows for v in row.get("variations") or [])]
    return {row["sku"]: row.get("images") for row in rows}


RED, BLUE = f"{IMG}/red.jpg", f"{IMG}/blue.jpg"
ONE_PARENT = variable("TEE", [], {"S": RED, "M": RED, "L": RED, "XL": BLUE})


def test_variations_of_one_parent_sharing_a_new_url_download_it_once(
    cli: Any, shop: tuple[SandboxStore, int], tmp_path: Path
) -> None:
    sandbox, conn = shop
    load(cli, tmp_path, ONE_PARENT)

    data = export(cli, conn)

    assert data["success"] and data["syncedCount"] == 5, data
    assert sandbox.stats.image_downloads == sandbox.media_count == 2
    media = variation_media(sandbox)
    assert media["TEE-S"] == media["TEE-M"] == media["TEE-L"] != media["TEE-XL"]
    assert None not in media.values()
    # the first red variation uploads it; the two others follow in one more request, by its id
    assert sandbox.stats.by_route[VARIATION_BATCH] == 2
    assert VARIATION_LIST not in sandbox.stats.by_route  # a new parent: nothing to list


TWO_PARENTS = variable("POLO", [], {"S": f"{IMG}/logo.jpg", "M": f"{IMG}/polo-m.jpg"}) + variable(
    "CAP", [], {"S": f"{IMG}/logo.jpg", "M": f"{IMG}/cap-m.jpg"}
)


@pytest.mark.parametrize("concurrency", ["1", "4"])
def test_variations_of_two_parents_in_flight_download_a_shared_url_once(
    cli: Any, shop: tuple[SandboxStore, int], tmp_path: Path, concurrency: str
) -> None:
    sandbox, conn = shop
    load(cli, tmp_path, TWO_PARENTS)

    data = export(cli, conn, "--concurrency", concurrency)

    assert data["success"] and data["syncedCount"] == 6, data
    assert sandbox.stats.image_downloads == sandbox.media_count == 3
    media = variation_media(sandbox)
    assert media["POLO-S"] == media["CAP-S"] and len(set(media.values())) == 3
    # the parent that waited sent all its variations in one request: still one per parent
    assert sandbox.stats.by_route[VARIATION_BATCH] == 2


HOODIE = variable("HOODIE", [f"{IMG}/hoodie.jpg"], {"S": f"{IMG}/hoodie.jpg", "M": None})


def test_a_parent_and_its_variations_sharing_a_url_download_it_once(
    cli: Any, shop: tuple[SandboxStore, int], tmp_path: Path
) -> None:
    """The parent goes first (the product pass): its variations name the media id it got."""
    sandbox, conn = shop
    load(cli, tmp_path, HOODIE + variable("JACKET", [], {"S": f"{IMG}/hoodie.jpg"}))

    data = export(cli, conn)

    assert data["success"] and data["syncedCount"] == 5, data
    assert sandbox.stats.image_downloads == sandbox.media_count == 1
    hoodie = sandbox.find_sku("HOODIE")
    assert hoodie is not None
    [photo] = [image["id"] for image in hoodie["images"]]
    media = variation_media(sandbox)
    assert media == {"HOODIE-S": photo, "HOODIE-M": None, "JACKET-S": photo}
    assert sandbox.stats.by_route[VARIATION_BATCH] == 2  # one per parent


def test_shared_images_keep_the_catalog_urls_through_an_import_and_go_unchanged_after(
    cli: Any, shop: tuple[SandboxStore, int], tmp_path: Path
) -> None:
    sandbox, conn = shop
    load(cli, tmp_path, ONE_PARENT + TWO_PARENTS + HOODIE)
    export(cli, conn)
    before = catalog_images(cli)
    assert before["TEE-M"] == [RED] and before["HOODIE-S"] == [f"{IMG}/hoodie.jpg"]
    downloads = sandbox.stats.image_downloads
    assert downloads == 6

    again = run_json(cli, "import", "--update-existing")

    assert again["updatedCount"] == 0 and again["failedCount"] == 0, again
    assert catalog_images(cli) == before  # the store's upload URLs never replace the catalog's
    sandbox.stats.reset()
    partial = export(cli, conn, "--partial")
    assert partial["counts"]["created"] == partial["counts"]["updated"] == 0, partial
    assert sandbox.stats.by_method.get("POST", 0) == 0


def test_a_media_id_the_store_lost_is_uploaded_again_once(
    cli: Any, shop: tuple[SandboxStore, int], tmp_path: Path
) -> None:
    """Someone cleans up the media library: the variations naming the cached id are refused
    (nothing written), forget it and send the URL again, downloaded once more, not per
    variation."""
    sandbox, conn = shop
    load(cli, tmp_path, variable("TEE", [], {"S": RED}))
    export(cli, conn)
    [gone] = variation_media(sandbox).values()
    assert gone is not None
    with sandbox._state.lock:
        del sandbox._state.media[gone]
    load(cli, tmp_path, variable("POLO", [], {"S": RED, "M": RED, "L": RED}))
    load(cli, tmp_path, variable("CAP", [], {"S": RED}))
    sandbox.stats.reset()

    data = export(cli, conn, "--partial", "--concurrency", "1")

    assert data["success"], data
    assert data["counts"]["created"] == 2 + 4, data  # POLO, CAP and their variations
    media = variation_media(sandbox)
    assert media["POLO-S"] == media["POLO-M"] == media["POLO-L"] == media["CAP-S"] != gone
    assert sandbox.stats.image_downloads == 1
    assert sorted(media) == ["CAP-S", "POLO-L", "POLO-M", "POLO-S", "TEE-S"]
    # POLO's request is refused; CAP's, made up after it, already sends the URL; POLO's
    # variations then follow by the id CAP got
    assert sandbox.stats.by_route[VARIATION_BATCH] == 3


MANY = "".join(
    variable(
        f"P{n}",
        [],
        {
            "S": f"{IMG}/common-{n % 3}.jpg",
            "M": f"{IMG}/common-{n % 3}.jpg",
            "L": f"{IMG}/p{n}.jpg",
        },
    )
    for n in range(9)
)


@pytest.mark.usefixtures("clock")
@pytest.mark.parametrize(
    ("faults", "lost"),
    [
        (Faults(error_rates={500: 0.1, 503: 0.1}, rate_429=0.1, retry_after=0, drop_rate=0.05), 0),
        (Faults(stall_rate=0.15, stall_seconds=0.2, error_rates={503: 0.05}, retry_after=0), 1),
    ],
)
def test_under_faults_every_variation_lands_once_and_each_url_is_downloaded_once(
    cli: Any, shop: tuple[SandboxStore, int], tmp_path: Path, faults: Faults, lost: int
) -> None:
    """Refused requests (5xx, 429, dropped before anything is done) and, second, requests that
    land but whose answer is lost (the creates are found by a lookup before any resend)."""
    sandbox, conn = shop
    load(cli, tmp_path, MANY)
    sandbox.faults = faults
    data: dict[str, Any] = {"success": False}
    for _attempt in range(3):  # a run may give a parent up; the next one finishes it
        result = cli("--json", "export", "-c", str(conn), "--all", "--fields", FIELDS,
                     "--partial", "--concurrency", "3")  # fmt: skip
        assert result.exit_code in (0, 1), result.stderr
        data = json.loads(result.stdout)
        if data["success"]:
            break
    sandbox.faults = Faults()

    assert data["success"], data
    assert sum(sandbox.stats.faults.values()) >= 3
    media = variation_media(sandbox)
    assert sorted(media) == sorted(f"P{n}-{s}" for n in range(9) for s in "SML")  # each once
    assert sandbox.stats.image_downloads == sandbox.media_count == 3 + 9
    assert all(media[f"P{n}-S"] == media[f"P{n % 3}-M"] for n in range(9))
    assert lost == 0 or sandbox.stats.faults.get("stall", 0) >= lost


class StallFirstVariationBatch(httpx.BaseTransport):
    """The first ``/variations/batch`` request lands in the store, and its answer is lost."""

    def __init__(self, sandbox: SandboxStore) -> None:
        self.sandbox = sandbox
        self.inner = httpx.WSGITransport(app=sandbox.wsgi_app)
        self.stalled = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        stall = not self.stalled and request.url.path.endswith("/variations/batch")
        if stall:
            self.stalled = True
            self.sandbox.faults = Faults(stall_rate=1.0, stall_seconds=0)
        try:
            return self.inner.handle_request(request)
        finally:
            self.sandbox.faults = Faults()


@pytest.mark.usefixtures("clock")
def test_an_update_whose_answer_was_lost_does_not_send_its_url_again(
    cli: Any, db: Database, tmp_path: Path
) -> None:
    """Linked variations gain a shared image; the request sending it lands but its answer is
    lost: the store's copy tells the id before the update goes again (as for products)."""
    sandbox = SandboxStore(seed=17)
    conn = connection(db)
    load(cli, tmp_path, variable("TEE", [], {"S": RED, "M": RED}))
    with client_for(sandbox) as client:  # linked, without their images
        first = export_json(db, conn, all_products=True, fields=["name", "sku", "price", "Size"],
                            client=client)  # fmt: skip
    assert first["success"], first
    stall = StallFirstVariationBatch(sandbox)
    with client_for(sandbox, stall) as client:
        result = export_json(db, conn, all_products=True, fields=FIELDS.split(","), client=client)

    assert result["success"], result["results"]
    assert sandbox.stats.faults.get("stall") == 1
    assert sandbox.stats.image_downloads == sandbox.media_count == 1
    media = variation_media(sandbox)
    assert media["TEE-S"] == media["TEE-M"] is not None


def test_siblings_sharing_a_url_the_store_cannot_download_fail_together(
    cli: Any, shop: tuple[SandboxStore, int], tmp_path: Path
) -> None:
    """The first is refused with the store's reason; the others then go in one request (each
    refused the same way), not one request after another."""
    sandbox, conn = shop
    bad = "https://img.invalid/bad.jpg"
    load(cli, tmp_path, variable("TEE", [], {"S": bad, "M": bad, "L": bad, "XL": RED}))

    result = cli("--json", "export", "-c", str(conn), "--all", "--fields", FIELDS)

    assert result.exit_code == 1, result.stderr
    failed = [r["message"] for r in json.loads(result.stdout)["results"] if r.get("message")]
    assert len(failed) == 3
    assert all("woocommerce_variation_image_upload_error" in m for m in failed)
    media = variation_media(sandbox)
    assert list(media) == ["TEE-XL"] and media["TEE-XL"] is not None
    assert sandbox.stats.by_route[VARIATION_BATCH] == 2


def test_a_run_that_died_before_booking_leaves_no_image_to_download_again(
    cli: Any, shop: tuple[SandboxStore, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store created the variations with their images, the process died before recording
    it: the next run links them by SKU and keeps the images they hold (as for products)."""
    sandbox, conn = shop
    load(cli, tmp_path, ONE_PARENT)
    real = WooClient.write_variations

    def dies_after_the_store_answered(self: WooClient, *args: Any, **kwargs: Any) -> Any:
        next(real(self, *args, **kwargs))  # applied and answered, never booked
        raise RuntimeError("stopped")
        yield  # a generator, as the real one

    monkeypatch.setattr(WooClient, "write_variations", dies_after_the_store_answered)
    stopped = cli("export", "-c", str(conn), "--all", "--fields", FIELDS)
    assert stopped.exit_code != 0 and "stopped" in stopped.stderr
    monkeypatch.setattr(WooClient, "write_variations", real)
    downloads = sandbox.stats.image_downloads
    assert downloads == 2 and len(variation_media(sandbox)) == 2  # S (red) and XL (blue)

    data = export(cli, conn)

    assert data["success"], data
    media = variation_media(sandbox)
    assert sorted(media) == ["TEE-L", "TEE-M", "TEE-S", "TEE-XL"]  # none duplicated
    assert media["TEE-S"] == media["TEE-M"] == media["TEE-L"] != media["TEE-XL"]
    assert sandbox.stats.image_downloads == sandbox.media_count == downloads


class LandThenRefuse(httpx.BaseTransport):
    """The first ``/variations/batch`` request lands and its answer is lost; every request to a
    variations route after it is refused with 503 (nothing done), so the run gives the write up."""

    def __init__(self, sandbox: SandboxStore) -> None:
        self.sandbox = sandbox
        self.inner = httpx.WSGITransport(app=sandbox.wsgi_app)
        self.landed = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if "/variations" in request.url.path:
            if self.landed:
                return httpx.Response(503, text="Service Unavailable")
            self.landed = request.url.path.endswith("/variations/batch")
            self.sandbox.faults = Faults(stall_rate=1.0 if self.landed else 0.0, stall_seconds=0)
        try:
            return self.inner.handle_request(request)
        finally:
            self.sandbox.faults = Faults()


@pytest.mark.usefixtures("clock")
def test_an_update_given_up_after_it_landed_has_its_image_id_learnt_in_the_next_run(
    cli: Any, db: Database, tmp_path: Path
) -> None:
    sandbox = SandboxStore(seed=19)
    conn = connection(db)
    load(cli, tmp_path, variable("TEE", [], {"S": RED, "M": None}))
    with client_for(sandbox) as client:  # linked, without their images
        export_json(db, conn, all_products=True, fields=["name", "sku", "price", "Size"],
                    client=client)  # fmt: skip
    with client_for(sandbox, LandThenRefuse(sandbox)) as client:
        failed = export_json(db, conn, all_products=True, fields=FIELDS.split(","), client=client)
    assert not failed["success"] and sandbox.stats.image_downloads == 1
    assert variation_media(sandbox)["TEE-S"] is not None  # the store did take it

    with client_for(sandbox) as client:
        result = export_json(db, conn, all_products=True, fields=FIELDS.split(","), client=client)

    assert result["success"], result["results"]
    assert sandbox.stats.image_downloads == sandbox.media_count == 1


class FailsThenLands(httpx.BaseTransport):
    """The first parent's variation requests are refused with 503 twice, then the third lands
    and its answer is lost: the client gives that write up after the request that took it."""

    def __init__(self, sandbox: SandboxStore) -> None:
        self.sandbox = sandbox
        self.inner = httpx.WSGITransport(app=sandbox.wsgi_app)
        self.first: str | None = None
        self.sent = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path.endswith("/variations/batch"):
            self.first = self.first or path
            if path == self.first:
                self.sent += 1
                if self.sent < 3:
                    return httpx.Response(503, text="Service Unavailable")
                self.sandbox.faults = Faults(stall_rate=1.0, stall_seconds=0)
        try:
            return self.inner.handle_request(request)
        finally:
            self.sandbox.faults = Faults()


@pytest.mark.usefixtures("clock")
def test_a_url_whose_sender_was_given_up_after_it_landed_is_not_downloaded_again(
    cli: Any, db: Database, tmp_path: Path
) -> None:
    """An update given up after its last request landed: the other parent waiting for that URL
    reads the store's copy of it and sends the id it holds."""
    sandbox = SandboxStore(seed=23)
    conn = connection(db)
    load(cli, tmp_path, variable("TEE", [], {"S": RED}) + variable("CAP", [], {"S": RED}))
    with client_for(sandbox) as client:  # linked, without their images
        export_json(db, conn, all_products=True, fields=["name", "sku", "price", "Size"],
                    client=client)  # fmt: skip
    with client_for(sandbox, FailsThenLands(sandbox)) as client:
        result = export_json(db, conn, all_products=True, fields=FIELDS.split(","),
                             concurrency=2, client=client)  # fmt: skip

    failed = [r for r in result["results"] if r.get("message")]
    assert len(failed) == 1, result["results"]  # TEE-S, given up (the store has it)
    assert sandbox.stats.faults.get("stall") == 1
    media = variation_media(sandbox)
    assert media["TEE-S"] == media["CAP-S"] is not None
    assert sandbox.stats.image_downloads == sandbox.media_count == 1
