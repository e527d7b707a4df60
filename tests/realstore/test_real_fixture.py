"""The real-store fixture counts what it says it counts (other real-store tests rely on it)."""

from __future__ import annotations

from realstore.realstore_support import LoggedRequest, RealStore, run


def test_requests_media_and_reset_are_counted_as_documented(real_store: RealStore) -> None:
    assert real_store.requests() == []
    baseline_media = real_store.media_count()
    with real_store.api() as api:
        made = api.post(
            "/products",
            json={
                "name": "Probe",
                "sku": "FIX-1",
                "images": [{"src": real_store.images.url("blue.png")}],
            },
        )
        assert made.status_code == 201, made.text
        assert api.get("/products", params={"sku": "FIX-1"}).json()[0]["id"] == made.json()["id"]
    # seen at once (the log is settled first), without the OAuth parameters, the query kept
    assert real_store.requests() == [
        LoggedRequest("POST", "/wp-json/wc/v3/products", 201, {}),
        LoggedRequest("GET", "/wp-json/wc/v3/products", 200, {"sku": "FIX-1"}),
    ]
    assert [r.method for r in real_store.write_requests()] == ["POST"]
    assert real_store.media_count() == baseline_media + 1
    assert real_store.images.downloads("blue.png") == 1

    real_store.mark()
    assert real_store.requests() == []
    with real_store.woo(read_only=True) as woo:
        assert woo.store_info().woo_version == "11.0.1"
    assert [r.method for r in real_store.requests()] and real_store.write_requests() == []

    real_store.reset()
    assert real_store.requests() == [] and real_store.images.total_downloads() == 0
    with real_store.api(read_only=True) as api:
        assert api.get("/products").json() == []


def _dump(store: RealStore) -> list[str]:
    """The store's database as ``mariadb-dump`` writes it, without the line saying when."""
    socket = f"--socket={store.dir}/run/mysql.sock"
    text = run(["mariadb-dump", socket, "-uroot", "wp"], timeout=120).stdout
    return [line for line in text.splitlines() if not line.startswith("-- Dump completed")]


def test_a_reset_puts_back_exactly_what_setup_left(real_store: RealStore) -> None:
    with real_store.api() as api:
        made = [
            api.post("/products/categories", json={"name": "Kitchen"}),
            api.post("/products/attributes", json={"name": "Size", "slug": "size"}),
            api.post("/products", json={
                "name": "Tee", "type": "variable", "sku": "FIX-TEE", "tags": [{"name": "Soft"}],
                "attributes": [{"name": "Size", "options": ["S"], "variation": True}],
            }),
            api.post("/webhooks", json={
                "name": "w", "topic": "product.updated", "delivery_url": real_store.url + "/hook",
            }),
        ]  # fmt: skip
        assert [answer.status_code for answer in made] == [201] * 4, made[-1].text
        tee = made[2].json()["id"]
        variation = api.post(f"/products/{tee}/variations", json={"sku": "FIX-TEE-S"})
        assert variation.status_code == 201, variation.text
    real_store.reset()
    setup_dump = (real_store.dir / "clean.sql").read_text(encoding="utf-8").splitlines()
    assert _dump(real_store) == [
        line for line in setup_dump if not line.startswith("-- Dump completed")
    ]
